"""Reads for evaluating tenders: who evaluates what, declarations, each evaluator's to-do list, the
moderation sheets, flags and progress. Bid content is reached only through `selectors.bid_list_for_buyer`
and `selectors.bid_open_for_buyer` (the sealed-bid rule); an evaluator's own page never reads another
evaluator's scores."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from commonweal.accounts.models import User
from commonweal.core.errors import ApplicationError
from commonweal.frameworks.models import ValueType
from commonweal.frameworks.selectors_value_sets import valuation_for
from commonweal.frameworks.valuation import Valuation
from commonweal.tenancy.models import Role
from commonweal.tenancy.permissions import Permission
from commonweal.tenancy.selectors import Member

from . import flags as flag_rules
from . import selectors
from .models import (
    Bid,
    BidAttachment,
    BidResponse,
    BidState,
    ConflictDeclaration,
    Criterion,
    CriterionKind,
    EvaluatorAssignment,
    Flag,
    FlagDecision,
    FlagKind,
    Lot,
    ModeratedScore,
    Procurement,
    ProcurementState,
    ScaleLevel,
    Score,
)

EVALUATING_ROLES = (Role.EVALUATOR, Role.PROCUREMENT_OFFICER, Role.SOCIAL_VALUE_LEAD)


def evaluation_procurement_get(*, member: Member, pk: int) -> Procurement:
    """One of the buyer's procurements for its people who plan or evaluate; 404 for anyone else."""
    if not member.may(Permission.EVALUATE):
        raise Http404("No such procurement.")
    return selectors.procurement_get(member=member, pk=pk)


def scored_criteria(procurement: Procurement) -> QuerySet[Criterion]:
    """The criteria people score: every one but price."""
    return (
        Criterion.objects.filter(procurement=procurement)
        .exclude(kind=CriterionKind.PRICE)
        .select_related("scale")
        .order_by("position", "id")
    )


def criteria_in_order(procurement: Procurement) -> list[Criterion]:
    """Every criterion of the procurement, price included, in the published order."""
    return list(Criterion.objects.filter(procurement=procurement).order_by("position", "id"))


def scale_levels(criterion: Criterion) -> list[ScaleLevel]:
    if criterion.scale_id is None:
        return []
    return list(ScaleLevel.objects.filter(scale_id=criterion.scale_id).order_by("score"))


def assignable_people(procurement: Procurement) -> list[Any]:
    """The buyer's people who may evaluate (evaluators, procurement officers, social value leads)."""
    return list(
        User.objects.filter(
            memberships__organisation_id=procurement.organisation_id, memberships__role__in=EVALUATING_ROLES
        )
        .distinct()
        .order_by("full_name", "email")
    )


def assignments(procurement: Procurement) -> dict[int, set[int]]:
    """criterion pk → the pks of the people assigned to it."""
    assigned: dict[int, set[int]] = {criterion.pk: set() for criterion in scored_criteria(procurement)}
    for criterion_id, evaluator_id in EvaluatorAssignment.objects.filter(procurement=procurement).values_list(
        "criterion_id", "evaluator_id"
    ):
        assigned.setdefault(criterion_id, set()).add(evaluator_id)
    return assigned


def declaration_get(*, procurement: Procurement, user: Any) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(procurement=procurement, evaluator=user).first()


def declarations(procurement: Procurement) -> dict[int, ConflictDeclaration]:
    return {d.evaluator_id: d for d in ConflictDeclaration.objects.filter(procurement=procurement)}


def conflicted_ids(procurement: Procurement) -> set[int]:
    return set(
        ConflictDeclaration.objects.filter(procurement=procurement, has_conflict=True).values_list(
            "evaluator_id", flat=True
        )
    )


def expected_evaluators(criterion: Criterion) -> list[Any]:
    """The people whose independent scores moderation waits for: assigned and not conflicted."""
    conflicted = conflicted_ids(criterion.procurement)
    return [
        assignment.evaluator
        for assignment in EvaluatorAssignment.objects.filter(criterion=criterion).select_related("evaluator")
        if assignment.evaluator_id not in conflicted
    ]


def my_criteria(*, member: Member, procurement: Procurement) -> list[Criterion]:
    """The criteria the member is assigned to score on this procurement."""
    ids = EvaluatorAssignment.objects.filter(procurement=procurement, evaluator=member.user).values_list(
        "criterion_id", flat=True
    )
    return list(scored_criteria(procurement).filter(pk__in=list(ids)))


