"""Every writing service of spend refuses a member without MANAGE_SPEND, and writes nothing.

The refused are a public body's viewer and contract manager (a member of the right organisation in the
wrong role) and a supplier's contact (the wrong kind of organisation). A social value lead of another
council is refused another council's objects. The world is built once for the module, in a transaction
rolled back at its end; each test runs in its own savepoint inside it.
"""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commonweal.accounts.models import User
from commonweal.core.models import AuditEvent
from commonweal.spend import services_imports, services_lm3, services_suppliers
from commonweal.spend.models import (
    ImportStatus,
    Label,
    LivingWageEmployer,
    Lm3Response,
    Lm3Survey,
    SpendImport,
    SpendPolicy,
    SpendSource,
    Supplier,
    SupplierAlias,
    SupplierLabel,
)
from commonweal.spend.rules import PolicyRule
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.permissions import Permission, PermissionRefused, has_permission
from commonweal.tenancy.selectors import Member, member_access

from .conftest import built_once
from .factories import OrganisationFactory, SupplierFactory, member_user

CSV = b"Date,Supplier Name,Amount\n01/04/2024,Acme Ltd,10.00\n"


@dataclass
class World:
    council: Organisation
    people: dict[str, User]  # refused and allowed people, by role name
    supplier: Supplier
    awaiting: SpendImport  # an upload waiting for its columns
    queued: SpendImport
    succeeded: SpendImport
    survey: Lm3Survey
    response: Lm3Response
    spend_file: Path

    def member(self, who: str) -> Member:
        user = self.people[who]
        return member_access(user=user, slug=user.memberships.get().organisation.slug)


def _spend_import(council: Organisation, name: str, status: str, **fields: Any) -> SpendImport:
    return SpendImport.objects.create(
        organisation=council, original_name=name, sha256=name.ljust(64, "0"), status=status, **fields
    )


def _world_build(spend_file: Path) -> World:
    council = OrganisationFactory.create(name="Permission Council", slug="permission-council")
    other = OrganisationFactory.create(name="Other Council", slug="other-council")
    firm = SupplierFactory.create(name="Permission Firm Ltd", slug="permission-firm")
    people = {
        "viewer": member_user(council, Role.VIEWER),
        "contract manager": member_user(council, Role.CONTRACT_MANAGER),
        "evaluator": member_user(council, Role.EVALUATOR),
        "supplier contact": member_user(firm, Role.SUPPLIER_CONTACT),
        "other council's lead": member_user(other, Role.SOCIAL_VALUE_LEAD),
        "lead": member_user(council, Role.SOCIAL_VALUE_LEAD),
    }
    supplier = Supplier.objects.create(organisation=council, name="Acme Ltd", normalised_name="ACME LTD")
    SupplierLabel.objects.create(
        organisation=council,
        supplier=supplier,
        label=Label.LOCAL,
        source="manual",
        value=True,
        is_override=True,
        reason="Checked",
    )
    survey = Lm3Survey.objects.create(
        organisation=council,
        title="Suppliers 2024-25",
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 3, 31),
    )
    response = Lm3Response.objects.create(
        organisation=council,
        survey=survey,
        kind="supplier",
        respondent="Someone",
        local_supplier_share=Decimal("0.1"),
    )
    return World(
        council=council,
        people=people,
        supplier=supplier,
        awaiting=_spend_import(council, "awaiting.csv", ImportStatus.AWAITING_MAPPING, upload_path="uploads/none.csv"),
        queued=_spend_import(council, "queued.csv", ImportStatus.QUEUED, upload_path="uploads/none.csv"),
        succeeded=_spend_import(council, "done.csv", ImportStatus.SUCCEEDED, parquet_path="1/1/payments.parquet"),
        survey=survey,
        response=response,
        spend_file=spend_file,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    spend_file = tmp_path_factory.mktemp("spend") / "payments.csv"
    spend_file.write_bytes(CSV)
    yield from built_once(django_db_blocker, lambda: _world_build(spend_file))


Call = Callable[[World, Member, User], object]
SERVICES: dict[str, Call] = {
    "spend_import_file": lambda w, member, actor: services_imports.spend_import_file(
        actor=actor, member=member, path=w.spend_file
    ),
    "spend_upload_create": lambda w, member, actor: services_imports.spend_upload_create(
        actor=actor, member=member, upload=SimpleUploadedFile("payments.csv", CSV), source_name="Ledger"
    ),
    "spend_import_mapping_confirm": lambda w, member, actor: services_imports.spend_import_mapping_confirm(
        actor=actor, member=member, spend_import=w.awaiting, mapping={"supplier_name": "Supplier Name"}
    ),
    "spend_import_run": lambda w, member, actor: services_imports.spend_import_run(
        actor=actor, member=member, import_id=w.queued.pk
    ),
    "supplier_registry_update": lambda w, member, actor: services_suppliers.supplier_registry_update(
        actor=actor, member=member, spend_import=w.succeeded, facts={}
    ),
    "supplier_classify": lambda w, member, actor: services_suppliers.supplier_classify(actor=actor, member=member),
    "supplier_override_set": lambda w, member, actor: services_suppliers.supplier_override_set(
        actor=actor, member=member, supplier=w.supplier, label=Label.SME, value=True, reason="Its accounts"
    ),
    "supplier_override_remove": lambda w, member, actor: services_suppliers.supplier_override_remove(
        actor=actor, member=member, supplier=w.supplier, label=Label.LOCAL
    ),
    "spend_policy_update": lambda w, member, actor: services_suppliers.spend_policy_update(
        actor=actor,
        member=member,
        local_district_codes=["E08000009"],
        rules=[PolicyRule(field="expense_type", contains="precept")],
    ),
    "living_wage_list_load": lambda w, member, actor: services_suppliers.living_wage_list_load(
        actor=actor, member=member, content=b"Employer\nAcme Ltd\n", filename="rlw.csv"
    ),
    "supplier_flags_apply": lambda w, member, actor: services_suppliers.supplier_flags_apply(
        actor=actor, member=member, files=[("sizes.csv", b"name,size\nAcme Ltd,small\n")]
    ),
    "lm3_survey_create": lambda w, member, actor: services_lm3.lm3_survey_create(
        actor=actor,
        member=member,
        title="Another survey",
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 3, 31),
    ),
    "lm3_response_add": lambda w, member, actor: services_lm3.lm3_response_add(
        actor=actor,
        member=member,
        survey=w.survey,
        kind="supplier",
        supplier_id=None,
        respondent="Another",
        local_supplier_share=Decimal("0.2"),
    ),
    "lm3_responses_upload": lambda w, member, actor: services_lm3.lm3_responses_upload(
        actor=actor,
        member=member,
        survey=w.survey,
        content=b"kind,respondent,local_supplier_percent\nsupplier,Another,20\n",
        filename="answers.csv",
    ),
    "lm3_response_remove": lambda w, member, actor: services_lm3.lm3_response_remove(
        actor=actor, member=member, response=w.response
    ),
}
# The services that take an object of an organisation (the others act on the member's own).
TAKES_AN_OBJECT = [
    "spend_import_mapping_confirm",
    "spend_import_run",
    "supplier_registry_update",
    "supplier_override_set",
    "supplier_override_remove",
    "lm3_response_add",
    "lm3_responses_upload",
    "lm3_response_remove",
]
REFUSED = ["viewer", "contract manager", "evaluator", "supplier contact"]
MODELS = [
    AuditEvent,
    SpendImport,
    SpendSource,
    Supplier,
    SupplierAlias,
    SupplierLabel,
    SpendPolicy,
    LivingWageEmployer,
    Lm3Survey,
    Lm3Response,
]


