"""Writes for value sets and deflator series: money equivalents per measure with their source, base year
and licence, and the price indices used to re-base them. Only a social value lead may write; all audited."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import DeflatorPoint, DeflatorSeries, ValueSet, ValueSetEntry
from .valuation import FIRST_BASE_YEAR, LAST_BASE_YEAR

VALUE_SET_FIELDS = ["code", "title", "description", "source", "licence", "base_year", "valid_from", "valid_to"]
ENTRY_FIELDS = [
    "measure_code",
    "value_per_unit",
    "source",
    "base_year",
    "deadweight",
    "attribution",
    "displacement",
    "drop_off",
    "duration_years",
]
DEFLATOR_FIELDS = ["code", "title", "source"]

TEXT_LABELS = {
    "code": "The code",
    "title": "The title",
    "source": "The source",
    "licence": "The licence",
    "measure_code": "The measure code",
}
# A deflator series may reach further back, so a whole published series can be pasted in.
FIRST_INDEX_YEAR = 1900
# The largest values the database columns hold: 14 digits with 4 after the point; 12 with 6.
MAX_VALUE_PER_UNIT = Decimal("1e10")
MAX_INDEX = Decimal("1e6")
# A figure counted for longer than a century is a typing error, not a proxy.
MAX_DURATION_YEARS = 100


def _require_own(member: Member, obj: ValueSet | ValueSetEntry | DeflatorSeries) -> None:
    if obj.organisation_id != member.organisation.pk:
        raise ApplicationError("This belongs to another organisation.")


def _text(value: str, field: str, max_length: int, missing: str, errors: dict[str, str]) -> str:
    """The stripped text; `missing` is the message when it is blank."""
    value = (value or "").strip()
    if not value:
        errors[field] = missing
    elif len(value) > max_length:
        errors[field] = f"{TEXT_LABELS[field]} must be {max_length} characters or fewer"
    return value


def _code(value: str, errors: dict[str, str]) -> str:
    code = _text(value, "code", 60, "Enter a code", errors)
    if code and "code" not in errors:
        try:
            validate_slug(code)
        except ValidationError:
            errors["code"] = "Enter a code using only letters, numbers, hyphens and underscores"
    return code


def _year(value: int | None, field: str, errors: dict[str, str]) -> None:
    if value is None:
        errors[field] = "Enter the base year, like 2024"
    elif not FIRST_BASE_YEAR <= value <= LAST_BASE_YEAR:
        errors[field] = f"The base year must be between {FIRST_BASE_YEAR} and {LAST_BASE_YEAR}"


def _value_set_errors(
    *,
    organisation_id: int,
    exclude_pk: int | None,
    code: str,
    title: str,
    source: str,
    licence: str,
    base_year: int | None,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    code = _code(code, errors)
    _text(title, "title", 200, "Enter a title", errors)
    _text(source, "source", 500, "Enter where the values come from", errors)
    _text(licence, "licence", 300, "Enter the licence the values are used under", errors)
    _year(base_year, "base_year", errors)
    if valid_from is None:
        errors["valid_from"] = "Enter the date the values are valid from"
    elif valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = (
            "The date the values are valid to must be the same as or after the date they are valid from"
        )
    if "code" not in errors:
        clash = ValueSet.objects.filter(organisation_id=organisation_id, code=code)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors["code"] = f"Your organisation already has a value set with the code {code}"
    return errors


@transaction.atomic
def value_set_create(
    *,
    actor: User | None,
    member: Member,
    code: str,
    title: str,
    source: str,
    licence: str,
    base_year: int | None,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None = None,
    description: str = "",
) -> ValueSet:
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    errors = _value_set_errors(
        organisation_id=member.organisation.pk,
        exclude_pk=None,
        code=code,
        title=title,
        source=source,
        licence=licence,
        base_year=base_year,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    if errors:
        raise ApplicationError("There is a problem with the value set.", field_errors=errors)
    assert base_year is not None and valid_from is not None
    value_set = ValueSet.objects.create(
        organisation=member.organisation,
        code=code.strip(),
        title=title.strip(),
        description=description.strip(),
        source=source.strip(),
        licence=licence.strip(),
        base_year=base_year,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.VALUE_SET_CREATED,
        target=value_set,
        after=snapshot(value_set, VALUE_SET_FIELDS),
    )
    return value_set


@transaction.atomic
def value_set_update(
    *,
    actor: User | None,
    member: Member,
    value_set: ValueSet,
    code: str,
    title: str,
    source: str,
    licence: str,
    base_year: int | None,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None = None,
    description: str = "",
) -> ValueSet:
    """Change a value set's details. Its entries keep their own base years."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    _require_own(member, value_set)
    errors = _value_set_errors(
        organisation_id=member.organisation.pk,
        exclude_pk=value_set.pk,
        code=code,
        title=title,
        source=source,
        licence=licence,
        base_year=base_year,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    if errors:
        raise ApplicationError("There is a problem with the value set.", field_errors=errors)
    assert base_year is not None and valid_from is not None
    before = snapshot(value_set, VALUE_SET_FIELDS)
    value_set.code = code.strip()
    value_set.title = title.strip()
    value_set.description = description.strip()
    value_set.source = source.strip()
    value_set.licence = licence.strip()
    value_set.base_year = base_year
    value_set.valid_from = valid_from
    value_set.valid_to = valid_to
    value_set.save()
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.VALUE_SET_UPDATED,
        target=value_set,
        before=before,
        after=snapshot(value_set, VALUE_SET_FIELDS),
    )
    return value_set


