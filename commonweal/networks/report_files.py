"""A published quarterly network report as files: the tagged A4 PDF (PDF/UA-1, made with WeasyPrint
without fetching anything, as the annual impact report is), and every figure as CSV, XLSX and JSON."""

import io
import json
from typing import Any

from django.template.loader import render_to_string

from commonweal.core.exports import cell_safe, csv_write
from commonweal.core.pdf import html_to_pdf

from .selectors_reports import ReportView

CSV_FIELDS = [
    "quarter",
    "metric",
    "title",
    "value_type",
    "states",
    "members_covered",
    "members_total",
    "claimed",
    "verified",
    "amount",
    "spend_total",
    "percent",
    "unit",
]


def report_pdf(view: ReportView) -> bytes:
    """The quarterly report as a tagged A4 PDF (core.pdf)."""
    return html_to_pdf(render_to_string("networks/report_print.html", {"view": view, "figures": view.figures}))


def figure_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "quarter": figures["quarter"],
            "metric": metric["code"],
            "title": metric["title"],
            "value_type": metric["value_type"],
            "states": metric["states"],
            "members_covered": metric["members_covered"],
            "members_total": metric["members_total"],
            "claimed": metric.get("claimed") or "",
            "verified": metric.get("verified") or "",
            "amount": metric.get("amount") or "",
            "spend_total": metric.get("spend_total") or "",
            "percent": metric.get("percent") or "",
            "unit": metric["unit"],
        }
        for metric in figures["metrics"]
    ]


def figures_csv(view: ReportView) -> str:
    out = io.StringIO()
    csv_write(out, CSV_FIELDS, figure_rows(view.figures))
    return out.getvalue()


def figures_xlsx(view: ReportView) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Figures"
    sheet.append(CSV_FIELDS)
    for row in figure_rows(view.figures):
        sheet.append([cell_safe(row[name]) for name in CSV_FIELDS])
    bench = workbook.create_sheet("Benchmarking")
    bench.append(["metric", "member", "value", "position", "median", "lower_quartile", "upper_quartile"])
    for metric in view.figures["metrics"]:
        b = metric["benchmark"]
        for row in b["rows"]:
            bench.append(
                [
                    metric["code"],
                    cell_safe(row["label"]),
                    row["value"],
                    row["position"],
                    b["median"],
                    b["lower_quartile"],
                    b["upper_quartile"],
                ]
            )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_data(view: ReportView) -> dict[str, Any]:
    return {
        "network": view.report.network.slug,
        "quarter": view.report.quarter,
        "published_at": view.report.published_at.isoformat(),
        "summary": view.report.summary,
        "withdrawn_since": [{"member": name, "withdrawn_at": when.isoformat()} for name, when in view.withdrawn],
        "figures": view.figures,
    }


def report_json(view: ReportView) -> str:
    return json.dumps(report_data(view), indent=2, ensure_ascii=False)


def download_name(view: ReportView, extension: str) -> str:
    return f"{view.report.network.slug}-network-report-{view.report.quarter}.{extension}"
