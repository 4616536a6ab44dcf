"""Placeholder package for a later issue; not yet an installed app."""
