"""Planning a procurement in the browser: the social value lead creates one (after a form with
mistakes), adds a criterion, rebalances the weights and publishes. Every page is checked with axe."""

import re

import pytest
from playwright.sync_api import Page, expect

from commonweal.demo.services import DemoLoadResult
from commonweal.procurement.models import Procurement, ProcurementState

from .support import assert_accessible, error_summary_items, follow, sign_in, submit

LEAD = "lead@northfield.example"
REFERENCE = "NBC-2027-PLAN"
TIMETABLE = [
    ("Publication", "1", "3", "2027", "9:00am"),
    ("Clarification deadline", "15", "3", "2027", "5:00pm"),
    ("Tender deadline", "29", "3", "2027", "12:00pm"),
    ("Evaluation", "30", "3", "2027", "9:00am"),
    ("Award", "12", "4", "2027", "10:00am"),
    ("Standstill end", "30", "4", "2027", "11:59pm"),
]


def fill_moment(page: Page, label: str, day: str, month: str, year: str, time: str) -> None:
    group = page.get_by_role("group", name=f"{label} date")
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)
    page.get_by_label(f"{label} time").fill(time)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_plan_add_a_criterion_and_publish(page: Page, demo: DemoLoadResult) -> None:
    sign_in(page, LEAD)
    page.goto("/o/northfield/procurements/")
    expect(page).to_have_title("Procurements – Northfield Borough Council – Commonweal")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Plan a procurement"))
    expect(page).to_have_title("Plan a procurement – Commonweal")
    assert_accessible(page)
    page.get_by_label("Title").fill("Grounds maintenance of parks")
    page.get_by_label("Estimated value (£)").fill("-10")
    submit(page, "Create the procurement")
    items = [text for text, _ in error_summary_items(page)]
    assert "Enter the reference" in items
    assert "Choose goods, services or works" in items
    assert_accessible(page)

    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_label("Description").fill("Grass cutting, planting and litter picking in the borough's parks.")
    page.get_by_label("Estimated value (£)").fill("250000")
    page.get_by_label("Services", exact=True).check()
    page.get_by_label("Duration (months)").fill("36")
    page.get_by_label("Framework version").select_option(index=1)
    for moment in TIMETABLE:
        fill_moment(page, *moment)
    submit(page, "Create the procurement")
    expect(page).to_have_title(f"{REFERENCE} Grounds maintenance of parks – Commonweal")
    expect(page.get_by_text("29 March 2027, midday")).to_be_visible()
    expect(page.get_by_role("heading", name="How tenders are assessed")).to_be_visible()
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Add a criterion"))
    assert_accessible(page)
    page.get_by_label("Quality", exact=True).check()
    page.get_by_label("Code").fill("Q2")
    page.get_by_label("Title").fill("Staffing and resilience")
    page.get_by_label("Weight (% of the total score)").fill("10")
    page.get_by_label("Scale").select_option(label="0 to 5 (quality)")
    page.get_by_label("Minimum score").fill("2")
    submit(page, "Add the criterion")
    expect(page.get_by_text("The criterion Q2 has been added.")).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(has_text=re.compile(r"^The weights add up to 110%, not 100%\.$"))
    ).to_be_visible()
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Change Q1"))
    assert_accessible(page)
    page.get_by_label("Weight (% of the total score)").fill("40")
    submit(page, "Save the criterion")
    expect(page.get_by_text("Ready to publish")).to_be_visible()

    follow(page, page.get_by_role("link", name="Publish", exact=True))
    expect(page).to_have_title(f"Publish {REFERENCE} – Commonweal")
    assert_accessible(page)
    submit(page, "Publish")
    expect(page.get_by_text(f"The procurement {REFERENCE} is published.")).to_be_visible()
    expect(page.get_by_role("link", name="Add a criterion")).to_have_count(0)
    assert_accessible(page)
    assert Procurement.objects.get(reference=REFERENCE).state == ProcurementState.PUBLISHED
