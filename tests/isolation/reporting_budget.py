"""Isolation registrations for the social value budget's pages (commonweal/reporting/urls_budget.py)."""

from typing import Any

from commonweal.reporting.models import FinancialYear
from commonweal.tenancy.models import Department
from tests.conftest import Tenant

A_DEPARTMENT = "Tenant A Culture Department"
A_YEAR = 2026
GET_ROUTES = ["reporting:budget", "reporting:budget-csv", "reporting:budget-json", "reporting:budget-department"]
# The API answers a supplier's people with 404 like the pages.
API_ROUTES = ["api:budget"]
# The budget belongs to public bodies: a supplier's people have no budget pages, even for their own organisation.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {name: {"supplier": 404} for name in GET_ROUTES + API_ROUTES}
LEAK_MARKERS = [A_DEPARTMENT]


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    department = Department.objects.create(organisation=a.buyer, name=A_DEPARTMENT)
    a.agreement.department = department
    a.agreement.save(update_fields=["department"])
    FinancialYear.objects.create(organisation=a.buyer, start_year=A_YEAR)
    Department.objects.create(organisation=b.buyer, name="Tenant B Streets Department")
    FinancialYear.objects.create(organisation=b.buyer, start_year=A_YEAR + 5)
    # URL kwargs that are not primary keys of a model are keyed by their name.
    return {"year": A_YEAR, "department": department.pk}
