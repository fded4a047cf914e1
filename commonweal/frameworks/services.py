"""Writes for frameworks: loading a framework from its data file as a published version; forking,
drafting, editing, publishing and sharing versions."""

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.validators import slug_re
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from .interchange import (
    DocumentError,
    FrameworkDocument,
    MeasureDocument,
    OutcomeDocument,
    Problem,
    ThemeDocument,
    ValueSetDocument,
    document_load,
    template_list,
    value_set_document,
    version_tree_document,
)
from .models import (
    Framework,
    FrameworkShare,
    FrameworkVersion,
    Measure,
    Outcome,
    Theme,
    UnitKind,
    ValueSet,
    ValueSetEntry,
    ValueType,
    Verification,
    VersionStatus,
)

STARTER_FRAMEWORK = Path(__file__).parent / "data" / "starter.yaml"


@transaction.atomic
def framework_load(*, actor: Any, organisation: Organisation, path: Path = STARTER_FRAMEWORK) -> FrameworkVersion:
    """Load a framework file as a published version; loading the same file again changes nothing."""
    return framework_import(actor=actor, organisation=organisation, document=document_load(path))


def _import_names(document: FrameworkDocument, code: str | None, title: str | None) -> tuple[str, str]:
    code = (code or "").strip() or document.code
    title = " ".join((title or "").split()) or document.title
    code_max, title_max = Framework._meta.get_field("code").max_length, Framework._meta.get_field("title").max_length
    assert code_max is not None and title_max is not None
    errors = {}
    if not slug_re.match(code) or len(code) > code_max:
        errors["code"] = (
            f"Code must be {code_max} characters or fewer, using only letters, numbers, hyphens and underscores"
        )
    if len(title) > title_max:
        errors["title"] = f"Title must be {title_max} characters or fewer"
    if errors:
        raise ApplicationError("The code or title is not valid.", field_errors=errors)
    return code, title


def _sorted_entries(value_set: ValueSetDocument) -> ValueSetDocument:
    return replace(value_set, entries=tuple(sorted(value_set.entries, key=lambda entry: entry.measure_code)))


@transaction.atomic
def framework_import(
    *,
    actor: Any,
    organisation: Organisation,
    document: FrameworkDocument,
    code: str | None = None,
    title: str | None = None,
    template: str = "",
) -> FrameworkVersion:
    """Import a framework document (from `interchange.document_parse`) with its value sets.

    The framework is found by its code (the document's, or `code`). A new published version is made
    only when its themes, outcomes and measures (or source) differ from the latest published version;
    otherwise that version is returned, so importing the same file again changes nothing. A value set
    whose code exists is left as it is if it is the same, and refused if it differs (calculations name
    the value set they used, so its values never change under them). All or nothing."""
    code, title = _import_names(document, code, title)
    framework = Framework.objects.select_for_update().filter(organisation=organisation, code=code).first()
    latest = None
    if framework is not None:
        latest = framework.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
    unchanged = latest is not None and (latest.source, version_tree_document(latest)) == (
        document.source,
        document.themes,
    )
    if framework is not None and not unchanged:
        draft = framework.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            raise ApplicationError(
                f"{framework.title} has a draft (version {draft.number}): publish or delete the draft before "
                "importing a new version.",
                field_errors={"file": "The framework has a draft version: publish or delete it first"},
            )
    existing_sets = {
        value_set.code: value_set
        for value_set in ValueSet.objects.filter(
            organisation=organisation, code__in=[value_set.code for value_set in document.value_sets]
        ).prefetch_related("entries")
    }
    problems = [
        Problem(
            value_set.location.line,
            f"value set {value_set.code}: {organisation.name} already has a value set with this code and different "
            "details or values: give this one a new code",
            value_set.location.sheet,
        )
        for value_set in document.value_sets
        if value_set.code in existing_sets
        and _sorted_entries(value_set_document(existing_sets[value_set.code])) != _sorted_entries(value_set)
    ]
    if problems:
        raise DocumentError(problems)

    details = {
        "title": title,
        "description": document.description,
        "licence": document.licence,
        "source": document.source,
    }
    if framework is None:
        framework = Framework.objects.create(organisation=organisation, code=code, template=template, **details)
    else:
        changed = [name for name, value in details.items() if getattr(framework, name) != value]
        if changed:
            before = snapshot(framework, changed)
            for name in changed:
                setattr(framework, name, details[name])
            framework.save(update_fields=[*changed, "updated_at"])
            audit_record(
                actor=actor,
                organisation=organisation,
                action="framework.update",
                target=framework,
                before=before,
                after=snapshot(framework, changed),
            )
    if latest is not None and unchanged:
        version = latest
    else:
        version = _version_from_document(actor=actor, framework=framework, document=document, template=template)
    for value_set in document.value_sets:
        if value_set.code not in existing_sets:
            _value_set_from_document(actor=actor, organisation=organisation, value_set=value_set)
    return version


