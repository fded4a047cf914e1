"""Writes for network membership: the coordinator invites, the member's social value lead accepts or
declines and chooses what the network may see. Every change is audited; stopping sharing is kept
(`withdrawn_at`): figures worked out after it leave the member out, published reports keep theirs."""

from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.models import Organisation, OrganisationKind
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import MembershipState, NetworkMembership, Sharing

SHARING_FIELDS = ["sharing", "named_in_benchmarks"]


@transaction.atomic
def member_invite(*, actor: User | None, member: Member, organisation: Organisation) -> NetworkMembership:
    """The coordinator invites a public body to the network."""
    permission_require(member, Permission.MANAGE_NETWORK)
    network = member.organisation
    if organisation.kind != OrganisationKind.PUBLIC_BODY:
        raise ApplicationError("Only public bodies (councils, NHS trusts, universities, colleges) join a network.")
    existing = NetworkMembership.objects.filter(network=network, organisation=organisation).first()
    if existing is not None and existing.state != MembershipState.DECLINED:
        state = "is already a member" if existing.is_active else "has been invited already"
        raise ApplicationError(f"{organisation.name} {state}.")
    now = timezone.now()
    if existing is None:
        membership = NetworkMembership.objects.create(
            network=network, organisation=organisation, invited_by=actor if actor and actor.pk else None, invited_at=now
        )
    else:
        membership = existing
        membership.state = MembershipState.INVITED
        membership.invited_at = now
        membership.answered_at = None
        membership.save(update_fields=["state", "invited_at", "answered_at", "updated_at"])
    audit_record(
        actor=actor,
        organisation=network,
        action=AuditAction.NETWORK_MEMBER_INVITED,
        target=membership,
        after={"organisation": organisation.name},
    )
    return membership


@transaction.atomic
def invitation_answer(
    *, actor: User | None, member: Member, membership: NetworkMembership, accept: bool
) -> NetworkMembership:
    """The invited organisation's social value lead accepts (joining the network) or declines."""
    permission_require(member, Permission.MANAGE_REPORTS)
    membership = NetworkMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.organisation_id != member.organisation.pk:
        raise ApplicationError("Only the invited organisation answers its invitation.")
    if membership.state != MembershipState.INVITED:
        raise ApplicationError(
            f"The invitation was answered on {timezone.localtime(membership.answered_at):%-d %B %Y}."
        )
    membership.state = MembershipState.ACTIVE if accept else MembershipState.DECLINED
    membership.answered_at = timezone.now()
    membership.save(update_fields=["state", "answered_at", "updated_at"])
    if accept:
        membership.organisation.networks.add(membership.network)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.NETWORK_MEMBER_ANSWERED,
        target=membership,
        before={"state": MembershipState.INVITED},
        after={"state": membership.state},
    )
    return membership


@transaction.atomic
def sharing_set(
    *,
    actor: User | None,
    member: Member,
    membership: NetworkMembership,
    sharing: str,
    named_in_benchmarks: bool,
) -> NetworkMembership:
    """The member's social value lead chooses what the network may see. Choosing "nothing" after sharing
    is a withdrawal: later figures leave the member out; reports already published keep its figures and
    say it has since withdrawn."""
    permission_require(member, Permission.MANAGE_REPORTS)
    membership = NetworkMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.organisation_id != member.organisation.pk:
        raise ApplicationError("Only the member itself chooses what the network may see.")
    if not membership.is_active:
        raise ApplicationError("Accept the invitation first: only a member shares its figures.")
    if sharing not in Sharing.values:
        raise ApplicationError("Choose what the network may see")
    if sharing == Sharing.NONE:
        named_in_benchmarks = False
    before = snapshot(membership, SHARING_FIELDS)
    if before == {"sharing": sharing, "named_in_benchmarks": named_in_benchmarks}:
        return membership
    now = timezone.now()
    if sharing == Sharing.NONE and membership.sharing != Sharing.NONE:
        membership.withdrawn_at = now
    membership.sharing = sharing
    membership.named_in_benchmarks = named_in_benchmarks
    membership.sharing_changed_at = now
    membership.save(update_fields=[*SHARING_FIELDS, "sharing_changed_at", "withdrawn_at", "updated_at"])
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.NETWORK_SHARING_CHANGED,
        target=membership,
        before=before,
        after=snapshot(membership, SHARING_FIELDS),
    )
    return membership
