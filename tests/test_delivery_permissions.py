"""Every writing service of delivery asks for its permission first: a member without it is refused
(`PermissionRefused`, a 404) and nothing is written, not a row and not an audit event. A member with the
permission is refused too on another organisation's agreement. And reading writes nothing: the return
page and the periods API only read the periods that creating an agreement makes."""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Model
from django.http import Http404
from django.test import Client
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.delivery import services_agreements, services_returns, services_status
from commonweal.delivery.commitments_import import ImportRow
from commonweal.delivery.models import (
    DeliveryReturn,
    LineStatus,
    ReportingPeriod,
    ReturnLine,
    Substitution,
    SubstitutionState,
)
from commonweal.delivery.services_returns import LineInput
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .conftest import Tenant
from .delivery_agreements_support import csv_file, periods_made
from .factories import api_token


@dataclass
class World:
    tenant: Tenant
    period: ReportingPeriod
    draft: DeliveryReturn
    line: ReturnLine  # on a submitted return, queried by the contract manager
    substitution: Substitution

    def member(self, side: str, role: str) -> Member:
        organisation = self.tenant.buyer if side == "buyer" else self.tenant.supplier
        user = factories.member_user(organisation, role)
        return member_access(user=user, slug=organisation.slug)


@pytest.fixture
def w(tenant_a: Tenant) -> World:
    periods = periods_made(tenant_a.agreement)
    first, second, third = tenant_a.commitments
    supplier = tenant_a.supplier_member()
    submitted = services_returns.return_save(
        actor=tenant_a.supplier_user,
        member=supplier,
        agreement=tenant_a.agreement,
        period=periods[0],
        lines={first.pk: LineInput(quantity=Decimal("2"))},
        narrative="Two apprentices",
        submit=True,
    )
    line = services_returns.return_line_review(
        actor=tenant_a.manager,
        member=tenant_a.manager_member(),
        line=submitted.lines.get(),
        decision=LineStatus.QUERIED,
        reason="Which site?",
    )
    draft = services_returns.return_save(
        actor=tenant_a.supplier_user,
        member=supplier,
        agreement=tenant_a.agreement,
        period=periods[1],
        lines={second.pk: LineInput(quantity=Decimal("1"))},
        narrative="A draft",
    )
    substitution = services_agreements.substitution_propose(
        actor=tenant_a.supplier_user,
        member=supplier,
        commitment=third,
        proposed_measure=None,
        proposed_quantity=None,
        pledge="Furniture for the youth club",
        reason="The site closed",
    )
    return World(tenant_a, periods[2], draft, line, substitution)


def _bulk_csv(w: World) -> Any:
    agreement = w.tenant.agreement
    row = f"{agreement.reference},{w.tenant.buyer.slug},{w.period.start_date},{w.tenant.commitments[0].measure.code},3"
    header = ["agreement_reference", "buyer", "period", "measure_code", "quantity"]
    return csv_file([row.split(",")], name="returns.csv", header=header)


