"""Reporting periods: the rule that turns an agreement's dates and return frequency into periods."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from .models import Agreement, ReturnFrequency

FREQUENCY_MONTHS = {
    ReturnFrequency.MONTHLY: 1,
    ReturnFrequency.QUARTERLY: 3,
    ReturnFrequency.HALF_YEARLY: 6,
    ReturnFrequency.ANNUAL: 12,
}
FREQUENCY_NAMES = {
    ReturnFrequency.MONTHLY: "Month",
    ReturnFrequency.QUARTERLY: "Quarter",
    ReturnFrequency.HALF_YEARLY: "Half-year",
    ReturnFrequency.ANNUAL: "Year",
}
# The most reporting periods one agreement may have: 40 years of monthly returns. An agreement past it is
# refused (`period_count`), and the plan stops there whatever the dates, so no request can make more rows.
PERIODS_MAX = 480


@dataclass(frozen=True)
class PlannedPeriod:
    label: str
    start_date: date
    end_date: date
    return_due_date: date


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _span(start: date, end: date) -> str:
    """“April to June 2026”, “December 2026 to February 2027”, “15 January to 14 April 2026”, “15 to 30 April 2026”."""
    whole_months = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if whole_months:
        first, last = f"{start:%B}", f"{end:%B}"
    else:
        first, last = f"{start.day} {start:%B}", f"{end.day} {end:%B}"
    if start.year != end.year:
        return f"{first} {start.year} to {last} {end.year}"
    if first == last:
        return f"{first} {start.year}"
    if not whole_months and start.month == end.month:
        return f"{start.day} to {end.day} {end:%B %Y}"
    return f"{first} to {last} {end.year}"


def _frequency_months(frequency: str) -> int:
    return FREQUENCY_MONTHS.get(frequency, 3)  # type: ignore[call-overload]


def period_count(start: date, end: date, frequency: str) -> int:
    """How many periods an agreement from `start` to `end` reporting at `frequency` has (0 if it ends first)."""
    if end < start:
        return 0
    months = _frequency_months(frequency)
    elapsed = (end.year - start.year) * 12 + end.month - start.month
    count = elapsed // months + 1
    # The period starting `count - 1` steps on may begin after the end date (a short last month).
    return count if _add_months(start, (count - 1) * months) <= end else count - 1


def period_plan(agreement: Agreement) -> list[PlannedPeriod]:
    """The periods an agreement reports on, aligned to its start date, the last one cut at its end date;
    never more than `PERIODS_MAX`."""
    months = _frequency_months(agreement.return_frequency)
    name = FREQUENCY_NAMES.get(ReturnFrequency(agreement.return_frequency), "Period")
    planned: list[PlannedPeriod] = []
    number = 0
    while (start := _add_months(agreement.start_date, number * months)) <= agreement.end_date and number < PERIODS_MAX:
        end = min(_add_months(agreement.start_date, (number + 1) * months) - timedelta(days=1), agreement.end_date)
        planned.append(
            PlannedPeriod(
                label=f"{name} {number + 1} ({_span(start, end)})",
                start_date=start,
                end_date=end,
                return_due_date=end + timedelta(days=agreement.return_due_days),
            )
        )
        number += 1
    return planned
