"""The demo anchor network in a real browser: the coordinator's dashboard, a refused publication and the
published report; a member withdrawing what it shares; the public network page. Each page checked with
axe and at 320 px wide."""

import pytest
from playwright.sync_api import Page, expect

from commonweal.demo.services import DemoLoadResult
from commonweal.networks.models import NetworkMembership

from .support import assert_accessible, error_summary_items, follow, sign_in, sign_out, submit

COORDINATOR = "coordinator@anchors.example"
UNIVERSITY = "lead@northfield-university.example"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_network_pages_pass_axe_and_fit_320_px(page: Page, demo: DemoLoadResult) -> None:
    sign_in(page, COORDINATOR)
    page.goto("/o/northfield-anchors/")
    follow(page, page.get_by_role("link", name="Network dashboard", exact=False))
    expect(page.get_by_role("heading", level=1)).to_have_text("Network dashboard")
    page.get_by_label("Quarter", exact=True).fill("2026Q1")
    submit(page, "Show the quarter")
    expect(page.get_by_role("region", name="Spend with local suppliers: by quarter")).to_be_visible()
    expect(page.get_by_role("region", name="Members", exact=True)).to_contain_text("University of Northfield")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Quarterly reports"))
    page.get_by_label("Quarter to publish").fill("2026Q1")
    submit(page, "Publish the report")
    assert [text for text, _ in error_summary_items(page)][0].startswith("The report for January to March 2026")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="2026Q1"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Network report: January to March 2026")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, UNIVERSITY)
    page.goto("/o/northfield-university/networks/")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Northfield Anchor Network"))
    follow(page, page.get_by_role("link", name="Change what the network may see"))
    assert_accessible(page)
    page.get_by_label("Nothing: the member's figures are left out").check()
    submit(page, "Save your choice")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("may now see: nothing")
    assert_accessible(page)
    membership = NetworkMembership.objects.get(organisation__slug="northfield-university")
    assert membership.sharing == "none" and membership.withdrawn_at is not None

    page.goto("/networks/northfield-anchors/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northfield Anchor Network")
    expect(page.locator("main")).to_contain_text("University of Northfield withdrew from sharing")
    assert_accessible(page)