def bid_reach(*, member: Member, pk: int) -> Bid:
    """A submitted bid of the member's organisation, without its content and without opening it: the
    views use it only to decide between 404, asking for a declaration and opening it. 404 unless the
    member plans or evaluates for the buyer and the tender deadline has passed."""
    bid = (
        Bid.objects.filter(pk=pk, organisation=member.organisation, state=BidState.SUBMITTED)
        .select_related("procurement")
        .first()
    )
    if (
        bid is None
        or not member.organisation.is_public_body
        or not member.may(Permission.EVALUATE)
        or not selectors.tenders_opened(bid.procurement)
    ):
        raise Http404("No such bid.")
    return bid


@dataclass(frozen=True)
class ScoringItem:
    bid: Bid
    criterion: Criterion
    score: Score | None
    moderated: bool


@dataclass(frozen=True)
class ScoringRow:
    bid: Bid
    items: list[ScoringItem]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.score is not None)


def scoring_rows(*, member: Member, procurement: Procurement) -> list[ScoringRow]:
    """The member's own to-do list: every bid they may open × their criteria, with their own score
    (never anyone else's)."""
    criteria = my_criteria(member=member, procurement=procurement)
    bids = list(selectors.bid_list_for_buyer(member=member, procurement=procurement))
    if not criteria or not bids:
        return []
    own = {
        (s.bid_id, s.criterion_id): s
        for s in Score.objects.filter(bid__in=bids, criterion__in=criteria, evaluator=member.user)
    }
    moderated = set(
        ModeratedScore.objects.filter(bid__in=bids, criterion__in=criteria).values_list("bid_id", "criterion_id")
    )
    return [
        ScoringRow(
            bid=bid,
            items=[ScoringItem(bid, c, own.get((bid.pk, c.pk)), (bid.pk, c.pk) in moderated) for c in criteria],
        )
        for bid in bids
    ]


def _attachment_row(attachment: BidAttachment, org: str) -> dict[str, Any]:
    return {
        "attachment": attachment,
        "url": reverse("procurement:bid-attachment", kwargs={"org": org, "pk": attachment.pk}),
    }


def opened_bid_responses(*, opened: Bid, criteria: Iterable[Criterion], org: str) -> list[dict[str, Any]]:
    """Each criterion with an opened bid's response and its attachments (with their download address).
    `opened` must come from `selectors.bid_open_for_buyer`, which applies the sealed-bid rule and
    records the opening: this reads only what that opening allows."""
    texts = {r.criterion_id: r.text for r in BidResponse.objects.filter(bid=opened)}
    attachments: dict[int | None, list[dict[str, Any]]] = {}
    for attachment in BidAttachment.objects.filter(bid=opened):
        attachments.setdefault(attachment.criterion_id, []).append(_attachment_row(attachment, org))
    return [{"criterion": c, "text": texts.get(c.pk, ""), "attachments": attachments.get(c.pk, [])} for c in criteria]


def opened_bid_unlinked_attachments(*, opened: Bid, org: str) -> list[dict[str, Any]]:
    """An opened bid's attachments given for no criterion (see `opened_bid_responses`)."""
    return [_attachment_row(a, org) for a in BidAttachment.objects.filter(bid=opened, criterion__isnull=True)]


def own_scores(*, member: Member, bid: Bid) -> dict[int, Score]:
    return {s.criterion_id: s for s in Score.objects.filter(bid=bid, evaluator=member.user)}


def moderated_criteria_ids(bid: Bid) -> set[int]:
    return set(ModeratedScore.objects.filter(bid=bid).values_list("criterion_id", flat=True))


@dataclass(frozen=True)
class ModerationSheet:
    """Everything the moderator sees for one bid on one criterion."""

    criterion: Criterion
    levels: list[ScaleLevel]
    scores: list[Score]
    missing: list[Any]
    moderated: ModeratedScore | None
    conflicted_assigned: list[Any] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.missing and bool(self.scores)


def moderation_sheet(*, bid: Bid, criterion: Criterion) -> ModerationSheet:
    expected = expected_evaluators(criterion)
    expected_ids = {person.pk for person in expected}
    scores = [
        s
        for s in Score.objects.filter(bid=bid, criterion=criterion)
        .select_related("evaluator")
        .order_by("evaluator__full_name", "id")
        if s.evaluator_id in expected_ids
    ]
    scored = {s.evaluator_id for s in scores}
    return ModerationSheet(
        criterion=criterion,
        levels=scale_levels(criterion),
        scores=scores,
        missing=[person for person in expected if person.pk not in scored],
        moderated=ModeratedScore.objects.filter(bid=bid, criterion=criterion).select_related("moderated_by").first(),
    )


def moderation_sheets(bid: Bid) -> list[ModerationSheet]:
    return [moderation_sheet(bid=bid, criterion=c) for c in scored_criteria(bid.procurement)]


@dataclass(frozen=True)
class ModerationRow:
    bid: Bid
    ready: int
    moderated: int
    total: int


