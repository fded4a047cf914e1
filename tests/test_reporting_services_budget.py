"""The write side of the social value budget (commonweal/reporting/services_budget.py): departments and
their spend labels, financial years and their closing, budget lines one at a time and from XLSX. Each
rule and each refusal, with its message, changing nothing; the audit events; and a closed year's
figures, frozen, not moving when a return line is verified afterwards."""

import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.delivery import services_returns
from commonweal.delivery.models import Commitment, LineStatus, ReturnLine
from commonweal.frameworks.models import ValueSet
from commonweal.procurement.models import Procurement
from commonweal.reporting import services_budget as services
from commonweal.reporting.budget_lines_file import budget_line_rows_read, budget_lines_xlsx
from commonweal.reporting.models import BudgetLine, FinancialYear
from commonweal.reporting.selectors_budget import budget_compute, budget_get
from commonweal.tenancy.models import Department, DepartmentSpendLabel, Membership, Role
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member

from . import factories
from .conftest import Tenant
from .factories import evidence_file

D = Decimal
AFTER_2025_26 = datetime.date(2026, 4, 1)


def lead_of(tenant: Tenant) -> Member:
    """Tenant's contract manager, made its social value lead too."""
    Membership.objects.get_or_create(user=tenant.manager, organisation=tenant.buyer, role=Role.SOCIAL_VALUE_LEAD)
    return tenant.manager_member()


@pytest.fixture
def lead(tenant_a: Tenant) -> Member:
    return lead_of(tenant_a)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def refused(call: Any, **kwargs: Any) -> ApplicationError:
    """Call the service, expecting a refusal that stores nothing and records nothing."""
    audit_before = AuditEvent.objects.count()
    counts_before = [model.objects.count() for model in (Department, DepartmentSpendLabel, FinancialYear, BudgetLine)]
    with pytest.raises(ApplicationError) as raised:
        call(**kwargs)
    assert AuditEvent.objects.count() == audit_before
    assert [model.objects.count() for model in (Department, DepartmentSpendLabel, FinancialYear, BudgetLine)] == (
        counts_before
    )
    return raised.value


def department(member: Member, name: str, **labels: list[str]) -> Department:
    return services.department_create(actor=member.user, member=member, name=name, **labels)


def year(member: Member, start_year: int = 2025, value_set: ValueSet | None = None) -> FinancialYear:
    return services.year_create(actor=member.user, member=member, start_year=start_year, value_set=value_set)


# --- Departments ----------------------------------------------------------------------------------------


def test_a_department_is_created_with_its_spend_labels_and_audited(lead: Member) -> None:
    highways = department(
        lead, "  Highways  and Transport ", service_areas=["Highways", " highways ", ""], cost_centres=["CC-4120"]
    )
    assert highways.name == "Highways and Transport"
    assert sorted(highways.spend_labels.values_list("kind", "label")) == [
        ("cost_centre", "CC-4120"),
        ("service_area", "Highways"),
    ]
    [event] = events("department.created")
    assert event.actor == lead.user
    assert event.after == {"name": "Highways and Transport", "service_areas": ["Highways"], "cost_centres": ["CC-4120"]}


def test_department_names_are_required_and_unique_whatever_their_case(lead: Member) -> None:
    department(lead, "Libraries")
    error = refused(services.department_create, actor=lead.user, member=lead, name="  ")
    assert error.field_errors == {"name": "Enter the department’s name"}
    error = refused(services.department_create, actor=lead.user, member=lead, name="LIBRARIES")
    assert error.field_errors == {"name": "Your organisation already has a department called LIBRARIES"}
    error = refused(services.department_create, actor=lead.user, member=lead, name="x" * 201)
    assert error.field_errors == {"name": "The name must be 200 characters or fewer"}


