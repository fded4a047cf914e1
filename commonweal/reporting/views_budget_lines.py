"""Budget line pages: a year's lines, and for the social value lead, adding, changing and removing a line
and uploading lines from an XLSX file; everyone who reads the budget may download the lines as XLSX."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.frameworks.selectors_value_sets import published_measure_list
from commonweal.frontend.forms import GovukForm
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import selectors_budget, services_budget
from .budget_lines_file import budget_lines_xlsx
from .forms_budget import BudgetLineForm, BudgetLinesUploadForm
from .models import BudgetLine, FinancialYear
from .views_years import year_or_404

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lines_url(org: str, year: FinancialYear) -> str:
    return reverse("reporting:budget-line-list", kwargs={"org": org, "year": year.start_year})


def _line(member: Member, year: FinancialYear, pk: int) -> BudgetLine:
    line = selectors_budget.budget_line_get(member=member, pk=pk)
    if line is None or line.year_id != year.pk:
        raise Http404("No such budget line.")
    return line


@login_required
@require_GET
def budget_line_list(request: HttpRequest, org: str, year: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    financial_year = year_or_404(member, year)
    return render(
        request,
        "reporting/budget_line_list.html",
        {
            "member": member,
            "year": financial_year,
            "lines": selectors_budget.budget_line_list(member=member, year=financial_year),
            "may_change": member.can_manage_reports and not financial_year.is_closed,
        },
    )


def _line_form_page(request: HttpRequest, member: Member, year: FinancialYear, line: BudgetLine | None) -> HttpResponse:
    form = BudgetLineForm(
        request.POST or None,
        member=member,
        measures=published_measure_list(member=member),
        prefix="line",
        initial=BudgetLineForm.initial_for(line) if line is not None else None,
    )

    def save() -> BudgetLine:
        if line is None:
            return services_budget.budget_line_create(
                actor=member.user, member=member, year=year, **form.service_arguments()
            )
        return services_budget.budget_line_update(
            actor=member.user, member=member, line=line, **form.service_arguments()
        )

    return form_page(
        request,
        form,
        save=save,
        message=lambda saved: f"The budget line for {saved.department.name}, {saved.measure.code}, has been saved.",
        success_url=_lines_url(member.organisation.slug, year),
        template="reporting/budget_line_form.html",
        context={"member": member, "year": year, "line": line},
    )


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_create(request: HttpRequest, org: str, year: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    return _line_form_page(request, member, year_or_404(member, year), None)


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_update(request: HttpRequest, org: str, year: int, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    financial_year = year_or_404(member, year)
    return _line_form_page(request, member, financial_year, _line(member, financial_year, pk))


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_remove(request: HttpRequest, org: str, year: int, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    financial_year = year_or_404(member, year)
    line = _line(member, financial_year, pk)
    return form_page(
        request,
        # Nothing to fill in: any POST asks for the removal.
        GovukForm(data=request.POST if request.method == "POST" else None),
        save=lambda: services_budget.budget_line_remove(actor=member.user, member=member, line=line),
        message=f"The budget line for {line.department.name}, {line.measure.code}, has been removed.",
        success_url=_lines_url(org, financial_year),
        template="reporting/budget_line_remove.html",
        context={"member": member, "year": financial_year, "line": line},
    )


@login_required
@require_GET
def budget_line_export(request: HttpRequest, org: str, year: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    financial_year = year_or_404(member, year)
    content = budget_lines_xlsx(selectors_budget.budget_line_list(member=member, year=financial_year))
    response = HttpResponse(content, content_type=XLSX_TYPE)
    name = f"{member.organisation.slug}-budget-lines-{financial_year.start_year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_import(request: HttpRequest, org: str, year: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    financial_year = year_or_404(member, year)
    form = BudgetLinesUploadForm(request.POST or None, request.FILES or None, prefix="upload")
    problems: list[tuple[int | None, str]] = []  # each refused row, shown under the form

    def save() -> services_budget.LinesImportResult:
        try:
            return services_budget.budget_lines_file_import(
                actor=member.user, member=member, year=financial_year, file=form.cleaned_data["lines_file"]
            )
        except services_budget.LinesImportRefused as refused:
            problems.extend(refused.problems)
            raise ApplicationError(refused.message, field_errors={"lines_file": refused.message.rstrip(".")}) from None

    def imported(result: services_budget.LinesImportResult) -> str:
        created, updated, unchanged = len(result.created), len(result.updated), len(result.unchanged)
        return (
            f"{created} budget line{'s' if created != 1 else ''} added, {updated} changed; "
            f"{unchanged} already as the file says and left as they were."
        )

    return form_page(
        request,
        form,
        save=save,
        message=imported,
        success_url=_lines_url(org, financial_year),
        template="reporting/budget_line_import.html",
        context={"member": member, "year": financial_year, "problems": problems},
    )
