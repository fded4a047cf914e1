"""Reads for the award: each lot's ranking and whether it can be awarded, the assessment summary a
bidder is given (Procurement Act 2023 s.50) and the evaluation report.

Buyer-side reads of bids go through the sealed-bid rule in `selectors` (`may_open_bids`,
`bid_list_for_buyer`, `bid_open_for_buyer`); a supplier reads only its own bid, once its lot is awarded.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone

from commonweal.delivery.models import ReturnFrequency
from commonweal.frameworks.models import ReportingFrequency
from commonweal.tenancy.permissions import Permission
from commonweal.tenancy.selectors import Member

from . import ranking
from .models import (
    Award,
    Bid,
    BidCommitment,
    BidState,
    ConflictDeclaration,
    Criterion,
    CriterionKind,
    EvaluatorAssignment,
    Flag,
    FlagDecision,
    Lot,
    ModeratedScore,
    Procurement,
    ProcurementState,
    ScaleLevel,
    Score,
    ScoringScale,
)
from .scoring import BidResult, Result, standing_text
from .selectors import bid_get_for_supplier, bid_list_for_buyer, bid_open_for_buyer, may_open_bids, procurement_get
from .selectors_evaluation import flag_findings_unrecorded
from .selectors_planning import ImpactRow, impact_rows

STANDSTILL_NOTE = "Procurement Act 2023 s.51: 8 working days"

# How often the supplier reports under the contract, from the procurement's ask. The delivery side has
# no "at the end" return: a contract reports at least once a year, so "at the end" becomes annual.
RETURN_FREQUENCY_FROM_REPORTING: dict[str, str] = {
    ReportingFrequency.MONTHLY: ReturnFrequency.MONTHLY,
    ReportingFrequency.QUARTERLY: ReturnFrequency.QUARTERLY,
    ReportingFrequency.SIX_MONTHLY: ReturnFrequency.HALF_YEARLY,
    ReportingFrequency.ANNUALLY: ReturnFrequency.ANNUAL,
    ReportingFrequency.AT_END: ReturnFrequency.ANNUAL,
}


def months_add(start: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter (31 Jan + 1 → 28 or 29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def contract_dates(procurement: Procurement) -> tuple[date, date] | None:
    """The contract runs from the day after the standstill ends (in London) for the procurement's duration."""
    if procurement.standstill_end_at is None:
        return None
    start = timezone.localdate(procurement.standstill_end_at) + timedelta(days=1)
    return start, months_add(start, procurement.duration_months) - timedelta(days=1)


def _several_lots(procurement: Procurement) -> bool:
    return Lot.objects.filter(procurement=procurement).count() > 1


def agreement_reference(procurement: Procurement, lot: Lot) -> str:
    """The procurement's reference, with "-L<n>" when it has several lots."""
    return f"{procurement.reference}-L{lot.number}" if _several_lots(procurement) else procurement.reference


def agreement_title(procurement: Procurement, lot: Lot) -> str:
    return f"{procurement.title}: {lot.title}"[:300] if _several_lots(procurement) else procurement.title


def commitments_counted(bid: Bid) -> list[BidCommitment]:
    """The bid's commitments that become the contract's, leaving out those a decision did not count."""
    not_counted = set(
        Flag.objects.filter(
            bid=bid, decision=FlagDecision.COMMITMENT_NOT_COUNTED, commitment__isnull=False
        ).values_list("commitment_id", flat=True)
    )
    return [
        commitment
        for commitment in BidCommitment.objects.filter(bid=bid).select_related("measure").order_by("due_date", "id")
        if commitment.pk not in not_counted
    ]


@dataclass
class RankingRow:
    bidder: str
    price: Decimal
    points: list[Decimal | None]  # in the order of the criteria
    total: Decimal
    price_per_quality_point: Decimal | None
    rank: int | None
    disqualified: tuple[str, ...]

    @property
    def standing(self) -> str:
        return standing_text(self.rank, self.disqualified)