def test_a_spend_label_belongs_to_one_department_and_the_refusal_names_the_one_that_has_it(lead: Member) -> None:
    department(lead, "Highways", service_areas=["Roads"], cost_centres=["CC-1"])
    error = refused(
        services.department_create,
        actor=lead.user,
        member=lead,
        name="Parks",
        service_areas=["roads"],
        cost_centres=["CC-1"],
    )
    assert error.field_errors == {
        "service_areas": "The service area “Roads” belongs to Highways: take it off Highways first",
        "cost_centres": "The cost centre “CC-1” belongs to Highways: take it off Highways first",
    }
    # The same text as a service area and as a cost centre are two labels.
    parks = department(lead, "Parks", cost_centres=["Roads"])
    assert list(parks.spend_labels.values_list("kind", "label")) == [("cost_centre", "Roads")]


def test_another_organisation_may_use_the_same_names_and_labels(lead: Member, tenant_b: Tenant) -> None:
    department(lead, "Highways", service_areas=["Roads"])
    other = department(lead_of(tenant_b), "Highways", service_areas=["Roads"])
    assert other.organisation == tenant_b.buyer


def test_updating_a_department_renames_it_and_replaces_its_labels_in_one_audited_event(lead: Member) -> None:
    highways = department(lead, "Highways", service_areas=["Roads", "Bridges"], cost_centres=["CC-1"])
    services.department_update(
        actor=lead.user,
        member=lead,
        department=highways,
        name="Highways and Transport",
        service_areas=["Roads", "Street lighting"],
        cost_centres=[],
    )
    highways.refresh_from_db()
    assert highways.name == "Highways and Transport"
    assert sorted(highways.spend_labels.values_list("label", flat=True)) == ["Roads", "Street lighting"]
    [event] = events("department.updated")
    assert event.before == {"name": "Highways", "service_areas": ["Bridges", "Roads"], "cost_centres": ["CC-1"]}
    assert event.after == {
        "name": "Highways and Transport",
        "service_areas": ["Roads", "Street lighting"],
        "cost_centres": [],
    }
    # Saving it unchanged records nothing; its own labels are not a clash with itself.
    services.department_update(
        actor=lead.user,
        member=lead,
        department=highways,
        name="Highways and Transport",
        service_areas=["Street lighting", "Roads"],
        cost_centres=[],
    )
    assert len(events("department.updated")) == 1


def test_a_department_cannot_take_another_departments_name_or_label(lead: Member) -> None:
    department(lead, "Libraries", cost_centres=["CC-9"])
    highways = department(lead, "Highways")
    error = refused(
        services.department_update,
        actor=lead.user,
        member=lead,
        department=highways,
        name="libraries",
        service_areas=[],
        cost_centres=["cc-9"],
    )
    assert error.field_errors == {
        "name": "Your organisation already has a department called libraries",
        "cost_centres": "The cost centre “CC-9” belongs to Libraries: take it off Libraries first",
    }
    highways.refresh_from_db()
    assert highways.name == "Highways"


def test_a_department_in_use_cannot_be_removed_and_says_what_uses_it(lead: Member, tenant_a: Tenant) -> None:
    highways = department(lead, "Highways", service_areas=["Roads"])
    tenant_a.agreement.department = highways
    tenant_a.agreement.save(update_fields=["department"])
    factories.AgreementFactory.create(organisation=tenant_a.buyer, department=highways)
    error = refused(services.department_remove, actor=lead.user, member=lead, department=highways)
    assert (
        error.message == "Highways cannot be removed while 2 agreements use it: move them to another department first."
    )
    budget_year = year(lead)
    services.budget_line_create(
        actor=lead.user,
        member=lead,
        year=budget_year,
        department=highways,
        measure_code=tenant_a.commitments[0].measure.code,
        target_quantity=D("5"),
    )
    error = refused(services.department_remove, actor=lead.user, member=lead, department=highways)
    assert error.message == (
        "Highways cannot be removed while 2 agreements and 1 budget line use it: move them to another department first."
    )


def test_a_department_used_by_a_procurement_cannot_be_removed(lead: Member, tenant_a: Tenant) -> None:
    parks = department(lead, "Parks")
    Procurement.objects.create(
        organisation=tenant_a.buyer,
        reference="P-1",
        title="Park maintenance",
        estimated_value=D("50000"),
        category="services",
        duration_months=12,
        department=parks,
    )
    error = refused(services.department_remove, actor=lead.user, member=lead, department=parks)
    assert error.message == "Parks cannot be removed while 1 procurement uses it: move it to another department first."


