"""Delivery pages for following delivery up: overdue returns, the performance rating and the agreement report
(a page and a PDF). Buyers and suppliers both read; only the buyer's contract managers rate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.tenancy.selectors import member_access

from . import reports, selectors_status, services_followup
from .forms_status import AssessmentForm
from .selectors import agreement_get


@login_required
@require_GET
def overdue_returns(request: HttpRequest, org: str) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    return render(
        request,
        "delivery/overdue_returns.html",
        {"member": member, "overdue": selectors_status.overdue_return_list(member=member)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_rating(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    agreement = agreement_get(member=member, pk=pk)
    section = selectors_status.rating_section(member=member, agreement=agreement)
    can_rate = member.can_manage_contracts and agreement.organisation_id == member.organisation.pk
    form = AssessmentForm(request.POST or None, proposed=section["proposal"].rating) if can_rate else None
    if request.method == "POST" and form is None:
        raise Http404("Only the buyer's contract managers rate agreements.")
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            assessment = services_followup.assessment_confirm(
                actor=request.user,
                member=member,
                agreement=agreement,
                rating=form.cleaned_data["rating"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The rating “{assessment.get_rating_display()}” has been recorded.")
            return redirect("delivery:agreement-rating", org=org, pk=agreement.pk)
    return render(
        request,
        "delivery/rating.html",
        {"member": member, "agreement": agreement, "form": form, **section},
    )


@login_required
@require_GET
def agreement_report(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    agreement = agreement_get(member=member, pk=pk)
    report = reports.agreement_report(member=member, agreement=agreement)
    return render(request, "delivery/report.html", {"member": member, "agreement": agreement, "report": report})


@login_required
@require_GET
def agreement_report_pdf(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    agreement = agreement_get(member=member, pk=pk)
    report = reports.agreement_report(member=member, agreement=agreement)
    response = HttpResponse(reports.report_pdf_render(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{agreement.reference}-delivery-report.pdf"'
    return response


@login_required
@require_GET
def report_csv(request: HttpRequest, org: str) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org}-delivery-report.csv"'
    reports.report_csv_write(response, reports.report_row_list(member=member))
    return response
