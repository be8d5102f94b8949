"""Tickets onto the Upsales timeline by themselves: Freshdesk's automation rules call the
webhook, the job queue takes the event, and each ticket becomes one Upsales activity on
its requester's contact, kept up to date as the ticket changes."""
