"""Writes for framework files: importing a framework document (from a file, the starter framework or a
template) as a published version, with its value sets. Only a social value lead imports; all audited."""

from dataclasses import replace
from pathlib import Path

from django.core.validators import slug_re
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import Permission, permission_require
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
    value_set_document,
    version_tree_document,
)
from .models import (
    Framework,
    FrameworkVersion,
    Measure,
    Outcome,
    Theme,
    ValueSet,
    ValueSetEntry,
    VersionStatus,
)

STARTER_FRAMEWORK = Path(__file__).parent / "data" / "starter.yaml"


@transaction.atomic
def framework_load(*, actor: User | None, member: Member, path: Path = STARTER_FRAMEWORK) -> FrameworkVersion:
    """Load a framework file as a published version; loading the same file again changes nothing."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    return framework_import(actor=actor, member=member, document=document_load(path))


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
    actor: User | None,
    member: Member,
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
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    organisation = member.organisation
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
                action=AuditAction.FRAMEWORK_UPDATED,
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
    *, actor: User | None, framework: Framework, document: FrameworkDocument, template: str
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
        action=AuditAction.FRAMEWORK_IMPORTED,
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


def _value_set_from_document(
    *, actor: User | None, organisation: Organisation, value_set: ValueSetDocument
) -> ValueSet:
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
        action=AuditAction.VALUE_SET_IMPORTED,
        target=created,
        after={"code": created.code, "base_year": created.base_year, "values": len(value_set.entries)},
    )
    return created