def ranking_rows(result: Result | None, criteria: list[Criterion]) -> list[RankingRow]:
    """The ranking as table rows, points in the criteria's order (ranked first, then the disqualified)."""
    if result is None:
        return []
    return [
        RankingRow(
            bidder=row.bidder,
            price=row.price,
            points=[row.points.get(criterion.code) for criterion in criteria],
            total=row.total,
            price_per_quality_point=row.price_per_quality_point,
            rank=row.rank,
            disqualified=row.disqualified,
        )
        for row in result.bids
    ]


def _result_or_none(procurement: Procurement, lot: Lot) -> Result | None:
    """The lot's ranking, or None when the scoring cannot take its tenders (it says why: see `lot_award`)."""
    try:
        return ranking.evaluation_result(procurement, lot)
    except ValueError:
        return None


# --- The award page -------------------------------------------------------------------------------


@dataclass
class LotAward:
    """One lot as the award page shows it: the ranking, the proposed winner, and why it cannot be
    awarded yet (every reason), or the award made."""

    lot: Lot
    bids: list[Bid]
    result: Result | None
    award: Award | None
    problems: list[str] = field(default_factory=list)
    winner: Bid | None = None
    tied: list[Bid] = field(default_factory=list)
    commitments: list[BidCommitment] = field(default_factory=list)
    criteria: list[Criterion] = field(default_factory=list)
    moderation_complete: bool = False

    @property
    def rows(self) -> list[RankingRow]:
        return ranking_rows(self.result, self.criteria)

    @property
    def summaries_open(self) -> bool:
        """Assessment summaries exist once the lot is awarded or its moderation is complete
        (`summary_bid_get`): before then the page offers no link to them."""
        return bool(self.bids) and (self.award is not None or self.moderation_complete)

    @property
    def can_award(self) -> bool:
        return self.award is None and not self.problems and bool(self.bids)

    @property
    def needs_choice(self) -> bool:
        """A tie the rules cannot break: the officer picks one of the tied bids, with a reason."""
        return self.can_award and self.winner is None and bool(self.tied)

    def bid_for(self, bidder: str) -> Bid | None:
        return next((bid for bid in self.bids if ranking.bidder_label(bid) == bidder), None)


def lot_award(*, member: Member, procurement: Procurement, lot: Lot) -> LotAward:
    """The lot's ranking and every reason it cannot be awarded now. The bids are read through the
    sealed-bid rule: a person the rule keeps out sees no bids and is told why."""
    bids = [bid for bid in bid_list_for_buyer(member=member, procurement=procurement) if bid.lot_id == lot.pk]
    award = Award.objects.filter(lot=lot, bid__isnull=False).select_related("bid", "supplier", "agreement").first()
    entry = LotAward(
        lot=lot, bids=bids, result=None, award=award, criteria=list(Criterion.objects.filter(procurement=procurement))
    )
    if not may_open_bids(member=member, procurement=procurement):
        entry.problems.append(
            "The ranking is shown once the tender deadline has passed and you have declared that you have no "
            "conflict of interest in this procurement"
        )
        return entry
    if not bids:
        entry.problems.append("No tender was submitted for this lot")
        return entry
    entry.moderation_complete = ranking.evaluation_complete(procurement, lot)
    if not entry.moderation_complete:
        entry.problems.append("Moderation is not complete: every tender needs a moderated score on every criterion")
    pending = Flag.objects.filter(bid__in=bids, decision=FlagDecision.PENDING).count()
    # Flags the rules raise that nobody has recorded yet await a decision too (the award records them).
    pending += sum(
        1 for bid, _finding in flag_findings_unrecorded(member=member, procurement=procurement) if bid.lot_id == lot.pk
    )
    if pending:
        entry.problems.append(
            f"{pending} flag{'s' if pending != 1 else ''} still await{'s' if pending == 1 else ''} a recorded decision"
        )
    try:
        entry.result = ranking.evaluation_result(procurement, lot)
    except ValueError as error:  # a tender the scoring cannot take (e.g. no price): say so, do not fail
        entry.problems.append(f"The tenders cannot be ranked: {error}")
        return entry
    if entry.result.winner is not None:
        entry.winner = entry.bid_for(entry.result.winner)
    else:
        entry.tied = [bid for name in entry.result.tied if (bid := entry.bid_for(name)) is not None]
        if not entry.tied:
            entry.problems.append("No tender is eligible: every tender was disqualified or excluded")
    if procurement.standstill_end_at is None:
        entry.problems.append("The timetable has no standstill end, so the contract’s start date is not known")
    if procurement.state != ProcurementState.PUBLISHED and award is None:
        entry.problems.append(f"The procurement is {procurement.get_state_display().lower()}")
    if entry.winner is not None and not procurement.light_touch:
        entry.commitments = commitments_counted(entry.winner)
    return entry


