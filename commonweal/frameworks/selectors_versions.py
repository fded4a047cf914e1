"""Reads for frameworks and their versions. A member sees its own organisation's frameworks and those shared with a
network it belongs to (read-only); every selector takes the member it reads for."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from .models import (
    Framework,
    FrameworkShare,
    FrameworkVersion,
    Measure,
    Outcome,
    Theme,
    UnitKind,
    ValueType,
    VersionStatus,
)


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
    return framework_list_for_organisation(organisation=member.organisation)


def framework_list_for_organisation(*, organisation: Organisation) -> QuerySet[Framework]:
    """The frameworks an organisation can read: its own, and those shared with a network it belongs to.
    For what an organisation has published (its plan on a page), read without a member."""
    networks = organisation.networks.all()
    return (
        Framework.objects.filter(Q(organisation=organisation) | Q(shares__network__in=networks))
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


# --- Versions, shares and the difference between versions -----------------------------------------


def framework_owned_list(*, member: Member) -> QuerySet[Framework]:
    return Framework.objects.filter(organisation=member.organisation).order_by("title")


def framework_shared_list(*, member: Member) -> QuerySet[FrameworkShare]:
    """Shares of other organisations' frameworks with the networks the member's organisation is in."""
    return (
        FrameworkShare.objects.filter(network__in=member.organisation.networks.all())
        .exclude(framework__organisation=member.organisation)
        .select_related("framework__organisation", "network")
        .order_by("framework__title", "network__name")
    )


def framework_version_list(*, member: Member, framework: Framework) -> QuerySet[FrameworkVersion]:
    """The versions of a framework the member can read, newest first: all of them for the owner,
    only published ones for organisations it is shared with."""
    framework = framework_get(member=member, pk=framework.pk)
    versions = FrameworkVersion.objects.filter(framework=framework).select_related("published_by")
    if framework.organisation_id != member.organisation.pk:
        versions = versions.filter(status=VersionStatus.PUBLISHED)
    return versions.order_by("-number")


def version_latest_published(*, framework: Framework) -> FrameworkVersion | None:
    return framework.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def version_draft(*, framework: Framework) -> FrameworkVersion | None:
    return framework.versions.filter(status=VersionStatus.DRAFT).first()


def framework_share_list(*, member: Member, framework: Framework) -> QuerySet[FrameworkShare]:
    """Who the member's own framework is shared with (other organisations never see this)."""
    framework = framework_owned_get(member=member, pk=framework.pk)
    return framework.shares.select_related("network", "shared_by").order_by("network__name")


def framework_share_get(*, member: Member, pk: int) -> FrameworkShare:
    try:
        return FrameworkShare.objects.select_related("framework", "network").get(
            pk=pk, framework__organisation=member.organisation
        )
    except FrameworkShare.DoesNotExist:
        raise Http404("No such share.") from None


def network_list(*, member: Member) -> QuerySet[Organisation]:
    """The networks the member's organisation belongs to."""
    return member.organisation.networks.order_by("name")


def version_owned_get(*, member: Member, pk: int) -> FrameworkVersion:
    """A version of a framework the member's organisation owns (for edits)."""
    try:
        return FrameworkVersion.objects.select_related("framework").get(pk=pk, organisation=member.organisation)
    except FrameworkVersion.DoesNotExist:
        raise Http404("No such framework version.") from None


def theme_owned_get(*, member: Member, pk: int) -> Theme:
    try:
        return Theme.objects.select_related("version__framework").get(pk=pk, organisation=member.organisation)
    except Theme.DoesNotExist:
        raise Http404("No such theme.") from None


def outcome_owned_get(*, member: Member, pk: int) -> Outcome:
    try:
        return Outcome.objects.select_related("version__framework", "theme").get(
            pk=pk, organisation=member.organisation
        )
    except Outcome.DoesNotExist:
        raise Http404("No such outcome.") from None


def measure_owned_get(*, member: Member, pk: int) -> Measure:
    try:
        return Measure.objects.select_related("version__framework", "outcome__theme").get(
            pk=pk, organisation=member.organisation
        )
    except Measure.DoesNotExist:
        raise Http404("No such measure.") from None


@dataclass(frozen=True)
class OutcomeNode:
    outcome: Outcome
    measures: list[Measure]


@dataclass(frozen=True)
class ThemeNode:
    theme: Theme
    outcomes: list[OutcomeNode]


def version_tree(*, version: FrameworkVersion) -> list[ThemeNode]:
    """Themes → outcomes → measures of a version, each level in its order, in three queries."""
    ordered = ("position", "code")
    themes = version.themes.order_by(*ordered).prefetch_related(
        Prefetch(
            "outcomes",
            queryset=Outcome.objects.order_by(*ordered).prefetch_related(
                Prefetch("measures", queryset=Measure.objects.order_by(*ordered))
            ),
        )
    )
    return [
        ThemeNode(
            theme=theme,
            outcomes=[
                OutcomeNode(outcome=outcome, measures=list(outcome.measures.all())) for outcome in theme.outcomes.all()
            ],
        )
        for theme in themes
    ]


DiffKey = tuple[str, str]  # (kind, code)
KINDS = ("theme", "outcome", "measure")
DIFF_FIELDS: dict[str, tuple[str, ...]] = {
    "theme": ("title", "description"),
    "outcome": ("title", "description", "parent"),
    "measure": ("title", "description", "unit", "counting_rule", "evidence_required", "value_type", "parent"),
}
FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "unit": "Unit",
    "counting_rule": "Counting rule",
    "evidence_required": "Evidence required",
    "value_type": "Value type",
    "parent": "Belongs to",
}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "unit": dict(UnitKind.choices),
    "value_type": dict(ValueType.choices),
}


