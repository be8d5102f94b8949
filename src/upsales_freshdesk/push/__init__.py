"""Upsales changes into Freshdesk within seconds: Upsales' triggers poke the receiver,
the job queue folds a burst into one job, and the job reads the record from Upsales and
writes Freshdesk through the bulk sync's own rule. The nightly sync repairs what a lost
poke missed."""
