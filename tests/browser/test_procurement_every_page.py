"""Every procurement page, checked with axe in Chromium: each route of the `procurement` namespace that
answers with a page is visited by the person it is for, with an object it can show.

The list of routes is read from the URL conf, so a new page that this test does not visit fails it
(see PAGES and NOT_PAGES).
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from commonweal.procurement.models import (
    Award,
    Clarification,
    EvaluatorAssignment,
    Flag,
    FlagKind,
    ImpactItem,
    ModeratedScore,
    Procurement,
    ProcurementState,
)
from commonweal.tenancy.models import Role
from tests import factories
from tests.procurement_support import bid_make, declare, procurement_published
from tests.test_tenant_isolation import ROUTES

from .support import assert_accessible, sign_in, sign_out

# Routes that answer with something other than a page, or only to a form's POST.
NOT_PAGES = {
    "procurement:bid-start": "POST only (the opportunity page's button)",
    "procurement:opportunity-ask": "POST only (the opportunity page's question form)",
    "procurement:bid-attachment": "a file download",
    "procurement:bid-preview": "JSON for the live preview",
    "procurement:ocds-export": "an OCDS JSON download",
    "procurement:evaluation-report-pdf": "a PDF",
    "procurement:assessment-summary-pdf": "a PDF",
}


def _world() -> dict[str, Any]:
    buyer = factories.OrganisationFactory.create(name="Eastbrook Council", slug="eastbrook")
    lead = factories.member_user(buyer, Role.SOCIAL_VALUE_LEAD)
    supplier = factories.SupplierFactory.create(name="Alder Grounds Ltd", slug="alder")
    supplier_user = factories.member_user(supplier, Role.SUPPLIER_CONTACT)

    # A draft, for the planning pages.
    draft = procurement_published(buyer, reference="EB-DRAFT")
    Procurement.objects.filter(pk=draft.procurement.pk).update(state=ProcurementState.DRAFT, published_at=None)
    impact = ImpactItem.objects.create(
        organisation=buyer,
        procurement=draft.procurement,
        outcome_code="T.1",
        outcome_title="Outcome",
        positive_effects="Jobs for local people",
        negative_effects="Vans in residential streets",
        mitigations="Route planning in the specification",
        by_specification=True,
    )

    # Open for tenders, with the supplier's draft bid and a question.
    open_world = procurement_published(buyer, reference="EB-OPEN")
    open_bid = bid_make(open_world, supplier, price="190000", submitted=False)
    clarification = Clarification.objects.create(
        organisation=buyer,
        procurement=open_world.procurement,
        supplier=supplier,
        asked_by=supplier_user,
        question="Are the cemeteries included?",
    )

    # Closed, evaluated and awarded, with a flag decided and the lead as evaluator and moderator.
    closed = procurement_published(buyer, reference="EB-CLOSED", deadline_passed=True)
    bid = bid_make(closed, supplier, price="200000")
    declare(closed.procurement, lead)
    for criterion in closed.scored:
        EvaluatorAssignment.objects.create(
            organisation=buyer, procurement=closed.procurement, criterion=criterion, evaluator=lead
        )
        ModeratedScore.objects.create(
            organisation=buyer, bid=bid, criterion=criterion, score=Decimal("4"), rationale="Agreed", moderated_by=lead
        )
    flag = Flag.objects.create(
        organisation=buyer,
        bid=bid,
        kind=FlagKind.ABNORMALLY_LOW_PRICE,
        detail="£200,000.00 is 70.0% of the average; the threshold is 80%",
    )
    Award.objects.create(
        organisation=buyer,
        procurement=closed.procurement,
        lot=closed.lot,
        bid=bid,
        supplier=supplier,
        value=Decimal("200000"),
        reason="Ranked first",
        awarded_by=lead,
        awarded_at=timezone.now() - timedelta(minutes=5),
    )
    return {
        "buyer": buyer.slug,
        "supplier": supplier.slug,
        "lead": lead.email,
        "supplier_user": supplier_user.email,
        "draft": draft,
        "impact": impact,
        "open": open_world,
        "open_bid": open_bid,
        "clarification": clarification,
        "closed": closed,
        "bid": bid,
        "flag": flag,
    }


def _pages(world: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Route name → (who visits: "buyer" or "supplier", the URL kwargs)."""
    buyer, supplier = world["buyer"], world["supplier"]
    draft, closed, open_world = world["draft"], world["closed"], world["open"]
    b: dict[str, Any] = {"org": buyer}
    s: dict[str, Any] = {"org": supplier}
    return {
        "procurement:simulate": ("buyer", b),
        "procurement:procurement-list": ("buyer", b),
        "procurement:procurement-create": ("buyer", b),
        "procurement:procurement-detail": ("buyer", {**b, "pk": closed.procurement.pk}),
        "procurement:procurement-edit": ("buyer", {**b, "pk": draft.procurement.pk}),
        "procurement:procurement-ask": ("buyer", {**b, "pk": draft.procurement.pk}),
        "procurement:procurement-publish": ("buyer", {**b, "pk": draft.procurement.pk}),
        "procurement:procurement-cancel": ("buyer", {**b, "pk": open_world.procurement.pk}),
        "procurement:procurement-lot-add": ("buyer", {**b, "pk": draft.procurement.pk}),
        "procurement:procurement-lot-edit": ("buyer", {**b, "pk": draft.lot.pk}),
        "procurement:procurement-lot-remove": ("buyer", {**b, "pk": draft.lot.pk}),
        "procurement:procurement-impact-add": ("buyer", {**b, "pk": draft.procurement.pk}),
        "procurement:procurement-impact-edit": ("buyer", {**b, "pk": world["impact"].pk}),
        "procurement:procurement-impact-remove": ("buyer", {**b, "pk": world["impact"].pk}),
        "procurement:procurement-criterion-add": ("buyer", {**b, "pk": draft.procurement.pk}),
        "procurement:procurement-criterion-edit": ("buyer", {**b, "pk": draft.quality[0].pk}),
        "procurement:procurement-criterion-remove": ("buyer", {**b, "pk": draft.quality[0].pk}),
        "procurement:procurement-scale-list": ("buyer", b),
        "procurement:procurement-scale-create": ("buyer", b),
        "procurement:procurement-scale-detail": ("buyer", {**b, "pk": closed.scale.pk}),
        "procurement:clarification-list": ("buyer", {**b, "pk": open_world.procurement.pk}),
        "procurement:clarification-answer": ("buyer", {**b, "pk": world["clarification"].pk}),
        "procurement:evaluators": ("buyer", {**b, "pk": closed.procurement.pk}),
        "procurement:declaration": ("buyer", {**b, "pk": open_world.procurement.pk}),
        "procurement:scoring": ("buyer", {**b, "pk": closed.procurement.pk}),
        "procurement:score": ("buyer", {**b, "pk": world["bid"].pk}),
        "procurement:moderation": ("buyer", {**b, "pk": closed.procurement.pk}),
        "procurement:moderate": ("buyer", {**b, "pk": world["bid"].pk}),
        "procurement:flags": ("buyer", {**b, "pk": closed.procurement.pk}),
        "procurement:flag-decide": ("buyer", {**b, "pk": world["flag"].pk}),
        "procurement:evaluation": ("buyer", {**b, "pk": closed.procurement.pk}),
        "procurement:bid-detail": ("buyer", {**b, "pk": world["bid"].pk}),
        "procurement:award": ("buyer", {**b, "pk": closed.procurement.pk}),
        "procurement:evaluation-report": ("buyer", {**b, "pk": closed.procurement.pk}),
        "procurement:assessment-summary": ("supplier", {**s, "pk": world["bid"].pk}),
        "procurement:ocds-import": ("buyer", b),
        "procurement:opportunity-list": ("supplier", s),
        "procurement:opportunity-detail": ("supplier", {**s, "pk": open_world.procurement.pk}),
        "procurement:bid-list": ("supplier", s),
        "procurement:bid-edit": ("supplier", {**s, "pk": world["open_bid"].pk}),
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_procurement_page_passes_axe(page: Page, live_server: object) -> None:
    world = _world()
    pages = _pages(world)
    names = {route.name for route in ROUTES if route.name.startswith("procurement:")}
    missing = sorted(names - set(pages) - set(NOT_PAGES))
    assert not missing, f"Visit these pages in _pages, or say in NOT_PAGES why they are not pages: {missing}"
    for who in ("buyer", "supplier"):
        sign_in(page, world["lead"] if who == "buyer" else world["supplier_user"], factories.PASSWORD)
        for name, (visitor, kwargs) in pages.items():
            if visitor != who:
                continue
            response = page.goto(reverse(name, kwargs=kwargs))
            assert response is not None and response.status == 200, f"{name}: {response and response.status}"
            assert_accessible(page)
        sign_out(page)
    page.goto(reverse("accounts:register"))
    assert_accessible(page)
