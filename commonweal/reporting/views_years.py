"""Financial year pages: the years of the social value budget, and for the social value lead, adding a
year, choosing its value set and closing it (after a page that says what closing does)."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.formatting import uk_date
from commonweal.delivery.selectors_status import today_local
from commonweal.frontend.forms import GovukForm
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import selectors_budget, services_budget
from .forms_budget import YearForm, YearValueSetForm
from .models import FinancialYear


def year_or_404(member: Member, start_year: int) -> FinancialYear:
    year = selectors_budget.year_get(member=member, start_year=start_year)
    if year is None:
        raise Http404("No such financial year.")
    return year


def _list_url(org: str) -> str:
    return reverse("reporting:year-list", kwargs={"org": org})


@login_required
@require_GET
def year_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    return render(
        request,
        "reporting/year_list.html",
        {"member": member, "years": selectors_budget.year_summary_list(member=member), "today": today_local()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def year_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    form = YearForm(request.POST or None, member=member, prefix="year")
    return form_page(
        request,
        form,
        save=lambda: services_budget.year_create(actor=member.user, member=member, **form.cleaned_data),
        message=lambda year: f"The financial year {year.label} has been added.",
        success_url=_list_url(org),
        template="reporting/year_form.html",
        context={"member": member},
    )


@login_required
@require_http_methods(["GET", "POST"])
def year_value_set(request: HttpRequest, org: str, year: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    financial_year = year_or_404(member, year)
    form = YearValueSetForm(
        request.POST or None, member=member, prefix="year", initial=YearValueSetForm.initial_for(financial_year)
    )
    return form_page(
        request,
        form,
        save=lambda: services_budget.year_value_set_change(
            actor=member.user, member=member, year=financial_year, value_set=form.cleaned_data["value_set"]
        ),
        message=f"The value set of {financial_year.label} has been saved.",
        success_url=_list_url(org),
        template="reporting/year_form.html",
        context={"member": member, "year": financial_year},
    )


@login_required
@require_http_methods(["GET", "POST"])
def year_close(request: HttpRequest, org: str, year: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    financial_year = year_or_404(member, year)
    today = today_local()
    error = ""
    if financial_year.is_closed:
        error = f"The financial year {financial_year.label} was closed on {uk_date(financial_year.closed_at)}."
    elif today <= financial_year.end_date:
        error = (
            f"The financial year {financial_year.label} ends on {uk_date(financial_year.end_date)}: "
            f"it can be closed from {uk_date(financial_year.end_date + timedelta(days=1))}."
        )
    return form_page(
        request,
        # Nothing to fill in: any POST asks for the closing.
        GovukForm(data=request.POST if request.method == "POST" else None),
        save=lambda: services_budget.year_close(actor=member.user, member=member, year=financial_year),
        message=f"The financial year {financial_year.label} has been closed and its figures kept as they are now.",
        success_url=_list_url(org),
        template="reporting/year_close.html",
        context={"member": member, "year": financial_year, "error": error},
    )
