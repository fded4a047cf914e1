"""Writes for needs on a wish list: posting and submitting (community organisations, `POST_NEEDS`), moderation,
introductions and closing (brokers of the host, `BROKER_NEEDS`), eligibility checked once per organisation,
the host's policy, offers (suppliers, `PLEDGE`), and expiry. Every change of state is audited."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.frameworks.models import Outcome
from commonweal.reporting.models import NeedKind, PanelNeed
from commonweal.tenancy.models import Organisation, OrganisationKind
from commonweal.tenancy.permissions import Permission, PermissionRefused, permission_require
from commonweal.tenancy.selectors import Member

from .models import (
    DEFAULT_LIVE_NEEDS_LIMIT,
    QUANTITY_PLACES,
    Eligibility,
    EligibilityEvidence,
    Introduction,
    Need,
    NeedState,
    Offer,
    OfferState,
    WishListPolicy,
)
from .rules import place_find
from .selectors_needs import supplier_choice_list, supplier_host_choice_list

NEED_FIELDS = [
    "title",
    "description",
    "kind",
    "quantity",
    "unit",
    "estimate",
    "place_code",
    "beneficiary_group",
    "expires_on",
    "state",
    "state_reason",
]
HOST_KINDS = (OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK, OrganisationKind.COMMUNITY)
MAX_QUANTITY = Decimal("1e12")


def _person(actor: User | None, doing: str) -> User:
    if actor is None:
        raise ApplicationError(f"Only a person {doing}.")
    return actor


def _after(need: Need) -> dict[str, Any]:
    return {**snapshot(need, NEED_FIELDS), "outcomes": ", ".join(need.outcomes.values_list("code", flat=True))}


@dataclass(frozen=True)
class NeedInput:
    host: Organisation | None
    title: str
    description: str
    kind: str
    quantity: Decimal | None
    unit: str
    estimate: Decimal | None
    outcomes: Sequence[Outcome]
    place: str  # a name ("Altrincham, Trafford") or a GSS code
    beneficiary_group: str
    expires_on: date | None


def _quantity_error(value: Decimal, what: str) -> str | None:
    if not value.is_finite():
        return f"Enter the {what} as a number"
    if value <= 0 and what == "quantity":
        return "The quantity must be more than 0"
    if value < 0:
        return f"The {what} must be 0 or more"
    if value >= MAX_QUANTITY:
        return f"Enter a smaller {what}"
    if value != value.quantize(QUANTITY_PLACES):
        return f"Enter the {what} with no more than 2 decimal places"
    return None


def _amount_errors(data: NeedInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.quantity is None:
        errors["quantity"] = "Enter how much is needed, like 40"
    elif message := _quantity_error(data.quantity, "quantity"):
        errors["quantity"] = message
    if not data.unit.strip():
        errors["unit"] = "Enter what the quantity counts, like hours or laptops"
    elif len(data.unit.strip()) > 60:
        errors["unit"] = "Enter a unit of 60 characters or fewer"
    if data.estimate is not None and (message := _quantity_error(data.estimate, "estimate")):
        errors["estimate"] = message
    return errors


def _need_errors(data: NeedInput) -> tuple[dict[str, str], str]:
    errors: dict[str, str] = {}
    if data.host is None or data.host.kind not in HOST_KINDS:
        errors["host"] = "Choose the wish list to post the need to"
    if not data.title.strip():
        errors["title"] = "Enter a title for the need"
    elif len(data.title.strip()) > 200:
        errors["title"] = "Enter a title of 200 characters or fewer"
    if not data.description.strip():
        errors["description"] = "Describe what is needed and who it helps"
    if data.kind not in NeedKind.values:
        errors["kind"] = "Choose the kind of need"
    errors.update(_amount_errors(data))
    code, message = place_find(data.place)
    if message:
        errors["place"] = message
    if len(data.beneficiary_group.strip()) > 200:
        errors["beneficiary_group"] = "Enter who benefits in 200 characters or fewer"
    if data.expires_on is None:
        errors["expires_on"] = "Enter the date the need expires"
    elif data.expires_on <= timezone.localdate():
        errors["expires_on"] = "The date the need expires must be in the future"
    if data.host is not None:
        foreign = [o for o in data.outcomes if o.version.organisation_id != data.host.pk]
        if foreign:
            errors["outcomes"] = "Choose outcomes of the wish list's framework"
    return errors, code


def _editable_require(need: Need) -> None:
    if need.state not in (NeedState.DRAFT, NeedState.RETURNED):
        raise ApplicationError(
            f"This need is {need.get_state_display().lower()}: only a draft or a returned need can be changed."
        )


def _own_need_require(member: Member, need: Need) -> None:
    if need.organisation_id != member.organisation.pk:
        raise PermissionRefused("Only the organisation that posted a need changes it.")


def _host_require(member: Member, need: Need) -> None:
    if need.host_id != member.organisation.pk:
        raise PermissionRefused("Only the wish list's own brokers moderate its needs.")


@transaction.atomic
def need_save(*, actor: User | None, member: Member, data: NeedInput, need: Need | None = None) -> Need:
    """Save a need as a draft (a new one, or a draft or returned one changed). Nothing is stored unless
    every field is right."""
    permission_require(member, Permission.POST_NEEDS)
    person = _person(actor, "posts a need")
    if need is not None:
        need = Need.objects.select_for_update().get(pk=need.pk)
        _own_need_require(member, need)
        _editable_require(need)
    errors, code = _need_errors(data)
    if errors:
        raise ApplicationError("There is a problem with the need.", field_errors=errors)
    assert data.host is not None and data.quantity is not None and data.expires_on is not None
    values = {
        "host": data.host,
        "title": data.title.strip(),
        "description": data.description.strip(),
        "kind": data.kind,
        "quantity": data.quantity.quantize(QUANTITY_PLACES),
        "unit": data.unit.strip(),
        "estimate": data.estimate.quantize(QUANTITY_PLACES) if data.estimate is not None else None,
        "place_code": code,
        "beneficiary_group": data.beneficiary_group.strip(),
        "expires_on": data.expires_on,
    }
    before: dict[str, Any] = {}
    if need is None:
        need = Need.objects.create(organisation=member.organisation, created_by=person, **values)
    else:
        before = _after(need)
        for name, value in values.items():
            setattr(need, name, value)
        if need.state == NeedState.RETURNED:
            need.state = NeedState.DRAFT
        need.save()
    need.outcomes.set(data.outcomes)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.NEED_SAVED,
        target=need,
        before=before,
        after=_after(need),
    )
    return need


def live_needs_limit(host: Organisation) -> int:
    policy = WishListPolicy.objects.filter(organisation=host).first()
    return policy.live_needs_limit if policy is not None else DEFAULT_LIVE_NEEDS_LIMIT


@transaction.atomic
def eligibility_give(*, actor: User | None, member: Member, evidence_kind: str, evidence_reference: str) -> Eligibility:
    """The community organisation says how it is eligible; a broker checks it once, before its first need
    is approved. Evidence already checked is not changed."""
    permission_require(member, Permission.POST_NEEDS)
    errors = {}
    if evidence_kind not in EligibilityEvidence.values:
        errors["evidence_kind"] = "Choose the evidence that your organisation may post needs"
    if not evidence_reference.strip():
        errors["evidence_reference"] = "Enter the number, or say where the document or letter can be seen"
    elif len(evidence_reference.strip()) > 200:
        errors["evidence_reference"] = "Enter 200 characters or fewer"
    if errors:
        raise ApplicationError("There is a problem with the evidence.", field_errors=errors)
    # Lock the organisation's row: two saves at once make one record.
    Organisation.objects.select_for_update().filter(pk=member.organisation.pk).get()
    eligibility = Eligibility.objects.filter(organisation=member.organisation).first()
    if eligibility is not None and eligibility.is_checked:
        raise ApplicationError("Your eligibility has been checked already: nothing needs to change.")
    before = snapshot(eligibility, ["evidence_kind", "evidence_reference"]) if eligibility else {}
    if eligibility is None:
        eligibility = Eligibility(organisation=member.organisation)
    eligibility.evidence_kind = evidence_kind
    eligibility.evidence_reference = evidence_reference.strip()
    eligibility.save()
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.NEED_ELIGIBILITY_GIVEN,
        target=eligibility,
        before=before,
        after={**snapshot(eligibility, ["evidence_kind", "evidence_reference"]), "checked": False},
    )
    return eligibility


@transaction.atomic
def need_submit(*, actor: User | None, member: Member, need: Need) -> Need:
    """Send a draft to the wish list's brokers, within the host's limit of live needs per organisation."""
    permission_require(member, Permission.POST_NEEDS)
    _person(actor, "submits a need")
    # Lock the organisation: two submissions at once cannot both slip under the limit.
    Organisation.objects.select_for_update().filter(pk=member.organisation.pk).get()
    need = Need.objects.select_for_update().get(pk=need.pk)
    _own_need_require(member, need)
    if need.state != NeedState.DRAFT:
        raise ApplicationError(f"This need is {need.get_state_display().lower()}: only a draft can be submitted.")
    if not Eligibility.objects.filter(organisation=member.organisation).exists():
        raise ApplicationError(
            "Tell us how your organisation is eligible before you submit a need.",
            field_errors={"eligibility": "Give your constitution, charity or company number, or a letter"},
        )
    if need.expires_on <= timezone.localdate():
        raise ApplicationError("The need has expired: change its expiry date, then submit it.")
    limit = live_needs_limit(need.host)
    live = Need.objects.live().filter(organisation=member.organisation, host=need.host).count()
    if live >= limit:
        raise ApplicationError(
            f"Your organisation already has {live} live need{'s' if live != 1 else ''} on {need.host.name}'s wish "
            f"list, the most it allows ({limit}): withdraw one, or wait for one to be met, first."
        )
    return _state_set(actor=actor, need=need, state=NeedState.SUBMITTED, action=AuditAction.NEED_SUBMITTED)


def _state_set(
    *, actor: User | None, need: Need, state: str, action: AuditAction, reason: str = "", by: Organisation | None = None
) -> Need:
    before = snapshot(need, ["state", "state_reason"])
    need.state = state
    need.state_reason = reason
    now = timezone.now()
    if state == NeedState.SUBMITTED:
        need.submitted_at = now
    if state == NeedState.PUBLISHED and need.published_at is None:
        need.published_at = now
    need.save()
    audit_record(
        actor=actor,
        organisation=by or need.organisation,
        action=action,
        target=need,
        before=before,
        after=snapshot(need, ["state", "state_reason"]),
    )
    return need


@dataclass(frozen=True)
class Decision:
    decision: str  # "approve", "return", "publish"
    reason: str = ""
    eligibility_checked: bool = False


@transaction.atomic
def need_moderate(*, actor: User | None, member: Member, need: Need, decision: Decision) -> Need:
    """The host's broker approves a submitted need (checking the organisation's eligibility the first time),
    returns it with a reason, or publishes an approved one."""
    permission_require(member, Permission.BROKER_NEEDS)
    person = _person(actor, "moderates a need")
    need = Need.objects.select_for_update().select_related("organisation", "host").get(pk=need.pk)
    _host_require(member, need)
    if decision.decision == "approve":
        if need.state != NeedState.SUBMITTED:
            raise ApplicationError(
                f"This need is {need.get_state_display().lower()}: only a submitted need is approved."
            )
        eligibility = Eligibility.objects.select_for_update().filter(organisation=need.organisation).first()
        if eligibility is None:
            raise ApplicationError(f"{need.organisation.name} has given no evidence of eligibility: return the need.")
        if not eligibility.is_checked:
            if not decision.eligibility_checked:
                raise ApplicationError(
                    "Check the organisation's eligibility evidence before approving its first need.",
                    field_errors={"eligibility_checked": "Confirm you have checked the eligibility evidence"},
                )
            eligibility.checked_by = person
            eligibility.checked_by_organisation = member.organisation
            eligibility.checked_at = timezone.now()
            eligibility.save()
            audit_record(
                actor=actor,
                organisation=member.organisation,
                action=AuditAction.NEED_ELIGIBILITY_CHECKED,
                target=eligibility,
                after={**snapshot(eligibility, ["evidence_kind", "evidence_reference"]), "checked": True},
            )
        return _state_set(
            actor=actor, need=need, state=NeedState.APPROVED, action=AuditAction.NEED_APPROVED, by=member.organisation
        )
    if decision.decision == "return":
        if need.state not in (NeedState.SUBMITTED, NeedState.APPROVED):
            raise ApplicationError(f"This need is {need.get_state_display().lower()}: it cannot be returned.")
        if not decision.reason.strip():
            raise ApplicationError(
                "Say why the need is returned.", field_errors={"reason": "Enter the reason for returning the need"}
            )
        return _state_set(
            actor=actor,
            need=need,
            state=NeedState.RETURNED,
            action=AuditAction.NEED_RETURNED,
            reason=decision.reason.strip(),
            by=member.organisation,
        )
    if decision.decision == "publish":
        if need.state != NeedState.APPROVED:
            raise ApplicationError(
                f"This need is {need.get_state_display().lower()}: only an approved need is published."
            )
        if need.expires_on <= timezone.localdate():
            raise ApplicationError("The need has expired and cannot be published.")
        return _state_set(
            actor=actor, need=need, state=NeedState.PUBLISHED, action=AuditAction.NEED_PUBLISHED, by=member.organisation
        )
    raise ApplicationError("Choose a decision.", field_errors={"decision": "Choose approve, return or publish"})


@transaction.atomic
def need_withdraw(*, actor: User | None, member: Member, need: Need, reason: str) -> Need:
    """The organisation withdraws its need, at any time before anything is pledged to it."""
    permission_require(member, Permission.POST_NEEDS)
    need = Need.objects.select_for_update().get(pk=need.pk)
    _own_need_require(member, need)
    if need.state in (NeedState.WITHDRAWN, NeedState.EXPIRED, NeedState.CONFIRMED):
        raise ApplicationError(f"This need is {need.get_state_display().lower()} already.")
    if need.pledged_quantity() > 0:
        raise ApplicationError("Suppliers have pledged to this need: ask the broker to close it instead.")
    return _state_set(
        actor=actor, need=need, state=NeedState.WITHDRAWN, action=AuditAction.NEED_WITHDRAWN, reason=reason.strip()
    )


@transaction.atomic
def need_close(*, actor: User | None, member: Member, need: Need, reason: str) -> Need:
    """The host's broker closes a stale need (expired): what is pledged already stays pledged."""
    permission_require(member, Permission.BROKER_NEEDS)
    need = Need.objects.select_for_update().get(pk=need.pk)
    _host_require(member, need)
    if need.state in (NeedState.WITHDRAWN, NeedState.EXPIRED, NeedState.CONFIRMED, NeedState.DRAFT):
        raise ApplicationError(f"This need is {need.get_state_display().lower()}: it cannot be closed.")
    if not reason.strip():
        raise ApplicationError("Say why the need is closed.", field_errors={"reason": "Enter why the need is closed"})
    return _state_set(
        actor=actor,
        need=need,
        state=NeedState.EXPIRED,
        action=AuditAction.NEED_EXPIRED,
        reason=reason.strip(),
        by=member.organisation,
    )


