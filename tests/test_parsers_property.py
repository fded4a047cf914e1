"""Properties of every parser that reads a person's file (the spend import has its own,
tests/test_spend_import_property.py): whatever bytes arrive, each parser answers rows or problems and
never raises; a well-formed file reads back exactly what was written; every release or grant of a package
is either read or rejected with its reason, none lost."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonweal.delivery.commitments_import import commitment_rows_read
from commonweal.delivery.grants360 import grants_read
from commonweal.procurement.ocds import package_read
from commonweal.reporting.budget_lines_file import budget_line_rows_read

pytestmark = pytest.mark.database_independent

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
# Text a person types in a cell: no control characters, no leading or trailing space, not a formula.
CELL_TEXT = (
    st.text(alphabet=st.characters(categories=["L", "N"], include_characters=" -&'.,"), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
CODE = st.from_regex(r"[A-Z]{2,6}\.[0-9]{1,2}(\.[0-9]{1,2})?", fullmatch=True)
QUANTITY = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
DAY = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
RANDOM_FILES = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(str.encode),
    st.just(b"PK\x03\x04" + b"\x00" * 40),  # looks like a workbook, is not one
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


# --- Commitments (CSV and XLSX) --------------------------------------------------------------------------


@PROPERTY
@given(content=RANDOM_FILES, suffix=st.sampled_from([".csv", ".xlsx"]))
def test_the_commitments_reader_never_raises_on_any_bytes(content: bytes, suffix: str) -> None:
    rows, problems = commitment_rows_read(name=f"commitments{suffix}", content=content)
    assert all(isinstance(line, int | None) and message for line, message in problems)
    assert all(row.line >= 2 for row in rows)


@PROPERTY
@given(st.lists(st.tuples(CODE, QUANTITY, DAY, CELL_TEXT), min_size=1, max_size=20))
def test_a_commitments_csv_reads_back_what_was_written(rows: list[tuple[str, Decimal, date, str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["measure code", "target quantity", "due date", "place code", "beneficiary group"])
    for code, quantity, day, group in rows:
        writer.writerow([code, str(quantity), day.isoformat(), "E08000009", group])
    read, problems = commitment_rows_read(name="commitments.csv", content=out.getvalue().encode())
    assert problems == []
    assert [(r.measure_code, r.target_quantity, r.due_date, r.beneficiary_group) for r in read] == rows
    assert [r.line for r in read] == list(range(2, len(rows) + 2))
    assert all(r.problems == () for r in read)


# --- Budget lines (XLSX) ---------------------------------------------------------------------------------


def _workbook(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@PROPERTY
@given(content=RANDOM_FILES)
def test_the_budget_lines_reader_never_raises_on_any_bytes(content: bytes) -> None:
    rows, problems = budget_line_rows_read(content=content)
    assert rows == [] or problems == []


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(CELL_TEXT, CODE, QUANTITY, QUANTITY), min_size=1, max_size=10))
def test_a_budget_lines_workbook_reads_back_what_was_written(rows: list[tuple[str, str, Decimal, Decimal]]) -> None:
    sheet = [["department", "measure code", "quantity", "amount", "basis", "value set code", "note"]]
    sheet += [[department, code, str(quantity), str(amount), "", "", ""] for department, code, quantity, amount in rows]
    read, problems = budget_line_rows_read(content=_workbook(sheet))
    assert problems == []
    assert [(r.department, r.measure_code, r.quantity, r.amount) for r in read] == rows


# --- OCDS release packages ---------------------------------------------------------------------------


@PROPERTY
@given(content=RANDOM_FILES)
def test_the_ocds_reader_never_raises_on_any_bytes(content: bytes) -> None:
    read = package_read(content, file="notices.json")
    assert read.notices or read.rejections


@PROPERTY
@given(st.lists(JSON_VALUES, min_size=1, max_size=8))
def test_every_release_of_an_ocds_package_is_read_or_rejected(releases: list[Any]) -> None:
    read = package_read(json.dumps({"releases": releases}).encode(), file="notices.json")
    assert len(read.notices) + len(read.rejections) == len(releases)
    assert all(rejection.reason for rejection in read.rejections)


# --- 360Giving (JSON, CSV, XLSX) ---------------------------------------------------------------------


@PROPERTY
@given(content=RANDOM_FILES, name=st.sampled_from(["grants.json", "grants.csv", "grants.xlsx"]))
def test_the_360giving_reader_never_raises_on_any_bytes(content: bytes, name: str) -> None:
    read = grants_read(content, file=name)
    assert all(rejection.reason for rejection in read.rejections)


@PROPERTY
@given(st.lists(JSON_VALUES, min_size=1, max_size=8))
def test_every_grant_of_a_360giving_package_is_read_or_rejected(grants: list[Any]) -> None:
    read = grants_read(json.dumps({"grants": grants}).encode(), file="grants.json")
    assert len(read.grants) + len(read.rejections) == len(grants)
