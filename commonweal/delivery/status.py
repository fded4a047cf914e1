"""How a commitment stands against its schedule, a forecast to its due date, and the proposed rating.

Pure functions on `Decimal` and `date`: no database. The rules (also in docs/delivery-status.md):

Expected to date (`expected_to_date`):
- with milestones, the schedule is a staircase: the cumulative quantity of the latest milestone due on
  or before the day, and the whole target from the commitment's due date (nothing is expected before
  the first milestone);
- without milestones, it is linear from the agreement's start (0) to the due date (the target):
  target × days since start ÷ days from start to due date, to 2 places (halves up), never below 0 or
  above the target.

Status (`commitment_status`), the first rule that holds:
1. **Delivered**: verified ≥ target.
2. **Missed**: the due date has passed and verified < target.
3. **On track**: verified ≥ expected to date.
4. **At risk**: claimed ≥ expected to date, but verified < expected (the claims are not yet verified).
5. **Behind**: claimed < expected to date.

A commitment replaced by an agreed substitution is **Substituted** and takes no part in the rating.

Forecast (`forecast`): the verified rate so far (verified ÷ days since the agreement's start) carried to
the due date. Before the first verified quantity there is not enough data for a forecast.

Proposed rating (`rating_propose`), from the active commitments' statuses (the Procurement Act 2023
KPI ratings): any missed → inadequate; else any behind → requires improvement; else any at risk →
approaching target; else (all on track or delivered) → good; no commitments to rate → other.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db import models

from .models import PerformanceRating

PLACES = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


class CommitmentStatus(models.TextChoices):
    """A commitment's status against its schedule (see the module docstring for the rules)."""

    DELIVERED = "delivered", "Delivered"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    BEHIND = "behind", "Behind"
    MISSED = "missed", "Missed"
    SUBSTITUTED = "substituted", "Substituted"


# Worst first: an agreement's status is the worst of its active commitments' statuses.
STATUS_ORDER = [
    CommitmentStatus.MISSED,
    CommitmentStatus.BEHIND,
    CommitmentStatus.AT_RISK,
    CommitmentStatus.ON_TRACK,
    CommitmentStatus.DELIVERED,
]
STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}


@dataclass(frozen=True)
class Milestone:
    due_date: date
    cumulative_quantity: Decimal


def _quantise(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def expected_to_date(
    *, target: Decimal, start_date: date, due_date: date, today: date, milestones: Sequence[Milestone] = ()
) -> Decimal:
    """The quantity the schedule expects to have been delivered by the end of `today`."""
    if today >= due_date:
        return target
    if milestones:
        reached = [m.cumulative_quantity for m in milestones if m.due_date <= today]
        return min(max(reached), target) if reached else ZERO
    if today <= start_date:
        return ZERO
    elapsed = Decimal((today - start_date).days)
    length = Decimal((due_date - start_date).days)
    return min(target, _quantise(target * elapsed / length))


def commitment_status(
    *, target: Decimal, claimed: Decimal, verified: Decimal, expected: Decimal, due_date: date, today: date
) -> CommitmentStatus:
    """The commitment's status against its schedule: the first of the module's rules that holds."""
    if verified >= target:
        return CommitmentStatus.DELIVERED
    if today > due_date:
        return CommitmentStatus.MISSED
    if verified >= expected:
        return CommitmentStatus.ON_TRACK
    if claimed >= expected:
        return CommitmentStatus.AT_RISK
    return CommitmentStatus.BEHIND


def worst_status(statuses: Iterable[str]) -> CommitmentStatus | None:
    """The worst of the statuses that take part in the rating; None when there are none."""
    ranked = [CommitmentStatus(status) for status in statuses if status in STATUS_RANK]
    return min(ranked, key=STATUS_RANK.__getitem__) if ranked else None


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole as a percentage to 1 place (halves up); None when there is no whole."""
    if whole <= 0:
        return None
    return (part * HUNDRED / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Forecast:
    """Where the verified rate so far leads by the due date; `quantity` is None without enough data."""

    quantity: Decimal | None
    target: Decimal
    target_date: date | None  # the day the target is reached at this rate (None if not before the due date)
    reason: str

    @property
    def enough_data(self) -> bool:
        return self.quantity is not None

    @property
    def meets_target(self) -> bool:
        return self.quantity is not None and self.quantity >= self.target

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.quantity, self.target) if self.quantity is not None else None


NOT_ENOUGH_DATA = "Not enough data: nothing has been verified yet."


def forecast(*, target: Decimal, verified: Decimal, start_date: date, due_date: date, today: date) -> Forecast:
    """The verified quantity expected by the due date if delivery goes on at the verified rate so far."""
    if today >= due_date:
        return Forecast(verified, target, None, "The due date has passed: the forecast is what was verified.")
    if verified <= 0:
        return Forecast(None, target, None, NOT_ENOUGH_DATA)
    elapsed = (today - start_date).days
    if elapsed <= 0:
        return Forecast(None, target, None, "Not enough data: the agreement has only just started.")
    length = (due_date - start_date).days
    projected = _quantise(verified * Decimal(length) / Decimal(elapsed))
    reach: date | None = None
    if verified >= target:
        reach = today
    elif projected >= target:
        # The day the rate carries the verified quantity to the target: start + target ÷ rate.
        days = (target * Decimal(elapsed) / verified).to_integral_value(rounding=ROUND_CEILING)
        reach = start_date + timedelta(days=int(days))
    return Forecast(projected, target, reach, f"At the verified rate so far, over {elapsed} days.")


@dataclass(frozen=True)
class RatingReason:
    """Why one commitment counts as it does towards the proposed rating."""

    commitment_id: int
    measure: str
    status: str
    text: str


@dataclass(frozen=True)
class RatingProposal:
    rating: PerformanceRating
    reasons: tuple[RatingReason, ...]
    summary: str


# The rating each status leads to, worst first: the worst active commitment decides.
RATING_BY_STATUS = {
    CommitmentStatus.MISSED: PerformanceRating.INADEQUATE,
    CommitmentStatus.BEHIND: PerformanceRating.REQUIRES_IMPROVEMENT,
    CommitmentStatus.AT_RISK: PerformanceRating.APPROACHING,
    CommitmentStatus.ON_TRACK: PerformanceRating.GOOD,
    CommitmentStatus.DELIVERED: PerformanceRating.GOOD,
}


def rating_propose(reasons: Sequence[RatingReason]) -> RatingProposal:
    """The proposed rating from each commitment's status, with the reason for each commitment."""
    worst = worst_status(reason.status for reason in reasons)
    if worst is None:
        return RatingProposal(
            PerformanceRating.OTHER, tuple(reasons), "There are no active commitments to rate the agreement on."
        )
    rating = RATING_BY_STATUS[worst]
    counted = [reason for reason in reasons if reason.status in STATUS_RANK]
    label = CommitmentStatus(worst).label.lower()
    if rating == PerformanceRating.GOOD:
        summary = (
            f"All {len(counted)} active commitments are on track or delivered."
            if len(counted) > 1
            else "The one active commitment is on track or delivered."
        )
    else:
        how_many = sum(1 for reason in counted if reason.status == worst)
        summary = f"{how_many} of {len(counted)} active commitments {'is' if how_many == 1 else 'are'} {label}."
    return RatingProposal(rating, tuple(reasons), summary)
