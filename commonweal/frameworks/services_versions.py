"""Writes for framework versions: forking, starting from a template, drafting, editing and publishing
versions, and sharing frameworks with networks. Only a social value lead writes; all audited."""

import re
from collections.abc import Callable
from typing import Any

from django.core.validators import slug_re
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .interchange import document_load, template_list
from .models import (
    Framework,
    FrameworkShare,
    FrameworkVersion,
    Measure,
    Outcome,
    Theme,
    UnitKind,
    ValueType,
    Verification,
    VersionStatus,
)
from .services_interchange import framework_import

# --- Versions, forks, draft editing and sharing ----------------------------------------------------
# Every write below takes the `member` acting, requires Permission.MANAGE_FRAMEWORKS, refuses unless the
# member's organisation owns the framework, and records one audit event.

PUBLISHED_UNCHANGEABLE = "A published version never changes. Create a new draft to edit it."
ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
ITEM_CODE_MAX = 30
TITLE_MAX = 300
FRAMEWORK_TITLE_MAX = 200
FRAMEWORK_CODE_MAX = 60
SOURCE_NOTE_MAX = 500
ADAPTED_FROM = "Adapted from: "
THEME_FIELDS = ["code", "title", "description", "verification", "source_note", "position"]
OUTCOME_FIELDS = [*THEME_FIELDS, "theme"]
MEASURE_FIELDS = [
    *THEME_FIELDS,
    "outcome",
    "unit",
    "counting_rule",
    "evidence_required",
    "value_type",
]


def _require_own(member: Member, framework: Framework) -> None:
    if framework.organisation_id != member.organisation.pk:
        raise ApplicationError("This framework belongs to another organisation: fork it to make your own copy.")


def _draft_lock(member: Member, version: FrameworkVersion) -> FrameworkVersion:
    """The version, locked for the rest of the transaction, if it is a draft of the member's organisation."""
    _require_own(member, version.framework)
    locked = FrameworkVersion.objects.select_for_update().select_related("framework").get(pk=version.pk)
    if locked.is_published:
        raise ApplicationError(PUBLISHED_UNCHANGEABLE)
    return locked


def _clean_title(title: str, *, field: str = "title", limit: int = TITLE_MAX) -> str:
    title = " ".join(title.split())
    if not title:
        raise ApplicationError("Enter a title.", field_errors={field: "Enter a title"})
    if len(title) > limit:
        raise ApplicationError(
            "The title is too long.", field_errors={field: f"Title must be {limit} characters or fewer"}
        )
    return title


def _clean_item_code(code: str) -> str:
    code = code.strip()
    if not code:
        raise ApplicationError("Enter a code.", field_errors={"code": "Enter a code, like JOBS.1.3"})
    if len(code) > ITEM_CODE_MAX or not ITEM_CODE.match(code):
        raise ApplicationError(
            "The code is not valid.",
            field_errors={
                "code": f"Code must be {ITEM_CODE_MAX} characters or fewer, using only letters, numbers, "
                "full stops, hyphens and underscores, like JOBS.1.3"
            },
        )
    return code


def _clean_unit(unit: str) -> str:
    if unit not in UnitKind.values:
        raise ApplicationError(
            "Choose a unit.",
            field_errors={"unit": f"Choose a unit from the list: {', '.join(UnitKind.labels)}"},
        )
    return unit


def _clean_value_type(value_type: str) -> str:
    if value_type not in ValueType.values:
        raise ApplicationError(
            "Choose what kind of value this measure counts.",
            field_errors={"value_type": "Choose local economic value or additional social value"},
        )
    return value_type


def _next_position(items: Any) -> int:
    highest = items.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def _reworded(item: Theme | Outcome | Measure) -> None:
    """The organisation has changed the wording: the item is now its own, adapted from its source."""
    if item.verification == Verification.LOCAL:
        return
    item.verification = Verification.LOCAL
    if item.source_note and not item.source_note.startswith(ADAPTED_FROM):
        item.source_note = (ADAPTED_FROM + item.source_note)[:SOURCE_NOTE_MAX]


def _delete_unused(item: Theme | Outcome | Measure) -> None:
    try:
        item.delete()
    except ProtectedError:
        raise ApplicationError(
            f"{item.code} cannot be removed: an agreement uses it. Agreements should use published versions."
        ) from None