def _state() -> dict[str, object]:
    """Everything a spend write could change: row counts, import statuses, labels' values."""
    state: dict[str, object] = {model.__name__: model._default_manager.count() for model in MODELS}
    state["imports"] = sorted(SpendImport.objects.values_list("pk", "status", "column_mapping", "upload_path"))
    state["labels"] = sorted(SupplierLabel.objects.values_list("pk", "value", "reason", "detail"))
    return state


@pytest.mark.django_db
@pytest.mark.parametrize("who", REFUSED)
@pytest.mark.parametrize("service", list(SERVICES))
def test_a_member_who_may_not_manage_spend_is_refused_and_nothing_is_written(
    world: World, service: str, who: str
) -> None:
    member = world.member(who)
    assert not has_permission(member, Permission.MANAGE_SPEND)
    before = _state()
    with pytest.raises(PermissionRefused):
        SERVICES[service](world, member, world.people[who])
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("service", TAKES_AN_OBJECT)
def test_another_councils_lead_is_refused_this_councils_objects(world: World, service: str) -> None:
    who = "other council's lead"
    member = world.member(who)
    assert has_permission(member, Permission.MANAGE_SPEND)
    before = _state()
    with pytest.raises(PermissionRefused):
        SERVICES[service](world, member, world.people[who])
    assert _state() == before


@pytest.mark.django_db
def test_the_lead_and_the_system_hold_the_permission_the_services_require(world: World) -> None:
    assert has_permission(world.member("lead"), Permission.MANAGE_SPEND)
    assert has_permission(Member.system(world.council), Permission.MANAGE_SPEND)
    # The system member of one council holds nothing at another.
    other = world.member("other council's lead").organisation
    with pytest.raises(PermissionRefused):
        services_suppliers.supplier_override_remove(
            actor=None, member=Member.system(other), supplier=world.supplier, label=Label.LOCAL
        )
