"""Writes for evaluating tenders: assigning evaluators, conflict declarations, independent scores,
moderation to a consensus score, and flags with their decisions. Every write is atomic and audited.

The rules (docs/procurement-evaluation.md):
- only the buyer's planners assign evaluators, and only people who may evaluate; someone who has scored
  a criterion cannot be taken off it, and no one is added to a criterion once moderation of it started;
- a declaration is made once and never changed by its maker;
- a score is a level of the criterion's scale, with a justification, by an assigned evaluator who
  declared no conflict, after the tender deadline (the sealed-bid rule), until moderation of that
  bid on that criterion is recorded;
- moderation waits for every assigned, non-conflicted evaluator's score; it may be revised until the
  award, each revision audited with its before and after;
- flags are recorded once the deadline has passed (by `commonweal procurement open-tenders`, by the
  planner on the flags page, and always by the award before it checks for undecided flags), each
  needs a decision with a reason.

Each writer asks for its permission first (`permission_require`): planners assign, moderate, record and
decide flags (`PLAN_PROCUREMENTS`); the buyer's evaluating people declare and score (`EVALUATE`).
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError, StateConflict
from commonweal.core.models import AuditAction
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from . import selectors, selectors_evaluation
from .models import (
    Award,
    Bid,
    BidState,
    ConflictDeclaration,
    Criterion,
    CriterionKind,
    EvaluatorAssignment,
    Flag,
    FlagDecision,
    FlagKind,
    ModeratedScore,
    Procurement,
    ProcurementState,
    Score,
)

CLOSED_STATES = (ProcurementState.AWARDED, ProcurementState.CANCELLED)


def _own_procurement(member: Member, procurement: Procurement) -> None:
    """Refuse (404) a procurement of another organisation than the member's."""
    if procurement.organisation_id != member.organisation.pk:
        raise Http404("No such procurement.")


def _require_open(procurement: Procurement) -> None:
    if procurement.state in CLOSED_STATES:
        raise StateConflict(f"The procurement is {procurement.get_state_display().lower()}: its evaluation is closed.")


def _require_not_awarded(bid: Bid) -> None:
    if bid.procurement.state in CLOSED_STATES or Award.objects.filter(lot_id=bid.lot_id, bid__isnull=False).exists():
        raise StateConflict("The lot has been awarded: its scores can no longer change.")


def _scale_level(criterion: Criterion, score: Decimal | None, field: str) -> Decimal:
    levels = [level.score for level in selectors_evaluation.scale_levels(criterion)]
    if score is None:
        raise ApplicationError(
            f"Choose a score for {criterion.code}", field_errors={field: f"Choose a score for {criterion.code}"}
        )
    if score not in levels:
        allowed = ", ".join(f"{level.normalize():f}" for level in levels)
        message = f"The score for {criterion.code} must be one of the levels of its scale: {allowed}"
        raise ApplicationError(message, field_errors={field: message})
    return next(level for level in levels if level == score)


# --- Evaluators ------------------------------------------------------------------------------------


