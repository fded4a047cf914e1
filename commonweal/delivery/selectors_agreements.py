"""Reads about agreements, their commitments and substitutions."""

from typing import Any

from commonweal.tenancy.selectors import Member

from .models import Agreement


def substitution_section(*, member: Member, agreement: Agreement) -> dict[str, Any]:
    """What the agreement page's substitutions section shows."""
    return {}