def _version_from_document(
    *, actor: Any, framework: Framework, document: FrameworkDocument, template: str
) -> FrameworkVersion:
    organisation = framework.organisation
    number = (framework.versions.aggregate(highest=Max("number"))["highest"] or 0) + 1
    version = FrameworkVersion.objects.create(
        organisation=organisation,
        framework=framework,
        number=number,
        status=VersionStatus.PUBLISHED,
        published_at=timezone.now(),
        published_by=actor if getattr(actor, "pk", None) else None,
        source=document.source,
        notes=f"Made from the template “{template}”." if template else "Imported from a framework file.",
    )
    measures: list[Measure] = []
    for theme_position, theme_document in enumerate(document.themes):
        theme = Theme.objects.create(
            organisation=organisation, version=version, position=theme_position, **_item_fields(theme_document)
        )
        for outcome_position, outcome_document in enumerate(theme_document.outcomes):
            outcome = Outcome.objects.create(
                organisation=organisation,
                version=version,
                theme=theme,
                position=outcome_position,
                **_item_fields(outcome_document),
            )
            measures.extend(
                Measure(
                    organisation=organisation,
                    version=version,
                    outcome=outcome,
                    position=measure_position,
                    unit=measure.unit,
                    counting_rule=measure.counting_rule,
                    evidence_required=measure.evidence_required,
                    value_type=measure.value_type,
                    **_item_fields(measure),
                )
                for measure_position, measure in enumerate(outcome_document.measures)
            )
    Measure.objects.bulk_create(measures)
    audit_record(
        actor=actor,
        organisation=organisation,
        action="framework.import",
        target=version,
        trail=framework,
        after={
            "framework": framework.code,
            "version": version.number,
            "template": template,
            **{key: value for key, value in document.counts().items() if key in ("themes", "outcomes", "measures")},
        },
    )
    return version


def _item_fields(item: ThemeDocument | OutcomeDocument | MeasureDocument) -> dict[str, str]:
    return {
        "code": item.code,
        "title": item.title,
        "description": item.description,
        "verification": item.verification,
        "source_note": item.source_note,
    }


def _value_set_from_document(*, actor: Any, organisation: Organisation, value_set: ValueSetDocument) -> ValueSet:
    created = ValueSet.objects.create(
        organisation=organisation,
        code=value_set.code,
        title=value_set.title,
        description=value_set.description,
        source=value_set.source,
        licence=value_set.licence,
        base_year=value_set.base_year,
        valid_from=value_set.valid_from,
        valid_to=value_set.valid_to,
    )
    ValueSetEntry.objects.bulk_create(
        ValueSetEntry(
            organisation=organisation,
            value_set=created,
            measure_code=entry.measure_code,
            value_per_unit=entry.value_per_unit,
            source=entry.source,
            base_year=entry.base_year,
            deadweight=entry.deadweight,
            attribution=entry.attribution,
            displacement=entry.displacement,
            drop_off=entry.drop_off,
            duration_years=entry.duration_years,
        )
        for entry in value_set.entries
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action="value_set.import",
        target=created,
        after={"code": created.code, "base_year": created.base_year, "values": len(value_set.entries)},
    )
    return created


# --- Versions, forks, draft editing and sharing ----------------------------------------------------
# Every write below takes the `member` acting, refuses unless the member's organisation owns the
# framework and the member may manage frameworks, and records one audit event.

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


def _require_manager(member: Member, framework: Framework) -> None:
    if not member.can_manage_frameworks:
        raise ApplicationError("Only your organisation’s social value lead can change frameworks.")
    if framework.organisation_id != member.organisation.pk:
        raise ApplicationError("This framework belongs to another organisation: fork it to make your own copy.")


def _draft_lock(member: Member, version: FrameworkVersion) -> FrameworkVersion:
    """The version, locked for the rest of the transaction, if it is a draft the member may edit."""
    _require_manager(member, version.framework)
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
def framework_fork(*, actor: Any, member: Member, source: FrameworkVersion, code: str, title: str) -> FrameworkVersion:
    """Copy a published version the member can read into a new framework of the member's organisation,
    as its published version 1. The source, and anything pinned to it, is untouched."""
    if not member.can_manage_frameworks:
        raise ApplicationError("Only your organisation’s social value lead can fork a framework.")
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
        action="framework.fork",
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
def framework_from_template(*, actor: Any, member: Member, template: str, code: str, title: str) -> FrameworkVersion:
    """Start a new framework of the member's organisation from a shipped template (by its key): its
    published version 1 is the template, each item with its source and verification status."""
    if not member.can_manage_frameworks:
        raise ApplicationError("Only your organisation’s social value lead can start a framework from a template.")
    chosen = {info.key: info for info in template_list()}.get(template)
    if chosen is None:
        raise ApplicationError("Choose a template.", field_errors={"template": "Choose one of the templates listed"})
    code, title = _new_framework_names(member, code, title)
    return framework_import(
        actor=actor,
        organisation=member.organisation,
        document=document_load(chosen.path),
        code=code,
        title=title,
        template=chosen.key,
    )


