"""Procurement's part of each home page's to-do list: for the buyer, tenders to score (each evaluator
only their own), to moderate, flags awaiting a decision, bidders' questions to answer and deadlines near;
for suppliers, opportunities open to them, bids in draft and deadlines near.

Sealed bids: nothing here reads a bid's content, and bids are counted only once the tender deadline has
passed (as the evaluation progress page counts them). A fixed number of queries, whatever the data."""

from collections import Counter
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from commonweal.core.formatting import uk_datetime
from commonweal.core.worklist import LINKS_SHOWN, WorkItem, WorkLink
from commonweal.tenancy.permissions import Permission
from commonweal.tenancy.selectors import Member

from . import selectors
from .models import (
    Bid,
    BidState,
    Clarification,
    ConflictDeclaration,
    Criterion,
    CriterionKind,
    EvaluatorAssignment,
    Flag,
    FlagDecision,
    ModeratedScore,
    Procurement,
    ProcurementState,
    Score,
)

# Deadlines this close are "near".
NEAR = timedelta(days=14)


def _url(name: str, member: Member, **kwargs: object) -> str:
    return reverse(name, kwargs={"org": member.organisation.slug, **kwargs})


def _opened(member: Member, now: datetime) -> QuerySet[Procurement]:
    """The buyer's published procurements whose tender deadline has passed (their bids may be counted)."""
    return Procurement.objects.filter(
        organisation=member.organisation, state=ProcurementState.PUBLISHED, tender_deadline__lte=now
    ).order_by("tender_deadline", "id")


def _bids_by_procurement(procurements: list[Procurement]) -> Counter[int]:
    rows = (
        Bid.objects.filter(procurement__in=procurements, state=BidState.SUBMITTED)
        .values("procurement_id")
        .annotate(n=Count("id"))
    )
    return Counter({row["procurement_id"]: row["n"] for row in rows})


def _item(key: str, title: str, hint: str, procurements: list[Procurement], page: str, member: Member) -> WorkItem:
    links = [
        WorkLink(text=f"{p.reference}: {p.title}", url=_url(page, member, pk=p.pk), hint=hint)
        for p in procurements[:LINKS_SHOWN]
    ]
    url = links[0].url if len(procurements) == 1 else _url("procurement:procurement-list", member)
    return WorkItem(key, title, url, len(procurements), links=links)


def _to_score(member: Member, now: datetime) -> WorkItem:
    """Procurements where this evaluator still has bids to score on their own criteria (never another's)."""
    opened = list(_opened(member, now))
    assigned: Counter[int] = Counter(
        EvaluatorAssignment.objects.filter(procurement__in=opened, evaluator=member.user)
        .exclude(criterion__kind=CriterionKind.PRICE)
        .values_list("procurement_id", flat=True)
    )
    conflicted = set(
        ConflictDeclaration.objects.filter(
            procurement__in=opened, evaluator=member.user, has_conflict=True
        ).values_list("procurement_id", flat=True)
    )
    bids = _bids_by_procurement(opened)
    scored = Counter(
        Score.objects.filter(
            bid__procurement__in=opened, bid__state=BidState.SUBMITTED, evaluator=member.user
        ).values_list("bid__procurement_id", flat=True)
    )
    waiting = [
        p for p in opened if p.pk not in conflicted and assigned[p.pk] and assigned[p.pk] * bids[p.pk] > scored[p.pk]
    ]
    return _item("to-score", "Tenders to score", "Your own criteria", waiting, "procurement:scoring", member)


def _to_moderate(member: Member, now: datetime) -> WorkItem:
    opened = list(_opened(member, now))
    bids = _bids_by_procurement(opened)
    criteria = Counter(
        Criterion.objects.filter(procurement__in=opened)
        .exclude(kind=CriterionKind.PRICE)
        .values_list("procurement_id", flat=True)
    )
    moderated = Counter(
        ModeratedScore.objects.filter(bid__procurement__in=opened, bid__state=BidState.SUBMITTED)
        .exclude(criterion__kind=CriterionKind.PRICE)
        .values_list("bid__procurement_id", flat=True)
    )
    waiting = [p for p in opened if bids[p.pk] * criteria[p.pk] > moderated[p.pk]]
    return _item(
        "to-moderate", "Tenders to moderate", "Agree a score for each bid", waiting, "procurement:moderation", member
    )


def _flags(member: Member) -> WorkItem:
    ids = Flag.objects.filter(
        bid__procurement__organisation=member.organisation,
        bid__state=BidState.SUBMITTED,
        decision=FlagDecision.PENDING,
    ).values_list("bid__procurement_id", flat=True)
    per_procurement = Counter(ids)
    procurements = list(Procurement.objects.filter(pk__in=list(per_procurement)).order_by("tender_deadline", "id"))
    item = _item("flags", "Flags awaiting a decision", "", procurements, "procurement:flags", member)
    links = [
        WorkLink(link.text, link.url, f"{per_procurement[p.pk]} flag{'s' if per_procurement[p.pk] != 1 else ''}")
        for link, p in zip(item.links, procurements, strict=False)
    ]
    return WorkItem(item.key, item.title, item.url, sum(per_procurement.values()), "Decide each flag", links)


