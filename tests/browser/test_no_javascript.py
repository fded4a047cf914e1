"""Without JavaScript the service still works: a supplier signs in and submits a return."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commonweal.delivery.models import DeliveryReturn, LineStatus
from commonweal.demo.services import DemoLoadResult

from .returns_support import return_submitted
from .support import assert_accessible, error_summary_items, follow, sign_in, submit, table_rows


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_supplier_submits_a_return_without_javascript(nojs_page: Page, demo: DemoLoadResult, tmp_path: Path) -> None:
    page = nojs_page
    evidence = tmp_path / "volunteering-log.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%volunteering log\n%%EOF\n")

    sign_in(page, "supplier@brightside.example")
    expect(page).to_have_title("Brightside Construction Ltd – Commonweal")
    # GOV.UK Frontend's script did not run: the page is the plain, no-JavaScript version.
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="NBC-2026-014", exact=True))
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Submit a delivery return"))
    assert_accessible(page)

    # An error first, to check the error summary works without scripts too.
    submit(page, "Continue")
    assert [text for text, _ in error_summary_items(page)] == [
        "Enter a quantity for at least one commitment",
        "Describe what was delivered in this period",
    ]
    assert_accessible(page)

    page.get_by_label("Volunteering hours for community organisations (hours)").fill("40")
    page.get_by_label("What was delivered").fill("Site staff helped at the Riverside food bank.")
    page.get_by_label("Upload evidence files").set_input_files(evidence)
    return_submitted(page)
    submitted = page.locator(".govuk-summary-card__title", has_text="return submitted")
    card = page.locator(".govuk-summary-card").filter(has=submitted).first
    assert [row[1:4] for row in table_rows(card.locator("table"))] == [
        ["Volunteering hours for community organisations", "40", "Awaiting verification"]
    ]
    assert_accessible(page)

    delivery_return = DeliveryReturn.objects.get(narrative="Site staff helped at the Riverside food bank.")
    assert delivery_return.submitted_by.email == "supplier@brightside.example"
    assert [
        (line.commitment.measure.code, str(line.quantity), line.status) for line in delivery_return.lines.all()
    ] == [("COMM.1.1", "40.00", LineStatus.PENDING)]
    assert delivery_return.evidence.get().original_name == "volunteering-log.pdf"
