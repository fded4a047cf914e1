"""The social value budget's pages: a year's figures by department beside the budget lines, a department's
drill-down to the return lines they come from, and the figures as CSV and JSON. Every member of the public
body reads them (`READ_PUBLIC_BODY`)."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from commonweal.core.exports import csv_write
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import budget as rules
from . import selectors_budget
from .models import FinancialYear


def _year(member: Member, year: int) -> FinancialYear:
    found = selectors_budget.year_get(member=member, start_year=year)
    if found is None:
        raise Http404("No such financial year.")
    return found


@login_required
@require_GET
def budget(request: HttpRequest, org: str, year: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    financial_year = _year(member, year)
    figures = selectors_budget.budget_get(member=member, year=financial_year)
    return render(
        request,
        "reporting/budget.html",
        {
            "member": member,
            "year": financial_year,
            "budget": figures,
            "years": selectors_budget.year_list(member=member),
            "states": rules.STATES,
        },
    )


@login_required
@require_GET
def department(request: HttpRequest, org: str, year: int, department: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    financial_year = _year(member, year)
    found = None
    if department != "none":
        if (
            not department.isdigit()
            or (found := selectors_budget.department_get(member=member, pk=int(department))) is None
        ):
            raise Http404("No such department.")
    figures = selectors_budget.budget_get(member=member, year=financial_year)
    scope = figures.department(found.pk if found else None)
    if scope is None:
        raise Http404("No such department.")
    return render(
        request,
        "reporting/budget_department.html",
        {
            "member": member,
            "year": financial_year,
            "budget": figures,
            "department": scope,
            "origins": selectors_budget.department_origins(member=member, year=financial_year, department=found),
        },
    )


@login_required
@require_GET
def budget_csv(request: HttpRequest, org: str, year: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    figures = selectors_budget.budget_get(member=member, year=_year(member, year))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org}-social-value-budget-{year}.csv"'
    csv_write(response, rules.CSV_FIELDS, rules.csv_rows(figures))
    return response


@login_required
@require_GET
def budget_json(request: HttpRequest, org: str, year: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    figures = selectors_budget.budget_get(member=member, year=_year(member, year))
    response = HttpResponse(json.dumps(figures.as_dict(), indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{org}-social-value-budget-{year}.json"'
    return response
