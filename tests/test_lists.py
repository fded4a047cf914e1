"""Lists that scale: every list's search, filters, sort order and pages work from the query string alone
(no JavaScript), show only the member's own organisation's items, and say how many match."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.models import AuditAction
from commonweal.delivery.models import DeliveryReturn, LineStatus, ReturnLine, ReturnState
from commonweal.spend.models import ImportStatus, SpendImport
from commonweal.tenancy.models import Department, Role

from . import factories
from .conftest import Tenant


def _page(client: Client, name: str, org: str, query: dict[str, str] | None = None) -> str:
    response = client.get(reverse(name, kwargs={"org": org}), query or {})
    assert response.status_code == 200
    return response.content.decode()


def _references(html: str, prefix: str) -> list[str]:
    return re.findall(rf">({prefix}-\d+)", html)


@pytest.fixture
def agreements(tenant_a: Tenant, tenant_b: Tenant) -> Tenant:
    """Tenant A buys 60 more agreements (so 61 in all), tenant B one that must never show."""
    parks = Department.objects.create(organisation=tenant_a.buyer, name="Parks")
    today = timezone.localdate()
    for number in range(60):
        factories.AgreementFactory.create(
            organisation=tenant_a.buyer,
            supplier=tenant_a.supplier,
            framework_version=tenant_a.agreement.framework_version,
            reference=f"LIST-{number:03d}",
            title="Grounds maintenance" if number % 2 else "Home care",
            value=Decimal(1000 + number),
            department=parks if number < 5 else None,
            start_date=today - timedelta(days=400),
            end_date=today - timedelta(days=1) if number == 7 else today + timedelta(days=number + 1),
        )
    return tenant_a


def test_the_agreements_list_pages_searches_filters_and_sorts(client: Client, agreements: Tenant) -> None:
    client.force_login(agreements.manager)
    org = agreements.buyer.slug
    first = _page(client, "delivery:agreement-list", org)
    assert "61 agreements, showing 1 to 50." in first
    assert "B-001" not in first
    second = _page(client, "delivery:agreement-list", org, {"page": "2"})
    assert "showing 51 to 61" in second
    assert len(_references(first, "LIST")) + len(_references(second, "LIST")) == 60

    care = _page(client, "delivery:agreement-list", org, {"search": "home care"})
    assert "30 agreements match the filters." in care
    assert "Clear filters" in care
    parks = Department.objects.get(name="Parks")
    in_parks = _page(client, "delivery:agreement-list", org, {"department": str(parks.pk)})
    assert _references(in_parks, "LIST") == [f"LIST-{n:03d}" for n in range(5)]
    ended = _page(client, "delivery:agreement-list", org, {"running": "ended"})
    assert _references(ended, "LIST") == ["LIST-007"]
    dearest = _page(client, "delivery:agreement-list", org, {"sort": "-value", "search": "LIST"})
    assert _references(dearest, "LIST")[:3] == ["LIST-059", "LIST-058", "LIST-057"]
    # A value that is not a choice is ignored with the form's message, never an error page.
    odd = _page(client, "delivery:agreement-list", org, {"department": "999999", "sort": "password"})
    assert "Select a valid choice" in odd


def test_another_organisations_department_is_not_a_filter_choice(
    client: Client, agreements: Tenant, tenant_b: Tenant
) -> None:
    theirs = Department.objects.create(organisation=tenant_b.buyer, name="Their secret department")
    client.force_login(agreements.manager)
    html = _page(client, "delivery:agreement-list", agreements.buyer.slug, {"department": str(theirs.pk)})
    assert "Their secret department" not in html
    assert "Select a valid choice" in html


def test_the_supplier_sees_its_agreements_sorted_by_buyer_without_departments(
    client: Client, agreements: Tenant
) -> None:
    client.force_login(agreements.supplier_user)
    html = _page(client, "delivery:agreement-list", agreements.supplier.slug, {"sort": "organisation__name"})
    assert "61 agreements" in html
    assert 'name="department"' not in html
    assert "Buyer (A to Z)" in html


def _return(tenant: Tenant, statuses: list[str], *, state: str = ReturnState.SUBMITTED, days_ago: int = 1) -> None:
    delivery_return = DeliveryReturn.objects.create(
        organisation=tenant.buyer,
        agreement=tenant.agreement,
        state=state,
        submitted_by=tenant.supplier_user,
        submitted_at=timezone.now() - timedelta(days=days_ago) if state == ReturnState.SUBMITTED else None,
        narrative="What we did",
    )
    for commitment, status in zip(tenant.commitments, statuses, strict=False):
        ReturnLine.objects.create(
            organisation=tenant.buyer,
            delivery_return=delivery_return,
            commitment=commitment,
            quantity=Decimal("1"),
            status=status,
        )


def test_the_returns_list_shows_where_each_review_stands(client: Client, tenant_a: Tenant, tenant_b: Tenant) -> None:
    _return(tenant_a, [LineStatus.PENDING, LineStatus.PENDING, LineStatus.VERIFIED], days_ago=1)
    _return(tenant_a, [LineStatus.QUERIED, LineStatus.VERIFIED], days_ago=5)
    _return(tenant_a, [LineStatus.VERIFIED, LineStatus.REJECTED], days_ago=9)
    _return(tenant_a, [LineStatus.PENDING], state=ReturnState.DRAFT)
    _return(tenant_b, [LineStatus.PENDING])
    client.force_login(tenant_a.manager)
    org = tenant_a.buyer.slug
    html = _page(client, "delivery:return-list", org)
    assert "3 returns." in html  # the draft is the supplier's own
    assert html.index("2 awaiting review, 1 verified") < html.index("1 queried, 1 verified")
    assert "1 verified, 1 rejected" in html
    assert "B-001" not in html
    assert 'name="state"' not in html
    assert "1 return matches the filters." in _page(client, "delivery:return-list", org, {"review": "waiting"})
    queried = _page(client, "delivery:return-list", org, {"review": "queried"})
    assert "1 queried, 1 verified" in queried and "2 awaiting review" not in queried
    reviewed = _page(client, "delivery:return-list", org, {"review": "reviewed"})
    assert "1 verified, 1 rejected" in reviewed and "1 return matches" in reviewed
    oldest = _page(client, "delivery:return-list", org, {"sort": "submitted_at"})
    assert oldest.index("1 verified, 1 rejected") < oldest.index("2 awaiting review")

    client.force_login(tenant_a.supplier_user)
    own = _page(client, "delivery:return-list", tenant_a.supplier.slug)
    assert "4 returns." in own and "Not submitted" in own
    drafts = _page(client, "delivery:return-list", tenant_a.supplier.slug, {"state": "draft"})
    assert "1 return matches the filters." in drafts


def test_the_spend_imports_list_filters_by_status_and_name(client: Client, tenant_a: Tenant, tenant_b: Tenant) -> None:
    for name, status, owner in [
        ("april.csv", ImportStatus.SUCCEEDED, tenant_a.buyer),
        ("may.csv", ImportStatus.FAILED, tenant_a.buyer),
        ("theirs.csv", ImportStatus.SUCCEEDED, tenant_b.buyer),
    ]:
        SpendImport.objects.create(organisation=owner, original_name=name, sha256=name, status=status)
    client.force_login(tenant_a.manager)
    html = _page(client, "spend:import-list", tenant_a.buyer.slug)
    assert "2 files." in html and "theirs.csv" not in html
    failed = _page(client, "spend:import-list", tenant_a.buyer.slug, {"status": ImportStatus.FAILED})
    assert "may.csv" in failed and "april.csv" not in failed
    assert "april.csv" in _page(client, "spend:import-list", tenant_a.buyer.slug, {"search": "APR"})


def test_the_organisation_history_is_its_leads_to_search(client: Client, tenant_a: Tenant, tenant_b: Tenant) -> None:
    lead = factories.member_user(tenant_a.buyer, Role.SOCIAL_VALUE_LEAD)
    audit_record(
        actor=tenant_a.manager,
        organisation=tenant_a.buyer,
        action=AuditAction.AGREEMENT_CREATED,
        target=tenant_a.agreement,
    )
    audit_record(
        actor=lead, organisation=tenant_a.buyer, action=AuditAction.COMMITMENT_CREATED, target=tenant_a.commitments[0]
    )
    audit_record(
        actor=tenant_b.manager,
        organisation=tenant_b.buyer,
        action=AuditAction.AGREEMENT_CREATED,
        target=tenant_b.agreement,
    )
    org = tenant_a.buyer.slug
    client.force_login(tenant_a.manager)  # a contract manager is not the organisation's lead
    assert client.get(reverse("members:history", kwargs={"org": org})).status_code == 404
    client.force_login(lead)
    html = _page(client, "members:history", org)
    assert "2 events." in html and "Agreement created" in html and "B-001" not in html
    agreements_only = _page(client, "members:history", org, {"area": "agreement"})
    assert "1 event matches the filters." in agreements_only and "Commitment created" not in agreements_only
    by_lead = _page(client, "members:history", org, {"person": lead.email})
    assert "Commitment created" in by_lead and "Agreement created" not in by_lead
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    later = {"since_day": str(tomorrow.day), "since_month": str(tomorrow.month), "since_year": str(tomorrow.year)}
    assert "No events match the filters." in _page(client, "members:history", org, later)
    until = {"until_day": str(today.day), "until_month": str(today.month), "until_year": str(today.year)}
    assert "2 events match the filters." in _page(client, "members:history", org, until)
    wrong = _page(client, "members:history", org, {"since_day": "31", "since_month": "2", "since_year": "2026"})
    assert "From must be a real date" in wrong


def test_the_commitments_list_finds_those_missed_across_agreements(
    client: Client, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    overdue = tenant_a.commitments[0]
    overdue.due_date = timezone.localdate() - timedelta(days=30)
    overdue.save(update_fields=["due_date"])
    client.force_login(tenant_a.manager)
    org = tenant_a.buyer.slug
    html = _page(client, "delivery:commitment-overview", org)
    assert "3 commitments." in html and "B-001" not in html
    missed = client.get(reverse("delivery:commitment-overview", kwargs={"org": org}), {"status": "missed"})
    assert [row.commitment.pk for row in missed.context["rows"]] == [overdue.pk]
    assert "1 commitment matches the filters." in missed.content.decode()
    assert "Missed" in missed.content.decode()
    passed = client.get(reverse("delivery:commitment-overview", kwargs={"org": org}), {"due": "past"})
    assert [row.commitment.pk for row in passed.context["rows"]] == [overdue.pk]
    code = tenant_a.commitments[1].measure.code
    found = client.get(reverse("delivery:commitment-overview", kwargs={"org": org}), {"search": code})
    assert tenant_a.commitments[1].pk in [row.commitment.pk for row in found.context["rows"]]
    client.force_login(tenant_a.supplier_user)  # the supplier sees the same commitments of its agreement
    assert "3 commitments." in _page(client, "delivery:commitment-overview", tenant_a.supplier.slug)
