"""Reads about delivery returns: periods, returns with their lines and conversations, and the bulk template.

A draft is the supplier's own: the buyer sees a return, its lines and its files only once it is submitted.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from commonweal.tenancy.permissions import Permission
from commonweal.tenancy.selectors import Member

from .models import (
    Agreement,
    CaseStudy,
    CommitmentState,
    DeliveryReturn,
    Evidence,
    LineEventKind,
    LineStatus,
    ReportingPeriod,
    ReturnLine,
    ReturnLineEvent,
    ReturnState,
)
from .periods import period_plan
from .rules import is_supplier_of, may_manage, may_report
from .selectors_agreements import agreement_get, agreement_list


def _visible_returns(member: Member) -> Q:
    """Returns on agreements the member can see: all of the supplier's own, only submitted ones to the buyer."""
    return Q(agreement__supplier=member.organisation) | Q(
        agreement__organisation=member.organisation, state=ReturnState.SUBMITTED
    )


def return_get(*, member: Member, pk: int) -> DeliveryReturn:
    try:
        return DeliveryReturn.objects.select_related("agreement__organisation", "agreement__supplier", "period").get(
            _visible_returns(member), pk=pk
        )
    except DeliveryReturn.DoesNotExist:
        raise Http404("No such return.") from None


def return_list(*, member: Member, agreement: Agreement) -> QuerySet[DeliveryReturn]:
    """The agreement's returns: all of them to its supplier, the submitted ones to its buyer."""
    agreement = agreement_get(member=member, pk=agreement.pk)
    returns = DeliveryReturn.objects.filter(agreement=agreement)
    if not is_supplier_of(member, agreement):
        returns = returns.filter(state=ReturnState.SUBMITTED)
    return returns.select_related("submitted_by", "period").prefetch_related(
        "lines__commitment__measure", "lines__evidence", "lines__events__actor", "evidence", "case_studies"
    )


def _line_visible(member: Member) -> Q:
    """A supplier sees its returns' rows; the buyer sees them once the return is submitted (drafts are private)."""
    return Q(delivery_return__agreement__supplier=member.organisation) | Q(
        delivery_return__agreement__organisation=member.organisation,
        delivery_return__state=ReturnState.SUBMITTED,
    )


def return_line_get(*, member: Member, pk: int) -> ReturnLine:
    try:
        return ReturnLine.objects.select_related(
            "delivery_return__agreement__organisation",
            "delivery_return__period",
            "commitment__measure",
            "reviewed_by",
        ).get(_line_visible(member), pk=pk)
    except ReturnLine.DoesNotExist:
        raise Http404("No such return line.") from None


def evidence_get(*, member: Member, pk: int) -> Evidence:
    try:
        return Evidence.objects.select_related("delivery_return__agreement").get(_line_visible(member), pk=pk)
    except Evidence.DoesNotExist:
        raise Http404("No such evidence.") from None


def is_late(delivery_return: DeliveryReturn) -> bool:
    """Submitted after its period's due date (a return with no period has no due date)."""
    if delivery_return.submitted_at is None or delivery_return.period is None:
        return False
    return timezone.localdate(delivery_return.submitted_at) > delivery_return.period.return_due_date


@dataclass(frozen=True)
class LineView:
    line: ReturnLine
    number: int
    evidence: list[Evidence]
    events: list[ReturnLineEvent]
    can_review: bool
    can_answer: bool

    @property
    def evidenced(self) -> bool:
        return bool(self.evidence)


@dataclass(frozen=True)
class ReturnView:
    delivery_return: DeliveryReturn
    late: bool
    lines: list[LineView]
    evidence: list[Evidence]
    case_studies: list[CaseStudy]
    can_edit: bool

    @property
    def is_draft(self) -> bool:
        return self.delivery_return.state == ReturnState.DRAFT

    @property
    def can_review_any(self) -> bool:
        return any(item.can_review for item in self.lines)

    @property
    def title(self) -> str:
        period = self.delivery_return.period
        return period.label if period is not None else f"Return {self.delivery_return.pk}"


