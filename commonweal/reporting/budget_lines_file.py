"""Budget lines as an XLSX file: written for download, and read back for import with the same columns, so
a downloaded file uploads unchanged.

Columns, by heading in the first non-blank row (case, spaces and underscores do not matter):
department, measure code (required); quantity, amount, basis, value set code, note. A line has a quantity,
or an amount with its basis (gross or net) and value set code. Reading stores nothing:
`services_budget.budget_lines_import` checks the rows and stores them.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from commonweal.core.exports import FORMULA_PREFIXES, cell_safe
from commonweal.delivery.commitments_import import heading_key

from .models import BudgetLine

COLUMNS = {
    "department": "department",
    "measure_code": "measure code",
    "quantity": "quantity",
    "amount": "amount",
    "basis": "basis",
    "value_set_code": "value set code",
    "note": "note",
}
REQUIRED = ("department", "measure_code")
SHEET_TITLE = "Budget lines"

Problem = tuple[int | None, str]


@dataclass(frozen=True)
class LineRow:
    """One data row as read; `line` is its row number in the sheet. A number that could not be read is
    None, with the reason in `problems` as (field, message)."""

    line: int
    department: str
    measure_code: str
    quantity: Decimal | None
    amount: Decimal | None
    basis: str
    value_set_code: str
    note: str
    problems: tuple[tuple[str, str], ...] = ()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # a number typed into a text column
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    # Our downloads put an apostrophe before text a spreadsheet would run as a formula.
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _number(value: Any, what: str, field: str) -> tuple[Decimal | None, tuple[str, str] | None]:
    """The cell as a number (None if blank), or the problem with it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, (field, f"{what} “{value}” is not a number")
    if isinstance(value, Decimal | int):
        return Decimal(value), None
    if isinstance(value, float):  # Excel holds numbers in binary: the shortest repr is what was typed
        return Decimal(repr(value)), None
    text = _text(value).replace(",", "").removeprefix("£")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, (field, f"{what} “{_text(value)}” is not a number")
    if not number.is_finite():
        return None, (field, f"{what} “{_text(value)}” is not a number")
    return number, None


def _rows(table: list[tuple[int, list[Any]]]) -> tuple[list[LineRow], list[Problem]]:
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
        return [], [(header_line, "the file has headings but no budget lines")]
    rows = []
    for line, cells in table[1:]:
        raw = {name: cell for name, cell in zip(names, cells, strict=False) if name}
        quantity, quantity_problem = _number(raw.get("quantity"), "quantity", "target_quantity")
        amount, amount_problem = _number(raw.get("amount"), "amount", "target_amount")
        rows.append(
            LineRow(
                line=line,
                department=_text(raw.get("department")),
                measure_code=_text(raw.get("measure_code")),
                quantity=quantity,
                amount=amount,
                basis=_text(raw.get("basis")),
                value_set_code=_text(raw.get("value_set_code")),
                note=_text(raw.get("note")),
                problems=tuple(problem for problem in (quantity_problem, amount_problem) if problem),
            )
        )
    return rows, []


def budget_line_rows_read(*, content: bytes) -> tuple[list[LineRow], list[Problem]]:
    """The rows of the workbook's first sheet, or the problems that stop it being read (each with its line
    where there is one)."""
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
    return _rows(table)


def budget_lines_xlsx(lines: Iterable[BudgetLine]) -> bytes:
    """The lines as a workbook with the import's columns: numbers as numbers, text safe from formulas."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append(list(COLUMNS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append(
            [
                cell_safe(line.department.name),
                cell_safe(line.measure.code),
                line.target_quantity,
                line.target_amount,
                line.amount_basis,
                cell_safe(line.value_set.code) if line.value_set else None,
                cell_safe(line.note),
            ]
        )
    for number, width in enumerate((30, 16, 12, 14, 8, 20, 50), start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    for cells in sheet.iter_rows(min_row=2, min_col=3, max_col=4):
        for cell in cells:
            cell.number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
