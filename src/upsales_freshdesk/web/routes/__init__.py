"""The HTTP routes, thin: the card, the installation page's check, health and
metrics, the write actions and their bodies, the webhooks."""
