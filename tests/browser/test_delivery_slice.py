"""The slice end to end: a supplier submits a delivery return, the contract manager verifies and rejects."""

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from commonweal.delivery.models import Agreement
from commonweal.demo.services import DemoLoadResult

from .returns_support import return_submitted
from .support import assert_accessible, follow, sign_in, sign_out, submit, table_rows

SUPPLIER = "supplier@brightside.example"
MANAGER = "manager@northfield.example"
REFERENCE = "NBC-2026-014"
LOCAL_JOBS = "Local people employed on the contract"
APPRENTICE_WEEKS = "Apprenticeship weeks completed"
VOLUNTEERING = "Volunteering hours for community organisations"
LOCAL_SPEND = "Spend with local small businesses and social enterprises"
NARRATIVE = "July to September 2026: two more local electricians joined; apprentices continued on site."
REJECT_REASON = "The timesheets cover only 8 weeks; resubmit with the missing timesheets."
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def commitment_figures(page: Page) -> dict[str, list[str]]:
    """Target, claimed and verified for each commitment, keyed by measure title."""
    table = page.locator("table").filter(has=page.locator("caption", has_text="Claimed counts every"))
    header = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    assert header == ["Measure", "Due", "Target", "Claimed", "Verified", "Status"]
    return {row[0].split(" (")[0]: row[2:5] for row in table_rows(table)}


def newest_return(page: Page) -> Locator:
    submitted = page.locator(".govuk-summary-card__title", has_text="return submitted")
    return page.locator(".govuk-summary-card").filter(has=submitted).first


def line_rows(card: Locator) -> list[list[str]]:
    """Measure, quantity, status and reason of each line of a return."""
    return [[row[1], row[2], row[3], row[5]] for row in table_rows(card.locator("table"))]


def history(page: Page) -> list[list[str]]:
    table = page.locator("table").filter(has=page.get_by_role("columnheader", name="Changes"))
    return table_rows(table)


