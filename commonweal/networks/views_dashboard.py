"""The coordinator's pages under /o/<network>/network/: the dashboard (members and their reporting status,
each metric against the pledges, benchmarking, trends), inviting members, shared metrics and crosswalks,
joint programmes, and the quarterly reports with their files. Read by the network's people; changed by
its coordinator."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.frontend.pages import form_page
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import Permission, member_require

from . import (
    report_files,
    selectors_membership,
    selectors_metrics,
    selectors_programmes,
    selectors_reports,
    services_membership,
    services_metrics,
    services_programmes,
    services_reports,
)
from .forms_membership import InviteForm
from .forms_metrics import CrosswalkForm, MetricForm
from .forms_programmes import ProgrammeForm
from .forms_reports import PublishForm
from .models import MembershipState
from .rules import Quarter


def _dashboard_url(org: str) -> str:
    return reverse("networks:dashboard", kwargs={"org": org})


@login_required
@require_GET
def dashboard(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_NETWORK)
    error = ""
    quarter = selectors_reports.quarter_current()
    if request.GET.get("quarter"):
        try:
            quarter = Quarter.parse(request.GET["quarter"])
        except ApplicationError as refusal:
            error = refusal.message
    computed = selectors_reports.dashboard_figures(member=member, quarter=quarter)
    return render(
        request,
        "networks/dashboard.html",
        {
            "member": member,
            "quarter": quarter,
            "quarter_error": error,
            "figures": computed.figures,
            "metrics": selectors_metrics.metric_list(member=member),
            "programmes": selectors_programmes.programme_list(member=member),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_invite(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_NETWORK)
    form = InviteForm(
        request.POST or None, prefix="nw", organisations=selectors_membership.invitable_list(member=member)
    )
    return form_page(
        request,
        form,
        save=lambda: services_membership.member_invite(
            actor=member.user, member=member, organisation=form.cleaned_data["organisation"]
        ),
        message=lambda m: f"{m.organisation.name} is invited: its social value lead accepts on its networks page.",
        success_url=_dashboard_url(org),
        template="networks/coordinator_form.html",
        context={"member": member, "heading": "Invite a member", "button": "Send the invitation"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def metric_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_NETWORK)
    form = MetricForm(request.POST or None, prefix="nw")
    return form_page(
        request,
        form,
        save=lambda: services_metrics.metric_create(actor=member.user, member=member, **form.cleaned_data),
        message=lambda m: f"The shared metric {m.title} is defined.",
        success_url=lambda m: reverse("networks:metric-detail", kwargs={"org": org, "pk": m.pk}),
        template="networks/coordinator_form.html",
        context={"member": member, "heading": "Define a shared metric", "button": "Save the metric"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def metric_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """A metric, its crosswalks, and a form to map a member's own measure code to it."""
    member = member_require(user=request.user, slug=org, permission=Permission.READ_NETWORK)
    metric = selectors_metrics.metric_get(member=member, pk=pk)
    members = selectors_membership.network_member_list(member=member).filter(state=MembershipState.ACTIVE)
    form = CrosswalkForm(
        request.POST or None,
        prefix="nw",
        organisations=Organisation.objects.filter(pk__in=members.values("organisation_id")),
    )
    if request.method == "POST":
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_NETWORK)
    return form_page(
        request,
        form,
        save=lambda: services_metrics.crosswalk_add(
            actor=member.user,
            member=member,
            metric=metric,
            organisation=form.cleaned_data["organisation"],
            measure_code=form.cleaned_data["measure_code"],
        ),
        message=lambda c: f"{c.measure_code} of {c.organisation.name} now counts as {metric.title}.",
        success_url=reverse("networks:metric-detail", kwargs={"org": org, "pk": metric.pk}),
        template="networks/metric_detail.html",
        context={"member": member, "metric": metric},
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_NETWORK)
    members = selectors_membership.network_member_list(member=member).filter(state=MembershipState.ACTIVE)
    form = ProgrammeForm(request.POST or None, prefix="nw", organisations=[m.organisation for m in members])  # type: ignore[arg-type]
    return form_page(
        request,
        form,
        save=lambda: services_programmes.programme_create(
            actor=member.user,
            member=member,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            shares=form.shares(),
        ),
        message=lambda p: f"The programme {p.title} is set up: its partners record their participants.",
        success_url=_dashboard_url(org),
        template="networks/coordinator_form.html",
        context={"member": member, "heading": "Set up a joint programme", "button": "Save the programme"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_NETWORK)
    form = PublishForm(
        request.POST or None, prefix="nw", initial={"quarter": str(selectors_reports.quarter_current().previous())}
    )
    if request.method == "POST":
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_NETWORK)
    return form_page(
        request,
        form,
        save=lambda: services_reports.report_publish(
            actor=member.user, member=member, quarter=form.cleaned_data["quarter"], summary=form.cleaned_data["summary"]
        ),
        message=lambda r: f"The network report for {r.quarter} is published.",
        success_url=lambda r: reverse("networks:report-detail", kwargs={"org": org, "pk": r.pk}),
        template="networks/report_list.html",
        context={"member": member, "reports": selectors_reports.report_list(member=member)},
    )


def _report_view(request: HttpRequest, org: str, pk: int) -> selectors_reports.ReportView:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_NETWORK)
    return selectors_reports.report_view(selectors_reports.report_get(member=member, pk=pk))


@login_required
@require_GET
def report_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_NETWORK)
    view = _report_view(request, org, pk)
    return render(request, "networks/report_page.html", {"member": member, "view": view, "figures": view.figures})


def file_response(view: selectors_reports.ReportView, extension: str) -> HttpResponse:
    makers = {
        "pdf": (report_files.report_pdf, "application/pdf", "inline"),
        "csv": (report_files.figures_csv, "text/csv; charset=utf-8", "attachment"),
        "xlsx": (
            report_files.figures_xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "attachment",
        ),
        "json": (report_files.report_json, "application/json", "attachment"),
    }
    make, content_type, disposition = makers[extension]
    response = HttpResponse(make(view), content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{report_files.download_name(view, extension)}"'
    return response


@login_required
@require_GET
def report_pdf(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return file_response(_report_view(request, org, pk), "pdf")


@login_required
@require_GET
def report_csv(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return file_response(_report_view(request, org, pk), "csv")


@login_required
@require_GET
def report_xlsx(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return file_response(_report_view(request, org, pk), "xlsx")


@login_required
@require_GET
def report_json(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return file_response(_report_view(request, org, pk), "json")
