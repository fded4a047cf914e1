"""The evaluation simulator in a real browser: the example's results, a changed scenario, row errors,
and axe on each state; it works with JavaScript off too."""

import pytest
from playwright.sync_api import Page, expect

from commonweal.demo.services import DemoLoadResult

from .support import assert_accessible, error_summary_items, sign_in, submit, table_rows

LEAD = "lead@northfield.example"
URL = "/o/northfield/evaluation/simulate/"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_officer_simulates_an_evaluation_and_sees_the_winner(page: Page, demo: DemoLoadResult) -> None:
    sign_in(page, LEAD)
    response = page.goto(URL)
    assert response is not None and response.status == 200
    expect(page).to_have_title("Evaluation simulator – Northfield Borough Council – Commonweal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation simulator")
    expect(page.locator("#winner")).to_contain_text("Winner: Alder Community Services")
    expect(page.locator("#social-value-changed")).to_contain_text(
        "Social value changed the winner: yes. Without it the winner would be Birch Facilities Ltd."
    )
    assert_accessible(page)

    # Alder's social value falls to the minimum and the price method changes: Cedar now wins.
    page.get_by_label("Deviation from the lowest price").check()
    page.get_by_label("Tender 1 scores").fill("Q1=4; Q2=3; SV1=25; SV2=0")
    submit(page, "Simulate the evaluation")
    expect(page.locator("#winner")).to_contain_text("Winner: Cedar Group plc")
    results = page.get_by_role("table", name="Points per criterion (Deviation from the lowest price)")
    assert [row[:2] + row[-2:] for row in table_rows(results)][:3] == [
        ["1", "Cedar Group plc", "79.83", "No"],
        ["2", "Birch Facilities Ltd", "76.75", "No"],
        ["3", "Alder Community Services", "72.02", "No"],
    ]
    assert "price_method=deviation_from_lowest" in page.url  # a GET form: the result can be bookmarked
    assert_accessible(page)

    page.get_by_label("Criterion 2 weight (%)").fill("thirty")
    submit(page, "Simulate the evaluation")
    assert error_summary_items(page) == [("Criterion 2: the weight must be a number, like 40", "#id_c2_weight")]
    expect(page.get_by_text("Correct the problems above to see the results.")).to_be_visible()
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_simulator_works_without_javascript(nojs_page: Page, demo: DemoLoadResult) -> None:
    sign_in(nojs_page, LEAD)
    nojs_page.goto(URL)
    nojs_page.get_by_label("Tender 2 price (£)").fill("700000")
    submit(nojs_page, "Simulate the evaluation")
    # Birch at £700,000: P 40, Q 33, SV 3.75 → 76.75; Alder 40 × 0.7 = 28 + 33 + 13.75 = 74.75;
    # Cedar 40 × 700/1200 = 23.33 + 42 + 10 = 75.33.
    expect(nojs_page.locator("#winner")).to_contain_text("Winner: Birch Facilities Ltd")
    assert_accessible(nojs_page)
