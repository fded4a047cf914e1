"""Writes for panels (VCSE forums, poverty truth commissions, residents' panels): the lead sets up a panel,
records its meetings (who attended) and the needs raised there, and moves each need on (passed on, met,
closed) with a note. The lead's writes need MANAGE_REPORTS, as consultations do; every write is audited."""

from collections.abc import Sequence
from datetime import date

from django.db import transaction

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record
from commonweal.core.dates import date_window_check
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.frameworks.models import Outcome
from commonweal.spend.places import place_name
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import permission_require
from commonweal.tenancy.selectors import Member

from .access import WRITE, own_require
from .models import NeedKind, NeedState, Panel, PanelKind, PanelMeeting, PanelNeed
from .selectors_consultations import outcome_choice_list


def _refuse(field: str, message: str) -> ApplicationError:
    return ApplicationError(message + ".", field_errors={field: message})


def _person(actor: User | None) -> User:
    if actor is None or not actor.pk:
        raise ApplicationError("A person records panels: the command line cannot.")
    return actor


@transaction.atomic
def panel_create(
    *, actor: User | None, member: Member, name: str, kind: str, purpose: str, active: bool = True
) -> Panel:
    permission_require(member, WRITE)
    actor = _person(actor)
    if kind not in PanelKind.values:
        raise _refuse("kind", "Choose what kind of panel it is")
    panel = Panel.objects.create(
        organisation=member.organisation,
        name=name.strip(),
        kind=kind,
        purpose=purpose.strip(),
        active=active,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.PANEL_CREATED,
        target=panel,
        after={"name": panel.name, "kind": kind, "active": active},
    )
    return panel


@transaction.atomic
def meeting_record(
    *,
    actor: User | None,
    member: Member,
    panel: Panel,
    held_on: date,
    place: str,
    notes: str,
    attending: Sequence[Organisation],
    other_attendees: str,
) -> PanelMeeting:
    """A meeting of the panel, with the organisations in Commonweal that attended and others by name."""
    permission_require(member, WRITE)
    actor = _person(actor)
    own_require(member, panel)
    date_window_check(held_on, name="The meeting date", field="held_on")
    others = [line.strip() for line in other_attendees.splitlines() if line.strip()]
    meeting = PanelMeeting.objects.create(
        organisation=member.organisation,
        panel=panel,
        held_on=held_on,
        place=place.strip(),
        notes=notes.strip(),
        other_attendees="\n".join(others),
        recorded_by=actor,
    )
    meeting.attending.set(attending)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.PANEL_MEETING_RECORDED,
        target=meeting,
        trail=panel,
        after={
            "held_on": held_on.isoformat(),
            "attending": sorted(organisation.pk for organisation in attending),
            "other_attendees": others,
        },
    )
    return meeting


@transaction.atomic
def need_record(
    *,
    actor: User | None,
    member: Member,
    meeting: PanelMeeting,
    description: str,
    kind: str,
    raised_by: Organisation | None,
    outcomes: Sequence[Outcome],
    place_code: str,
) -> PanelNeed:
    """A need raised at the meeting, by one of the organisations that attended (or by nobody named), for
    the organisation's own outcomes and a known ward or district."""
    permission_require(member, WRITE)
    actor = _person(actor)
    own_require(member, meeting)
    if kind not in NeedKind.values:
        raise _refuse("kind", "Choose what kind of need it is")
    if raised_by is not None and not meeting.attending.filter(pk=raised_by.pk).exists():
        raise _refuse("raised_by", "Choose an organisation that attended the meeting")
    allowed = outcome_choice_list(member=member)
    if any(not allowed.filter(pk=outcome.pk).exists() for outcome in outcomes):
        raise _refuse("outcomes", "Choose outcomes of your organisation's framework")
    code = place_code.strip().upper()
    if code and not place_name(code):
        raise _refuse("place_code", f"“{code}” is not a ward or district GSS code we know, like E05015239")
    need = PanelNeed.objects.create(
        organisation=member.organisation,
        meeting=meeting,
        raised_by=raised_by,
        description=description.strip(),
        kind=kind,
        place_code=code,
        recorded_by=actor,
    )
    need.outcomes.set(outcomes)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.PANEL_NEED_RAISED,
        target=need,
        trail=meeting,
        after={
            "description": need.description,
            "kind": kind,
            "raised_by": raised_by.pk if raised_by else None,
            "outcomes": sorted(outcome.code for outcome in outcomes),
            "place_code": code,
        },
    )
    return need


@transaction.atomic
def need_state_set(*, actor: User | None, member: Member, need: PanelNeed, state: str, note: str) -> PanelNeed:
    """What became of a need: passed on (to someone who may meet it), met, or closed; a note says how."""
    permission_require(member, WRITE)
    actor = _person(actor)
    own_require(member, need)
    if state not in NeedState.values:
        raise _refuse("state", "Choose what became of the need")
    if state != NeedState.OPEN and not note.strip():
        raise _refuse("note", "Say who it was passed on to, how it was met or why it was closed")
    before = {"state": need.state, "note": need.state_note}
    need.state = state
    need.state_note = note.strip()
    need.save(update_fields=["state", "state_note", "updated_at"])
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.PANEL_NEED_STATE_CHANGED,
        target=need,
        trail=need.meeting,
        before=before,
        after={"state": state, "note": need.state_note},
    )
    return need
