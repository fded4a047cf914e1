"""In the browser: the annual impact report from start to published version. The lead starts it (with the
error state of an empty title), adds a section and a case study and previews it; a viewer signs it off;
the lead publishes it. Each page is checked with axe-core and at 320 px wide."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD
from tests.reporting_report_support import year_build

from .support import assert_accessible, error_summary_items, follow, sign_in, sign_out, submit

TITLE = "Social value impact report 2025/26"


def checked(page: Page) -> None:
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_report_is_written_previewed_signed_off_and_published(page: Page) -> None:
    year = year_build()
    sign_in(page, year.lead.email, PASSWORD)
    page.goto("/o/handshire/reports/")
    expect(page).to_have_title("Annual impact reports – Handshire Council – Commonweal")
    checked(page)

    follow(page, page.get_by_role("link", name="Start a report"))
    submit(page, "Start the report")
    assert error_summary_items(page) == [("Enter a title", "#id_title")]
    checked(page)
    page.get_by_label("Title").fill(TITLE)
    submit(page, "Start the report")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    checked(page)

    follow(page, page.get_by_role("link", name="Add a section"))
    page.get_by_label("Heading").fill("What the year achieved")
    page.get_by_label("Text").fill("Sixteen people found work through our contracts.")
    submit(page, "Add the section")
    follow(page, page.get_by_role("link", name="Choose case studies"))
    checked(page)
    page.get_by_label("Amira's first job in twenty years", exact=False).check()
    submit(page, "Save the choice")

    follow(page, page.get_by_role("link", name="Preview the whole report as it would publish"))
    expect(page.get_by_text("Draft preview: not signed off or published")).to_be_visible()
    expect(page.get_by_role("region", name="Additional social value, 2025/26 against 2024/25 (£)")).to_contain_text(
        "£12,800.00"
    )
    expect(
        page.get_by_role("img", name="Additional social value by state, net, 2025/26 against 2024/25")
    ).to_be_visible()
    checked(page)

    page.go_back()
    follow(page, page.get_by_role("link", name="Submit the report for sign-off"))
    submit(page, "Submit for sign-off")
    expect(page.get_by_text("Waiting for a second person")).to_be_visible()
    checked(page)
    sign_out(page)

    sign_in(page, year.viewer.email, PASSWORD)
    page.goto("/o/handshire/reports/")
    follow(page, page.get_by_role("link", name=TITLE))
    follow(page, page.get_by_role("link", name="Sign off the report"))
    checked(page)
    submit(page, "Sign off the report")
    sign_out(page)

    sign_in(page, year.lead.email, PASSWORD)
    page.goto("/o/handshire/reports/")
    follow(page, page.get_by_role("link", name=TITLE))
    follow(page, page.get_by_role("link", name="Publish the report"))
    checked(page)
    submit(page, "Publish version 1")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Version 1 of the report has been published."
    )
    expect(page.get_by_text(f"signed off by {year.viewer.email}")).to_be_visible()
    expect(page.get_by_role("link", name="PDF", exact=True)).to_be_visible()
    checked(page)
