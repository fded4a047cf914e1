"""The spend dashboard's tables and charts, and their downloads as CSV and XLSX.

Each table is built once from the analytics results, with the raw values (for downloads) and the text
shown on the page; each chart is drawn from the same rows, so the chart and its table always agree.
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from django.utils import timezone
from django.utils.safestring import SafeString

from commonweal.core.exports import cell_safe, csv_write
from commonweal.core.formatting import money, percent
from commonweal.tenancy.models import Organisation

from . import analytics, charts
from .analytics import SpendData, SpendFilter
from .places import decile_text, district_label

CellKind = Literal["text", "period", "money", "percent", "count", "flag"]
PAGE_ROWS = 15  # rows of a long breakdown shown on the page; the download has them all
PAGE_SUPPLIERS = 20
DOWNLOAD_SUPPLIERS = 1000
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COUNTING_NOTES = [
    "Totals are net: credits (negative amounts) are counted, so they reduce the total they belong to.",
    "Redacted payments are counted in every total but never matched to a supplier, so they are never "
    "classified: they are part of the “not known” amount.",
    "A share is given of classified spend (with suppliers whose label is known) and of all spend; the "
    "spend not known is shown beside it. A share is not given when the spend it divides is £0 or less.",
]
YES_NO_COLOURS = {"Yes": charts.BLUE, "No": charts.RED, "Not known": charts.DARK_GREY}


@dataclass(frozen=True)
class Column:
    title: str
    kind: CellKind = "text"

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "percent", "count")


@dataclass
class Table:
    key: str
    caption: str
    columns: list[Column]
    rows: list[list[Any]]
    note: str = ""
    total_rows: int | None = None  # when the page shows only the first rows of a longer table

    @property
    def shown_rows(self) -> list[list[tuple[str, bool]]]:
        """Each cell as the page shows it: (text, numeric)."""
        return [
            [(cell_text(value, column.kind), column.numeric) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]

    @property
    def truncated(self) -> bool:
        return self.total_rows is not None and self.total_rows > len(self.rows)


@dataclass
class Section:
    key: str
    heading: str
    intro: str
    table: Table
    chart: SafeString | None = None


@dataclass
class Dashboard:
    headline: analytics.Headline
    shares: list[analytics.ClassShare]
    influence: analytics.Influence
    sections: list[Section] = field(default_factory=list)

    @property
    def local(self) -> analytics.ClassShare:
        return self.shares[0]


def cell_text(value: Any, kind: CellKind) -> str:
    if kind == "money":
        return money(value)
    if kind == "percent":
        return percent(value) or "Not given"
    if kind == "count":
        return f"{value:,}"
    if kind == "flag":
        return {True: "Yes", False: "No", None: "Not known"}[value]
    if kind == "period":
        return str(value).replace("-", "\u2011")  # a non-breaking hyphen: "2024-04" stays on one line
    return str(value)


def _export_value(value: Any, kind: CellKind) -> Any:
    if kind == "flag":
        return {True: "yes", False: "no", None: ""}[value]
    return "" if value is None else value


# --- The tables ------------------------------------------------------------------------------------


def _headline_table(data: SpendData, spend_filter: SpendFilter, full: bool) -> Table:
    headline = analytics.spend_headline(organisation=data.organisation, spend_filter=spend_filter, data=data)
    # Only downloaded (the page shows these figures in its summary), so values stay raw.
    rows: list[list[Any]] = [
        ["Total spend (net, £)", headline.total],
        ["Payments", headline.payments],
        ["Credits (negative amounts, £)", headline.credits],
        ["Credit payments", headline.credit_payments],
        ["Redacted spend (£)", headline.redacted],
        ["Redacted payments", headline.redacted_payments],
        ["Redacted share of spend (%)", headline.redacted_percent],
        ["Influenceable spend (£)", headline.influenceable],
        ["Supplier names", headline.suppliers],
        ["First payment date", headline.first_date.isoformat() if headline.first_date else None],
        ["Last payment date", headline.last_date.isoformat() if headline.last_date else None],
    ]
    return Table(key="headline", caption="Headline figures", columns=[Column("Figure"), Column("Value")], rows=rows)


def _classification_table(shares: list[analytics.ClassShare]) -> Table:
    return Table(
        key="classification",
        caption="Spend by supplier classification",
        columns=[
            Column("Classification"),
            Column("Spend with suppliers that are", "money"),
            Column("Spend with suppliers that are not", "money"),
            Column("Spend not known", "money"),
            Column("Of which redacted", "money"),
            Column("Share of classified spend", "percent"),
            Column("Share of all spend", "percent"),
            Column("Share not known", "percent"),
        ],
        rows=[
            [
                share.title,
                share.amount,
                share.not_amount,
                share.unknown,
                share.redacted,
                share.percent_of_classified,
                share.percent_of_all,
                share.unknown_percent,
            ]
            for share in shares
        ],
        note="“Not known” includes redacted payments and suppliers not (yet) classified.",
    )


def _breakdown_table(
    key: str, caption: str, first: str, items: list[analytics.Breakdown], total: int, first_kind: CellKind = "text"
) -> Table:
    return Table(
        key=key,
        caption=caption,
        columns=[
            Column(first, first_kind),
            Column("Spend", "money"),
            Column("Payments", "count"),
            Column("Local", "money"),
            Column("Not local", "money"),
            Column("Local not known", "money"),
            Column("Local share of classified spend", "percent"),
        ],
        rows=[
            [
                item.name,
                item.amount,
                item.payments,
                item.local,
                item.not_local,
                item.local_unknown,
                item.local_percent_of_classified,
            ]
            for item in items
        ],
        total_rows=total,
    )


def _period_table(data: SpendData, spend_filter: SpendFilter, period: analytics.Period) -> Table:
    items = analytics.spend_by_period(
        organisation=data.organisation, period=period, spend_filter=spend_filter, data=data
    )
    if period == "month":
        return _breakdown_table("months", "Spend by month", "Month", items, len(items), "period")
    return _breakdown_table(
        "financial-years", "Spend by financial year (April to March)", "Financial year", items, len(items), "period"
    )


def _named_table(data: SpendData, spend_filter: SpendFilter, full: bool, kind: str) -> Table:
    query = analytics.spend_by_service_area if kind == "service-areas" else analytics.spend_by_expense_type
    items = query(organisation=data.organisation, spend_filter=spend_filter, data=data)
    shown = items if full else items[:PAGE_ROWS]
    if kind == "service-areas":
        return _breakdown_table(kind, "Spend by service area, largest first", "Service area", shown, len(items))
    return _breakdown_table(kind, "Spend by expense type, largest first", "Expense type", shown, len(items))


def _suppliers_table(data: SpendData, spend_filter: SpendFilter, full: bool) -> Table:
    limit = DOWNLOAD_SUPPLIERS if full else PAGE_SUPPLIERS
    suppliers = analytics.spend_top_suppliers(
        organisation=data.organisation, spend_filter=spend_filter, limit=limit, data=data
    )
    return Table(
        key="suppliers",
        caption=f"The {len(suppliers)} suppliers paid most",
        columns=[
            Column("Rank", "count"),
            Column("Supplier"),
            Column("Spend", "money"),
            Column("Payments", "count"),
            Column("Local", "flag"),
            Column("SME", "flag"),
            Column("VCSE", "flag"),
            Column("Real Living Wage", "flag"),
            Column("District"),
        ],
        rows=[
            [
                supplier.rank,
                supplier.name,
                supplier.amount,
                supplier.payments,
                supplier.local,
                supplier.sme,
                supplier.vcse,
                supplier.living_wage,
                district_label(supplier.district_code) if supplier.district_code else "Not known",
            ]
            for supplier in suppliers
        ],
        note="Redacted payments and payments with no supplier name are not listed. A name in capitals is not "
        "in the supplier registry yet.",
    )


def _leakage_table(data: SpendData, spend_filter: SpendFilter, full: bool) -> tuple[Table, analytics.Leakage]:
    leakage = analytics.spend_leakage(organisation=data.organisation, spend_filter=spend_filter, data=data)
    districts = leakage.districts if full else leakage.districts[:PAGE_ROWS]
    table = Table(
        key="leakage",
        caption="Spend with suppliers that are not local, by their district",
        columns=[Column("District"), Column("Spend", "money"), Column("Suppliers", "count")],
        rows=[
            [
                district_label(item.district_code) if item.district_code else "District not known",
                item.amount,
                item.suppliers,
            ]
            for item in districts
        ],
        total_rows=len(leakage.districts),
    )
    return table, leakage


def _deprivation_table(data: SpendData, spend_filter: SpendFilter, full: bool) -> Table:
    deciles = analytics.spend_by_deprivation(organisation=data.organisation, spend_filter=spend_filter, data=data)
    return Table(
        key="deprivation",
        caption="Local spend by the deprivation decile of the supplier’s district (IMD 2019)",
        columns=[Column("Decile"), Column("Local spend", "money"), Column("Suppliers", "count")],
        rows=[[decile_text(item.decile), item.amount, item.suppliers] for item in deciles],
        note="Decile 1 is the most deprived tenth of districts in England, 10 the least deprived.",
    )


def _influence_table(influence: analytics.Influence) -> Table:
    rows: list[list[Any]] = [["Influenceable spend", influence.influenceable, influence.influenceable_percent]]
    for rule in influence.rules:
        rows.append([f"Not influenceable: {rule.rule}", rule.amount, analytics.percent(rule.amount, influence.total)])
    return Table(
        key="influenceable",
        caption="Spend the organisation can influence",
        columns=[Column("Spend"), Column("Amount", "money"), Column("Share of all spend", "percent")],
        rows=rows,
        note="A payment matching more than one rule is counted against the first.",
    )


TABLE_KEYS = (
    "headline",
    "classification",
    "months",
    "financial-years",
    "service-areas",
    "expense-types",
    "suppliers",
    "leakage",
    "deprivation",
    "influenceable",
)
TABLE_BUILDERS: dict[str, Callable[[SpendData, SpendFilter, bool], Table]] = {
    "headline": _headline_table,
    "classification": lambda data, spend_filter, full: _classification_table(
        analytics.spend_shares(organisation=data.organisation, spend_filter=spend_filter, data=data)
    ),
    "months": lambda data, spend_filter, full: _period_table(data, spend_filter, "month"),
    "financial-years": lambda data, spend_filter, full: _period_table(data, spend_filter, "financial_year"),
    "service-areas": lambda data, spend_filter, full: _named_table(data, spend_filter, full, "service-areas"),
    "expense-types": lambda data, spend_filter, full: _named_table(data, spend_filter, full, "expense-types"),
    "suppliers": _suppliers_table,
    "leakage": lambda data, spend_filter, full: _leakage_table(data, spend_filter, full)[0],
    "deprivation": _deprivation_table,
    "influenceable": lambda data, spend_filter, full: _influence_table(
        analytics.spend_influence(organisation=data.organisation, spend_filter=spend_filter, data=data)
    ),
}


# --- The page --------------------------------------------------------------------------------------


def _describe(pairs: Sequence[tuple[str, str]], limit: int = 5) -> str:
    parts = [f"{name}: {value}" for name, value in pairs[:limit]]
    more = len(pairs) - limit
    return "; ".join(parts) + (f"; and {more} more (see the table)" if more > 0 else "") + "."


def _breakdown_chart(section_key: str, title: str, table: Table) -> SafeString | None:
    if not table.rows:
        return None
    return charts.bar_chart(
        chart_id=f"chart-{section_key}",
        title=title,
        description=_describe([(row[0], money(row[1])) for row in table.rows]),
        categories=[row[0] for row in table.rows],
        values=[row[1] for row in table.rows],
    )


def _period_chart(section_key: str, title: str, table: Table) -> SafeString | None:
    if not table.rows:
        return None
    return charts.stacked_columns(
        chart_id=f"chart-{section_key}",
        title=title,
        description=_describe([(row[0], money(row[1])) for row in table.rows]),
        categories=[row[0] for row in table.rows],
        series={
            "Local": [row[3] for row in table.rows],
            "Not local": [row[4] for row in table.rows],
            "Not known": [row[5] for row in table.rows],
        },
    )


def dashboard_build(*, organisation: Organisation, spend_filter: SpendFilter) -> Dashboard:
    """Every figure, table and chart of the dashboard, from one DuckDB connection."""
    with analytics.spend_data(organisation=organisation) as data:
        headline = analytics.spend_headline(organisation=organisation, spend_filter=spend_filter, data=data)
        shares = analytics.spend_shares(organisation=organisation, spend_filter=spend_filter, data=data)
        influence = analytics.spend_influence(organisation=organisation, spend_filter=spend_filter, data=data)
        dashboard = Dashboard(headline=headline, shares=shares, influence=influence)
        if not headline.payments:
            return dashboard
        classification = _classification_table(shares)
        months = _period_table(data, spend_filter, "month")
        years = _period_table(data, spend_filter, "financial_year")
        areas = _named_table(data, spend_filter, False, "service-areas")
        expense_types = _named_table(data, spend_filter, False, "expense-types")
        suppliers = _suppliers_table(data, spend_filter, False)
        leakage_table, leakage = _leakage_table(data, spend_filter, False)
        deprivation = _deprivation_table(data, spend_filter, False)
    influence_table = _influence_table(influence)

    dashboard.sections = [
        Section(
            "classification",
            "Who the money goes to",
            "The share of spend with local suppliers, SMEs, voluntary, community and social enterprises (VCSEs) "
            "and Real Living Wage employers. Each bar is all spend: the part with suppliers that are, the part "
            "with suppliers that are not, and the part not known.",
            classification,
            charts.stacked_bars_percent(
                chart_id="chart-classification",
                title="Spend by supplier classification",
                description=" ".join(
                    f"{share.title}: {cell_text(share.percent_of_all, 'percent')} of all spend, "
                    f"{cell_text(share.unknown_percent, 'percent')} not known."
                    for share in shares
                ),
                categories=[share.title for share in shares],
                parts={
                    "Yes": [share.amount for share in shares],
                    "No": [share.not_amount for share in shares],
                    "Not known": [share.unknown for share in shares],
                },
                colours=YES_NO_COLOURS,
            ),
        ),
        Section(
            "months",
            "Spend by month",
            "Each month’s spend, split into local, not local and not known.",
            months,
            _period_chart("months", "Spend by month", months),
        ),
        Section(
            "financial-years",
            "Spend by financial year",
            "Financial years run from 1 April to 31 March.",
            years,
            _period_chart("financial-years", "Spend by financial year", years),
        ),
        Section(
            "service-areas",
            "Spend by service area",
            "The service areas that spent most.",
            areas,
            _breakdown_chart("service-areas", "Spend by service area", areas),
        ),
        Section(
            "expense-types",
            "Spend by expense type",
            "The expense types with the most spend.",
            expense_types,
            _breakdown_chart("expense-types", "Spend by expense type", expense_types),
        ),
        Section(
            "suppliers",
            "Top suppliers",
            "The suppliers paid most, with their classification. Names that are clustered as one supplier "
            "are added together.",
            suppliers,
            charts.bar_chart(
                chart_id="chart-suppliers",
                title="The suppliers paid most",
                description=_describe([(row[1], money(row[2])) for row in suppliers.rows]),
                categories=[row[1] for row in suppliers.rows],
                values=[row[2] for row in suppliers.rows],
            )
            if suppliers.rows
            else None,
        ),
        Section(
            "leakage",
            "Leakage: spend outside the area",
            f"{money(leakage.not_local)} ({cell_text(leakage.not_local_percent, 'percent')} of all spend) went "
            f"to suppliers that are not local. Whether {money(leakage.unknown)} went to local suppliers is "
            "not known.",
            leakage_table,
            _breakdown_chart("leakage", "Spend with suppliers that are not local, by district", leakage_table),
        ),
        Section(
            "deprivation",
            "Local spend and deprivation",
            "Local spend by the Index of Multiple Deprivation 2019 decile of the district each supplier is in.",
            deprivation,
            charts.bar_chart(
                chart_id="chart-deprivation",
                title="Local spend by deprivation decile",
                description=_describe([(row[0], money(row[1])) for row in deprivation.rows], limit=11),
                categories=[row[0] for row in deprivation.rows],
                values=[row[1] for row in deprivation.rows],
            ),
        ),
        Section(
            "influenceable",
            "Influenceable spend",
            "Spend the organisation can direct, leaving out payments its spend policy says it cannot influence "
            "(such as precepts or payments to other public bodies).",
            influence_table,
            _breakdown_chart("influenceable", "Spend the organisation can influence", influence_table),
        ),
    ]
    return dashboard


# --- Downloads -------------------------------------------------------------------------------------


def download_tables(*, organisation: Organisation, spend_filter: SpendFilter, key: str) -> list[Table]:
    """The table `key` (or every table, for "all") in full, for a download."""
    keys = TABLE_KEYS if key == "all" else (key,)
    with analytics.spend_data(organisation=organisation) as data:
        return [TABLE_BUILDERS[name](data, spend_filter, True) for name in keys]


def table_csv(table: Table) -> str:
    out = io.StringIO()
    titles = [column.title for column in table.columns]
    csv_write(
        out,
        titles,
        (
            {
                title: _export_value(value, column.kind)
                for title, value, column in zip(titles, row, table.columns, strict=True)
            }
            for row in table.rows
        ),
    )
    return out.getvalue()


def tables_xlsx(*, organisation: Organisation, spend_filter: SpendFilter, tables: list[Table]) -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    bold = Font(bold=True)
    about = workbook.active
    assert about is not None
    about.title = "About"
    lines = [
        ["Spend analysis", organisation.name],
        ["Made", timezone.localtime().strftime("%d/%m/%Y %H:%M")],
        *(["Filter", part] for part in spend_filter.description()),
        *(["How it counts", note] for note in COUNTING_NOTES),
    ]
    for row in lines:
        about.append([cell_safe(value) for value in row])
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100
    for table in tables:
        sheet = workbook.create_sheet(table.key[:31])
        sheet.append([column.title for column in table.columns])
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            sheet.append(
                [cell_safe(_export_value(value, column.kind)) for value, column in zip(row, table.columns, strict=True)]
            )
        for number, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = 40 if column.kind == "text" else 18
            if column.kind == "money":
                for cells in sheet.iter_rows(min_row=2, min_col=number, max_col=number):
                    cells[0].number_format = "#,##0.00"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download_name(*, organisation: Organisation, key: str, fmt: str, today: date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{organisation.slug}-spend-{key}-{today:%Y-%m-%d}.{fmt}"