def test_an_unused_department_is_removed_with_its_labels_and_audited(lead: Member) -> None:
    parks = department(lead, "Parks", service_areas=["Parks and open spaces"])
    services.department_remove(actor=lead.user, member=lead, department=parks)
    assert not Department.objects.filter(name="Parks").exists()
    assert not DepartmentSpendLabel.objects.exists()
    [event] = events("department.removed")
    assert event.before == {"name": "Parks", "service_areas": ["Parks and open spaces"], "cost_centres": []}


def test_only_a_social_value_lead_writes_departments_years_and_lines(tenant_a: Tenant) -> None:
    manager = tenant_a.manager_member()  # a contract manager, not the lead
    with pytest.raises(PermissionRefused):
        services.department_create(actor=tenant_a.manager, member=manager, name="Highways")
    with pytest.raises(PermissionRefused):
        services.year_create(actor=tenant_a.manager, member=manager, start_year=2025)
    assert not Department.objects.exists() and not FinancialYear.objects.exists()


def test_a_lead_cannot_touch_another_organisations_department_or_year(lead: Member, tenant_b: Tenant) -> None:
    theirs = department(lead_of(tenant_b), "Theirs")
    their_year = year(lead_of(tenant_b))
    error = refused(services.department_remove, actor=lead.user, member=lead, department=theirs)
    assert error.message == "This belongs to another organisation."
    error = refused(services.year_close, actor=lead.user, member=lead, year=their_year, today=AFTER_2025_26)
    assert error.message == "This belongs to another organisation."


# --- Financial years ------------------------------------------------------------------------------------


def test_a_financial_year_is_created_with_a_value_set_and_audited(lead: Member, tenant_a: Tenant) -> None:
    values = factories.ValueSetFactory.create(organisation=tenant_a.buyer, code="green-book", title="Green Book")
    created = year(lead, 2026, values)
    assert (created.label, created.start_date, created.end_date) == (
        "2026/27",
        datetime.date(2026, 4, 1),
        datetime.date(2027, 3, 31),
    )
    [event] = events("financial_year.created")
    assert event.after == {"start_year": 2026, "value_set": "Green Book (green-book)", "closed_at": None}


@pytest.mark.parametrize(
    ("start_year", "message"),
    [
        (None, "Enter the year the financial year starts in, like 2026 for 2026/27"),
        (1989, "The year must be between 1990 and 2099"),
        (2100, "The year must be between 1990 and 2099"),
        (2025, "Your organisation already has the financial year 2025/26"),
    ],
)
def test_a_financial_year_must_be_in_range_and_new(lead: Member, start_year: int | None, message: str) -> None:
    year(lead, 2025)
    error = refused(services.year_create, actor=lead.user, member=lead, start_year=start_year)
    assert error.field_errors == {"start_year": message}


def test_a_year_takes_only_its_own_organisations_value_set(lead: Member, tenant_b: Tenant) -> None:
    theirs = factories.ValueSetFactory.create(organisation=tenant_b.buyer)
    error = refused(services.year_create, actor=lead.user, member=lead, start_year=2025, value_set=theirs)
    assert error.field_errors == {"value_set": "Choose one of your organisation’s value sets"}


def test_the_value_set_of_an_open_year_can_change_and_is_audited(lead: Member, tenant_a: Tenant) -> None:
    values = factories.ValueSetFactory.create(organisation=tenant_a.buyer, code="v1", title="Values")
    budget_year = year(lead)
    services.year_value_set_change(actor=lead.user, member=lead, year=budget_year, value_set=values)
    budget_year.refresh_from_db()
    assert budget_year.value_set == values
    [event] = events("financial_year.value_set_changed")
    assert (event.before["value_set"], event.after["value_set"]) == ("", "Values (v1)")
    # The same value set again changes nothing and records nothing.
    services.year_value_set_change(actor=lead.user, member=lead, year=budget_year, value_set=values)
    assert len(events("financial_year.value_set_changed")) == 1


