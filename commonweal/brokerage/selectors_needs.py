"""Reads for the wish list: the public list and need page (published needs only), a community organisation's
own needs, the broker's queue, a supplier's pledges and suggested matches, and the figures."""

import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from commonweal.core.models import AuditEvent
from commonweal.delivery.models import Commitment, CommitmentState, ReturnLine
from commonweal.frameworks.models import Outcome, UnitKind, VersionStatus
from commonweal.reporting.models import NeedKind, PanelNeed
from commonweal.tenancy.models import Organisation, OrganisationKind, Role
from commonweal.tenancy.permissions import Permission, PermissionRefused, permission_require
from commonweal.tenancy.selectors import Member

from .models import (
    OPEN_STATES,
    Eligibility,
    Need,
    NeedState,
    Offer,
    OfferState,
    Pledge,
    PledgeState,
)
from .rules import SIZE_BANDS, MatchScore, match_score, place_district, place_find, place_text

HOST_KINDS = (OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK, OrganisationKind.COMMUNITY)


# --- Hosts and choices -----------------------------------------------------------------------------


def host_choice_list() -> QuerySet[Organisation]:
    """Wish lists a need may be posted to: councils, networks, and local infrastructure bodies with a broker."""
    return Organisation.objects.filter(
        Q(kind__in=[OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK])
        | Q(kind=OrganisationKind.COMMUNITY, memberships__role=Role.BROKER)
    ).distinct()


def supplier_host_choice_list(*, member: Member) -> QuerySet[Organisation]:
    """The wish lists a supplier may offer to and pledge on: its buyers', their networks', and local
    infrastructure bodies' (see `pledgeable_host_filter`)."""
    permission_require(member, Permission.PLEDGE)
    buyers = Organisation.objects.filter(agreements__supplier=member.organisation).values("pk")
    return Organisation.objects.filter(
        Q(pk__in=buyers)
        | Q(kind=OrganisationKind.NETWORK, network_members__in=buyers)
        | Q(kind=OrganisationKind.COMMUNITY, memberships__role=Role.BROKER)
    ).distinct()


def public_host_get(*, slug: str) -> Organisation:
    """The organisation whose wish list is read; a 404 for a supplier (who has no wish list)."""
    return get_object_or_404(Organisation, slug=slug, kind__in=HOST_KINDS)


def outcome_choice_list(*, hosts: QuerySet[Organisation] | None = None) -> QuerySet[Outcome]:
    """Outcomes of the hosts' published frameworks, for a need to serve."""
    outcomes = Outcome.objects.filter(version__status=VersionStatus.PUBLISHED)
    if hosts is not None:
        outcomes = outcomes.filter(version__organisation__in=hosts)
    return outcomes.select_related("version__organisation", "theme").order_by(
        "version__organisation__name", "version__framework__title", "-version__number", "code"
    )


# --- The public wish list --------------------------------------------------------------------------


@dataclass(frozen=True)
class WishListFilters:
    theme: str = ""  # a theme's code
    place: str = ""  # a name or GSS code; a district also finds its wards
    kind: str = ""
    size: str = ""  # a SIZE_BANDS key

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "WishListFilters":
        return cls(
            theme=(query.get("theme") or "").strip()[:30],
            place=(query.get("place") or "").strip()[:100],
            kind=(query.get("kind") or "").strip()[:20],
            size=(query.get("size") or "").strip()[:10],
        )


def public_need_list(*, host: Organisation, filters: WishListFilters) -> tuple[QuerySet[Need], str]:
    """The host's open needs (published, taking pledges), filtered; and a message if the place is unknown."""
    needs = Need.objects.open().filter(host=host).select_related("organisation").prefetch_related("outcomes__theme")
    message = ""
    if filters.kind in NeedKind.values:
        needs = needs.filter(kind=filters.kind)
    if filters.theme:
        needs = needs.filter(outcomes__theme__code=filters.theme).distinct()
    if filters.size:
        band = next((b for b in SIZE_BANDS if b[0] == filters.size), None)
        if band is not None:
            _, _, low, high = band
            needs = needs.filter(estimate__gte=low)
            if high is not None:
                needs = needs.filter(estimate__lt=high)
    if filters.place:
        code, message = place_find(filters.place)
        if code:
            codes = {code} | {c for c in _place_codes(host) if place_district(c) == code}
            needs = needs.filter(place_code__in=codes)
    return needs.order_by("expires_on", "id"), message


