"""Isolation registrations for delivery status, follow-up and reports (commonweal/delivery/urls_status.py,
commonweal/api/delivery_status.py): an overdue period, a case study and a recorded rating for each tenant."""

from datetime import date
from typing import Any

from django.db.models import Model

from commonweal.delivery import selectors_status, services_status
from commonweal.delivery.models import Agreement, CaseStudy, PerformanceRating, ReportingPeriod, ReturnState
from tests.conftest import Tenant

PK_MODELS: dict[str, type[Model]] = {
    "delivery:agreement-rating": Agreement,
    "delivery:agreement-report": Agreement,
    "delivery:agreement-report-pdf": Agreement,
    "api:agreement-status": Agreement,
    "api:assessment-list": Agreement,
}

# Tenant A's contract manager records a rating; the supplier only reads them.
OWNER_POST: dict[str, tuple[str, int]] = {
    "delivery:agreement-rating": ("manager", 302),
    "api:assessment-list": ("manager", 201),
}

A_PERIOD = "Tenant A overdue quarter"
A_CASE_STUDY = "Tenant A case study of an apprentice"
A_RATING_REASON = "Tenant A rating reason"
LEAK_MARKERS = [A_PERIOD, A_CASE_STUDY, A_RATING_REASON]


def _objects(tenant: Tenant, label: str) -> None:
    agreement = tenant.agreement
    # An odd start date, so no generated quarter of the agreement can collide with it.
    ReportingPeriod.objects.create(
        organisation=tenant.buyer,
        agreement=agreement,
        label=f"{label} overdue quarter",
        start_date=date(2025, 12, 2),
        end_date=date(2025, 12, 31),
        return_due_date=date(2026, 1, 14),
    )
    submitted = agreement.returns.filter(state=ReturnState.SUBMITTED).order_by("pk").first()
    assert submitted is not None
    CaseStudy.objects.create(
        organisation=tenant.buyer,
        delivery_return=submitted,
        commitment=tenant.commitments[0],
        title=f"{label} case study of an apprentice",
        story="A story told with consent.",
        consent_given_by="the apprentice",
        consent_date=date(2026, 3, 1),
    )
    services_status.assessment_confirm(
        actor=tenant.manager,
        member=tenant.manager_member(),
        agreement=agreement,
        rating=PerformanceRating.OTHER,
        reason=f"{label} rating reason",
    )


def world_objects(a: Tenant, b: Tenant) -> dict[type[Model], int]:
    _objects(a, "Tenant A")
    _objects(b, "Tenant B")
    return {}


def post_data(tenant: Tenant) -> dict[str, Any]:
    """The rating the rules propose for the tenant's agreement now, which needs no reason to confirm."""
    proposal = selectors_status.rating_proposal(member=tenant.manager_member(), agreement=tenant.agreement)
    return {"rating": proposal.rating.value}
