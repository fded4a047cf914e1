"""Reads every part of procurement shares: finding a procurement for the buyer or a published
opportunity for a supplier, and the sealed-bid rule.

Sealed bids: before the tender deadline no one at the buyer can read any bid, and after it only a
person who has declared no conflict of interest for the procurement can; every opening is audited.
`bid_list_for_buyer` and `bid_open_for_buyer` are the only ways buyer-side code reaches bids.
"""

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.models import AuditAction
from commonweal.tenancy.permissions import Permission
from commonweal.tenancy.selectors import Member

from .models import Bid, BidState, ConflictDeclaration, Procurement, ProcurementState


def procurement_list(*, member: Member) -> QuerySet[Procurement]:
    """The buyer's own procurements; a supplier has none."""
    if not member.organisation.is_public_body:
        return Procurement.objects.none()
    return Procurement.objects.filter(organisation=member.organisation)


def procurement_get(*, member: Member, pk: int) -> Procurement:
    """One of the buyer's procurements; 404 for anyone else."""
    try:
        return procurement_list(member=member).get(pk=pk)
    except Procurement.DoesNotExist:
        raise Http404("No such procurement.") from None


def opportunity_list(*, member: Member, now: datetime | None = None) -> QuerySet[Procurement]:
    """Published procurements whose publication moment has come, open to every supplier's people."""
    if not member.may(Permission.BID):
        return Procurement.objects.none()
    return Procurement.objects.filter(
        state=ProcurementState.PUBLISHED, publication_at__lte=now or timezone.now()
    ).select_related("organisation")


def opportunity_get(*, member: Member, pk: int) -> Procurement:
    try:
        return opportunity_list(member=member).get(pk=pk)
    except Procurement.DoesNotExist:
        raise Http404("No such opportunity.") from None


def tenders_opened(procurement: Procurement, *, now: datetime | None = None) -> bool:
    """Whether the tender deadline has passed, so the buyer may open the bids."""
    deadline = procurement.tender_deadline
    return deadline is not None and (now or timezone.now()) >= deadline


def procurements_with_tenders_opened(*, now: datetime | None = None) -> QuerySet[Procurement]:
    """Every organisation's published procurements whose tender deadline has passed: what the operator's
    `commonweal procurement open-tenders` records flags for (and only that: it is not tenant-scoped)."""
    return (
        Procurement.objects.filter(state=ProcurementState.PUBLISHED, tender_deadline__lte=now or timezone.now())
        .select_related("organisation")
        .order_by("tender_deadline", "pk")
    )


def goes_live_later(procurement: Procurement, *, now: datetime | None = None) -> bool:
    """Published, but its publication moment is still to come: suppliers do not see it yet."""
    moment = procurement.publication_at
    return procurement.state == ProcurementState.PUBLISHED and moment is not None and moment > (now or timezone.now())


def open_for_bids(procurement: Procurement, *, now: datetime | None = None) -> bool:
    """Whether suppliers may still submit or change bids."""
    return (
        procurement.state == ProcurementState.PUBLISHED
        and not goes_live_later(procurement, now=now)
        and not tenders_opened(procurement, now=now)
    )


def declared_without_conflict(*, member: Member, procurement: Procurement) -> bool:
    return ConflictDeclaration.objects.filter(
        procurement=procurement, evaluator=member.user, has_conflict=False
    ).exists()


def may_open_bids(*, member: Member, procurement: Procurement, now: datetime | None = None) -> bool:
    """The sealed-bid rule for the buyer's people (see the module docs)."""
    return (
        procurement.organisation_id == member.organisation.pk
        and member.may(Permission.EVALUATE)
        and tenders_opened(procurement, now=now)
        and declared_without_conflict(member=member, procurement=procurement)
    )


def bid_list_for_buyer(*, member: Member, procurement: Procurement) -> QuerySet[Bid]:
    """The submitted bids, once the rule allows; otherwise none. Listing is not opening: it is not
    audited, and callers show only who bid for which lot and the price from here."""
    if not may_open_bids(member=member, procurement=procurement):
        return Bid.objects.none()
    return (
        Bid.objects.filter(procurement=procurement, state=BidState.SUBMITTED)
        .select_related("supplier", "lot")
        .order_by("lot__number", "supplier__name")
    )


def bid_open_for_buyer(*, member: Member, pk: int) -> Bid:
    """One submitted bid's whole content, for the buyer's people the rule allows; 404 otherwise.
    Every opening is recorded in the audit log."""
    bid = (
        Bid.objects.filter(pk=pk, organisation=member.organisation, state=BidState.SUBMITTED)
        .select_related("procurement", "supplier", "lot")
        .first()
    )
    if bid is None or not may_open_bids(member=member, procurement=bid.procurement):
        raise Http404("No such bid.")
    audit_record(
        actor=member.user,
        organisation=member.organisation,
        action=AuditAction.BID_OPENED,
        target=bid,
        trail=bid.procurement,
    )
    return bid


def bid_list_for_supplier(*, member: Member) -> QuerySet[Bid]:
    """The supplier's own bids, drafts included."""
    if not member.may(Permission.BID):
        return Bid.objects.none()
    return Bid.objects.filter(supplier=member.organisation).select_related("procurement", "lot")


def bid_get_for_supplier(*, member: Member, pk: int) -> Bid:
    try:
        return bid_list_for_supplier(member=member).get(pk=pk)
    except Bid.DoesNotExist:
        raise Http404("No such bid.") from None
