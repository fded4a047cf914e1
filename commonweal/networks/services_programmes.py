"""Writes for joint programmes: the coordinator sets one up with its partners' attributed shares; a partner
records its participants by pseudonymous id and the stages they reach. A participant is kept only as a
keyed hash of that id, so the same person referred by two partners counts once, and the second partner
is told only that the participant is already counted in the network."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import (
    STAGE_ORDER,
    NetworkMembership,
    ParticipantStage,
    Programme,
    ProgrammeParticipant,
    ProgrammePartner,
    ProgrammeStage,
)
from .rules import ALREADY_COUNTED, reference_digest


@transaction.atomic
def programme_create(
    *, actor: User | None, member: Member, title: str, description: str, shares: dict[Organisation, Decimal]
) -> Programme:
    """A joint programme with its partners (members of the network) and their attributed shares (adding
    to 100%)."""
    permission_require(member, Permission.MANAGE_NETWORK)
    network = member.organisation
    if not title.strip():
        raise ApplicationError("Give the programme a title")
    if not shares:
        raise ApplicationError("Choose at least one partner")
    if sum(shares.values(), Decimal(0)) != 100:
        raise ApplicationError("The partners' shares must add up to 100%")
    if any(share <= 0 for share in shares.values()):
        raise ApplicationError("Each partner's share must be more than 0%")
    active = set(
        NetworkMembership.objects.filter(network=network, state="active").values_list("organisation_id", flat=True)
    )
    if any(organisation.pk not in active for organisation in shares):
        raise ApplicationError("Only members of the network are partners.")
    programme = Programme.objects.create(network=network, title=title.strip(), description=description.strip())
    for organisation, share in shares.items():
        ProgrammePartner.objects.create(programme=programme, organisation=organisation, share_percent=share)
    audit_record(
        actor=actor,
        organisation=network,
        action=AuditAction.NETWORK_PROGRAMME_CREATED,
        target=programme,
        after={"title": programme.title, "partners": {o.name: str(s) for o, s in shares.items()}},
    )
    return programme


@transaction.atomic
def participant_record(
    *,
    actor: User | None,
    member: Member,
    partner: ProgrammePartner,
    participant_id: str,
    stage: str,
    reached_on: date,
) -> ProgrammeParticipant:
    """A partner records that its participant reached a stage. A referral adds the participant; a later
    stage needs the partner's own participant. Nobody is told which partner holds a participant."""
    permission_require(member, Permission.MANAGE_REPORTS)
    if partner.organisation_id != member.organisation.pk:
        raise ApplicationError("Only the partner itself records its participants.")
    if stage not in STAGE_ORDER:
        raise ApplicationError("Choose the stage the participant reached")
    if not participant_id.strip():
        raise ApplicationError("Enter the participant's pseudonymous id")
    programme = Programme.objects.select_for_update().get(pk=partner.programme_id)
    digest = reference_digest(
        network_id=programme.network_id, kind=f"participant-{programme.pk}", reference=participant_id
    )
    participant = ProgrammeParticipant.objects.filter(programme=programme, digest=digest).first()
    if stage == ProgrammeStage.REFERRAL:
        if participant is not None:
            if participant.partner_id == partner.pk:
                raise ApplicationError(f"You referred this participant on {participant.referred_on:%-d %B %Y}.")
            raise ApplicationError(f"This participant is {ALREADY_COUNTED}.")
        participant = ProgrammeParticipant.objects.create(
            organisation_id=partner.organisation_id,
            programme=programme,
            partner=partner,
            digest=digest,
            referred_on=reached_on,
        )
    elif participant is None or participant.partner_id != partner.pk:
        # Whether another partner holds them is not said.
        raise ApplicationError("Record the participant's referral first: you have no participant with that id.")
    if participant.stages.filter(stage=stage).exists():
        raise ApplicationError(f"This participant's stage “{ProgrammeStage(stage).label}” is recorded already.")
    if reached_on < participant.referred_on:
        raise ApplicationError("A stage cannot be reached before the referral")
    ParticipantStage.objects.create(
        organisation_id=participant.organisation_id, participant=participant, stage=stage, reached_on=reached_on
    )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.NETWORK_PARTICIPANT_RECORDED,
        target=participant,
        trail=programme,
        after={"stage": stage, "reached_on": reached_on.isoformat()},
    )
    return participant
