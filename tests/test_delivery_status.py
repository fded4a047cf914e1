"""Status against the schedule, forecasts and proposed ratings: the pure rules, worked by hand."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonweal.delivery.models import PerformanceRating
from commonweal.delivery.status import (
    NOT_ENOUGH_DATA,
    STATUS_RANK,
    CommitmentStatus,
    Milestone,
    RatingReason,
    commitment_status,
    expected_to_date,
    forecast,
    percent_of,
    rating_propose,
    worst_status,
)

pytestmark = pytest.mark.database_independent

D = Decimal
START = date(2026, 4, 1)
DUE = date(2027, 3, 31)  # 364 days after START


# --- Expected to date ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 3, 1), "0"),  # before the start
        (START, "0"),  # nothing is expected on the first day
        (date(2026, 4, 2), "0.29"),  # 104 × 1/364 = 0.2857… → 0.29
        (date(2026, 9, 30), "52.00"),  # 182 of 364 days: half of 104
        (date(2027, 3, 30), "103.71"),  # 363/364 × 104 = 103.714…
        (DUE, "104"),  # the whole target on the due date
        (date(2027, 6, 1), "104"),  # and after it
    ],
)
def test_expected_is_linear_from_the_agreement_start_to_the_due_date(today: date, expected: str) -> None:
    assert expected_to_date(target=D("104"), start_date=START, due_date=DUE, today=today) == D(expected)


def test_a_due_date_on_the_start_day_expects_the_whole_target_from_that_day() -> None:
    assert expected_to_date(target=D("5"), start_date=START, due_date=START, today=START) == D("5")
    assert expected_to_date(target=D("5"), start_date=START, due_date=START, today=START - timedelta(1)) == D("0")


MILESTONES = [Milestone(date(2026, 6, 30), D("10")), Milestone(date(2026, 12, 31), D("60"))]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 6, 29), "0"),  # nothing before the first milestone
        (date(2026, 6, 30), "10"),  # the first milestone's cumulative quantity, from its date
        (date(2026, 12, 30), "10"),
        (date(2026, 12, 31), "60"),
        (date(2027, 3, 30), "60"),
        (DUE, "104"),  # the due date is the last point: the whole target
    ],
)
def test_milestones_make_a_staircase_ending_at_the_target(today: date, expected: str) -> None:
    got = expected_to_date(target=D("104"), start_date=START, due_date=DUE, today=today, milestones=MILESTONES)
    assert got == D(expected)


def test_a_milestone_above_the_target_expects_no_more_than_the_target() -> None:
    milestones = [Milestone(date(2026, 6, 30), D("150"))]
    got = expected_to_date(
        target=D("100"), start_date=START, due_date=DUE, today=date(2026, 7, 1), milestones=milestones
    )
    assert got == D("100")


# --- Status ---------------------------------------------------------------------------------------------

TODAY = date(2026, 9, 30)


@pytest.mark.parametrize(
    ("target", "claimed", "verified", "expected", "due", "status"),
    [
        ("10", "10", "10", "5", DUE, CommitmentStatus.DELIVERED),  # verified meets the target
        ("10", "12", "12", "10", date(2026, 1, 1), CommitmentStatus.DELIVERED),  # even after the due date
        ("10", "10", "9.99", "10", date(2026, 9, 29), CommitmentStatus.MISSED),  # past due, 0.01 short
        ("10", "0", "0", "10", date(2026, 9, 29), CommitmentStatus.MISSED),
        ("10", "9", "9", "10", TODAY, CommitmentStatus.BEHIND),  # due today is not yet missed
        ("10", "5", "5", "5", DUE, CommitmentStatus.ON_TRACK),  # verified exactly what is expected
        ("10", "6", "5.01", "5", DUE, CommitmentStatus.ON_TRACK),
        ("10", "0", "0", "0", DUE, CommitmentStatus.ON_TRACK),  # nothing expected yet
        ("10", "5", "4.99", "5", DUE, CommitmentStatus.AT_RISK),  # claimed enough, not all verified
        ("10", "8", "0", "5", DUE, CommitmentStatus.AT_RISK),
        ("10", "4.99", "4.99", "5", DUE, CommitmentStatus.BEHIND),  # claimed less than expected
        ("10", "0", "0", "0.01", DUE, CommitmentStatus.BEHIND),
    ],
)
def test_status_rules(target: str, claimed: str, verified: str, expected: str, due: date, status: str) -> None:
    got = commitment_status(
        target=D(target), claimed=D(claimed), verified=D(verified), expected=D(expected), due_date=due, today=TODAY
    )
    assert got == status


quantities = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
targets = st.decimals(min_value=D("0.01"), max_value=1000, places=2, allow_nan=False, allow_infinity=False)
days = st.integers(min_value=-30, max_value=800)


@given(target=targets, claimed=quantities, first=quantities, second=quantities, expected=quantities, due=days)
def test_more_verified_never_makes_the_status_worse(
    target: Decimal, claimed: Decimal, first: Decimal, second: Decimal, expected: Decimal, due: int
) -> None:
    low, high = sorted([first, second])
    claimed = max(claimed, high)  # a verified quantity is also claimed
    statuses = [
        commitment_status(
            target=target,
            claimed=claimed,
            verified=verified,
            expected=min(expected, target),
            due_date=TODAY + timedelta(days=due),
            today=TODAY,
        )
        for verified in (low, high)
    ]
    assert STATUS_RANK[statuses[1]] >= STATUS_RANK[statuses[0]]


@given(target=targets, one=days, two=days, length=st.integers(min_value=1, max_value=2000))
def test_expected_never_falls_as_time_passes_and_stays_within_the_target(
    target: Decimal, one: int, two: int, length: int
) -> None:
    early, late = sorted([one, two])
    due = START + timedelta(days=length)
    values = [
        expected_to_date(target=target, start_date=START, due_date=due, today=START + timedelta(days=day))
        for day in (early, late)
    ]
    assert D("0") <= values[0] <= values[1] <= target


def test_the_worst_status_decides_and_substituted_takes_no_part() -> None:
    assert worst_status(["on_track", "behind", "delivered"]) == CommitmentStatus.BEHIND
    assert worst_status(["at_risk", "missed"]) == CommitmentStatus.MISSED
    assert worst_status(["substituted", "delivered"]) == CommitmentStatus.DELIVERED
    assert worst_status(["substituted"]) is None
    assert worst_status([]) is None


def test_percent_of() -> None:
    assert percent_of(D("4"), D("10")) == D("40.0")
    assert percent_of(D("1"), D("3")) == D("33.3")
    assert percent_of(D("2"), D("3")) == D("66.7")
    assert percent_of(D("12"), D("10")) == D("120.0")
    assert percent_of(D("1"), D("0")) is None


# --- Forecast -------------------------------------------------------------------------------------------


def test_no_forecast_before_the_first_verified_quantity() -> None:
    result = forecast(target=D("104"), verified=D("0"), start_date=START, due_date=DUE, today=TODAY)
    assert result.quantity is None and not result.enough_data
    assert result.reason == NOT_ENOUGH_DATA == "Not enough data: nothing has been verified yet."
    assert result.percent is None and not result.meets_target


def test_forecast_carries_the_verified_rate_to_the_due_date() -> None:
    # 26 verified in 182 days; 364 days in all: 26 × 364 / 182 = 52, half the target.
    result = forecast(target=D("104"), verified=D("26"), start_date=START, due_date=DUE, today=TODAY)
    assert result.quantity == D("52.00")
    assert result.percent == D("50.0")
    assert not result.meets_target and result.target_date is None
    assert result.reason == "At the verified rate so far, over 182 days."


def test_forecast_says_when_the_target_is_reached() -> None:
    # 60 verified in 182 days: 120 by the due date; 104 reached after 104 × 182 / 60 = 315.47 → 316 days.
    result = forecast(target=D("104"), verified=D("60"), start_date=START, due_date=DUE, today=TODAY)
    assert result.quantity == D("120.00")
    assert result.meets_target
    assert result.target_date == START + timedelta(days=316) == date(2027, 2, 11)


def test_forecast_after_the_due_date_is_what_was_verified() -> None:
    result = forecast(target=D("10"), verified=D("7"), start_date=START, due_date=DUE, today=date(2027, 4, 1))
    assert result.quantity == D("7") and not result.meets_target


def test_forecast_on_the_first_day_has_not_enough_data() -> None:
    result = forecast(target=D("10"), verified=D("1"), start_date=START, due_date=DUE, today=START)
    assert result.quantity is None
    assert result.reason == "Not enough data: the agreement has only just started."


@given(target=targets, first=quantities, second=quantities, elapsed=st.integers(min_value=1, max_value=363))
def test_forecast_grows_with_what_is_verified(target: Decimal, first: Decimal, second: Decimal, elapsed: int) -> None:
    low, high = sorted([first, second])
    today = START + timedelta(days=elapsed)
    a = forecast(target=target, verified=low, start_date=START, due_date=DUE, today=today).quantity
    b = forecast(target=target, verified=high, start_date=START, due_date=DUE, today=today).quantity
    assert b is not None or high == 0
    if a is not None and b is not None:
        assert a <= b


# --- Proposed rating ------------------------------------------------------------------------------------


def reasons(*statuses: str) -> list[RatingReason]:
    return [RatingReason(n, f"M.{n} Measure {n}", s, f"{s} reason") for n, s in enumerate(statuses, start=1)]


@pytest.mark.parametrize(
    ("statuses", "rating", "summary"),
    [
        (("on_track", "delivered"), PerformanceRating.GOOD, "All 2 active commitments are on track or delivered."),
        (("delivered",), PerformanceRating.GOOD, "The one active commitment is on track or delivered."),
        (("on_track", "at_risk"), PerformanceRating.APPROACHING, "1 of 2 active commitments is at risk."),
        (
            ("at_risk", "behind", "behind"),
            PerformanceRating.REQUIRES_IMPROVEMENT,
            "2 of 3 active commitments are behind.",
        ),
        (("behind", "missed", "delivered"), PerformanceRating.INADEQUATE, "1 of 3 active commitments is missed."),
        (("substituted", "on_track"), PerformanceRating.GOOD, "The one active commitment is on track or delivered."),
        (("substituted",), PerformanceRating.OTHER, "There are no active commitments to rate the agreement on."),
        ((), PerformanceRating.OTHER, "There are no active commitments to rate the agreement on."),
    ],
)
def test_rating_proposal_rules(statuses: tuple[str, ...], rating: str, summary: str) -> None:
    proposal = rating_propose(reasons(*statuses))
    assert proposal.rating == rating
    assert proposal.summary == summary
    assert [reason.status for reason in proposal.reasons] == list(statuses)  # a reason for every commitment
