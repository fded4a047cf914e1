"""Departments, financial years and budget lines (commonweal/reporting/urls_budget_admin.py): each tenant
has a department with a cost centre, a financial year (tenant A's starts in 2025, tenant B's in 2024, so
tenant B's people asking for A's year under their own slug find none) and a budget line.

Only public bodies have these pages: tenant A's supplier contact gets 404 from every one. The manager is
also the social value lead, so may change everything; the 2025/26 year has ended, so it may be closed."""

import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from commonweal.frameworks.models import ValueSet
from commonweal.reporting import services_budget
from commonweal.reporting.models import BudgetLine, FinancialYear
from commonweal.tenancy.models import Department
from tests.conftest import Tenant

YEAR_KEY = "reporting:year"  # the key of tenant A's year's start year in the world's objects
A_DEPARTMENT = "Tenant A Highways department"
A_UNUSED_DEPARTMENT = "Tenant A department nothing uses"
A_COST_CENTRE = "Tenant A cost centre CC-A1"
A_LINE_NOTE = "Tenant A budget line note"
LEAK_MARKERS = [A_DEPARTMENT, A_UNUSED_DEPARTMENT, A_COST_CENTRE, A_LINE_NOTE]

ROUTES = [
    "department-list",
    "department-create",
    "department-update",
    "department-remove",
    "year-list",
    "year-create",
    "year-value-set",
    "year-close",
    "budget-line-list",
    "budget-line-create",
    "budget-line-update",
    "budget-line-remove",
    "budget-line-export",
    "budget-line-import",
]
PK_MODELS: dict[str, type[Model]] = {
    "reporting:department-update": Department,
    "reporting:department-remove": Department,
    "reporting:budget-line-update": BudgetLine,
    "reporting:budget-line-remove": BudgetLine,
}
OWNER_GET_STATUS: dict[str, dict[str, int]] = {f"reporting:{name}": {"supplier": 404} for name in ROUTES}
# Every page that changes something redirects the lead to a list when it has changed it.
OWNER_POST: dict[str, tuple[str, int]] = {
    f"reporting:{name}": ("manager", 302)
    for name in ROUTES
    if name not in ("department-list", "year-list", "budget-line-list", "budget-line-export")
}


def _objects(tenant: Tenant, label: str, start_year: int) -> tuple[Department, Department, FinancialYear, BudgetLine]:
    lead = tenant.manager_member()
    department = services_budget.department_create(
        actor=tenant.manager,
        member=lead,
        name=f"{label} Highways department",
        cost_centres=[f"{label} cost centre CC-A1"],
    )
    unused = services_budget.department_create(
        actor=tenant.manager, member=lead, name=f"{label} department nothing uses"
    )
    year = services_budget.year_create(actor=tenant.manager, member=lead, start_year=start_year)
    line = services_budget.budget_line_create(
        actor=tenant.manager,
        member=lead,
        year=year,
        department=department,
        measure_code=tenant.commitments[1].measure.code,
        target_quantity=Decimal("8"),
        note=f"{label} budget line note",
    )
    return department, unused, year, line


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    _objects(b, "Tenant B", 2024)
    department, unused, year, line = _objects(a, "Tenant A", 2025)
    return {
        Department: department.pk,
        "reporting:department-remove": unused.pk,
        BudgetLine: line.pk,
        YEAR_KEY: year.start_year,
    }


def _lines_file(tenant: Tenant) -> SimpleUploadedFile:
    """One new line for the tenant's first measure, in its first department."""
    department = Department.objects.filter(organisation=tenant.buyer).order_by("pk").first()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["department", "measure code", "quantity"])
    sheet.append([department.name if department else "", tenant.commitments[0].measure.code, 6])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("budget-lines.xlsx", out.getvalue())


def post_data(tenant: Tenant) -> dict[str, Any]:
    department = Department.objects.filter(organisation=tenant.buyer).order_by("pk").values_list("pk", flat=True)
    value_set = ValueSet.objects.filter(organisation=tenant.buyer).order_by("pk").values_list("pk", flat=True)
    return {
        # A department (a new name: added, or the first renamed and its cost centre taken off).
        "department-name": "Tenant new department",
        # A new year, and a value set for the open year (it has none).
        "year-start_year": "2031",
        "year-value_set": value_set.first() or "",
        # A line for the tenant's first measure (its line is for the second), and a file with one.
        "line-department": department.first() or "",
        "line-measure_code": tenant.commitments[0].measure.code,
        "line-target_quantity": "7",
        "upload-lines_file": _lines_file(tenant),
    }
