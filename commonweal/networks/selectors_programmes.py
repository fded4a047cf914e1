"""Reads about joint programmes: the coordinator's programmes, and a partner's own place in them. Only
aggregates are read out of a programme (see figures.py); no page lists participants."""

from django.db.models import QuerySet
from django.http import Http404

from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import Programme, ProgrammePartner


def programme_list(*, member: Member) -> QuerySet[Programme]:
    permission_require(member, Permission.READ_NETWORK)
    return Programme.objects.filter(network=member.organisation).prefetch_related("partners__organisation")


def partner_list(*, member: Member) -> QuerySet[ProgrammePartner]:
    """The programmes the member's organisation is a partner in."""
    return ProgrammePartner.objects.filter(organisation=member.organisation).select_related("programme__network")


def partner_get(*, member: Member, pk: int) -> ProgrammePartner:
    partner = partner_list(member=member).filter(pk=pk).first()
    if partner is None:
        raise Http404("No such programme.")
    return partner
