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


def period_plan(agreement: Agreement) -> list[PlannedPeriod]:
    """The periods an agreement reports on, aligned to its start date, the last one cut at its end date."""
    months = FREQUENCY_MONTHS.get(ReturnFrequency(agreement.return_frequency), 3)
    name = FREQUENCY_NAMES.get(ReturnFrequency(agreement.return_frequency), "Period")
    planned = []
    number = 0
    while (start := _add_months(agreement.start_date, number * months)) <= agreement.end_date:
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
