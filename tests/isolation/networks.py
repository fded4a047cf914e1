"""Isolation registrations for anchor networks (commonweal/networks/urls.py, commonweal/api/networks.py).

Each tenant's buyer is an active member of its own network (sharing agreement-level detail), is invited to
a second one, and is a partner in a joint programme; the network has a submitted metric and a published
quarterly report. The member's pages take the buyer's slug: its manager (also its social value lead)
reaches them, its supplier contact does not. The coordinator's pages take the network's slug, which
neither of tenant A's people belongs to: they get a 404 there too, as tenant B's people do (the
coordinator's own access and what consent lets it see are in tests/test_networks_isolation.py). The
public network pages are public once a report is published (tests/test_networks.py)."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model

from commonweal.networks import services_membership, services_metrics, services_programmes, services_reports
from commonweal.networks.models import MetricKind, NetworkMembership, NetworkReport, ProgrammePartner, SharedMetric
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import member_access
from tests import factories
from tests.conftest import Tenant

MEMBER_ROUTES = [
    "networks:membership-detail",
    "networks:membership-answer",
    "networks:membership-sharing",
    "networks:figure-submit",
    "networks:pledge-set",
]
REPORT_ROUTES = [
    "networks:report-detail",
    "networks:report-pdf",
    "networks:report-csv",
    "networks:report-xlsx",
    "networks:report-json",
    "api:network-report-detail",
]
COORDINATOR_ROUTES = [
    "networks:dashboard",
    "networks:member-invite",
    "networks:metric-create",
    "networks:metric-detail",
    "networks:programme-create",
    "networks:report-list",
    "api:network-figures",
    "api:network-report-list",
    *REPORT_ROUTES,
]
COORDINATOR_POSTS = [
    "networks:member-invite",
    "networks:metric-create",
    "networks:metric-detail",
    "networks:programme-create",
    "networks:report-list",
]

PK_MODELS: dict[str, type[Model]] = {
    **{name: NetworkMembership for name in MEMBER_ROUTES},
    "networks:participant-record": ProgrammePartner,
    "networks:metric-detail": SharedMetric,
    **{name: NetworkReport for name in REPORT_ROUTES},
}

OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    **{
        name: {"supplier": 404}
        for name in [
            *MEMBER_ROUTES,
            "networks:participant-record",
            "networks:member-list",
            "api:network-membership-list",
        ]
    },
    **{name: {"manager": 404, "supplier": 404} for name in COORDINATOR_ROUTES},
}
OWNER_POST: dict[str, tuple[str, int]] = {
    **{name: ("manager", 302) for name in [*MEMBER_ROUTES[1:], "networks:participant-record"]},
    **{name: ("manager", 404) for name in COORDINATOR_POSTS},
}
POST_WRITES_NOTHING: dict[str, str] = {
    name: "only the network's coordinator changes it: tenant A's manager, not one, gets a 404"
    for name in COORDINATOR_POSTS
}
NOT_TENANT_SCOPED: dict[str, str] = {
    "network-public:page": "a network's public page, for anyone once it publishes a report",
    "network-public:report": "a published network report, for anyone",
    "network-public:report-pdf": "a published network report as a PDF, for anyone",
    "network-public:report-csv": "a published network report's figures, for anyone",
    "network-public:report-json": "a published network report as JSON, for anyone",
}

LEAK_MARKERS = ["Tenant A anchors network", "Tenant A metric of staff trained", "Tenant A joint programme"]


def network_slug(tenant: Tenant) -> str:
    return f"{tenant.buyer.slug}-anchors"


def _network(tenant: Tenant, label: str) -> dict[Any, int]:
    network = factories.NetworkFactory.create(name=f"{label} anchors network", slug=network_slug(tenant))
    invited_to = factories.NetworkFactory.create(name=f"{label} second network")
    coordinator = factories.member_user(network, Role.NETWORK_COORDINATOR)
    other_coordinator = factories.member_user(invited_to, Role.NETWORK_COORDINATOR)
    coordinating = member_access(user=coordinator, slug=network.slug)
    lead = tenant.manager_member()
    membership = services_membership.member_invite(actor=coordinator, member=coordinating, organisation=tenant.buyer)
    services_membership.invitation_answer(actor=tenant.manager, member=lead, membership=membership, accept=True)
    services_membership.sharing_set(
        actor=tenant.manager, member=lead, membership=membership, sharing="detail", named_in_benchmarks=False
    )
    invitation = services_membership.member_invite(
        actor=other_coordinator,
        member=member_access(user=other_coordinator, slug=invited_to.slug),
        organisation=tenant.buyer,
    )
    metric = services_metrics.metric_create(
        actor=coordinator,
        member=coordinating,
        code="trained",
        title=f"{label} metric of staff trained",
        kind=MetricKind.SUBMITTED,
        unit="people",
    )
    services_metrics.figure_submit(
        actor=tenant.manager, member=lead, metric=metric, quarter="2026Q2", value=Decimal("12")
    )
    programme = services_programmes.programme_create(
        actor=coordinator,
        member=coordinating,
        title=f"{label} joint programme",
        description="",
        shares={tenant.buyer: Decimal("100")},
    )
    report = services_reports.report_publish(actor=coordinator, member=coordinating, quarter="2026Q2")
    return {
        NetworkMembership: membership.pk,
        "networks:membership-answer": invitation.pk,
        ProgrammePartner: programme.partners.get().pk,
        SharedMetric: metric.pk,
        NetworkReport: report.pk,
    }


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    objects = _network(a, "Tenant A")
    _network(b, "Tenant B")
    return objects


def post_data(tenant: Tenant) -> dict[str, Any]:
    """Accept the second invitation, share aggregates only, a figure and a pledge on the submitted metric,
    and a participant's referral."""
    metric = SharedMetric.objects.filter(network__slug=network_slug(tenant)).values_list("pk", flat=True).first()
    day = datetime.date(2026, 7, 1)
    return {
        "nw-answer": "accept",
        "nw-sharing": "aggregates",
        "nw-named_in_benchmarks": "on",
        "nw-metric": metric or "",
        "nw-quarter": "2026Q3",
        "nw-value": "5",
        "nw-baseline": "0",
        "nw-target": "10",
        "nw-target_date_day": "31",
        "nw-target_date_month": "3",
        "nw-target_date_year": "2027",
        "nw-participant_id": "T-1",
        "nw-stage": "referral",
        "nw-reached_on_day": str(day.day),
        "nw-reached_on_month": str(day.month),
        "nw-reached_on_year": str(day.year),
    }