def award_page(*, member: Member, procurement: Procurement) -> list[LotAward]:
    return [
        lot_award(member=member, procurement=procurement, lot=lot)
        for lot in Lot.objects.filter(procurement=procurement).order_by("number")
    ]


def planner_procurement_get(*, member: Member, pk: int) -> Procurement:
    """One of the buyer's procurements, for the people who plan procurements; 404 for anyone else."""
    if not member.may(Permission.PLAN_PROCUREMENTS):
        raise Http404("No such procurement.")
    return procurement_get(member=member, pk=pk)


def report_procurement_get(*, member: Member, pk: int) -> Procurement:
    """One of the buyer's procurements, for its people who plan or evaluate; 404 for anyone else. What
    the report shows of the bids is for the sealed-bid rule to say (`evaluation_report`)."""
    if not member.may(Permission.EVALUATE):
        raise Http404("No such procurement.")
    return procurement_get(member=member, pk=pk)


# --- The assessment summary -----------------------------------------------------------------------


@dataclass
class SummaryRow:
    criterion: Criterion
    max_score: Decimal | None
    score: Decimal | None
    rationale: str
    points: Decimal | None
    winner_score: Decimal | None
    winner_rationale: str
    winner_points: Decimal | None


@dataclass
class AssessmentSummary:
    """What one bidder is told about the assessment of its tender, against the winning tender's."""

    procurement: Procurement
    bid: Bid
    own: BidResult | None
    winner_bid: Bid | None
    winner: BidResult | None
    awarded: bool
    rows: list[SummaryRow]
    tenders: int
    generated_at: Any

    @property
    def is_winner(self) -> bool:
        return self.winner_bid is not None and self.winner_bid.pk == self.bid.pk


def _awarded(bid: Bid) -> Award | None:
    return Award.objects.filter(lot_id=bid.lot_id, bid__isnull=False).select_related("bid__supplier").first()


def summary_bid_get(*, member: Member, pk: int) -> Bid:
    """The bid whose assessment summary `member` may read: the buyer's people the sealed-bid rule lets
    open bids, once the lot is awarded or its moderation is complete (the opening is audited); the
    bidding supplier's people once the lot is awarded. 404 for anyone else."""
    if member.organisation.is_public_body:
        bid = bid_open_for_buyer(member=member, pk=pk)
        if _awarded(bid) is None and not ranking.evaluation_complete(bid.procurement, bid.lot):
            raise Http404("No such assessment summary.")
        return bid
    bid = bid_get_for_supplier(member=member, pk=pk)
    if bid.state != BidState.SUBMITTED or _awarded(bid) is None:
        raise Http404("No such assessment summary.")
    return bid


def _moderated(bid: Bid | None) -> dict[int, ModeratedScore]:
    if bid is None:
        return {}
    return {row.criterion_id: row for row in ModeratedScore.objects.filter(bid=bid)}


