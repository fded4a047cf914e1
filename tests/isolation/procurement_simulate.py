"""Isolation registrations for the evaluation simulator (commonweal/procurement/urls_simulate.py).

The page takes only `org` and stores nothing (GET only): a public body's people get it, a supplier's
people get a 404 even for their own organisation, and nobody reaches another organisation's."""

OWNER_GET_STATUS: dict[str, dict[str, int]] = {"procurement:simulate": {"supplier": 404}}
