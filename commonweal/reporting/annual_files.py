"""The annual report as the page and the files show it: what a template needs (`ReportView`), the tagged
A4 PDF (PDF/UA-1, made with WeasyPrint without fetching anything), and every figure as CSV, XLSX and JSON."""

import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from commonweal.core.exports import cell_safe, csv_write
from commonweal.core.pdf import html_to_pdf

from . import annual
from .annual import ReportContent, Table
from .annual_charts import report_charts


@dataclass(frozen=True)
class VersionNote:
    number: int
    published_at: datetime
    change_note: str


@dataclass
class ReportView:
    """A report's content with its tables, charts and standing: a draft, or a published version."""

    content: ReportContent
    draft: bool
    version: int | None = None
    published_at: datetime | None = None
    published_by: str = ""
    signed_off_by: str = ""
    change_note: str = ""
    history: list[VersionNote] = field(default_factory=list)  # this and every earlier version, newest first
    tables: list[Table] = field(default_factory=list)  # every figure: the downloads
    shown_tables: list[Table] = field(default_factory=list)  # what the page and the PDF show
    charts: dict[str, SafeString] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.tables:
            self.tables = annual.figure_tables(self.content)
        if not self.shown_tables:
            self.shown_tables = annual.figure_tables(self.content, full=False)

    def with_charts(self) -> "ReportView":
        self.charts = report_charts(self.content, self.shown_tables)
        return self

    @property
    def budget(self) -> Any:
        return self.content.budget

    @property
    def headline(self) -> list[tuple[str, str]]:
        return annual.headline(self.content)

    @property
    def sections(self) -> list[tuple[Table, SafeString | None]]:
        """Each table of figures (bar the methodology's) with the chart drawn before it, if it has one."""
        return [(table, self.charts.get(table.key)) for table in self.shown_tables if table.key != "methodology"]

    @property
    def methodology_table(self) -> Table:
        return next(table for table in self.tables if table.key == "methodology")

    @property
    def standing(self) -> str:
        """What the reader is looking at, in a sentence."""
        if self.draft:
            return "Draft: not signed off or published. The figures are worked out afresh each time it is viewed."
        return f"Version {self.version}, published."

    def about(self) -> list[tuple[str, str]]:
        """The report's standing, for the XLSX's first sheet and the JSON."""
        budget = self.content.budget
        rows = [
            ("Report", self.content.title),
            ("Organisation", self.content.organisation),
            ("Financial year", f"{budget.label} ({budget.start_date.isoformat()} to {budget.end_date.isoformat()})"),
            ("Figures as at", budget.as_at.isoformat()),
            ("Value set", budget.value_set or "none"),
            ("Standing", "draft" if self.draft else f"version {self.version}"),
        ]
        if not self.draft and self.published_at is not None:
            rows += [
                ("Published", self.published_at.isoformat()),
                ("Signed off by", self.signed_off_by),
                ("Change note", self.change_note),
            ]
        rows.append(("Note", budget.note))
        return rows


# --- PDF ----------------------------------------------------------------------------------------------


def report_pdf(view: ReportView) -> bytes:
    """The report as a tagged A4 PDF (core.pdf: PDF/UA-1)."""
    html = render_to_string("reporting/report_print.html", {"report": view.with_charts() if not view.charts else view})
    return html_to_pdf(html)


# --- Figures ------------------------------------------------------------------------------------------


def figures_csv(view: ReportView) -> str:
    out = io.StringIO()
    csv_write(out, annual.CSV_FIELDS, annual.figure_rows(view.tables))
    return out.getvalue()


def figures_xlsx(view: ReportView) -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    bold = Font(bold=True)
    about = workbook.active
    assert about is not None
    about.title = "About"
    for row in view.about():
        about.append([cell_safe(value) for value in row])
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100
    for table, rows in zip(view.tables, annual.tables_dict(view.tables), strict=True):
        sheet = workbook.create_sheet(table.key[:31])
        sheet.append(rows["columns"])
        for cell in sheet[1]:
            cell.font = bold
        for row in rows["rows"]:
            sheet.append([cell_safe(value) for value in row])
        for number, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = 18 if column.numeric else 40
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_data(view: ReportView) -> dict[str, Any]:
    """The report as JSON: its standing, every table of figures, and its full content (the snapshot)."""
    return {
        "standing": "draft" if view.draft else "published",
        "version": view.version,
        "published_at": view.published_at.isoformat() if view.published_at else None,
        "published_by": view.published_by or None,
        "signed_off_by": view.signed_off_by or None,
        "change_note": view.change_note,
        "history": [
            {"version": note.number, "published_at": note.published_at.isoformat(), "change_note": note.change_note}
            for note in view.history
        ],
        "tables": annual.tables_dict(view.tables),
        "content": view.content.as_dict(),
    }


def report_json(view: ReportView) -> str:
    return json.dumps(report_data(view), indent=2, ensure_ascii=False)


def download_name(view: ReportView, extension: str) -> str:
    budget = view.content.budget
    standing = "draft" if view.draft else f"v{view.version}"
    return f"{budget.organisation_slug}-impact-report-{budget.start_year}-{standing}.{extension}"
