"""Tooling for the Freshworks app: a structural validator and the zip packer."""
