"""Panels in a real browser, as Northfield's social value lead: set up a panel, record a meeting and a need
raised at it, and move the need on; each page checked with axe and at 320 px wide."""

import pytest
from playwright.sync_api import Page, expect

from commonweal.demo.services import DemoLoadResult
from commonweal.reporting.models import PanelNeed

from .support import assert_accessible, error_summary_items, follow, sign_in, submit

LEAD = "lead@northfield.example"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_panel_meeting_and_need_pass_axe_and_fit_320_px(page: Page, demo: DemoLoadResult) -> None:
    sign_in(page, LEAD)
    page.goto("/o/northfield/")
    follow(page, page.get_by_role("link", name="Panels: VCSE forums and poverty truth commissions", exact=False))
    expect(page.get_by_role("heading", level=1)).to_have_text("Panels")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Set up a panel"))
    submit(page, "Save the panel")
    assert [anchor for _, anchor in error_summary_items(page)] == ["#id_panel-name", "#id_panel-kind_0"]
    assert_accessible(page)
    page.get_by_label("Name").fill("Northfield Poverty Truth Commission")
    page.get_by_label("Poverty truth commission").check()
    submit(page, "Save the panel")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northfield Poverty Truth Commission")
    assert_accessible(page)

    page.get_by_label("Day").fill("4")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("1899")
    submit(page, "Record the meeting")
    assert (
        "Date of the meeting must be between 1 January 1990 and 31 December 2100",
        "#id_meeting-held_on",
    ) in error_summary_items(page)
    assert_accessible(page)
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Where it was held").fill("Northfield Library")
    page.get_by_label("Other organisations that attended").fill("Northfield Mutual Aid")
    submit(page, "Record the meeting")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting on 4 March 2026")
    assert_accessible(page)

    page.get_by_label("What is needed").fill("Warm space volunteers on winter evenings")
    page.get_by_label("Volunteer time").check()
    page.get_by_label("Ward or district (optional)").fill("NOWHERE")
    submit(page, "Record the need")
    assert any("No ward or district is called “NOWHERE”" in text for text, _ in error_summary_items(page))
    assert_accessible(page)
    page.get_by_label("Ward or district (optional)").fill("")
    submit(page, "Record the need")
    expect(page.get_by_role("region", name="Needs raised")).to_contain_text("Warm space volunteers")

    follow(page, page.get_by_role("link", name="Change the state of", exact=False).first)
    expect(page.get_by_role("heading", level=1)).to_have_text("What became of the need")
    page.get_by_label("Passed on").check()
    submit(page, "Save")
    assert ("Say who it was passed on to, how it was met or why it was closed", "#id_state-note") in (
        error_summary_items(page)
    )
    assert_accessible(page)
    page.get_by_label("Note").fill("Passed on to the leisure contractor.")
    submit(page, "Save")
    expect(page.get_by_role("region", name="Needs raised")).to_contain_text("Passed on")
    need = PanelNeed.objects.get(description="Warm space volunteers on winter evenings")
    assert (need.state, need.state_note) == ("passed_on", "Passed on to the leisure contractor.")
