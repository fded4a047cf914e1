"""Reading supplier flags from published files: OCDS release or record packages (SME and VCSE flags on
parties) and 360Giving grants (recipient organisations, which are voluntary or community bodies), plus a
plain size list. Pure reading: `services_suppliers.supplier_flags_apply` matches the records to suppliers.

What each file says, and how it is read:
- **OCDS** (JSON with `releases`, `records` or one release): each party that is not only a buyer or
  procuring entity. Contracts Finder's old shape puts `sme` and `vco` (voluntary or community
  organisation) booleans on the party; OCDS 1.1's party scale extension puts `details.scale`
  ("micro", "sme", "large", "selfEmployed"). Identifiers with scheme GB-COH are Companies House
  numbers, GB-CHC / GB-SC / GB-NIC charity numbers. HTML entities in names ("Bristow &amp; Sutor",
  as Contracts Finder publishes them) are decoded.
- **360Giving** (JSON `{"grants": [...]}` or the flattened CSV with "Recipient Org:Name" columns):
  every recipient organisation is VCSE, with its charity and company numbers where given.
- **Size list** (CSV with a `name` column and a `size` column: micro, small, medium, sme or large; an
  optional `companies_house_number` column): SME is yes for micro, small, medium and sme, no for large.
"""

import csv
import html
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commonweal.core.errors import ApplicationError

from . import places
from .classification import charity_number_clean, company_number_clean

SOURCE_OCDS = "ocds"
SOURCE_360GIVING = "360giving"
SOURCE_SIZE_LIST = "size-list"

SME_SCALES = {"micro": True, "sme": True, "selfemployed": True, "large": False}
SME_SIZES = {"micro": True, "small": True, "medium": True, "sme": True, "large": False}
COMPANY_SCHEMES = {"GB-COH"}
CHARITY_SCHEMES = {"GB-CHC", "GB-SC", "GB-NIC"}
NOT_SUPPLIER_ROLES = {"buyer", "procuringEntity", "funder", "reviewBody", "interestedParty"}


@dataclass(frozen=True)
class FlagRecord:
    """What one file says about one organisation."""

    source: str  # SOURCE_OCDS, SOURCE_360GIVING or SOURCE_SIZE_LIST
    name: str
    companies_house_number: str
    charity_number: str
    sme: bool | None
    vcse: bool | None
    evidence: str  # where in the file: "release ocds-b5fd17-…", "grant 360G-…", "line 4"


class FlagsFileError(ApplicationError):
    pass


def _text(value: Any) -> str:
    return html.unescape(str(value)).strip() if value not in (None, "") else ""


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _identifiers(party: dict[str, Any]) -> tuple[str, str]:
    company, charity = "", ""
    identifiers = [party.get("identifier") or {}, *(party.get("additionalIdentifiers") or [])]
    for identifier in identifiers:
        if not isinstance(identifier, dict):
            continue
        scheme = str(identifier.get("scheme") or "").upper()
        value = str(identifier.get("id") or "")
        if scheme in COMPANY_SCHEMES and not company:
            company = company_number_clean(value)
        elif scheme in CHARITY_SCHEMES and not charity:
            charity = charity_number_clean(value)
    return company, charity