def _returns_prefetched(queryset: QuerySet[DeliveryReturn]) -> QuerySet[DeliveryReturn]:
    lines = ReturnLine.objects.select_related("commitment__measure").order_by("commitment__due_date", "commitment_id")
    return queryset.select_related("period", "submitted_by", "agreement").prefetch_related(
        Prefetch("lines", queryset=lines.prefetch_related("evidence", "events__actor")),
        "evidence",
        Prefetch("case_studies", queryset=CaseStudy.objects.select_related("commitment__measure")),
    )


def _return_view(member: Member, delivery_return: DeliveryReturn) -> ReturnView:
    agreement = delivery_return.agreement
    submitted = delivery_return.state == ReturnState.SUBMITTED
    supplier, manager = may_report(member, agreement), may_manage(member, agreement)
    lines = [
        LineView(
            line=line,
            number=number,
            evidence=list(line.evidence.all()),
            events=list(line.events.all()),
            can_review=manager and submitted and line.status in (LineStatus.PENDING, LineStatus.QUERIED),
            can_answer=supplier and submitted and line.status in (LineStatus.QUERIED, LineStatus.REJECTED),
        )
        for number, line in enumerate(delivery_return.lines.all(), start=1)
    ]
    return ReturnView(
        delivery_return=delivery_return,
        late=is_late(delivery_return),
        lines=lines,
        evidence=list(delivery_return.evidence.all()),
        case_studies=list(delivery_return.case_studies.all()),
        can_edit=supplier and not submitted,
    )


def return_view_list(*, member: Member, agreement: Agreement) -> list[ReturnView]:
    """The agreement's returns the member can see, newest first."""
    agreement = agreement_get(member=member, pk=agreement.pk)
    returns = _returns_prefetched(DeliveryReturn.objects.filter(_visible_returns(member), agreement=agreement))
    return [_return_view(member, delivery_return) for delivery_return in returns]


def return_view(*, member: Member, delivery_return: DeliveryReturn) -> ReturnView:
    delivery_return = _returns_prefetched(DeliveryReturn.objects.filter(_visible_returns(member))).get(
        pk=delivery_return.pk
    )
    return _return_view(member, delivery_return)


class PeriodStatus:
    NOT_OPEN = "Not started yet"
    OPEN = "Open"
    DRAFT = "Draft"
    OVERDUE = "Overdue"
    SUBMITTED = "Submitted"
    SUBMITTED_LATE = "Submitted late"


@dataclass(frozen=True)
class PeriodRow:
    period: ReportingPeriod
    delivery_return: DeliveryReturn | None  # the return the member can see for the period
    status: str


def period_rows(*, member: Member, agreement: Agreement, today: date | None = None) -> list[PeriodRow]:
    """Each saved reporting period of the agreement with its return, as the member may see it."""
    today = today or timezone.localdate()
    agreement = agreement_get(member=member, pk=agreement.pk)
    returns = {
        r.period_id: r
        for r in DeliveryReturn.objects.filter(_visible_returns(member), agreement=agreement).select_related("period")
    }
    rows = []
    for period in ReportingPeriod.objects.filter(agreement=agreement).order_by("start_date"):
        delivery_return = returns.get(period.pk)
        if delivery_return is not None and delivery_return.state == ReturnState.SUBMITTED:
            status = PeriodStatus.SUBMITTED_LATE if is_late(delivery_return) else PeriodStatus.SUBMITTED
        elif today > period.return_due_date:
            status = PeriodStatus.OVERDUE
        elif delivery_return is not None:
            status = PeriodStatus.DRAFT
        elif period.start_date > today:
            status = PeriodStatus.NOT_OPEN
        else:
            status = PeriodStatus.OPEN
        rows.append(PeriodRow(period=period, delivery_return=delivery_return, status=status))
    return rows


def open_periods(*, member: Member, agreement: Agreement) -> list[ReportingPeriod]:
    """Periods the supplier can start a return for: started, with no return yet."""
    agreement = agreement_get(member=member, pk=agreement.pk)
    return list(
        ReportingPeriod.objects.filter(
            agreement=agreement, start_date__lte=timezone.localdate(), returns__isnull=True
        ).order_by("start_date")
    )


