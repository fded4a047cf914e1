"""Delivery pages for how delivery stands and following it up: the organisation's dashboard, overdue returns,
the performance rating, the agreement report (a page and a PDF) and the CSV exports. Buyers and suppliers
both read; only the buyer's contract managers (`MANAGE_CONTRACTS`) rate."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.exports import csv_write
from commonweal.frontend import selectors_worklist
from commonweal.frontend.listing import listing
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require

from . import reports, selectors_status, services_status
from .forms_agreements import CommitmentFilters
from .forms_status import AssessmentForm
from .rules import may_manage
from .selectors_agreements import agreement_get


@login_required
def dashboard(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    return render(
        request,
        "delivery/dashboard.html",
        {
            "member": member,
            "worklist": selectors_worklist.worklist(member=member),
            **selectors_status.dashboard_section(member=member),
        },
    )


@login_required
@require_GET
def overdue_returns(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    paginator = Paginator(selectors_status.overdue_period_query(member=member), selectors_status.OVERDUE_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors_status.overdue_return_rows(member=member, periods=page.object_list)
    return render(request, "delivery/overdue_returns.html", {"member": member, "overdue": rows, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def agreement_rating(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    rating = request.method == "POST"
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS if rating else None)
    agreement = agreement_get(member=member, pk=pk)
    section = selectors_status.rating_section(member=member, agreement=agreement)
    context = {"member": member, "agreement": agreement, **section}
    if not may_manage(member, agreement):
        if rating:
            raise Http404("Only the buyer's contract managers rate agreements.")
        return render(request, "delivery/rating.html", {**context, "form": None})
    form = AssessmentForm(request.POST or None, proposed=section["proposal"].rating)
    return form_page(
        request,
        form,
        save=lambda: services_status.assessment_confirm(
            actor=member.user,
            member=member,
            agreement=agreement,
            rating=form.cleaned_data["rating"],
            reason=form.cleaned_data["reason"],
        ),
        message=lambda assessment: f"The rating “{assessment.get_rating_display()}” has been recorded.",
        success_url=reverse("delivery:agreement-rating", kwargs={"org": org, "pk": agreement.pk}),
        template="delivery/rating.html",
        context=context,
    )


@login_required
@require_GET
def agreement_report(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    agreement = agreement_get(member=member, pk=pk)
    report = reports.agreement_report(member=member, agreement=agreement)
    return render(request, "delivery/report.html", {"member": member, "agreement": agreement, "report": report})


@login_required
@require_GET
def agreement_report_pdf(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    agreement = agreement_get(member=member, pk=pk)
    report = reports.agreement_report(member=member, agreement=agreement)
    response = HttpResponse(reports.report_pdf_render(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{agreement.reference}-delivery-report.pdf"'
    return response


@login_required
@require_GET
def report_csv(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org}-delivery-report.csv"'
    reports.report_csv_write(response, reports.report_row_list(member=member))
    return response


@login_required
def commitment_export_csv(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    rows = selectors_status.commitment_export_rows(member=member)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org}-commitments.csv"'
    csv_write(response, selectors_status.COMMITMENT_EXPORT_FIELDS, rows)
    return response


@login_required
@require_GET
def commitment_overview(request: HttpRequest, org: str) -> HttpResponse:
    """Every commitment across the member's agreements, to find those at risk, behind or missed."""
    member = member_require(user=request.user, slug=org)
    commitments = selectors_status.commitment_overview(member=member, status=request.GET.get("status", ""))
    found = listing(request, CommitmentFilters, commitments, per_page=50)
    rows = selectors_status.commitment_progress_page(list(found.page.object_list))
    return render(request, "delivery/commitment_overview.html", {"member": member, "listing": found, "rows": rows})
