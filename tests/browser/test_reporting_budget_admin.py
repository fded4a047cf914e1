"""Departments, financial years and budget lines in a real browser, as Northfield's social value lead:
each page checked with axe, with its errors, and at 320 px wide without sideways scrolling."""

import io
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from commonweal.demo.services import DemoLoadResult
from commonweal.reporting.models import BudgetLine, FinancialYear
from commonweal.tenancy.models import Department

from .support import assert_accessible, error_summary_items, follow, sign_in, submit, table_rows

LEAD = "lead@northfield.example"


def bad_lines_file(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["department", "measure code", "quantity", "amount", "basis", "value set code", "note"])
    sheet.append(["Libraries", "JOBS.1.1", 6, None, None, None, None])
    sheet.append(["Parks", "JOBS.1.1", 2, None, None, None, None])
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_departments_years_and_lines_pages_pass_axe_and_fit_320_px(
    page: Page, demo: DemoLoadResult, tmp_path: Path
) -> None:
    sign_in(page, LEAD)

    # Departments: add one, with an error first.
    page.goto("/o/northfield/departments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Departments")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Add a department"))
    assert_accessible(page)
    submit(page, "Add the department")
    assert error_summary_items(page) == [("Enter the department’s name", "#id_department-name")]
    assert_accessible(page)
    page.get_by_label("Name").fill("Libraries")
    page.get_by_label("Service areas in your spend files (optional)").fill("Libraries and archives\nMuseums")
    page.get_by_label("Cost centres in your spend files (optional)").fill("CC-4120")
    submit(page, "Add the department")
    expect(page.locator(".govuk-notification-banner, .govuk-panel, [role=alert]").first).to_contain_text(
        "Libraries has been added."
    )
    rows = [row[:4] for row in table_rows(page.get_by_role("table", name="Your departments"))]
    # Beside the demo council's four departments, in name order.
    assert [row[0] for row in rows] == [
        "Adult social care",
        "Community safety",
        "Culture and libraries",
        "Environment and streets",
        "Libraries",
    ]
    assert rows[-1] == ["Libraries", "0", "Libraries and archives\nMuseums", "CC-4120"]
    assert_accessible(page)
    libraries = Department.objects.get(organisation__slug="northfield", name="Libraries")

    # Financial years: the demo has 2025/26 (ended) and 2026/27; add 2024/25, refuse a second 2026/27,
    # then close 2025/26 from its confirmation page.
    page.goto("/o/northfield/budget/")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Add a financial year"))
    page.get_by_label("The year it starts in").fill("2024")
    submit(page, "Add the financial year")
    assert FinancialYear.objects.filter(organisation__slug="northfield", start_year=2024).exists()
    follow(page, page.get_by_role("link", name="Add a financial year"))
    page.get_by_label("The year it starts in").fill("2026")
    submit(page, "Add the financial year")
    assert error_summary_items(page) == [
        ("Your organisation already has the financial year 2026/27", "#id_year-start_year")
    ]
    assert_accessible(page)
    page.goto("/o/northfield/budget/")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Close the year 2025/26"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the financial year 2025/26")
    expect(page.get_by_text("A closed year cannot be reopened.")).to_be_visible()
    assert_accessible(page)
    submit(page, "Close the year")
    assert FinancialYear.objects.get(organisation__slug="northfield", start_year=2025).frozen is not None
    expect(page.get_by_role("row", name="2025/26")).to_contain_text("Closed")
    assert_accessible(page)

    # Budget lines of 2026/27: add one (with an error first), then upload a file with a bad row.
    page.goto("/o/northfield/budget/2026/lines/")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Add a budget line"))
    assert_accessible(page)
    page.get_by_label("Department", exact=True).select_option(label="Libraries")
    page.get_by_label("Measure", exact=True).select_option(value="JOBS.1.1")
    page.get_by_label("Quantity of the measure").fill("6")
    page.get_by_label("Or an amount in pounds (£)").fill("1000")
    submit(page, "Save the budget line")
    assert error_summary_items(page) == [
        ("Enter a quantity or an amount in pounds, not both", "#id_line-target_quantity")
    ]
    assert_accessible(page)
    page.get_by_label("Or an amount in pounds (£)").fill("")
    page.get_by_label("Note (optional)").fill("Six apprenticeships from the library refurbishment")
    submit(page, "Save the budget line")
    line = BudgetLine.objects.get(department=libraries)
    assert line.target_quantity == 6
    expect(page.get_by_role("table", name="Budget lines")).to_contain_text("Six apprenticeships")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Upload lines"))
    assert_accessible(page)
    page.get_by_label("Budget lines file").set_input_files(bad_lines_file(tmp_path / "lines.xlsx"))
    submit(page, "Upload the lines")
    assert error_summary_items(page) == [("The file was not imported: it has 1 problem", "#id_upload-lines_file")]
    assert table_rows(page.get_by_role("table", name="Problems in the file: nothing was stored")) == [
        ["3", "department “Parks” is not one of your organisation’s departments"]
    ]
    assert_accessible(page)
    assert BudgetLine.objects.filter(department__name="Libraries").count() == 1  # the upload stored nothing
