"""The demo: a Freshdesk-like ticket page that hosts the real app against the emulators."""
