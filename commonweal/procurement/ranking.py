"""The evaluation of one lot from the stored model: criteria, submitted bids, moderated scores and
flag decisions, handed to `scoring.evaluate`. The evaluation pages, the award and the reports all
read the ranking from here, so there is one computation."""

from decimal import Decimal

from .models import Bid, BidState, Criterion, CriterionKind, Flag, FlagDecision, Lot, ModeratedScore, Procurement
from .scoring import BidSpec, CriterionSpec, Result, Scenario, evaluate


def criterion_specs(procurement: Procurement) -> tuple[CriterionSpec, ...]:
    specs = []
    for criterion in Criterion.objects.filter(procurement=procurement).select_related("scale"):
        max_score = None
        if criterion.kind != CriterionKind.PRICE and criterion.scale is not None:
            top = criterion.scale.levels.order_by("-score").values_list("score", flat=True).first()
            max_score = top if top is not None else None
        specs.append(
            CriterionSpec(
                code=criterion.code,
                kind=criterion.kind,
                weight=criterion.weight,
                max_score=max_score,
                minimum_score=criterion.minimum_score,
                title=criterion.title,
            )
        )
    return tuple(specs)


def bidder_label(bid: Bid) -> str:
    return bid.supplier.name


def lot_scenario(procurement: Procurement, lot: Lot) -> Scenario:
    """The scenario of one lot: every submitted bid with its moderated scores (missing scores count
    as not yet moderated: the bid is scored only on what exists, see `evaluation_complete`)."""
    bids = list(
        Bid.objects.filter(procurement=procurement, lot=lot, state=BidState.SUBMITTED).select_related("supplier")
    )
    moderated: dict[int, dict[str, Decimal]] = {}
    for row in ModeratedScore.objects.filter(bid__in=bids).select_related("criterion"):
        moderated.setdefault(row.bid_id, {})[row.criterion.code] = row.score
    excluded = {
        flag.bid_id: flag.decision_reason or flag.get_kind_display()
        for flag in Flag.objects.filter(bid__in=bids, decision=FlagDecision.TENDER_EXCLUDED)
    }
    return Scenario(
        criteria=criterion_specs(procurement),
        price_method=procurement.price_method,
        bids=tuple(
            BidSpec(
                bidder=bidder_label(bid),
                price=bid.price if bid.price is not None else Decimal("0"),
                scores=moderated.get(bid.pk, {}),
                excluded=excluded.get(bid.pk, ""),
            )
            for bid in bids
        ),
    )


def evaluation_complete(procurement: Procurement, lot: Lot) -> bool:
    """Every submitted bid of the lot has a moderated score on every non-price criterion."""
    criteria = Criterion.objects.filter(procurement=procurement).exclude(kind=CriterionKind.PRICE).count()
    bids = Bid.objects.filter(procurement=procurement, lot=lot, state=BidState.SUBMITTED)
    return ModeratedScore.objects.filter(bid__in=bids).count() == criteria * bids.count()


def evaluation_result(procurement: Procurement, lot: Lot) -> Result:
    return evaluate(lot_scenario(procurement, lot))