def _copy_tree(*, source: FrameworkVersion, target: FrameworkVersion) -> None:
    """Copy every theme, outcome and measure of `source` into `target`, with its provenance and order."""
    organisation = target.organisation
    themes: dict[int, Theme] = {}
    for theme in source.themes.order_by("position", "code"):
        themes[theme.pk] = Theme.objects.create(
            organisation=organisation,
            version=target,
            code=theme.code,
            title=theme.title,
            description=theme.description,
            verification=theme.verification,
            source_note=theme.source_note,
            position=theme.position,
        )
    outcomes: dict[int, Outcome] = {}
    for outcome in source.outcomes.order_by("position", "code"):
        outcomes[outcome.pk] = Outcome.objects.create(
            organisation=organisation,
            version=target,
            theme=themes[outcome.theme_id],
            code=outcome.code,
            title=outcome.title,
            description=outcome.description,
            verification=outcome.verification,
            source_note=outcome.source_note,
            position=outcome.position,
        )
    Measure.objects.bulk_create(
        Measure(
            organisation=organisation,
            version=target,
            outcome=outcomes[measure.outcome_id],
            code=measure.code,
            title=measure.title,
            description=measure.description,
            verification=measure.verification,
            source_note=measure.source_note,
            position=measure.position,
            unit=measure.unit,
            counting_rule=measure.counting_rule,
            evidence_required=measure.evidence_required,
            value_type=measure.value_type,
        )
        for measure in source.measures.order_by("position", "code")
    )


def _version_counts(version: FrameworkVersion) -> dict[str, int]:
    return {
        "themes": version.themes.count(),
        "outcomes": version.outcomes.count(),
        "measures": version.measures.count(),
    }


def _readable_by(member: Member, version: FrameworkVersion) -> bool:
    framework = version.framework
    if framework.organisation_id == member.organisation.pk:
        return True
    return version.is_published and framework.shares.filter(network__in=member.organisation.networks.all()).exists()


def _new_framework_names(member: Member, code: str, title: str) -> tuple[str, str]:
    """A code and title for a new framework of the member's organisation; codes are unique in it."""
    code = code.strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = "Enter a code, like local-framework"
    elif len(code) > FRAMEWORK_CODE_MAX or not slug_re.match(code):
        errors["code"] = (
            f"Code must be {FRAMEWORK_CODE_MAX} characters or fewer, using only letters, numbers, hyphens "
            "and underscores"
        )
    elif Framework.objects.filter(organisation=member.organisation, code=code).exists():
        errors["code"] = f"Your organisation already has a framework with the code {code}"
    try:
        title = _clean_title(title, limit=FRAMEWORK_TITLE_MAX)
    except ApplicationError as error:
        errors.update(error.field_errors)
    if errors:
        raise ApplicationError("There is a problem with the new framework.", field_errors=errors)
    return code, title


@transaction.atomic
def framework_fork(
    *, actor: User | None, member: Member, source: FrameworkVersion, code: str, title: str
) -> FrameworkVersion:
    """Copy a published version the member can read into a new framework of the member's organisation,
    as its published version 1. The source, and anything pinned to it, is untouched."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    if not _readable_by(member, source):
        raise ApplicationError("You cannot read that framework version.")
    if not source.is_published:
        raise ApplicationError("Only a published version can be forked. Publish the draft first.")
    code, title = _new_framework_names(member, code, title)
    origin = source.framework
    framework = Framework.objects.create(
        organisation=member.organisation,
        code=code,
        title=title,
        description=origin.description,
        licence=origin.licence,
        source=origin.source,
        forked_from=source,
        template=origin.template,
    )
    version = FrameworkVersion.objects.create(
        organisation=member.organisation,
        framework=framework,
        number=1,
        status=VersionStatus.PUBLISHED,
        published_at=timezone.now(),
        published_by=actor,
        source=source.source,
        notes=f"Forked from {origin.title}, version {source.number}, of {origin.organisation.name}.",
    )
    _copy_tree(source=source, target=version)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.FRAMEWORK_FORKED,
        target=version,
        trail=framework,
        after={
            "framework": framework.code,
            "title": framework.title,
            "forked_from": f"{origin.organisation.slug}/{origin.code} version {source.number}",
            **_version_counts(version),
        },
    )
    return version


@transaction.atomic
def framework_from_template(
    *, actor: User | None, member: Member, template: str, code: str, title: str
) -> FrameworkVersion:
    """Start a new framework of the member's organisation from a shipped template (by its key): its
    published version 1 is the template, each item with its source and verification status."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    chosen = {info.key: info for info in template_list()}.get(template)
    if chosen is None:
        raise ApplicationError("Choose a template.", field_errors={"template": "Choose one of the templates listed"})
    code, title = _new_framework_names(member, code, title)
    return framework_import(
        actor=actor,
        member=member,
        document=document_load(chosen.path),
        code=code,
        title=title,
        template=chosen.key,
    )


