"""Writes for pledges: a supplier pledges to a published need against a commitment of one of its agreements
(`PLEDGE`), says when it is delivered, and the organisation that posted the need confirms what it received
(`POST_NEEDS`). Confirmation makes the pledge a claimed line on the supplier's return for the commitment, with
the pledge's reference as evidence, for the contract manager to verify; the count-once rule refuses the same
pledge anywhere else (commonweal/delivery/services_returns.py)."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.delivery.models import Commitment, CommitmentState
from commonweal.delivery.services_returns import confirmed_claim_add
from commonweal.tenancy.permissions import Permission, PermissionRefused, permission_require
from commonweal.tenancy.selectors import Member

from .models import QUANTITY_PLACES, Need, NeedState, Pledge, PledgeState
from .rules import need_state_after_pledges
from .selectors_needs import pledgeable_host_filter

PLEDGE_FIELDS = ["state", "quantity", "delivered_on", "received_quantity", "received_on", "feedback"]
MAX_QUANTITY = Decimal("1e12")


def _person(actor: User | None, doing: str) -> User:
    if actor is None:
        raise ApplicationError(f"Only a person {doing}.")
    return actor


def _quantity_error(value: Decimal | None, *, blank: str) -> str | None:
    if value is None:
        return blank
    if not value.is_finite():
        return "Enter the quantity as a number"
    if value <= 0:
        return "The quantity must be more than 0"
    if value >= MAX_QUANTITY:
        return "Enter a smaller quantity"
    if value != value.quantize(QUANTITY_PLACES):
        return "Enter the quantity with no more than 2 decimal places"
    return None


def _need_state_refresh(*, actor: User | None, need: Need) -> None:
    pledges = list(need.pledges.values_list("state", "quantity"))
    state = need_state_after_pledges(state=need.state, quantity=need.quantity, pledges=pledges)
    if state == need.state:
        return
    before = snapshot(need, ["state"])
    need.state = state
    if state == NeedState.CONFIRMED:
        need.confirmed_at = timezone.now()
    need.save(update_fields=["state", "confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        organisation=need.organisation,
        action=AuditAction.NEED_STATE_CHANGED,
        target=need,
        before=before,
        after=snapshot(need, ["state"]),
    )


@transaction.atomic
def pledge_make(
    *,
    actor: User | None,
    member: Member,
    need: Need,
    commitment: Commitment | None,
    quantity: Decimal | None,
    note: str = "",
) -> Pledge:
    """Pledge all or part of what is left of a published need, counted against `commitment` (an active
    commitment of one of the member's organisation's agreements). Nothing beyond what is left."""
    permission_require(member, Permission.PLEDGE)
    person = _person(actor, "pledges to a need")
    # Lock the need: two pledges at once cannot together pass what is left.
    need = Need.objects.select_for_update().get(pk=need.pk)
    if not Need.objects.filter(pledgeable_host_filter(member.organisation), pk=need.pk).exists():
        raise PermissionRefused("A supplier pledges to the wish lists of its buyers and their networks.")
    if need.state not in (NeedState.PUBLISHED, NeedState.PLEDGED):
        raise ApplicationError(f"This need is {need.get_state_display().lower()}: it takes no pledges.")
    if need.expires_on < timezone.localdate():
        raise ApplicationError("This need has expired: it takes no pledges.")
    errors: dict[str, str] = {}
    if commitment is None or commitment.agreement.supplier_id != member.organisation.pk:
        errors["commitment"] = "Choose the commitment of one of your agreements that the pledge counts against"
    elif commitment.state != CommitmentState.ACTIVE:
        errors["commitment"] = "This commitment has been replaced by a substitution: choose another"
    if message := _quantity_error(quantity, blank=f"Enter how much you pledge, in {need.unit}"):
        errors["quantity"] = message
    if errors:
        raise ApplicationError("There is a problem with the pledge.", field_errors=errors)
    assert quantity is not None and commitment is not None
    left = need.remaining_quantity()
    if quantity > left:
        message = (
            f"You can pledge at most {left.normalize():f} {need.unit}: that is what is left of this need"
            if left > 0
            else "Nothing is left of this need to pledge"
        )
        raise ApplicationError("There is a problem with the pledge.", field_errors={"quantity": message})
    pledge = Pledge.objects.create(
        organisation=member.organisation,
        need=need,
        commitment=commitment,
        quantity=quantity.quantize(QUANTITY_PLACES),
        note=note.strip(),
        pledged_by=person,
    )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.PLEDGE_MADE,
        target=pledge,
        trail=need,
        after={
            **snapshot(pledge, ["quantity", "note"]),
            "need": need.reference,
            "commitment": f"{commitment.agreement.reference}: {commitment.measure.title}",
        },
    )
    _need_state_refresh(actor=actor, need=need)
    return pledge


def _own_pledge_require(member: Member, pledge: Pledge) -> None:
    if pledge.organisation_id != member.organisation.pk:
        raise PermissionRefused("Only the supplier that pledged changes its pledge.")


@transaction.atomic
def pledge_deliver(*, actor: User | None, member: Member, pledge: Pledge, delivered_on: date | None) -> Pledge:
    """The supplier says the pledge is delivered; the recipient is asked to confirm it."""
    permission_require(member, Permission.PLEDGE)
    person = _person(actor, "says a pledge is delivered")
    pledge = Pledge.objects.select_for_update().select_related("need").get(pk=pledge.pk)
    _own_pledge_require(member, pledge)
    if pledge.state != PledgeState.PLEDGED:
        raise ApplicationError(f"This pledge is {pledge.get_state_display().lower()}: it cannot be delivered again.")
    if delivered_on is None:
        raise ApplicationError("Enter the date.", field_errors={"delivered_on": "Enter the date it was delivered"})
    if delivered_on > timezone.localdate():
        raise ApplicationError(
            "The date is in the future.", field_errors={"delivered_on": "The date must be today or in the past"}
        )
    if delivered_on < pledge.created_at.date():
        raise ApplicationError(
            "The date is before the pledge.",
            field_errors={"delivered_on": "The date must be on or after the day of the pledge"},
        )
    before = snapshot(pledge, PLEDGE_FIELDS)
    pledge.state = PledgeState.DELIVERED
    pledge.delivered_on = delivered_on
    pledge.delivered_by = person
    pledge.save()
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.PLEDGE_DELIVERED,
        target=pledge,
        trail=pledge.need,
        before=before,
        after=snapshot(pledge, PLEDGE_FIELDS),
    )
    _need_state_refresh(actor=actor, need=pledge.need)
    return pledge


@transaction.atomic
def pledge_confirm(
    *,
    actor: User | None,
    member: Member,
    pledge: Pledge,
    received_quantity: Decimal | None,
    received_on: date | None,
    feedback: str,
) -> Pledge:
    """The organisation that posted the need confirms what it received, when, with a word of feedback. The
    confirmed quantity becomes a claimed line on the supplier's return for the pledge's commitment."""
    permission_require(member, Permission.POST_NEEDS)
    _person(actor, "confirms a pledge")
    pledge = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("need", "commitment__agreement", "delivered_by", "pledged_by")
        .get(pk=pledge.pk)
    )
    if pledge.need.organisation_id != member.organisation.pk:
        raise PermissionRefused("Only the organisation that posted the need confirms what it received.")
    if pledge.state == PledgeState.CONFIRMED:
        raise ApplicationError(f"Pledge {pledge.reference} is confirmed already: it counts once.")
    if pledge.state != PledgeState.DELIVERED:
        raise ApplicationError("The supplier has not said this pledge is delivered yet.")
    errors: dict[str, str] = {}
    if message := _quantity_error(received_quantity, blank=f"Enter how much you received, in {pledge.need.unit}"):
        errors["received_quantity"] = message
    elif received_quantity is not None and received_quantity > pledge.quantity:
        errors["received_quantity"] = (
            f"Enter no more than was pledged ({pledge.quantity.normalize():f} {pledge.need.unit})"
        )
    if received_on is None:
        errors["received_on"] = "Enter the date you received it"
    elif received_on > timezone.localdate():
        errors["received_on"] = "The date must be today or in the past"
    if len(feedback.strip()) > 2000:
        errors["feedback"] = "Enter feedback of 2,000 characters or fewer"
    if errors:
        raise ApplicationError("There is a problem with the confirmation.", field_errors=errors)
    assert received_quantity is not None and received_on is not None
    before = snapshot(pledge, PLEDGE_FIELDS)
    pledge.state = PledgeState.CONFIRMED
    pledge.received_quantity = received_quantity.quantize(QUANTITY_PLACES)
    pledge.received_on = received_on
    pledge.feedback = feedback.strip()
    pledge.confirmed_by = actor
    pledge.confirmed_at = timezone.now()
    pledge.line = confirmed_claim_add(
        actor=actor,
        member=member,
        commitment=pledge.commitment,
        quantity=pledge.received_quantity,
        evidence_reference=pledge.reference,
        note=f"Pledge to the need “{pledge.need.title}” ({pledge.need.reference}), confirmed by "
        f"{member.organisation.name}.",
        on=received_on,
        reported_by=pledge.delivered_by or pledge.pledged_by,
    )
    pledge.save()
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.PLEDGE_CONFIRMED,
        target=pledge,
        trail=pledge.need,
        before=before,
        after={**snapshot(pledge, PLEDGE_FIELDS), "claimed_on": pledge.commitment.agreement.reference},
    )
    _need_state_refresh(actor=actor, need=pledge.need)
    return pledge


@transaction.atomic
def pledge_withdraw(*, actor: User | None, member: Member, pledge: Pledge, reason: str) -> Pledge:
    """The supplier withdraws a pledge it has not delivered; what it pledged is open to others again."""
    permission_require(member, Permission.PLEDGE)
    pledge = Pledge.objects.select_for_update().select_related("need").get(pk=pledge.pk)
    _own_pledge_require(member, pledge)
    if pledge.state != PledgeState.PLEDGED:
        raise ApplicationError(f"This pledge is {pledge.get_state_display().lower()}: it cannot be withdrawn.")
    if not reason.strip():
        raise ApplicationError("Say why.", field_errors={"reason": "Enter why you withdraw the pledge"})
    before = snapshot(pledge, PLEDGE_FIELDS)
    pledge.state = PledgeState.WITHDRAWN
    pledge.note = (pledge.note + "\n" if pledge.note else "") + f"Withdrawn: {reason.strip()}"
    pledge.save()
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.PLEDGE_WITHDRAWN,
        target=pledge,
        trail=pledge.need,
        before=before,
        after={**snapshot(pledge, PLEDGE_FIELDS), "reason": reason.strip()},
    )
    need = Need.objects.select_for_update().get(pk=pledge.need_id)
    _need_state_refresh(actor=actor, need=need)
    return pledge