def evaluators_set(
    *, actor: User | None, member: Member, procurement: Procurement, chosen: Mapping[int, set[int]]
) -> dict[str, list[str]]:
    """Make the assignments of the procurement's scored criteria those in `chosen` (criterion pk →
    people's pks); criteria not named keep theirs. One audit event lists what changed. Returns the
    changes (criterion code → "+ name" / "− name")."""
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    _own_procurement(member, procurement)
    _require_open(procurement)
    criteria = {c.pk: c for c in selectors_evaluation.scored_criteria(procurement)}
    people = {person.pk: person for person in selectors_evaluation.assignable_people(procurement)}
    current = selectors_evaluation.assignments(procurement)
    problems: dict[str, str] = {}
    adds: list[tuple[Criterion, Any]] = []
    removes: list[tuple[Criterion, Any]] = []
    for criterion_pk, wanted in chosen.items():
        criterion = criteria.get(criterion_pk)
        if criterion is None:
            raise ApplicationError("Choose evaluators for this procurement’s quality and social value criteria only.")
        unknown = wanted - set(people)
        if unknown:
            problems[f"eval_assign_{criterion_pk}"] = (
                f"{criterion.code}: choose only people of {procurement.organisation.name} who may evaluate"
            )
            continue
        have = current.get(criterion_pk, set())
        added, removed = wanted - have, have - wanted
        if added and ModeratedScore.objects.filter(criterion=criterion).exists():
            problems[f"eval_assign_{criterion_pk}"] = (
                f"{criterion.code}: moderation has started, so no one can be added to it"
            )
            continue
        scored = set(
            Score.objects.filter(criterion=criterion, evaluator_id__in=removed).values_list("evaluator_id", flat=True)
        )
        if scored:
            names = ", ".join(str(people.get(pk) or pk) for pk in sorted(scored))
            problems[f"eval_assign_{criterion_pk}"] = (
                f"{criterion.code}: {names} has already scored it, so cannot be taken off it"
            )
            continue
        adds.extend((criterion, people[pk]) for pk in sorted(added))
        # Someone no longer able to evaluate (a changed role) can still be taken off.
        removes.extend((criterion, person) for person in selectors_evaluation.people_named(removed))
    if problems:
        raise ApplicationError(
            "The evaluators could not be changed: " + "; ".join(problems.values()), field_errors=problems
        )
    changes: dict[str, list[str]] = {}
    with transaction.atomic():
        for criterion, person in adds:
            EvaluatorAssignment.objects.create(
                organisation=procurement.organisation, procurement=procurement, criterion=criterion, evaluator=person
            )
            changes.setdefault(criterion.code, []).append(f"+ {person}")
        for criterion, person in removes:
            EvaluatorAssignment.objects.filter(criterion=criterion, evaluator=person).delete()
            changes.setdefault(criterion.code, []).append(f"− {person}")
        if changes:
            audit_record(
                actor=actor,
                organisation=procurement.organisation,
                action=AuditAction.PROCUREMENT_EVALUATORS_CHANGED,
                target=procurement,
                before={
                    c.code: sorted(str(people.get(pk, pk)) for pk in current.get(c.pk, set()))
                    for c in criteria.values()
                },
                after={"changes": changes},
            )
    return changes


# --- Declarations ------------------------------------------------------------------------------------


def declaration_make(
    *, actor: User | None, member: Member, procurement: Procurement, has_conflict: bool, details: str
) -> ConflictDeclaration:
    """The member's own declaration of conflicts of interest for the procurement; made once."""
    permission_require(member, Permission.EVALUATE)
    _own_procurement(member, procurement)
    if actor is None:
        raise ApplicationError("Only a person declares conflicts of interest.")
    details = details.strip()
    if has_conflict and not details:
        raise ApplicationError(
            "Describe the conflict of interest",
            field_errors={"eval_details": "Describe the conflict of interest: who or what, and how you are connected"},
        )
    with transaction.atomic():
        if ConflictDeclaration.objects.select_for_update().filter(procurement=procurement, evaluator=actor).exists():
            raise StateConflict(
                "You have already declared for this procurement. A declaration cannot be changed: ask the "
                "procurement officer if it was wrong."
            )
        declaration = ConflictDeclaration.objects.create(
            organisation=procurement.organisation,
            procurement=procurement,
            evaluator=actor,
            has_conflict=has_conflict,
            details=details if has_conflict else "",
        )
        audit_record(
            actor=actor,
            organisation=procurement.organisation,
            action=AuditAction.PROCUREMENT_CONFLICT_DECLARED,
            target=procurement,
            after={"evaluator": str(actor), "has_conflict": has_conflict, "details": declaration.details},
        )
    return declaration


# --- Independent scores --------------------------------------------------------------------------------


def scoring_problem(*, member: Member, bid: Bid) -> str:
    """Why the member may not score this bid at all, in words; empty if they may."""
    procurement = bid.procurement
    if procurement.organisation_id != member.organisation.pk or bid.state != BidState.SUBMITTED:
        return "There is no such bid."
    if not selectors.tenders_opened(procurement):
        return "Bids are sealed until the tender deadline."
    declaration = selectors_evaluation.declaration_get(procurement=procurement, user=member.user)
    if declaration is None:
        return "Declare any conflict of interest before you see a bid."
    if declaration.has_conflict:
        return "You declared a conflict of interest for this procurement, so you may not score its bids."
    if not selectors.may_open_bids(member=member, procurement=procurement):
        return "You may not open this procurement’s bids."
    return ""


