"""Writes for shared metrics: the coordinator defines them (and maps members' own measure codes to them);
members submit their figures each quarter and set their pledges. All audited."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.frameworks.models import ValueType
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import MetricCrosswalk, MetricKind, MetricSubmission, NetworkMembership, Pledge, SharedMetric, SpendShare
from .rules import Quarter

MAX_VALUE = Decimal("1e13")


def _membership_require(member: Member, network: Organisation) -> NetworkMembership:
    membership = NetworkMembership.objects.filter(network=network, organisation=member.organisation).first()
    if membership is None or not membership.is_active:
        raise ApplicationError("Only a member of the network reports to it.")
    return membership


def _amount(value: Decimal, field: str) -> Decimal:
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(f"Enter the {field} as a number, like 12 or 3.5") from None
    if not value.is_finite():
        raise ApplicationError(f"Enter the {field} as a number, like 12 or 3.5")
    if value < 0:
        raise ApplicationError(f"The {field} must be 0 or more")
    if value >= MAX_VALUE:
        raise ApplicationError(f"The {field} is too large")
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def metric_create(
    *,
    actor: User | None,
    member: Member,
    code: str,
    title: str,
    kind: str,
    unit: str,
    measure_code: str = "",
    spend_share: str = "",
    value_type: str = ValueType.ADDITIONAL_SOCIAL,
    description: str = "",
) -> SharedMetric:
    permission_require(member, Permission.MANAGE_NETWORK)
    network = member.organisation
    code = code.strip().lower()
    if not code or not title.strip():
        raise ApplicationError("Give the metric a short code and a title")
    if SharedMetric.objects.filter(network=network, code=code).exists():
        raise ApplicationError(f"The network already has a metric with the code “{code}”.")
    if kind == MetricKind.DELIVERY and not measure_code.strip():
        raise ApplicationError("A delivery metric needs the shared measure code it counts")
    if kind == MetricKind.SPEND:
        if spend_share not in SpendShare.values:
            raise ApplicationError("Choose which share of spend the metric counts")
        value_type, unit = ValueType.LOCAL_ECONOMIC, "per cent of spend"
    if kind not in MetricKind.values:
        raise ApplicationError("Choose where the metric's figures come from")
    metric = SharedMetric.objects.create(
        network=network,
        code=code,
        title=title.strip(),
        kind=kind,
        unit=unit.strip() or "count",
        measure_code=measure_code.strip() if kind == MetricKind.DELIVERY else "",
        spend_share=spend_share if kind == MetricKind.SPEND else "",
        value_type=value_type,
        description=description.strip(),
    )
    audit_record(
        actor=actor,
        organisation=network,
        action=AuditAction.NETWORK_METRIC_CREATED,
        target=metric,
        after=snapshot(metric, ["code", "title", "kind", "unit", "measure_code", "spend_share", "value_type"]),
    )
    return metric


@transaction.atomic
def crosswalk_add(
    *, actor: User | None, member: Member, metric: SharedMetric, organisation: Organisation, measure_code: str
) -> MetricCrosswalk:
    """Map a member's own measure code to a delivery metric (a fork keeps the shared code and needs none)."""
    permission_require(member, Permission.MANAGE_NETWORK)
    if metric.network_id != member.organisation.pk:
        raise ApplicationError("Only the network's own metrics take a crosswalk.")
    if metric.kind != MetricKind.DELIVERY:
        raise ApplicationError("Only a delivery metric maps members' measure codes.")
    measure_code = measure_code.strip()
    if not measure_code:
        raise ApplicationError("Enter the member's measure code")
    if not NetworkMembership.objects.filter(network=metric.network, organisation=organisation).exists():
        raise ApplicationError("Only a member's codes are mapped.")
    crosswalk, created = MetricCrosswalk.objects.get_or_create(
        metric=metric, organisation=organisation, measure_code=measure_code
    )
    if not created:
        raise ApplicationError(f"{measure_code} of {organisation.name} is mapped to this metric already.")
    audit_record(
        actor=actor,
        organisation=metric.network,
        action=AuditAction.NETWORK_CROSSWALK_ADDED,
        target=crosswalk,
        trail=metric,
        after={"organisation": organisation.name, "measure_code": measure_code},
    )
    return crosswalk


@transaction.atomic
def figure_submit(
    *,
    actor: User | None,
    member: Member,
    metric: SharedMetric,
    quarter: str,
    value: Decimal,
    note: str = "",
) -> MetricSubmission:
    """A member's figure for a submitted metric and quarter; a second one for the quarter replaces it."""
    permission_require(member, Permission.MANAGE_REPORTS)
    _membership_require(member, metric.network)
    if metric.kind != MetricKind.SUBMITTED:
        raise ApplicationError("Commonweal works this metric out from your own data: there is nothing to submit.")
    try:
        period = str(Quarter.parse(quarter))
    except ApplicationError as error:
        raise ApplicationError(error.message, field_errors={"quarter": error.message}) from None
    value = _amount(value, "figure")
    submission = MetricSubmission.objects.filter(
        metric=metric, organisation=member.organisation, quarter=period
    ).first()
    before = snapshot(submission, ["value", "note"]) if submission else None
    if submission is None:
        submission = MetricSubmission(metric=metric, organisation=member.organisation, quarter=period)
    submission.value = value
    submission.note = note.strip()
    submission.submitted_by = actor if actor and actor.pk else None
    submission.save()
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.NETWORK_FIGURE_SUBMITTED,
        target=submission,
        before=before,
        after={"metric": metric.code, "quarter": period, **snapshot(submission, ["value", "note"])},
    )
    return submission


@transaction.atomic
def pledge_set(
    *,
    actor: User | None,
    member: Member,
    metric: SharedMetric,
    baseline: Decimal,
    target: Decimal,
    target_date: date,
) -> Pledge:
    """The member's pledge on a metric: from a baseline to a target by a date (setting it again changes it)."""
    permission_require(member, Permission.MANAGE_REPORTS)
    _membership_require(member, metric.network)
    baseline, target = _amount(baseline, "baseline"), _amount(target, "target")
    if target == baseline:
        raise ApplicationError("The target must differ from the baseline")
    if metric.is_percentage and (baseline > 100 or target > 100):
        raise ApplicationError("A share of spend is a percentage: 100 or less")
    pledge = Pledge.objects.filter(metric=metric, organisation=member.organisation).first()
    before = snapshot(pledge, ["baseline", "target", "target_date"]) if pledge else None
    if pledge is None:
        pledge = Pledge(metric=metric, organisation=member.organisation)
    pledge.baseline, pledge.target, pledge.target_date = baseline, target, target_date
    pledge.save()
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.NETWORK_PLEDGE_SET,
        target=pledge,
        before=before,
        after={"metric": metric.code, **snapshot(pledge, ["baseline", "target", "target_date"])},
    )
    return pledge
