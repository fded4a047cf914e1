"""Departments, financial years and budget lines (commonweal/reporting/urls_budget_admin.py): each tenant
has a department with a cost centre and a budget line in the year tests/isolation/reporting_budget.py
makes it (tenant A's starts in 2026, tenant B's in 2031, so tenant B's people asking for A's year under
their own slug find none). Tenant A also has 2025/26, which has ended: closing is tried on that one.

Only public bodies have these pages: tenant A's supplier contact gets 404 from every one. The manager is
also the social value lead, so may change everything."""

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

ENDED_YEAR = 2019  # ended, so it may be closed; not one of the years reporting_report.py makes (2021–2025)
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


def _objects(tenant: Tenant, label: str) -> tuple[Department, Department, BudgetLine]:
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
    # The year reporting_budget.py makes for the tenant (areas are built in the order of their names).
    year = FinancialYear.objects.get(organisation=tenant.buyer)
    line = services_budget.budget_line_create(
        actor=tenant.manager,
        member=lead,
        year=year,
        department=department,
        measure_code=tenant.commitments[1].measure.code,
        target_quantity=Decimal("8"),
        note=f"{label} budget line note",
    )
    return department, unused, line


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    _objects(b, "Tenant B")
    department, unused, line = _objects(a, "Tenant A")
    services_budget.year_create(actor=a.manager, member=a.manager_member(), start_year=ENDED_YEAR)
    return {
        Department: department.pk,
        "reporting:department-remove": unused.pk,
        BudgetLine: line.pk,
        ("reporting:year-close", "year"): ENDED_YEAR,
    }


def _department(tenant: Tenant) -> Department | None:
    """The tenant's department with a cost centre (made here)."""
    return Department.objects.filter(organisation=tenant.buyer, spend_labels__isnull=False).first()


def _lines_file(tenant: Tenant) -> SimpleUploadedFile:
    """One new line for the tenant's first measure, in its department."""
    department = _department(tenant)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["department", "measure code", "quantity"])
    sheet.append([department.name if department else "", tenant.commitments[0].measure.code, 6])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("budget-lines.xlsx", out.getvalue())


def post_data(tenant: Tenant) -> dict[str, Any]:
    department = _department(tenant)
    value_set = ValueSet.objects.filter(organisation=tenant.buyer).order_by("pk").values_list("pk", flat=True)
    return {
        # A department (a new name: added, or the first renamed and its cost centre taken off).
        "department-name": "Tenant new department",
        # A new year, and a value set for the open year (it has none).
        "year-start_year": "2031",
        "year-value_set": value_set.first() or "",
        # A line for the tenant's first measure (its line is for the second), and a file with one.
        "line-department": department.pk if department else "",
        "line-measure_code": tenant.commitments[0].measure.code,
        "line-target_quantity": "7",
        "upload-lines_file": _lines_file(tenant),
    }