@transaction.atomic
def needs_expire(*, member: Member, today: date) -> list[Need]:
    """Close the host's needs whose expiry date has passed with nothing pledged (the command line and tasks,
    as `Member.system(host)`); running it again changes nothing."""
    permission_require(member, Permission.BROKER_NEEDS)
    closed = []
    stale = Need.objects.select_for_update().filter(
        host=member.organisation,
        expires_on__lt=today,
        state__in=[NeedState.SUBMITTED, NeedState.APPROVED, NeedState.PUBLISHED, NeedState.DRAFT],
    )
    for need in stale:
        closed.append(
            _state_set(
                actor=None,
                need=need,
                state=NeedState.EXPIRED,
                action=AuditAction.NEED_EXPIRED,
                reason=f"Expired on {need.expires_on:%-d %B %Y}.",
                by=member.organisation,
            )
        )
    return closed


@transaction.atomic
def need_introduce(
    *, actor: User | None, member: Member, need: Need, supplier: Organisation | None, note: str
) -> Introduction:
    """The host's broker introduces a supplier to the organisation behind a published need."""
    permission_require(member, Permission.BROKER_NEEDS)
    person = _person(actor, "introduces a supplier")
    _host_require(member, need)
    if need.state not in (NeedState.PUBLISHED, NeedState.PLEDGED):
        raise ApplicationError("Only a published need that still takes pledges can be introduced.")
    if supplier is None or not supplier_choice_list(member=member).filter(pk=supplier.pk).exists():
        raise ApplicationError("Choose a supplier.", field_errors={"supplier": "Choose the supplier to introduce"})
    if Introduction.objects.filter(need=need, supplier=supplier).exists():
        raise ApplicationError(
            f"{supplier.name} has been introduced to this need already.",
            field_errors={"supplier": "This supplier has been introduced already"},
        )
    introduction = Introduction.objects.create(
        organisation=member.organisation, need=need, supplier=supplier, note=note.strip(), introduced_by=person
    )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.NEED_INTRODUCED,
        target=introduction,
        trail=need,
        after={"supplier": supplier.name, "note": introduction.note},
    )
    return introduction


