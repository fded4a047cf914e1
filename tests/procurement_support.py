"""Test worlds for procurement: a published procurement with an evaluation model, and bids.

Rows are made directly (not through the planning services) so that the bidding, evaluation and award
tests do not depend on the planning pages; `procurement_published` keeps to the rules publishing
enforces (weights sum to 100, a scale on every non-price criterion, the timetable in order).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from commonweal.frameworks.models import Framework, Measure
from commonweal.procurement.models import (
    Bid,
    BidCommitment,
    BidResponse,
    BidState,
    ConflictDeclaration,
    Criterion,
    CriterionKind,
    Lot,
    Procurement,
    ProcurementState,
    ScaleLevel,
    ScoringScale,
)
from commonweal.tenancy.models import Organisation

from . import factories

# A 0–5 scale like the shipped one (the planning area ships the real descriptors).
LEVELS = [
    (Decimal("0"), "Unacceptable", "No response, or it does not answer the question."),
    (Decimal("1"), "Poor", "Major gaps or serious reservations."),
    (Decimal("2"), "Weak", "Some of the requirement is met; significant reservations."),
    (Decimal("3"), "Acceptable", "Meets the requirement with minor reservations."),
    (Decimal("4"), "Good", "Meets the requirement fully, with detail and evidence."),
    (Decimal("5"), "Excellent", "Exceeds the requirement, with detail, evidence and added value."),
]


@dataclass
class ProcurementWorld:
    procurement: Procurement
    lot: Lot
    scale: ScoringScale
    price: Criterion
    quality: list[Criterion]
    social_value: list[Criterion]
    measures: list[Measure]

    @property
    def scored(self) -> list[Criterion]:
        return self.quality + self.social_value


def scale_0_to_5(buyer: Organisation) -> ScoringScale:
    scale, created = ScoringScale.objects.get_or_create(
        organisation=buyer, code="test-0-5", defaults={"title": "0 to 5 (test)", "source": "Tests"}
    )
    if created:
        ScaleLevel.objects.bulk_create(
            ScaleLevel(organisation=buyer, scale=scale, score=score, label=label, descriptor=descriptor)
            for score, label, descriptor in LEVELS
        )
    return scale


def procurement_published(
    buyer: Organisation,
    *,
    reference: str = "PROC-001",
    deadline_passed: bool = False,
    light_touch: bool = False,
    weights: tuple[str, str, str, str] = ("50", "20", "20", "10"),
    value: str = "250000.00",
    **fields: Any,
) -> ProcurementWorld:
    """A published procurement of `buyer` with one lot, criteria price / Q1 / Q2 / SV1 weighted
    `weights` (per cent), a 0–5 scale and a published framework version with two measures. With
    `deadline_passed` the tender deadline is an hour ago, so bids can be opened."""
    now = timezone.now()
    deadline = now - timedelta(hours=1) if deadline_passed else now + timedelta(days=14)
    # A framework of its own, so that the buyer's other frameworks (and their latest versions) are untouched.
    framework, _ = Framework.objects.get_or_create(
        organisation=buyer, code="procurement-test", defaults={"title": "Procurement test framework"}
    )
    version = factories.FrameworkVersionFactory.create(organisation=buyer, framework=framework)
    measures = [
        factories.MeasureFactory.create(
            version=version, organisation=buyer, code="JOBS.1", title="Local people employed"
        ),
        factories.MeasureFactory.create(
            version=version, organisation=buyer, code="SKILLS.1", title="Apprenticeship weeks"
        ),
    ]
    procurement = Procurement.objects.create(
        organisation=buyer,
        reference=reference,
        title=f"{reference} Grounds maintenance",
        description="Grounds maintenance of parks and open spaces.",
        core_deliverables="Grass cutting in every park\nLitter picking in open spaces",
        estimated_value=Decimal(value),
        category="services",
        duration_months=36,
        framework_version=version,
        state=ProcurementState.PUBLISHED,
        publication_at=deadline - timedelta(days=30),
        clarification_deadline=deadline - timedelta(days=7),
        tender_deadline=deadline,
        evaluation_at=deadline + timedelta(days=1),
        award_at=deadline + timedelta(days=14),
        standstill_end_at=deadline + timedelta(days=28),
        published_at=deadline - timedelta(days=30),
        offer_kind="qualitative" if light_touch else "quantified",
        **fields,
    )
    lot = Lot.objects.create(organisation=buyer, procurement=procurement, number=1, title="Whole contract")
    scale = scale_0_to_5(buyer)
    price_weight, q1, q2, sv1 = (Decimal(w) for w in weights)
    price = Criterion.objects.create(
        organisation=buyer,
        procurement=procurement,
        kind=CriterionKind.PRICE,
        code="P",
        title="Price",
        weight=price_weight,
        position=0,
    )
    quality = [
        Criterion.objects.create(
            organisation=buyer,
            procurement=procurement,
            kind=CriterionKind.QUALITY,
            code="Q1",
            title="Delivery approach",
            question="How will you deliver the service?",
            weight=q1,
            scale=scale,
            word_limit=500,
            position=1,
        ),
        Criterion.objects.create(
            organisation=buyer,
            procurement=procurement,
            kind=CriterionKind.QUALITY,
            code="Q2",
            title="Staffing and resilience",
            question="How will you staff it?",
            weight=q2,
            scale=scale,
            minimum_score=Decimal("2"),
            position=2,
        ),
    ]
    social_value = [
        Criterion.objects.create(
            organisation=buyer,
            procurement=procurement,
            kind=CriterionKind.SOCIAL_VALUE,
            code="SV1",
            title="Local employment",
            question="What will you do for local jobs?",
            weight=sv1,
            scale=scale,
            outcome_code="T.1",
            position=3,
        ),
    ]
    return ProcurementWorld(procurement, lot, scale, price, quality, social_value, measures)


def bid_make(
    world: ProcurementWorld,
    supplier: Organisation,
    *,
    price: str,
    submitted: bool = True,
    commitments: tuple[tuple[int, str], ...] = ((0, "4"),),
    submitted_by: Any = None,
) -> Bid:
    """A bid of `supplier` for the world's lot with a response to every criterion and commitments
    given as (index into world.measures, quantity)."""
    procurement = world.procurement
    bid = Bid.objects.create(
        organisation=procurement.organisation,
        procurement=procurement,
        lot=world.lot,
        supplier=supplier,
        state=BidState.SUBMITTED if submitted else BidState.DRAFT,
        price=Decimal(price),
        method_statement=f"{supplier.name} will recruit locally through the council's job brokerage.",
        submitted_at=timezone.now() - timedelta(days=2) if submitted else None,
        submitted_by=submitted_by,
    )
    for criterion in world.scored:
        BidResponse.objects.create(
            organisation=procurement.organisation,
            bid=bid,
            criterion=criterion,
            text=f"{supplier.name} answers {criterion.code}.",
        )
    for index, quantity in commitments:
        BidCommitment.objects.create(
            organisation=procurement.organisation,
            bid=bid,
            measure=world.measures[index],
            quantity=Decimal(quantity),
            due_date=date(2028, 3, 31),
            place_code="E08000009",
            beneficiary_group="Young people not in work",
        )
    return bid


def declare(procurement: Procurement, user: Any, *, conflict: bool = False, details: str = "") -> ConflictDeclaration:
    return ConflictDeclaration.objects.create(
        organisation=procurement.organisation,
        procurement=procurement,
        evaluator=user,
        has_conflict=conflict,
        details=details,
    )


def deadline_pass(procurement: Procurement) -> None:
    """Move the tender deadline into the past (the timetable keeps its order)."""
    now = timezone.now()
    shift = procurement.tender_deadline - (now - timedelta(minutes=1)) if procurement.tender_deadline else timedelta()
    for name in (
        "publication_at",
        "clarification_deadline",
        "tender_deadline",
        "evaluation_at",
        "award_at",
        "standstill_end_at",
        "published_at",
    ):
        moment: datetime | None = getattr(procurement, name)
        if moment is not None:
            setattr(procurement, name, moment - shift)
    procurement.save()
