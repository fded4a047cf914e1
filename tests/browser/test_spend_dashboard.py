"""The spend dashboard and LM3 pages in a real browser, with the demo spend imported: each page passes
axe, charts draw without breaking the Content-Security-Policy, filters and downloads work, and a survey
is created, answered on the page and from a file, and shows LM3 with its workings."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commonweal.accounts.models import User
from commonweal.demo.services import DemoLoadResult
from commonweal.spend.demo import spend_demo_load
from commonweal.tenancy.models import Organisation

from .support import assert_accessible, error_summary_items, follow, sign_in, submit

LEAD = "lead@northfield.example"
TITLE = "Spend analysis – Northfield Borough Council – Commonweal"


def demo_spend() -> None:
    spend_demo_load(actor=User.objects.get(email=LEAD), organisation=Organisation.objects.get(slug="northfield"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_with_data_passes_axe_and_filters(page: Page, demo: DemoLoadResult, tmp_path: Path) -> None:
    demo_spend()
    sign_in(page, LEAD)
    page.goto("/o/northfield/spend/")
    expect(page.get_by_text("Showing: Paid from 1 April 2025 to 31 March 2026.")).to_be_visible()  # the latest year
    page.get_by_role("link", name="Show every year").click()
    expect(page).to_have_title(TITLE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Spend analysis")
    # Each chart is an image named by its title, followed by its table.
    expect(page.get_by_role("img", name="Spend by supplier classification")).to_be_visible()
    expect(page.get_by_role("img")).to_have_count(9)
    expect(page.locator("table caption").first).to_have_text("Spend by supplier classification")
    expect(page.locator(".govuk-summary-list")).to_contain_text("£2,465,244.32")
    assert_accessible(page)

    page.get_by_text("Filter the payments").click()
    page.get_by_label("Paid from").fill("1/4/2025")
    page.get_by_label("Local", exact=True).select_option("yes")
    submit(page, "Apply the filters")
    expect(page.get_by_text("Showing: Paid on or after 1 April 2025; Local suppliers.")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^CSV of the \d+ suppliers paid most$")).click()
    path = tmp_path / "suppliers.csv"
    download.value.save_as(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Rank,Supplier,Spend,Payments,Local,SME,VCSE,Real Living Wage,District"
    assert all(",yes," in line for line in lines[1:])

    page.get_by_label("Paid to").fill("1/1/2025")
    submit(page, "Apply the filters")
    assert error_summary_items(page) == [("Paid to must be the same as or after paid from", "#id_date_to")]
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_empty_dashboard_passes_axe(page: Page, demo: DemoLoadResult) -> None:
    sign_in(page, LEAD)
    page.goto("/o/northfield/spend/")
    expect(page.get_by_text("Northfield Borough Council has not imported any spend yet.")).to_be_visible()
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_lm3_survey_is_created_answered_and_worked_out(page: Page, demo: DemoLoadResult, tmp_path: Path) -> None:
    demo_spend()
    sign_in(page, LEAD)
    page.goto("/o/northfield/spend/")
    follow(page, page.get_by_role("link", name="Work out the local multiplier (LM3)"))
    expect(page).to_have_title("Local multiplier (LM3) – Northfield Borough Council – Commonweal")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Create a survey"))
    page.get_by_label("Period starts").fill("1/4/2025")
    page.get_by_label("Period ends").fill("31/3/2025")
    submit(page, "Create the survey")
    assert error_summary_items(page) == [
        ("Enter a title for the survey", "#id_title"),
        ("The period must end on or after the day it starts", "#id_period_end"),
    ]
    assert_accessible(page)
    page.get_by_label("Title").fill("Supplier survey 2025 to 2026")
    page.get_by_label("Period ends").fill("31/3/2026")
    submit(page, "Create the survey")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supplier survey 2025 to 2026")
    expect(page.get_by_text("No local supplier has answered yet")).to_be_visible()
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Add an answer"))
    assert_accessible(page)
    page.get_by_label("Local supplier", exact=True).select_option(index=1)
    page.get_by_label("Respondent").fill("Finance manager")
    page.get_by_label("Share of income spent with local suppliers (%)").fill("30")
    page.get_by_label("Share of income paid to local staff (%)").fill("45")
    submit(page, "Add the answer")
    assert error_summary_items(page) == [
        ("Choose whether a supplier or a supplier’s employee answered", "#id_respondent_kind_0")
    ]
    assert_accessible(page)
    page.get_by_role("radio", name="Supplier", exact=True).check()
    submit(page, "Add the answer")
    expect(page.get_by_role("heading", level=2, name="LM3:")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^Round 3 £"))).to_contain_text("from the mean")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Upload answers from a CSV file"))
    bad = tmp_path / "answers.csv"
    bad.write_text("kind,supplier,respondent,local_supplier_percent\nsupplier,,Caterer,150\n", encoding="utf-8")
    page.get_by_label("Upload a CSV file of answers").set_input_files(str(bad))
    submit(page, "Upload the answers")
    expect(page.locator("#problems")).to_contain_text(
        "Line 2: local_supplier_percent: the share spent with local suppliers must be from 0% to 100%."
    )
    assert_accessible(page)
    bad.write_text("kind,supplier,respondent,local_supplier_percent\nsupplier,,Caterer,15\n", encoding="utf-8")
    page.get_by_label("Upload a CSV file of answers").set_input_files(str(bad))
    submit(page, "Upload the answers")
    expect(page.get_by_text("1 answer added from answers.csv.")).to_be_visible()

    follow(page, page.get_by_role("link", name="Remove the answer from Caterer"))
    assert_accessible(page)
    submit(page, "Remove the answer")
    expect(page.get_by_text("The answer from Caterer has been removed.")).to_be_visible()