def moderation_rows(*, member: Member, procurement: Procurement) -> list[ModerationRow]:
    rows = []
    for bid in selectors.bid_list_for_buyer(member=member, procurement=procurement):
        sheets = moderation_sheets(bid)
        rows.append(
            ModerationRow(
                bid=bid,
                ready=sum(1 for s in sheets if s.ready and s.moderated is None),
                moderated=sum(1 for s in sheets if s.moderated is not None),
                total=len(sheets),
            )
        )
    return rows


# --- Money equivalents of commitments -----------------------------------------------------------------


def bid_valuation(*, member: Member, bid: Bid) -> Valuation | None:
    """Gross and net £ of the bid's commitments from the procurement's value set; None without one."""
    procurement = bid.procurement
    if procurement.value_set is None:
        return None
    lines = [(c.measure, c.quantity) for c in bid.commitments.select_related("measure")]
    try:
        return valuation_for(member=member, value_set=procurement.value_set, lines=lines)
    except ApplicationError:
        # Values in several price years need a deflator the procurement does not name: no £ shown.
        return None


@dataclass(frozen=True)
class CommitmentLine:
    commitment: Any
    gross: Decimal | None
    net: Decimal | None


def commitment_lines(*, member: Member, bid: Bid) -> tuple[list[CommitmentLine], Valuation | None]:
    """The bid's commitments, each with its own gross and net £ where the value set values it."""
    commitments = list(bid.commitments.select_related("measure"))
    valuation = bid_valuation(member=member, bid=bid)
    by_code: dict[str, tuple[Decimal, Decimal]] = {}
    if valuation is not None:
        for line in valuation.lines:
            by_code[line.measure_code] = (line.gross / line.quantity, line.net / line.quantity)
    rows = []
    for commitment in commitments:
        per_unit = by_code.get(commitment.measure.code)
        if per_unit is None:
            rows.append(CommitmentLine(commitment, None, None))
        else:
            gross, net = per_unit
            rows.append(
                CommitmentLine(
                    commitment,
                    (gross * commitment.quantity).quantize(Decimal("0.01")),
                    (net * commitment.quantity).quantize(Decimal("0.01")),
                )
            )
    return rows, valuation


def net_totals(valuation: Valuation) -> list[tuple[str, Decimal]]:
    return [
        (ValueType(ValueType.LOCAL_ECONOMIC).label, valuation.local_economic.net),
        (ValueType(ValueType.ADDITIONAL_SOCIAL).label, valuation.additional_social.net),
    ]


# --- Flags ---------------------------------------------------------------------------------------------


def flag_list(*, member: Member, procurement: Procurement) -> QuerySet[Flag]:
    """The procurement's flags, for those who may open its bids; none otherwise."""
    if not selectors.may_open_bids(member=member, procurement=procurement):
        return Flag.objects.none()
    return (
        Flag.objects.filter(bid__procurement=procurement, bid__state=BidState.SUBMITTED)
        .select_related("bid__supplier", "bid__lot", "commitment__measure", "decided_by")
        .order_by("bid__lot__number", "bid__supplier__name", "kind", "id")
    )


def _bid_findings(
    procurement: Procurement, bid: Bid, lot_prices: list[Decimal], member: Member
) -> list[flag_rules.Finding]:
    findings: list[flag_rules.Finding] = []
    if bid.price is not None:
        detail = flag_rules.abnormally_low(
            price=bid.price, lot_prices=lot_prices, threshold_percent=procurement.abnormally_low_percent
        )
        if detail:
            findings.append(flag_rules.Finding(FlagKind.ABNORMALLY_LOW_PRICE, detail))
        valuation = bid_valuation(member=member, bid=bid) if procurement.value_set is not None else None
        if valuation is not None:
            detail = flag_rules.social_value_share(
                price=bid.price,
                net_totals=net_totals(valuation),
                share_percent=procurement.social_value_share_percent,
            )
            if detail:
                findings.append(flag_rules.Finding(FlagKind.SOCIAL_VALUE_SHARE, detail))
    for commitment in bid.commitments.select_related("measure"):
        restatement = flag_rules.restates_core_deliverable(
            core_deliverables=procurement.core_deliverables,
            commitment_text=f"{commitment.description} {commitment.measure.title}",
        )
        if restatement is not None:
            findings.append(
                flag_rules.Finding(
                    FlagKind.RESTATES_CORE_DELIVERABLE,
                    flag_rules.restatement_text(restatement),
                    commitment_id=commitment.pk,
                    matched_words=restatement.matched,
                )
            )
    return findings


