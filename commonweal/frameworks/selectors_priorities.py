"""Reads for local priorities, the proportionality policy, proposed asks and the plan on a page.

Selectors for pages take the member they read for. The plan on a page is read by organisation, and
only once the organisation has published it (explicit publication, never a relaxed filter).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404

from commonweal.reporting.models import Consultation
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from .models import (
    FocusArea,
    Framework,
    FrameworkVersion,
    Outcome,
    OutcomePriority,
    PlanPublication,
    PriorityGroup,
    ProportionalityBand,
    ProportionalityPolicy,
    SupplierSize,
    VersionStatus,
)
from .proportionality import Ask, KpiRule, PriorityOutcome, ask_propose, band_describe, kpi_rule_default
from .selectors_versions import framework_list, framework_list_for_organisation


@dataclass(frozen=True)
class OutcomeWeightRow:
    """One outcome of a framework's latest published version and the organisation's weight on it."""

    outcome: Outcome
    priority: OutcomePriority | None


@dataclass(frozen=True)
class FrameworkPriorities:
    framework: Framework
    version: FrameworkVersion | None
    outcomes: list[PriorityOutcome]  # weighted outcomes, highest weight first


@dataclass(frozen=True)
class BandRow:
    band: ProportionalityBand
    scope: str  # which contracts the band is for, in words


@dataclass(frozen=True)
class PlanOnAPage:
    organisation: Organisation
    publication: PlanPublication | None
    priorities: list[FrameworkPriorities]
    focus_areas: list[FocusArea]
    priority_groups: list[PriorityGroup]
    policy: ProportionalityPolicy | None
    bands: list[BandRow]
    kpi_rule: KpiRule

    @property
    def published_at(self) -> datetime | None:
        return self.publication.published_at if self.publication else None


def framework_version_latest_published(*, framework: Framework) -> FrameworkVersion | None:
    return framework.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def framework_outcome_weight_list(*, member: Member, framework: Framework) -> list[OutcomeWeightRow]:
    """The outcomes of the framework's latest published version, each with the member's
    organisation's weight on it (or None). The framework comes from `framework_get`."""
    version = framework_version_latest_published(framework=framework)
    if version is None:
        return []
    priorities = {
        p.outcome_code: p for p in OutcomePriority.objects.filter(organisation=member.organisation, framework=framework)
    }
    outcomes = Outcome.objects.filter(version=version).select_related("theme").order_by("theme__position", "position")
    return [OutcomeWeightRow(outcome=outcome, priority=priorities.get(outcome.code)) for outcome in outcomes]


def consultation_opened_ids(*, organisation: Organisation) -> list[int]:
    """The organisation's consultations opened to the public: a weight may cite one as its reason."""
    return list(
        Consultation.objects.filter(organisation=organisation, published_at__isnull=False).values_list("pk", flat=True)
    )


def consultation_choice_list(*, member: Member) -> list[tuple[int, str]]:
    return list(
        Consultation.objects.filter(organisation=member.organisation, published_at__isnull=False)
        .order_by("-opens_on")
        .values_list("pk", "title")
    )


def _priority_outcomes(*, organisation: Organisation, frameworks: QuerySet[Framework]) -> list[FrameworkPriorities]:
    """Each framework the organisation has weighted, with its weighted outcomes titled from the
    latest published version. A weight on an outcome that version no longer has is left out."""
    rows = []
    weighted = frameworks.filter(priorities__organisation=organisation).distinct().order_by("title")
    for framework in weighted:
        version = framework_version_latest_published(framework=framework)
        titles = dict(Outcome.objects.filter(version=version).values_list("code", "title")) if version else {}
        outcomes = [
            PriorityOutcome(
                framework_code=framework.code,
                framework_title=framework.title,
                code=priority.outcome_code,
                title=titles[priority.outcome_code],
                weight=priority.weight,
                reason=priority.reason,
                consultation_id=priority.consultation_id,
                consultation_title=priority.consultation.title if priority.consultation else "",
            )
            for priority in OutcomePriority.objects.filter(
                organisation=organisation, framework=framework
            ).select_related("consultation")
            if priority.outcome_code in titles
        ]
        rows.append(FrameworkPriorities(framework=framework, version=version, outcomes=outcomes))
    return rows


