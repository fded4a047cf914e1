"""Reads of the network's figures: the coordinator's dashboard (worked out live), published quarterly
reports (as published, marked where a member has withdrawn since), and the public network page."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from commonweal.reporting.selectors_public import hub_get
from commonweal.tenancy.models import Organisation, OrganisationKind
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .figures import Computed, LeftOut, network_figures
from .models import NetworkMembership, NetworkReport
from .rules import Quarter


def quarter_current() -> Quarter:
    return Quarter.of(timezone.localdate())


def dashboard_figures(*, member: Member, quarter: Quarter) -> Computed:
    """The coordinator's figures: agreement-level detail only of members that share it."""
    permission_require(member, Permission.READ_NETWORK)
    return network_figures(network=member.organisation, quarter=quarter, include_detail=True)


def member_left_out(*, membership: NetworkMembership, quarter: Quarter) -> list[LeftOut]:
    """The member's own lines the one count left out: said only to the member, naming only its own lines."""
    if not membership.shares:
        return []
    computed = network_figures(network=membership.network, quarter=quarter)
    return computed.left_out.get(membership.organisation_id, [])


@dataclass
class ReportView:
    report: NetworkReport
    figures: dict[str, Any]
    withdrawn: list[tuple[str, datetime]] = field(default_factory=list)  # members that withdrew since

    @property
    def quarter(self) -> Quarter:
        return Quarter.parse(self.report.quarter)


def report_view(report: NetworkReport) -> ReportView:
    counted = {m["organisation_id"] for m in report.figures.get("members", []) if m["sharing"] != "none"}
    withdrawn = [
        (membership.organisation.name, membership.withdrawn_at)
        for membership in NetworkMembership.objects.filter(
            network_id=report.network_id,
            organisation_id__in=counted,
            withdrawn_at__gt=report.published_at,
        ).select_related("organisation")
        if membership.withdrawn_at is not None
    ]
    return ReportView(report=report, figures=report.figures, withdrawn=withdrawn)


def report_list(*, member: Member) -> QuerySet[NetworkReport]:
    permission_require(member, Permission.READ_NETWORK)
    return NetworkReport.objects.filter(network=member.organisation)


def report_get(*, member: Member, pk: int) -> NetworkReport:
    report = report_list(member=member).filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    return report


def member_report_list(*, membership: NetworkMembership) -> QuerySet[NetworkReport]:
    """The published reports of a network the member belongs to."""
    if not membership.is_active:
        return NetworkReport.objects.none()
    return NetworkReport.objects.filter(network=membership.network)


# --- The public network page -----------------------------------------------------------------------


def public_network_get(*, slug: str) -> Organisation:
    """A network with at least one published report, for anyone; a 404 before its first."""
    network = Organisation.objects.filter(slug=slug, kind=OrganisationKind.NETWORK).first()
    if network is None or not NetworkReport.objects.filter(network=network).exists():
        raise Http404("No such network.")
    return network


def public_report_list(*, network: Organisation) -> QuerySet[NetworkReport]:
    return NetworkReport.objects.filter(network=network)


def public_report_get(*, network: Organisation, pk: int) -> NetworkReport:
    report = public_report_list(network=network).filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    return report


def public_story_list(*, network: Organisation) -> list[dict[str, Any]]:
    """Stories the network's members published on their own public hubs (as published there)."""
    stories = []
    for membership in NetworkMembership.objects.filter(network=network, state="active").select_related("organisation"):
        try:
            hub = hub_get(slug=membership.organisation.slug)
        except Http404:
            continue
        for story in hub.snapshot.get("stories", []):
            stories.append(
                {**story, "member": membership.organisation.name, "member_slug": membership.organisation.slug}
            )
    return stories