def _place_codes(host: Organisation) -> set[str]:
    return set(Need.objects.open().filter(host=host).values_list("place_code", flat=True))


def theme_choice_list(*, host: Organisation) -> list[tuple[str, str]]:
    """The themes the host's open needs serve."""
    found: dict[str, str] = {}
    for need in Need.objects.open().filter(host=host).prefetch_related("outcomes__theme"):
        for outcome in need.outcomes.all():
            found.setdefault(outcome.theme.code, outcome.theme.title)
    return sorted(found.items(), key=lambda item: item[1])


def public_need_get(*, host: Organisation, pk: int) -> Need:
    """A need anyone may read: published on this host's wish list. Anything else is a 404."""
    return get_object_or_404(
        Need.objects.public().select_related("organisation", "host").prefetch_related("outcomes"), host=host, pk=pk
    )


# --- A community organisation's needs --------------------------------------------------------------


def own_need_list(*, member: Member) -> QuerySet[Need]:
    permission_require(member, Permission.POST_NEEDS)
    return Need.objects.filter(organisation=member.organisation).select_related("host")


def own_need_get(*, member: Member, pk: int) -> Need:
    permission_require(member, Permission.POST_NEEDS)
    return get_object_or_404(
        Need.objects.select_related("host", "organisation").prefetch_related("outcomes"),
        organisation=member.organisation,
        pk=pk,
    )


def panel_need_list(*, member: Member) -> QuerySet[PanelNeed]:
    """Needs the organisation raised at a council's panel that are not yet on a wish list."""
    permission_require(member, Permission.POST_NEEDS)
    return (
        PanelNeed.objects.filter(raised_by=member.organisation, wish_list_needs__isnull=True)
        .exclude(state="met")
        .select_related("meeting__panel__organisation")
        .order_by("pk")
    )


def panel_need_get(*, member: Member, pk: int | None) -> PanelNeed | None:
    if pk is None:
        return None
    return panel_need_list(member=member).filter(pk=pk).first()


def eligibility_get(*, member: Member) -> Eligibility | None:
    return Eligibility.objects.filter(organisation=member.organisation).first()


def need_history(*, need: Need) -> QuerySet[AuditEvent]:
    """Every recorded change to the need and its pledges, newest first (the need is the pledges' trail). The
    caller has found the need for its member already (its organisation's, or its host's broker's)."""
    return AuditEvent.objects.for_trail(need).select_related("actor").order_by("-created_at", "-id")


def need_pledge_list(*, need: Need) -> QuerySet[Pledge]:
    return need.pledges.select_related("organisation", "commitment__agreement", "commitment__measure", "line")


def recipient_pledge_get(*, member: Member, pk: int) -> Pledge:
    """A pledge to one of the member's organisation's needs."""
    permission_require(member, Permission.POST_NEEDS)
    return get_object_or_404(
        Pledge.objects.select_related("need", "organisation", "commitment__agreement"),
        need__organisation=member.organisation,
        pk=pk,
    )


def open_offer_list(*, member: Member) -> QuerySet[Offer]:
    """Open offers on the wish lists the organisation's needs are on (and any host's, when it has none)."""
    hosts = set(Need.objects.filter(organisation=member.organisation).values_list("host_id", flat=True))
    offers = Offer.objects.filter(state=OfferState.OPEN).select_related("organisation", "host")
    return offers.filter(host_id__in=hosts) if hosts else offers


def offer_get_open(*, member: Member, pk: int) -> Offer:
    permission_require(member, Permission.POST_NEEDS)
    return get_object_or_404(open_offer_list(member=member), pk=pk)


# --- The broker ------------------------------------------------------------------------------------


