"""360Giving grants in and out, pure: read a 360Giving file (JSON package, CSV or XLSX with the
standard's column titles) into plain `Grant`s, each validated against the bundled 360Giving 1.4.3
schema, and build and check a 360Giving package from plain data. No database: `services_grants`
matches recipients and writes agreements (docs/grants-360giving.md).

Reading follows what funders publish (see ../shared/data/README.md): column titles with stray spaces
around the colon (`Grant Programme: Title`), columns of the publisher's own (ignored, and named in a
note), Excel dates and text dates in one column, amounts as floats with noise (`41133.770000000004`,
rounded to pence), empty cells as None or "". Validation uses a `date-time` format check of its own, so
a plain `YYYY-MM-DD` award date matches exactly one branch of the schema's `oneOf` (jsonschema checks no
`date-time` without an extra package, and the `oneOf` then fails for every valid date).
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "360giving-1.4.3"
CURRENCY = "GBP"
PENNY = Decimal("0.01")
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")
CHARITY_PREFIXES = ("GB-CHC-", "GB-SC-", "GB-NIC-")
COMPANY_PREFIX = "GB-COH-"
MAX_PROBLEMS = 5  # schema problems named per grant; the rest are counted


@dataclass(frozen=True)
class Grant:
    """One grant, as much as an agreement needs of it."""

    where: str  # "line 4" (CSV), "row 4" (XLSX), "grant 4" (JSON)
    identifier: str
    title: str
    description: str
    currency: str
    amount: Decimal
    award_date: date
    planned_start: date | None
    planned_end: date | None
    duration_months: int | None
    recipient_identifier: str
    recipient_name: str
    charity_number: str
    company_number: str
    programme_code: str
    programme_title: str
    location_codes: tuple[str, ...]  # ONS GSS codes of the beneficiary locations
    funder_identifier: str
    funder_name: str


@dataclass(frozen=True)
class GrantRejection:
    file: str
    where: str  # "" for the whole file
    identifier: str
    reason: str

    def __str__(self) -> str:
        if not self.where:
            return f"{self.file}: {self.reason}"
        named = f" ({self.identifier})" if self.identifier else ""
        return f"{self.file}, {self.where}{named}: {self.reason}"


@dataclass(frozen=True)
class GrantsRead:
    file: str
    grants: tuple[Grant, ...]
    rejections: tuple[GrantRejection, ...]
    notes: tuple[str, ...] = field(default=())


# --- The schema --------------------------------------------------------------------------------------


def _date_time(value: object) -> bool:
    if not isinstance(value, str) or "T" not in value.upper():
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return False
    return True


@cache
def _validators() -> tuple[jsonschema.Draft202012Validator, jsonschema.Draft202012Validator]:
    """Validators of one grant and of a package, offline (the bundled schemas, registered under the
    1.4.3 id and the 1.4.2 address the package schema still refers to)."""
    grant_schema = json.loads((SCHEMA_DIR / "360-giving-schema.json").read_text(encoding="utf-8"))
    package_schema = json.loads((SCHEMA_DIR / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    resource = Resource.from_contents(grant_schema, default_specification=DRAFT202012)
    registry: Registry = Registry().with_resources(
        [(grant_schema["$id"], resource), (package_schema["properties"]["grants"]["items"]["$ref"], resource)]
    )
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(_date_time)
    return (
        jsonschema.Draft202012Validator(grant_schema, registry=registry, format_checker=checker),
        jsonschema.Draft202012Validator(package_schema, registry=registry, format_checker=checker),
    )


def _error_path(error: jsonschema.ValidationError) -> str:
    return "/".join(str(part) for part in error.absolute_path) or "(the grant)"


def grant_problems(grant: Any) -> list[str]:
    """Every way one grant breaks the 360Giving 1.4.3 schema, as "path: message"."""
    validator, _ = _validators()
    problems = []
    for error in sorted(validator.iter_errors(grant), key=lambda error: list(map(str, error.absolute_path))):
        message = error.message
        if error.validator == "oneOf" and not error.absolute_path:
            message = "needs either a recipient organisation or a recipient individual, with every required field"
            missing = [
                name
                for name in ("id", "title", "description", "currency", "amountAwarded", "awardDate")
                if isinstance(grant, dict) and name not in grant
            ]
            if missing:
                message = "is missing " + ", ".join(missing)
        elif error.validator == "oneOf":
            message = f"“{error.instance}” is not a date (YYYY-MM-DD) or a date and time"
        problems.append(f"{_error_path(error)}: {message}" if error.absolute_path else message)
    return problems


def package_problems(package: Any) -> list[str]:
    """Every way `package` breaks the 360Giving 1.4.3 package schema, as "path: message"."""
    _, validator = _validators()
    return [
        f"{_error_path(error)}: {error.message}"
        for error in sorted(validator.iter_errors(package), key=lambda error: list(map(str, error.absolute_path)))
    ]


@cache
def _columns() -> dict[tuple[str, ...], tuple[tuple[str | int, ...], str]]:
    """Each column title path of the standard (lower case, e.g. ("recipient org", "identifier")) with
    its JSON path (a 0 where an array of objects is entered) and JSON type."""
    schema = json.loads((SCHEMA_DIR / "360-giving-schema.json").read_text(encoding="utf-8"))
    definitions = schema["$defs"]
    columns: dict[tuple[str, ...], tuple[tuple[str | int, ...], str]] = {}

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in node:
            return {**definitions[node["$ref"].split("/")[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def walk(node: dict[str, Any], titles: tuple[str, ...], path: tuple[str | int, ...]) -> None:
        for name, raw in node.get("properties", {}).items():
            prop = resolve(raw)
            title = str(prop.get("title", name)).strip().lower()
            kinds = prop.get("type", "string")
            kind = next((k for k in (kinds if isinstance(kinds, list) else [kinds]) if k != "null"), "string")
            items = resolve(prop.get("items", {})) if kind == "array" else {}
            if kind == "object":
                walk(prop, (*titles, title), (*path, name))
            elif kind == "array" and items.get("type") == "object":
                walk(items, (*titles, title), (*path, name, 0))
            else:
                # A date-time cell from a spreadsheet is written in full, not as a date.
                columns[(*titles, title)] = ((*path, name), "date-time" if prop.get("format") == "date-time" else kind)

    walk(schema, (), ())
    return columns


# --- Reading -----------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _cell(value: Any, kind: str) -> Any:
    """A spreadsheet cell as the JSON type the schema wants; None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind in ("number", "integer") and not isinstance(value, bool):
        if isinstance(value, int | float | Decimal):
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            try:
                number = Decimal(str(value).strip().replace(",", "").lstrip("£"))
            except InvalidOperation:
                return str(value).strip()  # left for the schema to name
        if kind == "integer" and number == number.to_integral_value():
            return int(number)
        return number
    if kind == "date-time" and isinstance(value, datetime):
        return value.isoformat()
    if kind == "boolean" and isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return _cell_text(value)