def _ocds_releases(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if isinstance(document.get("releases"), list):
        yield from (release for release in document["releases"] if isinstance(release, dict))
    elif isinstance(document.get("records"), list):
        for record in document["records"]:
            if not isinstance(record, dict):
                continue
            if isinstance(record.get("compiledRelease"), dict):
                yield record["compiledRelease"]
            else:
                yield from (release for release in record.get("releases") or [] if isinstance(release, dict))
    elif "parties" in document:
        yield document


def ocds_records(document: dict[str, Any]) -> list[FlagRecord]:
    records = []
    for release in _ocds_releases(document):
        release_id = _text(release.get("id")) or _text(release.get("ocid"))
        for party in release.get("parties") or []:
            if not isinstance(party, dict):
                continue
            roles = set(party.get("roles") or [])
            name = _text(party.get("name")) or _text((party.get("identifier") or {}).get("legalName"))
            if not name or (roles and roles <= NOT_SUPPLIER_ROLES):
                continue
            details = party.get("details")
            details = details if isinstance(details, dict) else {}
            scale = str(details.get("scale") or "").strip().lower()
            sme = SME_SCALES.get(scale) if scale else _bool(party.get("sme"))
            vcse = _bool(party.get("vco"))
            if sme is None and vcse is None:
                continue
            company, charity = _identifiers(party)
            records.append(
                FlagRecord(
                    source=SOURCE_OCDS,
                    name=name,
                    companies_house_number=company,
                    charity_number=charity,
                    sme=sme,
                    vcse=vcse,
                    evidence=f"release {release_id}",
                )
            )
    return records


def giving_json_records(document: dict[str, Any]) -> list[FlagRecord]:
    records = []
    for grant in document.get("grants") or []:
        if not isinstance(grant, dict):
            continue
        for recipient in grant.get("recipientOrganization") or []:
            if not isinstance(recipient, dict) or not _text(recipient.get("name")):
                continue
            records.append(
                FlagRecord(
                    source=SOURCE_360GIVING,
                    name=_text(recipient.get("name")),
                    companies_house_number=company_number_clean(_text(recipient.get("companyNumber"))),
                    charity_number=charity_number_clean(_text(recipient.get("charityNumber"))),
                    sme=None,
                    vcse=True,
                    evidence=f"grant {_text(grant.get('id'))}",
                )
            )
    return records


def _csv_rows(content: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip() for column in next(reader, [])]
    rows = []
    for row in reader:
        if any(cell.strip() for cell in row):
            rows.append((reader.line_num, dict(zip(header, (cell.strip() for cell in row), strict=False))))
    return header, rows


def _column(header: list[str], *names: str) -> str | None:
    wanted = {name.casefold() for name in names}
    return next((column for column in header if column.casefold() in wanted), None)


def giving_csv_records(header: list[str], rows: list[tuple[int, dict[str, str]]]) -> list[FlagRecord]:
    name = _column(header, "Recipient Org:Name")
    charity = _column(header, "Recipient Org:Charity Number")
    company = _column(header, "Recipient Org:Company Number")
    grant = _column(header, "Identifier")
    assert name is not None
    return [
        FlagRecord(
            source=SOURCE_360GIVING,
            name=row[name],
            companies_house_number=company_number_clean(row.get(company or "", "")),
            charity_number=charity_number_clean(row.get(charity or "", "")),
            sme=None,
            vcse=True,
            evidence=f"grant {row[grant]}" if grant and row.get(grant) else f"line {line}",
        )
        for line, row in rows
        if row.get(name)
    ]


def size_list_records(filename: str, header: list[str], rows: list[tuple[int, dict[str, str]]]) -> list[FlagRecord]:
    name = _column(header, "name", "supplier", "supplier name", "organisation", "organisation name")
    size = _column(header, "size", "scale", "supplier size")
    company = _column(header, "companies_house_number", "company number", "companies house number")
    assert name is not None and size is not None
    records, problems = [], []
    for line, row in rows:
        value = row.get(size, "").strip().lower()
        if not row.get(name):
            problems.append(f"{filename}: line {line}: no name")
        elif value not in SME_SIZES:
            problems.append(
                f"{filename}: line {line}: size “{row.get(size, '')}” is not micro, small, medium, sme or large"
            )
        else:
            records.append(
                FlagRecord(
                    source=SOURCE_SIZE_LIST,
                    name=row[name],
                    companies_house_number=company_number_clean(row.get(company or "", "")),
                    charity_number="",
                    sme=SME_SIZES[value],
                    vcse=None,
                    evidence=f"line {line}, size {value}",
                )
            )
    if problems:
        raise FlagsFileError(f"{filename} has {len(problems)} problem(s): " + "; ".join(problems[:20]))
    return records


def flags_read(content: bytes, filename: str) -> list[FlagRecord]:
    """The flag records in one file, by its content: OCDS or 360Giving JSON, a 360Giving CSV or a size
    list. Raises FlagsFileError naming the file and what is wrong."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".json":
        try:
            document = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise FlagsFileError(f"{filename} is not valid JSON: {error}.") from None
        if not isinstance(document, dict):
            raise FlagsFileError(f"{filename} is neither an OCDS package nor a 360Giving file.")
        if "grants" in document:
            return giving_json_records(document)
        if any(key in document for key in ("releases", "records", "parties")):
            return ocds_records(document)
        raise FlagsFileError(f"{filename} is neither an OCDS package nor a 360Giving file.")
    if suffix == ".csv":
        header, rows = _csv_rows(content, filename)
        if _column(header, "Recipient Org:Name"):
            return giving_csv_records(header, rows)
        if _column(header, "size", "scale", "supplier size") and _column(
            header, "name", "supplier", "supplier name", "organisation", "organisation name"
        ):
            return size_list_records(filename, header, rows)
        raise FlagsFileError(
            f"{filename} is neither a 360Giving CSV (with a “Recipient Org:Name” column) nor a size list "
            "(with “name” and “size” columns)."
        )
    raise FlagsFileError(f"{filename} must be a JSON (OCDS or 360Giving) or CSV (360Giving or size list) file.")


# --- A council's own classification sheet -----------------------------------------------------------

CLASSIFICATION_COLUMNS = {
    "supplier": ("supplier", "supplier name", "name"),
    "postcode": ("postcode", "post code"),
    "companies_house_number": ("companies house number", "companies_house_number", "company number"),
    "sme": ("sme",),
    "vcse": ("vcse",),
    "living_wage": ("real living wage", "living wage", "living_wage"),
}
YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}


@dataclass(frozen=True)
class ClassificationRecord:
    """One line of a classification sheet: what the council knows of one supplier. None or "": not said."""

    line: int
    supplier: str
    postcode: str
    companies_house_number: str
    sme: bool | None
    vcse: bool | None
    living_wage: bool | None


def classification_sheet_read(content: bytes, filename: str) -> tuple[list[ClassificationRecord], list[str]]:
    """The records of a classification sheet (CSV: a supplier column, and any of postcode, Companies House
    number, SME, VCSE and Real Living Wage with yes or no), and every line's problem in words."""
    header, rows = _csv_rows(content, filename)
    columns = {key: _column(header, *names) for key, names in CLASSIFICATION_COLUMNS.items()}
    if columns["supplier"] is None:
        return [], [f"{filename} has no “supplier” column: download the template to see the columns"]
    if not any(columns[key] for key in CLASSIFICATION_COLUMNS if key != "supplier"):
        return [], [
            f"{filename} has no postcode, Companies House number, SME, VCSE or Real Living Wage column: "
            "nothing to classify"
        ]
    records, problems = [], []
    for line, row in rows:

        def cell(key: str, row: dict[str, str] = row) -> str:
            column = columns[key]
            return row.get(column, "").strip() if column else ""

        wrong = []
        postcode = places.postcode_normalise(cell("postcode"))
        if cell("postcode") and not postcode:
            wrong.append(f"postcode “{cell('postcode')}” is not a full UK postcode")
        company = company_number_clean(cell("companies_house_number"))
        if cell("companies_house_number") and not company:
            wrong.append(f"Companies House number “{cell('companies_house_number')}” is not 8 letters and digits")
        said: dict[str, bool | None] = {}
        for key in ("sme", "vcse", "living_wage"):
            text = cell(key)
            said[key] = YES_NO.get(text.casefold()) if text else None
            if text and said[key] is None:
                wrong.append(f"{columns[key]} “{text}” is not yes or no")
        if not cell("supplier"):
            wrong.append("the supplier is blank")
        if wrong:
            problems.append(f"Line {line}: {'; '.join(wrong)}")
            continue
        records.append(
            ClassificationRecord(
                line=line,
                supplier=cell("supplier"),
                postcode=postcode,
                companies_house_number=company,
                sme=said["sme"],
                vcse=said["vcse"],
                living_wage=said["living_wage"],
            )
        )
    if not rows:
        problems.append(f"{filename} has no rows under its header")
    return records, problems
