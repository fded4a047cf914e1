"""Reads about network membership: a member's own memberships (its invitations and networks), and the
coordinator's list of the network's members."""

from django.db.models import QuerySet
from django.http import Http404

from commonweal.tenancy.models import Organisation, OrganisationKind
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import MembershipState, NetworkMembership


def membership_list(*, member: Member) -> QuerySet[NetworkMembership]:
    """The member's organisation's invitations and networks."""
    return (
        NetworkMembership.objects.filter(organisation=member.organisation)
        .select_related("network")
        .order_by("network__name")
    )


def membership_get(*, member: Member, pk: int) -> NetworkMembership:
    """One of the member's organisation's memberships; 404 for anyone else's."""
    membership = membership_list(member=member).filter(pk=pk).first()
    if membership is None:
        raise Http404("No such network membership.")
    return membership


def network_member_list(*, member: Member) -> QuerySet[NetworkMembership]:
    """The coordinator's network's members and invitations."""
    permission_require(member, Permission.READ_NETWORK)
    return (
        NetworkMembership.objects.filter(network=member.organisation)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def invitable_list(*, member: Member) -> QuerySet[Organisation]:
    """Public bodies the coordinator may invite: not members, not invited (a declined one may be again)."""
    permission_require(member, Permission.MANAGE_NETWORK)
    taken = NetworkMembership.objects.filter(network=member.organisation).exclude(state=MembershipState.DECLINED)
    return Organisation.objects.filter(kind=OrganisationKind.PUBLIC_BODY).exclude(
        pk__in=taken.values("organisation_id")
    )
