"""Pages for the annual impact report: the list, the builder (title, summary, narrative sections, case
studies), the preview, sign-off and publication, and each published version as a page, a tagged PDF and
CSV, XLSX and JSON of every figure. Every member of the public body reads; a social value lead writes
(`MANAGE_REPORTS`); a second person signs off (`SIGN_OFF_REPORTS`)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonweal.core.models import AuditEvent
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import annual_files, selectors_report, services_report
from .access import READ, WRITE, page_member
from .annual_files import ReportView
from .forms_report import (
    CaseStudiesForm,
    ConfirmForm,
    PublishForm,
    ReportCreateForm,
    ReportEditForm,
    SectionForm,
    SectionMoveForm,
)
from .models import ImpactReport, ReportState

SIGN_OFF = Permission.SIGN_OFF_REPORTS


def _detail_url(org: str, report: ImpactReport) -> str:
    return reverse("reporting:report-detail", kwargs={"org": org, "pk": report.pk})


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST, even an empty one (a confirmation button sends no fields)."""
    return request.POST if request.method == "POST" else None


@login_required
@require_GET
def report_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=READ)
    return render(
        request,
        "reporting/report_list.html",
        {
            "member": member,
            "reports": selectors_report.report_list(member=member),
            "years_open": selectors_report.years_without_report(member=member).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=WRITE)
    form = ReportCreateForm(_posted(request), years=selectors_report.years_without_report(member=member))
    return form_page(
        request,
        form,
        save=lambda: services_report.report_create(
            actor=member.user,
            member=member,
            year=form.cleaned_data["year"],
            title=form.cleaned_data["title"],
            summary=form.cleaned_data["summary"],
        ),
        message=lambda report: f"The report for {report.year.label} has been started.",
        success_url=lambda report: _detail_url(org, report),
        template="reporting/report_create.html",
        context={"member": member},
    )


@login_required
@require_GET
def report_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=READ)
    report = selectors_report.report_get(member=member, pk=pk)
    return render(
        request,
        "reporting/report_detail.html",
        {
            "member": member,
            "report": report,
            "sections": report.sections.all(),
            "case_studies": selectors_report.case_study_choice_list(member=member).filter(
                pk__in=report.case_studies.values("pk")
            ),
            "versions": selectors_report.version_list(member=member, report=report),
            "may_sign_off": member.can_sign_off_reports and report.submitted_by_id != getattr(member.user, "pk", None),
            "events": AuditEvent.objects.for_trail(report)[:50],
        },
    )