def test_a_year_cannot_be_closed_before_31_march_has_passed(lead: Member) -> None:
    budget_year = year(lead, 2025)
    error = refused(
        services.year_close, actor=lead.user, member=lead, year=budget_year, today=datetime.date(2026, 3, 31)
    )
    assert error.message == "The financial year 2025/26 ends on 31 March 2026: it can be closed from 1 April 2026."
    budget_year.refresh_from_db()
    assert budget_year.closed_at is None and budget_year.frozen is None


def test_closing_a_year_freezes_its_figures_for_good(lead: Member, tenant_a: Tenant) -> None:
    values = factories.ValueSetFactory.create(organisation=tenant_a.buyer)
    budget_year = year(lead, 2025, values)
    closed = services.year_close(actor=lead.user, member=lead, year=budget_year, today=AFTER_2025_26)
    assert closed.is_closed and closed.closed_by == lead.user
    assert closed.frozen == budget_compute(organisation=tenant_a.buyer, year=closed, shares=True).as_dict()
    assert closed.frozen is not None and closed.frozen["closed"] is True
    [event] = events("financial_year.closed")
    assert event.after["as_at"] == "2026-03-31"
    # Closed is final: not closed again, no new value set, no budget lines.
    error = refused(services.year_close, actor=lead.user, member=lead, year=closed, today=AFTER_2025_26)
    closed_on = f"The financial year 2025/26 was closed on {closed.closed_at:%-d %B %Y}"
    assert error.message == f"{closed_on}: its figures and budget lines can no longer be changed."
    error = refused(services.year_value_set_change, actor=lead.user, member=lead, year=closed, value_set=None)
    assert error.message.startswith(closed_on)
    highways = department(lead, "Highways")
    error = refused(
        services.budget_line_create,
        actor=lead.user,
        member=lead,
        year=closed,
        department=highways,
        measure_code=tenant_a.commitments[0].measure.code,
        target_quantity=D("3"),
    )
    assert error.message.startswith(closed_on)


def _verify(tenant: Tenant, line: ReturnLine) -> None:
    services_returns.return_line_review(
        actor=tenant.manager, member=tenant.manager_member(), line=line, decision=LineStatus.VERIFIED, reason=""
    )


def test_a_closed_years_figures_do_not_change_when_a_return_line_is_verified_afterwards(
    lead: Member, tenant_a: Tenant
) -> None:
    """The agreement starts on 1 January 2026: its first quarterly return is for January to March 2026,
    which ends in 2025/26. One of its two lines is verified before the year is closed, one after."""
    highways = department(lead, "Highways")
    tenant_a.agreement.department = highways
    tenant_a.agreement.save(update_fields=["department"])
    first, second, _ = tenant_a.commitments
    Commitment.objects.filter(pk__in=[first.pk, second.pk]).update(due_date=datetime.date(2026, 3, 31))
    delivery_return = services_returns.return_submit(
        actor=tenant_a.supplier_user,
        member=tenant_a.supplier_member(),
        agreement=tenant_a.agreement,
        quantities={first.pk: D("4"), second.pk: D("2.5")},
        narrative="Four apprentices started; two and a half posts filled",
        evidence=evidence_file(),
    )
    assert delivery_return.period is not None and delivery_return.period.end_date == datetime.date(2026, 3, 31)
    line_one = delivery_return.lines.get(commitment=first)
    line_two = delivery_return.lines.get(commitment=second)
    _verify(tenant_a, line_one)
    budget_year = year(lead, 2025)
    services.budget_line_create(
        actor=lead.user,
        member=lead,
        year=budget_year,
        department=highways,
        measure_code=first.measure.code,
        target_quantity=D("10"),
    )

    def verified(figures_year: FinancialYear) -> dict[str, Decimal]:
        figures = budget_get(member=lead, year=figures_year)
        highways_figures = figures.department(highways.pk)
        assert highways_figures is not None
        return {measure.code: measure.quantities.verified for measure in highways_figures.measures}

    assert verified(budget_year) == {first.measure.code: D("4.00"), second.measure.code: D("0.00")}
    closed = services.year_close(actor=lead.user, member=lead, year=budget_year, today=AFTER_2025_26)
    _verify(tenant_a, line_two)
    closed.refresh_from_db()
    assert verified(closed) == {first.measure.code: D("4.00"), second.measure.code: D("0.00")}
    # Worked out now, the year would show the new verification: the frozen figures are what keeps it out.
    live = budget_compute(organisation=tenant_a.buyer, year=closed, shares=False).department(highways.pk)
    assert live is not None
    assert {measure.code: measure.quantities.verified for measure in live.measures}[second.measure.code] == D("2.50")
    figures = budget_get(member=lead, year=closed)
    [line_figures] = figures.department(highways.pk).lines  # type: ignore[union-attr]
    assert (line_figures.target, line_figures.actual.verified, line_figures.variance) == (
        D("10"),
        D("4.00"),
        D("-6.00"),
    )


