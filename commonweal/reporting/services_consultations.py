"""Writes for consultations: the lead sets one up (costed options linked to outcomes, the wards asked, the
dates) and opens it to the public; residents respond on the public page (no sign-in; a honeypot, a rate
limit and duplicate detection keep spam out without a CAPTCHA service); officers enter paper responses;
the lead writes "you said, we did". The lead's writes need MANAGE_REPORTS; every write is audited."""

import hashlib
import hmac
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.frameworks.models import Outcome
from commonweal.tenancy.permissions import permission_require
from commonweal.tenancy.selectors import Member

from .access import WRITE, own_require
from .models import Consultation, ConsultationOption, ConsultationResponse, ResponseChannel
from .selectors_consultations import outcome_choice_list

AGE_BANDS = ("under 18", "18 to 24", "25 to 44", "45 to 64", "65 or over", "prefer not to say")


def _codes(text_or_list: str | Sequence[str]) -> list[str]:
    items = text_or_list.split() if isinstance(text_or_list, str) else list(text_or_list)
    return list(dict.fromkeys(code.strip().upper() for code in items if code.strip()))


@transaction.atomic
def consultation_create(
    *,
    actor: User | None,
    member: Member,
    title: str,
    summary: str,
    place_codes: str | Sequence[str],
    opens_on: date,
    closes_on: date,
) -> Consultation:
    """A consultation as a draft: nobody outside the organisation sees it until it is opened."""
    permission_require(member, WRITE)
    if actor is None or not actor.pk:
        raise ApplicationError("A person sets up a consultation: the command line cannot.")
    if closes_on < opens_on:
        message = "The closing date must be on or after the opening date"
        raise ApplicationError(message + ".", field_errors={"closes_on": message})
    codes = _codes(place_codes)
    bad = [code for code in codes if len(code) != 9]
    if bad:
        message = f"“{bad[0]}” is not an ONS GSS code (9 characters, like E05015239)"
        raise ApplicationError(message + ".", field_errors={"place_codes": message})
    consultation = Consultation.objects.create(
        organisation=member.organisation,
        title=title.strip(),
        summary=summary.strip(),
        place_codes=codes,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.CONSULTATION_CREATED,
        target=consultation,
        after={"title": consultation.title, "places": codes, "opens_on": str(opens_on), "closes_on": str(closes_on)},
    )
    return consultation


@transaction.atomic
def option_add(
    *,
    actor: User | None,
    member: Member,
    consultation: Consultation,
    title: str,
    description: str,
    cost: Decimal,
    outcome: Outcome | None,
) -> ConsultationOption:
    """A costed option, linked to one of the organisation's outcomes. Not once the consultation is open."""
    permission_require(member, WRITE)
    own_require(member, consultation)
    if consultation.published_at is not None:
        raise ApplicationError("The consultation is open: its options can no longer change.")
    if cost < 0 or cost != cost.quantize(Decimal("0.01")):
        message = "Enter the cost in pounds and pence, 0 or more"
        raise ApplicationError(message + ".", field_errors={"cost": message})
    if outcome is not None and not outcome_choice_list(member=member).filter(pk=outcome.pk).exists():
        message = "Choose an outcome of your organisation's framework"
        raise ApplicationError(message + ".", field_errors={"outcome": message})
    option = ConsultationOption.objects.create(
        organisation=member.organisation,
        consultation=consultation,
        position=consultation.options.count(),
        title=title.strip(),
        description=description.strip(),
        cost=cost,
        outcome=outcome,
    )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.CONSULTATION_OPTION_ADDED,
        target=option,
        trail=consultation,
        after={"title": option.title, "cost": str(cost), "outcome": outcome.code if outcome else ""},
    )
    return option


@transaction.atomic
def consultation_open(*, actor: User | None, member: Member, consultation: Consultation) -> Consultation:
    """Open it to the public: its page and form are public from its opening date to its closing date."""
    permission_require(member, WRITE)
    own_require(member, consultation)
    if consultation.published_at is not None:
        raise ApplicationError("The consultation is already open.")
    if consultation.options.count() < 2:
        raise ApplicationError("Add at least two options before opening the consultation.")
    consultation.published_at = timezone.now()
    consultation.save(update_fields=["published_at", "updated_at"])
    audit_record(
        actor=actor, organisation=member.organisation, action=AuditAction.CONSULTATION_OPENED, target=consultation
    )
    return consultation


@transaction.atomic
def you_said_we_did_write(*, actor: User | None, member: Member, consultation: Consultation, text: str) -> Consultation:
    """What the council did with the results, shown with them once the consultation has closed."""
    permission_require(member, WRITE)
    own_require(member, consultation)
    before = consultation.you_said_we_did
    consultation.you_said_we_did = text.strip()
    consultation.save(update_fields=["you_said_we_did", "updated_at"])
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.CONSULTATION_YOU_SAID_WE_DID_WRITTEN,
        target=consultation,
        before={"you_said_we_did": before},
        after={"you_said_we_did": consultation.you_said_we_did},
    )
    return consultation


