"""The public hub as data: the rules residents' pages follow, and everything made from a publication's
snapshot (Markdown-lite pages, the map, CSV, Atom, OCDS implementation releases and contract performance
notices). Pure: no database; `selectors_public.hub_snapshot` gathers the facts.

- **Small numbers**: a count of people or full-time equivalents delivered, from 1 to N − 1 (N is
  `REPORT_SUPPRESSION_THRESHOLD`), is never shown: the place table hides it with `budget.suppress` (with the
  next smallest beside it); a single figure (a contract's delivered count) is shown as "fewer than N"; and
  what would give a hidden place's figure back is hidden too (`hide_what_would_reveal_places`). Targets are
  contract terms and are shown whole.
- **A commitment's status**: met when verified reaches the target; after its due date, partly met when
  something was verified, else not met; before it, scheduled.
"""

import gzip
import html
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import SafeString, mark_safe

from commonweal.core.exports import csv_write
from commonweal.procurement import ocds

from .budget import COUNT_UNITS, suppress

ZERO = Decimal("0")
MAP_WIDTH = 640
MAP_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2025."
)
STATUS_LABELS = {
    "met": "Met",
    "partiallyMet": "Partly met",
    "notMet": "Not met",
    "scheduled": "Not due yet",
}
WARD_PREFIXES = ("E05", "W05")
DISTRICT_PREFIXES = ("E06", "E07", "E08", "E09", "W06")


# --- Small numbers and status ------------------------------------------------------------------------------


def cell_dump(value: Decimal | None, text: str = "") -> dict[str, str | None]:
    return {"value": None if value is None else str(value), "text": text}


def count_cell(value: Decimal, *, unit: str, threshold: int) -> dict[str, str | None]:
    """One figure as the hub shows it: a count of people below the threshold is only "fewer than N"."""
    if unit in COUNT_UNITS:
        (cell,), _total = suppress([value], threshold=threshold)
        return cell_dump(cell.value, cell.text)
    return cell_dump(value)


