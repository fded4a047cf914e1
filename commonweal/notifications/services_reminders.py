"""Reminders raised by the clock, for `commonweal notifications reminders` (run it from cron, daily):
a return due within 7 days and a return overdue (to the supplier's contacts), and a tender deadline passed
(to the procurement's evaluators).

Each is keyed on what it is about (the period and its due date, the procurement and its deadline), so a
second run, or two at once, tells nobody twice.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from commonweal.core.formatting import uk_date, uk_datetime
from commonweal.delivery.models import DeliveryReturn, ReportingPeriod, ReturnState
from commonweal.procurement.selectors import procurements_with_tenders_opened

from . import links, selectors
from .kinds import Kind
from .services import notify

DUE_SOON_DAYS = 7
# Returns overdue for longer than this are not announced again when the command first runs (the
# delivery reminders and escalations of `commonweal delivery remind` chase them).
OVERDUE_WINDOW_DAYS = 28


@dataclass
class RemindersResult:
    due: int = 0
    overdue: int = 0
    deadlines: int = 0
    lines: list[str] = field(default_factory=list)


def _without_submitted_return(periods: QuerySet[ReportingPeriod]) -> QuerySet[ReportingPeriod]:
    submitted = DeliveryReturn.objects.filter(period=OuterRef("pk"), state=ReturnState.SUBMITTED)
    return (
        periods.filter(~Exists(submitted))
        .select_related("agreement__supplier", "agreement__organisation")
        .order_by("return_due_date", "pk")
    )


def _period_remind(period: ReportingPeriod, *, overdue: bool, today: date) -> int:
    agreement = period.agreement
    due = uk_date(period.return_due_date)
    if overdue:
        title = f"Delivery return overdue: {agreement.reference}, {period.label}"
        body = (
            f"Your delivery return for {period.label} on {agreement.reference} {agreement.title} was due on {due} "
            f"and {agreement.organisation.name} has not received it. Please send it as soon as you can."
        )
    else:
        days = (period.return_due_date - today).days
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
        title = f"Delivery return due {when}: {agreement.reference}, {period.label}"
        body = (
            f"Your delivery return for {period.label} on {agreement.reference} {agreement.title} is due on {due}, "
            f"{when}. You can start it now and save it as a draft."
        )
    made = notify(
        kind=Kind.RETURN_OVERDUE if overdue else Kind.RETURN_DUE,
        subject=period,
        key=f"due-{period.return_due_date.isoformat()}",
        recipients=selectors.supplier_contacts(agreement.supplier),
        organisation=agreement.supplier,
        title=title,
        body=body,
        link=links.path("delivery:return-submit", org=agreement.supplier.slug, pk=agreement.pk)
        + f"?period={period.pk}",
    )
    return len(made)


def reminders_send(*, today: date, now: datetime | None = None) -> RemindersResult:
    """Tell, once each, every supplier whose return is due within 7 days or overdue (up to 28 days), and
    every evaluator of a procurement whose tender deadline has passed."""
    now = now or timezone.now()
    result = RemindersResult()
    due_soon = _without_submitted_return(
        ReportingPeriod.objects.filter(
            return_due_date__gte=today, return_due_date__lte=today + timedelta(days=DUE_SOON_DAYS)
        )
    )
    for period in due_soon:
        result.due += _period_remind(period, overdue=False, today=today)
    overdue = _without_submitted_return(
        ReportingPeriod.objects.filter(
            return_due_date__lt=today, return_due_date__gte=today - timedelta(days=OVERDUE_WINDOW_DAYS)
        )
    )
    for period in overdue:
        result.overdue += _period_remind(period, overdue=True, today=today)
    for procurement in procurements_with_tenders_opened(now=now):
        assert procurement.tender_deadline is not None
        made = notify(
            kind=Kind.TENDER_DEADLINE_PASSED,
            subject=procurement,
            key=f"deadline-{procurement.tender_deadline.isoformat()}",
            recipients=selectors.evaluators(procurement),
            organisation=procurement.organisation,
            title=f"Tenders are ready to evaluate: {procurement.reference} {procurement.title}",
            body=(
                f"The tender deadline of {procurement.reference} {procurement.title} passed at "
                f"{uk_datetime(procurement.tender_deadline)}. Declare any conflict of interest, then score the "
                "criteria you are assigned."
            ),
            link=links.path("procurement:scoring", org=procurement.organisation.slug, pk=procurement.pk),
        )
        result.deadlines += len(made)
    result.lines.append(
        f"Returns due soon: {result.due} told. Returns overdue: {result.overdue} told. "
        f"Tender deadlines passed: {result.deadlines} evaluators told."
    )
    return result
