"""Delivery pages: the organisation dashboard, agreements, returns, review and evidence."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from commonweal.core.exports import csv_write
from commonweal.tenancy.selectors import member_access

from . import selectors, selectors_agreements, selectors_status


@login_required
def dashboard(request: HttpRequest, org: str) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    return render(
        request,
        "delivery/dashboard.html",
        {
            "member": member,
            **selectors_status.dashboard_section(member=member),
        },
    )


@login_required
def agreement_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_access(user=request.user, slug=org)
    return render(
        request,
        "delivery/agreement_list.html",
        {"member": member, "agreements": selectors_status.agreement_status_list(member=member)},
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
    rows = selectors_status.commitment_export_rows(member=member)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org}-commitments.csv"'
    csv_write(response, selectors_status.COMMITMENT_EXPORT_FIELDS, rows)
    return response
