"""The procurement API's refusals: refused input is a 400 naming each field with nothing changed, a tender
is a 404 before the deadline, a role that may not do something gets a 404 (as the pages do), and a request
the object's state forbids now is a 409. One world, built once for the module: a draft, an open
procurement with a supplier's draft bid, and a closed one with a submitted bid."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoDbBlocker

from commonweal.core.models import AuditEvent
from commonweal.procurement import services_bidding
from commonweal.procurement.models import Bid, BidState, Criterion, Procurement, ProcurementState
from commonweal.tenancy.models import Organisation, Role

from . import factories
from .conftest import built_once, make_tenant
from .procurement_support import ProcurementWorld, bid_make, declare, procurement_published


@dataclass
class World:
    buyer: Organisation
    officer: str  # token keys
    evaluator: str
    supplier: str
    other_supplier: str
    other_slug: str
    draft: Procurement
    open: ProcurementWorld
    closed: ProcurementWorld
    draft_bid: Bid
    closed_bid: Bid


def build() -> World:
    tenant = make_tenant("R")
    officer = factories.member_user(tenant.buyer, Role.PROCUREMENT_OFFICER)
    evaluator = factories.member_user(tenant.buyer, Role.EVALUATOR)
    other = factories.SupplierFactory.create(name="Other Supplier Ltd")
    other_user = factories.member_user(other, Role.SUPPLIER_CONTACT)
    draft = procurement_published(tenant.buyer, reference="REF-DRAFT")
    Procurement.objects.filter(pk=draft.procurement.pk).update(state=ProcurementState.DRAFT, published_at=None)
    open_world = procurement_published(tenant.buyer, reference="REF-OPEN")
    member = tenant.supplier_member()
    draft_bid = services_bidding.bid_start(
        actor=tenant.supplier_user, member=member, procurement=open_world.procurement, lot=open_world.lot
    )
    closed = procurement_published(tenant.buyer, reference="REF-CLOSED", deadline_passed=True)
    closed_bid = bid_make(closed, tenant.supplier, price="200000")
    declare(closed.procurement, officer)
    return World(
        buyer=tenant.buyer,
        officer=factories.api_token(officer).key,
        evaluator=factories.api_token(evaluator).key,
        supplier=factories.api_token(tenant.supplier_user).key,
        other_supplier=factories.api_token(other_user).key,
        other_slug=other.slug,
        draft=Procurement.objects.get(pk=draft.procurement.pk),
        open=open_world,
        closed=closed,
        draft_bid=draft_bid,
        closed_bid=closed_bid,
    )


@pytest.fixture(scope="module")
def world_once(django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    yield from built_once(django_db_blocker, build)


@pytest.fixture
def world(world_once: World, db: None) -> World:
    return world_once


def call(client: Client, method: str, path: str, key: str, org: str, data: Any = None) -> Any:
    return client.generic(
        method,
        f"/api/v1/organisations/{org}/{path}",
        data=json.dumps(data or {}),
        content_type="application/json",
        headers={"Authorization": f"Token {key}"},
    )


def snapshot() -> tuple[int, int, int, int]:
    return (AuditEvent.objects.count(), Procurement.objects.count(), Criterion.objects.count(), Bid.objects.count())


# --- 400: refused input, nothing changed -----------------------------------------------------------------


def test_a_procurement_with_bad_fields_is_refused_field_by_field_and_nothing_is_stored(
    client: Client, world: World
) -> None:
    before = snapshot()
    response = call(
        client,
        "POST",
        "procurements/",
        world.officer,
        world.buyer.slug,
        {"title": "", "reference": "REF-OPEN", "estimated_value": "-5", "category": "services", "duration_months": 0},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "title": "Enter the title",
        "reference": "Another procurement already has the reference REF-OPEN: choose a different one",
        "estimated_value": "The estimated value must be £0 or more",
        "duration_months": "The duration must be at least 1 month",
    }
    assert snapshot() == before


def test_a_criterion_weight_over_100_is_refused_and_the_criterion_is_unchanged(client: Client, world: World) -> None:
    q1 = Criterion.objects.get(procurement=world.draft, code="Q1")
    before = snapshot()
    response = call(client, "PATCH", f"criteria/{q1.pk}/", world.officer, world.buyer.slug, {"weight": "150"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"weight": "Enter the weight as a per cent from 0 to 100"}
    assert Criterion.objects.get(pk=q1.pk).weight == Decimal("20.00") and snapshot() == before


def test_an_incomplete_bid_is_not_submitted_and_says_every_problem(client: Client, world: World) -> None:
    before = snapshot()
    response = call(client, "POST", f"bids/{world.draft_bid.pk}/submit/", world.supplier, "supplier-r")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["price"] == "Enter your price"
    assert errors["method_statement"] == "Enter your social value method statement"
    assert errors["commitment_measure"] == "Add at least one quantified social value commitment"
    assert Bid.objects.get(pk=world.draft_bid.pk).state == BidState.DRAFT and snapshot() == before


def test_a_commitment_outside_the_framework_or_contract_is_refused(client: Client, world: World) -> None:
    before = snapshot()
    path = f"bids/{world.draft_bid.pk}/commitments/"
    unknown = call(
        client,
        "POST",
        path,
        world.supplier,
        "supplier-r",
        {"measure_code": "NOPE", "quantity": "3", "due_date": "2027-01-01"},
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"measure_code": "Choose one of the measures of this procurement’s framework"}
    late = call(
        client,
        "POST",
        path,
        world.supplier,
        "supplier-r",
        {"measure_code": "JOBS.1", "quantity": "3", "due_date": "2099-01-01", "place_code": "nowhere"},
    )
    assert late.status_code == 400
    assert set(late.json()["errors"]) == {"commitment_due_date", "commitment_place_code"}
    assert snapshot() == before


# --- 404: sealed, and roles that may not ----------------------------------------------------------------


def test_a_bid_is_a_404_to_the_buyer_before_the_deadline_and_to_another_supplier(client: Client, world: World) -> None:
    slug = world.buyer.slug
    assert call(client, "GET", f"tenders/{world.draft_bid.pk}/", world.officer, slug).status_code == 404
    assert call(client, "GET", f"bids/{world.draft_bid.pk}/", world.officer, slug).status_code == 404
    other = call(client, "GET", f"bids/{world.draft_bid.pk}/", world.other_supplier, world.other_slug)
    assert other.status_code == 404 and other.json() == {"detail": "No such bid."}


@pytest.mark.parametrize(
    ("who", "method", "path", "org"),
    [
        ("supplier", "POST", "procurements/", "supplier-r"),
        ("supplier", "GET", "procurements/{draft}/", "council-r"),
        ("evaluator", "POST", "procurements/{draft}/criteria/", "council-r"),
        ("evaluator", "POST", "procurements/{closed}/awards/", "council-r"),
        ("evaluator", "POST", "procurements/{closed}/flags/", "council-r"),
        ("officer", "POST", "bids/", "council-r"),
        ("officer", "GET", "opportunities/", "council-r"),
    ],
)
def test_a_role_that_may_not_gets_a_404_and_nothing_changes(
    client: Client, world: World, who: str, method: str, path: str, org: str
) -> None:
    before = snapshot()
    url = path.format(draft=world.draft.pk, closed=world.closed.procurement.pk)
    response = call(client, method, url, getattr(world, who), org, {"lot": world.open.lot.pk})
    assert response.status_code == 404, response.content
    assert snapshot() == before


# --- 409: the state forbids it now ---------------------------------------------------------------------------


def test_a_published_methodology_cannot_change(client: Client, world: World) -> None:
    q1 = world.open.quality[0]
    before = snapshot()
    response = call(client, "PATCH", f"criteria/{q1.pk}/", world.officer, world.buyer.slug, {"weight": "25"})
    assert response.status_code == 409
    assert response.json()["detail"].startswith("The published methodology cannot change")
    removal = call(client, "DELETE", f"lots/{world.open.lot.pk}/", world.officer, world.buyer.slug)
    assert removal.status_code == 409
    assert snapshot() == before


def test_no_bid_changes_after_the_deadline(client: Client, world: World) -> None:
    before = snapshot()
    response = call(client, "POST", f"bids/{world.closed_bid.pk}/reopen/", world.supplier, "supplier-r")
    assert response.status_code == 409
    assert "no bid can be submitted or changed" in response.json()["detail"]
    question = call(
        client,
        "POST",
        "questions/",
        world.supplier,
        "supplier-r",
        {"opportunity": world.closed.procurement.pk, "question": "Late?"},
    )
    assert question.status_code == 409
    assert snapshot() == before


def test_a_declaration_is_made_once(client: Client, world: World) -> None:
    path = f"procurements/{world.closed.procurement.pk}/declaration/"
    before = snapshot()
    again = call(client, "POST", path, world.officer, world.buyer.slug, {"has_conflict": True, "details": "Changed"})
    assert again.status_code == 409
    assert again.json()["detail"].startswith("You have already declared for this procurement")
    assert call(client, "GET", path, world.officer, world.buyer.slug).json()["has_conflict"] is False
    assert snapshot() == before


def test_the_ask_of_a_procurement_no_band_fitted_cannot_be_changed(client: Client, world: World) -> None:
    before = snapshot()
    response = call(
        client,
        "POST",
        f"procurements/{world.draft.pk}/ask/",
        world.officer,
        world.buyer.slug,
        {
            "min_weighting_percent": "15",
            "offer_kind": "quantified",
            "delivery_plan_required": True,
            "reporting_frequency": "quarterly",
        },
    )
    assert response.status_code == 409
    assert snapshot() == before


def test_an_award_waits_for_moderation(client: Client, world: World) -> None:
    before = snapshot()
    response = call(
        client,
        "POST",
        f"procurements/{world.closed.procurement.pk}/awards/",
        world.officer,
        world.buyer.slug,
        {"lot": 1},
    )
    assert response.status_code == 409
    assert "Moderation is not complete" in response.json()["detail"]
    assert Procurement.objects.get(pk=world.closed.procurement.pk).state == ProcurementState.PUBLISHED
    assert snapshot()[1:] == before[1:]  # the award records the flags the rules raise first, and keeps them