# --- Budget lines ---------------------------------------------------------------------------------------


@pytest.fixture
def setting(lead: Member, tenant_a: Tenant) -> tuple[FinancialYear, Department, ValueSet]:
    values = factories.ValueSetFactory.create(organisation=tenant_a.buyer, code="local-values", title="Local values")
    return year(lead, 2026), department(lead, "Highways"), values


def test_a_quantity_line_and_an_amount_line_are_created_and_audited(
    lead: Member, tenant_a: Tenant, setting: tuple[FinancialYear, Department, ValueSet]
) -> None:
    budget_year, highways, values = setting
    first, second, _ = (commitment.measure for commitment in tenant_a.commitments)
    quantity_line = services.budget_line_create(
        actor=lead.user,
        member=lead,
        year=budget_year,
        department=highways,
        measure_code=first.code,
        target_quantity=D("12.5"),
        note="  Twelve and a half apprenticeships  ",
    )
    amount_line = services.budget_line_create(
        actor=lead.user,
        member=lead,
        year=budget_year,
        department=highways,
        measure_code=second.code,
        target_amount=D("25000"),
        amount_basis="Net",
        value_set=values,
    )
    assert (quantity_line.target_quantity, quantity_line.note, quantity_line.measure) == (
        D("12.50"),
        "Twelve and a half apprenticeships",
        first,
    )
    assert (amount_line.target_amount, amount_line.amount_basis, amount_line.value_set) == (
        D("25000.00"),
        "net",
        values,
    )
    created = events("budget_line.created")
    assert [event.trail_id for event in created] == [str(budget_year.pk)] * 2
    assert created[1].after == {
        "target_quantity": None,
        "target_amount": "25000.00",
        "amount_basis": "net",
        "note": "",
        "department": "Highways",
        "measure": second.code,
        "value_set": "Local values (local-values)",
    }


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({}, {"target_quantity": "Enter either a quantity of the measure or an amount in pounds"}),
        (
            {"target_quantity": D("3"), "target_amount": D("100")},
            {"target_quantity": "Enter a quantity or an amount in pounds, not both"},
        ),
        ({"target_quantity": D("-1")}, {"target_quantity": "The quantity must be 0 or more"}),
        ({"target_quantity": D("1.005")}, {"target_quantity": "Enter the quantity with no more than 2 decimal places"}),
        ({"target_quantity": D("1e12")}, {"target_quantity": "The quantity is too large"}),
        (
            {"target_quantity": D("3"), "amount_basis": "gross"},
            {"amount_basis": "Leave the basis blank for a quantity: it is only for an amount in pounds"},
        ),
        (
            {"target_amount": D("100")},
            {
                "amount_basis": "Choose whether the amount is gross or net",
                "value_set": "Choose the value set the amount is worked out with",
            },
        ),
        (
            {"target_amount": D("100"), "amount_basis": "both", "value_set": "own"},
            {"amount_basis": "Choose whether the amount is gross or net"},
        ),
        (
            {"target_quantity": D("3"), "value_set": "own"},
            {"value_set": "Leave the value set blank for a quantity: it is only for an amount in pounds"},
        ),
        ({"measure_code": ""}, {"measure_code": "Choose the measure"}),
        (
            {"measure_code": "NOPE.1"},
            {"measure_code": "NOPE.1 is not a measure of your organisation’s published frameworks"},
        ),
        ({"department": None}, {"department": "Choose the department"}),
        ({"note": "x" * 2001}, {"note": "The note must be 2000 characters or fewer"}),
    ],
)
def test_a_budget_line_is_a_quantity_or_an_amount_with_basis_and_value_set(
    lead: Member,
    tenant_a: Tenant,
    setting: tuple[FinancialYear, Department, ValueSet],
    values: dict[str, Any],
    errors: dict[str, str],
) -> None:
    budget_year, highways, value_set = setting
    arguments: dict[str, Any] = {"department": highways, "measure_code": tenant_a.commitments[0].measure.code, **values}
    if arguments.get("value_set") == "own":
        arguments["value_set"] = value_set
    if "target_quantity" not in arguments and "target_amount" not in arguments and "department" in values:
        arguments["target_quantity"] = D("1")
    if "measure_code" in values or "note" in values:
        arguments.setdefault("target_quantity", D("1"))
    error = refused(services.budget_line_create, actor=lead.user, member=lead, year=budget_year, **arguments)
    assert error.field_errors == errors


