"""360Giving pages (docs/grants-360giving.md): importing grant data as agreements of kind grant (a public
body's contract managers and social value leads, `MANAGE_CONTRACTS`) and downloading the organisation's
grant agreements as a 360Giving JSON package (any member of the public body). Everyone else gets a 404."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.tenancy.permissions import Permission, member_require

from . import grants360
from .forms_grants import GrantsImportForm
from .selectors_grants import grant_agreement_count
from .services_grants import GrantsImportSummary, grants_export, grants_import


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def rejected_text(summary: GrantsImportSummary) -> str:
    """“Nothing was imported: 2 grants and 1 file were rejected …” for the error summary."""
    grants = sum(1 for rejection in summary.rejected if rejection.where)
    files = len(summary.rejected) - grants
    parts = [_counted(count, noun) for count, noun in ((grants, "grant"), (files, "file")) if count]
    verb = "was" if len(summary.rejected) == 1 else "were"
    return (
        f"Nothing was imported: {' and '.join(parts)} {verb} rejected (see the reasons below). "
        "Correct the files and upload them all again"
    )


@login_required
@require_http_methods(["GET", "POST"])
def grants_import_page(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
    form = GrantsImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    summary: GrantsImportSummary | None = None
    if request.method == "POST" and form.is_valid():
        files = [(upload.name, upload.read()) for upload in form.cleaned_data["grant_files"]]
        try:
            summary = grants_import(actor=member.user, member=member, files=files)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            if summary.rejected:
                form.add_error("grant_files", rejected_text(summary))
                form.widget_attrs_apply()
    context = {
        "member": member,
        "form": form,
        "summary": summary,
        "grant_count": grant_agreement_count(member=member),
    }
    return render(request, "delivery/grants/import.html", context)


@login_required
@require_GET
def grants_export_download(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    if not grant_agreement_count(member=member):
        return render(request, "delivery/grants/export_none.html", {"member": member})
    try:
        package = grants_export(member=member)
    except ApplicationError as error:
        return render(
            request, "delivery/grants/export_failed.html", {"member": member, "message": error.message}, status=500
        )
    response = HttpResponse(grants360.package_json(package), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{member.organisation.slug}-360giving.json"'
    return response
