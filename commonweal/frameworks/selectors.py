"""Reads for frameworks."""

from django.db.models import QuerySet

from commonweal.tenancy.models import Organisation

from .models import FrameworkVersion, Measure, VersionStatus


def framework_version_current(*, organisation: Organisation) -> FrameworkVersion | None:
    return (
        FrameworkVersion.objects.filter(organisation=organisation, status=VersionStatus.PUBLISHED)
        .select_related("framework")
        .order_by("-published_at")
        .first()
    )


def measure_list(*, version: FrameworkVersion) -> QuerySet[Measure]:
    return Measure.objects.filter(version=version).select_related("outcome__theme")
