"""What the agent reads: the card's HTML (Jinja2 templates), messages in the
agent's language (Babel catalogs), amounts and dates."""
