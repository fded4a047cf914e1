"""In the browser: the social value budget page and a department's drill-down, by keyboard-free clicks,
each checked with axe-core and at 320 px wide."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD
from tests.test_reporting_budget import build_world

from .support import assert_accessible, follow, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_budget_page_and_its_drill_down(page: Page) -> None:
    world = build_world()
    sign_in(page, world["lead"].email, PASSWORD)
    page.goto("/o/northshire/budget/2026/")
    expect(page).to_have_title("Social value budget 2026/27 – Northshire Council – Commonweal")
    expect(page.get_by_role("region", name="Budget lines of Culture")).to_contain_text("Local people employed")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Culture", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Culture")
    expect(page.get_by_role("link", name="NS-001 Contract")).to_be_visible()
    assert_accessible(page)