def broker_need_list(*, member: Member) -> dict[str, list[Need]]:
    """The host's needs by what the broker must do: moderate, publish, watch, and closed."""
    permission_require(member, Permission.BROKER_NEEDS)
    needs = Need.objects.filter(host=member.organisation).exclude(state=NeedState.DRAFT).select_related("organisation")
    groups: dict[str, list[Need]] = {"submitted": [], "approved": [], "open": [], "done": []}
    for need in needs.order_by("submitted_at", "id"):
        if need.state == NeedState.SUBMITTED:
            groups["submitted"].append(need)
        elif need.state == NeedState.APPROVED:
            groups["approved"].append(need)
        elif need.state in (*OPEN_STATES, NeedState.DELIVERED):
            groups["open"].append(need)
        else:
            groups["done"].append(need)
    return groups


def broker_need_get(*, member: Member, pk: int) -> Need:
    permission_require(member, Permission.BROKER_NEEDS)
    need = get_object_or_404(
        Need.objects.select_related("organisation", "host").prefetch_related("outcomes"),
        host=member.organisation,
        pk=pk,
    )
    if need.state == NeedState.DRAFT:
        raise Http404("A draft is the organisation's own.")
    return need


def supplier_choice_list(*, member: Member) -> QuerySet[Organisation]:
    """Suppliers a broker may introduce: those holding agreements with the host, or with its network's members."""
    permission_require(member, Permission.BROKER_NEEDS)
    host = member.organisation
    buyers = Organisation.objects.filter(Q(pk=host.pk) | Q(networks=host)).values("pk")
    return Organisation.objects.filter(
        kind=OrganisationKind.SUPPLIER, supplied_agreements__organisation__in=buyers
    ).distinct()


# --- Suppliers: pledging and matches ---------------------------------------------------------------


def pledger_list(*, user: Any) -> QuerySet[Organisation]:
    """The suppliers the signed-in person pledges for (none for an anonymous reader)."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=OrganisationKind.SUPPLIER, memberships__user=user, memberships__role=Role.SUPPLIER_CONTACT
    ).distinct()


def pledgeable_host_filter(supplier: Organisation) -> Q:
    """The wish lists a supplier may pledge to: those of the buyers it holds agreements with, of the networks
    those buyers belong to, and of local infrastructure bodies (community organisations with a broker)."""
    buyers = Organisation.objects.filter(agreements__supplier=supplier).values("pk")
    networks = Organisation.objects.filter(kind=OrganisationKind.NETWORK, network_members__in=buyers).values("pk")
    return Q(host__in=buyers) | Q(host__in=networks) | Q(host__kind=OrganisationKind.COMMUNITY)


def open_need_choice_list(*, member: Member) -> QuerySet[Need]:
    """Open needs a supplier (or grant holder) may name in a substitution: on the wish lists it may pledge to."""
    return Need.objects.open().filter(pledgeable_host_filter(member.organisation)).select_related("organisation")


def pledgeable_need_get(*, member: Member, pk: int) -> Need:
    """A published need on a wish list the supplier may pledge to (see `pledgeable_host_filter`)."""
    permission_require(member, Permission.PLEDGE)
    return get_object_or_404(
        Need.objects.public()
        .filter(pledgeable_host_filter(member.organisation))
        .select_related("organisation", "host")
        .prefetch_related("outcomes"),
        pk=pk,
    )


def commitment_choice_list(*, member: Member) -> QuerySet[Commitment]:
    """Active commitments of the supplier's agreements, to count a pledge against."""
    permission_require(member, Permission.PLEDGE)
    return (
        Commitment.objects.filter(agreement__supplier=member.organisation, state=CommitmentState.ACTIVE)
        .select_related("agreement__organisation", "measure__outcome")
        .order_by("agreement__reference", "due_date", "id")
    )


def own_pledge_list(*, member: Member) -> QuerySet[Pledge]:
    permission_require(member, Permission.PLEDGE)
    return Pledge.objects.filter(organisation=member.organisation).select_related(
        "need__host", "need__organisation", "commitment__agreement", "commitment__measure", "line"
    )


def own_pledge_get(*, member: Member, pk: int) -> Pledge:
    permission_require(member, Permission.PLEDGE)
    return get_object_or_404(
        Pledge.objects.select_related("need__host", "commitment__agreement", "commitment__measure"),
        organisation=member.organisation,
        pk=pk,
    )