Call = Callable[[World, Member], Any]
# Writes of the buyer's contract managers (MANAGE_CONTRACTS).
MANAGING: dict[str, Call] = {
    "agreement_create": lambda w, m: services_agreements.agreement_create(
        actor=m.user,
        member=m,
        supplier=w.tenant.supplier,
        reference="REFUSED-1",
        title="Refused",
        value=Decimal("1000"),
        start_date=date(2026, 4, 1),
        end_date=date(2027, 3, 31),
        framework_version=w.tenant.agreement.framework_version,
    ),
    "agreements_create_bulk": lambda w, m: services_agreements.agreements_create_bulk(
        actor=m.user,
        member=m,
        rows=[
            {
                "supplier": w.tenant.supplier,
                "reference": "REFUSED-2",
                "title": "Refused",
                "value": Decimal("1000"),
                "start_date": date(2026, 4, 1),
                "end_date": date(2027, 3, 31),
                "framework_version": w.tenant.agreement.framework_version,
            }
        ],
    ),
    "agreement_update": lambda w, m: services_agreements.agreement_update(
        actor=m.user, member=m, agreement=w.tenant.agreement, title="Refused"
    ),
    "commitment_create": lambda w, m: services_agreements.commitment_create(
        actor=m.user,
        member=m,
        agreement=w.tenant.agreement,
        measure=w.tenant.commitments[0].measure,
        target_quantity=Decimal("5"),
        due_date=date(2027, 6, 30),
    ),
    "commitment_update": lambda w, m: services_agreements.commitment_update(
        actor=m.user,
        member=m,
        commitment=w.tenant.commitments[1],
        measure=w.tenant.commitments[1].measure,
        target_quantity=Decimal("99"),
        due_date=date(2027, 6, 30),
        place_code="",
        beneficiary_group="",
        milestones=(),
    ),
    "commitment_remove": lambda w, m: services_agreements.commitment_remove(
        actor=m.user, member=m, commitment=w.tenant.commitments[1]
    ),
    "commitments_import": lambda w, m: services_agreements.commitments_import(
        actor=m.user,
        member=m,
        agreement=w.tenant.agreement,
        rows=[ImportRow(2, w.tenant.commitments[0].measure.code, Decimal("3"), date(2027, 6, 30), "", "")],
    ),
    "commitments_file_import": lambda w, m: services_agreements.commitments_file_import(
        actor=m.user,
        member=m,
        agreement=w.tenant.agreement,
        file=csv_file([[w.tenant.commitments[0].measure.code, "3", "2027-06-30", "", ""]]),
    ),
    "substitution_decide": lambda w, m: services_agreements.substitution_decide(
        actor=m.user, member=m, substitution=w.substitution, decision=SubstitutionState.APPROVED, reason=""
    ),
    "periods_ensure": lambda w, m: services_returns.periods_ensure(
        actor=m.user, member=m, agreement=w.tenant.agreement
    ),
    "return_line_review": lambda w, m: services_returns.return_line_review(
        actor=m.user, member=m, line=w.line, decision=LineStatus.VERIFIED, reason=""
    ),
    "return_lines_review": lambda w, m: services_returns.return_lines_review(
        actor=m.user, member=m, line_ids=[w.line.pk], decision=LineStatus.VERIFIED
    ),
    "overdue_reminders_send": lambda w, m: services_status.overdue_reminders_send(
        actor=m.user, member=m, today=date(2027, 12, 31)
    ),
    "assessment_confirm": lambda w, m: services_status.assessment_confirm(
        actor=m.user, member=m, agreement=w.tenant.agreement, rating="good", reason="Refused"
    ),
}
# Writes of the supplier's contacts (SUBMIT_RETURNS).
REPORTING: dict[str, Call] = {
    "return_save": lambda w, m: services_returns.return_save(
        actor=m.user,
        member=m,
        agreement=w.tenant.agreement,
        period=w.period,
        lines={w.tenant.commitments[0].pk: LineInput(quantity=Decimal("1"))},
        narrative="Refused",
    ),
    "return_submit": lambda w, m: services_returns.return_submit(
        actor=m.user,
        member=m,
        agreement=w.tenant.agreement,
        quantities={w.tenant.commitments[0].pk: Decimal("1")},
        narrative="Refused",
        period=w.period,
    ),
    "return_draft_change": lambda w, m: services_returns.return_draft_change(
        actor=m.user, member=m, delivery_return=w.draft, narrative="Refused"
    ),
    "return_draft_submit": lambda w, m: services_returns.return_draft_submit(
        actor=m.user, member=m, delivery_return=w.draft
    ),
    "return_line_answer": lambda w, m: services_returns.return_line_answer(
        actor=m.user, member=m, line=w.line, answer="Refused"
    ),
    "returns_import": lambda w, m: services_returns.returns_import(
        actor=m.user, member=m, file=_bulk_csv(w), submit=False
    ),
    "substitution_propose": lambda w, m: services_agreements.substitution_propose(
        actor=m.user,
        member=m,
        commitment=w.tenant.commitments[0],
        proposed_measure=None,
        proposed_quantity=None,
        pledge="Refused",
        reason="Refused",
    ),
}

# The claim a community organisation makes by confirming a pledge to its need (POST_NEEDS).
CONFIRMING: dict[str, Call] = {
    "confirmed_claim_add": lambda w, m: services_returns.confirmed_claim_add(
        actor=m.user,
        member=m,
        commitment=w.tenant.commitments[0],
        quantity=Decimal("1"),
        evidence_reference="REFUSED-1",
        note="",
        on=date(2026, 4, 2),
        reported_by=w.tenant.supplier_user,
    ),
}

# Who lacks each permission: the buyer's people of other roles, and the other party.
NOT_MANAGING = [
    ("buyer", Role.VIEWER),
    ("buyer", Role.PROCUREMENT_OFFICER),
    ("buyer", Role.EVALUATOR),
    ("supplier", Role.SUPPLIER_CONTACT),
]
NOT_REPORTING = [("buyer", Role.CONTRACT_MANAGER), ("buyer", Role.SOCIAL_VALUE_LEAD), ("buyer", Role.VIEWER)]
CASES = [
    *((name, call, side, role) for name, call in MANAGING.items() for side, role in NOT_MANAGING),
    *((name, call, side, role) for name, call in REPORTING.items() for side, role in NOT_REPORTING),
    *(
        (name, call, side, role)
        for name, call in CONFIRMING.items()
        for side, role in [("buyer", Role.CONTRACT_MANAGER), ("supplier", Role.SUPPLIER_CONTACT)]
    ),
]


def stored() -> dict[str, int]:
    """How many rows each delivery model, and the audit log, holds."""
    models: list[type[Model]] = [*apps.get_app_config("delivery").get_models(), AuditEvent, Organisation]
    return {model._meta.label: model._default_manager.count() for model in models}


def test_every_writing_service_is_listed() -> None:
    """A new writing service must be added here, so that its refusal is proved too."""
    modules = (services_agreements, services_returns, services_status)
    writers = {
        name
        for module in modules
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and function.__module__ == module.__name__
        and not name.startswith("_")
        and {"actor", "member"} <= set(inspect.signature(function).parameters)
    }
    assert writers == set(MANAGING) | set(REPORTING) | set(CONFIRMING)


