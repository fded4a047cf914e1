"""The issue's end-to-end scenario: three bidders, two evaluators, moderation, a flag decided, the
ranking checked against hand-computed points, the award creating the contract with the winner's
commitments, and a readable evaluation report.

Driven through the services: declarations, independent scores, moderation and flags through
services_evaluation, the award through services_award.

The numbers, worked by hand (weights P 50 / Q1 20 / Q2 20 / SV1 10; price by lowest ÷ bid; scores 0–5,
so a criterion's points are weight × score ÷ 5):

    price points: Birch £180,000 → 50 × 180/180 = 50.00; Alder £200,000 → 50 × 180/200 = 45.00;
                  Cedar £240,000 → 50 × 180/240 = 37.50
    moderated    Q1 Q2 SV1   Q1 pts  Q2 pts  SV1 pts   total
    Alder         4  4  5    16.00   16.00   10.00     45.00 + 42 = 87.00  → rank 1
    Cedar         5  5  3    20.00   20.00    6.00     37.50 + 46 = 83.50  → rank 2
    Birch         4  3  1    16.00   12.00    2.00     50.00 + 30 = 80.00  → rank 3

Without social value (its 10 points shared pro rata, every other weight × 100/90) the order follows
total − SV1 points: Alder 77.00, Cedar 77.50, Birch 78.00 → Birch would win (86.67 against 86.11 and
85.56), so social value changed the winner.

The abnormally low rule is set at 90% of the lot's average price: the average is £206,666.67 and 90%
of it £186,000, so Birch's £180,000 is flagged; the officer accepts it. Alder offered a third
commitment, "Litter picking in open spaces", that restates a core deliverable: flagged, and decided
"commitment not counted", so it does not become a contract commitment.
"""

import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery.models import AgreementKind, CommitmentSource, ReturnFrequency
from commonweal.procurement import ranking, services_award, services_evaluation
from commonweal.procurement.models import (
    BidCommitment,
    FlagDecision,
    FlagKind,
    ProcurementState,
)
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import member_access

from . import factories
from .conftest import Tenant
from .procurement_support import bid_make, procurement_published

D = Decimal

# bidder: (price, moderated Q1, Q2, SV1)
BIDS = {
    "Alder Grounds Ltd": ("200000", 4, 4, 5),
    "Birch Services Ltd": ("180000", 4, 3, 1),
    "Cedar Landscapes Ltd": ("240000", 5, 5, 3),
}
# Each evaluator's independent scores differ a little; moderation settles on the figures above.
FIRST_EVALUATOR = {"Alder Grounds Ltd": (4, 3, 5), "Birch Services Ltd": (4, 3, 2), "Cedar Landscapes Ltd": (5, 4, 3)}
SECOND_EVALUATOR = {"Alder Grounds Ltd": (4, 4, 4), "Birch Services Ltd": (3, 3, 1), "Cedar Landscapes Ltd": (5, 5, 3)}

EXPECTED_POINTS = {
    "Alder Grounds Ltd": {"P": D("45.00"), "Q1": D("16.00"), "Q2": D("16.00"), "SV1": D("10.00")},
    "Cedar Landscapes Ltd": {"P": D("37.50"), "Q1": D("20.00"), "Q2": D("20.00"), "SV1": D("6.00")},
    "Birch Services Ltd": {"P": D("50.00"), "Q1": D("16.00"), "Q2": D("12.00"), "SV1": D("2.00")},
}
EXPECTED_TOTALS = {
    "Alder Grounds Ltd": D("87.00"),
    "Cedar Landscapes Ltd": D("83.50"),
    "Birch Services Ltd": D("80.00"),
}