def _report_form_page(
    request: HttpRequest,
    org: str,
    pk: int,
    *,
    form_of: Callable[[Member, ImpactReport], Any],
    save: Callable[[Member, ImpactReport, Any], Any],
    message: str,
    template: str,
    success_url: Callable[[ImpactReport], str] | None = None,
    extra: Callable[[Member, ImpactReport], dict[str, Any]] | None = None,
    member: Member | None = None,
) -> HttpResponse:
    member = member or page_member(request, org)
    report = selectors_report.report_get(member=member, pk=pk)
    form = form_of(member, report)
    return form_page(
        request,
        form,
        save=lambda: save(member, report, form),
        message=message,
        success_url=(success_url or (lambda report: _detail_url(org, report)))(report),
        template=template,
        context={"member": member, "report": report, **(extra(member, report) if extra else {})},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _report_form_page(
        request,
        org,
        pk,
        form_of=lambda member, report: ReportEditForm(
            _posted(request), initial={"title": report.title, "summary": report.summary}
        ),
        save=lambda member, report, form: services_report.report_update(
            actor=member.user,
            member=member,
            report=report,
            title=form.cleaned_data["title"],
            summary=form.cleaned_data["summary"],
        ),
        message="The title and summary have been saved.",
        template="reporting/report_edit.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _report_form_page(
        request,
        org,
        pk,
        form_of=lambda member, report: SectionForm(_posted(request)),
        save=lambda member, report, form: services_report.section_add(
            actor=member.user,
            member=member,
            report=report,
            heading=form.cleaned_data["heading"],
            body=form.cleaned_data["body"],
        ),
        message="The section has been added.",
        template="reporting/report_section_form.html",
        extra=lambda member, report: {"section": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = page_member(request, org)
    section = selectors_report.section_get(member=member, pk=pk)
    form = SectionForm(_posted(request), initial={"heading": section.heading, "body": section.body})
    return form_page(
        request,
        form,
        save=lambda: services_report.section_update(
            actor=member.user,
            member=member,
            section=section,
            heading=form.cleaned_data["heading"],
            body=form.cleaned_data["body"],
        ),
        message="The section has been saved.",
        success_url=_detail_url(org, section.report),
        template="reporting/report_section_form.html",
        context={"member": member, "report": section.report, "section": section},
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = page_member(request, org)
    section = selectors_report.section_get(member=member, pk=pk)
    form = ConfirmForm(_posted(request))
    return form_page(
        request,
        form,
        save=lambda: services_report.section_remove(actor=member.user, member=member, section=section),
        message=f"The section “{section.heading}” has been removed.",
        success_url=_detail_url(org, section.report),
        template="reporting/report_section_remove.html",
        context={"member": member, "report": section.report, "section": section},
    )


@login_required
@require_POST
def section_move(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=WRITE)
    section = selectors_report.section_get(member=member, pk=pk)
    form = SectionMoveForm(request.POST)
    if not form.is_valid():
        raise Http404("Move a section up or down.")
    services_report.section_move(
        actor=member.user, member=member, section=section, direction=form.cleaned_data["direction"]
    )
    messages.success(request, f"The section “{section.heading}” has been moved {form.cleaned_data['direction']}.")
    return HttpResponseRedirect(_detail_url(org, section.report) + "#sections")


@login_required
@require_http_methods(["GET", "POST"])
def report_case_studies(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    def form_of(member: Member, report: ImpactReport) -> CaseStudiesForm:
        return CaseStudiesForm(
            _posted(request),
            choices=selectors_report.case_study_choice_list(member=member, year=report.year),
            initial={"case_studies": list(report.case_studies.values_list("pk", flat=True))},
        )

    return _report_form_page(
        request,
        org,
        pk,
        form_of=form_of,
        save=lambda member, report, form: services_report.case_studies_choose(
            actor=member.user, member=member, report=report, case_studies=form.cleaned_data["case_studies"]
        ),
        message="The case studies have been chosen.",
        template="reporting/report_case_studies.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_submit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _report_form_page(
        request,
        org,
        pk,
        form_of=lambda member, report: ConfirmForm(_posted(request)),
        save=lambda member, report, form: services_report.report_submit(
            actor=member.user, member=member, report=report
        ),
        message="The report has been submitted for sign-off.",
        template="reporting/report_submit.html",
        extra=lambda member, report: {
            "heading": "Submit for sign-off",
            "button": "Submit for sign-off",
            "allowed": member.can_manage_reports and report.state == ReportState.DRAFT,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_sign_off(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=SIGN_OFF if request.method == "POST" else READ)
    return _report_form_page(
        request,
        org,
        pk,
        member=member,
        form_of=lambda member, report: ConfirmForm(_posted(request)),
        save=lambda member, report, form: services_report.report_sign_off(
            actor=member.user, member=member, report=report
        ),
        message="The report has been signed off. A social value lead can now publish it.",
        template="reporting/report_sign_off.html",
        extra=lambda member, report: {
            "heading": "Sign off the report",
            "button": "Sign off the report",
            "allowed": member.can_sign_off_reports
            and report.state == ReportState.AWAITING_SIGN_OFF
            and report.submitted_by_id != getattr(member.user, "pk", None),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_return_to_draft(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=READ)
    return _report_form_page(
        request,
        org,
        pk,
        member=member,
        form_of=lambda member, report: ConfirmForm(_posted(request)),
        save=lambda member, report, form: services_report.report_return_to_draft(
            actor=member.user, member=member, report=report
        ),
        message="The report is a draft again.",
        template="reporting/report_return.html",
        extra=lambda member, report: {
            "heading": "Send the report back to draft",
            "button": "Send back to draft",
            "allowed": (member.can_manage_reports or member.can_sign_off_reports)
            and report.state in (ReportState.AWAITING_SIGN_OFF, ReportState.SIGNED_OFF),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_publish(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = page_member(request, org)
    report = selectors_report.report_get(member=member, pk=pk)
    form = PublishForm(_posted(request))
    latest = selectors_report.version_latest(member=member, report=report)
    return form_page(
        request,
        form,
        save=lambda: services_report.report_publish(
            actor=member.user, member=member, report=report, change_note=form.cleaned_data["change_note"]
        ),
        message=lambda version: f"Version {version.number} of the report has been published.",
        success_url=lambda version: reverse("reporting:version-detail", kwargs={"org": org, "pk": version.pk}),
        template="reporting/report_publish.html",
        context={"member": member, "report": report, "latest": latest},
    )


# --- Reading the report -----------------------------------------------------------------------------


@login_required
@require_GET
def report_preview(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=READ)
    report = selectors_report.report_get(member=member, pk=pk)
    view = selectors_report.report_view(member=member, report=report).with_charts()
    return render(
        request, "reporting/report_page.html", {"member": member, "report": report, "view": view, "version": None}
    )


@login_required
@require_GET
def report_preview_pdf(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=READ)
    report = selectors_report.report_get(member=member, pk=pk)
    return _pdf_response(selectors_report.report_view(member=member, report=report))


def _pdf_response(view: ReportView) -> HttpResponse:
    response = HttpResponse(annual_files.report_pdf(view), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{annual_files.download_name(view, "pdf")}"'
    return response


@login_required
@require_GET
def version_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=READ)
    version = selectors_report.version_get(member=member, pk=pk)
    view = selectors_report.version_view(member=member, version=version).with_charts()
    return render(
        request,
        "reporting/report_page.html",
        {"member": member, "report": version.report, "view": view, "version": version},
    )


@login_required
@require_GET
def version_pdf(request: HttpRequest, org: str, pk: int) -> FileResponse:
    member = member_require(user=request.user, slug=org, permission=READ)
    version = selectors_report.version_get(member=member, pk=pk)
    version = services_report.version_pdf_store(member=member, version=version)
    response = FileResponse(version.pdf.open("rb"), content_type="application/pdf")
    name = annual_files.download_name(selectors_report.version_view(member=member, version=version), "pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _download(view: ReportView, fmt: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(annual_files.figures_csv(view), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            annual_files.figures_xlsx(view),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(annual_files.report_json(view), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{annual_files.download_name(view, fmt)}"'
    return response


def _version_download(request: HttpRequest, org: str, pk: int, fmt: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=READ)
    version = selectors_report.version_get(member=member, pk=pk)
    return _download(selectors_report.version_view(member=member, version=version), fmt)


@login_required
@require_GET
def version_csv(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _version_download(request, org, pk, "csv")


@login_required
@require_GET
def version_xlsx(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _version_download(request, org, pk, "xlsx")


@login_required
@require_GET
def version_json(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return _version_download(request, org, pk, "json")
