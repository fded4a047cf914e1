"""Commonweal: social value management for UK public bodies."""
