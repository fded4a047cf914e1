"""Framework files on the web: importing one (social value leads only) and downloading a version as
YAML, JSON, XLSX or CSV (anyone who can read the version)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.tenancy.permissions import Permission, member_require

from . import interchange
from . import selectors_versions as selectors
from . import services_interchange as services
from .forms_interchange import FrameworkImportForm
from .models import UnitKind


@login_required
@require_http_methods(["GET", "POST"])
def framework_import(request: HttpRequest, org: str) -> HttpResponse:
    # Any member may open the page (it says who imports); only a social value lead may send a file.
    member = member_require(
        user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS if request.method == "POST" else None
    )
    may_import = member.may(Permission.MANAGE_FRAMEWORKS)
    form = FrameworkImportForm(request.POST or None, request.FILES or None) if may_import else None
    problems: list[interchange.Problem] = []
    if request.method == "POST" and form is not None:
        if form.is_valid():
            upload = form.cleaned_data["file"]
            started = timezone.now()
            try:
                document = interchange.document_parse(upload.read(), upload.name or "")
                version = services.framework_import(
                    actor=member.user,
                    member=member,
                    document=document,
                    code=form.cleaned_data["code"] or None,
                    title=form.cleaned_data["title"] or None,
                )
            except interchange.DocumentError as error:
                problems = error.problems
                form.add_application_error(error)
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                framework = version.framework
                if version.created_at >= started:
                    counts = document.counts()
                    messages.success(
                        request,
                        f"{framework.title} version {version.number} imported: {counts['themes']} themes, "
                        f"{counts['outcomes']} outcomes and {counts['measures']} measures.",
                    )
                else:
                    messages.success(
                        request, f"{framework.title} already matches version {version.number}: nothing changed."
                    )
                return redirect("frameworks:framework-detail", org=org, pk=framework.pk)
    return render(
        request,
        "frameworks/interchange/import.html",
        {
            "member": member,
            "form": form,
            "problems": problems,
            "units": ", ".join(UnitKind.values[:-1]) + " or " + UnitKind.values[-1],
        },
    )


@login_required
@require_GET
def version_downloads(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    version = selectors.framework_version_get(member=member, pk=pk)
    owned = version.organisation_id == member.organisation.pk
    return render(
        request,
        "frameworks/interchange/downloads.html",
        {
            "member": member,
            "version": version,
            "value_sets": interchange.version_value_sets(version) if owned else [],
            "owned": owned,
        },
    )


def _download(request: HttpRequest, org: str, pk: int, fmt: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    version = selectors.framework_version_get(member=member, pk=pk)
    # Value sets are the owner's: a network member reading a shared framework gets its structure only.
    owned = version.organisation_id == member.organisation.pk
    if fmt == interchange.VALUES_CSV:
        if not owned:
            raise Http404("Value sets belong to the framework's organisation.")
        content = interchange.version_values_csv(version)
        filename = interchange.export_filename(version, "csv", values=True)
        content_type = interchange.CONTENT_TYPES["csv"]
    else:
        content = interchange.version_export(version, fmt, include_value_sets=owned)
        filename = interchange.export_filename(version, fmt)
        content_type = interchange.CONTENT_TYPES[fmt]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def version_export_yaml(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _download(request, org, pk, "yaml")


@login_required
@require_GET
def version_export_json(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _download(request, org, pk, "json")


@login_required
@require_GET
def version_export_xlsx(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _download(request, org, pk, "xlsx")


@login_required
@require_GET
def version_export_csv(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _download(request, org, pk, "csv")


@login_required
@require_GET
def version_export_values_csv(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _download(request, org, pk, interchange.VALUES_CSV)
