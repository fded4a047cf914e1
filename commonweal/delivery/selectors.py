"""Reads for delivery. Every selector takes the member it reads for; other tenants' rows are never seen."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from commonweal.core.models import AuditEvent, AuditEventQuerySet
from commonweal.frameworks.models import Measure
from commonweal.tenancy.selectors import Member

from .models import Agreement, Commitment, DeliveryReturn, Evidence, ReturnLine


class CommitmentStatus:
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    DELIVERED = "Delivered"
    OVERDUE = "Overdue"


@dataclass(frozen=True)
class CommitmentProgress:
    commitment: Commitment
    target: Decimal
    claimed: Decimal
    verified: Decimal
    status: str

    @property
    def percent_verified(self) -> Decimal:
        return (self.verified / self.target * 100).quantize(Decimal("1")) if self.target else Decimal("0")


@dataclass(frozen=True)
class MeasureTotal:
    measure: Measure
    target: Decimal
    claimed: Decimal
    verified: Decimal


def _visible_to(member: Member) -> Q:
    """Agreements the member's organisation owns (as buyer) or is a party to (as supplier)."""
    return Q(organisation=member.organisation) | Q(supplier=member.organisation)


def agreement_list(*, member: Member) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(_visible_to(member))
        .select_related("organisation", "supplier", "framework_version__framework")
        .order_by("reference")
    )


def agreement_get(*, member: Member, pk: int) -> Agreement:
    try:
        return agreement_list(member=member).get(pk=pk)
    except Agreement.DoesNotExist:
        raise Http404("No such agreement.") from None


def commitment_status(*, target: Decimal, verified: Decimal, claimed: Decimal, due_date: date, today: date) -> str:
    if verified >= target:
        return CommitmentStatus.DELIVERED
    if due_date < today:
        return CommitmentStatus.OVERDUE
    if claimed > 0:
        return CommitmentStatus.IN_PROGRESS
    return CommitmentStatus.NOT_STARTED


def commitment_progress_list(*, agreement: Agreement, today: date | None = None) -> list[CommitmentProgress]:
    today = today or timezone.localdate()
    rows = []
    for commitment in agreement.commitments.select_related("measure").order_by("due_date", "id"):
        lines = ReturnLine.objects.filter(commitment=commitment)
        claimed = lines.claimed().total_quantity()
        verified = lines.verified().total_quantity()
        rows.append(
            CommitmentProgress(
                commitment=commitment,
                target=commitment.target_quantity,
                claimed=claimed,
                verified=verified,
                status=commitment_status(
                    target=commitment.target_quantity,
                    verified=verified,
                    claimed=claimed,
                    due_date=commitment.due_date,
                    today=today,
                ),
            )
        )
    return rows


def measure_total_list(*, member: Member) -> list[MeasureTotal]:
    """Target, claimed and verified quantities per measure across every agreement the member can see."""
    totals: dict[int, MeasureTotal] = {}
    for agreement in agreement_list(member=member):
        for row in commitment_progress_list(agreement=agreement):
            measure = row.commitment.measure
            previous = totals.get(measure.pk)
            totals[measure.pk] = MeasureTotal(
                measure=measure,
                target=row.target + (previous.target if previous else 0),
                claimed=row.claimed + (previous.claimed if previous else 0),
                verified=row.verified + (previous.verified if previous else 0),
            )
    return sorted(totals.values(), key=lambda total: total.measure.code)


def return_list(*, member: Member, agreement: Agreement) -> QuerySet[DeliveryReturn]:
    agreement = agreement_get(member=member, pk=agreement.pk)
    return (
        DeliveryReturn.objects.filter(agreement=agreement)
        .select_related("submitted_by")
        .prefetch_related("lines__commitment__measure", "evidence")
    )


def return_line_get(*, member: Member, pk: int) -> ReturnLine:
    try:
        return ReturnLine.objects.select_related(
            "delivery_return__agreement", "commitment__measure", "reviewed_by"
        ).get(pk=pk, delivery_return__agreement__in=agreement_list(member=member))
    except ReturnLine.DoesNotExist:
        raise Http404("No such return line.") from None


def evidence_get(*, member: Member, pk: int) -> Evidence:
    try:
        return Evidence.objects.select_related("delivery_return__agreement").get(
            pk=pk, delivery_return__agreement__in=agreement_list(member=member)
        )
    except Evidence.DoesNotExist:
        raise Http404("No such evidence.") from None


def audit_event_list(*, member: Member, agreement: Agreement) -> AuditEventQuerySet:
    agreement = agreement_get(member=member, pk=agreement.pk)
    return AuditEvent.objects.for_trail(agreement).select_related("actor")


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


def commitment_export_rows(*, member: Member) -> list[dict[str, str]]:
    """One flat row per commitment, for CSV and JSON exports."""
    rows = []
    for agreement in agreement_list(member=member):
        for progress in commitment_progress_list(agreement=agreement):
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
                    "status": progress.status,
                }
            )
    return rows


def return_section(*, member: Member, agreement: Agreement) -> dict[str, Any]:
    """What the agreement page's returns section shows."""
    return {"returns": return_list(member=member, agreement=agreement)}