def scores_record(
    *, actor: User | None, member: Member, bid: Bid, scores: Mapping[int, tuple[Decimal | None, str]]
) -> list[Score]:
    """Record (or change) the member's own scores of `bid`: criterion pk → (score, justification).
    Every problem is reported at once, by field (`eval_score_<pk>`, `eval_justification_<pk>`)."""
    permission_require(member, Permission.EVALUATE)
    if actor is None:
        raise ApplicationError("Only a person scores tenders.")
    problem = scoring_problem(member=member, bid=bid)
    if problem:
        raise ApplicationError(problem)
    _require_not_awarded(bid)
    mine = {c.pk: c for c in selectors_evaluation.my_criteria(member=member, procurement=bid.procurement)}
    moderated = selectors_evaluation.moderated_criteria_ids(bid)
    problems: dict[str, str] = {}
    clean: list[tuple[Criterion, Decimal, str]] = []
    for criterion_pk, (value, justification) in scores.items():
        criterion = mine.get(criterion_pk)
        if criterion is None:
            raise ApplicationError("You are not assigned to score this criterion.")
        if criterion.pk in moderated:
            problems[f"eval_score_{criterion.pk}"] = (
                f"{criterion.code} has been moderated: your score can no longer change"
            )
            continue
        try:
            level = _scale_level(criterion, value, f"eval_score_{criterion.pk}")
        except ApplicationError as error:
            problems.update(error.field_errors)
            level = None
        if not justification.strip():
            problems[f"eval_justification_{criterion.pk}"] = f"Give the reasons for your score for {criterion.code}"
        if level is not None and justification.strip():
            clean.append((criterion, level, justification.strip()))
    if problems:
        raise ApplicationError("The scores could not be saved: " + "; ".join(problems.values()), field_errors=problems)
    saved = []
    with transaction.atomic():
        changes: dict[str, Any] = {}
        before: dict[str, Any] = {}
        for criterion, level, justification in clean:
            score = Score.objects.select_for_update().filter(bid=bid, criterion=criterion, evaluator=actor).first()
            if score is not None and score.score == level and score.justification == justification:
                saved.append(score)
                continue
            if score is None:
                score = Score(organisation=bid.organisation, bid=bid, criterion=criterion, evaluator=actor)
            else:
                before[criterion.code] = snapshot(score, ["score", "justification"])
            score.score = level
            score.justification = justification
            score.save()
            saved.append(score)
            changes[criterion.code] = snapshot(score, ["score", "justification"])
        if changes:
            audit_record(
                actor=actor,
                organisation=bid.organisation,
                action=AuditAction.BID_SCORED,
                target=bid,
                trail=bid.procurement,
                before=before,
                after=changes,
            )
    return saved


# --- Moderation ------------------------------------------------------------------------------------------


def moderation_problem(*, member: Member, bid: Bid) -> str:
    return scoring_problem(member=member, bid=bid).replace("score its bids", "moderate its scores")


