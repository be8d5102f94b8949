"""The write actions an agent may take from the card: update Freshdesk from Upsales and
undo it, create the contact in Upsales, log the ticket. Each says whether a failed write
may still have arrived."""