@transaction.atomic
def version_draft_create(*, actor: User | None, member: Member, framework: Framework) -> FrameworkVersion:
    """A new draft version, numbered after the latest, copying the latest published version."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    _require_own(member, framework)
    # Lock the framework so two people starting a draft at once cannot both pass the check.
    Framework.objects.select_for_update().get(pk=framework.pk)
    existing = framework.versions.filter(status=VersionStatus.DRAFT).first()
    if existing is not None:
        raise ApplicationError(
            f"Version {existing.number} is already a draft. Edit or publish it before starting another."
        )
    latest = framework.versions.aggregate(highest=Max("number"))["highest"] or 0
    source = framework.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
    try:
        with transaction.atomic():
            version = FrameworkVersion.objects.create(
                organisation=framework.organisation,
                framework=framework,
                number=latest + 1,
                status=VersionStatus.DRAFT,
                source=source.source if source else framework.source,
            )
    except IntegrityError:
        raise ApplicationError("Someone else has just started a draft of this framework.") from None
    if source is not None:
        _copy_tree(source=source, target=version)
    audit_record(
        actor=actor,
        organisation=framework.organisation,
        action=AuditAction.FRAMEWORK_DRAFT_CREATED,
        target=version,
        trail=framework,
        after={"version": version.number, "copied_from": source.number if source else None, **_version_counts(version)},
    )
    return version


def _code_taken(model: type[Theme] | type[Outcome] | type[Measure], version: FrameworkVersion, code: str) -> None:
    if model.objects.filter(version=version, code=code).exists():
        kind = model._meta.verbose_name
        raise ApplicationError(
            f"Version {version.number} already has a {kind} with the code {code}.",
            field_errors={"code": f"Version {version.number} already has a {kind} with the code {code}"},
        )


def _item_audit(
    *,
    actor: User | None,
    version: FrameworkVersion,
    action: AuditAction,
    item: Theme | Outcome | Measure,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=actor,
        organisation=version.organisation,
        action=action,
        target=item,
        trail=version.framework,
        before={"version": version.number, **before} if before else None,
        after={"version": version.number, **after} if after else None,
    )


@transaction.atomic
def theme_add(
    *, actor: User | None, member: Member, version: FrameworkVersion, code: str, title: str, description: str = ""
) -> Theme:
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    version = _draft_lock(member, version)
    code = _clean_item_code(code)
    title = _clean_title(title)
    _code_taken(Theme, version, code)
    theme = Theme.objects.create(
        organisation=version.organisation,
        version=version,
        code=code,
        title=title,
        description=description.strip(),
        verification=Verification.LOCAL,
        position=_next_position(version.themes.all()),
    )
    _item_audit(
        actor=actor, version=version, action=AuditAction.THEME_ADDED, item=theme, after=snapshot(theme, THEME_FIELDS)
    )
    return theme


@transaction.atomic
def theme_update(*, actor: User | None, member: Member, theme: Theme, title: str, description: str = "") -> Theme:
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    version = _draft_lock(member, theme.version)
    before = snapshot(theme, THEME_FIELDS)
    title, description = _clean_title(title), description.strip()
    if (title, description) != (theme.title, theme.description):
        theme.title, theme.description = title, description
        _reworded(theme)
        theme.save()
    _item_audit(
        actor=actor,
        version=version,
        action=AuditAction.THEME_UPDATED,
        item=theme,
        before=before,
        after=snapshot(theme, THEME_FIELDS),
    )
    return theme


@transaction.atomic
def theme_remove(*, actor: User | None, member: Member, theme: Theme) -> None:
    """Remove a theme with its outcomes and their measures (the confirmation page lists them)."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    version = _draft_lock(member, theme.version)
    before = {
        **snapshot(theme, THEME_FIELDS),
        "outcomes": list(theme.outcomes.order_by("position", "code").values_list("code", flat=True)),
        "measures": list(Measure.objects.filter(outcome__theme=theme).order_by("code").values_list("code", flat=True)),
    }
    _item_audit(actor=actor, version=version, action=AuditAction.THEME_REMOVED, item=theme, before=before)
    _delete_unused(theme)