def own_offer_list(*, member: Member) -> QuerySet[Offer]:
    permission_require(member, Permission.PLEDGE)
    return Offer.objects.filter(organisation=member.organisation).select_related("host", "taken_up_by")


@dataclass
class Outstanding:
    """What a supplier still owes: outcome codes, places, and the quantity left across its commitments."""

    outcomes: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    quantity: Decimal = Decimal("0")


def outstanding_for(supplier: Organisation) -> Outstanding:
    owed = Outstanding()
    commitments = Commitment.objects.filter(agreement__supplier=supplier, state=CommitmentState.ACTIVE).select_related(
        "measure__outcome"
    )
    for commitment in commitments:
        verified = ReturnLine.objects.filter(commitment=commitment).claimed().verified().total_quantity()
        left = commitment.target_quantity - verified
        if left <= 0:
            continue
        owed.outcomes.add(commitment.measure.outcome.code)
        if commitment.place_code:
            owed.places.add(commitment.place_code)
        if commitment.measure.unit != UnitKind.GBP:
            owed.quantity += left
    return owed


@dataclass(frozen=True)
class Match:
    need: Need
    score: MatchScore


def need_match_list(*, member: Member, limit: int = 10) -> list[Match]:
    """Open needs ranked for the supplier: outcomes in common with its unmet commitments, then place, then size."""
    permission_require(member, Permission.PLEDGE)
    owed = outstanding_for(member.organisation)
    if not owed.outcomes:
        return []
    matches = []
    needs = Need.objects.open().filter(pledgeable_host_filter(member.organisation)).distinct()
    for need in needs.select_related("host", "organisation").prefetch_related("outcomes"):
        score = match_score(
            need_outcomes={o.code for o in need.outcomes.all()},
            need_place=need.place_code,
            need_quantity=need.quantity,
            owed_outcomes=owed.outcomes,
            owed_places=owed.places,
            outstanding=owed.quantity,
        )
        if score.outcomes or score.place:
            matches.append(Match(need, score))
    matches.sort(key=lambda m: (m.score.key, -m.need.pk), reverse=True)
    return matches[:limit]


@dataclass(frozen=True)
class SupplierMatch:
    supplier: Organisation
    score: MatchScore


def supplier_match_list(*, need: Need, limit: int = 10) -> list[SupplierMatch]:
    """Suppliers with unmet commitments on the need's outcomes, nearby first."""
    codes = {o.code for o in need.outcomes.all()}
    if not codes:
        return []
    suppliers = Organisation.objects.filter(
        kind=OrganisationKind.SUPPLIER,
        supplied_agreements__commitments__state=CommitmentState.ACTIVE,
        supplied_agreements__commitments__measure__outcome__code__in=codes,
    ).distinct()
    found = []
    for supplier in suppliers:
        owed = outstanding_for(supplier)
        score = match_score(
            need_outcomes=codes,
            need_place=need.place_code,
            need_quantity=need.quantity,
            owed_outcomes=owed.outcomes,
            owed_places=owed.places,
            outstanding=owed.quantity,
        )
        if score.outcomes:
            found.append(SupplierMatch(supplier, score))
    found.sort(key=lambda m: (m.score.key, m.supplier.name), reverse=True)
    return found[:limit]


# --- Figures ---------------------------------------------------------------------------------------


@dataclass
class Figures:
    counts: dict[str, int]
    median_days: Decimal | None
    by_place: list[dict[str, Any]]
    by_outcome: list[dict[str, Any]]
    commitments: list[dict[str, Any]]


HOURS_UNITS = {"hour", "hours", "volunteer hours", "hrs"}