@pytest.mark.django_db
def test_three_bidders_two_evaluators_moderation_award_and_report(tenant_a: Tenant, client: Client) -> None:
    buyer = tenant_a.buyer
    officer = factories.member_user(buyer, Role.PROCUREMENT_OFFICER)
    evaluators = [factories.member_user(buyer, Role.EVALUATOR) for _ in range(2)]
    officer_member = member_access(user=officer, slug=buyer.slug)
    world = procurement_published(buyer, deadline_passed=True, abnormally_low_percent=D("90"))
    procurement = world.procurement
    # A fixed standstill end in British Summer Time: 23:30 UTC on 30 June is 00:30 on 1 July in London,
    # so the contract starts on 2 July 2027.
    procurement.standstill_end_at = datetime(2027, 6, 30, 23, 30, tzinfo=UTC)
    procurement.save(update_fields=["standstill_end_at"])

    bids = {}
    for name, (price, *_scores) in BIDS.items():
        supplier = factories.SupplierFactory.create(name=name)
        offered = ((0, "4"), (1, "52"), (0, "2")) if name.startswith("Alder") else ((0, "3"),)
        bids[name] = bid_make(world, supplier, price=price, commitments=offered)
    alder = bids["Alder Grounds Ltd"]
    restating = BidCommitment.objects.filter(bid=alder).order_by("id").last()
    assert restating is not None
    restating.description = "Litter picking in open spaces by local volunteers"
    restating.save(update_fields=["description"])

    # Evaluators: each on every non-price criterion; everyone declares before seeing a bid.
    services_evaluation.evaluators_set(
        actor=officer,
        member=officer_member,
        procurement=procurement,
        chosen={criterion.pk: {person.pk for person in evaluators} for criterion in world.scored},
    )
    for person in [officer, *evaluators]:
        services_evaluation.declaration_make(
            actor=person,
            member=member_access(user=person, slug=buyer.slug),
            procurement=procurement,
            has_conflict=False,
            details="",
        )

    # Independent scores, with a justification per criterion.
    for person, sheet in zip(evaluators, (FIRST_EVALUATOR, SECOND_EVALUATOR), strict=True):
        member = member_access(user=person, slug=buyer.slug)
        for name, scores in sheet.items():
            services_evaluation.scores_record(
                actor=person,
                member=member,
                bid=bids[name],
                scores={
                    criterion.pk: (D(score), f"{person.full_name} on {criterion.code}: evidence weighed")
                    for criterion, score in zip(world.scored, scores, strict=True)
                },
            )
    # Award is refused until moderation is complete and the flags are decided.
    services_evaluation.flags_refresh(actor=officer, member=officer_member, procurement=procurement)
    with pytest.raises(ApplicationError) as refused:
        services_award.lot_award_make(actor=officer, member=officer_member, procurement=procurement, lot=world.lot)
    assert "Moderation is not complete" in refused.value.message
    assert "2 flags still await a recorded decision" in refused.value.message

    # Moderation to consensus.
    for name, (_price, *consensus) in BIDS.items():
        for criterion, score in zip(world.scored, consensus, strict=True):
            services_evaluation.moderation_record(
                actor=officer,
                member=officer_member,
                bid=bids[name],
                criterion=criterion,
                score=D(score),
                rationale=f"Consensus on {criterion.code} for {name}: the panel agreed {score}",
            )
    assert ranking.evaluation_complete(procurement, world.lot)

    # Flags: Birch's price is abnormally low (accepted); Alder's restating commitment is not counted.
    flags = {(flag.bid.supplier.name, flag.kind): flag for flag in procurement.bids.get(pk=alder.pk).flags.all()}
    flags.update({(flag.bid.supplier.name, flag.kind): flag for flag in bids["Birch Services Ltd"].flags.all()})
    assert set(flags) == {
        ("Birch Services Ltd", FlagKind.ABNORMALLY_LOW_PRICE),
        ("Alder Grounds Ltd", FlagKind.RESTATES_CORE_DELIVERABLE),
    }
    services_evaluation.flag_decide(
        actor=officer,
        member=officer_member,
        flag=flags[("Birch Services Ltd", FlagKind.ABNORMALLY_LOW_PRICE)],
        decision=FlagDecision.ACCEPTED,
        reason="Birch explained its price: it already runs the depot next door.",
    )
    services_evaluation.flag_decide(
        actor=officer,
        member=officer_member,
        flag=flags[("Alder Grounds Ltd", FlagKind.RESTATES_CORE_DELIVERABLE)],
        decision=FlagDecision.COMMITMENT_NOT_COUNTED,
        reason="Litter picking is part of the contract itself.",
    )

    # The ranking, against the hand-computed figures.
    result = ranking.evaluation_result(procurement, world.lot)
    assert [row.bidder for row in result.bids] == ["Alder Grounds Ltd", "Cedar Landscapes Ltd", "Birch Services Ltd"]
    assert [row.rank for row in result.bids] == [1, 2, 3]
    for row in result.bids:
        assert row.points == EXPECTED_POINTS[row.bidder], row.bidder
        assert row.total == EXPECTED_TOTALS[row.bidder], row.bidder
    assert result.winner == "Alder Grounds Ltd"
    assert result.winner_without_social_value == "Birch Services Ltd"
    assert result.social_value_changed_winner is True

    # The award: the contract and the winner's commitments (the one not counted left out).
    events = AuditEvent.objects.count()
    award = services_award.lot_award_make(actor=officer, member=officer_member, procurement=procurement, lot=world.lot)
    assert award.bid == alder and award.value == D("200000.00")
    assert (
        award.reason == "The most advantageous tender under the published methodology: ranked first with 87.00 points."
    )
    agreement = award.agreement
    assert agreement is not None
    assert (agreement.reference, agreement.kind, agreement.supplier) == (
        "PROC-001",
        AgreementKind.CONTRACT,
        alder.supplier,
    )
    assert (agreement.start_date, agreement.end_date) == (date(2027, 7, 2), date(2030, 7, 1))
    assert agreement.value == D("200000.00")
    assert agreement.framework_version == procurement.framework_version
    assert agreement.return_frequency == ReturnFrequency.QUARTERLY
    commitments = list(agreement.commitments.order_by("measure__code"))
    assert [(c.measure.code, c.target_quantity, c.due_date, c.source) for c in commitments] == [
        ("JOBS.1", D("4.00"), date(2028, 3, 31), CommitmentSource.AWARD),
        ("SKILLS.1", D("52.00"), date(2028, 3, 31), CommitmentSource.AWARD),
    ]
    assert {(c.place_code, c.beneficiary_group) for c in commitments} == {("E08000009", "Young people not in work")}
    procurement.refresh_from_db()
    assert procurement.state == ProcurementState.AWARDED and procurement.awarded_at is not None
    actions = list(AuditEvent.objects.order_by("pk")[events:].values_list("action", flat=True))
    assert actions[0] == AuditAction.AGREEMENT_CREATED  # the delivery service's event for the contract
    assert actions[1:] == [
        AuditAction.COMMITMENT_CREATED,
        AuditAction.COMMITMENT_CREATED,
        AuditAction.PROCUREMENT_AWARD_MADE,
        AuditAction.PROCUREMENT_AWARDED,
    ]

    # The evaluation report, as a page and an A4 PDF that names the winner.
    client.force_login(officer)
    page = client.get(reverse("procurement:evaluation-report", kwargs={"org": buyer.slug, "pk": procurement.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Consensus on SV1 for Birch Services Ltd: the panel agreed 1" in text
    assert "changed the winner" in text
    pdf = client.get(reverse("procurement:evaluation-report-pdf", kwargs={"org": buyer.slug, "pk": procurement.pk}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert shutil.which("pdftotext"), "Reading the PDF needs pdftotext: apt-get install poppler-utils"
    extracted = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Awarded to Alder Grounds Ltd for £200,000.00" in " ".join(extracted.split())
    assert "Evaluation report: PROC-001 Grounds maintenance" in " ".join(extracted.split())


@pytest.mark.django_db(transaction=True)
def test_three_bidders_two_evaluators_moderation_award_and_report_committed(tenant_a: Tenant, client: Client) -> None:
    """Declarations, scores, moderation and the award, committed for real: on PostgreSQL this fails
    if a service locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    test_three_bidders_two_evaluators_moderation_award_and_report(tenant_a, client)
