"""Framework files: reading and writing a framework with its value sets as YAML, JSON, XLSX or CSV.

One document shape serves every format (see docs/frameworks.md, “Import, export and templates”).
Reading collects every problem with where it is (line, or sheet and row) before anything is written;
writing produces files that read back to the same document. Numbers are `Decimal`, never float."""

import bisect
import csv
import io
import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.validators import slug_re
from django.db import connection, models
from django.db.models import Prefetch

from commonweal.core.errors import ApplicationError
from commonweal.tenancy.selectors import Member

from .models import (
    Framework,
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

TEMPLATES_DIR = Path(__file__).parent / "data" / "templates"
FORMATS = ("yaml", "json", "xlsx", "csv")
VALUES_CSV = "values-csv"  # the values of a version's value sets, one row each (export only)
EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx", ".csv": "csv"}
CONTENT_TYPES = {
    "yaml": "application/yaml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# Item codes: the same rule as codes typed on the framework pages (e.g. JOBS.1.3).
ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
YEAR_DIGITS = 4


# --- The document ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """Where something is in a file: a line (YAML, JSON, CSV) or a sheet and row (XLSX)."""

    line: int | None = None
    sheet: str = ""

    def __str__(self) -> str:
        if self.sheet:
            return f"sheet “{self.sheet}”, row {self.line}" if self.line else f"sheet “{self.sheet}”"
        return f"line {self.line}" if self.line else ""


NOWHERE = Location()


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be imported, and where. `line` is the row number for a spreadsheet."""

    line: int | None
    reason: str
    sheet: str = ""

    @property
    def where(self) -> str:
        return str(Location(self.line, self.sheet))

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.where else self.reason


class DocumentError(ApplicationError):
    """A framework file was refused; `problems` lists every reason with its line. Nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        summary = f"The file has {count} problem{'s' if count != 1 else ''}"
        super().__init__(
            f"{summary}: " + "; ".join(str(problem) for problem in self.problems),
            field_errors={"file": f"{summary}. Correct {'them' if count != 1 else 'it'} and upload the file again"},
        )


@dataclass(frozen=True)
class MeasureDocument:
    code: str
    title: str
    unit: str
    description: str = ""
    counting_rule: str = ""
    evidence_required: str = ""
    value_type: str = ValueType.ADDITIONAL_SOCIAL.value
    verification: str = Verification.LOCAL.value
    source_note: str = ""
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class OutcomeDocument:
    code: str
    title: str
    description: str = ""
    verification: str = Verification.LOCAL.value
    source_note: str = ""
    measures: tuple[MeasureDocument, ...] = ()
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class ThemeDocument:
    code: str
    title: str
    description: str = ""
    verification: str = Verification.LOCAL.value
    source_note: str = ""
    outcomes: tuple[OutcomeDocument, ...] = ()
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class ValueEntryDocument:
    """The £ value of one unit of a measure, with its adjustments from gross to net (fractions 0 to 1)."""

    measure_code: str
    value_per_unit: Decimal
    source: str
    base_year: int
    deadweight: Decimal = Decimal(0)
    attribution: Decimal = Decimal(0)
    displacement: Decimal = Decimal(0)
    drop_off: Decimal = Decimal(0)
    duration_years: int = 1
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class ValueSetDocument:
    code: str
    title: str
    source: str
    licence: str
    base_year: int
    valid_from: date
    valid_to: date | None = None
    description: str = ""
    entries: tuple[ValueEntryDocument, ...] = ()
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class FrameworkDocument:
    code: str
    title: str
    description: str = ""
    licence: str = ""
    source: str = ""
    themes: tuple[ThemeDocument, ...] = ()
    value_sets: tuple[ValueSetDocument, ...] = ()

    @property
    def outcomes(self) -> list[OutcomeDocument]:
        return [outcome for theme in self.themes for outcome in theme.outcomes]

    @property
    def measures(self) -> list[MeasureDocument]:
        return [measure for outcome in self.outcomes for measure in outcome.measures]

    def counts(self) -> dict[str, int]:
        return {
            "themes": len(self.themes),
            "outcomes": len(self.outcomes),
            "measures": len(self.measures),
            "value_sets": len(self.value_sets),
            "values": sum(len(value_set.entries) for value_set in self.value_sets),
        }


@dataclass(frozen=True)
class TemplateInfo:
    """A framework template shipped with Commonweal, as data."""

    key: str
    title: str
    description: str
    licence: str
    source: str
    path: Path


# --- Field names in each format --------------------------------------------------------------------

FRAMEWORK_KEYS = ("code", "title", "description", "licence", "source")
ITEM_KEYS = ("code", "title", "description", "verification", "source_note")
MEASURE_KEYS = (
    "code",
    "title",
    "description",
    "unit",
    "counting_rule",
    "evidence_required",
    "value_type",
    "verification",
    "source_note",
)
VALUE_SET_KEYS = ("code", "title", "description", "source", "licence", "base_year", "valid_from", "valid_to")
ENTRY_KEYS = (
    "measure_code",
    "value_per_unit",
    "source",
    "base_year",
    "deadweight",
    "attribution",
    "displacement",
    "drop_off",
    "duration_years",
)
FRACTION_KEYS = ("deadweight", "attribution", "displacement", "drop_off")

# Spreadsheets: the "Measures" sheet (and the measures CSV) has one row per measure, with its theme and
# outcome in the first columns; a row with no measure declares a theme or outcome that has none.
THEME_COLUMNS = tuple(f"theme_{key}" for key in ITEM_KEYS)
OUTCOME_COLUMNS = tuple(f"outcome_{key}" for key in ITEM_KEYS)
MEASURE_COLUMNS = (*THEME_COLUMNS, *OUTCOME_COLUMNS, *MEASURE_KEYS)
CSV_FRAMEWORK_COLUMNS = tuple(f"framework_{key}" for key in FRAMEWORK_KEYS)
CSV_MEASURE_COLUMNS = (*CSV_FRAMEWORK_COLUMNS, *MEASURE_COLUMNS)
VALUE_SET_COLUMNS = VALUE_SET_KEYS
VALUE_COLUMNS = ("value_set_code", *ENTRY_KEYS)
VALUES_CSV_COLUMNS = (*(f"value_set_{key}" for key in VALUE_SET_KEYS), *ENTRY_KEYS)
SHEET_FRAMEWORK, SHEET_MEASURES, SHEET_VALUE_SETS, SHEET_VALUES = "Framework", "Measures", "Value sets", "Values"
SHEETS = (SHEET_FRAMEWORK, SHEET_MEASURES, SHEET_VALUE_SETS, SHEET_VALUES)
# A spreadsheet cell starting with one of these is read as a formula; the CSV writer escapes it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _max_length(model: type[models.Model], name: str) -> int:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field) and model_field.max_length is not None
    return model_field.max_length


def _listing(values: Iterable[str]) -> str:
    return ", ".join(values)


# --- The raw tree every format is read into --------------------------------------------------------


class RawMap(dict[str, Any]):
    """A mapping read from a file, remembering where it and each of its keys are."""

    def __init__(self, location: Location) -> None:
        super().__init__()
        self.location = location
        self.key_locations: dict[str, Location] = {}

    def put(self, key: str, value: Any, location: Location) -> None:
        self[key] = value
        self.key_locations[key] = location

    def where(self, key: str) -> Location:
        return self.key_locations.get(key, self.location)


class RawList(list[Any]):
    def __init__(self, location: Location, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self.location = location


class _Reader:
    """Turns the raw tree into a document, collecting every problem rather than stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, location: Location, reason: str) -> None:
        self.problems.append(Problem(location.line, reason, location.sheet))

    # Each check returns a clean value (or a default) and records a problem when the input is wrong.

    def keys(self, raw: RawMap, allowed: tuple[str, ...], label: str) -> None:
        for key in raw:
            if key not in allowed:
                self.problem(raw.where(key), f"{label}unknown key “{key}” (allowed: {_listing(allowed)})")

    def text(self, raw: RawMap, key: str, label: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = raw.get(key)
        where = raw.where(key)
        if isinstance(value, bool) or isinstance(value, dict | list | date):
            self.problem(where, f"{label}“{key}” must be text")
            return ""
        text = _as_text(value)
        if required and not text:
            self.problem(where, f"{label}“{key}” is missing")
        if max_length is not None and len(text) > max_length:
            self.problem(where, f"{label}“{key}” is longer than {max_length} characters")
        return text

    def code(self, raw: RawMap, key: str, label: str, *, pattern: re.Pattern[str], max_length: int) -> str:
        code = self.text(raw, key, label, required=True, max_length=max_length)
        if code and not pattern.match(code):
            if pattern is slug_re:
                rule = "letters, numbers, hyphens and underscores"
            else:
                rule = "letters, numbers, full stops, hyphens and underscores, starting with a letter or number"
            self.problem(raw.where(key), f"{label}code “{code}” may contain only {rule}")
        return code

    def choice(self, raw: RawMap, key: str, label: str, choices: type[models.TextChoices], default: str) -> str:
        value = self.text(raw, key, label)
        if not value:
            return default
        if value not in choices.values:
            self.problem(raw.where(key), f"{label}{key} “{value}” is not one of {_listing(choices.values)}")
            return default
        return value

    def decimal(
        self,
        raw: RawMap,
        key: str,
        label: str,
        *,
        model: type[models.Model],
        default: Decimal | None = None,
        fraction: bool = False,
    ) -> Decimal:
        value = raw.get(key)
        where = raw.where(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if default is None:
                self.problem(where, f"{label}“{key}” is missing")
                return Decimal(0)
            return default
        number = _decimal(value)
        if number is None:
            self.problem(where, f"{label}{key} “{_shown(value)}” is not a number")
            return Decimal(0)
        model_field = model._meta.get_field(key)
        assert isinstance(model_field, models.DecimalField)
        places, digits = model_field.decimal_places, model_field.max_digits
        exponent = number.normalize().as_tuple().exponent
        assert isinstance(exponent, int)
        if fraction and not Decimal(0) <= number <= Decimal(1):
            self.problem(where, f"{label}{key} “{_shown(value)}” must be a fraction from 0 to 1, like 0.25 for 25%")
        elif number < 0:
            self.problem(where, f"{label}{key} “{_shown(value)}” must be 0 or more")
        elif exponent < 0 and -exponent > places:
            self.problem(where, f"{label}{key} “{_shown(value)}” has more than {places} decimal places")
        elif number.adjusted() >= digits - places:
            self.problem(where, f"{label}{key} “{_shown(value)}” is too large")
        return number

    def integer(
        self, raw: RawMap, key: str, label: str, *, default: int | None = None, year: bool = False, minimum: int = 0
    ) -> int:
        value = raw.get(key)
        where = raw.where(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if default is None:
                self.problem(where, f"{label}“{key}” is missing")
                return 0
            return default
        number = _decimal(value)
        if number is None or number != number.to_integral_value():
            self.problem(where, f"{label}{key} “{_shown(value)}” is not a whole number")
            return 0
        whole = int(number)
        _, highest = connection.ops.integer_field_range("PositiveIntegerField")
        if year and not (whole > 0 and len(str(whole)) == YEAR_DIGITS):
            self.problem(where, f"{label}{key} “{_shown(value)}” is not a year, like 2024")
        elif not minimum <= whole <= highest:
            self.problem(where, f"{label}{key} “{_shown(value)}” must be {minimum} or more")
        return whole

    def date(self, raw: RawMap, key: str, label: str, *, required: bool) -> date | None:
        value = raw.get(key)
        where = raw.where(key)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(where, f"{label}“{key}” is missing")
            return None
        text = str(value).strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            self.problem(where, f"{label}{key} “{text}” is not a date: write it as 2025-04-01")
            return None

    def items(self, raw: RawMap, key: str, label: str, *, required: bool = False) -> list[RawMap]:
        """The mappings listed under `key`; a missing key is an empty list unless `required`."""
        value = raw.get(key)
        where = raw.where(key)
        if value is None:
            if required:
                self.problem(where, f"{label}“{key}” is missing")
            return []
        if not isinstance(value, list):
            self.problem(where, f"{label}“{key}” must be a list")
            return []
        if required and not value:
            self.problem(where, f"{label}“{key}” is empty: give at least one")
        mappings = []
        for position, item in enumerate(value, start=1):
            if isinstance(item, RawMap):
                mappings.append(item)
            else:
                location = value.location if isinstance(value, RawList) else where
                self.problem(location, f"{label}item {position} of “{key}” must be a mapping of keys to values")
        return mappings

    # The document, level by level.

    def framework(self, raw: Any) -> FrameworkDocument:
        if not isinstance(raw, RawMap):
            location = getattr(raw, "location", Location(1))
            self.problem(location, "the file must hold a mapping with code, title and themes")
            return FrameworkDocument(code="", title="")
        self.keys(raw, (*FRAMEWORK_KEYS, "themes", "value_sets"), "")
        document = FrameworkDocument(
            code=self.code(raw, "code", "", pattern=slug_re, max_length=_max_length(Framework, "code")),
            title=self.text(raw, "title", "", required=True, max_length=_max_length(Framework, "title")),
            description=self.text(raw, "description", ""),
            licence=self.text(raw, "licence", "", max_length=_max_length(Framework, "licence")),
            source=self.text(raw, "source", "", max_length=_max_length(FrameworkVersion, "source")),
            themes=tuple(
                self.theme(item, position)
                for position, item in enumerate(self.items(raw, "themes", "", required=True), start=1)
            ),
            value_sets=tuple(
                self.value_set(item, position)
                for position, item in enumerate(self.items(raw, "value_sets", ""), start=1)
            ),
        )
        self.duplicates(document)
        self.measure_codes(document)
        return document

    def item_fields(self, raw: RawMap, label: str, model: type[models.Model]) -> dict[str, Any]:
        return {
            "code": self.code(raw, "code", label, pattern=ITEM_CODE, max_length=_max_length(model, "code")),
            "title": self.text(raw, "title", label, required=True, max_length=_max_length(model, "title")),
            "description": self.text(raw, "description", label),
            "verification": self.choice(raw, "verification", label, Verification, Verification.LOCAL.value),
            "source_note": self.text(raw, "source_note", label, max_length=_max_length(model, "source_note")),
            "location": raw.location,
        }

    def theme(self, raw: RawMap, position: int) -> ThemeDocument:
        label = f"theme {position}: "
        self.keys(raw, (*ITEM_KEYS, "outcomes"), label)
        fields = self.item_fields(raw, label, Theme)
        theme = fields["code"] or str(position)
        outcomes = tuple(
            self.outcome(item, number, theme) for number, item in enumerate(self.items(raw, "outcomes", label), start=1)
        )
        return ThemeDocument(**fields, outcomes=outcomes)

    def outcome(self, raw: RawMap, position: int, theme: str) -> OutcomeDocument:
        code = self.text(raw, "code", "")
        label = f"outcome {code}: " if code else f"outcome {position} of theme {theme}: "
        self.keys(raw, (*ITEM_KEYS, "measures"), label)
        fields = self.item_fields(raw, label, Outcome)
        outcome = fields["code"] or f"{position} of theme {theme}"
        measures = tuple(
            self.measure(item, number, outcome)
            for number, item in enumerate(self.items(raw, "measures", label), start=1)
        )
        return OutcomeDocument(**fields, measures=measures)

    def measure(self, raw: RawMap, position: int, outcome: str) -> MeasureDocument:
        code = self.text(raw, "code", "")
        label = f"measure {code}: " if code else f"measure {position} of outcome {outcome}: "
        self.keys(raw, MEASURE_KEYS, label)
        fields = self.item_fields(raw, label, Measure)
        unit = self.text(raw, "unit", label, required=True)
        if unit and unit not in UnitKind.values:
            self.problem(raw.where("unit"), f"{label}unit “{unit}” is not one of {_listing(UnitKind.values)}")
        return MeasureDocument(
            **fields,
            unit=unit,
            counting_rule=self.text(raw, "counting_rule", label),
            evidence_required=self.text(raw, "evidence_required", label),
            value_type=self.choice(raw, "value_type", label, ValueType, ValueType.ADDITIONAL_SOCIAL.value),
        )

    def value_set(self, raw: RawMap, position: int) -> ValueSetDocument:
        code = self.text(raw, "code", "")
        label = f"value set {code}: " if code else f"value set {position}: "
        self.keys(raw, (*VALUE_SET_KEYS, "entries"), label)
        source = self.text(raw, "source", label, required=True, max_length=_max_length(ValueSet, "source"))
        base_year = self.integer(raw, "base_year", label, year=True)
        valid_from = self.date(raw, "valid_from", label, required=True)
        valid_to = self.date(raw, "valid_to", label, required=False)
        if valid_from and valid_to and valid_to < valid_from:
            self.problem(raw.where("valid_to"), f"{label}valid_to {valid_to} is before valid_from {valid_from}")
        entries = tuple(
            self.entry(item, number, code or str(position), source=source, base_year=base_year)
            for number, item in enumerate(self.items(raw, "entries", label), start=1)
        )
        return ValueSetDocument(
            code=self.code(raw, "code", label, pattern=slug_re, max_length=_max_length(ValueSet, "code")),
            title=self.text(raw, "title", label, required=True, max_length=_max_length(ValueSet, "title")),
            description=self.text(raw, "description", label),
            source=source,
            licence=self.text(raw, "licence", label, required=True, max_length=_max_length(ValueSet, "licence")),
            base_year=base_year,
            valid_from=valid_from or date.min,
            valid_to=valid_to,
            entries=entries,
            location=raw.location,
        )

    def entry(self, raw: RawMap, position: int, value_set: str, *, source: str, base_year: int) -> ValueEntryDocument:
        measure_code = self.text(raw, "measure_code", "")
        label = f"value set {value_set}: " + (f"value for {measure_code}: " if measure_code else f"value {position}: ")
        self.keys(raw, ENTRY_KEYS, label)
        measure_code = self.text(
            raw, "measure_code", label, required=True, max_length=_max_length(ValueSetEntry, "measure_code")
        )
        entry_source = self.text(raw, "source", label, max_length=_max_length(ValueSetEntry, "source")) or source
        return ValueEntryDocument(
            measure_code=measure_code,
            value_per_unit=self.decimal(raw, "value_per_unit", label, model=ValueSetEntry),
            source=entry_source,
            # The value set's base year, unless given (if that is wrong, the value set says so once).
            base_year=self.integer(raw, "base_year", label, default=base_year, year=True),
            duration_years=self.integer(raw, "duration_years", label, default=1, minimum=1),
            location=raw.location,
            **{
                key: self.decimal(raw, key, label, model=ValueSetEntry, default=Decimal(0), fraction=True)
                for key in FRACTION_KEYS
            },
        )

    def duplicates(self, document: FrameworkDocument) -> None:
        for kind, items in (
            ("theme", list(document.themes)),
            ("outcome", document.outcomes),
            ("measure", document.measures),
            ("value set", list(document.value_sets)),
        ):
            seen: dict[str, Location] = {}
            for item in items:
                if not item.code:
                    continue
                if item.code in seen:
                    self.problem(item.location, f"{kind} code “{item.code}” is used twice (first at {seen[item.code]})")
                else:
                    seen[item.code] = item.location
        for value_set in document.value_sets:
            entries: dict[str, Location] = {}
            for entry in value_set.entries:
                if entry.measure_code in entries:
                    self.problem(
                        entry.location,
                        f"value set {value_set.code}: measure {entry.measure_code} has two values "
                        f"(first at {entries[entry.measure_code]})",
                    )
                else:
                    entries[entry.measure_code] = entry.location

    def measure_codes(self, document: FrameworkDocument) -> None:
        codes = {measure.code for measure in document.measures}
        for value_set in document.value_sets:
            for entry in value_set.entries:
                if entry.measure_code and entry.measure_code not in codes:
                    self.problem(
                        entry.location,
                        f"value set {value_set.code}: measure_code “{entry.measure_code}” is not a measure "
                        "of this framework",
                    )


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # a number typed into a spreadsheet cell
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    """A number from a file as Decimal, or None if it is not one. Floats come only from spreadsheet
    cells, where Excel already holds them in binary: their shortest repr is the figure that was typed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value).strip()


# --- Reading each format into the raw tree ---------------------------------------------------------


def _text(content: bytes, reader: _Reader, *, fallback: str | None = None) -> str | None:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if fallback is not None:
            return content.decode(fallback, errors="replace")
        line = content[: error.start].count(b"\n") + 1
        reader.problem(Location(line), "the file is not UTF-8 text: save it with UTF-8 encoding")
        return None


def _yaml_raw(content: bytes, reader: _Reader) -> Any:
    text = _text(content, reader)
    if text is None:
        return None
    try:
        # Aliases are refused, so that a small file cannot expand into a huge one.
        aliases = [event for event in yaml.parse(text, Loader=yaml.SafeLoader) if isinstance(event, yaml.AliasEvent)]
        for alias in aliases:
            line = alias.start_mark.line + 1 if alias.start_mark else None
            reader.problem(Location(line), "aliases (*name) are not allowed: write the value out")
        if aliases:
            return None
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        context = error.context or ""
        if context and error.context_mark and error.context_mark.line != getattr(mark, "line", None):
            context += f" (from line {error.context_mark.line + 1})"
        reason = ", ".join(part for part in (context, error.problem) if part)
        reader.problem(Location(mark.line + 1 if mark else None), f"the YAML is not valid: {reason}")
        return None
    except yaml.YAMLError as error:
        reader.problem(NOWHERE, f"the YAML is not valid: {error}")
        return None
    if node is None:
        reader.problem(Location(1), "the file is empty")
        return None
    return _yaml_value(node, reader)


def _yaml_value(node: yaml.Node, reader: _Reader) -> Any:
    location = Location(node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        mapping = RawMap(location)
        for key_node, value_node in node.value:
            key_location = Location(key_node.start_mark.line + 1)
            if not isinstance(key_node, yaml.ScalarNode):
                reader.problem(key_location, "a key must be text")
                continue
            key = str(key_node.value)
            if key in mapping:
                reader.problem(key_location, f"the key “{key}” is given twice (first on {mapping.where(key)})")
                continue
            mapping.put(key, _yaml_value(value_node, reader), key_location)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return RawList(location, (_yaml_value(item, reader) for item in node.value))
    # Scalars stay as written (so “NO” stays text and 12.50 is never a float); only a plain null is None.
    if node.tag == "tag:yaml.org,2002:null" and not getattr(node, "style", None):
        return None
    return str(node.value)


class _LocatingDecoder(json.JSONDecoder):
    """The standard JSON decoder, using its Python scanner so each object and array knows its line."""

    def __init__(self, text: str, reader: _Reader) -> None:
        super().__init__(object_pairs_hook=self._pairs, parse_float=Decimal, parse_constant=str)
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.reader = reader
        object_parser = json.decoder.JSONObject  # type: ignore[attr-defined]
        array_parser = json.decoder.JSONArray  # type: ignore[attr-defined]

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            start = s_and_end[1]
            mapping, end = object_parser(s_and_end, *args)
            mapping.location = self._location(start)
            for key in mapping.repeated:
                self.reader.problem(mapping.location, f"the key “{key}” is given twice")
            return mapping, end

        def parse_array(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            start = s_and_end[1]
            values, end = array_parser(s_and_end, *args)
            return RawList(self._location(start), values), end

        self.parse_object = parse_object
        self.parse_array = parse_array
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]

    def _location(self, index: int) -> Location:
        return Location(bisect.bisect_right(self.line_starts, index))

    @staticmethod
    def _pairs(pairs: list[tuple[str, Any]]) -> RawMap:
        mapping = RawMap(NOWHERE)
        mapping.repeated = []  # type: ignore[attr-defined]
        for key, value in pairs:
            if key in mapping:
                mapping.repeated.append(key)  # type: ignore[attr-defined]
            mapping[key] = value
        return mapping


def _json_raw(content: bytes, reader: _Reader) -> Any:
    text = _text(content, reader)
    if text is None:
        return None
    if not text.strip():
        reader.problem(Location(1), "the file is empty")
        return None
    try:
        return _LocatingDecoder(text, reader).decode(text)
    except json.JSONDecodeError as error:
        reader.problem(Location(error.lineno), f"the JSON is not valid: {error.msg} (column {error.colno})")
        return None


Row = tuple[Location, list[Any]]


def _cell(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _table(rows: list[Row], columns: tuple[str, ...], required: tuple[str, ...], reader: _Reader) -> list[RawMap]:
    """Data rows as mappings by column heading; the first non-blank row holds the headings."""
    rows = [(location, cells) for location, cells in rows if any(_cell(cell) not in (None, "") for cell in cells)]
    if not rows:
        return []
    header_location, header = rows[0]
    width = max(len(cells) for _, cells in rows)
    names: list[str] = []  # a column's key; "" for one that is refused, "#n" for one with no heading
    for number, heading in enumerate([*header, *[None] * (width - len(header))], start=1):
        name = _as_text(_cell(heading)).lower()
        if not name:
            name = f"#{number}"
        elif name not in columns:
            reader.problem(header_location, f"unknown column “{name}” (allowed: {_listing(columns)})")
            name = ""
        elif name in names:
            reader.problem(header_location, f"the column “{name}” is given twice")
            name = ""
        names.append(name)
    missing = [name for name in required if name not in names]
    if missing:
        for name in missing:
            reader.problem(header_location, f"the column “{name}” is missing")
        return []
    mappings = []
    for location, cells in rows[1:]:
        mapping = RawMap(location)
        for name, value in zip(names, cells, strict=False):
            value = _cell(value)
            if name.startswith("#") and value not in (None, ""):
                reader.problem(location, f"column {name[1:]} has a value but no heading")
            elif name and not name.startswith("#"):
                mapping.put(name, value, location)
        mappings.append(mapping)
    return mappings


def _blank(mapping: RawMap, columns: Iterable[str]) -> bool:
    return all(mapping.get(column) in (None, "") for column in columns)


def _group(row: RawMap, *, prefix: str, kind: str, reader: _Reader, groups: dict[str, RawMap]) -> RawMap | None:
    """The theme or outcome a row belongs to, made from the first row with its code; later rows may
    leave its columns blank but must not contradict them."""
    code = _as_text(row.get(f"{prefix}code"))
    if not code:
        reader.problem(row.location, f"“{prefix}code” is missing")
        return None
    item = groups.get(code)
    if item is None:
        item = groups[code] = RawMap(row.location)
    for key in ITEM_KEYS:
        value = row.get(f"{prefix}{key}")
        if value in (None, ""):
            continue
        if key not in item:
            item.put(key, value, row.location)
        elif _as_text(value) != _as_text(item[key]):
            reader.problem(
                row.location,
                f"{kind} {code}: {prefix}{key} “{_as_text(value)}” differs from “{_as_text(item[key])}” "
                f"on {item.where(key)}",
            )
    return item


def _measure_tree(rows: list[RawMap], reader: _Reader) -> RawList:
    """Themes → outcomes → measures from one row per measure (in the order they first appear)."""
    themes: dict[str, RawMap] = {}
    outcomes: dict[str, RawMap] = {}
    outcome_theme: dict[str, str] = {}
    tree = RawList(rows[0].location if rows else NOWHERE)
    for row in rows:
        theme = _group(row, prefix="theme_", kind="theme", reader=reader, groups=themes)
        if theme is None:
            continue
        if "outcomes" not in theme:
            theme.put("outcomes", RawList(row.location), row.location)
            tree.append(theme)
        if _blank(row, OUTCOME_COLUMNS) and _blank(row, MEASURE_KEYS):
            continue  # a theme with no outcomes
        outcome = _group(row, prefix="outcome_", kind="outcome", reader=reader, groups=outcomes)
        if outcome is None:
            continue
        theme_code, outcome_code = _as_text(row.get("theme_code")), _as_text(row.get("outcome_code"))
        if "measures" not in outcome:
            outcome.put("measures", RawList(row.location), row.location)
            outcome_theme[outcome_code] = theme_code
            theme["outcomes"].append(outcome)
        elif outcome_theme[outcome_code] != theme_code:
            reader.problem(
                row.location,
                f"outcome {outcome_code} is under theme {theme_code} here but under theme "
                f"{outcome_theme[outcome_code]} on {outcome.location}",
            )
            continue
        if _blank(row, MEASURE_KEYS):
            continue  # an outcome with no measures
        measure = RawMap(row.location)
        for key in MEASURE_KEYS:
            if row.get(key) not in (None, ""):
                measure.put(key, row[key], row.location)
        outcome["measures"].append(measure)
    return tree


def _value_sets_from_tables(set_rows: list[RawMap], value_rows: list[RawMap], reader: _Reader) -> RawList:
    value_sets = RawList(set_rows[0].location if set_rows else NOWHERE)
    by_code: dict[str, RawMap] = {}
    for row in set_rows:
        row.put("entries", RawList(row.location), row.location)
        value_sets.append(row)
        code = row.get("code")
        if code not in (None, ""):
            by_code.setdefault(str(code), row)
    for row in value_rows:
        code = row.pop("value_set_code", None)
        if code in (None, ""):
            reader.problem(row.location, "“value_set_code” is missing")
            continue
        value_set = by_code.get(str(code))
        if value_set is None:
            reader.problem(
                row.location, f"value_set_code “{code}” is not a value set on the “{SHEET_VALUE_SETS}” sheet"
            )
            continue
        value_set["entries"].append(row)
    return value_sets


def _xlsx_raw(content: bytes, reader: _Reader) -> Any:
    from zipfile import BadZipFile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        reader.problem(NOWHERE, "the file is not an XLSX workbook that can be read: save it again as .xlsx")
        return None
    try:
        sheets: dict[str, list[Row]] = {}
        for sheet in workbook.worksheets:
            if sheet.title not in SHEETS:
                reader.problem(Location(sheet=sheet.title), f"unknown sheet (allowed: {_listing(SHEETS)})")
                continue
            sheets[sheet.title] = [
                (Location(number, sheet.title), list(cells))
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
    finally:
        workbook.close()
    for name in (SHEET_FRAMEWORK, SHEET_MEASURES):
        if name not in sheets:
            reader.problem(NOWHERE, f"the workbook has no sheet called “{name}”")
    if reader.problems:
        return None
    framework = RawMap(Location(sheet=SHEET_FRAMEWORK))
    for location, cells in sheets[SHEET_FRAMEWORK]:
        cells = [_cell(cell) for cell in cells]
        if all(cell in (None, "") for cell in cells):
            continue
        key = str(cells[0] or "").lower()
        if key not in FRAMEWORK_KEYS:
            reader.problem(location, f"unknown field “{key}” in the first column (allowed: {_listing(FRAMEWORK_KEYS)})")
        elif key in framework:
            reader.problem(location, f"the field “{key}” is given twice (first on {framework.where(key)})")
        else:
            if any(cell not in (None, "") for cell in cells[2:]):
                reader.problem(location, f"the field “{key}” has more than one value: put it in the second column")
            framework.put(key, cells[1] if len(cells) > 1 else None, location)
    measure_rows = _table(sheets[SHEET_MEASURES], MEASURE_COLUMNS, ("theme_code", "theme_title"), reader)
    framework.put("themes", _measure_tree(measure_rows, reader), Location(sheet=SHEET_MEASURES))
    set_rows = _table(sheets.get(SHEET_VALUE_SETS, []), VALUE_SET_COLUMNS, ("code",), reader)
    value_rows = _table(sheets.get(SHEET_VALUES, []), VALUE_COLUMNS, ("value_set_code", "measure_code"), reader)
    if set_rows or value_rows:
        framework.put("value_sets", _value_sets_from_tables(set_rows, value_rows, reader), NOWHERE)
    return framework


def _csv_rows(text: str) -> list[Row]:
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for cells in reader:
        rows.append((Location(line), [_csv_unescape(cell) for cell in cells]))
        line = reader.line_num + 1
    return rows


def _csv_raw(content: bytes, reader: _Reader) -> Any:
    # Excel's plain “CSV” is Windows-1252, so a file that is not UTF-8 is read as that.
    text = _text(content, reader, fallback="cp1252")
    if text is None:
        return None
    if not text.strip():
        reader.problem(Location(1), "the file is empty")
        return None
    try:
        rows = _csv_rows(text)
    except csv.Error as error:
        reader.problem(NOWHERE, f"the CSV is not valid: {error}")
        return None
    header = next((cells for _, cells in rows if any(cells)), [])
    if "value_set_code" in [str(cell).strip().lower() for cell in header]:
        reader.problem(
            Location(1),
            "this is a CSV of values: import value sets with their framework in a YAML, JSON or XLSX file",
        )
        return None
    required = ("framework_code", "framework_title", "theme_code", "theme_title")
    table = _table(rows, CSV_MEASURE_COLUMNS, required, reader)
    if not table:
        if not reader.problems:
            reader.problem(Location(1), "the file has headings but no measures")
        return None
    framework = RawMap(table[0].location)
    for row in table:
        for key in FRAMEWORK_KEYS:
            value = row.pop(f"framework_{key}", None)
            if value in (None, ""):
                continue
            if key not in framework:
                framework.put(key, value, row.location)
            elif str(value) != str(framework[key]):
                reader.problem(
                    row.location,
                    f"framework_{key} “{value}” differs from “{framework[key]}” on {framework.where(key)}",
                )
    framework.put("themes", _measure_tree(table, reader), table[0].location)
    return framework


PARSERS: dict[str, Callable[[bytes, _Reader], Any]] = {
    "yaml": _yaml_raw,
    "json": _json_raw,
    "xlsx": _xlsx_raw,
    "csv": _csv_raw,
}


def document_parse(content: bytes, filename: str) -> FrameworkDocument:
    """Read a framework file, choosing the format by the file's extension. Raises DocumentError listing
    every problem found (with its line, or sheet and row) if anything is wrong."""
    reader = _Reader()
    fmt = EXTENSIONS.get(Path(filename).suffix.lower())
    if fmt is None:
        raise DocumentError(
            [Problem(None, "the file must be YAML (.yaml or .yml), JSON (.json), XLSX (.xlsx) or CSV (.csv)")]
        )
    if not content:
        raise DocumentError([Problem(None, "the file is empty")])
    raw = PARSERS[fmt](content, reader)
    if raw is None:
        raise DocumentError(reader.problems)
    document = reader.framework(raw)
    if reader.problems:
        raise DocumentError(sorted(reader.problems, key=_problem_order))
    return document


def _problem_order(problem: Problem) -> tuple[str, int]:
    return (problem.sheet, problem.line or 0)


def document_load(path: Path | str) -> FrameworkDocument:
    """Read a framework file from disk (see `document_parse`)."""
    path = Path(path)
    return document_parse(path.read_bytes(), path.name)


# --- Documents from the database -------------------------------------------------------------------


def _item(item: Theme | Outcome | Measure) -> dict[str, Any]:
    return {
        "code": item.code,
        "title": item.title,
        "description": item.description,
        "verification": item.verification,
        "source_note": item.source_note,
    }


def version_tree_document(version: FrameworkVersion) -> tuple[ThemeDocument, ...]:
    """The themes → outcomes → measures of a version as a document, each level in its order."""
    ordered = ("position", "code")
    themes = version.themes.order_by(*ordered).prefetch_related(
        Prefetch(
            "outcomes",
            queryset=Outcome.objects.order_by(*ordered).prefetch_related(
                Prefetch("measures", queryset=Measure.objects.order_by(*ordered))
            ),
        )
    )
    return tuple(
        ThemeDocument(
            **_item(theme),
            outcomes=tuple(
                OutcomeDocument(
                    **_item(outcome),
                    measures=tuple(
                        MeasureDocument(
                            **_item(measure),
                            unit=measure.unit,
                            counting_rule=measure.counting_rule,
                            evidence_required=measure.evidence_required,
                            value_type=measure.value_type,
                        )
                        for measure in outcome.measures.all()
                    ),
                )
                for outcome in theme.outcomes.all()
            ),
        )
        for theme in themes
    )


def value_set_document(value_set: ValueSet) -> ValueSetDocument:
    return ValueSetDocument(
        code=value_set.code,
        title=value_set.title,
        description=value_set.description,
        source=value_set.source,
        licence=value_set.licence,
        base_year=value_set.base_year,
        valid_from=value_set.valid_from,
        valid_to=value_set.valid_to,
        entries=tuple(
            ValueEntryDocument(
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
            for entry in sorted(value_set.entries.all(), key=lambda entry: entry.measure_code)
        ),
    )


def version_value_sets(version: FrameworkVersion) -> list[ValueSet]:
    """The owner's value sets that belong with this version: those whose every value is for one of its
    measures (value sets are found by measure code, not tied to a framework)."""
    codes = set(version.measures.values_list("code", flat=True))
    value_sets = ValueSet.objects.filter(organisation_id=version.organisation_id).prefetch_related("entries")
    return [
        value_set
        for value_set in value_sets.order_by("code")
        if value_set.entries.all() and {entry.measure_code for entry in value_set.entries.all()} <= codes
    ]


def version_document(version: FrameworkVersion, *, include_value_sets: bool = True) -> FrameworkDocument:
    framework = version.framework
    return FrameworkDocument(
        code=framework.code,
        title=framework.title,
        description=framework.description,
        licence=framework.licence,
        source=version.source or framework.source,
        themes=version_tree_document(version),
        value_sets=tuple(value_set_document(vs) for vs in version_value_sets(version)) if include_value_sets else (),
    )


# --- Writing each format ---------------------------------------------------------------------------


def decimal_text(number: Decimal) -> str:
    """A Decimal as plain text without trailing zeros: 12.5000 → “12.5”, 100.0000 → “100”."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _drop_blank(mapping: dict[str, Any], keep: Iterable[str]) -> dict[str, Any]:
    kept = set(keep)
    return {key: value for key, value in mapping.items() if key in kept or value not in ("", None)}


def document_data(document: FrameworkDocument) -> dict[str, Any]:
    """The document as plain data for YAML and JSON: blank optional fields left out, numbers as text."""

    def item(obj: Any, keys: tuple[str, ...]) -> dict[str, Any]:
        return _drop_blank({key: getattr(obj, key) for key in keys}, ("code", "title", "verification", "unit"))

    data = _drop_blank({key: getattr(document, key) for key in FRAMEWORK_KEYS}, ("code", "title"))
    data["themes"] = [
        {
            **item(theme, ITEM_KEYS),
            "outcomes": [
                {**item(outcome, ITEM_KEYS), "measures": [item(measure, MEASURE_KEYS) for measure in outcome.measures]}
                for outcome in theme.outcomes
            ],
        }
        for theme in document.themes
    ]
    if document.value_sets:
        data["value_sets"] = [
            {
                **_drop_blank(
                    {
                        "code": value_set.code,
                        "title": value_set.title,
                        "description": value_set.description,
                        "source": value_set.source,
                        "licence": value_set.licence,
                        "base_year": value_set.base_year,
                        "valid_from": value_set.valid_from.isoformat(),
                        "valid_to": value_set.valid_to.isoformat() if value_set.valid_to else None,
                    },
                    ("code",),
                ),
                "entries": [
                    {
                        "measure_code": entry.measure_code,
                        "value_per_unit": decimal_text(entry.value_per_unit),
                        "source": entry.source,
                        "base_year": entry.base_year,
                        **{key: decimal_text(getattr(entry, key)) for key in FRACTION_KEYS},
                        "duration_years": entry.duration_years,
                    }
                    for entry in value_set.entries
                ],
            }
            for value_set in document.value_sets
        ]
    return data


def _header(version: FrameworkVersion) -> str:
    return f"{version.framework.title}, version {version.number} ({version.get_status_display().lower()})"


def _yaml_bytes(document: FrameworkDocument, header: str) -> bytes:
    body = yaml.safe_dump(document_data(document), sort_keys=False, allow_unicode=True, width=100)
    return f"# {header}\n# A Commonweal framework file: see docs/frameworks.md.\n{body}".encode()


def _json_bytes(document: FrameworkDocument) -> bytes:
    return (json.dumps(document_data(document), indent=2, ensure_ascii=False) + "\n").encode()


def _measure_rows(document: FrameworkDocument) -> Iterator[dict[str, Any]]:
    """One row per measure (and one for each theme or outcome that has none), for the spreadsheets."""
    for theme in document.themes:
        theme_cells = {f"theme_{key}": getattr(theme, key) for key in ITEM_KEYS}
        if not theme.outcomes:
            yield theme_cells
        for outcome in theme.outcomes:
            outcome_cells = {**theme_cells, **{f"outcome_{key}": getattr(outcome, key) for key in ITEM_KEYS}}
            if not outcome.measures:
                yield outcome_cells
            for measure in outcome.measures:
                yield {**outcome_cells, **{key: getattr(measure, key) for key in MEASURE_KEYS}}


def _value_rows(document: FrameworkDocument) -> Iterator[tuple[ValueSetDocument, ValueEntryDocument]]:
    for value_set in document.value_sets:
        for entry in value_set.entries:
            yield value_set, entry


def _csv_escape(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is written with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_unescape(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _csv_bytes(header: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_escape(value) for key, value in row.items()})
    return out.getvalue().encode()


def measures_csv(document: FrameworkDocument) -> bytes:
    """The measures CSV: the framework's own columns are filled on the first row only."""
    framework_cells = {f"framework_{key}": getattr(document, key) for key in FRAMEWORK_KEYS}

    def rows() -> Iterator[dict[str, Any]]:
        for number, row in enumerate(_measure_rows(document)):
            yield {**framework_cells, **row} if number == 0 else row

    return _csv_bytes(CSV_MEASURE_COLUMNS, rows())


def values_csv(document: FrameworkDocument) -> bytes:
    """Every value of every value set, one row each, with the value set's own fields repeated."""

    def rows() -> Iterator[dict[str, Any]]:
        for value_set, entry in _value_rows(document):
            yield {
                **{f"value_set_{key}": cell for key, cell in _value_set_cells(value_set).items()},
                **_entry_cells(entry, text=True),
            }

    return _csv_bytes(VALUES_CSV_COLUMNS, rows())


def _value_set_cells(value_set: ValueSetDocument) -> dict[str, Any]:
    return {
        "code": value_set.code,
        "title": value_set.title,
        "description": value_set.description,
        "source": value_set.source,
        "licence": value_set.licence,
        "base_year": value_set.base_year,
        "valid_from": value_set.valid_from.isoformat(),
        "valid_to": value_set.valid_to.isoformat() if value_set.valid_to else "",
    }


def _entry_cells(entry: ValueEntryDocument, *, text: bool) -> dict[str, Any]:
    def number(value: Decimal) -> Any:
        return decimal_text(value) if text else Decimal(decimal_text(value))

    return {
        "measure_code": entry.measure_code,
        "value_per_unit": number(entry.value_per_unit),
        "source": entry.source,
        "base_year": entry.base_year,
        **{key: number(getattr(entry, key)) for key in FRACTION_KEYS},
        "duration_years": entry.duration_years,
    }


def _xlsx_bytes(document: FrameworkDocument) -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = openpyxl.Workbook()
    bold = Font(bold=True)

    def write(sheet: Worksheet, rows: Iterable[Iterable[Any]], *, header: bool = True) -> None:
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value in (None, ""):
                    continue
                cell = sheet.cell(row=number, column=column, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text, never a formula, whatever it starts with
                if header and number == 1:
                    cell.font = bold

    framework_sheet = workbook.active
    assert framework_sheet is not None
    framework_sheet.title = SHEET_FRAMEWORK
    write(framework_sheet, [(key, getattr(document, key)) for key in FRAMEWORK_KEYS], header=False)
    for cell in framework_sheet["A"]:
        cell.font = bold
    write(
        workbook.create_sheet(SHEET_MEASURES),
        [MEASURE_COLUMNS, *([row.get(column) for column in MEASURE_COLUMNS] for row in _measure_rows(document))],
    )
    if document.value_sets:
        write(
            workbook.create_sheet(SHEET_VALUE_SETS),
            [VALUE_SET_COLUMNS, *(list(_value_set_cells(value_set).values()) for value_set in document.value_sets)],
        )
        write(
            workbook.create_sheet(SHEET_VALUES),
            [
                VALUE_COLUMNS,
                *(
                    [value_set.code, *_entry_cells(entry, text=False).values()]
                    for value_set, entry in _value_rows(document)
                ),
            ],
        )
    for sheet in workbook.worksheets:
        sheet.freeze_panes = "A2" if sheet.title != SHEET_FRAMEWORK else None
        for column in range(1, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 24
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def document_export(document: FrameworkDocument, fmt: str, *, header: str = "") -> bytes:
    """The document in `fmt` (yaml, json, xlsx or csv). CSV holds the measures only: see `values_csv`."""
    if fmt == "yaml":
        return _yaml_bytes(document, header or document.title)
    if fmt == "json":
        return _json_bytes(document)
    if fmt == "xlsx":
        return _xlsx_bytes(document)
    if fmt == "csv":
        return measures_csv(document)
    raise ValueError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")


def version_export(version: FrameworkVersion, fmt: str, include_value_sets: bool = True) -> bytes:
    """A version as a file in `fmt` that imports back to the same framework. Value sets are included
    (except in CSV, which holds the measures; `version_values_csv` gives the values)."""
    document = version_document(version, include_value_sets=include_value_sets and fmt != "csv")
    return document_export(document, fmt, header=_header(version))


def version_values_csv(version: FrameworkVersion) -> bytes:
    return values_csv(version_document(version, include_value_sets=True))


def export_filename(version: FrameworkVersion, fmt: str, *, values: bool = False) -> str:
    suffix = "-values" if values else ""
    return f"{version.framework.code}-v{version.number}{suffix}.{fmt}"


# --- Finding what to export ------------------------------------------------------------------------


def version_find(*, member: Member, code: str, number: int | None = None) -> FrameworkVersion:
    """A version of one of the member's organisation's frameworks, by framework code and version number
    (the newest published version if no number is given). Raises ApplicationError naming what is missing."""
    framework = Framework.objects.filter(organisation=member.organisation, code=code).first()
    if framework is None:
        raise ApplicationError(f"{member.organisation.name} has no framework with the code “{code}”.")
    versions = framework.versions.select_related("framework")
    if number is not None:
        version = versions.filter(number=number).first()
        if version is None:
            raise ApplicationError(f"The framework “{code}” has no version {number}.")
        return version
    version = versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
    if version is None:
        raise ApplicationError(f"The framework “{code}” has no published version: give the version number.")
    return version


# --- Templates -------------------------------------------------------------------------------------


def template_list() -> list[TemplateInfo]:
    """The framework templates shipped as data files, by title."""
    templates = []
    for path in sorted(TEMPLATES_DIR.glob("*.yaml")):
        document = document_load(path)
        templates.append(
            TemplateInfo(
                key=path.stem,
                title=document.title,
                description=document.description,
                licence=document.licence,
                source=document.source,
                path=path,
            )
        )
    return sorted(templates, key=lambda template: template.title)