def test_measures_must_be_published_and_the_organisations_own(
    lead: Member, tenant_a: Tenant, tenant_b: Tenant, setting: tuple[FinancialYear, Department, ValueSet]
) -> None:
    budget_year, highways, _ = setting
    draft = factories.MeasureFactory.create(
        version=factories.FrameworkVersionFactory.create(organisation=tenant_a.buyer, status="draft"), code="DRAFT.1"
    )
    theirs = tenant_b.commitments[0].measure
    theirs.code = "THEIRS.1"
    theirs.save(update_fields=["code"])
    for code in (draft.code, theirs.code):
        error = refused(
            services.budget_line_create,
            actor=lead.user,
            member=lead,
            year=budget_year,
            department=highways,
            measure_code=code,
            target_quantity=D("1"),
        )
        assert error.field_errors == {
            "measure_code": f"{code} is not a measure of your organisation’s published frameworks"
        }


def test_one_line_per_department_and_measure_in_a_year(
    lead: Member, tenant_a: Tenant, setting: tuple[FinancialYear, Department, ValueSet]
) -> None:
    budget_year, highways, _ = setting
    code = tenant_a.commitments[0].measure.code
    services.budget_line_create(
        actor=lead.user, member=lead, year=budget_year, department=highways, measure_code=code, target_quantity=D("1")
    )
    error = refused(
        services.budget_line_create,
        actor=lead.user,
        member=lead,
        year=budget_year,
        department=highways,
        measure_code=code,
        target_quantity=D("2"),
    )
    assert error.field_errors == {"measure_code": f"Highways already has a budget line for {code} in 2026/27"}
    # Another department, or another year, may have one.
    parks = department(lead, "Parks")
    services.budget_line_create(
        actor=lead.user, member=lead, year=budget_year, department=parks, measure_code=code, target_quantity=D("1")
    )
    services.budget_line_create(
        actor=lead.user,
        member=lead,
        year=year(lead, 2027),
        department=highways,
        measure_code=code,
        target_quantity=D("1"),
    )
    assert BudgetLine.objects.count() == 3


def test_a_line_can_be_changed_from_a_quantity_to_an_amount_and_removed(
    lead: Member, tenant_a: Tenant, setting: tuple[FinancialYear, Department, ValueSet]
) -> None:
    budget_year, highways, values = setting
    code = tenant_a.commitments[0].measure.code
    line = services.budget_line_create(
        actor=lead.user, member=lead, year=budget_year, department=highways, measure_code=code, target_quantity=D("4")
    )
    services.budget_line_update(
        actor=lead.user,
        member=lead,
        line=line,
        department=highways,
        measure_code=code,
        target_amount=D("1500.5"),
        amount_basis="gross",
        value_set=values,
    )
    line.refresh_from_db()
    assert (line.target_quantity, line.target_amount, line.amount_basis, line.value_set) == (
        None,
        D("1500.50"),
        "gross",
        values,
    )
    [event] = events("budget_line.updated")
    assert (event.before["target_quantity"], event.after["target_amount"]) == ("4.00", "1500.50")
    # The same values again record nothing.
    services.budget_line_update(
        actor=lead.user,
        member=lead,
        line=line,
        department=highways,
        measure_code=code,
        target_amount=D("1500.50"),
        amount_basis="gross",
        value_set=values,
    )
    assert len(events("budget_line.updated")) == 1
    services.budget_line_remove(actor=lead.user, member=lead, line=line)
    assert not BudgetLine.objects.exists()
    [removed] = events("budget_line.removed")
    assert removed.before["target_amount"] == "1500.50" and removed.trail_id == str(budget_year.pk)