@transaction.atomic
def need_from_panel(*, actor: User | None, member: Member, panel_need: PanelNeed, data: NeedInput) -> Need:
    """A need raised at a panel, posted by the organisation that raised it: the wish-list need links back to
    the panel need so the panel can see what became of it."""
    if panel_need.raised_by_id != member.organisation.pk:
        raise PermissionRefused("Only the organisation that raised a panel need posts it to a wish list.")
    need = need_save(actor=actor, member=member, data=data)
    need.panel_need = panel_need
    need.save(update_fields=["panel_need", "updated_at"])
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.NEED_SAVED,
        target=need,
        after={"panel_need": f"{panel_need.meeting.panel.name}: {panel_need.description[:80]}"},
    )
    return need


@transaction.atomic
def policy_set(*, actor: User | None, member: Member, live_needs_limit: int | None) -> WishListPolicy:
    """The host's broker sets how many live needs one organisation may have on its wish list."""
    permission_require(member, Permission.BROKER_NEEDS)
    if live_needs_limit is None or not 1 <= live_needs_limit <= 50:
        raise ApplicationError(
            "Enter a limit from 1 to 50.", field_errors={"live_needs_limit": "Enter a whole number from 1 to 50"}
        )
    policy, _ = WishListPolicy.objects.select_for_update().get_or_create(organisation=member.organisation)
    before = snapshot(policy, ["live_needs_limit"])
    policy.live_needs_limit = live_needs_limit
    policy.save()
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.NEED_POLICY_SET,
        target=policy,
        before=before,
        after=snapshot(policy, ["live_needs_limit"]),
    )
    return policy


