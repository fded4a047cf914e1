"""Evaluating in the browser: an evaluator declares, is sent on to the bid and scores it (after a refused
first try); the officer moderates to a consensus score and decides a flag. axe checks every page."""

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from commonweal.procurement import services_evaluation
from commonweal.procurement.models import Flag, FlagDecision, ModeratedScore, Score
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import member_access
from tests import factories
from tests.procurement_support import bid_make, declare, procurement_published

from .support import assert_accessible, error_summary_items, follow, sign_in, submit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_declare_score_moderate_and_decide_a_flag(page: Page, live_server: LiveServer) -> None:
    buyer = factories.OrganisationFactory.create(name="Eastvale Council", slug="eastvale")
    officer = factories.member_user(buyer, Role.PROCUREMENT_OFFICER)
    evaluator = factories.member_user(buyer, Role.EVALUATOR)
    world = procurement_published(buyer, reference="EV-2026-001", deadline_passed=True)
    bid = bid_make(world, factories.SupplierFactory.create(name="Rowan Grounds Ltd"), price="200000")
    bid_make(world, factories.SupplierFactory.create(name="Sloe Services Ltd"), price="90000")
    q1 = world.quality[0]
    services_evaluation.evaluators_set(
        actor=officer,
        member=member_access(user=officer, slug=buyer.slug),
        procurement=world.procurement,
        chosen={q1.pk: {evaluator.pk}},
    )

    # The evaluator goes to the bid, is asked to declare first, then lands on the bid.
    sign_in(page, evaluator.email, factories.PASSWORD)
    page.goto(f"/o/eastvale/procurements/{world.procurement.pk}/scoring/")
    expect(page).to_have_title("Your scoring – EV-2026-001 – Commonweal")
    assert_accessible(page)
    page.goto(f"/o/eastvale/procurements/bids/{bid.pk}/score/")
    expect(page).to_have_title("Declare any conflict of interest – EV-2026-001 – Commonweal")
    assert_accessible(page)
    page.get_by_label("I have a conflict of interest").check()
    submit(page, "Make my declaration")
    assert error_summary_items(page) == [
        (
            "Describe the conflict of interest: who or what, and how you are connected",
            "#id_eval_details",
        )
    ]
    assert_accessible(page)
    page.get_by_label("I have no conflict of interest").check()
    submit(page, "Make my declaration")
    expect(page).to_have_title("Score the bid of Rowan Grounds Ltd – EV-2026-001 – Commonweal")
    assert_accessible(page)

    submit(page, "Save my scores")
    assert [text for text, _ in error_summary_items(page)] == [
        "Choose a score for Q1",
        "Give the reasons for your score for Q1",
    ]
    assert_accessible(page)
    page.get_by_label("4 Good").check()
    page.get_by_label("Why this score for Q1").fill("A clear, staffed plan for every park")
    submit(page, "Save my scores")
    expect(page).to_have_title("Your scoring – EV-2026-001 – Commonweal")
    expect(page.get_by_text("Your score: 4")).to_be_visible()
    assert_accessible(page)
    assert Score.objects.get(bid=bid).justification == "A clear, staffed plan for every park"

    # The officer declares, moderates and decides the flag on the low bid.
    page.context.clear_cookies()
    declare(world.procurement, officer)
    sign_in(page, officer.email, factories.PASSWORD)
    page.goto(f"/o/eastvale/procurements/{world.procurement.pk}/evaluators/")
    expect(page).to_have_title("Evaluators – EV-2026-001 – Commonweal")
    assert_accessible(page)
    page.goto(f"/o/eastvale/procurements/{world.procurement.pk}/moderation/")
    expect(page).to_have_title("Moderation – EV-2026-001 – Commonweal")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Moderate the bid of Rowan Grounds Ltd"))
    expect(page).to_have_title("Moderate the bid of Rowan Grounds Ltd – EV-2026-001 – Commonweal")
    assert_accessible(page)
    page.locator(f"#id_c{q1.pk}_eval_consensus_4").check()  # level 4
    page.get_by_label("Rationale for Q1").fill("The single evaluator's score stands")
    submit(page, "Record the consensus score for Q1")
    expect(page.get_by_text("Consensus score: 4")).to_be_visible()
    assert_accessible(page)
    assert ModeratedScore.objects.get(bid=bid).rationale == "The single evaluator's score stands"

    page.goto(f"/o/eastvale/procurements/{world.procurement.pk}/flags/")
    expect(page).to_have_title("Flags – EV-2026-001 – Commonweal")
    # Opening the page records nothing: the flags the rules raise are listed, and a button records them.
    expect(page.get_by_role("heading", name="Flags not recorded yet")).to_be_visible()
    expect(page.get_by_text("£90,000.00 is 62.07% of the average £145,000.00; the threshold is 80%")).to_be_visible()
    assert_accessible(page)
    submit(page, "Record the flags")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("1 flag recorded")
    expect(page.get_by_role("heading", name="Flags not recorded yet")).to_have_count(0)
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Decide on the flag for Sloe Services Ltd"))
    expect(page).to_have_title("Decide on a flag – EV-2026-001 – Commonweal")
    assert_accessible(page)
    page.get_by_label("Accepted: the tender stands as it is").check()
    page.get_by_label("Reason for the decision").fill("Asked on 2 March: a lower-cost depot explains it")
    submit(page, "Record the decision")
    expect(page).to_have_title("Flags – EV-2026-001 – Commonweal")
    assert_accessible(page)
    assert Flag.objects.get().decision == FlagDecision.ACCEPTED

    page.goto(f"/o/eastvale/procurements/{world.procurement.pk}/evaluation/")
    expect(page).to_have_title("Evaluation – EV-2026-001 – Commonweal")
    assert_accessible(page)
    page.goto(f"/o/eastvale/procurements/bids/{bid.pk}/")
    expect(page).to_have_title("Bid of Rowan Grounds Ltd – EV-2026-001 – Commonweal")
    assert_accessible(page)