def assessment_summary(*, bid: Bid) -> AssessmentSummary:
    """The summary of `bid` (already allowed by `summary_bid_get`). Other losing tenders appear only as a
    count: never their names, prices or scores."""
    procurement, lot = bid.procurement, bid.lot
    result = _result_or_none(procurement, lot)
    by_bidder = {row.bidder: row for row in result.bids} if result else {}
    award = _awarded(bid)
    winner_bid: Bid | None = award.bid if award is not None else None
    if winner_bid is None and result is not None and result.winner is not None:
        winner_bid = (
            Bid.objects.filter(procurement=procurement, lot=lot, state=BidState.SUBMITTED, supplier__name=result.winner)
            .select_related("supplier")
            .first()
        )
    own = by_bidder.get(ranking.bidder_label(bid))
    winner = by_bidder.get(ranking.bidder_label(winner_bid)) if winner_bid is not None else None
    own_scores, winner_scores = _moderated(bid), _moderated(winner_bid)
    maxima = {spec.code: spec.max_score for spec in ranking.criterion_specs(procurement)}
    rows = []
    for criterion in Criterion.objects.filter(procurement=procurement):
        mine, theirs = own_scores.get(criterion.pk), winner_scores.get(criterion.pk)
        rows.append(
            SummaryRow(
                criterion=criterion,
                max_score=maxima.get(criterion.code),
                score=mine.score if mine else None,
                rationale=mine.rationale if mine else "",
                points=own.points.get(criterion.code) if own else None,
                winner_score=theirs.score if theirs else None,
                winner_rationale=theirs.rationale if theirs else "",
                winner_points=winner.points.get(criterion.code) if winner else None,
            )
        )
    return AssessmentSummary(
        procurement=procurement,
        bid=bid,
        own=own,
        winner_bid=winner_bid,
        winner=winner,
        awarded=award is not None,
        rows=rows,
        tenders=len(result.bids) if result else 0,
        generated_at=timezone.now(),
    )


# --- The evaluation report ------------------------------------------------------------------------


@dataclass
class AskSummary:
    """The social value ask as stored: what it asks and the reasons, and the officer's changes."""

    min_weight: Decimal
    offer_kind: str
    reporting_frequency: str
    band: str
    unfitted: str  # why no policy band fitted, when none did
    reasons: list[tuple[str, str]]
    changes: list[dict[str, str]]


def ask_summary(procurement: Procurement) -> AskSummary:
    """The stored ask (services_planning): {"fitted", "proposal": {..., "reasons"}, "changes"} or, when no
    band fitted, {"fitted": False, "message"}. Read leniently: an imported procurement has none."""
    ask: dict[str, Any] = procurement.ask if isinstance(procurement.ask, dict) else {}
    stored = ask.get("proposal")
    proposal: dict[str, Any] = stored if isinstance(stored, dict) else {}
    reasons = [
        (str(item.get("part", "")), str(item.get("reason", "")))
        for item in proposal.get("reasons", [])
        if isinstance(item, dict)
    ]
    band = proposal.get("band")
    changes = [
        {key: str(value) for key, value in item.items()} for item in ask.get("changes", []) if isinstance(item, dict)
    ]
    return AskSummary(
        min_weight=procurement.min_social_value_weight,
        offer_kind=procurement.get_offer_kind_display(),
        reporting_frequency=procurement.get_reporting_frequency_display(),
        band=str(band.get("name", "")) if isinstance(band, dict) else "",
        unfitted="" if ask.get("fitted", True) else str(ask.get("message", "")),
        reasons=reasons,
        changes=changes,
    )


@dataclass
class ScoreLine:
    evaluator: str
    score: Decimal
    justification: str


@dataclass
class CriterionScores:
    criterion: Criterion
    individual: list[ScoreLine]
    moderated: ModeratedScore | None


@dataclass
class ReportBid:
    bid: Bid
    result: BidResult | None
    criteria: list[CriterionScores]
    flags: list[Flag]


@dataclass
class ReportLot:
    lot: Lot
    result: Result | None
    bids: list[ReportBid]
    award: Award | None
    complete: bool
    criteria: list[Criterion]

    @property
    def rows(self) -> list[RankingRow]:
        return ranking_rows(self.result, self.criteria)


@dataclass
class Evaluator:
    name: str
    criteria: list[str]
    declaration: ConflictDeclaration | None


@dataclass
class EvaluationReport:
    procurement: Procurement
    ask: AskSummary
    impacts: list[ImpactRow]
    criteria: list[Criterion]
    scales: list[tuple[ScoringScale, list[ScaleLevel]]]
    evaluators: list[Evaluator]
    sealed: bool  # the reader may not open the bids (yet): no tender appears
    lots: list[ReportLot]
    generated_at: Any