def open_agreement(page: Page) -> None:
    follow(page, page.get_by_role("link", name=REFERENCE, exact=True))
    expect(page).to_have_title(f"{REFERENCE} Northfield library refurbishment – Commonweal")
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_supplier_submits_a_return_and_the_contract_manager_reviews_it(
    page: Page, demo: DemoLoadResult, tmp_path: Path
) -> None:
    evidence = tmp_path / "q3-site-report.pdf"
    evidence.write_bytes(PDF)

    # The supplier sees only Brightside's agreement, not Greenway's.
    sign_in(page, SUPPLIER)
    expect(page).to_have_title("Brightside Construction Ltd – Commonweal")
    assert_accessible(page)
    agreements = page.locator("table").filter(has=page.get_by_role("columnheader", name="Buyer"))
    assert [row[:3] for row in table_rows(agreements)] == [
        [REFERENCE, "Northfield library refurbishment", "Northfield Borough Council"]
    ]
    expect(page.get_by_text("NBC-2025-203")).to_have_count(0)
    greenway = Agreement.objects.get(reference="NBC-2025-203")
    response = page.goto(f"/o/brightside/agreements/{greenway.pk}/")
    assert response is not None and response.status == 404
    expect(page).to_have_title("Page not found – Commonweal")
    assert_accessible(page)
    page.goto("/o/brightside/")
    assert_accessible(page)

    open_agreement(page)
    before = commitment_figures(page)
    assert before == {
        VOLUNTEERING: ["200", "40", "24"],  # 24 hours through the wish list (demo)
        LOCAL_JOBS: ["6", "3", "3"],
        APPRENTICE_WEEKS: ["104", "24", "24"],
        LOCAL_SPEND: ["£350,000.00", "£0.00", "£0.00"],
    }
    follow(page, page.get_by_role("link", name="Submit a delivery return"))
    expect(page).to_have_title(f"Submit a delivery return – {REFERENCE} – Commonweal")
    assert_accessible(page)

    page.get_by_label(f"{LOCAL_JOBS} (full-time equivalents)").fill("2")
    page.get_by_label(f"{APPRENTICE_WEEKS} (weeks)").fill("10.5")
    page.get_by_label("What was delivered").fill(NARRATIVE)
    page.get_by_label("Upload evidence files").set_input_files(evidence)
    return_submitted(page)

    expect(page).to_have_title(f"{REFERENCE} Northfield library refurbishment – Commonweal")
    card = newest_return(page)
    expect(card.locator(".govuk-summary-card__title")).to_contain_text("by Sam Hughes")
    expect(card).to_contain_text(NARRATIVE)
    expect(card.get_by_role("link", name="q3-site-report.pdf")).to_be_visible()
    assert line_rows(card) == [
        [LOCAL_JOBS, "2", "Awaiting verification", ""],
        [APPRENTICE_WEEKS, "10.5", "Awaiting verification", ""],
    ]
    # Claimed includes lines awaiting verification; verified does not move yet.
    after_submit = commitment_figures(page)
    assert after_submit[LOCAL_JOBS] == ["6", "5", "3"]
    assert after_submit[APPRENTICE_WEEKS] == ["104", "34.5", "24"]
    # The supplier has no review links.
    expect(card.get_by_role("link", name="Review")).to_have_count(0)
    assert_accessible(page)
    sign_out(page)

    # The contract manager reviews the two new lines.
    sign_in(page, MANAGER)
    expect(page).to_have_title("Northfield Borough Council – Commonweal")
    assert_accessible(page)
    open_agreement(page)
    card = newest_return(page)
    with page.expect_download() as download:
        card.get_by_role("link", name="q3-site-report.pdf").click()
    assert Path(download.value.path()).read_bytes() == PDF
    assert download.value.suggested_filename == "q3-site-report.pdf"

    follow(page, card.get_by_role("link", name=f"Review {LOCAL_JOBS}, 2"))
    expect(page).to_have_title(f"Review a return line – {REFERENCE} – Commonweal")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review: {LOCAL_JOBS}")
    expect(page.locator(".govuk-summary-list")).to_contain_text("2 full-time equivalents")
    assert_accessible(page)
    page.get_by_label("Verify: the evidence supports it").check()
    submit(page, "Save the decision")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The line is now verified.")
    assert_accessible(page)

    follow(page, newest_return(page).get_by_role("link", name=f"Review {APPRENTICE_WEEKS}, 10.5"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review: {APPRENTICE_WEEKS}")
    assert_accessible(page)
    page.get_by_label("Reject it").check()
    page.get_by_label("Reason").fill(REJECT_REASON)
    submit(page, "Save the decision")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The line is now rejected.")
    assert_accessible(page)

    card = newest_return(page)
    assert line_rows(card) == [
        [LOCAL_JOBS, "2", "Verified", ""],
        [APPRENTICE_WEEKS, "10.5", "Rejected", REJECT_REASON],
    ]
    expect(card.get_by_role("link", name="Review")).to_have_count(0)
    assert commitment_figures(page) == {
        VOLUNTEERING: ["200", "40", "24"],  # 24 hours through the wish list (demo)
        LOCAL_JOBS: ["6", "5", "5"],
        APPRENTICE_WEEKS: ["104", "24", "24"],
        LOCAL_SPEND: ["£350,000.00", "£0.00", "£0.00"],
    }

    # The history shows the three new events, newest first, above the demo data's own.
    events = history(page)
    reject, verify, submitted = events[:3]
    assert reject[1] == MANAGER
    assert reject[2].startswith("Return line rejected")
    assert "Status: pending → rejected" in reject[3]
    assert REJECT_REASON in reject[3]
    assert verify[1] == MANAGER
    assert verify[2].startswith("Return line verified")
    assert "Status: pending → verified" in verify[3]
    assert submitted[1] == SUPPLIER
    assert submitted[2].startswith("Return submitted")
    assert f"Narrative: {NARRATIVE}" in submitted[3]
    assert "Evidence: q3-site-report.pdf" in submitted[3]
    actions = [row[2].split("\n")[0] for row in events]
    # The demo's own: its first return, and the wish-list pledge confirmed (a return) and verified.
    assert actions.count("Return submitted") == 3
    assert actions.count("Return line verified") == 4
    assert actions.count("Return line rejected") == 2
