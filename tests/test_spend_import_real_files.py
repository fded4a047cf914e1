"""The real council files in ../shared/data/ import, with counts and totals worked out apart from the
importer (the csv module and Decimal, in the test)."""

import csv
import io
import re
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from commonweal.spend.models import ImportStatus
from commonweal.spend.services_imports import spend_import_file
from commonweal.tenancy.selectors import Member

from .conftest import Tenant
from .spend_import_support import OXFORD, TRAFFORD, payments, rejects, shared_file

OXFORD_FILES = sorted(path.name for path in OXFORD.glob("*.csv")) or ["expenditure-over-500-jan-mar-2014.csv"]
DDMMYYYY = re.compile(r"\d{2}/\d{2}/\d{4}")


def oxford_expected(path: Path) -> dict[str, object]:
    """Rows, imported, rejected and total: a row is imported when its amount is a number and its paid date
    is dd/mm/yyyy (the literal 00:00:00 of one quarter is not a date)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = [cell.strip().lower().replace("_", " ") for cell in next(reader)]
        amount_at, date_at = header.index("amount"), header.index("paid date")
        read = imported = 0
        total = Decimal("0")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            read += 1
            amount = row[amount_at].strip() if amount_at < len(row) else ""
            paid = row[date_at].strip() if date_at < len(row) else ""
            if amount and DDMMYYYY.fullmatch(paid):
                imported += 1
                total += Decimal(amount)
    return {"read": read, "imported": imported, "rejected": read - imported, "total": total}


@pytest.mark.parametrize("name", OXFORD_FILES)
def test_every_oxford_file_imports_with_its_total(tenant_a: Tenant, name: str) -> None:
    path = shared_file(OXFORD, name)
    expected = oxford_expected(path)
    spend_import = spend_import_file(actor=tenant_a.manager, member=Member.system(tenant_a.buyer), path=path)
    assert spend_import.status == ImportStatus.SUCCEEDED
    assert {
        "read": spend_import.rows_read,
        "imported": spend_import.rows_imported,
        "rejected": spend_import.rows_rejected,
        "total": spend_import.total_amount,
    } == expected
    assert spend_import.rows_duplicate == 0
    assert spend_import.column_mapping["supplier_name"].strip().lower().replace("_", " ") == "supplier name"


def test_oxford_quarter_with_no_paid_dates_rejects_every_row_with_its_line(tenant_a: Tenant) -> None:
    path = shared_file(OXFORD, "expenditure-over-500-apr-jun-2014.csv")
    spend_import = spend_import_file(actor=tenant_a.manager, member=Member.system(tenant_a.buyer), path=path)
    assert spend_import.rows_imported == 0
    first = rejects(spend_import)[0]
    assert first[:2] == (2, "the payment date “00:00:00” is a time with no date")
    assert first[2].endswith("46281108_1,1500,Revenue,20000000_46281108,OXFORD ROUND TABLE CHARITABLE TRUST")


def test_oxford_redacted_spellings_and_redactive_media(tenant_a: Tenant) -> None:
    path = shared_file(OXFORD, "expenditure-over-500-oct-dec-2014.csv")
    spend_import = spend_import_file(actor=tenant_a.manager, member=Member.system(tenant_a.buyer), path=path)
    rows = payments(spend_import)
    redacted_names = {row["supplier_name"] for row in rows if row["redacted"]}
    assert redacted_names and all("edacted" in name or "eacted" in name for name in redacted_names)
    assert spend_import.rows_redacted == sum(1 for row in rows if row["redacted"])
    assert all(row["supplier_key"] is None for row in rows if row["redacted"])
    # Trailing spaces in names do not make a second supplier key.
    assert not [row for row in rows if row["supplier_key"] and row["supplier_key"] != row["supplier_key"].strip()]


def trafford_expected(path: Path) -> dict[str, object]:
    with zipfile.ZipFile(path) as archive:
        (member,) = archive.namelist()
        with archive.open(member) as raw:
            reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
            read = redacted = 0
            total = Decimal("0")
            for row in reader:
                read += 1
                total += Decimal(row["Amount"])
                redacted += row["BeneficiaryName"].strip().lower() == "redacted"
    return {"read": read, "imported": read, "rejected": 0, "redacted": redacted, "total": total}


def trafford_import(tenant: Tenant, name: str) -> tuple[dict[str, object], dict[str, object], float]:
    path = shared_file(TRAFFORD, name)
    expected = trafford_expected(path)
    started = time.perf_counter()
    spend_import = spend_import_file(
        actor=tenant.manager, member=Member.system(tenant.buyer), path=path, source_name="Trafford supplier spend"
    )
    seconds = time.perf_counter() - started
    got = {
        "read": spend_import.rows_read,
        "imported": spend_import.rows_imported,
        "rejected": spend_import.rows_rejected,
        "redacted": spend_import.rows_redacted,
        "total": spend_import.total_amount,
    }
    return expected, got, seconds


def test_trafford_april_may_2026_zip_imports_with_its_total(tenant_a: Tenant) -> None:
    expected, got, _ = trafford_import(tenant_a, "trafford-supplier-spend-2026-27.zip")
    assert expected["read"] == 38055
    assert got == expected


def test_trafford_fy2025_26_zip_imports_all_241764_rows(tenant_a: Tenant) -> None:
    expected, got, seconds = trafford_import(tenant_a, "trafford-supplier-spend-2025-26.zip")
    assert expected["read"] == 241764
    assert got == expected
    assert seconds < 60, f"the import took {seconds:.1f} s"


def test_trafford_years_overlap_only_where_references_repeat(tenant_a: Tenant) -> None:
    """FY2025-26 and Apr–May 2026 share a few transaction numbers but no payment (same number, amount and
    date): the second file adds every row, with no false duplicates."""
    trafford_import(tenant_a, "trafford-supplier-spend-2026-27.zip")
    expected, got, _ = trafford_import(tenant_a, "trafford-supplier-spend-2025-26.zip")
    assert got == expected
