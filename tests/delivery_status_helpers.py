"""Test helpers for delivery status, follow-up and reports: agreements on a known schedule, returns in each
state (made directly, so the figures under test are exactly the ones stated), periods and value sets."""

from datetime import date
from decimal import Decimal

import pytest

from commonweal.delivery import selectors_status
from commonweal.delivery.models import (
    Agreement,
    CaseStudy,
    Commitment,
    DeliveryReturn,
    Evidence,
    LineStatus,
    ReportingPeriod,
    ReturnLine,
    ReturnState,
)
from commonweal.frameworks.models import Measure, ValueSet, ValueType

from . import factories
from .conftest import Tenant

START = date(2026, 4, 1)
DUE = date(2027, 3, 31)  # 364 days after START
MID = date(2026, 9, 30)  # 182 days after START: half way


def today_fix(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Make `day` today for every page, API call and command that judges schedules."""
    monkeypatch.setattr(selectors_status, "today_local", lambda: day)


def schedule_agreement(tenant: Tenant, **fields: object) -> Agreement:
    """Tenant's agreement on a known schedule: 1 April 2026 to 31 March 2027."""
    agreement = tenant.agreement
    agreement.start_date = START
    agreement.end_date = DUE
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.save()
    for commitment in tenant.commitments:
        commitment.due_date = DUE
        commitment.save(update_fields=["due_date"])
    return agreement


def measure_set(commitment: Commitment, *, code: str, title: str, unit: str = "count", value_type: str = "") -> None:
    measure = commitment.measure
    measure.code = code
    measure.title = title
    measure.unit = unit
    measure.value_type = value_type or ValueType.ADDITIONAL_SOCIAL
    measure.save(update_fields=["code", "title", "unit", "value_type"])


def return_make(
    tenant: Tenant,
    *,
    state: str = ReturnState.SUBMITTED,
    period: ReportingPeriod | None = None,
    narrative: str = "Delivered in the period",
) -> DeliveryReturn:
    return DeliveryReturn.objects.create(
        organisation=tenant.buyer,
        agreement=tenant.agreement,
        period=period,
        state=state,
        submitted_by=tenant.supplier_user,
        narrative=narrative,
    )


def line_make(
    delivery_return: DeliveryReturn,
    commitment: Commitment,
    quantity: str,
    *,
    status: str = LineStatus.PENDING,
    evidenced: bool = False,
) -> ReturnLine:
    line = ReturnLine.objects.create(
        organisation=delivery_return.organisation,
        delivery_return=delivery_return,
        commitment=commitment,
        quantity=Decimal(quantity),
        status=status,
        reason="Not supported by the register" if status == LineStatus.REJECTED else "",
    )
    if evidenced:
        evidence = Evidence.objects.create(
            organisation=delivery_return.organisation,
            delivery_return=delivery_return,
            file=factories.evidence_file("register.pdf"),
            original_name="register.pdf",
            content_type="application/pdf",
            size=len(factories.PDF_BYTES),
            uploaded_by=delivery_return.submitted_by,
        )
        line.evidence.add(evidence)
    return line


def period_make(agreement: Agreement, label: str, start: date, end: date, due: date) -> ReportingPeriod:
    return ReportingPeriod.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        label=label,
        start_date=start,
        end_date=end,
        return_due_date=due,
    )


def case_study_make(
    delivery_return: DeliveryReturn, commitment: Commitment | None, title: str, story: str
) -> CaseStudy:
    return CaseStudy.objects.create(
        organisation=delivery_return.organisation,
        delivery_return=delivery_return,
        commitment=commitment,
        title=title,
        story=story,
        consent_given_by="the apprentice",
        consent_date=date(2026, 9, 1),
    )


def value_set_make(tenant: Tenant, values: dict[Measure, dict[str, str]]) -> ValueSet:
    """A value set of the tenant's buyer with a figure per measure ({"value_per_unit": ..., "deadweight": ...})."""
    value_set = factories.ValueSetFactory.create(organisation=tenant.buyer, code="local-values", title="Local values")
    for measure, figures in values.items():
        factories.ValueSetEntryFactory.create(
            value_set=value_set,
            measure_code=measure.code,
            **{name: Decimal(value) for name, value in figures.items()},
        )
    return value_set


JOBS = "Local people employed"
SPEND = "Spend with local firms"
HOURS = "Volunteering hours"


def returns_in_every_state(tenant: Tenant) -> Tenant:
    """Tenant A half way through its agreement (expected to date 5 of each target of 10), with:
    jobs 4 verified + 2 pending (all evidenced): at risk; local spend £6 verified (no evidence file): on
    track; volunteering 3 rejected + 1 pending, and 9 on a draft: behind."""
    schedule_agreement(tenant)
    jobs, spend, hours = tenant.commitments
    measure_set(jobs, code="JOBS.1", title=JOBS)
    measure_set(spend, code="ECON.1", title=SPEND, unit="gbp", value_type=ValueType.LOCAL_ECONOMIC)
    measure_set(hours, code="COMM.1", title=HOURS, unit="hours")
    first = return_make(tenant, narrative="First quarter")
    line_make(first, jobs, "4", status=LineStatus.VERIFIED, evidenced=True)
    line_make(first, spend, "6", status=LineStatus.VERIFIED)
    line_make(first, hours, "3", status=LineStatus.REJECTED)
    second = return_make(tenant, narrative="Second quarter")
    line_make(second, jobs, "2", evidenced=True)
    line_make(second, hours, "1")
    draft = return_make(tenant, state=ReturnState.DRAFT, narrative="Not sent yet")
    line_make(draft, hours, "9")
    return tenant