def column_cells(values: list[Decimal], *, unit: str, threshold: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A column of a place table with its total, small counts hidden so none can be worked out."""
    if unit in COUNT_UNITS:
        cells, total = suppress(values, threshold=threshold)
        return [cell_dump(cell.value, cell.text) for cell in cells], cell_dump(total.value, total.text)
    return [cell_dump(value) for value in values], cell_dump(sum(values, ZERO))


def hide_what_would_reveal_places(
    *, contracts: list[dict[str, Any]], delivered: list[dict[str, Any]], where: list[dict[str, Any]], threshold: int
) -> None:
    """Where the place table hides a place's figure, hide what would let it be worked out elsewhere: the
    delivered figures of that measure's commitments at that place, and the measure's totals over all
    contracts (which, less the figures shown, would give it back)."""
    text = f"fewer than {threshold}"
    hidden = {
        measure["measure_code"]: {row["code"] for row in measure["rows"] if row["verified"]["value"] is None}
        for measure in where
    }
    hidden = {code: places for code, places in hidden.items() if places}
    for contract in contracts:
        for item in contract["commitments"]:
            if item["place_code"] in hidden.get(item["measure_code"], set()):
                item["claimed"] = item["verified"] = cell_dump(None, text)
    for measure in delivered:
        if measure["measure_code"] in hidden:
            measure["claimed"] = measure["verified"] = cell_dump(None, text)


def commitment_status(*, target: Decimal, verified: Decimal, due_date: date, today: date) -> str:
    """The OCDS milestone status of a commitment (see the module docs)."""
    if verified >= target:
        return "met"
    if due_date < today:
        return "partiallyMet" if verified > 0 else "notMet"
    return "scheduled"


def place_level(code: str) -> str:
    if code.startswith(WARD_PREFIXES):
        return "ward"
    if code.startswith(DISTRICT_PREFIXES):
        return "district"
    return "other" if code else "none"


# --- Markdown-lite --------------------------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _inline(text: str) -> str:
    """Escaped text with **bold** and [links](https://…); a link to anything but http(s) stays text."""
    out = html.escape(text, quote=True)

    def link(match: re.Match[str]) -> str:
        label, url = match.group(1), html.unescape(match.group(2))
        if urlsplit(url).scheme not in ("http", "https"):
            return match.group(0)
        return f'<a class="govuk-link" href="{html.escape(url, quote=True)}">{label}</a>'

    out = _LINK.sub(link, out)
    return _BOLD.sub(r"<strong>\1</strong>", out)


def markdown_lite(text: str) -> SafeString:
    """Blocks split by blank lines: `## ` a heading, lines starting `- ` a list, else a paragraph. Every
    character typed is escaped first, so no HTML the author writes reaches the page."""
    blocks = [block.strip("\n") for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if block.strip()]
    parts = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n")]
        if len(lines) == 1 and lines[0].startswith("## "):
            parts.append(f'<h2 class="govuk-heading-m">{_inline(lines[0][3:])}</h2>')
        elif all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            parts.append(f'<ul class="govuk-list govuk-list--bullet">{items}</ul>')
        else:
            parts.append(f'<p class="govuk-body">{"<br>".join(_inline(line) for line in lines)}</p>')
    return mark_safe("\n".join(parts))  # noqa: S308 - every piece was escaped by _inline


# --- The map ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def ward_features(boundaries_dir: str, district: str) -> tuple[tuple[str, str, tuple[Any, ...]], ...]:
    """The wards of a district as (code, name, polygons of rings of (lon, lat)); none without its file."""
    path = Path(boundaries_dir) / "wards-2025-ew-by-lad" / f"{district}.geojson.gz"
    if not re.fullmatch(r"[EW]0[6-9]\d{6}", district) or not path.is_file():
        return ()
    data = json.loads(gzip.decompress(path.read_bytes()))
    wards = []
    for feature in data.get("features", []):
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates", [])
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        rings = tuple(tuple(tuple((point[0], point[1]) for point in ring) for ring in polygon) for polygon in polygons)
        properties = feature.get("properties", {})
        wards.append((str(properties.get("WD25CD", "")), str(properties.get("WD25NM", "")), rings))
    return tuple(wards)


def map_svg(*, boundaries_dir: str, districts: Iterable[str], classes: Mapping[str, str], title: str) -> str | None:
    """The districts' wards drawn as SVG, each ward filled by its class ("delivered", "promised") from
    `classes` (by ward code, or by district code for the whole district). None when no boundary file."""
    shapes = []
    for district in sorted(set(districts)):
        for code, name, polygons in ward_features(boundaries_dir, district):
            shapes.append((code, name, polygons, classes.get(code) or classes.get(district) or ""))
    if not shapes:
        return None
    points = [point for _, _, polygons, _ in shapes for polygon in polygons for ring in polygon for point in ring]
    min_lon, max_lon = min(p[0] for p in points), max(p[0] for p in points)
    min_lat, max_lat = min(p[1] for p in points), max(p[1] for p in points)
    squash = math.cos(math.radians((min_lat + max_lat) / 2))
    width_deg = max((max_lon - min_lon) * squash, 1e-9)
    scale = MAP_WIDTH / width_deg
    height = round((max_lat - min_lat) * scale) or 1

    def ring_path(ring: tuple[tuple[float, float], ...]) -> str:
        out: list[tuple[int, int]] = []
        for lon, lat in ring:
            point = (round((lon - min_lon) * squash * scale), round((max_lat - lat) * scale))
            if not out or out[-1] != point:
                out.append(point)
        return "M" + "L".join(f"{x} {y}" for x, y in out) + "Z" if len(out) > 2 else ""

    paths = []
    for code, name, polygons, kind in shapes:
        d = "".join(ring_path(ring) for polygon in polygons for ring in polygon)
        fill = {"delivered": "#00703c", "promised": "#1d70b8"}.get(kind, "#f3f2f1")
        label = {"delivered": "delivery verified", "promised": "commitments, nothing verified yet"}.get(
            kind, "no commitments"
        )
        paths.append(
            f'<path d="{d}" fill="{fill}" stroke="#505a5f" stroke-width="0.75">'
            f"<title>{html.escape(name)} ({html.escape(code)}): {label}</title></path>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH} {height}" role="img" '
        f'aria-labelledby="hub-map-title" class="app-hub-map" preserveAspectRatio="xMidYMid meet">'
        f'<title id="hub-map-title">{html.escape(title)}</title>' + "".join(paths) + "</svg>"
    )


# --- Files made from a snapshot -----------------------------------------------------------------------------

CSV_FIELDS = ["table", "row", "column", "value", "text"]


def _cell_rows(table: str, row: str, column: str, cell: Mapping[str, Any]) -> dict[str, Any]:
    value = cell.get("value")
    return {
        "table": table,
        "row": row,
        "column": column,
        "value": "" if value is None else Decimal(value),
        "text": cell.get("text", ""),
    }


def csv_rows(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every public figure, one a row (`table, row, column, value, text`), as the annual report's CSV."""
    rows: list[dict[str, Any]] = []
    for contract in snapshot["contracts"]:
        for item in contract["commitments"]:
            row = f"{contract['reference']} {item['measure_code']} due {item['due_date']}"
            rows.append(_cell_rows("promised", row, "target", {"value": item["target"], "text": item["unit_label"]}))
            rows.append(_cell_rows("delivered", row, "claimed", item["claimed"]))
            rows.append(_cell_rows("delivered", row, "verified", item["verified"]))
            rows.append({"table": "delivered", "row": row, "column": "status", "value": "", "text": item["status"]})
    for measure in snapshot["delivered"]:
        row = f"{measure['measure_code']} {measure['measure_title']}"
        for column in ("committed", "claimed", "verified"):
            rows.append(_cell_rows("delivered by measure", row, column, measure[column]))
    for measure in snapshot["where"]:
        for place in measure["rows"]:
            row = f"{measure['measure_code']} {place['label']}"
            for column in ("committed", "verified"):
                rows.append(_cell_rows("where", row, column, place[column]))
    for rating in snapshot["performance"]:
        rows.append(
            {
                "table": "performance",
                "row": f"{rating['contract_reference']} as at {rating['as_at']}",
                "column": "rating",
                "value": "",
                "text": rating["rating_label"],
            }
        )
    return rows


def csv_text(snapshot: Mapping[str, Any]) -> str:
    out = io.StringIO()
    csv_write(out, CSV_FIELDS, csv_rows(snapshot))
    return out.getvalue()


def public_json(snapshot: Mapping[str, Any]) -> str:
    """The snapshot as published, without the drawn map (its figures are in `where`)."""
    data = {key: value for key, value in snapshot.items() if key != "map"}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def atom_feed(snapshot: Mapping[str, Any], *, site_url: str, links: Mapping[str, str]) -> str:
    """New stories and reports, newest first. `links` gives the absolute address of the hub ("hub"), and
    of each story ("story-<id>") and report ("report-<id>")."""
    organisation = snapshot["organisation"]["name"]
    feed = Atom1Feed(
        title=f"{organisation}: social value stories and reports",
        link=links["hub"],
        description=f"New stories and annual reports from {organisation}.",
        language="en",
        feed_url=links["feed"],
    )
    entries = [
        (story["first_published_at"], f"Story: {story['title']}", links[f"story-{story['id']}"], story["story"][:300])
        for story in snapshot["stories"]
    ] + [
        (
            report["published_at"],
            f"Report: {report['title']} (version {report['number']})",
            links[f"report-{report['id']}"],
            report["summary"],
        )
        for report in snapshot["reports"]
    ]
    for published, title, link, text in sorted(entries, key=lambda entry: entry[0], reverse=True):
        when = datetime.fromisoformat(published)
        feed.add_item(title=title, link=link, description=text, unique_id=link, pubdate=when, updateddate=when)
    return feed.writeString("utf-8")


def _party(data: Mapping[str, Any], roles: tuple[str, ...]) -> ocds.PartyOut:
    return ocds.PartyOut(
        id=data["id"],
        name=data["name"],
        roles=roles,
        companies_house_number=data.get("companies_house_number", ""),
        charity_number=data.get("charity_number", ""),
        sme=data.get("sme"),
        vcse=data.get("vcse"),
    )


def ocds_package(snapshot: Mapping[str, Any], *, uri: str, published: datetime) -> dict[str, Any]:
    """The public contracts as OCDS implementation releases (see `ocds.implementation_release_package`)."""
    buyer = _party(snapshot["buyer_party"], ("buyer",))
    items = []
    for contract in snapshot["contracts"]:
        kpis = tuple(
            ocds.KpiOut(
                id=item["ocds_id"],
                measure_code=item["measure_code"],
                measure_title=item["measure_title"],
                target_quantity=Decimal(item["target"]),
                unit=item["unit"],
                unit_label=item["unit_label"],
                due_date=date.fromisoformat(item["due_date"]),
                place_code=item["place_code"],
                beneficiary_group=item["beneficiary_group"],
                status=item["status"],
                delivered_quantity=None if item["verified"]["value"] is None else Decimal(item["verified"]["value"]),
                delivered_text=item["verified"]["text"],
            )
            for item in contract["commitments"]
        )
        items.append(
            ocds.ImplementationOut(
                ocid=contract["ocid"],
                buyer=buyer,
                supplier=_party(contract["supplier_party"], ("supplier",)),
                award_id=contract["award_id"],
                award_date=datetime.fromisoformat(contract["award_date"]),
                contract=ocds.ContractOut(
                    id=contract["contract_id"],
                    award_id=contract["award_id"],
                    title=contract["title"],
                    status=contract["status"],
                    value=Decimal(contract["value"]),
                    start_date=date.fromisoformat(contract["start_date"]),
                    end_date=date.fromisoformat(contract["end_date"]),
                    kpis=kpis,
                ),
            )
        )
    return ocds.implementation_release_package(
        tuple(items), published=published, uri=uri, publisher=snapshot["organisation"]["name"]
    )


def performance_notices(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A Procurement Act 2023 contract performance notice record (s.71 KPI assessment, notice UK9) for each
    confirmed rating on the hub."""
    return [
        {
            "noticeType": "UK9",
            "noticeTitle": "Contract performance notice",
            "ocid": rating["ocid"],
            "contractId": rating["contract_id"],
            "contractTitle": rating["contract_title"],
            "contractReference": rating["contract_reference"],
            "buyer": snapshot["organisation"]["name"],
            "supplier": rating["supplier"],
            "assessmentDate": rating["as_at"],
            "rating": rating["rating"],
            "ratingLabel": rating["rating_label"],
            "confirmedDate": rating["confirmed_at"],
        }
        for rating in snapshot["performance"]
    ]
