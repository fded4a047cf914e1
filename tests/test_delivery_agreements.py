"""Agreements and commitments: every kind, the rules on their fields, pro-rata targets, the pages and the API."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery import services_agreements
from commonweal.delivery.models import (
    Agreement,
    AgreementKind,
    Commitment,
    CommitmentMilestone,
    CommitmentSource,
    CommitmentState,
    ReportingPeriod,
)
from commonweal.delivery.selectors_agreements import effective_target
from commonweal.delivery.services_agreements import MilestoneInput
from commonweal.tenancy.models import Department, OrganisationKind, Role
from commonweal.tenancy.permissions import PermissionRefused

from . import factories
from .conftest import Tenant
from .delivery_agreements_support import claim, date_fields, measure_in
from .factories import api_token

START, END = datetime.date(2026, 4, 1), datetime.date(2028, 3, 31)


def create(tenant: Tenant, **overrides: Any) -> Agreement:
    arguments: dict[str, Any] = {
        "actor": tenant.manager,
        "member": tenant.manager_member(),
        "supplier": tenant.supplier,
        "reference": "NEW-1",
        "title": "Library refurbishment",
        "value": Decimal("240000.00"),
        "start_date": START,
        "end_date": END,
        "framework_version": tenant.agreement.framework_version,
        **overrides,
    }
    return services_agreements.agreement_create(**arguments)


def field_errors(call: Any) -> dict[str, str]:
    with pytest.raises(ApplicationError) as raised:
        call()
    return raised.value.field_errors


# --- Agreements ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", AgreementKind.values)
def test_each_kind_of_agreement_is_created_with_its_periods_and_audited(tenant_a: Tenant, kind: str) -> None:
    value_set = factories.ValueSetFactory.create(organisation=tenant_a.buyer)
    agreement = create(
        tenant_a,
        kind=kind,
        department=Department.objects.create(organisation=tenant_a.buyer, name="Libraries, CC-4120"),
        value_set=value_set,
        return_frequency="quarterly",
        return_due_days=21,
        escalation_days=10,
        contract_manager=tenant_a.manager,
        called_off_value=Decimal("60000") if kind == AgreementKind.CALL_OFF else None,
    )
    agreement.refresh_from_db()
    assert agreement.kind == kind
    assert (str(agreement.department), agreement.return_due_days, agreement.escalation_days) == (
        "Libraries, CC-4120",
        21,
        10,
    )
    assert agreement.value_set == value_set
    assert agreement.contract_manager == tenant_a.manager
    # Eight quarters from April 2026 to March 2028, made when the agreement is created.
    periods = ReportingPeriod.objects.filter(agreement=agreement).order_by("start_date")
    assert periods.count() == 8
    assert periods.first().start_date == START  # type: ignore[union-attr]
    event = AuditEvent.objects.for_trail(agreement).get()
    assert event.action == AuditAction.AGREEMENT_CREATED
    assert event.after["kind"] == kind
    assert event.after["value"] == "240000.00"
    assert event.after["department"] == "Libraries, CC-4120"


def test_a_grant_or_a_contract_may_go_to_a_community_organisation_but_not_to_a_council(tenant_a: Tenant) -> None:
    trust = factories.OrganisationFactory.create(name="Riverside Trust", kind=OrganisationKind.COMMUNITY)
    grant = create(tenant_a, kind=AgreementKind.GRANT, supplier=trust)
    assert grant.supplier == trust
    contract = create(tenant_a, reference="NEW-2", supplier=trust)
    assert contract.supplier == trust
    council = factories.OrganisationFactory.create(name="Other Council")
    errors = field_errors(lambda: create(tenant_a, reference="NEW-3", supplier=council))
    assert errors == {"supplier": "Other Council is not a supplier or a community organisation"}


def test_agreement_problems_are_all_reported_by_field_and_nothing_is_stored(tenant_a: Tenant, tenant_b: Tenant) -> None:
    draft = factories.FrameworkVersionFactory.create(organisation=tenant_a.buyer, status="draft")
    not_a_manager = factories.member_user(tenant_a.buyer, Role.VIEWER)
    before = Agreement.objects.count()
    errors = field_errors(
        lambda: create(
            tenant_a,
            reference=tenant_a.agreement.reference,
            title="",
            value=Decimal("-1"),
            start_date=END,
            end_date=START,
            framework_version=draft,
            value_set=factories.ValueSetFactory.create(organisation=tenant_b.buyer),
            contract_manager=not_a_manager,
            called_off_value=Decimal("100"),
            return_due_days=400,
        )
    )
    assert errors == {
        "reference": f"An agreement with the reference {tenant_a.agreement.reference} already exists",
        "title": "Enter the agreement’s title",
        "value": "The contract value must be £0 or more",
        "end_date": "The end date must be on or after the start date",
        "framework_version": "An agreement can only use a published framework version",
        "value_set": "The value set belongs to another organisation",
        "return_due_days": "Enter the days to send a return as a whole number from 0 to 365",
        "contract_manager": f"{not_a_manager} is not a contract manager at {tenant_a.buyer}",
        "called_off_value": "Only a call-off under a framework has a called-off value: leave it blank",
    }
    assert Agreement.objects.count() == before
    other = field_errors(lambda: create(tenant_a, framework_version=tenant_b.agreement.framework_version))
    assert other == {"framework_version": "The framework version belongs to another organisation"}


def test_the_called_off_value_cannot_exceed_the_value(tenant_a: Tenant) -> None:
    errors = field_errors(
        lambda: create(
            tenant_a, kind=AgreementKind.CALL_OFF, value=Decimal("1000"), called_off_value=Decimal("1000.01")
        )
    )
    assert errors == {"called_off_value": "The called-off value cannot be more than the agreement’s value (£1,000.00)"}


def test_a_supplier_cannot_create_an_agreement(tenant_a: Tenant, client: Client) -> None:
    with pytest.raises(PermissionRefused):
        create(tenant_a, actor=tenant_a.supplier_user, member=tenant_a.supplier_member())
    client.force_login(tenant_a.supplier_user)
    assert client.get(reverse("delivery:agreement-create", kwargs={"org": tenant_a.supplier.slug})).status_code == 404
    token = api_token(tenant_a.supplier_user)
    response = client.post(
        reverse("api:agreement-create", kwargs={"org": tenant_a.supplier.slug}),
        {
            "reference": "S-1",
            "title": "x",
            "supplier": tenant_a.supplier.slug,
            "value": "1",
            "start_date": "2026-04-01",
            "end_date": "2027-03-31",
            "framework_version": tenant_a.agreement.framework_version_id,
        },
        headers={"Authorization": f"Token {token.key}"},
    )
    assert response.status_code == 404
    assert not Agreement.objects.filter(reference="S-1").exists()


def test_agreement_update_records_before_and_after_and_refuses_what_would_break_it(tenant_a: Tenant) -> None:
    agreement = tenant_a.agreement
    member = tenant_a.manager_member()
    services_agreements.agreement_update(
        actor=tenant_a.manager, member=member, agreement=agreement, title="Library refurbishment, phase 2"
    )
    event = AuditEvent.objects.for_trail(agreement).get(action=AuditAction.AGREEMENT_UPDATED)
    assert event.before == {"title": agreement.title}
    assert event.after == {"title": "Library refurbishment, phase 2"}
    other_version = factories.FrameworkVersionFactory.create(organisation=tenant_a.buyer)
    errors = field_errors(
        lambda: services_agreements.agreement_update(
            actor=tenant_a.manager, member=member, agreement=agreement, framework_version=other_version
        )
    )
    assert errors == {
        "framework_version": "The framework version cannot change once the agreement has commitments: "
        "their measures belong to it"
    }
    # The factory's commitments are due on 31 December 2099; the agreement cannot end before them.
    errors = field_errors(
        lambda: services_agreements.agreement_update(
            actor=tenant_a.manager, member=member, agreement=agreement, end_date=datetime.date(2027, 6, 30)
        )
    )
    assert errors["end_date"] == "The end date must be on or after the last commitment’s due date (31 December 2099)"
    with pytest.raises(PermissionRefused):
        services_agreements.agreement_update(
            actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), agreement=agreement, title="Mine now"
        )


def test_the_agreement_page_creates_an_agreement_from_govuk_date_inputs(tenant_a: Tenant, client: Client) -> None:
    client.force_login(tenant_a.manager)
    url = reverse("delivery:agreement-create", kwargs={"org": tenant_a.buyer.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="agreement-start_date_day"' in page.content.decode()
    data = {
        "agreement-kind": "call_off",
        "agreement-reference": "NBC-2026-200",
        "agreement-title": "Highways maintenance call-off",
        "agreement-supplier": str(tenant_a.supplier.pk),
        "agreement-value": "500000",
        **date_fields("agreement", "start_date", START),
        **date_fields("agreement", "end_date", datetime.date(2027, 3, 31)),
        "agreement-framework_version": str(tenant_a.agreement.framework_version_id),
        "agreement-return_frequency": "quarterly",
        "agreement-return_due_days": "14",
        "agreement-escalation_days": "7",
        "agreement-called_off_value": "125000",
    }
    bad = client.post(url, {**data, "agreement-start_date_day": "31", "agreement-start_date_month": "2"})
    assert bad.status_code == 200
    assert "Start date must be a real date" in bad.content.decode()
    missing = client.post(url, {**data, "agreement-end_date_month": ""})
    assert "End date must include a month" in missing.content.decode()
    assert not Agreement.objects.filter(reference="NBC-2026-200").exists()
    response = client.post(url, data)
    agreement = Agreement.objects.get(reference="NBC-2026-200")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "delivery:agreement-detail", kwargs={"org": tenant_a.buyer.slug, "pk": agreement.pk}
    )
    assert (agreement.kind, agreement.start_date, agreement.called_off_value) == (
        "call_off",
        START,
        Decimal("125000.00"),
    )
    detail = client.get(response["Location"]).content.decode()
    assert "Call-off under a framework" in detail
    assert "£125,000.00 (25% of the value)" in detail


def test_the_supplier_list_shows_only_this_buyers_partners_and_a_short_name_finds_another(
    tenant_a: Tenant, tenant_b: Tenant, client: Client
) -> None:
    client.force_login(tenant_a.manager)
    url = reverse("delivery:agreement-create", kwargs={"org": tenant_a.buyer.slug})
    page = client.get(url).content.decode()
    assert tenant_a.supplier.name in page
    assert tenant_b.supplier.name not in page
    data = {
        "agreement-kind": "contract",
        "agreement-reference": "NBC-2026-300",
        "agreement-title": "Catering",
        "agreement-supplier_slug": "no-such-supplier",
        "agreement-value": "1000",
        **date_fields("agreement", "start_date", START),
        **date_fields("agreement", "end_date", END),
        "agreement-framework_version": str(tenant_a.agreement.framework_version_id),
        "agreement-return_frequency": "annual",
        "agreement-return_due_days": "14",
        "agreement-escalation_days": "14",
    }
    refused = client.post(url, data).content.decode()
    assert "No supplier or community organisation has the short name “no-such-supplier”" in refused
    client.post(url, {**data, "agreement-supplier_slug": tenant_b.supplier.slug})
    assert Agreement.objects.get(reference="NBC-2026-300").supplier == tenant_b.supplier


def test_the_called_off_page_updates_the_value_and_the_history(tenant_a: Tenant, client: Client) -> None:
    agreement = tenant_a.agreement
    agreement.kind = AgreementKind.CALL_OFF
    agreement.save(update_fields=["kind"])
    client.force_login(tenant_a.manager)
    url = reverse("delivery:agreement-called-off", kwargs={"org": tenant_a.buyer.slug, "pk": agreement.pk})
    assert client.post(url, {"called_off-called_off_value": "250000"}).status_code == 200  # more than the value
    response = client.post(url, {"called_off-called_off_value": "25000"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.called_off_value == Decimal("25000.00")
    event = AuditEvent.objects.for_trail(agreement).get(action=AuditAction.AGREEMENT_UPDATED)
    assert (event.before, event.after) == ({"called_off_value": None}, {"called_off_value": "25000"})
    assert effective_target(tenant_a.commitments[0]) == Decimal("2.50")  # 10 × 25,000 ÷ 100,000


# --- Pro-rata --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "value", "called_off", "expected"),
    [
        ("10", "100000.00", "25000.00", "2.50"),
        ("10", "100000.00", "33333.33", "3.33"),  # 3.333333 to 2 places
        ("1", "8.00", "1.00", "0.13"),  # 0.125: a half is rounded up
        ("104", "2450000.00", "2450000.00", "104.00"),  # all called off: the whole target
        ("350000", "2450000.00", "0.00", "0.00"),  # nothing called off yet
    ],
)
def test_pro_rata_effective_target_is_exact(
    tenant_a: Tenant, target: str, value: str, called_off: str, expected: str
) -> None:
    agreement = tenant_a.agreement
    agreement.kind, agreement.value, agreement.called_off_value = (
        AgreementKind.CALL_OFF,
        Decimal(value),
        Decimal(called_off),
    )
    agreement.save()
    commitment = factories.CommitmentFactory.create(agreement=agreement, target_quantity=Decimal(target))
    assert effective_target(commitment) == Decimal(expected)
    assert str(effective_target(commitment)) == expected


def test_pro_rata_applies_only_to_call_offs_with_a_called_off_value(tenant_a: Tenant) -> None:
    agreement, commitment = tenant_a.agreement, tenant_a.commitments[0]
    agreement.called_off_value = Decimal("50000")
    agreement.save()
    assert effective_target(commitment) == Decimal("10")  # a contract: not pro-rated
    agreement.kind, agreement.called_off_value = AgreementKind.CALL_OFF, None
    agreement.save()
    assert effective_target(Commitment.objects.get(pk=commitment.pk)) == Decimal("10")  # nothing recorded
    agreement.called_off_value = Decimal("50000")
    agreement.save()
    assert effective_target(Commitment.objects.get(pk=commitment.pk)) == Decimal("5.00")
    replacement = factories.CommitmentFactory.create(agreement=agreement, source=CommitmentSource.SUBSTITUTION)
    assert effective_target(replacement) == Decimal("10")  # agreed against the remainder: not pro-rated again


def test_a_substituted_commitments_effective_target_is_what_was_verified(tenant_a: Tenant) -> None:
    commitment = tenant_a.commitments[0]
    claim(commitment, "3.5")
    claim(commitment, "2", status="rejected")
    commitment.state = CommitmentState.SUBSTITUTED
    commitment.save()
    assert effective_target(commitment) == Decimal("3.50")


# --- Commitments -----------------------------------------------------------------------------------


def commit(tenant: Tenant, **overrides: Any) -> Commitment:
    arguments: dict[str, Any] = {
        "actor": tenant.manager,
        "member": tenant.manager_member(),
        "agreement": tenant.agreement,
        "measure": tenant.commitments[0].measure,
        "target_quantity": Decimal("12"),
        "due_date": datetime.date(2027, 9, 30),
        **overrides,
    }
    return services_agreements.commitment_create(**arguments)


def test_a_commitment_has_a_place_a_group_and_milestones(tenant_a: Tenant) -> None:
    commitment = commit(
        tenant_a,
        place_code=" e08000009 ",
        beneficiary_group="Care leavers",
        milestones=[
            MilestoneInput(datetime.date(2026, 12, 31), Decimal("4")),
            MilestoneInput(datetime.date(2027, 6, 30), Decimal("9.5")),
        ],
    )
    assert (commitment.place_code, commitment.beneficiary_group, commitment.source) == (
        "E08000009",
        "Care leavers",
        "page",
    )
    assert list(commitment.milestones.values_list("due_date", "cumulative_quantity")) == [
        (datetime.date(2026, 12, 31), Decimal("4.00")),
        (datetime.date(2027, 6, 30), Decimal("9.50")),
    ]
    event = AuditEvent.objects.get(action=AuditAction.COMMITMENT_CREATED, object_id=str(commitment.pk))
    assert event.after["milestones"] == "31 Dec 2026: 4.00; 30 Jun 2027: 9.50"
    assert event.after["place_code"] == "E08000009"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"place_code": "E0800009"}, "place_code", "Enter the place as an ONS GSS code"),
        ({"place_code": "X08000009"}, "place_code", "Enter the place as an ONS GSS code"),
        ({"due_date": datetime.date(2028, 1, 1)}, "due_date", "The due date must be within the agreement"),
        ({"target_quantity": Decimal("0")}, "target_quantity", "The target quantity must be more than 0"),
        ({"target_quantity": Decimal("1.234")}, "target_quantity", "no more than 2 decimal places"),
        (
            {
                "milestones": [
                    MilestoneInput(datetime.date(2027, 3, 31), Decimal("5")),
                    MilestoneInput(datetime.date(2026, 12, 31), Decimal("8")),
                ]
            },
            "milestones",
            "Milestone 2: the dates must be in order, each later than the one before",
        ),
        (
            {
                "milestones": [
                    MilestoneInput(datetime.date(2026, 12, 31), Decimal("5")),
                    MilestoneInput(datetime.date(2027, 3, 31), Decimal("5")),
                ]
            },
            "milestones",
            "Milestone 2: each quantity is a running total, so it must be more than the one before",
        ),
        (
            {"milestones": [MilestoneInput(datetime.date(2027, 3, 31), Decimal("13"))]},
            "milestones",
            "The last milestone’s quantity (13) must not be more than the target (12)",
        ),
        (
            {"milestones": [MilestoneInput(datetime.date(2027, 10, 1), Decimal("3"))]},
            "milestones",
            "Milestone 1: the date must be on or before the commitment’s due date (30 September 2027)",
        ),
    ],
)
def test_commitment_problems_are_refused_by_field(
    tenant_a: Tenant, overrides: dict[str, Any], field: str, message: str
) -> None:
    tenant_a.agreement.end_date = datetime.date(2027, 12, 31)
    tenant_a.agreement.save()
    before = (Commitment.objects.count(), CommitmentMilestone.objects.count(), AuditEvent.objects.count())
    errors = field_errors(lambda: commit(tenant_a, **overrides))
    assert list(errors) == [field]
    assert message in errors[field]
    assert (Commitment.objects.count(), CommitmentMilestone.objects.count(), AuditEvent.objects.count()) == before


def test_a_commitment_is_removed_only_while_nothing_is_claimed(tenant_a: Tenant) -> None:
    member = tenant_a.manager_member()
    fresh = commit(tenant_a)
    services_agreements.commitment_remove(actor=tenant_a.manager, member=member, commitment=fresh)
    assert not Commitment.objects.filter(pk=fresh.pk).exists()
    assert AuditEvent.objects.get(action=AuditAction.COMMITMENT_REMOVED).before["target_quantity"] == "12.00"
    claimed = tenant_a.commitments[0]
    claim(claimed, "1", status="pending")
    with pytest.raises(ApplicationError, match="Quantities have been reported against this commitment"):
        services_agreements.commitment_remove(actor=tenant_a.manager, member=member, commitment=claimed)
    assert Commitment.objects.filter(pk=claimed.pk).exists()


def test_the_measure_of_a_claimed_commitment_cannot_change_but_its_target_can(tenant_a: Tenant) -> None:
    commitment = tenant_a.commitments[0]
    tenant_a.agreement.end_date = datetime.date(2099, 12, 31)
    tenant_a.agreement.save()
    claim(commitment, "2")
    arguments: dict[str, Any] = {
        "actor": tenant_a.manager,
        "member": tenant_a.manager_member(),
        "commitment": commitment,
        "target_quantity": Decimal("15"),
        "due_date": commitment.due_date,
        "place_code": "W06000015",
        "beneficiary_group": "",
        "milestones": [],
    }
    errors = field_errors(
        lambda: services_agreements.commitment_update(**arguments, measure=tenant_a.commitments[1].measure)
    )
    assert errors == {"measure": "The measure cannot change once quantities have been reported against it"}
    services_agreements.commitment_update(**arguments, measure=commitment.measure)
    commitment.refresh_from_db()
    assert (commitment.target_quantity, commitment.place_code) == (Decimal("15.00"), "W06000015")
    event = AuditEvent.objects.get(action=AuditAction.COMMITMENT_UPDATED)
    assert event.before == {"target_quantity": "10.00", "place_code": ""}
    assert event.after == {"target_quantity": "15", "place_code": "W06000015"}


def test_the_commitment_pages_add_change_and_remove(tenant_a: Tenant, client: Client) -> None:
    agreement = tenant_a.agreement
    agreement.end_date = datetime.date(2099, 12, 31)
    agreement.save()
    measure = tenant_a.commitments[0].measure
    client.force_login(tenant_a.manager)
    org = tenant_a.buyer.slug
    url = reverse("delivery:commitment-create", kwargs={"org": org, "pk": agreement.pk})
    data = {
        "commitment-measure": str(measure.pk),
        "commitment-target_quantity": "6",
        **date_fields("commitment", "due_date", datetime.date(2027, 9, 30)),
        "commitment-place_code": "E08000009",
        "commitment-beneficiary_group": "Young people not in work",
        "commitment-milestones": "31/3/2027, 2\n30/9/2027, 6",
    }
    bad = client.post(url, {**data, "commitment-place_code": "Sunderland", "commitment-milestones": "31/3/2027"})
    text = bad.content.decode()
    assert "Enter the place as an ONS GSS code" in text or "Line 1 of the milestones" in text
    assert "Line 1 of the milestones: give a date and a quantity" in text
    response = client.post(url, data)
    assert response.status_code == 302
    commitment = Commitment.objects.get(beneficiary_group="Young people not in work")
    assert commitment.milestones.count() == 2
    listing = client.get(reverse("delivery:commitment-list", kwargs={"org": org, "pk": agreement.pk})).content.decode()
    assert "E08000009" in listing and "Young people not in work" in listing
    edit = reverse("delivery:commitment-update", kwargs={"org": org, "pk": commitment.pk})
    assert "31/03/2027, 2" in client.get(edit).content.decode()
    client.post(edit, {**data, "commitment-target_quantity": "8", "commitment-milestones": ""})
    commitment.refresh_from_db()
    assert commitment.target_quantity == Decimal("8.00") and commitment.milestones.count() == 0
    remove = reverse("delivery:commitment-remove", kwargs={"org": org, "pk": commitment.pk})
    assert client.post(remove).status_code == 302
    assert not Commitment.objects.filter(pk=commitment.pk).exists()
    # The supplier sees the commitments but may not change them.
    client.force_login(tenant_a.supplier_user)
    supplier_org = tenant_a.supplier.slug
    assert (
        client.get(reverse("delivery:commitment-list", kwargs={"org": supplier_org, "pk": agreement.pk})).status_code
        == 200
    )
    assert (
        client.get(reverse("delivery:commitment-create", kwargs={"org": supplier_org, "pk": agreement.pk})).status_code
        == 404
    )


def test_the_agreement_summary_shows_every_field(tenant_a: Tenant, client: Client) -> None:
    agreement = create(
        tenant_a,
        kind=AgreementKind.CALL_OFF,
        department=Department.objects.create(organisation=tenant_a.buyer, name="Highways"),
        value_set=factories.ValueSetFactory.create(organisation=tenant_a.buyer, title="Local values 2024"),
        return_frequency="monthly",
        return_due_days=10,
        escalation_days=5,
        contract_manager=tenant_a.manager,
        called_off_value=Decimal("60000"),
    )
    client.force_login(tenant_a.manager)
    page = client.get(reverse("delivery:agreement-detail", kwargs={"org": tenant_a.buyer.slug, "pk": agreement.pk}))
    text = page.content.decode()
    for expected in [
        "Call-off under a framework",
        "NEW-1",
        "Highways",
        "£240,000.00",
        "£60,000.00 (25% of the value)",
        "each effective target is the target × £60,000.00 ÷ £240,000.00",
        "1 April 2026 to 31 March 2028",
        "Local values 2024 (2024 prices)",
        "Monthly, each due 10 days after its period ends; escalated to the contract manager after 5 days overdue",
        tenant_a.manager.full_name,
        "Update the called-off value",
    ]:
        assert expected in text, expected


# --- API -------------------------------------------------------------------------------------------


def api(client: Client, user: Any, name: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    token = api_token(user)
    headers = {"Authorization": f"Token {token.key}"}
    url = reverse(name, kwargs=kwargs)
    if data is None:
        return client.get(url, headers=headers)
    return client.post(url, data, content_type="application/json", headers=headers)


def test_the_api_creates_and_updates_an_agreement(tenant_a: Tenant, client: Client) -> None:
    org = tenant_a.buyer.slug
    data = {
        "kind": "grant",
        "reference": "GR-7",
        "title": "Youth club grant",
        "supplier": tenant_a.supplier.slug,
        "value": "15000.00",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "framework_version": tenant_a.agreement.framework_version_id,
        "contract_manager": tenant_a.manager.email,
    }
    response = api(client, tenant_a.manager, "api:agreement-create", data, org=org)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["value"], body["contract_manager"], body["return_frequency"]) == (
        "grant",
        "15000.00",
        tenant_a.manager.email,
        "quarterly",
    )
    bad = api(
        client,
        tenant_a.manager,
        "api:agreement-create",
        {**data, "reference": "GR-8", "end_date": "2026-01-01"},
        org=org,
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"end_date": "The end date must be on or after the start date"}
    updated = api(client, tenant_a.manager, "api:agreement-update", {"escalation_days": 3}, org=org, pk=body["id"])
    assert updated.status_code == 200
    assert updated.json()["escalation_days"] == 3
    assert updated.json()["title"] == "Youth club grant"


def test_the_api_lists_and_creates_commitments(tenant_a: Tenant, client: Client) -> None:
    tenant_a.agreement.end_date = datetime.date(2099, 12, 31)
    tenant_a.agreement.save()
    org, pk = tenant_a.buyer.slug, tenant_a.agreement.pk
    measure = measure_in(tenant_a, code="NEW.1")
    data = {
        "measure_code": "NEW.1",
        "target_quantity": "20",
        "due_date": "2027-03-31",
        "place_code": "S12000036",
        "milestones": [{"due_date": "2026-09-30", "cumulative_quantity": "5"}],
    }
    response = api(client, tenant_a.manager, "api:commitment-list", data, org=org, pk=pk)
    assert response.status_code == 201, response.json()
    assert response.json()["milestones"] == [{"due_date": "2026-09-30", "cumulative_quantity": "5.00"}]
    assert Commitment.objects.get(pk=response.json()["id"]).measure == measure
    refused = api(client, tenant_a.manager, "api:commitment-list", {**data, "place_code": "E1"}, org=org, pk=pk)
    assert refused.status_code == 400
    assert "place_code" in refused.json()["errors"]
    listed = api(client, tenant_a.supplier_user, "api:commitment-list", org=tenant_a.supplier.slug, pk=pk)
    rows = {row["measure_code"]: row for row in listed.json()}
    assert rows["NEW.1"]["effective_target"] == "20.00"
    assert rows["NEW.1"]["place_code"] == "S12000036"
    by_supplier = api(client, tenant_a.supplier_user, "api:commitment-list", data, org=tenant_a.supplier.slug, pk=pk)
    assert by_supplier.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_agreement_update_committed(tenant_a: Tenant) -> None:
    """Changing an agreement, committed for real: on PostgreSQL this fails
    if a service locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    test_agreement_update_records_before_and_after_and_refuses_what_would_break_it(tenant_a)


@pytest.mark.django_db(transaction=True)
def test_the_commitment_pages_committed(tenant_a: Tenant, client: Client) -> None:
    """The commitment pages, committed for real: on PostgreSQL this fails
    if a service locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    test_the_commitment_pages_add_change_and_remove(tenant_a, client)


def test_an_agreement_takes_only_a_department_of_its_own_organisation(tenant_a: Tenant, tenant_b: Tenant) -> None:
    theirs = Department.objects.create(organisation=tenant_b.buyer, name="Highways")
    errors = field_errors(lambda: create(tenant_a, department=theirs))
    assert errors == {"department": f"Highways is not a department of {tenant_a.buyer}"}
    assert not Agreement.objects.filter(organisation=tenant_a.buyer, department=theirs).exists()
