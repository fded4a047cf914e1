"""Reads about shared metrics: the coordinator's metrics and a member's view of the metrics of a network it
belongs to (its own submissions and pledges only)."""

from django.db.models import QuerySet
from django.http import Http404

from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import MetricSubmission, NetworkMembership, Pledge, SharedMetric


def metric_list(*, member: Member) -> QuerySet[SharedMetric]:
    permission_require(member, Permission.READ_NETWORK)
    return SharedMetric.objects.filter(network=member.organisation).prefetch_related("crosswalks__organisation")


def metric_get(*, member: Member, pk: int) -> SharedMetric:
    metric = metric_list(member=member).filter(pk=pk).first()
    if metric is None:
        raise Http404("No such metric.")
    return metric


def member_metric_list(*, membership: NetworkMembership) -> QuerySet[SharedMetric]:
    """The metrics of the membership's network, for the member (an active member only)."""
    if not membership.is_active:
        return SharedMetric.objects.none()
    return SharedMetric.objects.filter(network=membership.network)


def member_metric_get(*, membership: NetworkMembership, pk: int) -> SharedMetric:
    metric = member_metric_list(membership=membership).filter(pk=pk).first()
    if metric is None:
        raise Http404("No such metric.")
    return metric


def own_submission_list(*, membership: NetworkMembership) -> QuerySet[MetricSubmission]:
    return (
        MetricSubmission.objects.filter(metric__network=membership.network, organisation=membership.organisation)
        .select_related("metric")
        .order_by("-quarter", "metric__title")
    )


def own_pledge_list(*, membership: NetworkMembership) -> QuerySet[Pledge]:
    return Pledge.objects.filter(
        metric__network=membership.network, organisation=membership.organisation
    ).select_related("metric")
