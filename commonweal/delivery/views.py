"""Delivery pages: the organisation dashboard, agreements, returns, review and evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.core.exports import csv_write
from commonweal.tenancy.selectors import member_access

from . import selectors, selectors_agreements, selectors_status, services
from .forms import ReturnForm, ReviewForm


@login_required
def dashboard(request: HttpRequest, org: str) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    return render(
        request,
        "delivery/dashboard.html",
        {
            "member": member,
            "totals": selectors.measure_total_list(member=member),
            "agreements": selectors.agreement_list(member=member),
        },
    )


@login_required
def agreement_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    return render(
        request,
        "delivery/agreement_list.html",
        {"member": member, "agreements": selectors.agreement_list(member=member)},
    )


@login_required
def agreement_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    agreement = selectors.agreement_get(member=member, pk=pk)
    # Each section of the page (commitments and their status, substitutions, returns) gathers its own data.
    context = {
        "member": member,
        "agreement": agreement,
        "audit_events": selectors.audit_event_list(member=member, agreement=agreement),
        **selectors_status.commitment_section(member=member, agreement=agreement),
        **selectors_agreements.substitution_section(member=member, agreement=agreement),
        **selectors.return_section(member=member, agreement=agreement),
    }
    return render(request, "delivery/agreement_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def return_submit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    agreement = selectors.agreement_get(member=member, pk=pk)
    if not member.can_submit_returns or agreement.supplier_id != member.organisation.pk:
        raise Http404("Only the supplier can submit returns.")
    commitments = list(agreement.commitments.select_related("measure").order_by("due_date", "id"))
    form = ReturnForm(request.POST or None, request.FILES or None, commitments=commitments)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_submit(
                actor=request.user,
                member=member,
                agreement=agreement,
                quantities=form.quantities(),
                narrative=form.cleaned_data["narrative"],
                evidence=form.cleaned_data["evidence"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "Your return has been submitted for verification.")
            return redirect("delivery:agreement-detail", org=org, pk=agreement.pk)
    return render(request, "delivery/return_form.html", {"member": member, "agreement": agreement, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def return_line_review(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    line = selectors.return_line_get(member=member, pk=pk)
    agreement = line.delivery_return.agreement
    if not member.can_manage_contracts or agreement.organisation_id != member.organisation.pk:
        raise Http404("Only the buyer's contract managers review returns.")
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            line = services.return_line_review(
                actor=request.user,
                member=member,
                line=line,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The line is now {line.get_status_display().lower()}.")
            return redirect("delivery:agreement-detail", org=org, pk=agreement.pk)
    return render(
        request,
        "delivery/review_form.html",
        {"member": member, "agreement": agreement, "line": line, "form": form},
    )


@login_required
def evidence_download(request: HttpRequest, org: str, pk: int) -> FileResponse:
    member = member_access(user=request.user, slug=org)
    evidence = selectors.evidence_get(member=member, pk=pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def commitment_export_csv(request: HttpRequest, org: str) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    rows = selectors.commitment_export_rows(member=member)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org}-commitments.csv"'
    csv_write(response, selectors.COMMITMENT_EXPORT_FIELDS, rows)
    return response
