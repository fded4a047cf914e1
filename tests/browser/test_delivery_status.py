"""In the browser: the overdue returns page, the rating page (with its error state) and the delivery report,
each checked with axe-core; the report's PDF link gives a PDF."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from commonweal.delivery.models import Agreement, ReportingPeriod
from commonweal.delivery.selectors_status import today_local
from commonweal.demo.services import DemoLoadResult

from .support import assert_accessible, error_summary_items, follow, sign_in, sign_out, submit, table_rows

SUPPLIER = "supplier@brightside.example"
MANAGER = "manager@northfield.example"
REFERENCE = "NBC-2026-014"
PERIOD = "Test quarter with no return"


def overdue_period(agreement: Agreement) -> ReportingPeriod:
    """A period of the demo agreement whose return was due 20 days ago and never came."""
    due = today_local() - timedelta(days=20)
    return ReportingPeriod.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        label=PERIOD,
        start_date=due - timedelta(days=44),
        end_date=due - timedelta(days=14),
        return_due_date=due,
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_overdue_returns_rating_and_report_pages(page: Page, demo: DemoLoadResult) -> None:
    agreement = Agreement.objects.get(reference=REFERENCE)
    overdue_period(agreement)

    # The supplier sees its own overdue return.
    sign_in(page, SUPPLIER)
    page.goto("/o/brightside/overdue-returns/")
    expect(page).to_have_title("Overdue returns – Brightside Construction Ltd – Commonweal")
    rows = {row[2]: row for row in table_rows(page.locator("table"))}
    assert {row[0].split("\n")[0] for row in rows.values()} == {REFERENCE}  # not Greenway's agreement
    assert rows[PERIOD][1] == "Northfield Borough Council"
    assert rows[PERIOD][4] == "20"
    assert_accessible(page)
    sign_out(page)

    # The contract manager sees it from the dashboard, then rates the agreement.
    sign_in(page, MANAGER)
    follow(page, page.get_by_role("link", name=re.compile(r"^\d+ returns? overdue$")))
    expect(page).to_have_title("Overdue returns – Northfield Borough Council – Commonweal")
    expect(page.locator("caption")).to_have_text(re.compile(r"^\d+ overdue returns?, oldest first$"))
    assert PERIOD in [row[2] for row in table_rows(page.locator("table"))]
    assert_accessible(page)

    follow(page, page.get_by_role("link", name=REFERENCE, exact=True).first)
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Rate performance (Procurement Act 2023 KPI rating)"))
    expect(page).to_have_title(f"Performance rating – {REFERENCE} – Commonweal")
    heading = page.get_by_role("heading", name="Proposed rating:").inner_text()
    proposed = heading.removeprefix("Proposed rating: ")
    assert_accessible(page)

    # Overriding without a reason is refused, with the error summary linking to the field.
    other = "Good" if proposed != "Good" else "Inadequate"
    page.get_by_label(other, exact=True).check()
    submit(page, "Record the rating")
    expect(page).to_have_title(f"Error: Performance rating – {REFERENCE} – Commonweal")
    assert error_summary_items(page) == [
        (f"Enter why the rating is not the proposed “{proposed.lower()}”", "#id_reason")
    ]
    assert_accessible(page)

    page.get_by_label("Reason").fill("The supplier has a recovery plan agreed in the contract meeting.")
    submit(page, "Record the rating")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"The rating “{other}” has been recorded."
    )
    history = table_rows(page.locator("table").filter(has=page.get_by_role("columnheader", name="Proposed")))
    assert history[0][1] == proposed
    assert history[0][2].startswith(other)
    assert history[0][3] == "The supplier has a recovery plan agreed in the contract meeting."
    assert_accessible(page)

    # The delivery report, and its PDF.
    page.goto(f"/o/northfield/agreements/{agreement.pk}/")
    follow(page, page.get_by_role("link", name="Delivery report: proposed against achieved, with case studies"))
    expect(page).to_have_title(f"Delivery report – {REFERENCE} – Commonweal")
    activity = page.locator("table").filter(has=page.get_by_role("columnheader", name="Social value activity"))
    report = {row[0]: row[2:5] for row in table_rows(activity)}
    assert report["Apprenticeship weeks completed JOBS.1.2"] == ["104", "24", "24"]
    assert_accessible(page)
    response = page.request.get(
        page.get_by_role("link", name="Download the report as a PDF").get_attribute("href") or ""
    )
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
