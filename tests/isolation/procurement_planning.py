"""Tenant isolation registrations for planning procurements (commonweal/procurement/urls_planning.py).

Each tenant gets a draft procurement planned through the services, on its agreement's framework
version (with a second outcome, so an impact row can be added beside the one it has), with two lots
(so one can be removed), the default model and a custom scale. It is ready to publish.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from commonweal.frameworks.models import Outcome
from commonweal.procurement import services_planning
from commonweal.procurement.models import Criterion, ImpactItem, Lot, Procurement, ScoringScale
from commonweal.procurement.services_planning import ImpactInput, ProcurementInput
from tests.conftest import Tenant

PROCUREMENT_ROUTES = [
    "procurement:procurement-detail",
    "procurement:procurement-edit",
    "procurement:procurement-ask",
    "procurement:procurement-lot-add",
    "procurement:procurement-impact-add",
    "procurement:procurement-criterion-add",
    "procurement:procurement-publish",
    "procurement:procurement-cancel",
]
PK_MODELS: dict[str, type[models.Model]] = {
    **{name: Procurement for name in PROCUREMENT_ROUTES},
    "procurement:procurement-lot-edit": Lot,
    "procurement:procurement-lot-remove": Lot,
    "procurement:procurement-impact-edit": ImpactItem,
    "procurement:procurement-impact-remove": ImpactItem,
    "procurement:procurement-criterion-edit": Criterion,
    "procurement:procurement-criterion-remove": Criterion,
    "procurement:procurement-scale-detail": ScoringScale,
}
ORG_ROUTES = [
    "procurement:procurement-list",
    "procurement:procurement-create",
    "procurement:procurement-scale-list",
    "procurement:procurement-scale-create",
]

# Planning is the buyer's: a supplier's people get a 404 on every planning page.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {name: {"supplier": 404} for name in [*PK_MODELS, *ORG_ROUTES]}

# The manager is also the social value lead (see the world in tests/test_tenant_isolation.py), so plans.
OWNER_POST: dict[str, tuple[str, int]] = {
    name: ("manager", 302)
    for name in [*PK_MODELS, *ORG_ROUTES]
    if name
    not in ("procurement:procurement-detail", "procurement:procurement-list", "procurement:procurement-scale-detail")
}

POST_WRITES_NOTHING: dict[str, str] = {
    "procurement:procurement-scale-list": "the world copied the standard scales already: adding them again adds none",
}

A_TITLE = "Tenant A planned procurement: Northgate parks upkeep"
A_IMPACT = "Tenant A impact: Northgate residents near the depot"
A_SCALE = "Tenant A planning scale"
LEAK_MARKERS = [A_TITLE, A_IMPACT, A_SCALE]
SECOND_OUTCOME = "PLAN.2"


def _moment(days: int) -> datetime:
    return timezone.now().replace(microsecond=0) + timedelta(days=days)


def _objects(tenant: Tenant, *, title: str, impact: str, scale: str) -> dict[type[models.Model], int]:
    member = tenant.manager_member()
    version = tenant.agreement.framework_version
    first = Outcome.objects.filter(version=version).order_by("pk").first()
    assert first is not None
    Outcome.objects.create(
        organisation=tenant.buyer, version=version, theme=first.theme, code=SECOND_OUTCOME, title="Second outcome"
    )
    procurement = services_planning.procurement_create(
        actor=tenant.manager,
        member=member,
        data=ProcurementInput(
            title=title,
            reference=f"{tenant.buyer.slug}-plan-1",
            description="Parks upkeep",
            core_deliverables="Grass cutting",
            estimated_value=Decimal("250000"),
            category="services",
            duration_months=36,
            framework_version=version,
            value_set=None,
            price_method="lowest_over_bid",
            abnormally_low_percent=Decimal("80"),
            social_value_share_percent=Decimal("20"),
            timetable={
                "publication_at": _moment(1),
                "clarification_deadline": _moment(15),
                "tender_deadline": _moment(30),
                "evaluation_at": _moment(31),
                "award_at": _moment(40),
                "standstill_end_at": _moment(60),
            },
        ),
    )
    lot = services_planning.lot_add(
        actor=tenant.manager,
        member=member,
        procurement=procurement,
        title="Second lot",
        description="",
        estimated_value=None,
    )
    item = services_planning.impact_add(
        actor=tenant.manager,
        member=member,
        procurement=procurement,
        data=ImpactInput(first.code, impact, "", "", False, False, True),
    )
    custom = services_planning.scale_create(
        actor=tenant.manager,
        member=member,
        code="tenant-scale",
        title=scale,
        source="Tenant wording",
        levels_text="0 | Fail | No\n1 | Pass | Yes",
    )
    q1 = Criterion.objects.get(procurement=procurement, code="Q1")
    return {Procurement: procurement.pk, Lot: lot.pk, ImpactItem: item.pk, Criterion: q1.pk, ScoringScale: custom.pk}


def world_objects(a: Tenant, b: Tenant) -> dict[type[models.Model], int]:
    _objects(b, title="Tenant B procurement", impact="Tenant B impact", scale="Tenant B scale")
    return _objects(a, title=A_TITLE, impact=A_IMPACT, scale=A_SCALE)


def post_data(tenant: Tenant) -> dict[str, Any]:
    version = tenant.agreement.framework_version
    quality = ScoringScale.objects.filter(organisation=tenant.buyer, code="quality-0-5").values_list("pk", flat=True)
    deadline = timezone.localtime(_moment(25))
    return {
        # The procurement's details (prefix "plan"): a new reference, so both create and edit succeed.
        "plan-title": "Tenant planned procurement, changed",
        "plan-reference": f"{tenant.buyer.slug}-plan-new",
        "plan-description": "Parks upkeep",
        "plan-estimated_value": "250000",
        "plan-category": "services",
        "plan-duration_months": "36",
        "plan-supplier_size": "any",
        "plan-framework_version": version.pk if version else "",
        "plan-price_method": "lowest_over_bid",
        "plan-abnormally_low_percent": "80",
        "plan-social_value_share_percent": "20",
        "plan-tender_deadline_date_day": str(deadline.day),
        "plan-tender_deadline_date_month": str(deadline.month),
        "plan-tender_deadline_date_year": str(deadline.year),
        "plan-tender_deadline_time": "12:00pm",
        # The ask: a higher weighting, with reasons for any part that differs from the proposal.
        "plan_ask-weighting": "12",
        "plan_ask-weighting_reason": "Tenant reason for the weighting",
        "plan_ask-outcomes_reason": "Tenant reason for the outcomes",
        "plan_ask-offer": "quantified",
        "plan_ask-delivery_plan": "yes",
        "plan_ask-reporting": "quarterly",
        "plan_lot-title": "Tenant lot",
        "plan_impact-outcome_code": SECOND_OUTCOME,
        "plan_impact-positive_effects": "Tenant positive effects",
        "plan_impact-by_questions": "on",
        "plan_criterion-kind": "quality",
        "plan_criterion-code": "PLANQ9",
        "plan_criterion-title": "Tenant criterion",
        "plan_criterion-weight": "5",
        "plan_criterion-scale": quality[0] if quality else "",
        "plan_cancel-reason": "Tenant reason to cancel",
        "plan_scale-code": "tenant-new-scale",
        "plan_scale-title": "Tenant new scale",
        "plan_scale-source": "Tenant wording",
        "plan_scale-levels": "0 | Fail | No\n1 | Pass | Yes",
    }
