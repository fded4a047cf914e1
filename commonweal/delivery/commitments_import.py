"""Reading a commitments file (CSV or XLSX) into rows, each with the line it came from.

Columns, by heading in the first non-blank row (case, spaces and underscores do not matter):
measure code, target quantity, due date (required); place code, beneficiary group (optional).
Reading stores nothing: `services_agreements.commitments_import` checks the rows and stores them.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from commonweal.core.exports import FORMULA_PREFIXES

COLUMNS = {
    "measure_code": "measure code",
    "target_quantity": "target quantity",
    "due_date": "due date",
    "place_code": "place code",
    "beneficiary_group": "beneficiary group",
}
REQUIRED = ("measure_code", "target_quantity", "due_date")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")
TEMPLATE_CSV = (
    "measure code,target quantity,due date,place code,beneficiary group\nJOBS.1.1,6,2027-09-30,E08000009,Care leavers\n"
)

Problem = tuple[int | None, str]


@dataclass(frozen=True)
class ImportRow:
    """One data row as read; `line` is its line (CSV) or row (XLSX) number. A value that could not be
    read is None (or blank), with the reason in `problems` as (field, message)."""

    line: int
    measure_code: str
    target_quantity: Decimal | None
    due_date: date | None
    place_code: str
    beneficiary_group: str
    problems: tuple[tuple[str, str], ...] = ()


def heading_key(heading: Any) -> str:
    return re.sub(r"[\s_-]+", "_", str(heading or "").strip().lower())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # a number typed into a spreadsheet cell
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    # Our CSV exports put an apostrophe before text a spreadsheet would run as a formula.
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _quantity(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, float):  # Excel holds numbers in binary: the shortest repr is what was typed
        return Decimal(repr(value))
    try:
        number = Decimal(_text(value).replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for date_format in DATE_FORMATS:
        try:
            # A due date is a calendar date, with no time of day: no time zone applies to it.
            return datetime.strptime(text, date_format).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _rows(table: list[tuple[int, list[Any]]]) -> tuple[list[ImportRow], list[Problem]]:
    """Rows by heading from (line, cells) pairs; the first non-blank row holds the headings."""
    table = [(line, cells) for line, cells in table if any(_text(cell) for cell in cells)]
    if not table:
        return [], [(1, "the file is empty")]
    header_line, header = table[0]
    problems: list[Problem] = []
    names: list[str] = []
    for heading in header:
        key = heading_key(heading)
        if key and key not in COLUMNS:
            allowed = ", ".join(COLUMNS.values())
            problems.append((header_line, f"unknown column “{_text(heading)}” (the columns are: {allowed})"))
        elif key and key in names:
            problems.append((header_line, f"the column “{COLUMNS[key]}” is given twice"))
            key = ""
        names.append(key if key in COLUMNS else "")
    for key in REQUIRED:
        if key not in names:
            problems.append((header_line, f"the column “{COLUMNS[key]}” is missing"))
    if problems:
        return [], problems
    if len(table) == 1:
        return [], [(header_line, "the file has headings but no commitments")]
    rows = []
    for line, cells in table[1:]:
        raw = {name: cell for name, cell in zip(names, cells, strict=False) if name}
        row_problems: list[tuple[str, str]] = []
        quantity = _quantity(raw.get("target_quantity"))
        if quantity is None:
            shown = _text(raw.get("target_quantity"))
            row_problems.append(
                (
                    "target_quantity",
                    f"target quantity “{shown}” is not a number" if shown else "the target quantity is missing",
                )
            )
        due = _date(raw.get("due_date"))
        if due is None:
            shown = _text(raw.get("due_date"))
            row_problems.append(
                (
                    "due_date",
                    f"due date “{shown}” is not a date like 2027-03-31 or 31/3/2027"
                    if shown
                    else "the due date is missing",
                )
            )
        rows.append(
            ImportRow(
                line=line,
                measure_code=_text(raw.get("measure_code")),
                target_quantity=quantity,
                due_date=due,
                place_code=_text(raw.get("place_code")),
                beneficiary_group=_text(raw.get("beneficiary_group")),
                problems=tuple(row_problems),
            )
        )
    return rows, []


def _csv_table(content: bytes) -> tuple[list[tuple[int, list[Any]]], list[Problem]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel's plain "CSV" is Windows-1252
    table = []
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    try:
        for cells in reader:
            table.append((line, list(cells)))
            line = reader.line_num + 1
    except csv.Error as error:
        return [], [(line, f"the CSV is not valid: {error}")]
    return table, []


def _xlsx_table(content: bytes) -> tuple[list[tuple[int, list[Any]]], list[Problem]]:
    from zipfile import BadZipFile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        return [], [(None, "the file is not an XLSX workbook that can be read: save it again as .xlsx")]
    try:
        sheet = workbook.worksheets[0]
        table = [(number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()
    return table, []


def commitment_rows_read(*, name: str, content: bytes) -> tuple[list[ImportRow], list[Problem]]:
    """The file's rows, or the problems that stop it being read (each with its line where there is one).
    XLSX: the first sheet is read, and a row's number is its line."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        table, problems = _xlsx_table(content)
    else:
        table, problems = _csv_table(content)
    if problems:
        return [], problems
    return _rows(table)