def figures_for(*, member: Member) -> Figures:
    """The host's wish list in figures: needs posted, approved, pledged, delivered and confirmed; the median
    days from published to confirmed; hours and £ confirmed by place and by outcome; and the commitments met
    through the wish list."""
    permission_require(member, Permission.READ_BROKERAGE_FIGURES)
    needs = Need.objects.filter(host=member.organisation).exclude(state=NeedState.DRAFT)
    reached = {
        "posted": needs.count(),
        "approved": needs.filter(
            state__in=[
                NeedState.APPROVED,
                NeedState.PUBLISHED,
                NeedState.PLEDGED,
                NeedState.DELIVERED,
                NeedState.CONFIRMED,
            ]
        ).count()
        + needs.filter(state=NeedState.EXPIRED, published_at__isnull=False).count(),
        "pledged": needs.filter(pledges__isnull=False).exclude(pledges__state=PledgeState.WITHDRAWN).distinct().count(),
        "delivered": needs.filter(pledges__state__in=[PledgeState.DELIVERED, PledgeState.CONFIRMED]).distinct().count(),
        "confirmed": needs.filter(state=NeedState.CONFIRMED).count(),
    }
    days = [
        Decimal((need.confirmed_at - need.published_at).total_seconds() / 86400).quantize(Decimal("0.1"))
        for need in needs.filter(state=NeedState.CONFIRMED, published_at__isnull=False, confirmed_at__isnull=False)
        if need.confirmed_at is not None and need.published_at is not None
    ]
    median = Decimal(statistics.median(days)).quantize(Decimal("0.1")) if days else None
    confirmed = (
        Pledge.objects.filter(need__host=member.organisation, state=PledgeState.CONFIRMED)
        .select_related("need", "commitment__agreement__supplier", "commitment__measure", "line")
        .prefetch_related("need__outcomes")
        .order_by("pk")
    )
    places: dict[str, dict[str, Decimal]] = defaultdict(lambda: {"hours": Decimal("0"), "money": Decimal("0")})
    outcomes: dict[str, dict[str, Any]] = {}
    commitments: dict[int, dict[str, Any]] = {}
    for pledge in confirmed:
        received = pledge.received_quantity or Decimal("0")
        hours = received if pledge.need.unit.strip().lower() in HOURS_UNITS else Decimal("0")
        share = received / pledge.need.quantity if pledge.need.quantity else Decimal("0")
        money = ((pledge.need.estimate or Decimal("0")) * share).quantize(Decimal("0.01"))
        places[pledge.need.place_code]["hours"] += hours
        places[pledge.need.place_code]["money"] += money
        for outcome in pledge.need.outcomes.all():
            row = outcomes.setdefault(
                outcome.code,
                {"code": outcome.code, "title": outcome.title, "hours": Decimal("0"), "money": Decimal("0")},
            )
            row["hours"] += hours
            row["money"] += money
        commitment = pledge.commitment
        row = commitments.setdefault(
            commitment.pk,
            {
                "agreement": commitment.agreement.reference,
                "supplier": commitment.agreement.supplier.name,
                "measure": commitment.measure.title,
                "target": commitment.target_quantity,
                "through_wish_list": Decimal("0"),
                "verified_through_wish_list": Decimal("0"),
                "pledges": [],
            },
        )
        row["through_wish_list"] += received
        if pledge.line is not None and pledge.line.status == "verified":
            row["verified_through_wish_list"] += pledge.line.quantity
        row["pledges"].append(pledge.reference)
    by_place = [
        {"place_code": code, "place": place_text(code), "hours": v["hours"], "money": v["money"]}
        for code, v in sorted(places.items(), key=lambda item: place_text(item[0]))
    ]
    return Figures(
        counts=reached,
        median_days=median,
        by_place=by_place,
        by_outcome=sorted(outcomes.values(), key=lambda row: row["code"]),
        commitments=list(commitments.values()),
    )


def figures_owner_require(member: Member) -> None:
    if member.organisation.kind not in HOST_KINDS:
        raise PermissionRefused("Only a wish list's host has figures.")


# --- The command line and tasks --------------------------------------------------------------------


def digest_supplier_list() -> QuerySet[Organisation]:
    """Suppliers with an active commitment (whether it is unmet is judged per supplier by the digest)."""
    return Organisation.objects.filter(
        kind=OrganisationKind.SUPPLIER, supplied_agreements__commitments__state=CommitmentState.ACTIVE
    ).distinct()


def expired_host_list(*, today: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        hosted_needs__expires_on__lt=today,
        hosted_needs__state__in=[NeedState.DRAFT, NeedState.SUBMITTED, NeedState.APPROVED, NeedState.PUBLISHED],
    ).distinct()