def impact_list(procurement: Procurement) -> list[ImpactRow]:
    """The impact assessment's rows, as the planning area shows them."""
    return list(impact_rows(procurement))


def _evaluators(procurement: Procurement) -> list[Evaluator]:
    declarations = {row.evaluator_id: row for row in ConflictDeclaration.objects.filter(procurement=procurement)}
    assigned: dict[int, tuple[Any, list[str]]] = {}
    for row in EvaluatorAssignment.objects.filter(procurement=procurement).select_related("evaluator", "criterion"):
        assigned.setdefault(row.evaluator_id, (row.evaluator, []))[1].append(row.criterion.code)
    people = [Evaluator(str(user), codes, declarations.get(pk)) for pk, (user, codes) in assigned.items()]
    for pk, declaration in declarations.items():
        if pk not in assigned:
            people.append(Evaluator(str(declaration.evaluator), [], declaration))
    return sorted(people, key=lambda person: person.name)


def _report_lot(member: Member, procurement: Procurement, lot: Lot, criteria: list[Criterion]) -> ReportLot:
    bids = [bid for bid in bid_list_for_buyer(member=member, procurement=procurement) if bid.lot_id == lot.pk]
    result = _result_or_none(procurement, lot) if bids else None
    by_bidder = {row.bidder: row for row in result.bids} if result else {}
    scores: dict[tuple[int, int], list[ScoreLine]] = {}
    for score in Score.objects.filter(bid__in=bids).select_related("evaluator").order_by("evaluator__full_name", "id"):
        scores.setdefault((score.bid_id, score.criterion_id), []).append(
            ScoreLine(str(score.evaluator), score.score, score.justification)
        )
    moderated = {(row.bid_id, row.criterion_id): row for row in ModeratedScore.objects.filter(bid__in=bids)}
    flags: dict[int, list[Flag]] = {}
    for flag in Flag.objects.filter(bid__in=bids).select_related("decided_by", "commitment__measure"):
        flags.setdefault(flag.bid_id, []).append(flag)
    scored = [criterion for criterion in criteria if criterion.kind != CriterionKind.PRICE]
    report_bids = [
        ReportBid(
            bid=bid,
            result=by_bidder.get(ranking.bidder_label(bid)),
            criteria=[
                CriterionScores(
                    criterion, scores.get((bid.pk, criterion.pk), []), moderated.get((bid.pk, criterion.pk))
                )
                for criterion in scored
            ],
            flags=flags.get(bid.pk, []),
        )
        for bid in bids
    ]
    # In ranking order, the disqualified last (as the result lists them).
    order = {row.bidder: index for index, row in enumerate(result.bids)} if result else {}
    report_bids.sort(key=lambda row: order.get(ranking.bidder_label(row.bid), len(order)))
    return ReportLot(
        lot=lot,
        result=result,
        bids=report_bids,
        award=Award.objects.filter(lot=lot, bid__isnull=False).select_related("supplier", "agreement").first(),
        complete=bool(bids) and ranking.evaluation_complete(procurement, lot),
        criteria=criteria,
    )


def evaluation_report(*, member: Member, procurement: Procurement) -> EvaluationReport:
    """Everything a defensible evaluation records. The tenders, scores, flags and ranking appear only
    to a person the sealed-bid rule lets open the bids; anyone else sees the plan and the methodology."""
    sealed = not may_open_bids(member=member, procurement=procurement)
    criteria = list(Criterion.objects.filter(procurement=procurement).select_related("scale"))
    scales = list({criterion.scale.pk: criterion.scale for criterion in criteria if criterion.scale}.values())
    return EvaluationReport(
        procurement=procurement,
        ask=ask_summary(procurement),
        impacts=impact_list(procurement),
        criteria=criteria,
        scales=[(scale, list(ScaleLevel.objects.filter(scale=scale).order_by("score"))) for scale in scales],
        evaluators=_evaluators(procurement),
        sealed=sealed,
        lots=[]
        if sealed
        else [
            _report_lot(member, procurement, lot, criteria)
            for lot in Lot.objects.filter(procurement=procurement).order_by("number")
        ],
        generated_at=timezone.now(),
    )
