"""The shared rules the card, the actions, the sync and the webhook all follow: the field
rule, the stable error codes, the Freshdesk domain gate and the request bodies' building
blocks. Small on purpose: it imports only ``clients`` and ``settings``."""
