"""The wish list's pages through the test client: the community organisation's, the broker's and the
supplier's; the public wish list shows nothing unpublished; downloads; and a grant holder's return."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.brokerage.models import Need, NeedState, Pledge, PledgeState
from commonweal.delivery.models import AgreementKind, DeliveryReturn, ReturnLine
from commonweal.tenancy.models import OrganisationKind, Role
from tests import factories
from tests.brokerage_support import WishWorld, need_draft, need_published, pledge_made, wish_world
from tests.conftest import Tenant


@pytest.fixture
def world(tenant_a: Tenant) -> WishWorld:
    return wish_world(tenant_a, "River")


def _text(response: HttpResponseBase) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def _date_fields(prefix: str, name: str, day: object) -> dict[str, str]:
    return {f"{prefix}-{name}_{part}": str(getattr(day, part)) for part in ("day", "month", "year")}


def test_a_community_organisation_posts_and_submits_a_need_and_the_broker_publishes_it(
    client: Client, world: WishWorld
) -> None:
    org = world.community.slug
    client.force_login(world.contact)
    assert "Post a need" in _text(client.get(reverse("brokerage:need-list", kwargs={"org": org})))
    expires = timezone.localdate() + timedelta(days=60)
    data = {
        "need-host": world.tenant.buyer.pk,
        "need-title": "A laptop for the homework club",
        "need-description": "Children without a computer at home do homework here.",
        "need-kind": "materials",
        "need-quantity": "2",
        "need-unit": "laptops",
        "need-estimate": "700",
        "need-place": "Altrincham, Trafford",
        **_date_fields("need", "expires_on", expires),
    }
    bad = client.post(reverse("brokerage:need-create", kwargs={"org": org}), {**data, "need-place": "Atlantis"})
    assert bad.status_code == 200
    assert "“Atlantis” is not a ward or district we know" in _text(bad)
    assert not Need.objects.exists()
    response = client.post(reverse("brokerage:need-create", kwargs={"org": org}), data)
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "brokerage:need-detail", kwargs={"org": org, "pk": need.pk}
    )
    assert (need.state, need.place_code, need.estimate) == ("draft", "E05015239", Decimal("700.00"))
    public = reverse("wishlist:list", kwargs={"org": world.tenant.buyer.slug})
    need_page = reverse("wishlist:need", kwargs={"org": world.tenant.buyer.slug, "pk": need.pk})
    anonymous = Client()
    assert "A laptop for the homework club" not in _text(anonymous.get(public))
    assert anonymous.get(need_page).status_code == 404

    assert client.post(reverse("brokerage:need-detail", kwargs={"org": org, "pk": need.pk})).status_code == 302
    need.refresh_from_db()
    assert need.state == NeedState.SUBMITTED
    assert anonymous.get(need_page).status_code == 404

    client.force_login(world.broker)
    buyer = world.tenant.buyer.slug
    queue = _text(client.get(reverse("brokerage:broker-queue", kwargs={"org": buyer})))
    assert "A laptop for the homework club" in queue
    moderate = reverse("brokerage:broker-need", kwargs={"org": buyer, "pk": need.pk})
    refused = client.post(moderate, {"moderate-decision": "return"})
    assert "Enter the reason for returning the need" in _text(refused)
    assert (
        client.post(moderate, {"moderate-decision": "approve", "moderate-eligibility_checked": "on"}).status_code == 302
    )
    assert anonymous.get(need_page).status_code == 404  # approved is not yet published
    assert client.post(reverse("brokerage:broker-publish", kwargs={"org": buyer, "pk": need.pk})).status_code == 302
    need.refresh_from_db()
    assert need.state == NeedState.PUBLISHED
    listing = _text(anonymous.get(public))
    assert "A laptop for the homework club" in listing and "1 need" in listing
    assert "2 laptops" in _text(anonymous.get(need_page))


def test_the_public_wish_list_shows_nothing_unpublished(client: Client, world: WishWorld) -> None:
    published = need_published(world, title="Published: minibus repair")
    need_draft(world, title="Draft: paint for the hall")
    returned = need_draft(world, title="Returned: a new roof")
    from commonweal.brokerage import services_needs
    from commonweal.brokerage.services_needs import Decision

    services_needs.need_submit(actor=world.contact, member=world.contact_member(), need=returned)
    services_needs.need_moderate(
        actor=world.broker, member=world.broker_member(), need=returned, decision=Decision("return", reason="Too big")
    )
    withdrawn = need_published(world, title="Withdrawn: chairs")
    services_needs.need_withdraw(actor=world.contact, member=world.contact_member(), need=withdrawn, reason="")
    host = world.tenant.buyer.slug
    page = _text(client.get(reverse("wishlist:list", kwargs={"org": host})))
    assert "Published: minibus repair" in page
    for hidden in ("Draft: paint", "Returned: a new roof", "Withdrawn: chairs"):
        assert hidden not in page
    for need in Need.objects.exclude(pk=published.pk):
        assert client.get(reverse("wishlist:need", kwargs={"org": host, "pk": need.pk})).status_code == 404
    # Filters work without JavaScript, as a plain GET form.
    filtered = _text(client.get(reverse("wishlist:list", kwargs={"org": host}), {"kind": "money"}))
    assert "No open needs match the filters." in filtered
    unknown = _text(client.get(reverse("wishlist:list", kwargs={"org": host}), {"place": "Atlantis"}))
    assert "“Atlantis” is not a ward or district we know" in unknown
    # A supplier has no wish list.
    assert client.get(reverse("wishlist:list", kwargs={"org": world.tenant.supplier.slug})).status_code == 404


def test_a_supplier_pledges_delivers_and_the_recipient_confirms_on_the_pages(client: Client, world: WishWorld) -> None:
    tenant = world.tenant
    need = need_published(world, title="Volunteers for the food bank")
    client.force_login(tenant.supplier_user)
    supplier = tenant.supplier.slug
    pledge_url = reverse("brokerage:pledge-create", kwargs={"org": supplier, "pk": need.pk})
    form = _text(client.get(pledge_url))
    assert tenant.agreement.reference in form and "Still needed: 40 hours." in form
    too_much = client.post(pledge_url, {"pledge-commitment": tenant.commitments[0].pk, "pledge-quantity": "41"})
    assert "You can pledge at most 40 hours" in _text(too_much)
    response = client.post(pledge_url, {"pledge-commitment": tenant.commitments[0].pk, "pledge-quantity": "40"})
    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert pledge.reference in _text(client.get(reverse("brokerage:pledge-list", kwargs={"org": supplier})))
    detail = reverse("brokerage:pledge-detail", kwargs={"org": supplier, "pk": pledge.pk})
    assert client.post(detail, _date_fields("deliver", "delivered_on", timezone.localdate())).status_code == 302

    client.force_login(world.contact)
    confirm = reverse("brokerage:pledge-confirm", kwargs={"org": world.community.slug, "pk": pledge.pk})
    data = {
        "confirm-received_quantity": "38",
        "confirm-feedback": "Great help.",
        **_date_fields("confirm", "received_on", timezone.localdate()),
    }
    assert client.post(confirm, data).status_code == 302
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.CONFIRMED
    line = ReturnLine.objects.get(evidence_reference=pledge.reference)
    assert (line.quantity, line.status, line.commitment_id) == (Decimal("38.00"), "pending", tenant.commitments[0].pk)

    # The figures, on the page and as CSV.
    client.force_login(world.broker)
    rows = list(
        csv.DictReader(
            io.StringIO(_text(client.get(reverse("brokerage:figures-csv", kwargs={"org": tenant.buyer.slug}))))
        )
    )
    counts = {row["name"]: row["count"] for row in rows if row["section"] == "needs"}
    assert counts == {"posted": "1", "approved": "1", "pledged": "1", "delivered": "1", "confirmed": "1"}
    commitment_rows = [row for row in rows if row["section"] == "commitment"]
    assert [(row["code"], row["through_wish_list"], row["pledges"]) for row in commitment_rows] == [
        (tenant.agreement.reference, "38.00", pledge.reference)
    ]
    xlsx = client.get(reverse("brokerage:figures-xlsx", kwargs={"org": tenant.buyer.slug}))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_supplier_without_an_agreement_with_the_host_cannot_pledge(client: Client, world: WishWorld) -> None:
    need = need_published(world)
    stranger = factories.SupplierFactory.create()
    person = factories.member_user(stranger, Role.SUPPLIER_CONTACT)
    client.force_login(person)
    assert (
        client.get(reverse("brokerage:pledge-create", kwargs={"org": stranger.slug, "pk": need.pk})).status_code == 404
    )


def test_a_community_organisation_holding_a_grant_submits_its_return(client: Client, tenant_a: Tenant) -> None:
    charity = factories.OrganisationFactory.create(name="Canal Youth Club", kind=OrganisationKind.COMMUNITY)
    contact = factories.member_user(charity, Role.COMMUNITY_CONTACT)
    grant = factories.AgreementFactory.create(
        organisation=tenant_a.buyer, supplier=charity, kind=AgreementKind.GRANT, reference="GRANT-7"
    )
    commitment = factories.CommitmentFactory.create(agreement=grant)
    client.force_login(contact)
    detail = _text(client.get(reverse("delivery:agreement-detail", kwargs={"org": charity.slug, "pk": grant.pk})))
    assert "Submit a delivery return" in detail
    url = reverse("delivery:return-submit", kwargs={"org": charity.slug, "pk": grant.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            f"quantity_{commitment.pk}": "12",
            "narrative": "Twelve sessions for young people.",
            "return_action": "submit",
        },
    )
    assert response.status_code == 302
    delivery_return = DeliveryReturn.objects.get(agreement=grant)
    assert (delivery_return.state, delivery_return.lines.get().quantity) == ("submitted", Decimal("12.00"))
    # The buyer's contract manager reviews it as any other.
    client.force_login(tenant_a.manager)
    assert "Canal Youth Club" in _text(
        client.get(reverse("delivery:agreement-detail", kwargs={"org": tenant_a.buyer.slug, "pk": grant.pk}))
    )


def test_the_api_lists_needs_pledges_and_figures_for_their_own_people(world: WishWorld) -> None:
    from rest_framework.test import APIClient

    from tests.factories import api_token

    tenant = world.tenant
    need = need_published(world)
    pledge = pledge_made(world, need, tenant.commitments[0], "10")

    def get(user: User, org: str, name: str) -> Any:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user).key}")
        return client.get(reverse(f"api:{name}", kwargs={"org": org}))

    needs = get(world.contact, world.community.slug, "need-list")
    assert [(row["reference"], row["state"], row["quantity"], row["place_code"]) for row in needs.json()] == [
        (need.reference, "pledged", "40.00", "E05015239")
    ]
    pledges = get(tenant.supplier_user, tenant.supplier.slug, "pledge-list")
    assert [(row["reference"], row["agreement"], row["quantity"], row["line_status"]) for row in pledges.json()] == [
        (pledge.reference, tenant.agreement.reference, "10.00", None)
    ]
    figures = get(world.broker, tenant.buyer.slug, "wish-list-figures").json()
    assert {row["name"]: row["count"] for row in figures if row["section"] == "needs"}["pledged"] == "1"
    assert get(tenant.supplier_user, tenant.supplier.slug, "wish-list-figures").status_code == 404
    assert get(world.contact, world.community.slug, "pledge-list").status_code == 404


def test_a_need_raised_at_a_panel_goes_on_the_wish_list_linked_to_it(client: Client, world: WishWorld) -> None:
    from datetime import date

    from commonweal.reporting import services_panels
    from commonweal.tenancy.selectors import member_access

    lead = factories.member_user(world.tenant.buyer, Role.SOCIAL_VALUE_LEAD)
    member = member_access(user=lead, slug=world.tenant.buyer.slug)
    panel = services_panels.panel_create(actor=lead, member=member, name="VCSE forum", kind="vcse_forum", purpose="")
    meeting = services_panels.meeting_record(
        actor=lead,
        member=member,
        panel=panel,
        held_on=date(2026, 3, 4),
        place="Town hall",
        notes="",
        attending=[world.community],
        other_attendees="",
    )
    raised = services_panels.need_record(
        actor=lead,
        member=member,
        meeting=meeting,
        description="A minibus repaired for the lunch club",
        kind="materials",
        raised_by=world.community,
        outcomes=[],
        place_code="E05015239",
    )
    client.force_login(world.contact)
    org = world.community.slug
    listing = _text(client.get(reverse("brokerage:need-list", kwargs={"org": org})))
    assert "A minibus repaired for the lunch club (VCSE forum" in listing
    url = reverse("brokerage:need-create", kwargs={"org": org}) + f"?panel={raised.pk}"
    form = _text(client.get(url))
    assert "A minibus repaired for the lunch club</textarea>" in form
    assert 'value="Altrincham, Trafford"' in form
    expires = timezone.localdate() + timedelta(days=30)
    response = client.post(
        url,
        {
            "need-host": world.tenant.buyer.pk,
            "need-title": "Minibus repair",
            "need-description": "A minibus repaired for the lunch club",
            "need-kind": "materials",
            "need-quantity": "1",
            "need-unit": "repair",
            "need-place": "Altrincham, Trafford",
            **_date_fields("need", "expires_on", expires),
        },
    )
    assert response.status_code == 302
    assert Need.objects.get(title="Minibus repair").panel_need == raised
    assert "A minibus repaired for the lunch club (VCSE forum" not in _text(
        client.get(reverse("brokerage:need-list", kwargs={"org": org}))
    )
