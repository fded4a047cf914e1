"""Isolation registrations for the wish list (commonweal/brokerage/urls.py and public_urls.py).

Each tenant's council hosts a wish list, with the tenant's contract manager as its broker too. A community
organisation of the tenant posts a draft need and a published one; the tenant's supplier pledges to the
published one and posts an offer. The community pages belong to the community organisation, whose people
are neither of the roles the isolation test signs in as: for them tenant A's own people get a 404 too (they
are checked in tests/test_brokerage_pages.py). The public wish list is public by design."""

from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils import timezone

from commonweal.brokerage import services_needs
from commonweal.brokerage.models import Need, Offer, Pledge
from tests.brokerage_support import need_draft, need_published, pledge_made, wish_world
from tests.conftest import Tenant

PK_MODELS: dict[str, type[Model]] = {
    "brokerage:need-detail": Need,
    "brokerage:need-edit": Need,
    "brokerage:need-withdraw": Need,
    "brokerage:pledge-confirm": Pledge,
    "brokerage:offer-take-up": Offer,
    "brokerage:broker-need": Need,
    "brokerage:broker-publish": Need,
    "brokerage:broker-close": Need,
    "brokerage:broker-introduce": Need,
    "brokerage:pledge-create": Need,
    "brokerage:pledge-detail": Pledge,
    "brokerage:pledge-withdraw": Pledge,
}

COMMUNITY_ROUTES = [
    "brokerage:need-list",
    "brokerage:need-create",
    "brokerage:eligibility",
    "brokerage:need-detail",
    "brokerage:need-edit",
    "brokerage:need-withdraw",
    "brokerage:pledge-confirm",
    "brokerage:offer-take-up",
]
BROKER_ROUTES = [
    "brokerage:broker-queue",
    "brokerage:broker-need",
    "brokerage:broker-publish",
    "brokerage:broker-close",
    "brokerage:broker-introduce",
    "brokerage:policy",
    "brokerage:figures",
    "brokerage:figures-csv",
    "brokerage:figures-xlsx",
]
SUPPLIER_ROUTES = [
    "brokerage:pledge-list",
    "brokerage:pledge-create",
    "brokerage:pledge-detail",
    "brokerage:pledge-withdraw",
    "brokerage:offer-create",
]

OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    **{name: {"manager": 404, "supplier": 404} for name in COMMUNITY_ROUTES},
    **{name: {"supplier": 404} for name in BROKER_ROUTES},
    **{name: {"manager": 404} for name in SUPPLIER_ROUTES},
    "api:need-list": {"manager": 404, "supplier": 404},
    "api:pledge-list": {"manager": 404},
    "api:wish-list-figures": {"supplier": 404},
}
OWNER_POST: dict[str, tuple[str, int]] = {
    # Community routes: no role of the isolation test may post; the 404 is checked for tenant B.
    **{name: ("manager", 404) for name in COMMUNITY_ROUTES if name != "brokerage:need-list"},
    # The broker closes the published need, introduces a supplier and sets the limit; publishing a need that
    # is published already is refused on the page (200 with the error), changing nothing.
    "brokerage:broker-need": ("manager", 200),
    "brokerage:broker-publish": ("manager", 200),
    "brokerage:broker-close": ("manager", 302),
    "brokerage:broker-introduce": ("manager", 302),
    "brokerage:policy": ("manager", 302),
    "brokerage:pledge-create": ("supplier", 302),
    "brokerage:pledge-detail": ("supplier", 302),
    "brokerage:pledge-withdraw": ("supplier", 302),
    "brokerage:offer-create": ("supplier", 302),
}
POST_WRITES_NOTHING: dict[str, str] = {
    **{
        name: "no role of the test may write to a community organisation's needs"
        for name in COMMUNITY_ROUTES
        if name != "brokerage:need-list"
    },
    "brokerage:broker-need": "moderating a need already published is refused on the page",
    "brokerage:broker-publish": "publishing a need already published is refused on the page",
}
NOT_TENANT_SCOPED: dict[str, str] = {
    "wishlist:list": "a council's or network's public wish list, for anyone: only published needs "
    "(tests/test_brokerage_pages.py)",
    "wishlist:need": "a published need on a public wish list, for anyone; an unpublished one is a 404 for everyone",
}

A_NEED = "Tenant A need for volunteers"
A_DRAFT = "Tenant A draft need for a minibus"
A_COMMUNITY = "Tenant A Community Trust"
LEAK_MARKERS = [A_NEED, A_DRAFT, A_COMMUNITY]


def _objects(tenant: Tenant, label: str) -> dict[Any, int]:
    world = wish_world(tenant, f"{label}", broker=tenant.manager)
    draft = need_draft(world, title=f"{label} draft need for a minibus")
    published = need_published(world, title=f"{label} need for volunteers", quantity="400")
    pledge = pledge_made(world, published, tenant.commitments[0], "5")
    pledge_made(world, published, tenant.commitments[0], "5")  # so withdrawing the first leaves it pledged
    offer = services_needs.offer_post(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        host=tenant.buyer,
        title=f"{label} offer of volunteer days",
        description="Ten volunteer days.",
        kind="volunteer_time",
        quantity=Decimal("10"),
        unit="days",
        place="",
    )
    return {
        Need: published.pk,
        Pledge: pledge.pk,
        Offer: offer.pk,
        "brokerage:need-detail": draft.pk,
        "brokerage:need-edit": draft.pk,
        "brokerage:need-withdraw": draft.pk,
    }


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    objects = _objects(a, "Tenant A")
    _objects(b, "Tenant B")
    return objects


def post_data(tenant: Tenant) -> dict[str, Any]:
    """A decision, a close, an introduction, a limit, a pledge, a delivery, a withdrawal and an offer."""
    return {
        "moderate-decision": "approve",
        "close-close_reason": "Nobody came forward.",
        "introduce-supplier": tenant.supplier.pk,
        "policy-live_needs_limit": "4",
        "pledge-commitment": tenant.commitments[0].pk,
        "pledge-quantity": "2",
        "deliver-delivered_on_day": str(timezone.localdate().day),
        "deliver-delivered_on_month": str(timezone.localdate().month),
        "deliver-delivered_on_year": str(timezone.localdate().year),
        "withdraw-withdraw_reason": "Plans changed.",
        "offer-host": tenant.buyer.pk,
        "offer-title": "Placements",
        "offer-description": "Two work placements.",
        "offer-kind": "jobs",
        "offer-quantity": "2",
        "offer-unit": "placements",
    }