@transaction.atomic
def outcome_add(
    *, actor: User | None, member: Member, theme: Theme, code: str, title: str, description: str = ""
) -> Outcome:
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    version = _draft_lock(member, theme.version)
    code = _clean_item_code(code)
    title = _clean_title(title)
    _code_taken(Outcome, version, code)
    outcome = Outcome.objects.create(
        organisation=version.organisation,
        version=version,
        theme=theme,
        code=code,
        title=title,
        description=description.strip(),
        verification=Verification.LOCAL,
        position=_next_position(theme.outcomes.all()),
    )
    _item_audit(
        actor=actor,
        version=version,
        action=AuditAction.OUTCOME_ADDED,
        item=outcome,
        after=snapshot(outcome, OUTCOME_FIELDS),
    )
    return outcome


@transaction.atomic
def outcome_update(
    *,
    actor: User | None,
    member: Member,
    outcome: Outcome,
    title: str,
    description: str = "",
    theme: Theme | None = None,
) -> Outcome:
    """Rename or reword an outcome, or move it to another theme of the same version (`theme`)."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    version = _draft_lock(member, outcome.version)
    before = snapshot(outcome, OUTCOME_FIELDS)
    title, description = _clean_title(title), description.strip()
    if theme is not None and theme.pk != outcome.theme_id:
        if theme.version_id != version.pk:
            raise ApplicationError("Choose a theme of this version.", field_errors={"theme": "Choose a theme"})
        outcome.theme = theme
        outcome.position = _next_position(theme.outcomes.all())
    if (title, description) != (outcome.title, outcome.description):
        outcome.title, outcome.description = title, description
        _reworded(outcome)
    outcome.save()
    _item_audit(
        actor=actor,
        version=version,
        action=AuditAction.OUTCOME_UPDATED,
        item=outcome,
        before=before,
        after=snapshot(outcome, OUTCOME_FIELDS),
    )
    return outcome


@transaction.atomic
def outcome_remove(*, actor: User | None, member: Member, outcome: Outcome) -> None:
    """Remove an outcome with its measures (the confirmation page lists them)."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    version = _draft_lock(member, outcome.version)
    before = {
        **snapshot(outcome, OUTCOME_FIELDS),
        "measures": list(outcome.measures.order_by("position", "code").values_list("code", flat=True)),
    }
    _item_audit(actor=actor, version=version, action=AuditAction.OUTCOME_REMOVED, item=outcome, before=before)
    _delete_unused(outcome)


@transaction.atomic
def measure_add(
    *,
    actor: User | None,
    member: Member,
    outcome: Outcome,
    code: str,
    title: str,
    unit: str,
    description: str = "",
    counting_rule: str = "",
    evidence_required: str = "",
    value_type: str = ValueType.ADDITIONAL_SOCIAL,
) -> Measure:
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    version = _draft_lock(member, outcome.version)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    cleaners: list[tuple[str, Callable[[str], str], str]] = [
        ("code", _clean_item_code, code),
        ("title", _clean_title, title),
        ("unit", _clean_unit, unit),
        ("value_type", _clean_value_type, value_type),
    ]
    for field, clean, raw in cleaners:
        try:
            values[field] = clean(raw)
        except ApplicationError as error:
            errors.update(error.field_errors)
    if "code" in values:
        try:
            _code_taken(Measure, version, values["code"])
        except ApplicationError as error:
            errors.update(error.field_errors)
    if errors:
        raise ApplicationError("There is a problem with the measure.", field_errors=errors)
    measure = Measure.objects.create(
        organisation=version.organisation,
        version=version,
        outcome=outcome,
        code=values["code"],
        title=values["title"],
        description=description.strip(),
        unit=values["unit"],
        counting_rule=counting_rule.strip(),
        evidence_required=evidence_required.strip(),
        value_type=values["value_type"],
        verification=Verification.LOCAL,
        position=_next_position(outcome.measures.all()),
    )
    _item_audit(
        actor=actor,
        version=version,
        action=AuditAction.MEASURE_ADDED,
        item=measure,
        after=snapshot(measure, MEASURE_FIELDS),
    )
    return measure


