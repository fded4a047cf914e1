"""The annual report's charts: Vega-Lite drawn to SVG on the server by the spend pages' pipeline
(`spend/charts.py`), each followed on the page and in the PDF by the table of the same figures.

Series are drawn side by side, never stacked: a stack would add local economic value to additional
social value, which the report never does."""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.utils.safestring import SafeString

from commonweal.core.formatting import money, percent
from commonweal.spend import charts

from .annual import VALUE_TYPES, ReportContent, Table, state_value

SERIES_COLOURS = (charts.BLUE, charts.DARK_GREY, charts.GREEN, charts.RED)


def grouped_columns(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[Decimal]],
    axis_title: str,
) -> SafeString:
    """Columns side by side within each category, one a series (never stacked)."""
    names = list(series)
    data = [
        {"category": name, "series": series_name, "value": float(values[index])}
        for index, name in enumerate(categories)
        for series_name, values in series.items()
    ]
    spec = {
        "width": charts.WIDTH - 80,
        "height": 220,
        "data": {"values": data},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "category",
                "type": "nominal",
                "sort": list(categories),
                "title": None,
                "axis": {"labelAngle": 0 if len(categories) <= charts.LEVEL_LABELS_UP_TO else -90, "labelLimit": 120},
            },
            "xOffset": {"field": "series", "type": "nominal", "sort": names},
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": axis_title,
                "axis": {"format": charts.MONEY_FORMAT, "tickCount": 5},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "sort": names,
                "scale": {"domain": names, "range": list(SERIES_COLOURS[: len(names)])},
                "legend": {"labelLimit": 480, "direction": "vertical"},
            },
        },
    }
    return charts.render(spec, chart_id=chart_id, title=title, description=description)


def _describe(pairs: Sequence[tuple[str, str]]) -> str:
    return "; ".join(f"{name}: {value}" for name, value in pairs) + ". The table after the chart has every figure."


def _value_type_chart(content: ReportContent, value_type: str, label: str) -> SafeString:
    budget = content.budget
    states = ("committed", "claimed", "evidenced", "verified")
    this_year = [state_value(budget.totals, state, value_type, "net") or Decimal(0) for state in states]
    last_year = [state_value(budget.baseline_totals, state, value_type, "net") or Decimal(0) for state in states]
    names = [state.capitalize() for state in states]
    last_label = f"{budget.start_year - 1}/{budget.start_year % 100:02d}"
    return grouped_columns(
        chart_id=f"chart-{value_type.replace('_', '-')}",
        title=f"{label} by state, net, {budget.label} against {last_label}",
        description=_describe(
            [(f"{name}, {budget.label}", money(value)) for name, value in zip(names, this_year, strict=True)]
            + [(f"{name}, {last_label}", money(value)) for name, value in zip(names, last_year, strict=True)]
        ),
        categories=names,
        series={f"{budget.label} net": this_year, f"{last_label} net": last_year},
        axis_title=f"{label}, net (£)",
    )


def _departments_chart(content: ReportContent) -> SafeString | None:
    departments = content.budget.departments
    if not departments:
        return None
    names = [department.name for department in departments]
    series = {
        f"{label} verified, net": [
            state_value(department.money, "verified", value_type, "net") or Decimal(0) for department in departments
        ]
        for value_type, label in VALUE_TYPES
    }
    return grouped_columns(
        chart_id="chart-departments",
        title=f"Social value verified by department, net, {content.budget.label}",
        description=_describe(
            [
                (f"{name}, {series_name.lower()}", money(values[index]))
                for index, name in enumerate(names)
                for series_name, values in series.items()
            ]
        ),
        categories=names,
        series=series,
        axis_title="Verified, net (£)",
    )


def _pipeline_chart(content: ReportContent) -> SafeString | None:
    rows = [department for department in content.budget.departments if department.pipeline.procurements]
    if not rows:
        return None
    return charts.bar_chart(
        chart_id="chart-planned",
        title=f"Planned procurements' estimated value by department, {content.budget.label}",
        description=_describe([(row.name, money(row.pipeline.estimated_value)) for row in rows]),
        categories=[row.name for row in rows],
        values=[row.pipeline.estimated_value for row in rows],
        axis_title="Estimated value (£)",
    )


def _shares_chart(content: ReportContent, table: Table) -> SafeString | None:
    """The shown agreements' claimed additional social value, gross, as a % of their value."""
    shown = {row[0] for row in table.rows}
    shares = [
        (share.reference, share.percent("claimed", "additional_social", "gross"))
        for share in content.budget.shares
        if f"{share.reference} {share.title}" in shown
    ]
    drawn = [(name, value) for name, value in shares if value is not None]
    if not drawn:
        return None
    return charts.bar_chart(
        chart_id="chart-shares",
        title="Additional social value claimed, gross, as a % of each agreement's value",
        description=_describe([(name, percent(value)) for name, value in drawn]),
        categories=[name for name, _ in drawn],
        values=[value for _, value in drawn],
        axis_title="% of the agreement's value",
        money=False,
    )


def report_charts(content: ReportContent, tables: Sequence[Table]) -> dict[str, SafeString]:
    """The chart drawn before each table that has one, by the table's key."""
    by_key = {table.key: table for table in tables}
    keys = set(by_key)
    made: dict[str, SafeString | None] = {}
    for value_type, label in VALUE_TYPES:
        key = value_type.replace("_", "-")
        if key in keys:
            made[key] = _value_type_chart(content, value_type, label)
    if "planned" in keys:
        made["planned"] = _pipeline_chart(content)
    if "departments" in keys:
        made["departments"] = _departments_chart(content)
    if "shares" in keys:
        made["shares"] = _shares_chart(content, by_key["shares"])
    return {key: chart for key, chart in made.items() if chart is not None}