def draft_list(*, member: Member, agreement: Agreement) -> QuerySet[DeliveryReturn]:
    agreement = agreement_get(member=member, pk=agreement.pk)
    if not may_report(member, agreement):
        return DeliveryReturn.objects.none()
    return DeliveryReturn.objects.filter(agreement=agreement, state=ReturnState.DRAFT).select_related("period")


def return_section(*, member: Member, agreement: Agreement) -> dict[str, object]:
    """What the agreement page's returns section shows."""
    return {
        "returns": return_view_list(member=member, agreement=agreement),
        "return_periods": period_rows(member=member, agreement=agreement),
        "returns_can_submit": may_report(member, agreement),
    }


# --- The bulk CSV template -------------------------------------------------------------------------

BULK_TEMPLATE_FIELDS = [
    "agreement_reference",
    "buyer",
    "period",
    "measure_code",
    "quantity",
    "evidence_reference",
    "beneficiary_reference",
    "note",
]


def bulk_template_rows(*, member: Member, today: date | None = None) -> list[dict[str, str]]:
    """One row per active commitment of each agreement the member supplies, for its current period
    (the one today falls in, or the last one of an agreement that has ended), quantities left blank."""
    today = today or timezone.localdate()
    rows = []
    agreements = agreement_list(member=member).filter(supplier=member.organisation)
    for agreement in agreements:
        started = [plan for plan in period_plan(agreement) if plan.start_date <= today]
        if not started:
            continue
        current = started[-1]
        commitments = agreement.commitments.filter(state=CommitmentState.ACTIVE).select_related("measure")
        for commitment in commitments.order_by("due_date", "id"):
            rows.append(
                {
                    "agreement_reference": agreement.reference,
                    "buyer": agreement.organisation.slug,
                    "period": current.label,
                    "measure_code": commitment.measure.code,
                    "quantity": "",
                    "evidence_reference": "",
                    "beneficiary_reference": "",
                    "note": "",
                }
            )
    return rows


def period_get(*, member: Member, agreement: Agreement, pk: int) -> ReportingPeriod | None:
    """One of the agreement's periods, or None if the id is not one of them."""
    agreement = agreement_get(member=member, pk=agreement.pk)
    return ReportingPeriod.objects.filter(agreement=agreement, pk=pk).first()


def return_list_all(*, member: Member) -> QuerySet[DeliveryReturn]:
    """Every return the member can see, across agreements, with how many of its lines await review, are
    queried, verified and rejected (for the returns list and its filters)."""
    return (
        DeliveryReturn.objects.filter(_visible_returns(member))
        .select_related("agreement__organisation", "agreement__supplier", "period")
        .annotate(
            lines_pending=Count("lines", filter=Q(lines__status=LineStatus.PENDING)),
            lines_queried=Count("lines", filter=Q(lines__status=LineStatus.QUERIED)),
            lines_verified=Count("lines", filter=Q(lines__status=LineStatus.VERIFIED)),
            lines_rejected=Count("lines", filter=Q(lines__status=LineStatus.REJECTED)),
        )
    )


def review_text(delivery_return: DeliveryReturn) -> str:
    """Where a return from `return_list_all` stands: "2 awaiting review, 1 verified", "Not submitted"."""
    if delivery_return.state == ReturnState.DRAFT:
        return "Not submitted"
    counts = [
        (delivery_return.lines_pending, "awaiting review"),  # type: ignore[attr-defined]
        (delivery_return.lines_queried, "queried"),  # type: ignore[attr-defined]
        (delivery_return.lines_verified, "verified"),  # type: ignore[attr-defined]
        (delivery_return.lines_rejected, "rejected"),  # type: ignore[attr-defined]
    ]
    return ", ".join(f"{count} {label}" for count, label in counts if count) or "No lines"


# --- Returns waiting for the buyer's review ---------------------------------------------------------


def returns_waiting_query(*, member: Member) -> QuerySet[DeliveryReturn]:
    """Submitted returns on the buyer's agreements with at least one line awaiting verification (new or
    answered), oldest submission first: one query, for a page, a count or the next one to review."""
    if not member.organisation.is_public_body:
        return DeliveryReturn.objects.none()
    waiting = ReturnLine.objects.filter(delivery_return=OuterRef("pk"), status=LineStatus.PENDING)
    return (
        DeliveryReturn.objects.filter(agreement__organisation=member.organisation, state=ReturnState.SUBMITTED)
        .filter(Exists(waiting))
        .select_related("agreement__supplier", "period")
        .order_by("submitted_at", "id")
    )