# --- Offers ----------------------------------------------------------------------------------------


@transaction.atomic
def offer_post(
    *,
    actor: User | None,
    member: Member,
    host: Organisation | None,
    title: str,
    description: str,
    kind: str,
    quantity: Decimal | None,
    unit: str,
    place: str,
) -> Offer:
    """A supplier offers something unprompted on a host's wish list."""
    permission_require(member, Permission.PLEDGE)
    person = _person(actor, "posts an offer")
    errors: dict[str, str] = {}
    if host is None or not supplier_host_choice_list(member=member).filter(pk=host.pk).exists():
        errors["host"] = "Choose the wish list to offer it on"
    if not title.strip():
        errors["title"] = "Enter a title for the offer"
    if not description.strip():
        errors["description"] = "Describe what you offer"
    if kind not in NeedKind.values:
        errors["kind"] = "Choose the kind of offer"
    if quantity is None:
        errors["quantity"] = "Enter how much you offer, like 10"
    elif message := _quantity_error(quantity, "quantity"):
        errors["quantity"] = message
    if not unit.strip():
        errors["unit"] = "Enter what the quantity counts, like volunteer days"
    code = ""
    if place.strip():
        code, message = place_find(place)
        if message:
            errors["place"] = message
    if errors:
        raise ApplicationError("There is a problem with the offer.", field_errors=errors)
    assert host is not None and quantity is not None
    offer = Offer.objects.create(
        organisation=member.organisation,
        host=host,
        title=title.strip(),
        description=description.strip(),
        kind=kind,
        quantity=quantity.quantize(QUANTITY_PLACES),
        unit=unit.strip(),
        place_code=code,
        created_by=person,
    )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.OFFER_POSTED,
        target=offer,
        after=snapshot(offer, ["title", "kind", "quantity", "unit", "place_code"]),
    )
    return offer


@transaction.atomic
def offer_take_up(*, actor: User | None, member: Member, offer: Offer) -> Offer:
    """A community organisation takes up an open offer (the supplier is told by the page and the audit)."""
    permission_require(member, Permission.POST_NEEDS)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.state != OfferState.OPEN:
        raise ApplicationError(f"This offer is {offer.get_state_display().lower()}: it cannot be taken up.")
    offer.state = OfferState.TAKEN_UP
    offer.taken_up_by = member.organisation
    offer.save()
    audit_record(
        actor=actor,
        organisation=offer.organisation,
        action=AuditAction.OFFER_TAKEN_UP,
        target=offer,
        before={"state": OfferState.OPEN},
        after={"state": offer.state, "taken_up_by": member.organisation.name},
    )
    return offer
