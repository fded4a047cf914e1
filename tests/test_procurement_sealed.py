"""Sealed bids: before the tender deadline no one at the buyer reaches any bid content, through any
selector, page or download; after it only people who declared no conflict do, and every opening is audited."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.urls import reverse

from commonweal.accounts.models import User
from commonweal.core.models import AuditEvent
from commonweal.procurement import rules, selectors, selectors_bidding, services_bidding
from commonweal.procurement.models import Bid, BidAttachment, BidState
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .conftest import Tenant
from .procurement_support import ProcurementWorld, bid_make, deadline_pass, declare, procurement_published

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
BUYER_ROLES = [Role.PROCUREMENT_OFFICER, Role.EVALUATOR, Role.SOCIAL_VALUE_LEAD]
SECRET = "Secret method: twelve local apprentices"


@pytest.fixture
def world(tenant_a: Tenant) -> ProcurementWorld:
    return procurement_published(tenant_a.buyer)


def buyer_person(tenant: Tenant, role: str) -> tuple[User, Member]:
    user = factories.member_user(tenant.buyer, role)
    return user, member_access(user=user, slug=tenant.buyer.slug)


def sealed_bid(tenant: Tenant, world: ProcurementWorld) -> tuple[Bid, BidAttachment]:
    """A submitted bid with an attachment, written through the services as the supplier would."""
    member = tenant.supplier_member()
    bid = services_bidding.bid_start(
        actor=tenant.supplier_user, member=member, procurement=world.procurement, lot=world.lot
    )
    bid = services_bidding.bid_save(
        actor=tenant.supplier_user,
        member=member,
        bid=bid,
        price=Decimal("150000"),
        responses={criterion.pk: SECRET for criterion in world.scored},
        method_statement=SECRET,
        new_commitment=services_bidding.CommitmentInput(
            measure=world.measures[0],
            quantity=Decimal("12"),
            due_date=rules.contract_period(world.procurement)[1],
        ),
        attachments={world.quality[0].pk: SimpleUploadedFile("secret-method.pdf", PDF)},
    )
    services_bidding.bid_submit(actor=tenant.supplier_user, member=member, bid=bid)
    return bid, bid.attachments.get()


@pytest.mark.parametrize("role", BUYER_ROLES)
def test_before_the_deadline_no_buyer_selector_reaches_a_bid(
    tenant_a: Tenant, world: ProcurementWorld, role: str
) -> None:
    bid, attachment = sealed_bid(tenant_a, world)
    user, member = buyer_person(tenant_a, role)
    declare(world.procurement, user)  # even with a declaration
    assert not selectors.may_open_bids(member=member, procurement=world.procurement)
    assert list(selectors.bid_list_for_buyer(member=member, procurement=world.procurement)) == []
    with pytest.raises(Http404):
        selectors.bid_open_for_buyer(member=member, pk=bid.pk)
    with pytest.raises(Http404):
        selectors_bidding.attachment_get(member=member, pk=attachment.pk)
    assert not AuditEvent.objects.filter(action__in=["bid.opened", "bid.attachment_opened"]).exists()


@pytest.mark.parametrize("role", BUYER_ROLES)
def test_before_the_deadline_no_buyer_page_or_download_shows_bid_content(
    client: Client, tenant_a: Tenant, world: ProcurementWorld, role: str
) -> None:
    bid, attachment = sealed_bid(tenant_a, world)
    user, _ = buyer_person(tenant_a, role)
    declare(world.procurement, user)
    client.force_login(user)
    slug = tenant_a.buyer.slug
    for name, pk in [
        ("procurement:bid-edit", bid.pk),
        ("procurement:bid-preview", bid.pk),
        ("procurement:bid-attachment", attachment.pk),
    ]:
        response = client.get(reverse(name, kwargs={"org": slug, "pk": pk}))
        assert response.status_code == 404, name
    for name in ("procurement:bid-list", "procurement:opportunity-list"):
        assert client.get(reverse(name, kwargs={"org": slug})).status_code == 404
    # The buyer's pages about the procurement show no bid content and no bid count.
    if role != Role.EVALUATOR:
        page = client.get(reverse("procurement:clarification-list", kwargs={"org": slug, "pk": world.procurement.pk}))
        assert page.status_code == 200
        assert SECRET not in page.content.decode()
    from django.template.loader import render_to_string

    partial = render_to_string(
        "procurement/_detail_bidding.html",
        {"procurement": world.procurement, "member": member_access(user=user, slug=slug)},
    )
    assert "bid" not in partial.lower()
    assert SECRET not in partial


def test_procurement_page_shows_no_bid_count_before_the_deadline(
    client: Client, tenant_a: Tenant, world: ProcurementWorld
) -> None:
    sealed_bid(tenant_a, world)
    user, _ = buyer_person(tenant_a, Role.PROCUREMENT_OFFICER)
    client.force_login(user)
    url = reverse("procurement:procurement-detail", kwargs={"org": tenant_a.buyer.slug, "pk": world.procurement.pk})
    text = client.get(url).content.decode()
    assert SECRET not in text
    assert "1 bid" not in text and "bids received" not in text.lower()
    assert tenant_a.supplier.name not in text


def test_after_the_deadline_only_people_without_a_conflict_open_bids_and_each_opening_is_audited(
    client: Client, tenant_a: Tenant, world: ProcurementWorld
) -> None:
    bid, attachment = sealed_bid(tenant_a, world)
    deadline_pass(world.procurement)
    undeclared, undeclared_member = buyer_person(tenant_a, Role.EVALUATOR)
    conflicted, conflicted_member = buyer_person(tenant_a, Role.EVALUATOR)
    declare(world.procurement, conflicted, conflict=True, details="Director's brother")
    cleared, cleared_member = buyer_person(tenant_a, Role.EVALUATOR)
    declare(world.procurement, cleared)
    viewer, viewer_member = buyer_person(tenant_a, Role.VIEWER)
    declare(world.procurement, viewer)

    for member in (undeclared_member, conflicted_member, viewer_member):
        assert list(selectors.bid_list_for_buyer(member=member, procurement=world.procurement)) == []
        with pytest.raises(Http404):
            selectors.bid_open_for_buyer(member=member, pk=bid.pk)
        with pytest.raises(Http404):
            selectors_bidding.attachment_get(member=member, pk=attachment.pk)
    for user in (undeclared, conflicted, viewer):
        client.force_login(user)
        url = reverse("procurement:bid-attachment", kwargs={"org": tenant_a.buyer.slug, "pk": attachment.pk})
        assert client.get(url).status_code == 404

    assert [b.pk for b in selectors.bid_list_for_buyer(member=cleared_member, procurement=world.procurement)] == [
        bid.pk
    ]
    opened = selectors.bid_open_for_buyer(member=cleared_member, pk=bid.pk)
    assert opened.method_statement == SECRET
    client.force_login(cleared)
    response = client.get(
        reverse("procurement:bid-attachment", kwargs={"org": tenant_a.buyer.slug, "pk": attachment.pk})
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    events = list(
        AuditEvent.objects.filter(action__in=["bid.opened", "bid.attachment_opened"])
        .order_by("pk")
        .values_list("action", "actor", "organisation", "trail_id")
    )
    assert events == [
        ("bid.opened", cleared.pk, tenant_a.buyer.pk, str(world.procurement.pk)),
        ("bid.attachment_opened", cleared.pk, tenant_a.buyer.pk, str(world.procurement.pk)),
    ]


def test_a_draft_bid_stays_sealed_after_the_deadline(tenant_a: Tenant, world: ProcurementWorld) -> None:
    draft = bid_make(world, tenant_a.supplier, price="1000", submitted=False)
    deadline_pass(world.procurement)
    user, member = buyer_person(tenant_a, Role.PROCUREMENT_OFFICER)
    declare(world.procurement, user)
    assert list(selectors.bid_list_for_buyer(member=member, procurement=world.procurement)) == []
    with pytest.raises(Http404):
        selectors.bid_open_for_buyer(member=member, pk=draft.pk)
    assert draft.state == BidState.DRAFT


def test_another_buyer_cannot_open_bids_even_after_the_deadline(
    tenant_a: Tenant, tenant_b: Tenant, world: ProcurementWorld
) -> None:
    bid, attachment = sealed_bid(tenant_a, world)
    deadline_pass(world.procurement)
    user, member = buyer_person(tenant_b, Role.PROCUREMENT_OFFICER)
    declare(world.procurement, user)
    assert not selectors.may_open_bids(member=member, procurement=world.procurement)
    with pytest.raises(Http404):
        selectors.bid_open_for_buyer(member=member, pk=bid.pk)
    with pytest.raises(Http404):
        selectors_bidding.attachment_get(member=member, pk=attachment.pk)


def test_bid_events_before_the_deadline_are_recorded_for_the_supplier_only(
    tenant_a: Tenant, world: ProcurementWorld
) -> None:
    sealed_bid(tenant_a, world)
    assert not AuditEvent.objects.filter(organisation=tenant_a.buyer).exists()
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"bid.started", "bid.saved", "bid.submitted"}


# --- The same rule through the JSON API ----------------------------------------------------------------

# Every procurement API route, with the object its `pk` names in these probes: a new route fails
# `test_every_procurement_api_route_is_probed` until it is added here.
API_PK_OBJECTS: dict[str, str] = {
    "procurement-list": "",
    "procurement-detail": "procurement",
    "procurement-ask": "procurement",
    "procurement-publish": "procurement",
    "procurement-cancel": "procurement",
    "procurement-lot-list": "procurement",
    "procurement-lot-detail": "lot",
    "procurement-impact-list": "procurement",
    "procurement-impact-detail": "none",
    "procurement-criterion-list": "procurement",
    "procurement-criterion-detail": "criterion",
    "scale-list": "",
    "scale-detail": "scale",
    "opportunity-list": "",
    "opportunity-detail": "procurement",
    "question-ask": "",
    "bid-list": "",
    "bid-detail": "bid",
    "bid-commitment-add": "bid",
    "bid-attachment-add": "bid",
    "bid-submit": "bid",
    "bid-reopen": "bid",
    "clarification-list": "procurement",
    "clarification-answer": "none",
    "procurement-evaluators": "procurement",
    "procurement-declaration": "procurement",
    "tender-list": "procurement",
    "tender-detail": "bid",
    "tender-scores": "bid",
    "tender-moderation": "bid",
    "procurement-flags": "procurement",
    "flag-decision": "none",
    "procurement-evaluation": "procurement",
    "procurement-awards": "procurement",
    "evaluation-report": "procurement",
    "assessment-summary": "bid",
}
# Writes a buyer may make before the deadline that are not about bids (planning, declaring, assigning):
# the probes do not send these.
API_PLANNING_WRITES = {
    "procurement-list",
    "procurement-publish",
    "procurement-cancel",
    "procurement-lot-list",
    "procurement-impact-list",
    "procurement-criterion-list",
    "scale-list",
    "procurement-declaration",
    "procurement-evaluators",
    "procurement-ask",
    "clarification-answer",
}


def _api_routes() -> list[Any]:
    from commonweal.api import procurement_award, procurement_bidding, procurement_evaluation, procurement_planning

    modules = (procurement_planning, procurement_bidding, procurement_evaluation, procurement_award)
    return [pattern for module in modules for pattern in module.urlpatterns]


def test_every_procurement_api_route_is_probed() -> None:
    assert {pattern.name for pattern in _api_routes()} == set(API_PK_OBJECTS)


@pytest.mark.parametrize("role", BUYER_ROLES)
def test_before_the_deadline_no_api_operation_reaches_a_bid(
    client: Client, tenant_a: Tenant, world: ProcurementWorld, role: str
) -> None:
    bid, _attachment = sealed_bid(tenant_a, world)
    user, _ = buyer_person(tenant_a, role)
    declare(world.procurement, user)
    headers = {"Authorization": f"Token {factories.api_token(user).key}"}
    objects = {
        "procurement": world.procurement.pk,
        "bid": bid.pk,
        "lot": world.lot.pk,
        "criterion": world.quality[0].pk,
        "scale": world.scale.pk,
        "none": 0,
    }
    events = AuditEvent.objects.count()
    for pattern in _api_routes():
        kwargs: dict[str, Any] = {"org": tenant_a.buyer.slug}
        if "<int:pk>" in str(pattern.pattern):
            kwargs["pk"] = objects[API_PK_OBJECTS[pattern.name]]
        url = reverse(f"api:{pattern.name}", kwargs=kwargs)
        methods = [m for m in ("get", "post", "patch") if hasattr(pattern.callback.view_class, m)]
        for method in methods:
            if method != "get" and pattern.name in API_PLANNING_WRITES:
                continue
            response = getattr(client, method)(url, {}, headers=headers, content_type="application/json")
            text = response.content.decode()
            assert SECRET not in text, f"{method.upper()} {url} as {role}"
            assert tenant_a.supplier.name not in text, f"{method.upper()} {url} as {role}"
            if API_PK_OBJECTS[pattern.name] == "bid":
                assert response.status_code == 404, f"{method.upper()} {url} as {role}: {response.status_code}"
        if pattern.name == "tender-list":
            assert client.get(url, headers=headers).json() == []
    assert not AuditEvent.objects.filter(action__in=["bid.opened", "bid.attachment_opened"]).exists()
    assert AuditEvent.objects.count() == events


def test_after_the_deadline_the_api_opens_a_tender_only_for_people_who_declared_no_conflict(
    client: Client, tenant_a: Tenant, world: ProcurementWorld
) -> None:
    bid, _attachment = sealed_bid(tenant_a, world)
    deadline_pass(world.procurement)
    undeclared, _ = buyer_person(tenant_a, Role.EVALUATOR)
    conflicted, _ = buyer_person(tenant_a, Role.EVALUATOR)
    declare(world.procurement, conflicted, conflict=True, details="Director's brother")
    cleared, _ = buyer_person(tenant_a, Role.EVALUATOR)
    declare(world.procurement, cleared)
    viewer, _ = buyer_person(tenant_a, Role.VIEWER)
    declare(world.procurement, viewer)
    url = reverse("api:tender-detail", kwargs={"org": tenant_a.buyer.slug, "pk": bid.pk})
    answers = {}
    for name, user in (
        ("undeclared", undeclared),
        ("conflicted", conflicted),
        ("viewer", viewer),
        ("cleared", cleared),
    ):
        response = client.get(url, headers={"Authorization": f"Token {factories.api_token(user).key}"})
        answers[name] = response.status_code
        if name != "cleared":
            assert SECRET not in response.content.decode()
    assert answers == {"undeclared": 409, "conflicted": 403, "viewer": 404, "cleared": 200}
    assert (
        client.get(url, headers={"Authorization": f"Token {factories.api_token(cleared).key}"}).json()[
            "method_statement"
        ]
        == SECRET
    )
    events = list(AuditEvent.objects.filter(action="bid.opened").values_list("actor", flat=True))
    assert events == [cleared.pk, cleared.pk]