def _places_error(value: Decimal, places: int) -> bool:
    return value != value.quantize(Decimal(1).scaleb(-places))


def _fraction_errors(fractions: dict[str, Decimal | None], errors: dict[str, str]) -> None:
    labels = {
        "deadweight": "Deadweight",
        "attribution": "Attribution",
        "displacement": "Displacement",
        "drop_off": "Drop-off",
    }
    for field, fraction in fractions.items():
        label = labels[field]
        if fraction is None or not fraction.is_finite():
            errors[field] = f"Enter {label.lower()} as a number"
        elif not Decimal(0) <= fraction <= Decimal(1):
            errors[field] = f"{label} must be between 0 and 1 (0% and 100%)"
        elif _places_error(fraction, 4):
            errors[field] = f"{label} can have no more than 4 decimal places as a fraction (2 as a percentage)"


@transaction.atomic
def value_set_entry_set(
    *,
    actor: User | None,
    member: Member,
    value_set: ValueSet,
    measure_code: str,
    value_per_unit: Decimal | None,
    source: str,
    base_year: int | None,
    deadweight: Decimal = Decimal(0),
    attribution: Decimal = Decimal(0),
    displacement: Decimal = Decimal(0),
    drop_off: Decimal = Decimal(0),
    duration_years: int | None = 1,
) -> ValueSetEntry:
    """Create or change the value set's figure for `measure_code`. Adjustments are fractions from 0 to 1."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    _require_own(member, value_set)
    errors: dict[str, str] = {}
    measure_code = _text(measure_code, "measure_code", 30, "Choose the measure", errors)
    if value_per_unit is None or not value_per_unit.is_finite():
        errors["value_per_unit"] = "Enter the value of one unit in pounds, like 12.50"
    elif value_per_unit < 0:
        errors["value_per_unit"] = "The value must be £0 or more"
    elif value_per_unit >= MAX_VALUE_PER_UNIT:
        errors["value_per_unit"] = "Enter a smaller value"
    elif _places_error(value_per_unit, 4):
        errors["value_per_unit"] = "Enter the value with no more than 4 decimal places"
    _text(source, "source", 500, "Enter where this value comes from", errors)
    _year(base_year, "base_year", errors)
    _fraction_errors(
        {"deadweight": deadweight, "attribution": attribution, "displacement": displacement, "drop_off": drop_off},
        errors,
    )
    if duration_years is None or not 1 <= duration_years <= MAX_DURATION_YEARS:
        errors["duration_years"] = f"The duration must be a whole number of years from 1 to {MAX_DURATION_YEARS}"
    if errors:
        raise ApplicationError("There is a problem with the value.", field_errors=errors)
    values = {
        "value_per_unit": value_per_unit,
        "source": source.strip(),
        "base_year": base_year,
        "deadweight": deadweight,
        "attribution": attribution,
        "displacement": displacement,
        "drop_off": drop_off,
        "duration_years": duration_years,
    }
    entry = ValueSetEntry.objects.select_for_update().filter(value_set=value_set, measure_code=measure_code).first()
    before = snapshot(entry, ENTRY_FIELDS) if entry is not None else None
    if entry is None:
        entry = ValueSetEntry(organisation=value_set.organisation, value_set=value_set, measure_code=measure_code)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.save()
    entry.refresh_from_db()
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.VALUE_SET_ENTRY_SET,
        target=entry,
        trail=value_set,
        before=before,
        after=snapshot(entry, ENTRY_FIELDS),
    )
    return entry


@transaction.atomic
def value_set_entry_remove(*, actor: User | None, member: Member, entry: ValueSetEntry) -> None:
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    _require_own(member, entry)
    before = snapshot(entry, ENTRY_FIELDS)
    value_set = entry.value_set
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.VALUE_SET_ENTRY_REMOVED,
        target=entry,
        trail=value_set,
        before=before,
    )
    entry.delete()


def _points_parse(text: str) -> tuple[dict[int, Decimal], dict[str, str]]:
    """“year,index” lines → {year: index}. Blank lines and a “year,index” heading are skipped; each
    error names its line."""
    points: dict[int, Decimal] = {}
    line_of_year: dict[int, int] = {}
    problems: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or (not points and not problems and line.replace(" ", "").lower() == "year,index"):
            continue
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 2:
            problems.append(f"Line {number}: “{line}” is not in the form year,index (like 2024,100.0)")
            continue
        year_text, index_text = parts
        if not year_text.isdigit():
            problems.append(f"Line {number}: “{year_text}” is not a year")
            continue
        year = int(year_text)
        if not FIRST_INDEX_YEAR <= year <= LAST_BASE_YEAR:
            problems.append(f"Line {number}: the year must be between {FIRST_INDEX_YEAR} and {LAST_BASE_YEAR}")
            continue
        try:
            index = Decimal(index_text)
        except InvalidOperation:
            index = Decimal("NaN")
        if not index.is_finite():
            problems.append(f"Line {number}: “{index_text}” is not a number")
        elif index <= 0:
            problems.append(f"Line {number}: the index must be more than 0")
        elif index >= MAX_INDEX:
            problems.append(f"Line {number}: the index must be less than {MAX_INDEX:,f}")
        elif _places_error(index, 6):
            problems.append(f"Line {number}: the index can have no more than 6 decimal places")
        elif year in points:
            problems.append(f"Line {number}: {year} is already given on line {line_of_year[year]}")
        else:
            points[year] = index
            line_of_year[year] = number
    if not problems and not points:
        problems.append("Enter at least one line of year,index")
    return dict(sorted(points.items())), ({"points": "; ".join(problems)} if problems else {})


def _points_replace(series: DeflatorSeries, points: dict[int, Decimal]) -> None:
    series.points.all().delete()
    DeflatorPoint.objects.bulk_create(
        [
            DeflatorPoint(organisation=series.organisation, series=series, year=year, index=index)
            for year, index in points.items()
        ]
    )


def _points_snapshot(points: dict[int, Decimal]) -> dict[str, str]:
    return {str(year): str(index) for year, index in points.items()}


@transaction.atomic
def deflator_series_create(
    *, actor: User | None, member: Member, code: str, title: str, source: str, points: str
) -> DeflatorSeries:
    """A new price index series with its points, from pasted “year,index” lines."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    errors: dict[str, str] = {}
    code = _code(code, errors)
    _text(title, "title", 200, "Enter a title", errors)
    _text(source, "source", 500, "Enter where the index comes from", errors)
    parsed, point_errors = _points_parse(points)
    errors.update(point_errors)
    if "code" not in errors and DeflatorSeries.objects.filter(organisation=member.organisation, code=code).exists():
        errors["code"] = f"Your organisation already has a deflator series with the code {code}"
    if errors:
        raise ApplicationError("There is a problem with the deflator series.", field_errors=errors)
    series = DeflatorSeries.objects.create(
        organisation=member.organisation, code=code, title=title.strip(), source=source.strip()
    )
    _points_replace(series, parsed)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.DEFLATOR_SERIES_CREATED,
        target=series,
        after={**snapshot(series, DEFLATOR_FIELDS), "points": _points_snapshot(parsed)},
    )
    return series


@transaction.atomic
def deflator_points_set(*, actor: User | None, member: Member, series: DeflatorSeries, points: str) -> DeflatorSeries:
    """Replace every point of the series with those in the pasted “year,index” lines."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    _require_own(member, series)
    parsed, errors = _points_parse(points)
    if errors:
        raise ApplicationError("There is a problem with the index lines.", field_errors=errors)
    before = _points_snapshot(dict(series.points.values_list("year", "index")))
    _points_replace(series, parsed)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.DEFLATOR_POINTS_SET,
        target=series,
        before={"points": before},
        after={"points": _points_snapshot(parsed)},
    )
    return series