def return_next_waiting(*, member: Member, after: DeliveryReturn | None = None) -> DeliveryReturn | None:
    """The next return waiting for review other than `after`: the oldest submission first."""
    returns = returns_waiting_query(member=member)
    if after is not None:
        returns = returns.exclude(pk=after.pk)
    return returns.first()


def answered_lines_query(*, member: Member) -> QuerySet[ReturnLine]:
    """Lines the supplier has answered (a query or a rejection) that await verification again."""
    if not member.organisation.is_public_body:
        return ReturnLine.objects.none()
    answered = ReturnLineEvent.objects.filter(line=OuterRef("pk"), kind=LineEventKind.ANSWER)
    return (
        ReturnLine.objects.filter(
            delivery_return__agreement__organisation=member.organisation,
            delivery_return__state=ReturnState.SUBMITTED,
            status=LineStatus.PENDING,
        )
        .filter(Exists(answered))
        .select_related("delivery_return__agreement", "delivery_return__period", "commitment__measure")
        .order_by("updated_at", "id")
    )


def queried_lines_query(*, member: Member) -> QuerySet[ReturnLine]:
    """The supplier's lines the buyer has queried: questions waiting for the supplier's answer."""
    return (
        ReturnLine.objects.filter(
            delivery_return__agreement__supplier=member.organisation,
            delivery_return__state=ReturnState.SUBMITTED,
            status=LineStatus.QUERIED,
        )
        .select_related("delivery_return__agreement", "delivery_return__period", "commitment__measure")
        .order_by("reviewed_at", "id")
    )


def periods_to_report_query(*, member: Member, today: date | None = None) -> QuerySet[ReportingPeriod]:
    """Periods of the agreements the supplier supplies that have started and have no submitted return,
    the earliest due first: the returns the supplier has to do."""
    today = today or timezone.localdate()
    if not member.may(Permission.SUBMIT_RETURNS):
        return ReportingPeriod.objects.none()
    submitted = DeliveryReturn.objects.filter(period=OuterRef("pk"), state=ReturnState.SUBMITTED)
    return (
        ReportingPeriod.objects.filter(agreement__supplier=member.organisation, start_date__lte=today)
        .exclude(Exists(submitted))
        .select_related("agreement__organisation")
        .order_by("return_due_date", "agreement__reference", "id")
    )


def drafts_for_periods(*, member: Member, periods: list[ReportingPeriod]) -> dict[int, DeliveryReturn]:
    """The supplier's draft returns for these periods, by period id (one query)."""
    drafts = DeliveryReturn.objects.filter(
        period__in=periods, agreement__supplier=member.organisation, state=ReturnState.DRAFT
    )
    return {draft.period_id: draft for draft in drafts if draft.period_id is not None}


def return_reference(delivery_return: DeliveryReturn) -> str:
    """The reference a supplier quotes about a submitted return: the agreement's reference and the
    return's number, like NBC-2026-044-R17."""
    return f"{delivery_return.agreement.reference}-R{delivery_return.pk}"


def verifiable_evidenced(view: ReturnView) -> list[LineView]:
    """The lines "verify all that are evidenced" verifies: awaiting verification (new or answered), with
    at least one evidence file. A queried line waits for the supplier's answer and is left alone."""
    return [
        item for item in view.lines if item.can_review and item.evidenced and item.line.status == LineStatus.PENDING
    ]


def return_lines_for_review(*, member: Member, ids: list[int]) -> list[ReturnLine]:
    """The buyer's lines with these ids, in that order, with what the API shows of each."""
    lines = (
        ReturnLine.objects.filter(pk__in=ids, delivery_return__agreement__organisation=member.organisation)
        .select_related("delivery_return")
        .prefetch_related("evidence", "events__actor")
    )
    by_pk = {line.pk: line for line in lines}
    return [by_pk[pk] for pk in ids if pk in by_pk]
