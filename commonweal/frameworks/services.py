"""Writes for frameworks: loading a framework from its data file as a published version."""

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.errors import ApplicationError
from commonweal.tenancy.models import Organisation

from .models import Framework, FrameworkVersion, Measure, Outcome, Theme, UnitKind, VersionStatus

STARTER_FRAMEWORK = Path(__file__).parent / "data" / "starter.yaml"


def _require(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or not mapping.get(key):
        raise ApplicationError(f"{where}: “{key}” is missing.")
    return mapping[key]


@transaction.atomic
def framework_load(*, actor: Any, organisation: Organisation, path: Path = STARTER_FRAMEWORK) -> FrameworkVersion:
    """Load a framework file as a new published version; loading the same file again changes nothing."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    code = _require(data, "code", str(path))
    framework, _ = Framework.objects.get_or_create(
        organisation=organisation,
        code=code,
        defaults={"title": _require(data, "title", str(path)), "description": data.get("description", "")},
    )
    existing = framework.versions.filter(status=VersionStatus.PUBLISHED).first()
    if existing is not None:
        return existing
    version = FrameworkVersion.objects.create(
        organisation=organisation,
        framework=framework,
        number=1,
        status=VersionStatus.PUBLISHED,
        published_at=timezone.now(),
        source=data.get("source", ""),
    )
    for theme_position, theme_data in enumerate(_require(data, "themes", str(path))):
        where = f"{path.name}: theme {theme_position + 1}"
        theme = Theme.objects.create(
            organisation=organisation,
            version=version,
            code=_require(theme_data, "code", where),
            title=_require(theme_data, "title", where),
            position=theme_position,
        )
        for outcome_position, outcome_data in enumerate(_require(theme_data, "outcomes", where)):
            where = f"{path.name}: outcome {theme.code}.{outcome_position + 1}"
            outcome = Outcome.objects.create(
                organisation=organisation,
                version=version,
                theme=theme,
                code=_require(outcome_data, "code", where),
                title=_require(outcome_data, "title", where),
                position=outcome_position,
            )
            for measure_position, measure_data in enumerate(_require(outcome_data, "measures", where)):
                where = f"{path.name}: measure {outcome.code}.{measure_position + 1}"
                unit = _require(measure_data, "unit", where)
                if unit not in UnitKind.values:
                    raise ApplicationError(f"{where}: unit “{unit}” is not one of {', '.join(UnitKind.values)}.")
                Measure.objects.create(
                    organisation=organisation,
                    version=version,
                    outcome=outcome,
                    code=_require(measure_data, "code", where),
                    title=_require(measure_data, "title", where),
                    description=measure_data.get("description", ""),
                    unit=unit,
                    evidence_required=measure_data.get("evidence_required", ""),
                    position=measure_position,
                )
    audit_record(
        actor=actor,
        organisation=organisation,
        action="framework.publish",
        target=version,
        trail=framework,
        after={"framework": framework.code, "version": version.number, "measures": version.measures.count()},
    )
    return version
