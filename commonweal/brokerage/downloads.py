"""The wish list's figures as rows, for CSV and XLSX downloads and the API: plain decimals and ISO dates."""

import io
from typing import Any

from commonweal.core.exports import cell_safe

from .selectors_needs import Figures

FIELDS = ["section", "name", "code", "count", "hours", "pounds", "target", "through_wish_list", "verified", "pledges"]


def figures_rows(figures: Figures) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"section": "needs", "name": name, "count": count} for name, count in figures.counts.items()
    ]
    rows.append(
        {
            "section": "days",
            "name": "median days from published to confirmed",
            "count": str(figures.median_days) if figures.median_days is not None else "",
        }
    )
    rows += [
        {
            "section": "place",
            "name": r["place"],
            "code": r["place_code"],
            "hours": str(r["hours"]),
            "pounds": str(r["money"]),
        }
        for r in figures.by_place
    ]
    rows += [
        {
            "section": "outcome",
            "name": r["title"],
            "code": r["code"],
            "hours": str(r["hours"]),
            "pounds": str(r["money"]),
        }
        for r in figures.by_outcome
    ]
    rows += [
        {
            "section": "commitment",
            "name": f"{r['agreement']} {r['supplier']}: {r['measure']}",
            "code": r["agreement"],
            "target": str(r["target"]),
            "through_wish_list": str(r["through_wish_list"]),
            "verified": str(r["verified_through_wish_list"]),
            "pledges": " ".join(r["pledges"]),
        }
        for r in figures.commitments
    ]
    return [{name: row.get(name, "") for name in FIELDS} for row in rows]


def figures_xlsx(figures: Figures) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Wish list figures"
    sheet.append(FIELDS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in figures_rows(figures):
        sheet.append([cell_safe(row[name]) for name in FIELDS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