@transaction.atomic
def version_draft_create(*, actor: Any, member: Member, framework: Framework) -> FrameworkVersion:
    """A new draft version, numbered after the latest, copying the latest published version."""
    _require_manager(member, framework)
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
        action="framework.draft_create",
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
    actor: Any,
    version: FrameworkVersion,
    action: str,
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
    *, actor: Any, member: Member, version: FrameworkVersion, code: str, title: str, description: str = ""
) -> Theme:
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
    _item_audit(actor=actor, version=version, action="theme.add", item=theme, after=snapshot(theme, THEME_FIELDS))
    return theme


@transaction.atomic
def theme_update(*, actor: Any, member: Member, theme: Theme, title: str, description: str = "") -> Theme:
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
        action="theme.update",
        item=theme,
        before=before,
        after=snapshot(theme, THEME_FIELDS),
    )
    return theme


@transaction.atomic
def theme_remove(*, actor: Any, member: Member, theme: Theme) -> None:
    """Remove a theme with its outcomes and their measures (the confirmation page lists them)."""
    version = _draft_lock(member, theme.version)
    before = {
        **snapshot(theme, THEME_FIELDS),
        "outcomes": list(theme.outcomes.order_by("position", "code").values_list("code", flat=True)),
        "measures": list(Measure.objects.filter(outcome__theme=theme).order_by("code").values_list("code", flat=True)),
    }
    _item_audit(actor=actor, version=version, action="theme.remove", item=theme, before=before)
    _delete_unused(theme)


@transaction.atomic
def outcome_add(*, actor: Any, member: Member, theme: Theme, code: str, title: str, description: str = "") -> Outcome:
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
        actor=actor, version=version, action="outcome.add", item=outcome, after=snapshot(outcome, OUTCOME_FIELDS)
    )
    return outcome


@transaction.atomic
def outcome_update(
    *,
    actor: Any,
    member: Member,
    outcome: Outcome,
    title: str,
    description: str = "",
    theme: Theme | None = None,
) -> Outcome:
    """Rename or reword an outcome, or move it to another theme of the same version (`theme`)."""
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
        action="outcome.update",
        item=outcome,
        before=before,
        after=snapshot(outcome, OUTCOME_FIELDS),
    )
    return outcome


@transaction.atomic
def outcome_remove(*, actor: Any, member: Member, outcome: Outcome) -> None:
    """Remove an outcome with its measures (the confirmation page lists them)."""
    version = _draft_lock(member, outcome.version)
    before = {
        **snapshot(outcome, OUTCOME_FIELDS),
        "measures": list(outcome.measures.order_by("position", "code").values_list("code", flat=True)),
    }
    _item_audit(actor=actor, version=version, action="outcome.remove", item=outcome, before=before)
    _delete_unused(outcome)


@transaction.atomic
def measure_add(
    *,
    actor: Any,
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
        actor=actor, version=version, action="measure.add", item=measure, after=snapshot(measure, MEASURE_FIELDS)
    )
    return measure


@transaction.atomic
def measure_update(
    *,
    actor: Any,
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
        action="measure.update",
        item=measure,
        before=before,
        after=snapshot(measure, MEASURE_FIELDS),
    )
    return measure


@transaction.atomic
def measure_remove(*, actor: Any, member: Member, measure: Measure) -> None:
    version = _draft_lock(member, measure.version)
    _item_audit(
        actor=actor, version=version, action="measure.remove", item=measure, before=snapshot(measure, MEASURE_FIELDS)
    )
    _delete_unused(measure)


@transaction.atomic
def version_publish(*, actor: Any, member: Member, version: FrameworkVersion, notes: str) -> FrameworkVersion:
    """Publish a draft. From now on it never changes; agreements and procurements may pin it."""
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
        action="framework.publish",
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
def framework_share(*, actor: Any, member: Member, framework: Framework, network: Organisation) -> FrameworkShare:
    """Publish the framework to the members of a network: they can read its published versions and fork
    them, never edit them."""
    _require_manager(member, framework)
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
        action="framework.share",
        target=share,
        trail=framework,
        after={"framework": framework.code, "network": network.slug},
    )
    return share


@transaction.atomic
def framework_unshare(*, actor: Any, member: Member, framework: Framework, network: Organisation) -> None:
    """Stop sharing with a network. Copies its members have already forked stay theirs."""
    _require_manager(member, framework)
    share = framework.shares.filter(network=network).first()
    if share is None:
        raise ApplicationError(f"{framework.title} is not shared with {network.name}.")
    audit_record(
        actor=actor,
        organisation=framework.organisation,
        action="framework.unshare",
        target=share,
        trail=framework,
        before={"framework": framework.code, "network": network.slug},
    )
    share.delete()