# --- Import and export ----------------------------------------------------------------------------------

HEADINGS = ["department", "measure code", "quantity", "amount", "basis", "value set code", "note"]


def workbook(rows: list[list[Any]], headings: list[str] = HEADINGS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "lines.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def import_file(member: Member, budget_year: FinancialYear, content: bytes) -> services.LinesImportResult:
    return services.budget_lines_file_import(actor=member.user, member=member, year=budget_year, file=upload(content))


def test_exported_lines_import_back_unchanged(
    lead: Member, tenant_a: Tenant, setting: tuple[FinancialYear, Department, ValueSet]
) -> None:
    budget_year, highways, values = setting
    first, second, _ = (commitment.measure.code for commitment in tenant_a.commitments)
    services.budget_line_create(
        actor=lead.user,
        member=lead,
        year=budget_year,
        department=highways,
        measure_code=first,
        target_quantity=D("12.25"),
        note="=SUM(A1:A2) is text, not a formula",
    )
    services.budget_line_create(
        actor=lead.user,
        member=lead,
        year=budget_year,
        department=highways,
        measure_code=second,
        target_amount=D("123456.78"),
        amount_basis="net",
        value_set=values,
    )
    content = budget_lines_xlsx(
        BudgetLine.objects.filter(year=budget_year).select_related("department", "measure", "value_set")
    )
    rows, problems = budget_line_rows_read(content=content)
    assert problems == []
    assert [
        (row.line, row.department, row.measure_code, row.quantity, row.amount, row.basis, row.value_set_code, row.note)
        for row in rows
    ] == [
        (2, "Highways", first, D("12.25"), None, "", "", "=SUM(A1:A2) is text, not a formula"),
        (3, "Highways", second, None, D("123456.78"), "net", "local-values", ""),
    ]
    audit_before = AuditEvent.objects.count()
    stored_before = list(BudgetLine.objects.order_by("pk").values())
    result = import_file(lead, budget_year, content)
    assert (result.created, result.updated, result.unchanged) == ([], [], [2, 3])
    assert AuditEvent.objects.count() == audit_before
    assert list(BudgetLine.objects.order_by("pk").values()) == stored_before


def test_an_import_adds_new_lines_and_changes_those_it_matches_by_department_and_measure(
    lead: Member, tenant_a: Tenant, setting: tuple[FinancialYear, Department, ValueSet]
) -> None:
    budget_year, highways, values = setting
    first, second, third = (commitment.measure.code for commitment in tenant_a.commitments)
    services.budget_line_create(
        actor=lead.user, member=lead, year=budget_year, department=highways, measure_code=first, target_quantity=D("1")
    )
    kept = services.budget_line_create(
        actor=lead.user, member=lead, year=budget_year, department=highways, measure_code=third, target_quantity=D("9")
    )
    content = workbook(
        [
            ["highways", first, 7, None, None, None, "Raised after the spring review"],
            ["Highways", second, None, "2,500.00", "Gross", "local-values", None],
        ]
    )
    result = import_file(lead, budget_year, content)
    assert [line.measure.code for line in result.created] == [second]
    assert [line.measure.code for line in result.updated] == [first]
    lines = {line.measure.code: line for line in BudgetLine.objects.filter(year=budget_year)}
    assert (lines[first].target_quantity, lines[first].note) == (D("7.00"), "Raised after the spring review")
    assert (lines[second].target_amount, lines[second].amount_basis, lines[second].value_set) == (
        D("2500.00"),
        "gross",
        values,
    )
    assert lines[third].pk == kept.pk and lines[third].target_quantity == D("9.00")  # not in the file: left alone
    [event] = events("budget_line.imported")
    assert event.after == {
        "created": [f"Highways: {second}"],
        "updated": [f"Highways: {first}"],
        "unchanged_lines": [],
    }
    # The same file again changes nothing.
    again = import_file(lead, budget_year, content)
    assert (again.created, again.updated, again.unchanged) == ([], [], [2, 3])
    assert len(events("budget_line.imported")) == 1


def test_an_import_with_bad_rows_stores_nothing_and_names_each_line_and_reason(
    lead: Member, tenant_a: Tenant, setting: tuple[FinancialYear, Department, ValueSet]
) -> None:
    budget_year, _, _ = setting
    first, second, _ = (commitment.measure.code for commitment in tenant_a.commitments)
    content = workbook(
        [
            ["Highways", first, 3, None, None, None, None],  # good
            ["Libraries", first, 3, None, None, None, None],
            ["Highways", "NOPE.1", 3, None, None, None, None],
            ["Highways", second, None, None, None, None, None],
            ["Highways", second, 2, 100, "gross", "local-values", None],
            ["Highways", second, None, 100, "both", "no-such-set", None],
            ["Highways", second, "three", None, None, None, None],
            ["Highways", first, 4, None, None, None, None],
            [None, None, -1, None, None, None, None],
        ]
    )
    with pytest.raises(services.LinesImportRefused) as raised:
        import_file(lead, budget_year, content)
    assert raised.value.message == "The file was not imported: it has 11 problems."
    assert raised.value.problems == [
        (3, "department “Libraries” is not one of your organisation’s departments"),
        (4, "measure code “NOPE.1” is not a measure of your organisation’s published frameworks"),
        (5, "enter either a quantity of the measure or an amount in pounds"),
        (6, "enter a quantity or an amount in pounds, not both"),
        (7, "choose whether the amount is gross or net"),
        (7, "value set code “no-such-set” is not one of your organisation’s value sets"),
        (8, "quantity “three” is not a number"),
        (9, "the same department and measure as line 2"),
        (10, "the department is missing"),
        (10, "the measure code is missing"),
        (10, "the quantity must be 0 or more"),
    ]
    assert not BudgetLine.objects.exists()
    assert not events("budget_line.imported")


@pytest.mark.parametrize(
    ("content", "name", "problems"),
    [
        (
            workbook([], ["department", "measure"]),
            "lines.xlsx",
            [
                (
                    1,
                    "unknown column “measure” (the columns are: department, measure code, quantity, amount, basis, "
                    "value set code, note)",
                ),
                (1, "the column “measure code” is missing"),
            ],
        ),
        (workbook([]), "lines.xlsx", [(1, "the file has headings but no budget lines")]),
        (
            b"PK\x03\x04 not really a workbook",
            "lines.xlsx",
            [(None, "the file is not an XLSX workbook that can be read: save it again as .xlsx")],
        ),
    ],
)
def test_an_unreadable_file_is_refused_with_the_reason(
    lead: Member, setting: tuple[FinancialYear, Department, ValueSet], content: bytes, name: str, problems: list[Any]
) -> None:
    with pytest.raises(services.LinesImportRefused) as raised:
        services.budget_lines_file_import(actor=lead.user, member=lead, year=setting[0], file=upload(content, name))
    assert raised.value.problems == problems


def test_only_xlsx_files_are_taken(lead: Member, setting: tuple[FinancialYear, Department, ValueSet]) -> None:
    with pytest.raises(ApplicationError) as raised:
        services.budget_lines_file_import(
            actor=lead.user, member=lead, year=setting[0], file=upload(b"department,measure code\n", "lines.csv")
        )
    assert raised.value.field_errors == {"lines_file": "The selected file must be a XLSX"}


def test_lines_of_a_closed_year_cannot_be_imported(lead: Member, tenant_a: Tenant) -> None:
    department(lead, "Highways")
    closed = services.year_close(actor=lead.user, member=lead, year=year(lead, 2025), today=AFTER_2025_26)
    content = workbook([["Highways", tenant_a.commitments[0].measure.code, 3, None, None, None, None]])
    with pytest.raises(ApplicationError) as raised:
        import_file(lead, closed, content)
    assert "its figures and budget lines can no longer be changed" in raised.value.message
    assert not BudgetLine.objects.exists()