def _clarifications(member: Member) -> WorkItem:
    ids = Clarification.objects.filter(
        procurement__organisation=member.organisation, procurement__state=ProcurementState.PUBLISHED, answer=""
    ).values_list("procurement_id", flat=True)
    per_procurement = Counter(ids)
    procurements = list(Procurement.objects.filter(pk__in=list(per_procurement)).order_by("tender_deadline", "id"))
    item = _item(
        "clarifications", "Bidders’ questions to answer", "", procurements, "procurement:clarification-list", member
    )
    return WorkItem(item.key, item.title, item.url, sum(per_procurement.values()), "Clarifications", item.links)


DEADLINE_FIELDS = [
    ("publication_at", "publication"),
    ("clarification_deadline", "clarification deadline"),
    ("tender_deadline", "tender deadline"),
    ("award_at", "award"),
    ("standstill_end_at", "end of standstill"),
]


def _next_moment(procurement: Procurement, now: datetime) -> tuple[datetime, str] | None:
    moments = [
        (moment, label)
        for name, label in DEADLINE_FIELDS
        if (moment := getattr(procurement, name)) is not None and now <= moment <= now + NEAR
    ]
    return min(moments) if moments else None


def _deadlines_near(member: Member, now: datetime) -> WorkItem:
    near = Q()
    for name, _label in DEADLINE_FIELDS:
        near |= Q(**{f"{name}__gte": now, f"{name}__lte": now + NEAR})
    procurements = list(
        Procurement.objects.filter(
            near,
            organisation=member.organisation,
            state__in=[ProcurementState.DRAFT, ProcurementState.PUBLISHED],
        ).order_by("tender_deadline", "id")
    )
    dated = sorted(
        ((moment, p) for p in procurements if (moment := _next_moment(p, now)) is not None),
        key=lambda pair: (pair[0][0], pair[1].pk),
    )
    links = [
        WorkLink(
            f"{p.reference}: {p.title}",
            _url("procurement:procurement-detail", member, pk=p.pk),
            f"{label.capitalize()} {uk_datetime(moment)}",
        )
        for (moment, label), p in dated[:LINKS_SHOWN]
    ]
    url = links[0].url if len(dated) == 1 else _url("procurement:procurement-list", member)
    return WorkItem("deadlines-near", "Procurement dates in the next 14 days", url, len(dated), links=links)


def buyer_items(*, member: Member, now: datetime) -> list[WorkItem]:
    if not member.organisation.is_public_body:
        return []
    items = []
    if member.may(Permission.EVALUATE):
        items.append(_to_score(member, now))
    if member.may(Permission.PLAN_PROCUREMENTS):
        items += [_to_moderate(member, now), _flags(member), _clarifications(member), _deadlines_near(member, now)]
    return items


def _open_opportunities(member: Member, now: datetime) -> QuerySet[Procurement]:
    return (
        selectors.opportunity_list(member=member)
        .filter(Q(tender_deadline__isnull=True) | Q(tender_deadline__gt=now))
        .order_by("tender_deadline", "id")
    )


def supplier_items(*, member: Member, now: datetime) -> list[WorkItem]:
    """Opportunities are public notices: counted here, listed on their own page. Bids and their deadlines
    are the supplier's own."""
    if not member.may(Permission.BID):
        return []
    open_item = WorkItem(
        "opportunities",
        "Opportunities open to you",
        _url("procurement:opportunity-list", member),
        _open_opportunities(member, now).count(),
        "Published tenders still taking bids, the soonest deadline first",
    )
    open_bids = (
        selectors.bid_list_for_supplier(member=member)
        .filter(procurement__state=ProcurementState.PUBLISHED)
        .filter(Q(procurement__tender_deadline__isnull=True) | Q(procurement__tender_deadline__gt=now))
        .order_by("procurement__tender_deadline", "id")
    )
    drafts = open_bids.filter(state=BidState.DRAFT)
    draft_links = [
        WorkLink(
            f"{bid.procurement.reference}: {bid.lot.title}",
            _url("procurement:bid-edit", member, pk=bid.pk),
            f"Submit by {uk_datetime(bid.procurement.tender_deadline) or 'the deadline'}",
        )
        for bid in drafts[:LINKS_SHOWN]
    ]
    draft_count = drafts.count()
    drafts_item = WorkItem(
        "bids-in-draft",
        "Bids in draft",
        draft_links[0].url if draft_count == 1 else _url("procurement:bid-list", member),
        draft_count,
        "Not yet submitted",
        draft_links,
    )
    closing = open_bids.filter(procurement__tender_deadline__lte=now + NEAR)
    closing_links = [
        WorkLink(
            f"{bid.procurement.reference}: {bid.lot.title}",
            _url("procurement:bid-edit", member, pk=bid.pk),
            f"Closes {uk_datetime(bid.procurement.tender_deadline)}; your bid is {bid.get_state_display().lower()}",
        )
        for bid in closing[:LINKS_SHOWN]
    ]
    closing_count = closing.count()
    deadlines = WorkItem(
        "deadlines",
        "Tender deadlines in the next 14 days",
        closing_links[0].url if closing_count == 1 else _url("procurement:bid-list", member),
        closing_count,
        "For tenders you are bidding for",
        closing_links,
    )
    return [open_item, drafts_item, deadlines]
