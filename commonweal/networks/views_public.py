"""The public network page under /networks/<network>/: the collective headline figures of its latest
published report, its published reports with their files, and the stories members published on their
own hubs. Anyone may read it once the network has published a report; a 404 before."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors_reports
from .views_dashboard import file_response


@require_GET
def network_page(request: HttpRequest, org: str) -> HttpResponse:
    network = selectors_reports.public_network_get(slug=org)
    reports = list(selectors_reports.public_report_list(network=network))
    latest = selectors_reports.report_view(reports[0])
    return render(
        request,
        "networks/public_page.html",
        {
            "network": network,
            "reports": reports,
            "view": latest,
            "figures": latest.figures,
            "stories": selectors_reports.public_story_list(network=network),
        },
    )


def _view(org: str, pk: int) -> selectors_reports.ReportView:
    network = selectors_reports.public_network_get(slug=org)
    return selectors_reports.report_view(selectors_reports.public_report_get(network=network, pk=pk))


@require_GET
def report_page(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    view = _view(org, pk)
    return render(
        request, "networks/public_report.html", {"network": view.report.network, "view": view, "figures": view.figures}
    )


@require_GET
def report_pdf(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return file_response(_view(org, pk), "pdf")


@require_GET
def report_csv(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return file_response(_view(org, pk), "csv")


@require_GET
def report_json(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    return file_response(_view(org, pk), "json")