def flag_findings_unrecorded(*, member: Member, procurement: Procurement) -> list[tuple[Bid, flag_rules.Finding]]:
    """The flags the rules raise on the submitted bids that are not recorded yet (per bid, kind and
    commitment); none before the tender deadline or for a cancelled procurement. Computed, not stored:
    `services_evaluation.flags_refresh` records them. `member` (of the buyer) reads the value set."""
    if not selectors.tenders_opened(procurement) or procurement.state == ProcurementState.CANCELLED:
        return []
    bids = list(
        Bid.objects.filter(procurement=procurement, state=BidState.SUBMITTED).select_related(
            "lot", "supplier", "procurement"
        )
    )
    prices_by_lot: dict[int, list[Decimal]] = {}
    for bid in bids:
        if bid.price is not None:
            prices_by_lot.setdefault(bid.lot_id, []).append(bid.price)
    recorded: set[tuple[int, str, int | None]] = set(
        Flag.objects.filter(bid__in=bids).values_list("bid_id", "kind", "commitment_id")
    )
    unrecorded: list[tuple[Bid, flag_rules.Finding]] = []
    for bid in bids:
        for finding in _bid_findings(procurement, bid, prices_by_lot.get(bid.lot_id, []), member):
            key = (bid.pk, finding.kind, finding.commitment_id)
            if key not in recorded:
                recorded.add(key)
                unrecorded.append((bid, finding))
    return unrecorded


def flag_get(*, member: Member, pk: int) -> Flag:
    """One flag for the buyer's planners who may open the procurement's bids; 404 otherwise."""
    flag = (
        Flag.objects.filter(pk=pk, organisation=member.organisation)
        .select_related("bid__procurement", "bid__supplier", "bid__lot", "commitment__measure")
        .first()
    )
    if (
        flag is None
        or not member.may(Permission.PLAN_PROCUREMENTS)
        or not selectors.may_open_bids(member=member, procurement=flag.bid.procurement)
    ):
        raise Http404("No such flag.")
    return flag


# --- Progress --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotProgress:
    lot: Lot
    bids: int
    scores_done: int
    scores_expected: int
    moderated_done: int
    moderated_expected: int
    flags_pending: int
    unassigned: list[Criterion]

    @property
    def moderation_complete(self) -> bool:
        return self.bids > 0 and self.moderated_done == self.moderated_expected


def lot_progress(procurement: Procurement, lot: Lot, *, flags_unrecorded: int = 0) -> LotProgress:
    """Counts only: no bid content, so the buyer's planners see them before declaring. Before the tender
    deadline there is nothing to count: even the number of bids is sealed. `flags_unrecorded` are the
    lot's flags the rules raise that are not recorded yet: they await a decision too."""
    bid_ids: list[int] = []
    if selectors.tenders_opened(procurement):
        bid_ids = list(
            Bid.objects.filter(procurement=procurement, lot=lot, state=BidState.SUBMITTED).values_list("pk", flat=True)
        )
    criteria = list(scored_criteria(procurement))
    conflicted = conflicted_ids(procurement)
    assigned = assignments(procurement)
    expected_by_criterion = {c.pk: assigned.get(c.pk, set()) - conflicted for c in criteria}
    done = sum(
        1
        for bid_id, criterion_id, evaluator_id in Score.objects.filter(bid_id__in=bid_ids).values_list(
            "bid_id", "criterion_id", "evaluator_id"
        )
        if evaluator_id in expected_by_criterion.get(criterion_id, set())
    )
    return LotProgress(
        lot=lot,
        bids=len(bid_ids),
        scores_done=done,
        scores_expected=len(bid_ids) * sum(len(ids) for ids in expected_by_criterion.values()),
        moderated_done=ModeratedScore.objects.filter(bid_id__in=bid_ids, criterion__in=criteria).count(),
        moderated_expected=len(bid_ids) * len(criteria),
        flags_pending=Flag.objects.filter(bid_id__in=bid_ids, decision=FlagDecision.PENDING).count() + flags_unrecorded,
        unassigned=[c for c in criteria if not expected_by_criterion[c.pk]],
    )


def progress(procurement: Procurement, *, member: Member | None = None) -> list[LotProgress]:
    """Each lot's progress. For a `member` the sealed-bid rule lets open the bids, flags the rules raise
    but nobody has recorded yet are counted as awaiting a decision (computed here, not stored)."""
    unrecorded: dict[int, int] = {}
    if member is not None and selectors.may_open_bids(member=member, procurement=procurement):
        for bid, _finding in flag_findings_unrecorded(member=member, procurement=procurement):
            unrecorded[bid.lot_id] = unrecorded.get(bid.lot_id, 0) + 1
    return [
        lot_progress(procurement, lot, flags_unrecorded=unrecorded.get(lot.pk, 0))
        for lot in Lot.objects.filter(procurement=procurement).order_by("number")
    ]


def people_named(ids: Iterable[int]) -> list[Any]:
    return list(User.objects.filter(pk__in=list(ids)).order_by("full_name", "email"))