def client_key(address: str) -> str:
    """A keyed hash of the address a response came from: enough to count, never the address itself."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def _fingerprint(options: Sequence[ConsultationOption], place_code: str, comment: str) -> str:
    text = "|".join(
        [
            ",".join(str(option.pk) for option in sorted(options, key=lambda o: o.pk)),
            place_code,
            " ".join(comment.lower().split()),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _response_check(
    consultation: Consultation,
    options: Sequence[ConsultationOption],
    place_code: str,
    demographics: dict[str, str],
    consent: bool,
) -> None:
    if not options:
        message = "Choose at least one option"
        raise ApplicationError(message + ".", field_errors={"options": message})
    if any(option.consultation_id != consultation.pk for option in options):
        raise ApplicationError(
            "Choose from this consultation's options.", field_errors={"options": "Choose from the options shown"}
        )
    if place_code and place_code not in consultation.place_codes:
        raise ApplicationError(
            "Choose one of the areas listed.", field_errors={"place_code": "Choose one of the areas listed"}
        )
    given = {key: value for key, value in demographics.items() if value}
    if given and not consent:
        message = "Tick the box to agree to us keeping these details, or leave them blank"
        raise ApplicationError(message + ".", field_errors={"demographics_consent": message})
    if given.get("age_band") and given["age_band"] not in AGE_BANDS:
        raise ApplicationError("Choose an age band.", field_errors={"age_band": "Choose an age band"})


@transaction.atomic
def response_submit(
    *,
    consultation: Consultation,
    options: Sequence[ConsultationOption],
    place_code: str,
    comment: str,
    demographics: dict[str, str],
    demographics_consent: bool,
    honeypot: str,
    address: str,
    today: date | None = None,
) -> ConsultationResponse:
    """A resident's response on the public page (no sign-in, the one write without a member besides
    self-registration). Refused: outside the open dates, with the hidden field filled in (a robot), more than
    `CONSULTATION_RESPONSES_PER_HOUR` from one address in an hour, or the same answer twice from one address."""
    today = today or timezone.localdate()
    if honeypot.strip():
        raise ApplicationError("We could not accept this response.")
    if not consultation.is_open_on(today):
        raise ApplicationError("This consultation is not open for responses.")
    comment = comment.strip()
    _response_check(consultation, options, place_code, demographics, demographics_consent)
    key = client_key(address)
    fingerprint = _fingerprint(options, place_code, comment)
    recent = ConsultationResponse.objects.filter(
        consultation=consultation, client_key=key, created_at__gte=timezone.now() - timedelta(hours=1)
    )
    if recent.count() >= settings.CONSULTATION_RESPONSES_PER_HOUR:
        raise ApplicationError(
            "We have had several responses from your connection in the last hour: please try again later."
        )
    duplicate = ConsultationResponse.objects.filter(consultation=consultation, fingerprint=fingerprint)
    if duplicate.filter(client_key=key).exists() or (comment and duplicate.exists()):
        raise ApplicationError("We already have this response: thank you.")
    return _store(
        consultation=consultation,
        options=options,
        place_code=place_code,
        comment=comment,
        demographics=demographics if demographics_consent else {},
        demographics_consent=demographics_consent,
        channel=ResponseChannel.WEB,
        received_on=today,
        entered_by=None,
        fingerprint=fingerprint,
        key=key,
    )


def _store(
    *,
    consultation: Consultation,
    options: Sequence[ConsultationOption],
    place_code: str,
    comment: str,
    demographics: dict[str, str],
    demographics_consent: bool,
    channel: str,
    received_on: date,
    entered_by: User | None,
    fingerprint: str,
    key: str,
) -> ConsultationResponse:
    response = ConsultationResponse.objects.create(
        organisation_id=consultation.organisation_id,
        consultation=consultation,
        place_code=place_code,
        comment=comment,
        channel=channel,
        received_on=received_on,
        entered_by=entered_by,
        demographics={key_: value for key_, value in demographics.items() if value},
        demographics_consent=demographics_consent,
        fingerprint=fingerprint,
        client_key=key,
    )
    response.options.set(options)
    # Who responded is not recorded: only how, when and for which consultation.
    audit_record(
        actor=entered_by,
        organisation=consultation.organisation,
        action=AuditAction.CONSULTATION_RESPONSE_RECEIVED,
        target=response,
        trail=consultation,
        after={"channel": channel, "received_on": received_on.isoformat()},
    )
    return response


@transaction.atomic
def response_enter_paper(
    *,
    actor: User | None,
    member: Member,
    consultation: Consultation,
    options: Sequence[ConsultationOption],
    place_code: str,
    comment: str,
    received_on: date,
    demographics: dict[str, str],
    demographics_consent: bool,
) -> ConsultationResponse:
    """An officer enters a paper response received while the consultation was open (even after it closed)."""
    permission_require(member, WRITE)
    own_require(member, consultation)
    if consultation.published_at is None:
        raise ApplicationError("Open the consultation before entering responses.")
    if not consultation.opens_on <= received_on <= consultation.closes_on:
        message = "The response must have been received while the consultation was open"
        raise ApplicationError(message + ".", field_errors={"received_on": message})
    comment = comment.strip()
    _response_check(consultation, options, place_code, demographics, demographics_consent)
    return _store(
        consultation=consultation,
        options=options,
        place_code=place_code,
        comment=comment,
        demographics=demographics if demographics_consent else {},
        demographics_consent=demographics_consent,
        channel=ResponseChannel.PAPER,
        received_on=received_on,
        entered_by=actor,
        fingerprint=_fingerprint(options, place_code, comment),
        key="",
    )