def _set(target: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    node: Any = target
    for step, following in zip(path, path[1:], strict=False):
        if isinstance(step, int):
            while len(node) <= step:
                node.append({})
            node = node[step]
        else:
            node = node.setdefault(step, [] if isinstance(following, int) else {})
    node[path[-1]] = value


def _header(titles: list[Any]) -> tuple[list[tuple[tuple[str | int, ...], str] | None], list[str]]:
    """Each column's JSON path and type (None: not a column of the standard), and the ignored titles.
    A repeated title (or a number between titles, `Beneficiary Location:1:Geographic Code`) is the next
    entry of its array."""
    columns = _columns()
    seen: dict[tuple[str | int, ...], int] = {}
    found: list[tuple[tuple[str | int, ...], str] | None] = []
    ignored: list[str] = []
    for raw in titles:
        title = _cell_text(raw)
        parts = [part.strip().lower() for part in title.split(":")]
        index = next((int(part) for part in parts if part.isdigit()), None)
        key = tuple(part for part in parts if not part.isdigit())
        if key not in columns:
            found.append(None)
            if title:
                ignored.append(title)
            continue
        path, kind = columns[key]
        if 0 in path:
            if index is None:
                index = seen.get(path, -1) + 1
                seen[path] = index
            position = path.index(0)
            path = (*path[:position], index, *path[position + 1 :])
        found.append((path, kind))
    return found, ignored


def _rows_read(file: str, rows: list[list[Any]], label: str, first_line: int) -> GrantsRead:
    if not rows:
        return GrantsRead(file, (), (GrantRejection(file, "", "", "is empty"),))
    header, ignored = _header(rows[0])
    if not any(column and column[0] == ("id",) for column in header):
        return GrantsRead(
            file,
            (),
            (GrantRejection(file, "", "", "has no “Identifier” column in its first row, so it is not 360Giving data"),),
        )
    entries = []
    for number, row in enumerate(rows[1:], start=first_line + 1):
        if all(_cell(value, "string") is None for value in row):
            continue
        grant: dict[str, Any] = {}
        for column, value in zip(header, row, strict=False):
            if column is not None and (cell := _cell(value, column[1])) is not None:
                _set(grant, column[0], cell)
        entries.append((f"{label} {number}", _compact(grant)))
    notes = (f"{file}: columns not in the 360Giving standard were ignored: {', '.join(ignored)}.",) if ignored else ()
    return _grants_read(file, entries, notes)


def _compact(value: Any) -> Any:
    """Arrays without the empty objects that columns left blank make."""
    if isinstance(value, dict):
        return {key: _compact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_compact(item) for item in value if item != {}]
    return value


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _day(value: Any) -> date | None:
    text = _text(value)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("z", "Z")).date() if "T" in text else date.fromisoformat(text)
    except ValueError:
        return None