@pytest.mark.parametrize(
    ("name", "call", "side", "role"), CASES, ids=[f"{name}-{side}-{role}" for name, _call, side, role in CASES]
)
def test_a_member_without_the_permission_is_refused_and_nothing_is_written(
    w: World, name: str, call: Call, side: str, role: str
) -> None:
    member = w.member(side, role)
    before = stored()
    with pytest.raises(PermissionRefused):
        call(w, member)
    assert stored() == before, name


# A contract manager of another buyer, and a contact of another supplier, hold the permission but not the
# agreement: refused as a 404 all the same (PermissionRefused, or the selector's Http404).
OTHER_BUYER = [
    name for name in MANAGING if name not in ("agreement_create", "agreements_create_bulk", "overdue_reminders_send")
]
OTHER_SUPPLIER = [name for name in REPORTING if name != "returns_import"]


@pytest.mark.parametrize("name", OTHER_BUYER)
def test_another_buyers_contract_manager_is_refused_on_this_agreement(w: World, tenant_b: Tenant, name: str) -> None:
    before = stored()
    with pytest.raises(Http404):
        MANAGING[name](w, tenant_b.manager_member())
    assert stored() == before


@pytest.mark.parametrize("name", OTHER_SUPPLIER)
def test_another_suppliers_contact_is_refused_on_this_agreement(w: World, tenant_b: Tenant, name: str) -> None:
    before = stored()
    with pytest.raises(Http404):
        REPORTING[name](w, tenant_b.supplier_member())
    assert stored() == before


def test_the_system_member_of_another_buyer_chases_none_of_this_ones_returns(w: World, tenant_b: Tenant) -> None:
    before = stored()
    result = services_status.overdue_reminders_send(
        actor=None, member=Member.system(tenant_b.buyer), today=date(2027, 12, 31)
    )
    assert (result.reminders, result.escalations) == ([], [])
    assert stored() == before
    chased = services_status.overdue_reminders_send(
        actor=None, member=Member.system(w.tenant.buyer), today=date(2027, 12, 31)
    )
    assert {reference for reference, _period, _to in chased.reminders} == {w.tenant.agreement.reference}


def test_a_system_member_is_refused_where_a_person_must_act(w: World) -> None:
    """The command line may manage contracts, but a line's review is recorded against a person."""
    with pytest.raises(ApplicationError, match="Only a person reviews a return line"):
        services_returns.return_line_review(
            actor=None, member=Member.system(w.tenant.buyer), line=w.line, decision=LineStatus.VERIFIED, reason=""
        )


# --- Reading writes nothing --------------------------------------------------------------------------


def test_reading_an_agreement_without_periods_writes_nothing(tenant_a: Tenant, client: Client) -> None:
    """The return page and the periods and returns API only read: a factory's agreement has no periods,
    and a GET does not make them (creating an agreement through the service does)."""
    agreement = tenant_a.agreement
    before = stored()
    client.force_login(tenant_a.supplier_user)
    page = client.get(reverse("delivery:return-submit", kwargs={"org": tenant_a.supplier.slug, "pk": agreement.pk}))
    assert page.status_code == 200
    detail = client.get(reverse("delivery:agreement-detail", kwargs={"org": "supplier-a", "pk": agreement.pk}))
    assert detail.status_code == 200
    token = api_token(tenant_a.supplier_user)
    headers = {"Authorization": f"Token {token.key}"}
    for name in ("api:period-list", "api:return-list"):
        response = client.get(
            reverse(name, kwargs={"org": tenant_a.supplier.slug, "pk": agreement.pk}), headers=headers
        )
        assert response.status_code == 200, name
    assert stored() == before
    assert not ReportingPeriod.objects.filter(agreement=agreement).exists()


def test_an_agreement_created_through_the_service_has_its_periods(tenant_a: Tenant) -> None:
    agreement = services_agreements.agreement_create(
        actor=tenant_a.manager,
        member=tenant_a.manager_member(),
        supplier=tenant_a.supplier,
        reference="P-1",
        title="Parks maintenance",
        value=Decimal("50000"),
        start_date=date(2026, 4, 1),
        end_date=date(2027, 3, 31),
        framework_version=tenant_a.agreement.framework_version,
    )
    labels = list(ReportingPeriod.objects.filter(agreement=agreement).values_list("label", flat=True))
    assert labels == [
        "Quarter 1 (April to June 2026)",
        "Quarter 2 (July to September 2026)",
        "Quarter 3 (October to December 2026)",
        "Quarter 4 (January to March 2027)",
    ]
    # A change of frequency makes them again; the quarters are kept (a return may point at one).
    services_agreements.agreement_update(
        actor=tenant_a.manager, member=tenant_a.manager_member(), agreement=agreement, return_frequency="half_yearly"
    )
    starts = list(ReportingPeriod.objects.filter(agreement=agreement).values_list("start_date", flat=True))
    assert date(2026, 10, 1) in starts and len(starts) == 4
    assert ReportingPeriod.objects.get(agreement=agreement, start_date=date(2026, 4, 1)).label == (
        "Half-year 1 (April to September 2026)"
    )
