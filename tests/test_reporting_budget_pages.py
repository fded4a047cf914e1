"""The department, financial year and budget line pages: what a social value lead can do through them,
the errors they show, the XLSX download and upload, and that they are read-only for everyone else (no
buttons; every page that changes something is a 404, and a POST to it stores nothing)."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from commonweal.core.models import AuditEvent
from commonweal.reporting import services_budget as services
from commonweal.reporting.models import BudgetLine, FinancialYear
from commonweal.tenancy.models import Department, DepartmentSpendLabel, Role
from commonweal.tenancy.selectors import Member

from . import factories
from .conftest import Tenant
from .test_reporting_services_budget import lead_of, workbook

D = Decimal


def url(name: str, tenant: Tenant, **kwargs: object) -> str:
    return reverse(f"reporting:{name}", kwargs={"org": tenant.buyer.slug, **kwargs})


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


@pytest.fixture
def lead(tenant_a: Tenant, client: Client) -> Member:
    member = lead_of(tenant_a)
    client.force_login(tenant_a.manager)
    return member


@pytest.fixture
def budget(lead: Member, tenant_a: Tenant) -> tuple[FinancialYear, Department, BudgetLine]:
    highways = services.department_create(
        actor=lead.user, member=lead, name="Highways", service_areas=["Roads"], cost_centres=["CC-4120"]
    )
    tenant_a.agreement.department = highways
    tenant_a.agreement.save(update_fields=["department"])
    year = services.year_create(actor=lead.user, member=lead, start_year=2025)
    line = services.budget_line_create(
        actor=lead.user,
        member=lead,
        year=year,
        department=highways,
        measure_code=tenant_a.commitments[0].measure.code,
        target_quantity=D("12.5"),
        note="From the highways plan",
    )
    return year, highways, line


# --- Departments ----------------------------------------------------------------------------------------


def test_the_lead_sees_departments_with_agreements_and_labels_and_may_change_them(
    client: Client, tenant_a: Tenant, budget: tuple[FinancialYear, Department, BudgetLine]
) -> None:
    page = text(client.get(url("department-list", tenant_a)))
    assert "Add a department" in page
    row = page[page.index('<th scope="row" class="govuk-table__header">Highways</th>') :].split("</tr>")[0]
    assert '<td class="govuk-table__cell app-table-numeric">1</td>' in row
    assert "Roads<br>" in row and "CC-4120<br>" in row
    assert 'Change<span class="govuk-visually-hidden"> Highways</span>' in row


def test_adding_a_department_through_the_page(client: Client, tenant_a: Tenant, lead: Member) -> None:
    response = client.post(
        url("department-create", tenant_a),
        {"department-name": "Adult Social Care", "department-service_areas": "Adult care\nCare homes\n"},
    )
    assert response.status_code == 302 and response["Location"] == url("department-list", tenant_a)
    care = Department.objects.get(name="Adult Social Care")
    assert sorted(care.spend_labels.values_list("label", flat=True)) == ["Adult care", "Care homes"]
    # A label another department has is shown on the field, naming that department.
    response = client.post(
        url("department-create", tenant_a), {"department-name": "Care", "department-service_areas": "care homes"}
    )
    assert response.status_code == 200
    assert "The service area “Care homes” belongs to Adult Social Care: take it off Adult Social Care first" in text(
        response
    )
    assert Department.objects.count() == 1


def test_changing_a_department_shows_its_labels_and_saves_them(
    client: Client, tenant_a: Tenant, budget: tuple[FinancialYear, Department, BudgetLine]
) -> None:
    _, highways, _ = budget
    page = text(client.get(url("department-update", tenant_a, pk=highways.pk)))
    assert 'value="Highways"' in page and ">\nRoads</textarea>" in page
    response = client.post(
        url("department-update", tenant_a, pk=highways.pk),
        {"department-name": "Highways and Transport", "department-service_areas": "Roads\nBus services"},
    )
    assert response.status_code == 302
    assert sorted(DepartmentSpendLabel.objects.values_list("label", flat=True)) == ["Bus services", "Roads"]


def test_a_department_in_use_shows_why_it_cannot_be_removed_and_offers_no_button(
    client: Client, tenant_a: Tenant, budget: tuple[FinancialYear, Department, BudgetLine]
) -> None:
    _, highways, _ = budget
    page = text(client.get(url("department-remove", tenant_a, pk=highways.pk)))
    assert (
        "Highways cannot be removed while 1 agreement and 1 budget line use it: move them to another department first."
        in page
    )
    assert "Remove the department</button>" not in page
    response = client.post(url("department-remove", tenant_a, pk=highways.pk))
    assert response.status_code == 200
    assert Department.objects.filter(pk=highways.pk).exists()


def test_an_unused_department_is_removed_through_the_page(client: Client, tenant_a: Tenant, lead: Member) -> None:
    parks = services.department_create(actor=lead.user, member=lead, name="Parks")
    assert "Remove the department</button>" in text(client.get(url("department-remove", tenant_a, pk=parks.pk)))
    response = client.post(url("department-remove", tenant_a, pk=parks.pk))
    assert response.status_code == 302
    assert not Department.objects.exists()


# --- Years ----------------------------------------------------------------------------------------------


def test_the_years_page_lists_each_year_with_its_lines_and_status(
    client: Client, tenant_a: Tenant, lead: Member, budget: tuple[FinancialYear, Department, BudgetLine]
) -> None:
    services.year_create(actor=lead.user, member=lead, start_year=2030)
    page = text(client.get(url("year-list", tenant_a)))
    assert "Add a financial year" in page
    assert page.index("2030/31") < page.index("2025/26")  # newest first
    row_2025 = page[page.index("2025/26") :].split("</tr>")[0]
    assert ">1<span" in row_2025  # one budget line
    assert "Ended</strong> not yet closed" in row_2025 and "Close the year" in row_2025
    row_2030 = page[page.index("2030/31") :].split("</tr>")[0]
    assert "Open</strong>" in row_2030 and "Close the year" not in row_2030


def test_adding_a_year_through_the_page_with_its_errors(client: Client, tenant_a: Tenant, lead: Member) -> None:
    values = factories.ValueSetFactory.create(organisation=tenant_a.buyer, title="Green Book values")
    page = text(client.get(url("year-create", tenant_a)))
    assert "Green Book values" in page
    response = client.post(url("year-create", tenant_a), {"year-start_year": "26"})
    assert "The year must be between 1990 and 2099" in text(response)
    response = client.post(url("year-create", tenant_a), {"year-start_year": "2026", "year-value_set": str(values.pk)})
    assert response.status_code == 302
    assert FinancialYear.objects.get(organisation=tenant_a.buyer).value_set == values


def test_the_close_page_says_what_closing_does_and_closes_the_year(
    client: Client, tenant_a: Tenant, budget: tuple[FinancialYear, Department, BudgetLine]
) -> None:
    year, _, _ = budget
    page = text(client.get(url("year-close", tenant_a, year=2025)))
    assert "A closed year cannot be reopened." in page
    assert "returns verified later, or changes to agreements, no longer change them" in page
    assert "Close the year</button>" in page
    response = client.post(url("year-close", tenant_a, year=2025))
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.is_closed and year.frozen is not None
    assert [event.action for event in AuditEvent.objects.filter(action="financial_year.closed")] == [
        "financial_year.closed"
    ]
    # Closed: the page says so and offers no button; the lines page offers no changes.
    page = text(client.get(url("year-close", tenant_a, year=2025)))
    assert "was closed on" in page and "Close the year</button>" not in page
    lines_page = text(client.get(url("budget-line-list", tenant_a, year=2025)))
    assert "its budget lines can no longer be changed" in lines_page
    assert "Add a budget line" not in lines_page and "Download as XLSX" in lines_page


def test_a_year_not_yet_ended_cannot_be_closed_from_its_page(client: Client, tenant_a: Tenant, lead: Member) -> None:
    services.year_create(actor=lead.user, member=lead, start_year=2099)
    page = text(client.get(url("year-close", tenant_a, year=2099)))
    assert "The financial year 2099/00 ends on 31 March 2100: it can be closed from 1 April 2100." in page
    assert "Close the year</button>" not in page
    response = client.post(url("year-close", tenant_a, year=2099))
    assert response.status_code == 200
    assert not FinancialYear.objects.get(start_year=2099).is_closed


# --- Budget lines ---------------------------------------------------------------------------------------


def test_the_lines_page_lists_lines_with_their_targets(
    client: Client, tenant_a: Tenant, budget: tuple[FinancialYear, Department, BudgetLine]
) -> None:
    _, _, line = budget
    page = text(client.get(url("budget-line-list", tenant_a, year=2025)))
    assert ">12.5\n</td>" in page and "From the highways plan" in page
    assert "Add a budget line" in page and "Upload lines" in page
    assert url("budget-line-update", tenant_a, year=2025, pk=line.pk) in page


def test_adding_a_line_through_the_page_with_its_errors(
    client: Client, tenant_a: Tenant, budget: tuple[FinancialYear, Department, BudgetLine]
) -> None:
    _, highways, _ = budget
    code = tenant_a.commitments[1].measure.code
    form = {
        "line-department": highways.pk,
        "line-measure_code": code,
        "line-target_quantity": "3",
        "line-target_amount": "100",
    }
    response = client.post(url("budget-line-create", tenant_a, year=2025), form)
    assert response.status_code == 200
    assert "Enter a quantity or an amount in pounds, not both" in text(response)
    response = client.post(url("budget-line-create", tenant_a, year=2025), {**form, "line-target_amount": ""})
    assert response.status_code == 302
    assert BudgetLine.objects.get(measure__code=code).target_quantity == D("3.00")


def test_changing_and_removing_a_line_through_the_pages(
    client: Client, tenant_a: Tenant, budget: tuple[FinancialYear, Department, BudgetLine]
) -> None:
    _, highways, line = budget
    values = factories.ValueSetFactory.create(organisation=tenant_a.buyer)
    edit = url("budget-line-update", tenant_a, year=2025, pk=line.pk)
    assert 'value="12.50"' in text(client.get(edit))
    response = client.post(
        edit,
        {
            "line-department": highways.pk,
            "line-measure_code": line.measure.code,
            "line-target_amount": "5000",
            "line-amount_basis": "net",
            "line-value_set": values.pk,
        },
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.target_quantity, line.target_amount, line.amount_basis) == (None, D("5000.00"), "net")
    response = client.post(url("budget-line-remove", tenant_a, year=2025, pk=line.pk))
    assert response.status_code == 302
    assert not BudgetLine.objects.exists()


def test_a_line_is_found_only_under_its_own_year(
    client: Client, tenant_a: Tenant, lead: Member, budget: tuple[FinancialYear, Department, BudgetLine]
) -> None:
    _, _, line = budget
    services.year_create(actor=lead.user, member=lead, start_year=2026)
    assert client.get(url("budget-line-update", tenant_a, year=2026, pk=line.pk)).status_code == 404
    assert client.get(url("budget-line-list", tenant_a, year=2031)).status_code == 404


def test_the_download_is_an_xlsx_of_the_lines_that_uploads_back_unchanged(
    client: Client, tenant_a: Tenant, budget: tuple[FinancialYear, Department, BudgetLine]
) -> None:
    response = client.get(url("budget-line-export", tenant_a, year=2025))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="council-a-budget-lines-2025.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["department", "measure code", "quantity", "amount", "basis", "value set code", "note"],
        ["Highways", tenant_a.commitments[0].measure.code, 12.5, None, None, None, "From the highways plan"],
    ]
    upload = SimpleUploadedFile("lines.xlsx", response.content)
    response = client.post(url("budget-line-import", tenant_a, year=2025), {"upload-lines_file": upload}, follow=True)
    assert "0 budget lines added, 0 changed; 1 already as the file says and left as they were." in text(response)


def test_an_upload_with_bad_rows_lists_each_line_and_stores_nothing(
    client: Client, tenant_a: Tenant, budget: tuple[FinancialYear, Department, BudgetLine]
) -> None:
    code = tenant_a.commitments[1].measure.code
    content = workbook([["Highways", code, 4, None, None, None, None], ["Libraries", code, 4, None, None, None, None]])
    response = client.post(
        url("budget-line-import", tenant_a, year=2025), {"upload-lines_file": SimpleUploadedFile("lines.xlsx", content)}
    )
    page = text(response)
    assert response.status_code == 200
    assert "The file was not imported: it has 1 problem" in page
    assert '<td class="govuk-table__cell app-table-numeric">3</td>' in page
    assert "department “Libraries” is not one of your organisation’s departments" in page
    assert BudgetLine.objects.count() == 1


# --- Read-only for everyone else ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CONTRACT_MANAGER, Role.VIEWER, Role.PROCUREMENT_OFFICER])
def test_members_who_are_not_the_lead_read_without_buttons_and_get_404_for_every_change(
    client: Client, tenant_a: Tenant, budget: tuple[FinancialYear, Department, BudgetLine], role: str
) -> None:
    _, highways, line = budget
    client.force_login(factories.member_user(tenant_a.buyer, role))
    for name, kwargs in [("department-list", {}), ("year-list", {}), ("budget-line-list", {"year": 2025})]:
        response = client.get(url(name, tenant_a, **kwargs))
        assert response.status_code == 200, name
        page = text(response)
        for button in ("Add a department", "Add a financial year", "Close the year", "Add a budget line", "Upload"):
            assert button not in page, (name, button)
        assert ">Change<" not in page and ">Remove<" not in page
    assert "Download as XLSX" in text(client.get(url("budget-line-list", tenant_a, year=2025)))
    assert client.get(url("budget-line-export", tenant_a, year=2025)).status_code == 200
    audit_events = AuditEvent.objects.count()
    changes = [
        ("department-create", {}),
        ("department-update", {"pk": highways.pk}),
        ("department-remove", {"pk": highways.pk}),
        ("year-create", {}),
        ("year-value-set", {"year": 2025}),
        ("year-close", {"year": 2025}),
        ("budget-line-create", {"year": 2025}),
        ("budget-line-update", {"year": 2025, "pk": line.pk}),
        ("budget-line-remove", {"year": 2025, "pk": line.pk}),
        ("budget-line-import", {"year": 2025}),
    ]
    for name, kwargs in changes:
        assert client.get(url(name, tenant_a, **kwargs)).status_code == 404, name
        response = client.post(
            url(name, tenant_a, **kwargs), {"department-name": "Taken over", "year-start_year": "2040"}
        )
        assert response.status_code == 404, name
    assert AuditEvent.objects.count() == audit_events
    assert Department.objects.get().name == "Highways" and not FinancialYear.objects.get().is_closed


def test_a_supplier_gets_404_for_the_budget_pages(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.supplier_user)
    for name in ("department-list", "year-list"):
        assert client.get(reverse(f"reporting:{name}", kwargs={"org": tenant_a.supplier.slug})).status_code == 404


def test_the_dashboard_links_to_the_budget_and_departments(client: Client, tenant_a: Tenant, lead: Member) -> None:
    page = text(client.get(reverse("delivery:dashboard", kwargs={"org": tenant_a.buyer.slug})))
    assert url("year-list", tenant_a) in page and url("department-list", tenant_a) in page


@pytest.mark.django_db(transaction=True)
def test_the_budget_pages_committed(tenant_a: Tenant, client: Client) -> None:
    """Every service of the budget that locks a row, through its page, committed for real: on PostgreSQL
    this fails if one locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    lead_of(tenant_a)
    client.force_login(tenant_a.manager)
    values = factories.ValueSetFactory.create(organisation=tenant_a.buyer)
    code = tenant_a.commitments[0].measure.code
    posts = [
        ("department-create", {}, {"department-name": "Parks"}),
        ("year-create", {}, {"year-start_year": "2025"}),
        ("year-value-set", {"year": 2025}, {"year-value_set": values.pk}),
    ]
    for name, kwargs, data in posts:
        assert client.post(url(name, tenant_a, **kwargs), data).status_code == 302, name
    parks = Department.objects.get()
    assert client.post(url("department-update", tenant_a, pk=parks.pk), {"department-name": "Parks"}).status_code == 302
    line_form = {"line-department": parks.pk, "line-measure_code": code, "line-target_quantity": "3"}
    assert client.post(url("budget-line-create", tenant_a, year=2025), line_form).status_code == 302
    line = BudgetLine.objects.get()
    edited = {**line_form, "line-target_quantity": "4"}
    assert client.post(url("budget-line-update", tenant_a, year=2025, pk=line.pk), edited).status_code == 302
    assert client.post(url("budget-line-remove", tenant_a, year=2025, pk=line.pk)).status_code == 302
    upload = SimpleUploadedFile("lines.xlsx", workbook([["Parks", code, 5, None, None, None, None]]))
    assert client.post(url("budget-line-import", tenant_a, year=2025), {"upload-lines_file": upload}).status_code == 302
    assert client.post(url("year-close", tenant_a, year=2025)).status_code == 302
    assert FinancialYear.objects.get().is_closed
    other = services.department_create(actor=tenant_a.manager, member=tenant_a.manager_member(), name="Unused")
    assert client.post(url("department-remove", tenant_a, pk=other.pk)).status_code == 302
    assert list(BudgetLine.objects.values_list("target_quantity", flat=True)) == [D("5.00")]
