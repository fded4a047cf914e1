"""The award: when it is refused (every reason), ties, the contract and its commitments, the state,
assessment summaries (who may read them, and that they never describe other losing tenders), the
evaluation report, and 404 for everyone else.

Moderated scores are written directly here (the scenario test drives the evaluation services)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery.models import Agreement, ReturnFrequency
from commonweal.frameworks.models import ReportingFrequency
from commonweal.procurement import selectors_award, services_award
from commonweal.procurement.models import (
    Award,
    Bid,
    Flag,
    FlagDecision,
    FlagKind,
    Lot,
    ModeratedScore,
    ProcurementState,
)
from commonweal.tenancy.models import Role
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .conftest import Tenant
from .pdf_support import assert_tagged
from .procurement_support import ProcurementWorld, bid_make, declare, procurement_published

D = Decimal


def moderate(world: ProcurementWorld, bid: Bid, scores: tuple[int, int, int], by: Any) -> None:
    for criterion, score in zip(world.scored, scores, strict=True):
        ModeratedScore.objects.create(
            organisation=bid.organisation,
            bid=bid,
            criterion=criterion,
            score=D(score),
            rationale=f"{bid.supplier.name} {criterion.code} rationale",
            moderated_by=by,
        )


class Setup:
    def __init__(self, tenant: Tenant, **fields: Any) -> None:
        self.buyer = tenant.buyer
        self.officer = factories.member_user(self.buyer, Role.PROCUREMENT_OFFICER)
        self.world = procurement_published(self.buyer, deadline_passed=True, **fields)
        self.procurement = self.world.procurement
        self.procurement.standstill_end_at = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
        self.procurement.save(update_fields=["standstill_end_at"])
        declare(self.procurement, self.officer)
        self.winner_org = tenant.supplier  # Supplier A Ltd, whose people are tenant_a.supplier_user
        self.loser_org = factories.SupplierFactory.create(name="Loser One Ltd")
        self.other_org = factories.SupplierFactory.create(name="Other Loser Ltd")

    @property
    def member(self) -> Member:
        return member_access(user=self.officer, slug=self.buyer.slug)

    def bids(self, *, winner: str = "200000", loser: str = "220000", other: str = "240000") -> list[Bid]:
        self.winner = bid_make(self.world, self.winner_org, price=winner, commitments=((0, "4"), (1, "10")))
        self.loser = bid_make(self.world, self.loser_org, price=loser)
        self.other = bid_make(self.world, self.other_org, price=other)
        return [self.winner, self.loser, self.other]

    def moderate_all(self) -> None:
        moderate(self.world, self.winner, (5, 4, 4), self.officer)
        moderate(self.world, self.loser, (3, 3, 3), self.officer)
        moderate(self.world, self.other, (2, 2, 2), self.officer)

    def award(self, **kwargs: Any) -> Award:
        return services_award.lot_award_make(
            actor=self.officer, member=self.member, procurement=self.procurement, lot=self.world.lot, **kwargs
        )


@pytest.fixture
def setup(tenant_a: Tenant) -> Setup:
    return Setup(tenant_a)


# --- Pure helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 1, 16), 36, date(2030, 1, 16)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 12, 1), 12, date(2028, 12, 1)),
    ],
)
def test_months_add_keeps_the_day_or_takes_the_last_of_a_shorter_month(
    start: date, months: int, expected: date
) -> None:
    assert selectors_award.months_add(start, months) == expected


def test_every_reporting_frequency_maps_to_a_return_frequency_and_at_the_end_is_annual() -> None:
    mapping = selectors_award.RETURN_FREQUENCY_FROM_REPORTING
    assert set(mapping) == set(ReportingFrequency.values)
    assert mapping[ReportingFrequency.AT_END] == ReturnFrequency.ANNUAL
    assert mapping[ReportingFrequency.SIX_MONTHLY] == ReturnFrequency.HALF_YEARLY


# --- Refusals ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_award_is_refused_listing_every_reason_while_moderation_and_flags_are_open(setup: Setup) -> None:
    setup.bids()
    moderate(setup.world, setup.winner, (5, 4, 4), setup.officer)
    Flag.objects.create(organisation=setup.buyer, bid=setup.loser, kind=FlagKind.ABNORMALLY_LOW_PRICE, detail="Low")
    Flag.objects.create(organisation=setup.buyer, bid=setup.other, kind=FlagKind.SOCIAL_VALUE_SHARE, detail="High")
    with pytest.raises(ApplicationError) as refused:
        setup.award()
    assert refused.value.message == (
        "Moderation is not complete: every tender needs a moderated score on every criterion. "
        "2 flags still await a recorded decision."
    )
    assert not Award.objects.exists() and not Agreement.objects.filter(reference="PROC-001").exists()


@pytest.mark.django_db
def test_award_is_refused_without_a_no_conflict_declaration(tenant_a: Tenant) -> None:
    setup = Setup(tenant_a)
    setup.bids()
    setup.moderate_all()
    lead = factories.member_user(setup.buyer, Role.SOCIAL_VALUE_LEAD)
    with pytest.raises(ApplicationError) as refused:
        services_award.lot_award_make(
            actor=lead,
            member=member_access(user=lead, slug=setup.buyer.slug),
            procurement=setup.procurement,
            lot=setup.world.lot,
        )
    assert "declared that you have no conflict of interest" in refused.value.message
    evaluator = factories.member_user(setup.buyer, Role.EVALUATOR)
    declare(setup.procurement, evaluator)
    with pytest.raises(PermissionRefused):
        services_award.lot_award_make(
            actor=evaluator,
            member=member_access(user=evaluator, slug=setup.buyer.slug),
            procurement=setup.procurement,
            lot=setup.world.lot,
        )


@pytest.mark.django_db
def test_an_excluded_tender_cannot_win_and_no_eligible_tender_is_refused(setup: Setup) -> None:
    setup.bids()
    setup.moderate_all()
    for bid in (setup.winner, setup.loser, setup.other):
        Flag.objects.create(
            organisation=setup.buyer,
            bid=bid,
            kind=FlagKind.ABNORMALLY_LOW_PRICE,
            detail="Low",
            decision=FlagDecision.TENDER_EXCLUDED,
            decision_reason="Could not explain its price",
        )
    with pytest.raises(ApplicationError, match="No tender is eligible"):
        setup.award()


@pytest.mark.django_db
def test_a_tie_needs_the_officer_to_choose_one_of_the_tied_tenders_with_a_reason(setup: Setup) -> None:
    first = bid_make(setup.world, setup.winner_org, price="200000")
    second = bid_make(setup.world, setup.loser_org, price="200000")
    moderate(setup.world, first, (4, 4, 4), setup.officer)
    moderate(setup.world, second, (4, 4, 4), setup.officer)
    entry = selectors_award.lot_award(member=setup.member, procurement=setup.procurement, lot=setup.world.lot)
    assert entry.winner is None and {bid.pk for bid in entry.tied} == {first.pk, second.pk} and entry.needs_choice
    with pytest.raises(ApplicationError) as refused:
        setup.award()
    assert refused.value.field_errors == {
        "bid": "Choose one of the tied tenders",
        "reason": "Give the reason for choosing this tender from those tied for first place",
    }
    outsider = bid_make(setup.world, setup.other_org, price="300000")
    moderate(setup.world, outsider, (1, 2, 1), setup.officer)
    with pytest.raises(ApplicationError):
        setup.award(bid=outsider, reason="Cheapest overall")
    award = setup.award(bid=second, reason="Lower carbon fleet, as the tie-break note allows")
    assert award.bid == second and award.reason == "Lower carbon fleet, as the tie-break note allows"
    event = AuditEvent.objects.get(action="procurement.award_made")
    assert event.after["tie"] == "chosen from the tenders tied for first place"
    assert event.after["reason"] == "Lower carbon fleet, as the tie-break note allows"


@pytest.mark.django_db
def test_with_a_clear_winner_another_tender_cannot_be_chosen(setup: Setup) -> None:
    setup.bids()
    setup.moderate_all()
    with pytest.raises(ApplicationError) as refused:
        setup.award(bid=setup.loser)
    assert refused.value.field_errors["bid"].startswith("The award goes to the most advantageous tender")


# --- The award and the contract -----------------------------------------------------------------------


@pytest.mark.django_db
def test_award_creates_the_contract_with_commitments_and_is_refused_a_second_time(setup: Setup) -> None:
    setup.procurement.reporting_frequency = ReportingFrequency.AT_END
    setup.procurement.save(update_fields=["reporting_frequency"])
    setup.bids()
    setup.moderate_all()
    award = setup.award()
    agreement = award.agreement
    assert agreement is not None
    # Standstill ends 15 January 2027 at noon (GMT): the contract runs 16 January 2027 to 15 January 2030.
    assert (agreement.start_date, agreement.end_date) == (date(2027, 1, 16), date(2030, 1, 15))
    assert agreement.return_frequency == ReturnFrequency.ANNUAL
    assert agreement.title == setup.procurement.title
    assert sorted((c.measure.code, c.target_quantity) for c in agreement.commitments.all()) == [
        ("JOBS.1", D("4.00")),
        ("SKILLS.1", D("10.00")),
    ]
    setup.procurement.refresh_from_db()
    assert setup.procurement.state == ProcurementState.AWARDED
    with pytest.raises(ApplicationError, match="already been awarded to Supplier A Ltd"):
        setup.award()
    assert Award.objects.count() == 1 and Agreement.objects.filter(reference="PROC-001").count() == 1


@pytest.mark.django_db
def test_a_light_touch_award_makes_a_contract_without_commitments(tenant_a: Tenant) -> None:
    setup = Setup(tenant_a, light_touch=True)
    setup.bids()
    setup.moderate_all()
    award = setup.award()
    assert award.agreement is not None and award.agreement.commitments.count() == 0


@pytest.mark.django_db
def test_with_two_lots_each_contract_has_a_lot_reference_and_the_procurement_is_awarded_after_both(
    setup: Setup,
) -> None:
    setup.bids()
    setup.moderate_all()
    lot2 = Lot.objects.create(organisation=setup.buyer, procurement=setup.procurement, number=2, title="North parks")
    lot2_bid = Bid.objects.create(
        organisation=setup.buyer,
        procurement=setup.procurement,
        lot=lot2,
        supplier=setup.loser_org,
        state="submitted",
        price=D("90000"),
    )
    moderate(setup.world, lot2_bid, (3, 3, 3), setup.officer)
    first = setup.award()
    assert first.agreement is not None and first.agreement.reference == "PROC-001-L1"
    setup.procurement.refresh_from_db()
    assert setup.procurement.state == ProcurementState.PUBLISHED and setup.procurement.awarded_at is None
    second = services_award.lot_award_make(
        actor=setup.officer, member=setup.member, procurement=setup.procurement, lot=lot2
    )
    assert second.agreement is not None and second.agreement.reference == "PROC-001-L2"
    assert second.agreement.title == f"{setup.procurement.title}: North parks"
    setup.procurement.refresh_from_db()
    assert setup.procurement.state == ProcurementState.AWARDED and setup.procurement.awarded_at is not None


@pytest.mark.django_db
def test_a_commitment_due_after_the_contract_ends_refuses_the_award_and_nothing_is_kept(setup: Setup) -> None:
    setup.procurement.duration_months = 6
    setup.procurement.save(update_fields=["duration_months"])
    setup.bids()
    setup.moderate_all()
    with pytest.raises(ApplicationError, match="cannot become the contract’s as they are") as refused:
        setup.award()
    assert "The due date must be within the agreement" in refused.value.message
    assert not Agreement.objects.filter(reference="PROC-001").exists() and not Award.objects.exists()


# --- Pages ----------------------------------------------------------------------------------------------


def url(name: str, org: str, pk: int) -> str:
    return reverse(f"procurement:{name}", kwargs={"org": org, "pk": pk})


@pytest.mark.django_db
def test_award_page_shows_the_ranking_and_awards_on_post(setup: Setup, client: Client) -> None:
    setup.bids()
    setup.moderate_all()
    client.force_login(setup.officer)
    page = client.get(url("award", setup.buyer.slug, setup.procurement.pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Award lot 1 to Supplier A Ltd" in text
    assert "Do not enter into the contract before 15 January 2027, midday, London time" in text
    assert "Procurement Act 2023 s.51: 8 working days" in text
    response = client.post(url("award", setup.buyer.slug, setup.procurement.pk), {"award-lot": "1", "award-reason": ""})
    assert response.status_code == 302
    assert Award.objects.get().bid == setup.winner
    again = client.post(url("award", setup.buyer.slug, setup.procurement.pk), {"award-lot": "1"})
    assert again.status_code == 200
    assert again.content.decode().count("already been awarded") >= 1
    assert "<title>Error: " in again.content.decode()


@pytest.mark.django_db
def test_award_page_refusal_shows_the_reasons_in_an_error_summary(setup: Setup, client: Client) -> None:
    setup.bids()
    client.force_login(setup.officer)
    response = client.post(url("award", setup.buyer.slug, setup.procurement.pk), {"award-lot": "1"})
    text = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in text
    assert "Moderation is not complete" in text
    assert not Award.objects.exists()
    # Before any moderated score, no tender is called disqualified: each is not yet scored.
    page = client.get(url("award", setup.buyer.slug, setup.procurement.pk)).content.decode()
    assert "Not yet scored" in page and "Disqualified" not in page
    # Nor does it link to assessment summaries, which exist only once moderation is complete.
    assert "Assessment summary for" not in page


@pytest.mark.django_db
def test_before_the_deadline_the_award_page_shows_no_bid(tenant_a: Tenant, client: Client) -> None:
    officer = factories.member_user(tenant_a.buyer, Role.PROCUREMENT_OFFICER)
    world = procurement_published(tenant_a.buyer)
    declare(world.procurement, officer)
    bid_make(world, tenant_a.supplier, price="123456")
    client.force_login(officer)
    text = client.get(url("award", tenant_a.buyer.slug, world.procurement.pk)).content.decode()
    assert "123,456" not in text and tenant_a.supplier.name not in text
    assert "once the tender deadline has passed" in text
    report = client.get(url("evaluation-report", tenant_a.buyer.slug, world.procurement.pk)).content.decode()
    assert "123,456" not in report and tenant_a.supplier.name not in report
    assert "The tenders, their scores and the ranking appear here once the tender deadline has passed" in report
    assert "Delivery approach" in report  # the published methodology is there
    contract_manager = factories.member_user(tenant_a.buyer, Role.CONTRACT_MANAGER)
    client.force_login(contract_manager)
    assert client.get(url("evaluation-report", tenant_a.buyer.slug, world.procurement.pk)).status_code == 404


@pytest.mark.django_db
def test_summaries_for_the_buyer_and_for_each_bidder_only_about_its_own_tender(
    setup: Setup, tenant_a: Tenant, client: Client
) -> None:
    setup.bids()
    loser_user = factories.member_user(setup.loser_org, Role.SUPPLIER_CONTACT)
    client.force_login(setup.officer)
    # The buyer: not before moderation is complete.
    assert client.get(url("assessment-summary", setup.buyer.slug, setup.loser.pk)).status_code == 404
    setup.moderate_all()
    page = client.get(url("assessment-summary", setup.buyer.slug, setup.loser.pk))
    assert page.status_code == 200
    assert AuditEvent.objects.filter(action="bid.opened", object_id=str(setup.loser.pk)).exists()
    # The bidder: not before the award.
    client.force_login(loser_user)
    assert client.get(url("assessment-summary", setup.loser_org.slug, setup.loser.pk)).status_code == 404
    setup.award()
    page = client.get(url("assessment-summary", setup.loser_org.slug, setup.loser.pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Ranked 2 of 3, with" in text and "Awarded to" in text and "Supplier A Ltd" in text
    assert "Loser One Ltd SV1 rationale" in text and "Supplier A Ltd SV1 rationale" in text
    # Never the other losing bidder.
    assert "Other Loser Ltd" not in text and "240,000" not in text
    # Nor another bidder's summary, nor under the buyer's slug.
    assert client.get(url("assessment-summary", setup.loser_org.slug, setup.other.pk)).status_code == 404
    assert client.get(url("assessment-summary", setup.buyer.slug, setup.loser.pk)).status_code == 404
    pdf = client.get(url("assessment-summary-pdf", setup.loser_org.slug, setup.loser.pk))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert_tagged(pdf.content, title=f"Assessment summary – {setup.procurement.reference} – Loser One Ltd")
    # The winner sees its own.
    client.force_login(tenant_a.supplier_user)
    text = client.get(url("assessment-summary", tenant_a.supplier.slug, setup.winner.pk)).content.decode()
    assert "Your tender" in text and "Other Loser Ltd" not in text and "Loser One Ltd" not in text


@pytest.mark.django_db
def test_report_shows_scores_flags_and_award(setup: Setup, client: Client) -> None:
    setup.bids()
    setup.moderate_all()
    Flag.objects.create(
        organisation=setup.buyer,
        bid=setup.loser,
        kind=FlagKind.ABNORMALLY_LOW_PRICE,
        detail="£220,000 is low",
        decision=FlagDecision.ACCEPTED,
        decision_reason="Explained by the supplier",
        decided_by=setup.officer,
        decided_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    setup.award()
    client.force_login(setup.officer)
    text = client.get(url("evaluation-report", setup.buyer.slug, setup.procurement.pk)).content.decode()
    assert "Explained by the supplier" in text
    assert "Other Loser Ltd Q2 rationale" in text
    assert "Awarded to <strong>Supplier A Ltd</strong> for £200,000.00" in text
    assert "Exceeds the requirement, with detail, evidence and added value." in text


@pytest.mark.django_db
def test_another_organisation_and_a_supplier_get_404(setup: Setup, tenant_b: Tenant, client: Client) -> None:
    setup.bids()
    setup.moderate_all()
    setup.award()
    other_lead = factories.member_user(tenant_b.buyer, Role.SOCIAL_VALUE_LEAD)
    client.force_login(other_lead)
    for name, pk in [
        ("award", setup.procurement.pk),
        ("evaluation-report", setup.procurement.pk),
        ("evaluation-report-pdf", setup.procurement.pk),
        ("assessment-summary", setup.winner.pk),
        ("assessment-summary-pdf", setup.winner.pk),
    ]:
        assert client.get(url(name, tenant_b.buyer.slug, pk)).status_code == 404, name
        assert client.get(url(name, setup.buyer.slug, pk)).status_code == 404, name
    client.force_login(tenant_b.supplier_user)
    assert client.get(url("assessment-summary", tenant_b.supplier.slug, setup.winner.pk)).status_code == 404
    assert client.get(url("award", tenant_b.supplier.slug, setup.procurement.pk)).status_code == 404


@pytest.mark.django_db
def test_award_page_offers_the_tied_tenders_and_records_the_choice(setup: Setup, client: Client) -> None:
    first = bid_make(setup.world, setup.winner_org, price="200000")
    second = bid_make(setup.world, setup.loser_org, price="200000")
    moderate(setup.world, first, (4, 4, 4), setup.officer)
    moderate(setup.world, second, (4, 4, 4), setup.officer)
    client.force_login(setup.officer)
    address = url("award", setup.buyer.slug, setup.procurement.pk)
    text = client.get(address).content.decode()
    assert "Which tender is awarded the contract?" in text and "Why this tender is chosen" in text
    refused = client.post(address, {"award-lot": "1", "award-bid": str(second.pk)})
    assert refused.status_code == 200
    assert "Give the reason for choosing this tender from those tied for first place" in refused.content.decode()
    response = client.post(
        address, {"award-lot": "1", "award-bid": str(second.pk), "award-reason": "Stronger local supply chain"}
    )
    assert response.status_code == 302
    award = Award.objects.get()
    assert (award.bid, award.reason) == (second, "Stronger local supply chain")


@pytest.mark.django_db
def test_the_procurement_page_links_to_the_award_and_the_report(setup: Setup, client: Client) -> None:
    client.force_login(setup.officer)
    text = client.get(url("procurement-detail", setup.buyer.slug, setup.procurement.pk)).content.decode()
    assert url("award", setup.buyer.slug, setup.procurement.pk) in text
    assert url("evaluation-report-pdf", setup.buyer.slug, setup.procurement.pk) in text
    assert "Do not enter into the contract before 15 January 2027, midday, London time" in text


@pytest.mark.django_db
def test_the_award_records_a_flag_never_looked_at_and_is_refused_until_it_is_decided(
    tenant_a: Tenant, client: Client
) -> None:
    setup = Setup(tenant_a)
    # Average £150,000: £100,000 is 66.7% of it, below the 80% the procurement flags.
    setup.bids(winner="100000", loser="200000", other="150000")
    setup.moderate_all()
    assert not Flag.objects.exists()
    client.force_login(setup.officer)
    url = reverse("procurement:award", kwargs={"org": setup.buyer.slug, "pk": setup.procurement.pk})
    events = AuditEvent.objects.count()
    page = client.get(url)
    assert page.status_code == 200
    # The page only reads: the flag is counted as awaiting a decision, but not recorded.
    assert "1 flag still awaits a recorded decision" in page.content.decode()
    assert not Flag.objects.exists() and AuditEvent.objects.count() == events
    refused = client.post(url, {"award-lot": "1", "award-reason": "Ranked first"})
    assert refused.status_code == 200
    assert "1 flag still awaits a recorded decision" in refused.content.decode()
    assert not Award.objects.exists()
    # The refused award kept the flag it recorded, ready for its decision.
    flag = Flag.objects.get()
    assert (flag.bid, flag.kind, flag.decision) == (setup.winner, FlagKind.ABNORMALLY_LOW_PRICE, FlagDecision.PENDING)
    assert AuditEvent.objects.filter(action=AuditAction.BID_FLAGGED).count() == 1
