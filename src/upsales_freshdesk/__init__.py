"""Upsales CRM data in the Freshdesk ticket sidebar, and contact sync between the two."""

__version__ = "0.1.0"
