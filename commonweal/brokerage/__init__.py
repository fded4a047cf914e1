"""Brokerage (wish list, offers and pledges)."""
