"""Home pages are to-do lists, and the work they list is done in one pass: checked with axe and at 320 px.

The contract manager's home page lists the demo's return waiting for review; one click opens the whole
return, "verify all that are evidenced" asks first, then the next return waiting is offered. The supplier's
home page lists the returns to submit with a start link per period, and the return goes through check
your answers to its confirmation. A draft procurement's page is a task list; a community organisation's
home page says what it can do today."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from commonweal.delivery.models import LineStatus, ReturnLine
from commonweal.demo.services import DemoLoadResult
from commonweal.procurement.models import Procurement
from commonweal.tenancy.models import Organisation

from .returns_support import return_submitted
from .support import assert_accessible, follow, sign_in, submit

pytestmark = pytest.mark.browser

MANAGER = "manager@northfield.example"
SUPPLIER = "supplier@brightside.example"
LEAD = "lead@northfield.example"
COMMUNITY = "community@riverside.example"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def to_do(page: Page, title: str) -> None:
    """Open the home page's pending item `title` (its link reads "title: count")."""
    follow(page, page.get_by_role("link", name=re.compile(rf"^{re.escape(title)}: \d+$")))


def test_the_contract_manager_reviews_the_waiting_return_in_one_pass(page: Page, demo: DemoLoadResult) -> None:
    sign_in(page, MANAGER)
    expect(page.get_by_role("heading", name="Your to-do list")).to_be_visible()
    expect(page.get_by_role("link", name="Returns waiting for review: 1")).to_be_visible()
    assert_accessible(page)

    to_do(page, "Returns waiting for review")
    expect(page).to_have_title(re.compile(r"^Review the return for .* – NBC-2026-014 – Commonweal$"))
    assert_accessible(page)
    pending = ReturnLine.objects.filter(
        delivery_return__agreement__reference="NBC-2026-014", status=LineStatus.PENDING
    ).count()
    assert pending >= 1

    follow(page, page.get_by_role("link", name="Verify all that are evidenced"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Verify {pending} evidenced line")
    assert_accessible(page)
    submit(page, f"Verify {pending} line{'s' if pending != 1 else ''}")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{pending} line{'s' if pending != 1 else ''} verified."
    )
    expect(page.get_by_text("No other return is waiting for review.")).to_be_visible()
    assert_accessible(page)
    assert not ReturnLine.objects.filter(
        delivery_return__agreement__reference="NBC-2026-014", status=LineStatus.PENDING
    ).exists()

    follow(page, page.get_by_role("link", name="All returns waiting for review"))
    expect(page.locator("#list-count")).to_have_text("No returns match the filters.")
    assert_accessible(page)


def test_the_supplier_starts_the_return_due_from_its_home_page_and_submits_it(
    page: Page, demo: DemoLoadResult, tmp_path
) -> None:
    sign_in(page, SUPPLIER)
    expect(page.get_by_role("link", name=re.compile(r"^Returns to submit: \d+$"))).to_be_visible()
    assert_accessible(page)
    start = page.get_by_role("link", name=re.compile(r"^NBC-2026-014: Quarter")).first
    period = start.inner_text().split(": ", 1)[1]
    follow(page, start)
    expect(page).to_have_title("Submit a delivery return – NBC-2026-014 – Commonweal")
    expect(page.get_by_label(re.compile(re.escape(period)))).to_be_checked()
    expect(page.get_by_text("smaller than 10 MB")).to_be_visible()  # the upload hint
    page.get_by_label(re.compile(r"^Local people employed on the contract \(")).fill("2")
    page.get_by_label("What was delivered").fill("Two more local electricians joined.")
    evidence = tmp_path / "timesheets.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Upload evidence files").set_input_files(evidence)
    reference = return_submitted(page)
    assert re.fullmatch(r"NBC-2026-014-R\d+", reference)


def test_a_draft_procurement_is_a_task_list(page: Page, demo: DemoLoadResult) -> None:
    council = Organisation.objects.get(slug="northfield")
    draft = Procurement.objects.create(
        organisation=council,
        reference="NBC-2026-090",
        title="Street lighting renewal",
        estimated_value=Decimal("480000"),
        category="works",
        duration_months=24,
    )
    sign_in(page, LEAD)
    page.goto(f"/o/northfield/procurements/{draft.pk}/")
    tasks = page.locator(".govuk-task-list")
    expect(tasks).to_contain_text("Divide it into lots")
    expect(page.locator("#task-publish")).to_contain_text("Cannot start yet")
    assert_accessible(page)


def test_a_community_organisation_is_told_what_it_can_do_today(page: Page, demo: DemoLoadResult) -> None:
    sign_in(page, COMMUNITY)
    expect(page.get_by_role("heading", name="What you can do today")).to_be_visible()
    expect(page.get_by_role("link", name="Read the agreements and grants you are a party to")).to_be_visible()
    assert_accessible(page)