def framework_priorities_list(*, member: Member) -> list[FrameworkPriorities]:
    return _priority_outcomes(organisation=member.organisation, frameworks=framework_list(member=member))


def priority_outcome_list(*, member: Member) -> list[PriorityOutcome]:
    """Every weighted outcome across the member's frameworks: the choices for a proposed ask."""
    return [outcome for row in framework_priorities_list(member=member) for outcome in row.outcomes]


def focus_area_list(*, member: Member) -> QuerySet[FocusArea]:
    return FocusArea.objects.filter(organisation=member.organisation).order_by("name")


def focus_area_get(*, member: Member, pk: int) -> FocusArea:
    try:
        return focus_area_list(member=member).get(pk=pk)
    except FocusArea.DoesNotExist:
        raise Http404("No such focus area.") from None


def priority_group_list(*, member: Member) -> QuerySet[PriorityGroup]:
    return PriorityGroup.objects.filter(organisation=member.organisation).order_by("name")


def priority_group_get(*, member: Member, pk: int) -> PriorityGroup:
    try:
        return priority_group_list(member=member).get(pk=pk)
    except PriorityGroup.DoesNotExist:
        raise Http404("No such priority group.") from None


def policy_get(*, member: Member) -> ProportionalityPolicy | None:
    return ProportionalityPolicy.objects.filter(organisation=member.organisation).first()


def band_list(*, member: Member) -> QuerySet[ProportionalityBand]:
    return ProportionalityBand.objects.filter(organisation=member.organisation).order_by("position")


def band_row_list(*, member: Member) -> list[BandRow]:
    return [BandRow(band=band, scope=band_describe(band)) for band in band_list(member=member)]


def band_get(*, member: Member, pk: int) -> ProportionalityBand:
    try:
        return band_list(member=member).get(pk=pk)
    except ProportionalityBand.DoesNotExist:
        raise Http404("No such band.") from None


def ask_for(
    *,
    member: Member,
    value: Decimal | str | int,
    category: str,
    months: int | str,
    supplier_size: str = SupplierSize.ANY,
    description: str = "",
) -> Ask:
    """The ask the member's organisation's policy proposes for a planned procurement. Nothing is stored."""
    return ask_propose(
        bands=list(band_list(member=member)),
        value=value,
        category=category,
        months=months,
        supplier_size=supplier_size,
        description=description,
        outcome_priorities=priority_outcome_list(member=member),
    )


def plan_publication_get(*, member: Member) -> PlanPublication | None:
    return PlanPublication.objects.filter(organisation=member.organisation).first()


def _plan_build(*, organisation: Organisation, frameworks: QuerySet[Framework]) -> PlanOnAPage:
    bands = ProportionalityBand.objects.filter(organisation=organisation).order_by("position")
    return PlanOnAPage(
        organisation=organisation,
        publication=PlanPublication.objects.filter(organisation=organisation).first(),
        priorities=[
            row for row in _priority_outcomes(organisation=organisation, frameworks=frameworks) if row.outcomes
        ],
        focus_areas=list(FocusArea.objects.filter(organisation=organisation).order_by("name")),
        priority_groups=list(PriorityGroup.objects.filter(organisation=organisation).order_by("name")),
        policy=ProportionalityPolicy.objects.filter(organisation=organisation).first(),
        bands=[BandRow(band=band, scope=band_describe(band)) for band in bands],
        kpi_rule=kpi_rule_default(),
    )


def plan_preview(*, member: Member) -> PlanOnAPage:
    """The plan as it would be published: for the organisation's own people, published or not."""
    return _plan_build(organisation=member.organisation, frameworks=framework_list(member=member))


def plan_public_get(*, slug: str) -> PlanOnAPage:
    """A published plan, for anyone. Until the organisation publishes it, it does not exist (404)."""
    publication = (
        PlanPublication.objects.filter(organisation__slug=slug, published_at__isnull=False)
        .select_related("organisation")
        .first()
    )
    if publication is None:
        raise Http404("No such plan.")
    organisation = publication.organisation
    # Priorities on frameworks the organisation owns or that are shared with its networks, as its own
    # people see them; weights are the organisation's own rows either way.
    return _plan_build(organisation=organisation, frameworks=framework_list_for_organisation(organisation=organisation))
