"""Every PDF Commonweal makes is tagged (PDF/UA-1): a title, the language, headings and table headers in
its structure tree. One module makes them all (core/pdf.py), so what holds for it holds for each."""

import re
from pathlib import Path

import pytest

from commonweal.core.pdf import FetchRefused, html_to_pdf, refuse_fetch

from .pdf_support import assert_tagged

pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parent.parent
PRINT_TEMPLATES = [
    "commonweal/delivery/templates/delivery/report_print.html",
    "commonweal/frameworks/templates/frameworks/plan/print.html",
    "commonweal/networks/templates/networks/report_print.html",
    "commonweal/procurement/templates/procurement/award/report_print.html",
    "commonweal/procurement/templates/procurement/award/summary_print.html",
    "commonweal/reporting/templates/reporting/report_print.html",
]


def test_a_pdf_is_tagged_with_title_language_headings_and_table_headers() -> None:
    pdf = html_to_pdf(
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Delivery report</title></head>'
        "<body><h1>Delivery report</h1><h2>Commitments</h2><table><thead><tr><th>Measure</th><th>Target</th>"
        "</tr></thead><tbody><tr><td>Apprenticeship weeks</td><td>52</td></tr></tbody></table></body></html>"
    )
    facts = assert_tagged(pdf, title="Delivery report")
    assert "H2" in facts.structure and "Table" in facts.structure
    assert len(re.findall(r"^\s*TH\b(?!ead)", facts.structure, flags=re.M)) == 2
    assert "/Headers" in facts.structure  # data cells name their header cells


def test_only_the_pdf_module_makes_pdfs_and_every_print_template_has_a_language_and_a_title() -> None:
    makers = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "commonweal").rglob("*.py")
        if "write_pdf(" in path.read_text(encoding="utf-8")
    ]
    assert makers == ["commonweal/core/pdf.py"]
    for template in PRINT_TEMPLATES:
        text = (ROOT / template).read_text(encoding="utf-8")
        assert '<html lang="en-GB">' in text and "<title>" in text and "<h1" in text, template


def test_a_pdf_fetches_nothing() -> None:
    with pytest.raises(FetchRefused, match="A PDF fetches nothing: https://example.org/x.css was refused."):
        refuse_fetch("https://example.org/x.css")
