"""Awarding a lot to the most advantageous tender: the award, the contract (a delivery agreement) and
the winning bid's commitments as the contract's commitments, in one audited transaction.

Before that transaction the flags the rules raise are recorded, in a transaction of their own: an award
is refused while any flag awaits a decision, and a refused award rolls back everything it wrote, so
flags recorded inside it would be lost with the refusal. Recorded first, they stay for the decision.
"""

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError, StateConflict
from commonweal.core.models import AuditAction
from commonweal.delivery.models import Agreement, AgreementKind, Commitment, CommitmentSource
from commonweal.delivery.services_agreements import (
    agreement_create,
    commitment_errors,
    commitment_insert,
    commitment_snapshot,
)
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import Award, Bid, BidState, Lot, Procurement, ProcurementState
from .selectors_award import (
    RETURN_FREQUENCY_FROM_REPORTING,
    LotAward,
    agreement_reference,
    agreement_title,
    contract_dates,
    lot_award,
)
from .services_evaluation import flags_refresh

AWARD_FIELDS = ["lot", "bid", "supplier", "value", "agreement", "reason", "awarded_at"]


def _sentences(problems: list[str]) -> str:
    return " ".join(f"{problem}." for problem in problems)


def lot_award_make(
    *,
    actor: User | None,
    member: Member,
    procurement: Procurement,
    lot: Lot,
    bid: Bid | None = None,
    reason: str = "",
) -> Award:
    """Award `lot` to its most advantageous tender and create the contract for it.

    Refused, with every reason at once, while moderation is incomplete, a flag awaits a decision or the
    ranking has no winner. When the published rules leave a tie for first, `bid` must be one of the tied
    tenders and `reason` must say why it was chosen; otherwise `bid`, if given, must be the winner.

    The flags the rules raise are recorded first and kept whatever the outcome (see the module docs), so
    a flag nobody had looked at refuses the award and then waits on the flags page for its decision."""
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    if member.organisation.pk != procurement.organisation_id:
        raise Http404("No such procurement.")
    flags_refresh(actor=actor, member=member, procurement=procurement)
    return _lot_award_make(actor=actor, member=member, procurement=procurement, lot=lot, bid=bid, reason=reason)


def _chosen_bid(entry: LotAward, bid: Bid | None, reason: str) -> Bid:
    """The tender the award goes to: the winner, or one of the tied tenders with a reason; refused
    with every reason at once otherwise."""
    problems = list(entry.problems)
    field_errors: dict[str, str] = {}
    chosen = entry.winner
    if entry.winner is None and entry.tied:
        tied_ids = {tied.pk for tied in entry.tied}
        if bid is None or bid.pk not in tied_ids:
            field_errors["bid"] = "Choose one of the tied tenders"
        else:
            chosen = bid
        if not reason:
            field_errors["reason"] = "Give the reason for choosing this tender from those tied for first place"
    elif bid is not None and entry.winner is not None and bid.pk != entry.winner.pk:
        field_errors["bid"] = "The award goes to the most advantageous tender under the published methodology"
    problems.extend(field_errors.values())
    if problems or chosen is None:
        # A choice the caller got wrong is refused input; otherwise the evaluation is not ready (a conflict).
        refusal = ApplicationError if field_errors else StateConflict
        raise refusal(_sentences(problems or ["No tender can be awarded"]), field_errors=field_errors)
    return chosen


def _award_reason(entry: LotAward, reason: str) -> str:
    result = entry.result
    if not reason and result is not None:
        total = next((row.total for row in result.bids if row.bidder == result.winner), None)
        return f"The most advantageous tender under the published methodology: ranked first with {total} points."
    return reason


def _contract_create(*, actor: User | None, procurement: Procurement, lot: Lot, chosen: Bid) -> Agreement:
    dates = contract_dates(procurement)
    assert dates is not None  # lot_award refuses a procurement without a standstill end
    start, end = dates
    assert chosen.price is not None
    try:
        # The award makes the contract with the buyer's authority: awarding needs PLAN_PROCUREMENTS, which
        # procurement officers hold, and they need not manage contracts too.
        return agreement_create(
            actor=actor,
            member=Member.system(procurement.organisation),
            supplier=chosen.supplier,
            reference=agreement_reference(procurement, lot),
            title=agreement_title(procurement, lot),
            value=chosen.price,
            start_date=start,
            end_date=end,
            framework_version=procurement.framework_version,
            kind=AgreementKind.CONTRACT,
            value_set=procurement.value_set,
            return_frequency=RETURN_FREQUENCY_FROM_REPORTING[procurement.reporting_frequency],
        )
    except ApplicationError as error:
        raise ApplicationError(f"The contract could not be created: {error.message}") from error