@transaction.atomic
def measure_update(
    *,
    actor: User | None,
    member: Member,
    measure: Measure,
    title: str,
    unit: str,
    description: str = "",
    counting_rule: str = "",
    evidence_required: str = "",
    value_type: str = ValueType.ADDITIONAL_SOCIAL,
    outcome: Outcome | None = None,
) -> Measure:
    """Change a measure's wording, unit, rules or value type, or move it to another outcome (`outcome`).
    Its code stays: value sets and priorities find measures by code across versions."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    version = _draft_lock(member, measure.version)
    before = snapshot(measure, MEASURE_FIELDS)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    cleaners: list[tuple[str, Callable[[str], str], str]] = [
        ("title", _clean_title, title),
        ("unit", _clean_unit, unit),
        ("value_type", _clean_value_type, value_type),
    ]
    for field, clean, raw in cleaners:
        try:
            values[field] = clean(raw)
        except ApplicationError as error:
            errors.update(error.field_errors)
    if outcome is not None and outcome.version_id != version.pk:
        errors["outcome"] = "Choose an outcome of this version"
    if errors:
        raise ApplicationError("There is a problem with the measure.", field_errors=errors)
    if outcome is not None and outcome.pk != measure.outcome_id:
        measure.outcome = outcome
        measure.position = _next_position(outcome.measures.all())
    wording = {
        "title": values["title"],
        "description": description.strip(),
        "unit": values["unit"],
        "counting_rule": counting_rule.strip(),
        "evidence_required": evidence_required.strip(),
        "value_type": values["value_type"],
    }
    if any(getattr(measure, field) != value for field, value in wording.items()):
        for field, value in wording.items():
            setattr(measure, field, value)
        _reworded(measure)
    measure.save()
    _item_audit(
        actor=actor,
        version=version,
        action=AuditAction.MEASURE_UPDATED,
        item=measure,
        before=before,
        after=snapshot(measure, MEASURE_FIELDS),
    )
    return measure


@transaction.atomic
def measure_remove(*, actor: User | None, member: Member, measure: Measure) -> None:
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    version = _draft_lock(member, measure.version)
    _item_audit(
        actor=actor,
        version=version,
        action=AuditAction.MEASURE_REMOVED,
        item=measure,
        before=snapshot(measure, MEASURE_FIELDS),
    )
    _delete_unused(measure)


@transaction.atomic
def version_publish(*, actor: User | None, member: Member, version: FrameworkVersion, notes: str) -> FrameworkVersion:
    """Publish a draft. From now on it never changes; agreements and procurements may pin it."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    version = _draft_lock(member, version)
    notes = notes.strip()
    if not notes:
        raise ApplicationError(
            "Say what changed in this version.", field_errors={"notes": "Say what changed in this version"}
        )
    if not version.measures.exists():
        raise ApplicationError("A version needs at least one measure before it can be published.")
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.notes = notes
    version.save()
    audit_record(
        actor=actor,
        organisation=version.organisation,
        action=AuditAction.FRAMEWORK_PUBLISHED,
        target=version,
        trail=version.framework,
        before={"status": VersionStatus.DRAFT.value},
        after={"status": version.status, "version": version.number, "notes": notes, **_version_counts(version)},
    )
    return version


def _network_check(member: Member, network: Organisation) -> None:
    if not member.organisation.networks.filter(pk=network.pk).exists():
        raise ApplicationError(
            f"Your organisation is not a member of {network.name}.",
            field_errors={"network": "Choose a network your organisation belongs to"},
        )


@transaction.atomic
def framework_share(
    *, actor: User | None, member: Member, framework: Framework, network: Organisation
) -> FrameworkShare:
    """Publish the framework to the members of a network: they can read its published versions and fork
    them, never edit them."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    _require_own(member, framework)
    _network_check(member, network)
    if framework.shares.filter(network=network).exists():
        raise ApplicationError(
            f"{framework.title} is already shared with {network.name}.",
            field_errors={"network": f"This framework is already shared with {network.name}"},
        )
    share = FrameworkShare.objects.create(
        organisation=framework.organisation, framework=framework, network=network, shared_by=actor
    )
    audit_record(
        actor=actor,
        organisation=framework.organisation,
        action=AuditAction.FRAMEWORK_SHARED,
        target=share,
        trail=framework,
        after={"framework": framework.code, "network": network.slug},
    )
    return share


@transaction.atomic
def framework_unshare(*, actor: User | None, member: Member, framework: Framework, network: Organisation) -> None:
    """Stop sharing with a network. Copies its members have already forked stay theirs."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    _require_own(member, framework)
    share = framework.shares.filter(network=network).first()
    if share is None:
        raise ApplicationError(f"{framework.title} is not shared with {network.name}.")
    audit_record(
        actor=actor,
        organisation=framework.organisation,
        action=AuditAction.FRAMEWORK_UNSHARED,
        target=share,
        trail=framework,
        before={"framework": framework.code, "network": network.slug},
    )
    share.delete()
