"""Charts for the spend pages: Vega-Lite specifications rendered to SVG on the server with vl-convert.

Nothing runs in the browser: each chart is inline SVG with a `<title>` and `<desc>` the root names with
`aria-labelledby`, and the page always follows it with the same figures as a table, which is the
accessible version. The SVG is cleaned so the strict Content-Security-Policy holds (no scripts, no style
attributes or elements) and so screen readers meet one image rather than Vega's inner ARIA markup.
"""

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import vl_convert
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# GOV.UK Frontend colours with at least 3:1 contrast against white (WCAG 1.4.11).
BLUE = "#1d70b8"
RED = "#d4351c"
DARK_GREY = "#505a5f"
GREEN = "#00703c"
FONT = "arial, sans-serif"
WIDTH = 560
BAR_HEIGHT = 22
LEVEL_LABELS_UP_TO = 8  # columns whose labels fit side by side; more are turned on end
CONFIG: dict[str, Any] = {
    "aria": False,  # the root carries the accessible name; the table carries the figures
    "font": FONT,
    "background": "white",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 12, "titleFontSize": 13, "labelColor": "#0b0c0c", "titleColor": "#0b0c0c"},
    "legend": {"labelFontSize": 12, "titleFontSize": 13, "orient": "bottom", "labelColor": "#0b0c0c"},
    "locale": {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]}},
}
MONEY_FORMAT = "$,.0f"
STACK_COLOURS = {"Local": BLUE, "Not local": RED, "Not known": DARK_GREY}

_STRIPPED_ATTRIBUTES = re.compile(r'\s(?:role|aria-[a-z]+|class)="[^"]*"')
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_ROOT = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="([^"]+)"')
_ID = re.compile(r"[^a-z0-9-]")


def _float(value: Decimal | int) -> float:
    # Only for drawing: the figures people read are the table's, in exact Decimal.
    return float(value)


def _styles_as_attributes(match: re.Match[str]) -> str:
    """`style="fill: red; opacity: 0.5"` → ` fill="red" opacity="0.5"`: the CSP forbids inline styles."""
    attributes = []
    for declaration in match[1].split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            attributes.append(f' {name.strip()}="{value.strip()}"')
    return "".join(attributes)


def svg_clean(svg: str) -> str:
    """Vega's SVG made safe to inline under the CSP, with its own ARIA markup removed."""
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.DOTALL | re.IGNORECASE)
    svg = re.sub(r"<style\b.*?</style>", "", svg, flags=re.DOTALL | re.IGNORECASE)
    svg = _STYLE_ATTRIBUTE.sub(_styles_as_attributes, svg)
    return _STRIPPED_ATTRIBUTES.sub("", svg)


def render(spec: dict[str, Any], *, chart_id: str, title: str, description: str) -> SafeString:
    """The chart as inline SVG: one image named by its title and described in words."""
    chart_id = _ID.sub("-", chart_id.lower())
    svg = svg_clean(vl_convert.vegalite_to_svg({**spec, "config": CONFIG}))
    root = _ROOT.search(svg)
    view_box = _VIEWBOX.search(root[0]) if root else None
    if root is None or view_box is None:
        raise ValueError("vl-convert returned something that is not an SVG image.")
    # Scales to its container's width, keeping its shape (the viewBox), so it fits narrow screens.
    opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box[1]}" width="100%" '
        f'role="img" focusable="false" aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    return mark_safe(opening + svg[root.end() :])  # noqa: S308  # Vega's output, cleaned; our text escaped


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    values: Sequence[Decimal | int],
    axis_title: str = "Spend",
    money: bool = True,
) -> SafeString:
    """Horizontal bars, one a category, in the order given."""
    data = [{"category": name, "value": _float(value)} for name, value in zip(categories, values, strict=True)]
    spec = {
        "width": WIDTH - 200,
        "height": max(len(data), 1) * BAR_HEIGHT,
        "data": {"values": data},
        "mark": {"type": "bar", "color": BLUE},
        "encoding": {
            "y": {
                "field": "category",
                "type": "nominal",
                "sort": list(categories),
                "title": None,
                "axis": {"labelLimit": 190},
            },
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": axis_title,
                "axis": {"format": MONEY_FORMAT if money else ",d", "tickCount": 5},
            },
        },
    }
    return render(spec, chart_id=chart_id, title=title, description=description)


def stacked_columns(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: dict[str, Sequence[Decimal]],
    axis_title: str = "Spend",
) -> SafeString:
    """Columns, one a category (a month, a year), each split into the named series (local, not local, ...)."""
    data = [
        {"category": name, "series": series_name, "value": _float(values[index])}
        for index, name in enumerate(categories)
        for series_name, values in series.items()
    ]
    names = list(series)
    spec = {
        "width": WIDTH - 80,
        "height": 240,
        "data": {"values": data},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "category",
                "type": "ordinal",
                "sort": list(categories),
                "title": None,
                "axis": {"labelAngle": 0 if len(categories) <= LEVEL_LABELS_UP_TO else -90},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": axis_title,
                "stack": True,
                "axis": {"format": MONEY_FORMAT, "tickCount": 5},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"domain": names, "range": [STACK_COLOURS.get(name, BLUE) for name in names]},
            },
            "order": {"field": "order", "type": "quantitative"},
        },
        "transform": [{"calculate": f"indexof({names!r}, datum.series)", "as": "order"}],
    }
    return render(spec, chart_id=chart_id, title=title, description=description)


def stacked_bars_percent(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    parts: dict[str, Sequence[Decimal]],
    colours: dict[str, str],
) -> SafeString:
    """Horizontal bars, each 100% of its category, split into parts (yes, no, not known)."""
    names = list(parts)
    data = [
        {"category": name, "part": part, "value": _float(max(values[index], Decimal(0))), "order": names.index(part)}
        for index, name in enumerate(categories)
        for part, values in parts.items()
    ]
    spec = {
        "width": WIDTH - 200,
        "height": max(len(categories), 1) * (BAR_HEIGHT + 8),
        "data": {"values": data},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "category", "type": "nominal", "sort": list(categories), "title": None},
            "x": {
                "field": "value",
                "type": "quantitative",
                "stack": "normalize",
                "title": "Share of spend",
                "axis": {"format": ".0%", "tickCount": 5},
            },
            "color": {
                "field": "part",
                "type": "nominal",
                "title": None,
                "scale": {"domain": names, "range": [colours[name] for name in names]},
            },
            "order": {"field": "order", "type": "quantitative"},
        },
    }
    return render(spec, chart_id=chart_id, title=title, description=description)
