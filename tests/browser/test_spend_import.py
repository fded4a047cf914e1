"""Importing a spend file in the browser: the social value lead uploads a council CSV, confirms the
columns, and reads the summary with its rejected rows; the progress page of a queued import. Every page
is checked with axe-core."""

import socket
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commonweal.demo.services import DemoLoadResult
from commonweal.spend.models import ImportStatus, SpendImport

from .support import assert_accessible, error_summary_items, sign_in, submit

pytestmark = pytest.mark.browser

LEAD = "lead@northfield.example"
ORG = "northfield"
CSV = (
    "Northfield Borough Council: payments over £500\n"
    "\n"
    "When paid,Payee,Value,Ref\n"
    '01/04/2024,Acme Ltd,"£1,500.00",R1\n'
    "02/04/2024,Redacted personal data,250,R2\n"
    ",Bob's Bikes,9,R3\n"
)


def test_upload_confirm_columns_and_read_the_summary(page: Page, demo: DemoLoadResult, tmp_path: Path) -> None:
    sign_in(page, LEAD)
    page.goto(f"/o/{ORG}/spend/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Spend imports")
    assert_accessible(page)

    page.get_by_role("link", name="Import a spend file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a spend file")
    assert_accessible(page)
    submit(page, "Upload and continue")
    assert error_summary_items(page) == [("Select a spend file", "#id_spend_file")]
    assert_accessible(page)

    path = tmp_path / "april.csv"
    path.write_text(CSV, encoding="utf-8")
    page.get_by_label("Spend file").set_input_files(str(path))
    page.get_by_label("Where the file comes from").fill("Northfield ledger")
    submit(page, "Upload and continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm which column holds what")
    expect(page.get_by_role("table")).to_contain_text("Acme Ltd")
    assert_accessible(page)

    # "When paid" is not in the synonyms table: the lead chooses it.
    submit(page, "Confirm the columns and import")
    assert error_summary_items(page) == [("Select the column that holds the payment date", "#id_column_payment_date")]
    assert_accessible(page)
    page.get_by_label("Payment date", exact=True).select_option("When paid")
    expect(page.get_by_label("Amount", exact=True)).to_have_value("Value")
    expect(page.get_by_label("Supplier name", exact=True)).to_have_value("Payee")
    page.get_by_label("Transaction reference", exact=True).select_option("Ref")
    submit(page, "Confirm the columns and import")

    expect(page.get_by_role("heading", level=2, name="Imported 2 payments")).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("£1,750.00")
    rejected = page.get_by_role("table").last
    expect(rejected).to_contain_text("The payment date is blank")
    expect(rejected).to_contain_text("6")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all 1 rejected rows (CSV)").click()
    assert download.value.suggested_filename.endswith("-rejected-rows.csv")


def test_the_progress_page_of_a_queued_import(page: Page, demo: DemoLoadResult, tmp_path: Path) -> None:
    sign_in(page, LEAD)
    page.goto(f"/o/{ORG}/spend/imports/upload/")
    path = tmp_path / "may.csv"
    path.write_text("When paid,Payee,Value\n01/05/2024,Acme Ltd,10\n", encoding="utf-8")
    page.get_by_label("Spend file").set_input_files(str(path))
    submit(page, "Upload and continue")
    spend_import = SpendImport.objects.get(original_name="may.csv")
    # As the task worker finds it: queued, before it starts.
    SpendImport.objects.filter(pk=spend_import.pk).update(status=ImportStatus.QUEUED, stage="Queued")
    response = page.goto(f"/o/{ORG}/spend/imports/{spend_import.pk}/")
    assert response is not None and response.headers.get("refresh") == "3"
    expect(page.locator("#import-stage")).to_have_text("Queued")
    assert_accessible(page)


def test_a_stopped_import_is_retried_from_its_page(page: Page, demo: DemoLoadResult, tmp_path: Path) -> None:
    sign_in(page, LEAD)
    page.goto(f"/o/{ORG}/spend/imports/upload/")
    path = tmp_path / "june.csv"
    path.write_text("When paid,Payee,Value\n01/06/2024,Acme Ltd,10\n", encoding="utf-8")
    page.get_by_label("Spend file").set_input_files(str(path))
    submit(page, "Upload and continue")
    spend_import = SpendImport.objects.get(original_name="june.csv")
    # As a worker killed while it ran leaves it: running, its process gone.
    SpendImport.objects.filter(pk=spend_import.pk).update(
        status=ImportStatus.RUNNING, stage="Writing the payments", runner=f"{socket.gethostname()}:4194303"
    )
    response = page.goto(f"/o/{ORG}/spend/imports/{spend_import.pk}/")
    assert response is not None and response.headers.get("refresh") is None
    expect(page.get_by_text("This import has stopped")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Cancel the import").click()
    expect(page.get_by_role("heading", name="The file was not imported")).to_be_visible()
    assert_accessible(page)
