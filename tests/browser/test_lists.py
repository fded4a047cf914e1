"""Lists in the browser: filters, sort orders and counts on the agreements, procurements, returns,
imports, history and supplier lists, a classification sheet refused line by line, and a supplier's
opportunities. Every page is checked with axe and at 320 px."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commonweal.demo.services import DemoLoadResult

from .support import assert_accessible, error_summary_items, sign_in, sign_out, submit

LEAD = "lead@northfield.example"
SUPPLIER = "supplier@greenway.example"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_lists_filter_sort_and_count(page: Page, demo: DemoLoadResult, tmp_path: Path) -> None:
    sign_in(page, LEAD)
    page.goto("/o/northfield/agreements/")
    expect(page.locator("#list-count")).to_have_text("3 agreements.")
    assert_accessible(page)
    page.get_by_label("Search").fill("library")
    submit(page, "Apply filters")
    expect(page.locator("#list-count")).to_have_text("1 agreement matches the filters.")
    expect(page.get_by_role("link", name="NBC-2026-014")).to_be_visible()
    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Sort by").select_option(label="Highest value")
    submit(page, "Apply filters")
    expect(page.locator("table tbody tr").first).to_contain_text("NBC-2026-014")
    assert_accessible(page)

    for path, heading in [
        ("/o/northfield/procurements/", "Procurements"),
        ("/o/northfield/returns/", "Returns"),
        ("/o/northfield/commitments/?status=behind", "Commitments"),
        ("/o/northfield/spend/imports/", "Spend imports"),
        ("/o/northfield/history/", "History"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)
    page.get_by_label("Area").select_option(label="Agreement")
    submit(page, "Apply filters")
    expect(page.locator("#list-count")).to_contain_text("match the filters")
    expect(page.locator("table tbody tr").first.locator("td").nth(2)).to_contain_text("Agreement")

    page.goto("/o/northfield/spend/suppliers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suppliers")
    page.get_by_role("link", name="Classify suppliers in bulk from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Classify suppliers in bulk")
    assert_accessible(page)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("supplier,postcode,sme\nNobody Ltd,M32 0TH,perhaps\n", encoding="utf-8")
    page.get_by_label("Upload the classification sheet").set_input_files(str(sheet))
    submit(page, "Load the sheet")
    assert error_summary_items(page) == [("Line 2: sme “perhaps” is not yes or no", "#id_sheet_file")]
    expect(page.locator(".govuk-error-summary")).to_contain_text("sheet.csv was not loaded: nothing has changed.")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, SUPPLIER)
    page.goto("/o/greenway/opportunities/")
    expect(page.get_by_label("Tenders")).to_have_value("open")
    expect(page.locator("#list-count")).to_have_text("No opportunities match the filters.")
    assert_accessible(page)
    page.goto("/o/greenway/returns/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Returns")
    assert_accessible(page)
