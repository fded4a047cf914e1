"""Reads about how delivery stands: progress against the schedule, forecasts, overdue returns, ratings."""

from typing import Any

from commonweal.tenancy.selectors import Member

from .models import Agreement
from .selectors import commitment_progress_list


def commitment_section(*, member: Member, agreement: Agreement) -> dict[str, Any]:
    """What the agreement page's commitments section shows."""
    return {"progress": commitment_progress_list(agreement=agreement)}
