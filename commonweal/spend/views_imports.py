"""Spend import pages: the list, the upload, confirming the columns, progress and the summary, and the
rejected rows as CSV. Anyone at a public body may read them; social value leads and procurement
officers may import."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonweal.core.errors import ApplicationError
from commonweal.core.exports import csv_write
from commonweal.core.http import SignedInRequest
from commonweal.frontend.listing import listing
from commonweal.tenancy.permissions import Permission, member_require

from . import selectors_imports as selectors
from . import services_imports as services
from .forms_imports import FIELD_LABELS, ImportFilters, SpendMappingForm, SpendUploadForm
from .models import ImportStatus

REFRESH_SECONDS = 3


@login_required
@require_GET
def import_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    imports = listing(request, ImportFilters, selectors.spend_import_list(member=member))
    return render(request, "spend/import_list.html", {"member": member, "listing": imports})


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: SignedInRequest, org: str) -> HttpResponse:
    """Anyone at a public body sees the page (saying who may import); only those who manage spend post."""
    bound = request.method == "POST"
    permission = Permission.MANAGE_SPEND if bound else Permission.READ_PUBLIC_BODY
    member = member_require(user=request.user, slug=org, permission=permission)
    form = (
        SpendUploadForm(request.POST if bound else None, request.FILES if bound else None)
        if member.may(Permission.MANAGE_SPEND)
        else None
    )
    if form is not None and bound:
        if form.is_valid():
            try:
                spend_import, created = services.spend_upload_create(
                    actor=request.user,
                    member=member,
                    upload=form.cleaned_data["spend_file"],
                    source_name=form.cleaned_data["spend_source"],
                    has_header=not form.cleaned_data["no_header"],
                )
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                if not created:
                    messages.info(
                        request, f"This file was imported already, as {spend_import.original_name}: nothing was added."
                    )
                elif spend_import.status == ImportStatus.AWAITING_MAPPING:
                    return redirect("spend:import-mapping", org=org, pk=spend_import.pk)
                return redirect("spend:import-detail", org=org, pk=spend_import.pk)
    return render(request, "spend/import_upload.html", {"member": member, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: SignedInRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_SPEND)
    spend_import = selectors.spend_import_get(member=member, pk=pk)
    if spend_import.status != ImportStatus.AWAITING_MAPPING:
        return redirect("spend:import-detail", org=org, pk=pk)
    try:
        preview = selectors.spend_import_preview(member=member, spend_import=spend_import)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("spend:import-detail", org=org, pk=pk)
    columns = [name for _, name in preview.columns]
    data = request.POST if request.method == "POST" else None
    form = SpendMappingForm(data, columns=columns, initial_mapping=spend_import.column_mapping)
    if request.method == "POST" and form.is_valid():
        try:
            services.spend_import_mapping_confirm(
                actor=request.user, member=member, spend_import=spend_import, mapping=form.mapping()
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return redirect("spend:import-detail", org=org, pk=pk)
    sample = [
        (name, [row[index] if index < len(row) else "" for row in preview.sample]) for index, name in preview.columns
    ]
    return render(
        request,
        "spend/import_mapping.html",
        {
            "member": member,
            "spend_import": spend_import,
            "form": form,
            "columns": columns,
            "sample": sample,
            "sample_rows": len(preview.sample),
            "has_header": preview.has_header,
            "sample_numbers": range(1, len(preview.sample) + 1),
        },
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    spend_import = selectors.spend_import_get(member=member, pk=pk)
    # A running import whose process ended (or stopped beating) is shown as stopped, to retry or cancel;
    # the page only reads: putting it right is a POST (or the worker's and the command's recovery).
    stopped = services.spend_import_is_stale(spend_import)
    in_flight = spend_import.status in (ImportStatus.QUEUED, ImportStatus.RUNNING) and not stopped
    can_manage = member.can_manage_spend
    rejects = (
        selectors.spend_import_rejects(member=member, spend_import=spend_import, limit=selectors.SUMMARY_REJECTS)
        if spend_import.status == ImportStatus.SUCCEEDED
        else []
    )
    mapping = [(FIELD_LABELS.get(name, name), header) for name, header in spend_import.column_mapping.items()]
    response = render(
        request,
        "spend/import_detail.html",
        {
            "member": member,
            "spend_import": spend_import,
            "in_flight": in_flight,
            "stopped": stopped,
            "can_retry": can_manage
            and (stopped or spend_import.status == ImportStatus.FAILED)
            and bool(spend_import.upload_path),
            "can_cancel": can_manage
            and (
                stopped
                or spend_import.status in (ImportStatus.QUEUED, ImportStatus.AWAITING_MAPPING)
                or (spend_import.status == ImportStatus.FAILED and bool(spend_import.upload_path))
            ),
            "refresh_seconds": REFRESH_SECONDS,
            "rejects": rejects,
            "summary_rejects": selectors.SUMMARY_REJECTS,
            "mapping": mapping,
        },
    )
    if in_flight:
        # The page reloads itself while the import runs, without JavaScript.
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


def _import_act(request: SignedInRequest, org: str, pk: int, *, act: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_SPEND)
    spend_import = selectors.spend_import_get(member=member, pk=pk)
    service = services.spend_import_retry if act == "retry" else services.spend_import_cancel
    try:
        service(actor=request.user, member=member, spend_import=spend_import)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        done = "queued again" if act == "retry" else "cancelled"
        messages.success(request, f"The import of {spend_import.original_name} has been {done}.")
    return redirect("spend:import-detail", org=org, pk=pk)


@login_required
@require_POST
def import_retry(request: SignedInRequest, org: str, pk: int) -> HttpResponse:
    return _import_act(request, org, pk, act="retry")


@login_required
@require_POST
def import_cancel(request: SignedInRequest, org: str, pk: int) -> HttpResponse:
    return _import_act(request, org, pk, act="cancel")


@login_required
@require_GET
def import_rejects_csv(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    spend_import = selectors.spend_import_get(member=member, pk=pk)
    rejects = selectors.spend_import_rejects(member=member, spend_import=spend_import)
    out = io.StringIO()
    csv_write(
        out,
        ["file", "line", "reason", "row"],
        ({"file": spend_import.original_name, "line": r.line, "reason": r.reason, "row": r.raw} for r in rejects),
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{spend_import.pk}-rejected-rows.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
