"""Reads about how delivery stands: progress against the schedule, forecasts, money equivalents, overdue
returns and performance ratings. The rules are in `status.py`; every total says which state it counts."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from commonweal.core.errors import ApplicationError
from commonweal.frameworks.models import Measure, ValueType
from commonweal.frameworks.selectors_value_sets import value_entry_of, value_set_label
from commonweal.frameworks.valuation import ClaimLine, Valuation, ValueTotals, valuate
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from . import status as status_rules
from .models import (
    Agreement,
    CaseStudy,
    Commitment,
    CommitmentSource,
    CommitmentState,
    PerformanceAssessment,
    ReminderKind,
    ReportingPeriod,
    ReturnLine,
    ReturnReminder,
    ReturnState,
)
from .rules import may_manage
from .selectors_agreements import agreement_get, agreement_list, effective_target
from .status import CommitmentStatus, Forecast, RatingProposal, RatingReason

# GOV.UK tag colours for each status: green done, blue fine, yellow and orange warnings, red failed.
STATUS_TAG_CLASSES = {
    CommitmentStatus.DELIVERED: "govuk-tag--green",
    CommitmentStatus.ON_TRACK: "govuk-tag--blue",
    CommitmentStatus.AT_RISK: "govuk-tag--yellow",
    CommitmentStatus.BEHIND: "govuk-tag--orange",
    CommitmentStatus.MISSED: "govuk-tag--red",
    CommitmentStatus.SUBSTITUTED: "govuk-tag--grey",
}
ZERO = Decimal("0")
# Overdue returns shown on one page (and the API's default page): the list can be long, never unbounded.
OVERDUE_PER_PAGE = 50


def today_local() -> date:
    """Today in Europe/London, the day every schedule is judged on."""
    return timezone.localdate()


@dataclass(frozen=True)
class CommitmentProgress:
    """One commitment's quantities in each state, what the schedule expects by today, and its status.

    `target` is the promised quantity; `effective_target` is what is in force: pro-rated to the spend
    called off for call-offs, and what was verified for a commitment replaced by a substitution.
    """

    commitment: Commitment
    target: Decimal
    effective_target: Decimal
    claimed: Decimal
    evidenced: Decimal
    verified: Decimal
    expected: Decimal
    status: CommitmentStatus
    forecast: Forecast
    today: date

    @property
    def is_pro_rated(self) -> bool:
        return self.effective_target != self.target and self.commitment.state == CommitmentState.ACTIVE

    @property
    def percent_verified(self) -> Decimal | None:
        """% delivered: verified ÷ the target in force."""
        return status_rules.percent_of(self.verified, self.effective_target)

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def status_tag(self) -> str:
        return STATUS_TAG_CLASSES[self.status]

    @property
    def unit(self) -> str:
        return self.commitment.measure.unit


@dataclass(frozen=True)
class StateQuantities:
    claimed: Decimal = ZERO
    evidenced: Decimal = ZERO
    verified: Decimal = ZERO


def _quantities_by_commitment(agreements: list[Agreement]) -> dict[int, StateQuantities]:
    """Claimed, evidenced and verified per commitment, in one query, added exactly in Python."""
    has_evidence = Exists(ReturnLine.evidence.through._default_manager.filter(returnline_id=OuterRef("pk")))
    rows = (
        ReturnLine.objects.filter(commitment__agreement__in=agreements)
        .claimed()
        .annotate(has_evidence=has_evidence)
        .values_list("commitment_id", "quantity", "status", "has_evidence")
    )
    totals: dict[int, StateQuantities] = {}
    for commitment_id, quantity, line_status, evidenced in rows:
        before = totals.get(commitment_id, StateQuantities())
        totals[commitment_id] = StateQuantities(
            claimed=before.claimed + quantity,
            evidenced=before.evidenced + (quantity if evidenced else ZERO),
            verified=before.verified + (quantity if line_status == "verified" else ZERO),
        )
    return totals


def _progress(commitment: Commitment, quantities: StateQuantities, today: date) -> CommitmentProgress:
    agreement = commitment.agreement
    claimed = quantities.claimed.quantize(status_rules.PLACES)
    evidenced = quantities.evidenced.quantize(status_rules.PLACES)
    verified = quantities.verified.quantize(status_rules.PLACES)
    if commitment.state == CommitmentState.SUBSTITUTED:
        # The undelivered rest moved to the replacement: what stays in force here is what was verified.
        in_force = min(verified, commitment.target_quantity)
        return CommitmentProgress(
            commitment=commitment,
            target=commitment.target_quantity,
            effective_target=in_force,
            claimed=claimed,
            evidenced=evidenced,
            verified=verified,
            expected=in_force,
            status=CommitmentStatus.SUBSTITUTED,
            forecast=Forecast(verified, in_force, None, "Replaced by a substitution: no forecast."),
            today=today,
        )
    target = effective_target(commitment)
    scale = target / commitment.target_quantity
    milestones = [
        status_rules.Milestone(m.due_date, (m.cumulative_quantity * scale).quantize(status_rules.PLACES))
        for m in commitment.milestones.all()
    ]
    start_date = _schedule_start(agreement, commitment)
    expected = status_rules.expected_to_date(
        target=target,
        start_date=start_date,
        due_date=commitment.due_date,
        today=today,
        milestones=milestones,
    )
    return CommitmentProgress(
        commitment=commitment,
        target=commitment.target_quantity,
        effective_target=target,
        claimed=claimed,
        evidenced=evidenced,
        verified=verified,
        expected=expected,
        status=status_rules.commitment_status(
            target=target,
            claimed=claimed,
            verified=verified,
            expected=expected,
            due_date=commitment.due_date,
            today=today,
        ),
        forecast=status_rules.forecast(
            target=target,
            verified=verified,
            start_date=start_date,
            due_date=commitment.due_date,
            today=today,
        ),
        today=today,
    )


def _schedule_start(agreement: Agreement, commitment: Commitment) -> date:
    """When a commitment's linear schedule starts: the agreement's start, or for a replacement agreed
    in a substitution, the day it was agreed (it cannot have been behind before it existed)."""
    if commitment.source == CommitmentSource.SUBSTITUTION:
        agreed = timezone.localdate(commitment.created_at)
        return min(max(agreement.start_date, agreed), commitment.due_date)
    return agreement.start_date


def _progress_for(agreements: list[Agreement], today: date | None) -> dict[int, list[CommitmentProgress]]:
    today = today or today_local()
    by_pk = {agreement.pk: agreement for agreement in agreements}
    quantities = _quantities_by_commitment(agreements)
    commitments = (
        Commitment.objects.filter(agreement__in=agreements)
        .select_related("measure")
        .prefetch_related("milestones")
        .order_by("due_date", "id")
    )
    rows: dict[int, list[CommitmentProgress]] = {agreement.pk: [] for agreement in agreements}
    for commitment in commitments:
        commitment.agreement = by_pk[commitment.agreement_id]
        rows[commitment.agreement_id].append(
            _progress(commitment, quantities.get(commitment.pk, StateQuantities()), today)
        )
    return rows


def commitment_progress_list(*, agreement: Agreement, today: date | None = None) -> list[CommitmentProgress]:
    """Each commitment of an agreement the caller has already found through the member, with its status."""
    return _progress_for([agreement], today)[agreement.pk]


@dataclass(frozen=True)
class AgreementStatus:
    """An agreement with its commitments' progress; its status is the worst of its active commitments'."""

    agreement: Agreement
    progress: list[CommitmentProgress]

    @property
    def status(self) -> CommitmentStatus | None:
        return status_rules.worst_status(row.status for row in self.progress)

    @property
    def status_tag(self) -> str:
        return STATUS_TAG_CLASSES[self.status] if self.status else "govuk-tag--grey"

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        """("On track", 2), ... in the order of STATUS_ORDER, then substituted; only those present."""
        counts = Counter(row.status for row in self.progress)
        order = [*reversed(status_rules.STATUS_ORDER), CommitmentStatus.SUBSTITUTED]
        return [(CommitmentStatus(status).label, counts[status]) for status in order if counts[status]]


def agreement_status_list(*, member: Member, today: date | None = None) -> list[AgreementStatus]:
    return agreement_statuses(list(agreement_list(member=member)), today=today)


def agreement_statuses(agreements: list[Agreement], *, today: date | None = None) -> list[AgreementStatus]:
    """Each of `agreements` (already the member's own) with the progress of its commitments."""
    progress = _progress_for(agreements, today)
    return [AgreementStatus(agreement=agreement, progress=progress[agreement.pk]) for agreement in agreements]


@dataclass(frozen=True)
class MeasureTotal:
    """Quantities of one measure across agreements; `target` is the target in force (see CommitmentProgress)."""

    measure: Measure
    target: Decimal
    claimed: Decimal
    evidenced: Decimal
    verified: Decimal


def _measure_totals(rows: list[AgreementStatus]) -> list[MeasureTotal]:
    totals: dict[int, MeasureTotal] = {}
    for row in rows:
        for progress in row.progress:
            measure = progress.commitment.measure
            before = totals.get(measure.pk, MeasureTotal(measure, ZERO, ZERO, ZERO, ZERO))
            totals[measure.pk] = MeasureTotal(
                measure=measure,
                target=before.target + progress.effective_target,
                claimed=before.claimed + progress.claimed,
                evidenced=before.evidenced + progress.evidenced,
                verified=before.verified + progress.verified,
            )
    return sorted(totals.values(), key=lambda total: (total.measure.code, total.measure.pk))


def measure_total_list(*, member: Member, today: date | None = None) -> list[MeasureTotal]:
    """Target in force, claimed, evidenced and verified per measure across every agreement the member sees."""
    return _measure_totals(agreement_status_list(member=member, today=today))


def _status_counts(rows: list[AgreementStatus]) -> list[tuple[str, str, int]]:
    counts: Counter[str] = Counter(progress.status for row in rows for progress in row.progress)
    order = [*reversed(status_rules.STATUS_ORDER), CommitmentStatus.SUBSTITUTED]
    return [(CommitmentStatus(s).label, STATUS_TAG_CLASSES[CommitmentStatus(s)], counts[s]) for s in order]


def status_count_list(*, member: Member, today: date | None = None) -> list[tuple[str, str, int]]:
    """(label, tag class, number of commitments) for each status, across the member's agreements."""
    return _status_counts(agreement_status_list(member=member, today=today))


def dashboard_section(*, member: Member, today: date | None = None) -> dict[str, Any]:
    """The dashboard's totals by measure, commitments by status, agreements with their status, and how
    many returns are overdue."""
    rows = agreement_status_list(member=member, today=today)
    return {
        "totals": _measure_totals(rows),
        "status_counts": _status_counts(rows),
        "agreements": rows,
        "overdue_count": overdue_return_count(member=member, today=today),
    }


COMMITMENT_EXPORT_FIELDS = [
    "agreement_reference",
    "agreement_title",
    "buyer",
    "supplier",
    "measure_code",
    "measure_title",
    "unit",
    "due_date",
    "target_quantity",
    "claimed_quantity",
    "verified_quantity",
    "status",
]


def commitment_export_rows(*, member: Member, today: date | None = None) -> list[dict[str, str]]:
    """One flat row per commitment, for CSV and JSON exports; the status is against the schedule today."""
    rows = []
    for row in agreement_status_list(member=member, today=today):
        agreement = row.agreement
        for progress in row.progress:
            commitment = progress.commitment
            rows.append(
                {
                    "agreement_reference": agreement.reference,
                    "agreement_title": agreement.title,
                    "buyer": agreement.organisation.name,
                    "supplier": agreement.supplier.name,
                    "measure_code": commitment.measure.code,
                    "measure_title": commitment.measure.title,
                    "unit": commitment.measure.get_unit_display(),
                    "due_date": commitment.due_date.isoformat(),
                    "target_quantity": str(progress.target),
                    "claimed_quantity": str(progress.claimed),
                    "verified_quantity": str(progress.verified),
                    "status": progress.status_label,
                }
            )
    return rows


# --- Money equivalents -------------------------------------------------------------------------------

MONEY_STATES = [
    ("committed", "Committed (targets in force)"),
    ("claimed", "Claimed"),
    ("verified", "Verified"),
]


@dataclass(frozen=True)
class MoneyRow:
    state: str
    label: str
    local_economic: ValueTotals
    additional_social: ValueTotals


@dataclass(frozen=True)
class MoneySummary:
    """Money equivalents of an agreement's quantities in each state, from its value set, gross and net.
    Local economic value and additional social value are kept apart and never added together."""

    value_set: str  # "" when the agreement has none
    note: str
    price_basis: str
    rows: list[MoneyRow]
    valuations: dict[str, Valuation]
    not_valued: list[str]  # measure codes the value set has no figure for

    @property
    def has_figures(self) -> bool:
        return bool(self.rows)


def _quantity_in(progress: CommitmentProgress, state: str) -> Decimal:
    return {"committed": progress.effective_target, "claimed": progress.claimed, "verified": progress.verified}[state]


def money_summary(*, agreement: Agreement, progress: list[CommitmentProgress]) -> MoneySummary:
    """Value the agreement's commitments with its own value set (the buyer's), for whoever may see the
    agreement: the supplier reads the same figures as the buyer."""
    value_set = agreement.value_set
    if value_set is None:
        return MoneySummary("", "This agreement has no value set, so no money equivalents are shown.", "", [], {}, [])
    entries = {entry.measure_code: value_entry_of(entry) for entry in value_set.entries.all()}
    label = value_set_label(value_set)
    valuations: dict[str, Valuation] = {}
    try:
        for state, _ in MONEY_STATES:
            claims = [
                ClaimLine(row.commitment.measure.code, row.commitment.measure.value_type, _quantity_in(row, state))
                for row in progress
            ]
            valuations[state] = valuate(claims, entries, value_set=label)
    except ApplicationError as error:
        return MoneySummary(label, f"The money equivalents cannot be worked out: {error.message}", "", [], {}, [])
    rows = [
        MoneyRow(state, text, valuations[state].local_economic, valuations[state].additional_social)
        for state, text in MONEY_STATES
    ]
    committed = valuations["committed"]
    not_valued = sorted({line.measure_code for line in committed.not_valued})
    note = f"From the value set {label}, in {committed.price_basis}."
    return MoneySummary(label, note, committed.price_basis, rows, valuations, not_valued)


def commitment_section(*, member: Member, agreement: Agreement) -> dict[str, Any]:
    """What the agreement page's commitments section shows."""
    agreement = agreement_get(member=member, pk=agreement.pk)
    progress = commitment_progress_list(agreement=agreement)
    return {
        "progress": progress,
        "agreement_status": AgreementStatus(agreement=agreement, progress=progress),
        "money": money_summary(agreement=agreement, progress=progress),
        "can_rate": may_manage(member, agreement),
    }


# --- Commitments across agreements -----------------------------------------------------------------


def commitment_overview(*, member: Member, status: str = "") -> QuerySet[Commitment]:
    """Every commitment of the agreements the member sees; with `status`, those whose status today is it
    (a status is worked out from the schedule and the returns, so the matching ones are found first)."""
    commitments = Commitment.objects.filter(agreement__in=agreement_list(member=member)).select_related(
        "measure", "agreement__supplier", "agreement__organisation"
    )
    if status in CommitmentStatus.values:
        agreements = list(agreement_list(member=member))
        matching = [
            row.commitment.pk
            for rows in _progress_for(agreements, None).values()
            for row in rows
            if row.status == status
        ]
        commitments = commitments.filter(pk__in=matching)
    return commitments


def commitment_progress_page(commitments: list[Commitment]) -> list[CommitmentProgress]:
    """The progress of one page of `commitment_overview`, in the page's order."""
    agreements = list({commitment.agreement_id: commitment.agreement for commitment in commitments}.values())
    by_pk = {row.commitment.pk: row for rows in _progress_for(agreements, None).values() for row in rows}
    return [by_pk[commitment.pk] for commitment in commitments]


# --- Overdue returns ---------------------------------------------------------------------------------


def _overdue_periods(today: date) -> QuerySet[ReportingPeriod]:
    submitted = ReportingPeriod.objects.filter(pk=OuterRef("pk"), returns__state=ReturnState.SUBMITTED)
    return ReportingPeriod.objects.filter(return_due_date__lt=today).exclude(Exists(submitted))


def overdue_period_list(*, member: Member, today: date) -> QuerySet[ReportingPeriod]:
    """The periods of the member's organisation's agreements (as buyer) whose return is past its due date
    and not submitted: what the reminder service chases. Pages use `overdue_return_list`."""
    return (
        _overdue_periods(today)
        .filter(agreement__organisation=member.organisation)
        .select_related("agreement__organisation", "agreement__supplier", "agreement__contract_manager")
        .order_by("return_due_date", "agreement__reference", "id")
    )


def overdue_buyer_list(*, today: date) -> QuerySet[Organisation]:
    """Every buyer with a return overdue: whom the reminder command and task act for, one at a time.

    Names organisations only (no tenant's data): for the command line and the task worker."""
    return Organisation.objects.filter(pk__in=_overdue_periods(today).values("agreement__organisation")).order_by("pk")


@dataclass(frozen=True)
class OverdueReturn:
    period: ReportingPeriod
    days_overdue: int
    draft_started: bool
    reminder: ReturnReminder | None
    escalation: ReturnReminder | None

    @property
    def agreement(self) -> Agreement:
        return self.period.agreement

    @property
    def escalation_date(self) -> date:
        return self.period.return_due_date + timedelta(days=self.agreement.escalation_days)


def overdue_period_query(*, member: Member, today: date | None = None) -> QuerySet[ReportingPeriod]:
    """Periods past their return's due date with no return submitted, on agreements the member's
    organisation owns (as buyer) or supplies, oldest first: one query, for a page or a count."""
    return (
        _overdue_periods(today or today_local())
        .filter(agreement__in=agreement_list(member=member))
        .select_related("agreement__organisation", "agreement__supplier", "agreement__contract_manager")
        .order_by("return_due_date", "agreement__reference", "id")
    )


def overdue_return_count(*, member: Member, today: date | None = None) -> int:
    """How many returns are overdue, counted in the database whatever the number of periods."""
    return overdue_period_query(member=member, today=today).count()


def overdue_return_rows(
    *, member: Member, periods: Iterable[ReportingPeriod], today: date | None = None
) -> list[OverdueReturn]:
    """The rows shown for `periods` (one page of `overdue_period_query`), with their reminders and drafts."""
    today = today or today_local()
    pks = [period.pk for period in periods]
    found = overdue_period_query(member=member, today=today).filter(pk__in=pks).prefetch_related("reminders", "returns")
    rows = []
    for period in found:
        reminders = {reminder.kind: reminder for reminder in period.reminders.all()}
        rows.append(
            OverdueReturn(
                period=period,
                days_overdue=(today - period.return_due_date).days,
                # A draft is the supplier's own until submitted: the buyer is not told one exists.
                draft_started=period.agreement.supplier_id == member.organisation.pk
                and any(r.state == ReturnState.DRAFT for r in period.returns.all()),
                reminder=reminders.get(ReminderKind.REMINDER),
                escalation=reminders.get(ReminderKind.ESCALATION),
            )
        )
    return rows


def overdue_return_list(
    *, member: Member, today: date | None = None, offset: int = 0, limit: int = OVERDUE_PER_PAGE
) -> list[OverdueReturn]:
    """At most `limit` overdue returns from `offset`, oldest first (`overdue_period_query`)."""
    page = overdue_period_query(member=member, today=today)[offset : offset + limit]
    return overdue_return_rows(member=member, periods=page, today=today)


# --- Performance ratings -----------------------------------------------------------------------------


def _quantity_text(quantity: Decimal, unit: str) -> str:
    from commonweal.frontend.templatetags.govuk import quantity as shown

    return shown(quantity, unit)


def rating_reason(progress: CommitmentProgress) -> RatingReason:
    """Why a commitment counts as it does, in words the officer and the supplier can check."""
    commitment = progress.commitment
    unit = commitment.measure.unit
    target = _quantity_text(progress.effective_target, unit)
    figures = f"{_quantity_text(progress.verified, unit)} verified and {_quantity_text(progress.claimed, unit)} claimed"
    due = f"{commitment.due_date:%-d %B %Y}"
    texts = {
        CommitmentStatus.DELIVERED: f"Delivered: {figures} against a target of {target}.",
        CommitmentStatus.MISSED: f"Missed: {figures} against a target of {target} due by {due}.",
        CommitmentStatus.ON_TRACK: (
            f"On track: {figures}; {_quantity_text(progress.expected, unit)} expected by "
            f"{progress.today:%-d %B %Y} (target {target} by {due})."
        ),
        CommitmentStatus.AT_RISK: (
            f"At risk: {figures}; {_quantity_text(progress.expected, unit)} expected by "
            f"{progress.today:%-d %B %Y}, and the claims that would meet it are not yet verified."
        ),
        CommitmentStatus.BEHIND: (
            f"Behind: {figures}; {_quantity_text(progress.expected, unit)} expected by "
            f"{progress.today:%-d %B %Y} (target {target} by {due})."
        ),
        CommitmentStatus.SUBSTITUTED: "Replaced by an agreed substitution: not rated.",
    }
    return RatingReason(
        commitment_id=commitment.pk,
        measure=f"{commitment.measure.code} {commitment.measure.title}",
        status=progress.status.value,
        text=texts[progress.status],
    )


def rating_proposal(*, member: Member, agreement: Agreement, today: date | None = None) -> RatingProposal:
    agreement = agreement_get(member=member, pk=agreement.pk)
    progress = commitment_progress_list(agreement=agreement, today=today)
    return status_rules.rating_propose([rating_reason(row) for row in progress])


def assessment_list(*, member: Member, agreement: Agreement) -> QuerySet[PerformanceAssessment]:
    agreement = agreement_get(member=member, pk=agreement.pk)
    return PerformanceAssessment.objects.filter(agreement=agreement).select_related("confirmed_by")


def rating_section(*, member: Member, agreement: Agreement, today: date | None = None) -> dict[str, Any]:
    """What the rating page shows: the proposal with its reasons, and every earlier assessment."""
    return {
        "proposal": rating_proposal(member=member, agreement=agreement, today=today),
        "assessments": assessment_list(member=member, agreement=agreement),
        "today": today or today_local(),
    }


def case_study_list(*, member: Member, agreement: Agreement) -> QuerySet[CaseStudy]:
    """Case studies on the agreement's submitted returns; each carries its recorded consent."""
    agreement = agreement_get(member=member, pk=agreement.pk)
    return (
        CaseStudy.objects.filter(delivery_return__agreement=agreement, delivery_return__state=ReturnState.SUBMITTED)
        .select_related("commitment__measure", "delivery_return__period")
        .order_by("created_at", "id")
    )


VALUE_TYPE_LABELS = dict(ValueType.choices)