def _commitments_carry(*, actor: User | None, entry: LotAward, agreement: Agreement) -> list[Commitment]:
    """The winning tender's counted commitments as the contract's; refused, every problem named, if any
    cannot be. A light-touch bid is qualitative: its contract starts without commitments."""
    problems: list[str] = []
    created: list[Commitment] = []
    for offered in entry.commitments:
        errors = commitment_errors(
            agreement=agreement,
            measure=offered.measure,
            target_quantity=offered.quantity,
            due_date=offered.due_date,
            place_code=offered.place_code,
            beneficiary_group=offered.beneficiary_group,
            milestones=(),
        )
        if errors:
            problems.append(f"The commitment to {offered.measure.title}: {'; '.join(errors.values())}")
            continue
        commitment = commitment_insert(
            agreement=agreement,
            measure=offered.measure,
            target_quantity=offered.quantity,
            due_date=offered.due_date,
            place_code=offered.place_code,
            beneficiary_group=offered.beneficiary_group,
            source=CommitmentSource.AWARD,
        )
        audit_record(
            actor=actor,
            organisation=agreement.organisation,
            action=AuditAction.COMMITMENT_CREATED,
            target=commitment,
            trail=agreement,
            after=commitment_snapshot(commitment),
        )
        created.append(commitment)
    if problems:
        raise ApplicationError(
            "The winning tender’s commitments cannot become the contract’s as they are: " + _sentences(problems)
        )
    return created


@transaction.atomic
def _lot_award_make(
    *, actor: User | None, member: Member, procurement: Procurement, lot: Lot, bid: Bid | None, reason: str
) -> Award:
    # Lock the procurement so two officers cannot award the same lot at once.
    procurement = Procurement.objects.select_for_update().get(pk=procurement.pk)
    if lot.procurement_id != procurement.pk:
        raise ApplicationError("The lot is not part of this procurement.")
    entry = lot_award(member=member, procurement=procurement, lot=lot)
    if entry.award is not None:
        raise StateConflict(f"Lot {lot.number} has already been awarded to {entry.award.supplier}.")
    reason = reason.strip()
    chosen = _chosen_bid(entry, bid, reason)
    assert chosen.state == BidState.SUBMITTED and chosen.price is not None
    reason = _award_reason(entry, reason)
    agreement = _contract_create(actor=actor, procurement=procurement, lot=lot, chosen=chosen)
    created = _commitments_carry(actor=actor, entry=entry, agreement=agreement)

    now = timezone.now()
    award = Award.objects.create(
        organisation=procurement.organisation,
        procurement=procurement,
        lot=lot,
        bid=chosen,
        supplier=chosen.supplier,
        value=chosen.price,
        agreement=agreement,
        reason=reason,
        awarded_by=actor,
        awarded_at=now,
    )
    after: dict[str, Any] = snapshot(award, AWARD_FIELDS)
    after["commitments"] = len(created)
    if entry.winner is None:
        after["tie"] = "chosen from the tenders tied for first place"
    audit_record(
        actor=actor,
        organisation=procurement.organisation,
        action=AuditAction.PROCUREMENT_AWARD_MADE,
        target=award,
        trail=procurement,
        after=after,
    )
    _procurement_close_when_awarded(actor=actor, procurement=procurement, now=now)
    return award


def _procurement_close_when_awarded(*, actor: User | None, procurement: Procurement, now: Any) -> None:
    """Once every lot with a tender is awarded, the procurement is awarded."""
    awarded_lots = set(
        Award.objects.filter(procurement=procurement, bid__isnull=False).values_list("lot_id", flat=True)
    )
    lots_with_bids = set(
        Bid.objects.filter(procurement=procurement, state=BidState.SUBMITTED).values_list("lot_id", flat=True)
    )
    if lots_with_bids <= awarded_lots:
        before = snapshot(procurement, ["state", "awarded_at"])
        procurement.state = ProcurementState.AWARDED
        procurement.awarded_at = now
        procurement.save(update_fields=["state", "awarded_at", "updated_at"])
        audit_record(
            actor=actor,
            organisation=procurement.organisation,
            action=AuditAction.PROCUREMENT_AWARDED,
            target=procurement,
            before=before,
            after=snapshot(procurement, ["state", "awarded_at"]),
        )