def _first(value: Any) -> dict[str, Any]:
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}


def _number_from(identifier: str, prefixes: tuple[str, ...]) -> str:
    upper = identifier.upper()
    return next((identifier[len(prefix) :].strip() for prefix in prefixes if upper.startswith(prefix)), "")


def grant_of(raw: dict[str, Any], where: str) -> Grant:
    """A schema-valid grant as a Grant; ValueError for what the schema allows and an agreement cannot take."""
    if "recipientOrganization" not in raw:
        raise ValueError("is a grant to an individual: only grants to organisations become agreements")
    currency = _text(raw.get("currency"))
    if currency != CURRENCY:
        raise ValueError(f"is in {currency}: agreements are in pounds (GBP)")
    amount = Decimal(str(raw["amountAwarded"])).quantize(PENNY, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("amountAwarded is negative")
    award_date = _day(raw.get("awardDate"))
    if award_date is None:
        raise ValueError(f"awardDate “{raw.get('awardDate')}” is not a date")
    planned = _first(raw.get("plannedDates"))
    duration = planned.get("duration")
    recipient = _first(raw.get("recipientOrganization"))
    recipient_id = _text(recipient.get("id"))
    charity = _text(recipient.get("charityNumber")) or _number_from(recipient_id, CHARITY_PREFIXES)
    company = _text(recipient.get("companyNumber")) or _number_from(recipient_id, (COMPANY_PREFIX,))
    programme = _first(raw.get("grantProgramme"))
    funder = _first(raw.get("fundingOrganization"))
    codes: list[str] = []
    for location in raw.get("beneficiaryLocation") or []:
        code = _text(location.get("geoCode")).upper() if isinstance(location, dict) else ""
        if GSS_CODE.match(code) and code not in codes:
            codes.append(code)
    return Grant(
        where=where,
        identifier=_text(raw["id"]),
        title=_text(raw["title"]),
        description=_text(raw.get("description")),
        currency=currency,
        amount=amount,
        award_date=award_date,
        planned_start=_day(planned.get("startDate")),
        planned_end=_day(planned.get("endDate")),
        duration_months=int(duration) if isinstance(duration, int | Decimal) and duration > 0 else None,
        recipient_identifier=recipient_id,
        recipient_name=_text(recipient.get("name")),
        charity_number=charity,
        company_number=company,
        programme_code=_text(programme.get("code")),
        programme_title=_text(programme.get("title")),
        location_codes=tuple(codes),
        funder_identifier=_text(funder.get("id")),
        funder_name=_text(funder.get("name")),
    )


def _grants_read(file: str, entries: list[tuple[str, Any]], notes: tuple[str, ...] = ()) -> GrantsRead:
    grants: list[Grant] = []
    rejections: list[GrantRejection] = []
    seen: dict[str, str] = {}
    for where, raw in entries:
        identifier = _text(raw.get("id")) if isinstance(raw, dict) else ""
        problems = grant_problems(raw) if isinstance(raw, dict) else ["is not a JSON object"]
        if problems:
            more = f"; and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
            reason = "; ".join(problems[:MAX_PROBLEMS]) + more
            rejections.append(GrantRejection(file, where, identifier, reason))
            continue
        if identifier in seen:
            rejections.append(GrantRejection(file, where, identifier, f"repeats the identifier of {seen[identifier]}"))
            continue
        seen[identifier] = where
        try:
            grants.append(grant_of(raw, where))
        except ValueError as error:
            rejections.append(GrantRejection(file, where, identifier, str(error)))
    if not grants and not rejections:
        rejections.append(GrantRejection(file, "", "", "holds no grants"))
    return GrantsRead(file, tuple(grants), tuple(rejections), notes)


def _csv_rows(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]


def _xlsx_rows(content: bytes) -> tuple[list[list[Any]], str]:
    import openpyxl  # only XLSX uploads need it

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            if rows and any(_cell_text(title).strip().lower() == "identifier" for title in rows[0]):
                return rows, sheet.title
        return [], ""
    finally:
        workbook.close()


def grants_read(content: bytes, *, file: str) -> GrantsRead:
    """Every grant of a 360Giving file (a JSON package, CSV, or XLSX whose sheet has the standard's column
    titles in its first row), read or rejected with where and why."""
    name = file.lower()
    if name.endswith((".xlsx", ".xlsm")) or content[:4] == b"PK\x03\x04":
        try:
            rows, sheet = _xlsx_rows(content)
        except Exception:  # openpyxl raises many kinds for a broken workbook
            return GrantsRead(file, (), (GrantRejection(file, "", "", "is not a readable XLSX workbook"),))
        if not rows:
            return GrantsRead(
                file, (), (GrantRejection(file, "", "", "has no sheet with an “Identifier” column in its first row"),)
            )
        read = _rows_read(file, rows, "row", 1)
        return GrantsRead(read.file, read.grants, read.rejections, (*read.notes, f"{file}: read the sheet “{sheet}”."))
    if name.endswith(".json") or content.lstrip()[:1] in (b"{", b"["):
        try:
            document = json.loads(content.decode("utf-8-sig"), parse_float=Decimal)
        except UnicodeDecodeError:
            return GrantsRead(file, (), (GrantRejection(file, "", "", "is not UTF-8 text"),))
        except json.JSONDecodeError as error:
            return GrantsRead(
                file, (), (GrantRejection(file, "", "", f"is not JSON (line {error.lineno}: {error.msg})"),)
            )
        if not isinstance(document, dict) or not isinstance(document.get("grants"), list):
            return GrantsRead(file, (), (GrantRejection(file, "", "", 'is not a 360Giving package ({"grants": […]})'),))
        return _grants_read(file, [(f"grant {n}", raw) for n, raw in enumerate(document["grants"], start=1)])
    return _rows_read(file, _csv_rows(content), "line", 1)


# --- Writing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantOut:
    identifier: str
    title: str
    description: str
    amount: Decimal
    award_date: date
    start_date: date
    end_date: date
    duration_months: int | None
    recipient_identifier: str
    recipient_name: str
    charity_number: str
    company_number: str
    programme_code: str
    programme_title: str
    location_codes: tuple[str, ...]
    funder_identifier: str
    funder_name: str


def grant_json(grant: GrantOut) -> dict[str, Any]:
    recipient: dict[str, Any] = {"id": grant.recipient_identifier, "name": grant.recipient_name}
    if grant.charity_number:
        recipient["charityNumber"] = grant.charity_number
    if grant.company_number:
        recipient["companyNumber"] = grant.company_number
    planned: dict[str, Any] = {"startDate": grant.start_date.isoformat(), "endDate": grant.end_date.isoformat()}
    if grant.duration_months:
        planned["duration"] = grant.duration_months
    out: dict[str, Any] = {
        "id": grant.identifier,
        "title": grant.title,
        "description": grant.description or grant.title,
        "currency": CURRENCY,
        "amountAwarded": grant.amount,
        "awardDate": grant.award_date.isoformat(),
        "plannedDates": [planned],
        "recipientOrganization": [recipient],
        "fundingOrganization": [{"id": grant.funder_identifier, "name": grant.funder_name}],
    }
    if grant.location_codes:
        out["beneficiaryLocation"] = [{"geoCode": code, "countryCode": "GB"} for code in grant.location_codes]
    if grant.programme_code or grant.programme_title:
        programme = {"code": grant.programme_code} if grant.programme_code else {}
        out["grantProgramme"] = [{**programme, **({"title": grant.programme_title} if grant.programme_title else {})}]
    return out


def package_build(grants: list[GrantOut]) -> dict[str, Any]:
    return {"grants": [grant_json(grant) for grant in grants]}


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def package_json(package: dict[str, Any]) -> str:
    return json.dumps(package, indent=2, ensure_ascii=False, default=_json_default) + "\n"
