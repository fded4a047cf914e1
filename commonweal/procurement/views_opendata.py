"""Open data pages: importing Contracts Finder OCDS notices (procurement officers and social value
leads of a public body) and downloading a procurement as an OCDS release package (any member of the
buyer). Everyone else gets a 404."""

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.tenancy.permissions import Permission, member_require

from . import ocds
from .forms_opendata import OcdsImportForm
from .selectors import procurement_get
from .services_opendata import ImportSummary, ocds_export, ocds_import


@login_required
@require_http_methods(["GET", "POST"])
def ocds_import_page(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    form = OcdsImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    summary: ImportSummary | None = None
    if request.method == "POST" and form.is_valid():
        files = [(upload.name, upload.read()) for upload in form.cleaned_data["ocds_files"]]
        try:
            summary = ocds_import(actor=member.user, member=member, files=files)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            if summary.rejected:
                form.add_error(
                    None, f"{summary.rejected_text()}: see the reasons below (the other releases were imported)"
                )
    return render(request, "procurement/opendata/import.html", {"member": member, "form": form, "summary": summary})


@login_required
@require_GET
def ocds_export_download(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    procurement = procurement_get(member=member, pk=pk)
    try:
        package = ocds_export(procurement=procurement, member=member)
    except ApplicationError as error:
        return render(
            request,
            "procurement/opendata/export_failed.html",
            {"member": member, "procurement": procurement, "message": error.message},
            status=500,
        )
    response = HttpResponse(ocds.package_json(package), content_type="application/json; charset=utf-8")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", procurement.reference).strip("-") or "procurement"
    response["Content-Disposition"] = f'attachment; filename="{name}-ocds.json"'
    return response
