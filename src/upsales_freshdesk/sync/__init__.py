"""Bulk, incremental contact sync from Upsales to Freshdesk."""
