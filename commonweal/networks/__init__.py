"""Anchor networks."""
