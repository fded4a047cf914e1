"""The award in the browser: the officer sees the ranking, awards the lot, reads the evaluation report
and a bidder's assessment summary; the losing bidder reads its own summary. Every page is checked with axe."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from commonweal.procurement.models import Award, ModeratedScore
from commonweal.tenancy.models import Role
from tests import factories
from tests.procurement_support import bid_make, declare, procurement_published

from .support import assert_accessible, follow, sign_in, sign_out, submit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_award_report_and_summaries(page: Page, live_server: object) -> None:
    buyer = factories.OrganisationFactory.create(name="Northgate Council", slug="northgate")
    officer = factories.member_user(buyer, Role.PROCUREMENT_OFFICER)
    winner_org = factories.SupplierFactory.create(name="Alder Grounds Ltd", slug="alder")
    loser_org = factories.SupplierFactory.create(name="Birch Services Ltd", slug="birch")
    loser_user = factories.member_user(loser_org, Role.SUPPLIER_CONTACT)
    world = procurement_published(buyer, deadline_passed=True)
    procurement = world.procurement
    procurement.standstill_end_at = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
    procurement.save(update_fields=["standstill_end_at"])
    declare(procurement, officer)
    bids = {
        "winner": bid_make(world, winner_org, price="200000", commitments=((0, "4"), (1, "20"))),
        "loser": bid_make(world, loser_org, price="180000"),
    }
    for key, scores in (("winner", (5, 4, 4)), ("loser", (3, 2, 2))):
        for criterion, score in zip(world.scored, scores, strict=True):
            ModeratedScore.objects.create(
                organisation=buyer,
                bid=bids[key],
                criterion=criterion,
                score=Decimal(score),
                rationale=f"{bids[key].supplier.name}: the panel agreed {score} on {criterion.code}",
                moderated_by=officer,
            )

    sign_in(page, officer.email, factories.PASSWORD)
    page.goto(f"/o/northgate/procurements/{procurement.pk}/award/")
    expect(page).to_have_title("Award – PROC-001 – Commonweal")
    expect(page.get_by_text("Do not enter into the contract before 15 January 2027, midday")).to_be_visible()
    assert_accessible(page)
    submit(page, "Award lot 1 to Alder Grounds Ltd")
    expect(page.get_by_text("Lot 1 is awarded to Alder Grounds Ltd")).to_be_visible()
    assert_accessible(page)
    award = Award.objects.get()
    assert award.agreement is not None and award.agreement.commitments.count() == 2

    follow(page, page.get_by_role("link", name="Assessment summary for Birch Services Ltd"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment summary: Birch Services Ltd")
    assert_accessible(page)
    page.goto(f"/o/northgate/procurements/{procurement.pk}/award/")
    follow(page, page.get_by_role("link", name="Evaluation report", exact=True))
    expect(page).to_have_title("Evaluation report – PROC-001 – Commonweal")
    expect(page.get_by_text("Birch Services Ltd: the panel agreed 2 on Q2")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, loser_user.email, factories.PASSWORD)
    page.goto(f"/o/birch/procurements/bids/{bids['loser'].pk}/summary/")
    expect(page.get_by_text("Ranked 2 of 2")).to_be_visible()
    assert_accessible(page)
