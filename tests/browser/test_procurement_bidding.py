"""Bidding in a real browser: a supplier registers, finds an opportunity, asks a question, saves a draft
bid with a commitment (the £ preview shown live and after saving), and submits it; the buyer answers the
question. Every page is checked with axe-core."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from commonweal.demo.services import DEMO_PASSWORD
from commonweal.procurement.models import Bid, BidState, Procurement
from commonweal.procurement.rules import contract_period
from commonweal.tenancy.models import Role
from tests import factories
from tests.procurement_support import procurement_published

from .support import assert_accessible, error_summary_items, follow, sign_in, sign_out, submit

OFFICER = "officer@eastshire.example"
SUPPLIER = "asha@greenway.example"
PASSWORD = "a long and unusual passphrase"


def buyer_world() -> tuple[int, str]:
    buyer = factories.OrganisationFactory.create(name="Eastshire Council", slug="eastshire")
    officer = factories.UserFactory.create(email=OFFICER, full_name="Olu Officer")
    officer.set_password(DEMO_PASSWORD)
    officer.save()
    factories.MembershipFactory.create(user=officer, organisation=buyer, role=Role.PROCUREMENT_OFFICER)
    world = procurement_published(buyer, reference="ESC-2026-007")
    value_set = factories.ValueSetFactory.create(organisation=buyer, code="eastshire-values", title="Eastshire values")
    factories.ValueSetEntryFactory.create(
        value_set=value_set, measure_code="JOBS.1", value_per_unit=Decimal("1000"), deadweight=Decimal("0.2")
    )
    world.procurement.value_set = value_set
    world.procurement.save(update_fields=["value_set"])
    return world.procurement.pk, world.procurement.title


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_register_ask_save_a_draft_with_a_commitment_and_submit(page: Page) -> None:
    procurement_pk, title = buyer_world()

    page.goto("/account/sign-in/")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Register your organisation to bid"))
    expect(page).to_have_title("Register your organisation to bid – Commonweal")
    assert_accessible(page)
    submit(page, "Register")
    assert "Enter your organisation’s name" in [text for text, _ in error_summary_items(page)]
    assert_accessible(page)
    page.get_by_label("Your organisation’s name").fill("Greenway Grounds CIC")
    page.get_by_label("Companies House number (optional)").fill("12345678")
    page.get_by_role("group", name="Is your organisation a small or medium-sized enterprise (SME)?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role(
        "group", name="Is your organisation a voluntary, community or social enterprise (VCSE)?"
    ).get_by_label("Yes").check()
    page.get_by_label("Your full name").fill("Asha Green")
    page.get_by_label("Your email address").fill(SUPPLIER)
    page.get_by_label("Create a password").fill(PASSWORD)
    submit(page, "Register")

    expect(page).to_have_title("Opportunities – Commonweal")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Greenway Grounds CIC is registered")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name=f"ESC-2026-007 {title}"))
    expect(page).to_have_title(f"ESC-2026-007 {title} – Commonweal")
    assert_accessible(page)

    page.get_by_label("Your question").fill("Greenway asks: are the depots included?")
    submit(page, "Send your question")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your question has been sent")
    assert_accessible(page)

    submit(page, "Start your bid for lot 1")
    expect(page).to_have_title("Your bid – ESC-2026-007, lot 1 – Commonweal")
    assert_accessible(page)
    page.get_by_label("Your price (£)").fill("198000")
    page.get_by_label("Your response to Q1 Delivery approach").fill("Two crews from the Eastgate depot.")
    page.get_by_label("Your response to Q2 Staffing and resilience").fill("Twelve staff, all local.")
    page.get_by_label("Your response to SV1 Local employment").fill("Four local jobs.")
    page.get_by_label("Social value method statement").fill("We recruit through the council's job brokerage.")
    page.get_by_label("Measure", exact=True).select_option(label="JOBS.1 Local people employed (number)")
    page.get_by_label("Quantity", exact=True).fill("4")
    # The enhancement: the value of the commitment being added, as it is typed.
    expect(page.locator("#bid-preview-live")).to_have_text("This commitment: £4,000.00 gross, £3,200.00 net.")
    due = contract_period(Procurement.objects.get(pk=procurement_pk))[1]
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_label("Place (optional)").fill("E08000009")
    submit(page, "Save as draft")

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your draft bid has been saved")
    preview = page.locator("#bid-preview-table")
    expect(preview).to_contain_text("£4,000.00")
    expect(preview).to_contain_text("£3,200.00")
    assert_accessible(page)

    submit(page, "Submit your bid")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your bid has been submitted")
    expect(page.get_by_role("button", name="Reopen your bid to change it")).to_be_visible()
    assert_accessible(page)
    bid = Bid.objects.get(supplier__name="Greenway Grounds CIC")
    assert bid.state == BidState.SUBMITTED and bid.price == Decimal("198000.00")
    follow(page, page.get_by_role("link", name="Your bids"))
    expect(page).to_have_title("Your bids – Commonweal")
    assert_accessible(page)
    sign_out(page)

    # The buyer answers, removing who asked from the published wording.
    sign_in(page, OFFICER)
    page.goto(f"/o/eastshire/procurements/{procurement_pk}/clarifications/")
    expect(page).to_have_title("Clarification questions – ESC-2026-007 – Commonweal")
    expect(page.get_by_text("Asha Green, Greenway Grounds CIC (not published)")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("The question as it will be published").fill("Are the depots included?")
    page.get_by_label("Answer", exact=True).fill("Yes, both depots.")
    submit(page, "Publish the answer to question 1")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("published to every bidder")
    assert_accessible(page)
