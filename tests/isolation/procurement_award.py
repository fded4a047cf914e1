"""Isolation registrations for the award, assessment summaries and the evaluation report
(commonweal/procurement/urls_award.py).

Each tenant gets a procurement whose tender deadline has passed, one moderated bid from its supplier and
the award of that bid (an Award row made directly, without a contract, so the tenants' agreement lists
stay as the other checks expect); the manager (also the social value lead) declares no conflict.

Every route here is given this area's own objects by route name (the world's model keys are shared by
the areas). The award page answers 200 and a POST to it is refused (the lot is already awarded),
storing nothing; the report and the summaries answer 200 to tenant A's buyer, and the summaries to the
awarded bid's own supplier.
"""

from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils import timezone

from commonweal.procurement.models import Award, Bid, ModeratedScore, Procurement
from tests.conftest import Tenant
from tests.procurement_support import bid_make, declare, procurement_published

PROCUREMENT_ROUTES = ["procurement:award", "procurement:evaluation-report", "procurement:evaluation-report-pdf"]
SUMMARY_ROUTES = ["procurement:assessment-summary", "procurement:assessment-summary-pdf"]

PK_MODELS: dict[str, type[Model]] = {
    **{name: Procurement for name in PROCUREMENT_ROUTES},
    **{name: Bid for name in SUMMARY_ROUTES},
}
# The award and the report are the buyer's; a supplier's people reach only their own bid's summary.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    **{name: {"supplier": 404} for name in PROCUREMENT_ROUTES},
}
OWNER_POST: dict[str, tuple[str, int]] = {"procurement:award": ("manager", 200)}
POST_WRITES_NOTHING: dict[str, str] = {
    "procurement:award": "the lot is already awarded: the award is refused and nothing is stored",
}
A_RATIONALE = "Tenant A award rationale: strongest local apprenticeships"
A_REASON = "Tenant A award reason: ranked first"
LEAK_MARKERS = [A_RATIONALE, A_REASON, "AWD-A-001"]


def _objects(tenant: Tenant, *, reference: str, rationale: str, reason: str) -> tuple[Procurement, Bid]:
    world = procurement_published(tenant.buyer, reference=reference, deadline_passed=True)
    bid = bid_make(world, tenant.supplier, price="200000")
    declare(world.procurement, tenant.manager)
    for criterion in world.scored:
        ModeratedScore.objects.create(
            organisation=tenant.buyer,
            bid=bid,
            criterion=criterion,
            score=Decimal("4"),
            rationale=rationale,
            moderated_by=tenant.manager,
        )
    Award.objects.create(
        organisation=tenant.buyer,
        procurement=world.procurement,
        lot=world.lot,
        bid=bid,
        supplier=tenant.supplier,
        value=Decimal("200000"),
        reason=reason,
        awarded_by=tenant.manager,
        awarded_at=timezone.now(),
    )
    return world.procurement, bid


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    _objects(b, reference="AWD-B-001", rationale="Tenant B rationale", reason="Tenant B reason")
    procurement, bid = _objects(a, reference="AWD-A-001", rationale=A_RATIONALE, reason=A_REASON)
    return {
        **{name: procurement.pk for name in PROCUREMENT_ROUTES},
        **{name: bid.pk for name in SUMMARY_ROUTES},
    }


def post_data(tenant: Tenant) -> dict[str, Any]:
    return {"award-lot": "1", "award-reason": "Tenant award reason, posted"}
