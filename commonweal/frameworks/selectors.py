"""Reads for frameworks. A member sees its own organisation's frameworks and those shared with a
network it belongs to (read-only); every selector takes the member it reads for."""

from django.db.models import Q, QuerySet
from django.http import Http404

from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from .models import Framework, FrameworkVersion, Measure, VersionStatus


def framework_version_current(*, organisation: Organisation) -> FrameworkVersion | None:
    """The organisation's most recently published version of any of its frameworks."""
    return (
        FrameworkVersion.objects.filter(organisation=organisation, status=VersionStatus.PUBLISHED)
        .select_related("framework")
        .order_by("-published_at")
        .first()
    )


def measure_list(*, version: FrameworkVersion) -> QuerySet[Measure]:
    return Measure.objects.filter(version=version).select_related("outcome__theme")


def framework_list(*, member: Member) -> QuerySet[Framework]:
    """Own frameworks, and frameworks shared with any network the organisation belongs to."""
    networks = member.organisation.networks.all()
    return (
        Framework.objects.filter(Q(organisation=member.organisation) | Q(shares__network__in=networks))
        .select_related("organisation")
        .distinct()
        .order_by("title")
    )


def framework_get(*, member: Member, pk: int) -> Framework:
    try:
        return framework_list(member=member).get(pk=pk)
    except Framework.DoesNotExist:
        raise Http404("No such framework.") from None


def framework_version_get(*, member: Member, pk: int) -> FrameworkVersion:
    """A version the member can read. Drafts of another organisation are never visible."""
    visible = framework_list(member=member)
    try:
        version = FrameworkVersion.objects.select_related("framework__organisation").get(pk=pk, framework__in=visible)
    except FrameworkVersion.DoesNotExist:
        raise Http404("No such framework version.") from None
    if version.organisation_id != member.organisation.pk and not version.is_published:
        raise Http404("No such framework version.")
    return version


def framework_owned_get(*, member: Member, pk: int) -> Framework:
    """A framework the member's organisation owns (for edits); shared frameworks answer 404."""
    try:
        return Framework.objects.get(pk=pk, organisation=member.organisation)
    except Framework.DoesNotExist:
        raise Http404("No such framework.") from None