def moderation_record(
    *, actor: User | None, member: Member, bid: Bid, criterion: Criterion, score: Decimal | None, rationale: str
) -> ModeratedScore:
    """The consensus score of `bid` on `criterion`, once every assigned, non-conflicted evaluator has
    scored it; a revision keeps the earlier score and rationale in the audit log."""
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    if actor is None:
        raise ApplicationError("Only a person moderates scores.")
    problem = moderation_problem(member=member, bid=bid)
    if problem:
        raise ApplicationError(problem)
    _require_not_awarded(bid)
    if criterion.procurement_id != bid.procurement_id or criterion.kind == CriterionKind.PRICE:
        raise ApplicationError("Moderate this procurement’s quality and social value criteria only.")
    sheet = selectors_evaluation.moderation_sheet(bid=bid, criterion=criterion)
    if not sheet.scores and not sheet.missing:
        raise ApplicationError(f"No one is assigned to score {criterion.code}: assign evaluators first.")
    if sheet.missing:
        names = ", ".join(str(person) for person in sheet.missing)
        raise StateConflict(
            f"{criterion.code} cannot be moderated until every evaluator has scored it. Waiting for: {names}."
        )
    problems: dict[str, str] = {}
    level = None
    try:
        level = _scale_level(criterion, score, "eval_consensus")
    except ApplicationError as error:
        problems.update(error.field_errors)
    if not rationale.strip():
        problems["eval_rationale"] = f"Give the rationale for the consensus score for {criterion.code}"
    if problems or level is None:
        raise ApplicationError("The consensus score could not be saved.", field_errors=problems)
    with transaction.atomic():
        moderated = ModeratedScore.objects.select_for_update().filter(bid=bid, criterion=criterion).first()
        before = snapshot(moderated, ["score", "rationale", "moderated_by"]) if moderated else {}
        if moderated is None:
            moderated = ModeratedScore(organisation=bid.organisation, bid=bid, criterion=criterion)
        moderated.score = level
        moderated.rationale = rationale.strip()
        moderated.moderated_by = actor
        moderated.save()
        audit_record(
            actor=actor,
            organisation=bid.organisation,
            action=AuditAction.BID_MODERATED if not before else AuditAction.BID_MODERATION_REVISED,
            target=bid,
            trail=bid.procurement,
            before={"criterion": criterion.code, **before} if before else {},
            after={"criterion": criterion.code, **snapshot(moderated, ["score", "rationale", "moderated_by"])},
        )
    return moderated


# --- Flags ---------------------------------------------------------------------------------------------


def flags_refresh(*, actor: User | None, member: Member, procurement: Procurement) -> list[Flag]:
    """Record the flags the rules raise on the procurement's submitted bids, once the tender deadline has
    passed, in a transaction of its own. Idempotent: a flag already recorded (per bid, kind and
    commitment) is left as it is, with its decision. Returns the flags newly recorded."""
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    _own_procurement(member, procurement)
    with transaction.atomic():
        created: list[Flag] = []
        for bid, finding in selectors_evaluation.flag_findings_unrecorded(member=member, procurement=procurement):
            flag = Flag.objects.create(
                organisation=procurement.organisation,
                bid=bid,
                kind=finding.kind,
                commitment_id=finding.commitment_id,
                detail=finding.detail,
            )
            audit_record(
                actor=actor,
                organisation=procurement.organisation,
                action=AuditAction.BID_FLAGGED,
                target=bid,
                trail=procurement,
                after={"kind": finding.kind, "detail": finding.detail},
            )
            created.append(flag)
    return created


def flag_decide(*, actor: User | None, member: Member, flag: Flag, decision: str, reason: str) -> Flag:
    """Record (or revise, before the award) the decision on a flag, with its reason."""
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    bid = flag.bid
    _own_procurement(member, bid.procurement)
    if not selectors.may_open_bids(member=member, procurement=bid.procurement):
        raise ApplicationError("Declare that you have no conflict of interest before you decide on a flag.")
    _require_not_awarded(bid)
    problems: dict[str, str] = {}
    allowed = {FlagDecision.ACCEPTED, FlagDecision.TENDER_EXCLUDED}
    if flag.kind == FlagKind.RESTATES_CORE_DELIVERABLE:
        allowed.add(FlagDecision.COMMITMENT_NOT_COUNTED)
    if decision not in allowed:
        problems["eval_decision"] = "Choose one of the decisions listed"
    if not reason.strip():
        problems["eval_reason"] = "Give the reason for the decision"
    if problems:
        raise ApplicationError("The decision could not be recorded.", field_errors=problems)
    with transaction.atomic():
        before = snapshot(flag, ["decision", "decision_reason", "decided_by"])
        flag.decision = decision
        flag.decision_reason = reason.strip()
        flag.decided_by = actor
        flag.decided_at = timezone.now()
        flag.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at", "updated_at"])
        audit_record(
            actor=actor,
            organisation=flag.organisation,
            action=AuditAction.BID_FLAG_DECIDED,
            target=bid,
            trail=bid.procurement,
            before={"kind": flag.kind, **before},
            after={"kind": flag.kind, **snapshot(flag, ["decision", "decision_reason", "decided_by"])},
        )
    return flag