@dataclass(frozen=True)
class DiffItem:
    """An item as it stands in one version; `parent` is the code of its theme or outcome."""

    kind: str
    code: str
    title: str
    parent: str
    values: dict[str, str]

    @property
    def kind_label(self) -> str:
        return self.kind.capitalize()


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.field]

    @property
    def before_display(self) -> str:
        return CHOICE_LABELS.get(self.field, {}).get(self.before, self.before)

    @property
    def after_display(self) -> str:
        return CHOICE_LABELS.get(self.field, {}).get(self.after, self.after)


@dataclass(frozen=True)
class ItemChange:
    kind: str
    code: str
    title: str  # as it is in the newer version
    fields: dict[str, FieldChange]

    @property
    def kind_label(self) -> str:
        return self.kind.capitalize()


@dataclass(frozen=True)
class VersionDiff:
    """What changed from `old` to `new`, item by item, keyed by (kind, code)."""

    old: FrameworkVersion
    new: FrameworkVersion
    added: dict[DiffKey, DiffItem]
    removed: dict[DiffKey, DiffItem]
    changed: dict[DiffKey, ItemChange]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _diff_items(version: FrameworkVersion) -> dict[DiffKey, DiffItem]:
    items: dict[DiffKey, DiffItem] = {}
    for node in version_tree(version=version):
        theme = node.theme
        items[("theme", theme.code)] = DiffItem(
            "theme", theme.code, theme.title, "", {"title": theme.title, "description": theme.description}
        )
        for outcome_node in node.outcomes:
            outcome = outcome_node.outcome
            items[("outcome", outcome.code)] = DiffItem(
                "outcome",
                outcome.code,
                outcome.title,
                theme.code,
                {"title": outcome.title, "description": outcome.description, "parent": theme.code},
            )
            for measure in outcome_node.measures:
                items[("measure", measure.code)] = DiffItem(
                    "measure",
                    measure.code,
                    measure.title,
                    outcome.code,
                    {
                        "title": measure.title,
                        "description": measure.description,
                        "unit": measure.unit,
                        "counting_rule": measure.counting_rule,
                        "evidence_required": measure.evidence_required,
                        "value_type": measure.value_type,
                        "parent": outcome.code,
                    },
                )
    return items


def version_diff(*, old: FrameworkVersion, new: FrameworkVersion) -> VersionDiff:
    """Items added in `new`, removed from `old`, and changed between them (field by field, with the
    value before and after). Items are matched by kind and code, which stay the same across versions."""
    before, after = _diff_items(old), _diff_items(new)
    changed: dict[DiffKey, ItemChange] = {}
    for key, new_item in after.items():
        old_item = before.get(key)
        if old_item is None:
            continue
        fields = {
            field: FieldChange(field, old_item.values[field], new_item.values[field])
            for field in DIFF_FIELDS[key[0]]
            if old_item.values[field] != new_item.values[field]
        }
        if fields:
            changed[key] = ItemChange(key[0], key[1], new_item.title, fields)

    def by_kind(items: dict[DiffKey, Any]) -> dict[DiffKey, Any]:
        # Themes, then outcomes, then measures, each in the order of their version.
        return dict(sorted(items.items(), key=lambda pair: KINDS.index(pair[0][0])))

    return VersionDiff(
        old=old,
        new=new,
        added=by_kind({key: item for key, item in after.items() if key not in before}),
        removed=by_kind({key: item for key, item in before.items() if key not in after}),
        changed=by_kind(changed),
    )


@dataclass(frozen=True)
class FrameworkRow:
    """A framework on the list page: its newest published version, its draft (owners only) and, for a
    framework another organisation shares, the member's networks it is shared with."""

    framework: Framework
    published: FrameworkVersion | None
    draft: FrameworkVersion | None
    networks: list[Organisation]


@dataclass(frozen=True)
class FrameworkOverview:
    own: list[FrameworkRow]
    shared: list[FrameworkRow]


def _newest(versions: list[FrameworkVersion], status: str) -> FrameworkVersion | None:
    matching = [version for version in versions if version.status == status]
    return max(matching, key=lambda version: version.number) if matching else None


def framework_overview(*, member: Member) -> FrameworkOverview:
    own = [
        FrameworkRow(
            framework=framework,
            published=_newest(list(framework.versions.all()), VersionStatus.PUBLISHED),
            draft=_newest(list(framework.versions.all()), VersionStatus.DRAFT),
            networks=[],
        )
        for framework in framework_owned_list(member=member).prefetch_related("versions")
    ]
    networks: dict[int, list[Organisation]] = {}
    frameworks: dict[int, Framework] = {}
    for share in framework_shared_list(member=member):
        frameworks[share.framework_id] = share.framework
        networks.setdefault(share.framework_id, []).append(share.network)
    published: dict[int, FrameworkVersion] = {}
    for version in FrameworkVersion.objects.filter(framework__in=list(frameworks), status=VersionStatus.PUBLISHED):
        if version.framework_id not in published or version.number > published[version.framework_id].number:
            published[version.framework_id] = version
    shared = [
        FrameworkRow(framework=framework, published=published.get(pk), draft=None, networks=networks[pk])
        for pk, framework in frameworks.items()
    ]
    return FrameworkOverview(own=own, shared=shared)
