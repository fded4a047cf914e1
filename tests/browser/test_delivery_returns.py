"""Delivery returns in the browser: draft, submit, query, answer, verify and the bulk CSV page, each page
checked with axe-core."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commonweal.demo.services import DemoLoadResult

from .returns_support import return_submitted
from .support import assert_accessible, error_summary_items, follow, sign_in, sign_out, submit

SUPPLIER = "supplier@brightside.example"
MANAGER = "manager@northfield.example"
REFERENCE = "NBC-2026-014"
LOCAL_JOBS = "Local people employed on the contract"
QUESTION = "Which two people are these? Send the staff list for September."
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def open_agreement(page: Page) -> None:
    follow(page, page.get_by_role("link", name=REFERENCE, exact=True))
    expect(page).to_have_title(f"{REFERENCE} Northfield library refurbishment – Commonweal")
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_draft_submit_query_answer_and_bulk_pages_are_accessible(
    page: Page, demo: DemoLoadResult, tmp_path: Path
) -> None:
    evidence = tmp_path / "staff-list.pdf"
    evidence.write_bytes(PDF)
    bad_csv = tmp_path / "returns.csv"
    bad_csv.write_text(
        "agreement_reference,buyer,period,measure_code,quantity\nNBC-2026-014,northfield,Quarter 3,JOBS.1.1,many\n",
        encoding="utf-8",
    )

    sign_in(page, SUPPLIER)
    open_agreement(page)
    follow(page, page.get_by_role("link", name="Submit a delivery return"))
    expect(page).to_have_title(f"Submit a delivery return – {REFERENCE} – Commonweal")
    expect(page.get_by_label("Quarter 2 (July to September 2026), due 14 October 2026")).to_be_checked()
    assert_accessible(page)

    # A case study without consent is refused, with the error summary linking to the fields.
    page.get_by_label(f"{LOCAL_JOBS} (full-time equivalents)").fill("2")
    page.get_by_label(f"Evidence reference for {LOCAL_JOBS}").fill("STAFF-2026-09")
    page.get_by_label("Title").fill("Two local electricians")
    page.get_by_label("Story").fill("Both live within a mile of the library.")
    submit(page, "Save as draft")
    assert [text for text, _ in error_summary_items(page)] == [
        "Enter who gave consent to publish the case study",
        "Enter the date consent was given",
    ]
    assert_accessible(page)
    page.get_by_label("Consent to publish given by").fill("both electricians")
    page.get_by_label("Date consent was given").fill("1/10/2026")
    page.get_by_label("Upload evidence files").set_input_files(evidence)
    submit(page, "Save as draft")

    expect(page).to_have_title(f"Edit your draft return – {REFERENCE} – Commonweal")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your draft return for Quarter 2")
    expect(page.get_by_label(f"Evidence reference for {LOCAL_JOBS}")).to_have_value("STAFF-2026-09")
    assert_accessible(page)
    page.get_by_label("What was delivered").fill("Two local electricians joined in September.")
    return_submitted(page)
    card = page.locator(".govuk-summary-card").filter(has_text="Quarter 2 (July to September 2026)").first
    expect(card).to_contain_text("Two local electricians")  # the case study
    expect(card).to_contain_text("Consent to publish given by both electricians on 1 October 2026.")
    follow(page, card.get_by_role("link", name="View the return for Quarter 2 (July to September 2026)"))
    expect(page).to_have_title(f"Return for Quarter 2 (July to September 2026) – {REFERENCE} – Commonweal")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, MANAGER)
    open_agreement(page)
    card = page.locator(".govuk-summary-card").filter(has_text="Quarter 2 (July to September 2026)").first
    follow(page, card.get_by_role("link", name=f"Review {LOCAL_JOBS}, 2"))
    expect(page.locator(".govuk-summary-list")).to_contain_text("STAFF-2026-09")
    assert_accessible(page)
    page.get_by_label("Query it: ask the supplier a question first").check()
    page.get_by_label("Reason or question").fill(QUESTION)
    submit(page, "Save the decision")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The line is now queried.")
    sign_out(page)

    sign_in(page, SUPPLIER)
    open_agreement(page)
    card = page.locator(".govuk-summary-card").filter(has_text="Quarter 2 (July to September 2026)").first
    expect(card).to_contain_text(QUESTION)
    follow(page, card.get_by_role("link", name=f"Answer {LOCAL_JOBS}, 2"))
    expect(page).to_have_title(f"Answer and resubmit a line – {REFERENCE} – Commonweal")
    assert_accessible(page)
    submit(page, "Send the answer and resubmit the line")
    assert [text for text, _ in error_summary_items(page)] == ["Enter your answer to the contract manager"]
    assert_accessible(page)
    page.get_by_label("Your answer").fill("The staff list for September is attached.")
    page.get_by_label("Upload more evidence files").set_input_files(evidence)
    submit(page, "Send the answer and resubmit the line")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("awaits verification again")
    expect(page.locator("main")).to_contain_text("The staff list for September is attached.")
    assert_accessible(page)

    page.goto("/o/brightside/returns/bulk/")
    expect(page).to_have_title("Submit many returns from a CSV file – Brightside Construction Ltd – Commonweal")
    assert_accessible(page)
    page.get_by_label("CSV file of returns").set_input_files(bad_csv)
    page.get_by_label("Save them as drafts, to check and submit on each return’s page").check()
    submit(page, "Upload the returns")
    expect(page.get_by_role("table", name="Rows with a problem")).to_contain_text(
        "Enter the quantity as a number, like 12 or 3.5 (the quantity is “many”)"
    )
    assert_accessible(page)
