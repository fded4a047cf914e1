"""Pure procurement rules that both the writes (services) and the reads (selectors, pages) need: the
timetable's moments, the frozen methodology, the ask as stored, the weights of the criteria tree, what a
bid answers and when its contract runs, and counting words and working days."""

import calendar
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils import timezone

from commonweal.frameworks.proportionality import Ask, PriorityOutcome, SuggestedOutcome

from .models import Criterion, CriterionKind, Procedure, Procurement, TenderingPeriodReduction

SCALES_FILE = Path(__file__).parent / "data" / "scales.yaml"

# The timetable, in the order its moments must fall.
TIMETABLE: dict[str, str] = {
    "publication_at": "Publication",
    "clarification_deadline": "Clarification deadline",
    "tender_deadline": "Tender deadline",
    "evaluation_at": "Evaluation",
    "award_at": "Award",
    "standstill_end_at": "Standstill end",
}
STANDSTILL_WORKING_DAYS = 8  # Procurement Act 2023 s.51(2)
# Procurement Act 2023 s.54(4): the tendering period's minimum in days, from the tender notice to the
# tender deadline, for tenders submitted electronically with the documents available from the notice
# (as they always are here). Light touch and below-threshold contracts have no minimum in the Act.
MINIMUM_TENDERING_DAYS = 25
REDUCED_TENDERING_DAYS = 10
FROZEN = "The published methodology cannot change: cancel the procurement and plan a new one instead."


def working_days_after(day: date, count: int) -> date:
    """The `count`th weekday after `day`. Bank holidays are not known here: they count as working days."""
    current = day
    added = 0
    while added < count:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def minimum_tendering_days(procedure: str, reduction: str) -> int | None:
    """The least number of days the law allows between the tender notice and the tender deadline."""
    if procedure not in (Procedure.OPEN, Procedure.COMPETITIVE_FLEXIBLE):
        return None
    return REDUCED_TENDERING_DAYS if reduction != TenderingPeriodReduction.NONE else MINIMUM_TENDERING_DAYS


@cache
def shipped_scales() -> list[dict[str, Any]]:
    """The scoring scales Commonweal ships (data/scales.yaml), which a buyer copies as its own."""
    return list(yaml.safe_load(SCALES_FILE.read_text(encoding="utf-8"))["scales"])


# --- The social value ask as stored -------------------------------------------------------------------


def ask_from_dict(data: Mapping[str, Any]) -> Ask:
    """A stored proposal (`ask_as_dict`) back as an `Ask`, so `ask_adjust` can check changes to it."""
    return Ask(
        value=Decimal(data["value"]),
        category=data["category"],
        months=int(data["months"]),
        supplier_size=data["supplier_size"],
        description=data["description"],
        band_position=int(data["band"]["position"]),
        band_name=data["band"]["name"],
        min_weighting_percent=Decimal(data["min_weighting_percent"]),
        outcomes_to_ask=int(data["outcomes_to_ask"]),
        outcomes_suggested=tuple(
            SuggestedOutcome(
                outcome=PriorityOutcome(
                    framework_code=row["framework"],
                    framework_title="",
                    code=row["code"],
                    title=row["title"],
                    weight=Decimal(row["weight"]),
                ),
                matched_words=tuple(row.get("matched_words", ())),
            )
            for row in data["outcomes_suggested"]
        ),
        offer_kind=data["offer_kind"],
        delivery_plan_required=bool(data["delivery_plan_required"]),
        reporting_frequency=data["reporting_frequency"],
        kpis_required=bool(data["kpis_required"]),
        reasons=tuple((row["part"], row["reason"]) for row in data["reasons"]),
    )


def suggested_outcome_codes(procurement: Procurement) -> list[str]:
    """The outcome codes the ask asks for: the officer's choice if they changed it, else the proposal's."""
    stored = procurement.ask or {}
    if not stored.get("fitted"):
        return []
    adjusted = stored.get("adjusted")
    if adjusted is not None:
        return [row["code"] for row in adjusted["outcomes"]]
    return [row["code"] for row in stored["proposal"]["outcomes_suggested"]]


def criteria_weights(criteria: Sequence[Criterion]) -> dict[str, Decimal]:
    """The weight of each branch of the tree (price, quality, social value)."""
    totals = {kind: Decimal("0") for kind in CriterionKind.values}
    for criterion in criteria:
        totals[criterion.kind] += criterion.weight
    return totals


# --- Bids -------------------------------------------------------------------------------------------


def word_count(text: str) -> int:
    """Words as GOV.UK Frontend's character count counts them: runs of non-space characters."""
    return len(text.split())


def scored_criteria(procurement: Procurement) -> list[Criterion]:
    """The criteria a bid answers in words: quality always, social value unless the bid is light-touch
    (whose method statement is its whole social value response)."""
    kinds = [CriterionKind.QUALITY] if procurement.light_touch else [CriterionKind.QUALITY, CriterionKind.SOCIAL_VALUE]
    return list(procurement.criteria.filter(kind__in=kinds).order_by("position", "id"))


def contract_period(procurement: Procurement) -> tuple[date, date]:
    """When the contract is expected to run: from the planned award (or the tender deadline) for its
    duration. Commitments fall due within it."""
    start_moment = procurement.award_at or procurement.tender_deadline or timezone.now()
    start = timezone.localtime(start_moment).date()
    months = start.month - 1 + procurement.duration_months
    year, month = start.year + months // 12, months % 12 + 1
    return start, date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
