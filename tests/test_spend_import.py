"""Importing spend files with `spend_import_file`: every quirk councils' files have, one test each, and
idempotence, de-duplication, atomicity and the remembered mapping."""

import datetime
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.spend import duck, reading
from commonweal.spend.models import ImportStatus, SpendImport, SpendSource
from commonweal.spend.services_imports import spend_import_file
from commonweal.tenancy.selectors import Member

from .conftest import Tenant
from .spend_import_support import csv_text, payments, rejects, spend_manager, write

HEADER = ["Date", "Supplier Name", "Amount", "Transaction No"]


def run(tenant: Tenant, path: Path, **kwargs: object) -> SpendImport:
    return spend_import_file(actor=tenant.manager, member=Member.system(tenant.buyer), path=path, **kwargs)  # type: ignore[arg-type]


def simple(rows: list[list[str]], **kwargs: str) -> str:
    return csv_text([HEADER, *rows], **kwargs)


# --- Encodings and line endings ---------------------------------------------------------------------


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no BOM", "BOM"])
def test_utf8_with_or_without_bom(tenant_a: Tenant, tmp_path: Path, bom: bytes) -> None:
    text = simple([["01/04/2024", "Café Ørsted Ltd", "£1,200.50", "T1"]])
    spend_import = run(tenant_a, write(tmp_path, "a.csv", bom + text.encode("utf-8")))
    assert spend_import.encoding == "utf-8"
    assert [(row["supplier_name"], row["amount"]) for row in payments(spend_import)] == [
        ("Café Ørsted Ltd", Decimal("1200.50"))
    ]


def test_cp1252_file_is_read_with_its_pound_signs_and_accents(tenant_a: Tenant, tmp_path: Path) -> None:
    text = simple([["01/04/2024", "Crème Brûlée Ltd", "£250.00", "T1"], ["02/04/2024", "Acme – Ltd", "£3", "T2"]])
    path = write(tmp_path, "cp1252.csv", text, encoding="cp1252")
    assert b"\xa3" in path.read_bytes()
    spend_import = run(tenant_a, path)
    assert spend_import.encoding == "cp1252"
    rows = payments(spend_import)
    assert [row["supplier_name"] for row in rows] == ["Crème Brûlée Ltd", "Acme – Ltd"]
    assert spend_import.total_amount == Decimal("253.00")


def test_cp437_file_with_pound_as_byte_9c(tenant_a: Tenant, tmp_path: Path) -> None:
    text = simple([["01/04/2024", "Zoë's Café", "£1,000.00", "T1"], ["01/04/2024", "Bob", "£5.50", "T2"]])
    path = write(tmp_path, "dos.csv", text, encoding="cp437")
    assert b"\x9c" in path.read_bytes()
    spend_import = run(tenant_a, path)
    assert spend_import.encoding == "cp437"
    rows = payments(spend_import)
    assert [row["supplier_name"] for row in rows] == ["Zoë's Café", "Bob"]
    assert spend_import.total_amount == Decimal("1005.50")


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["CRLF", "LF", "CR"])
def test_line_endings(tenant_a: Tenant, tmp_path: Path, newline: str) -> None:
    text = simple([["01/04/2024", "A Ltd", "10", "T1"], ["02/04/2024", "B Ltd", "x", "T2"]], newline=newline)
    spend_import = run(tenant_a, write(tmp_path, "endings.csv", text))
    assert (spend_import.rows_read, spend_import.rows_imported) == (2, 1)
    assert rejects(spend_import) == [(3, "the amount “x” is not a number", "02/04/2024,B Ltd,x,T2")]


# --- Layout -----------------------------------------------------------------------------------------


def test_preamble_rows_are_skipped_and_lines_count_from_the_top(tenant_a: Tenant, tmp_path: Path) -> None:
    text = "Northfield Council\nExpenditure over £500, April 2024\n\n,,,\n" + simple(
        [["01/04/2024", "A Ltd", "500", "T1"], ["02/04/2024", "B Ltd", "", "T2"]]
    )
    spend_import = run(tenant_a, write(tmp_path, "preamble.csv", text))
    assert spend_import.header_line == 5
    assert [row["line"] for row in payments(spend_import)] == [6]
    assert rejects(spend_import) == [(7, "the amount is blank", "02/04/2024,B Ltd,,T2")]


def test_semicolon_and_tab_delimiters(tenant_a: Tenant, tmp_path: Path) -> None:
    for number, delimiter in enumerate([";", "\t"]):
        text = simple([[f"0{number + 1}/04/2024", "A, B and C Ltd", "1.234,5".replace(",", ""), f"T{number}"]])
        spend_import = run(tenant_a, write(tmp_path, f"d{number}.csv", text.replace(",", delimiter)))
        assert spend_import.delimiter == delimiter
        assert payments(spend_import)[0]["amount"] == Decimal("1.2345").quantize(Decimal("0.01"))


def test_spacer_columns_are_ignored(tenant_a: Tenant, tmp_path: Path) -> None:
    text = csv_text(
        [["Date", "", "Supplier Name", "", "Amount"], ["01/04/2024", "", "A Ltd", "", "7.00"]],
    )
    spend_import = run(tenant_a, write(tmp_path, "spacers.csv", text))
    sniffed = reading.sniff(write(tmp_path, "spacers2.csv", text))
    assert [name for _, name in sniffed.columns] == ["Date", "Supplier Name", "Amount"]
    assert [(row["supplier_name"], row["amount"]) for row in payments(spend_import)] == [("A Ltd", Decimal("7.00"))]


def test_repeated_header_and_total_rows_are_rejected_with_reasons(tenant_a: Tenant, tmp_path: Path) -> None:
    text = csv_text(
        [
            HEADER,
            ["01/04/2024", "A Ltd", "100", "T1"],
            HEADER,
            ["02/04/2024", "B Ltd", "50", "T2"],
            ["", "", "150", ""],
            ["Total", "", "150", ""],
            ["", "Grand total", "150", ""],
            ["03/04/2024", "Total Gym Supplies Ltd", "20", "T3"],
            ["03/04/2024", "", "-0.01", "T4"],
        ]
    )
    spend_import = run(tenant_a, write(tmp_path, "totals.csv", text))
    assert [(line, reason) for line, reason, _ in rejects(spend_import)] == [
        (3, "a repeated header row"),
        (5, "a total row (an amount with no supplier, reference or date)"),
        (6, "a total row (labelled as one, and its amount is the sum of the rows above it)"),
        (7, "a total row (labelled as one, and its amount is the sum of the rows above it)"),
    ]
    rows = payments(spend_import)
    # A firm whose name starts "Total" is a real supplier; a row with no supplier but no total is kept.
    assert [(row["line"], row["supplier_name"], row["amount"]) for row in rows] == [
        (2, "A Ltd", Decimal("100.00")),
        (4, "B Ltd", Decimal("50.00")),
        (8, "Total Gym Supplies Ltd", Decimal("20.00")),
        (9, None, Decimal("-0.01")),
    ]
    assert spend_import.total_amount == Decimal("169.99")
    # Every row after the header is read, the repeated header included.
    assert (spend_import.rows_read, spend_import.rows_imported, spend_import.rows_rejected) == (8, 4, 4)


def test_ragged_rows(tenant_a: Tenant, tmp_path: Path) -> None:
    text = (
        "Date,Supplier Name,Amount,Transaction No\n"
        "01/04/2024,A Ltd,10\n"  # short: the missing last field is blank
        "02/04/2024,B Ltd,20,T2,surprise\n"  # long: which value is which is unknown
        "03/04/2024,C Ltd,30,T3,\n"  # a trailing comma is not a field
        "04/04/2024\n"  # too short to hold an amount
    )
    spend_import = run(tenant_a, write(tmp_path, "ragged.csv", text))
    assert [(row["line"], row["transaction_ref"]) for row in payments(spend_import)] == [(2, None), (4, "T3")]
    assert rejects(spend_import) == [
        (3, "the row has more fields than the header’s 4 columns", "02/04/2024,B Ltd,20,T2,surprise"),
        (5, "the amount is blank", "04/04/2024,,,"),
    ]


def test_quoted_fields_with_line_breaks(tenant_a: Tenant, tmp_path: Path) -> None:
    text = 'Date,Supplier Name,Amount,Description\n01/04/2024,"A, B Ltd",10,"two\nlines"\n02/04/2024,C,x,\n'
    spend_import = run(tenant_a, write(tmp_path, "quoted.csv", text))
    assert [(row["supplier_name"], row["description"]) for row in payments(spend_import)] == [
        ("A, B Ltd", "two\nlines")
    ]
    # "Line" counts records after the header: the record after a two-line one is reported one line early.
    assert [line for line, _, _ in rejects(spend_import)] == [3]


# --- Values -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("£1,234.56", "1234.56"),
        ("£ 1,234", "1234.00"),
        ("(1,234.56)", "-1234.56"),
        ("£(12.00)", "-12.00"),
        ("1234.56-", "-1234.56"),
        ("-£5", "-5.00"),
        ("£-5", "-5.00"),
        ("-0.01", "-0.01"),
        (" 500 ", "500.00"),
        ("12.345", "12.35"),
    ],
)
def test_amount_formats(tenant_a: Tenant, tmp_path: Path, text: str, expected: str) -> None:
    spend_import = run(tenant_a, write(tmp_path, "amount.csv", simple([["01/04/2024", "A", text, "T1"]])))
    assert payments(spend_import)[0]["amount"] == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the amount is blank"),
        ("n/a", "the amount “n/a” is not a number"),
        ("12..5", "the amount “12..5” is not a number"),
    ],
)
def test_bad_amounts_are_rejected(tenant_a: Tenant, tmp_path: Path, text: str, reason: str) -> None:
    spend_import = run(tenant_a, write(tmp_path, "bad.csv", simple([["01/04/2024", "A", text, "T1"]])))
    assert spend_import.rows_imported == 0
    assert [(line, why) for line, why, _ in rejects(spend_import)] == [(2, reason)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/08/2023", datetime.date(2023, 8, 1)),
        ("1/8/2023", datetime.date(2023, 8, 1)),
        ("01/08/23", datetime.date(2023, 8, 1)),
        ("01-Aug-23", datetime.date(2023, 8, 1)),
        ("01-AUG-2023", datetime.date(2023, 8, 1)),
        ("1 August 2023", datetime.date(2023, 8, 1)),
        ("1st August 2023", datetime.date(2023, 8, 1)),
        ("1 Aug 2023", datetime.date(2023, 8, 1)),
        ("2023-08-01", datetime.date(2023, 8, 1)),
        ("2023-08-01 00:00:00", datetime.date(2023, 8, 1)),
        ("01/08/2023 14:30", datetime.date(2023, 8, 1)),
        ("45139", datetime.date(2023, 8, 1)),  # Excel's serial number for 1 August 2023
        ("01.08.2023", datetime.date(2023, 8, 1)),
    ],
)
def test_date_formats(tenant_a: Tenant, tmp_path: Path, text: str, expected: datetime.date) -> None:
    spend_import = run(tenant_a, write(tmp_path, "dates.csv", simple([[text, "A", "1", "T1"]])))
    assert [row["payment_date"] for row in payments(spend_import)] == [expected]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("00:00:00", "the payment date “00:00:00” is a time with no date"),
        ("31/02/2024", "the payment date “31/02/2024” is not a date in a format Commonweal reads"),
        ("soon", "the payment date “soon” is not a date in a format Commonweal reads"),
        ("01/01/1900", "the payment date 01/01/1900 is not between 1990 and 2099"),
        ("", "the payment date is blank"),
    ],
)
def test_bad_dates_are_rejected(tenant_a: Tenant, tmp_path: Path, text: str, reason: str) -> None:
    spend_import = run(tenant_a, write(tmp_path, "bad-dates.csv", simple([[text, "A", "1", "T1"]])))
    assert [(line, why) for line, why, _ in rejects(spend_import)] == [(2, reason)]


def test_a_second_date_column_fills_a_missing_payment_date(tenant_a: Tenant, tmp_path: Path) -> None:
    text = csv_text(
        [
            ["PaymentDate", "EffectiveDate", "BeneficiaryName", "Amount"],
            ["00:00:00", "2024-04-30", "A", "1"],
            ["2024-04-12", "2024-04-30", "B", "2"],
        ]
    )
    spend_import = run(tenant_a, write(tmp_path, "fallback.csv", text))
    assert spend_import.column_mapping["fallback_date"] == "EffectiveDate"
    assert [row["payment_date"] for row in payments(spend_import)] == [
        datetime.date(2024, 4, 30),
        datetime.date(2024, 4, 12),
    ]


def test_redacted_payments_count_in_totals_but_have_no_supplier_key(tenant_a: Tenant, tmp_path: Path) -> None:
    names = ["Redacted personal data", "Redacted, personal data", "REDACTED", "REDACTIVE MEDIA SALES LIMITED", ""]
    text = simple([["01/04/2024", name, "100", f"T{number}"] for number, name in enumerate(names)])
    spend_import = run(tenant_a, write(tmp_path, "redacted.csv", text))
    rows = payments(spend_import)
    assert [(row["redacted"], row["supplier_key"]) for row in rows] == [
        (True, None),
        (True, None),
        (True, None),
        (False, "REDACTIVE MEDIA SALES LTD"),
        (False, None),
    ]
    assert spend_import.rows_redacted == 3
    assert spend_import.total_amount == Decimal("500.00")


# --- Containers -------------------------------------------------------------------------------------


def test_zip_holding_one_csv(tenant_a: Tenant, tmp_path: Path) -> None:
    path = tmp_path / "payments.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("payments.csv", simple([["01/04/2024", "A", "10", "T1"], ["01/04/2024", "B", "5", "T2"]]))
    spend_import = run(tenant_a, path)
    assert (spend_import.rows_imported, spend_import.total_amount) == (2, Decimal("15.00"))


def test_zip_with_several_files_is_refused(tenant_a: Tenant, tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", simple([]))
        archive.writestr("b.csv", simple([]))
    with pytest.raises(ApplicationError, match="exactly one CSV"):
        run(tenant_a, path)
    assert not SpendImport.objects.exists()


def test_xlsx_with_dates_and_numbers_as_cells(tenant_a: Tenant, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Spend over £500"])
    sheet.append([])
    sheet.append(["Payment Date", "Vendor Name", "Invoice Amount", "Cost Centre"])
    # A spreadsheet cell holds a date and time without a zone (openpyxl refuses aware ones).
    sheet.append([datetime.datetime(2024, 4, 2), "A Ltd", 1234.56, "Parks"])  # noqa: DTZ001
    sheet.append([datetime.datetime(2024, 4, 3), "B Ltd", -20, "Roads"])  # noqa: DTZ001
    path = tmp_path / "ap.xlsx"
    workbook.save(path)
    spend_import = run(tenant_a, path)
    rows = payments(spend_import)
    assert [(row["line"], row["payment_date"], row["amount"], row["service_area"]) for row in rows] == [
        (4, datetime.date(2024, 4, 2), Decimal("1234.56"), "Parks"),
        (5, datetime.date(2024, 4, 3), Decimal("-20.00"), "Roads"),
    ]


def test_accounts_payable_header_is_mapped(tmp_path: Path) -> None:
    text = csv_text([["Vendor Name", "Invoice Amount", "Net Amount", "Payment Date", "Cost Centre", "Vendor ID"]])
    sniffed = reading.sniff(write(tmp_path, "ap.csv", text + "A,1,1,01/01/2024,X,9\n"))
    assert reading.mapping_infer(sniffed) == {
        "payment_date": "Payment Date",
        "amount": "Net Amount",
        "supplier_name": "Vendor Name",
        "service_area": "Cost Centre",
    }


# --- Idempotent, de-duplicated, atomic --------------------------------------------------------------


def test_the_same_file_again_adds_nothing(tenant_a: Tenant, tmp_path: Path) -> None:
    path = write(tmp_path, "once.csv", simple([["01/04/2024", "A", "10", "T1"]]))
    first = run(tenant_a, path)
    copy = write(tmp_path, "renamed.csv", path.read_bytes())
    again = run(tenant_a, copy)
    assert again.pk == first.pk
    assert SpendImport.objects.count() == 1
    assert AuditEvent.objects.filter(action="spend_import.imported").count() == 1


def test_overlapping_files_de_duplicate_by_transaction_reference(tenant_a: Tenant, tmp_path: Path) -> None:
    april = simple(
        [
            ["01/04/2024", "A", "10", "T1"],
            ["01/04/2024", "A", "10", "T1"],  # a split line: same reference, amount and date, twice
            ["02/04/2024", "B", "20", "T2"],
        ]
    )
    april_may = simple(
        [
            ["01/04/2024", "A", "10", "T1"],
            ["01/04/2024", "A", "10", "T1"],
            ["01/04/2024", "A", "10", "T1"],  # a third split line the first file did not have
            ["02/04/2024", "B", "20", "T2"],
            ["02/04/2024", "B", "25", "T2"],  # same reference, another amount: a different payment
            ["01/05/2024", "C", "30", "T3"],
            ["01/05/2024", "No ref", "5", ""],
        ]
    )
    first = run(tenant_a, write(tmp_path, "april.csv", april))
    second = run(tenant_a, write(tmp_path, "april-may.csv", april_may))
    assert (first.rows_imported, first.total_amount) == (3, Decimal("40.00"))
    assert (second.rows_read, second.rows_imported, second.rows_duplicate, second.rows_rejected) == (7, 4, 3, 0)
    assert second.total_amount == Decimal("70.00")
    assert [row["line"] for row in payments(second)] == [4, 6, 7, 8]


def test_a_failure_leaves_nothing_succeeded_and_no_files(
    tenant_a: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commonweal.spend import services_suppliers

    def broken(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services_suppliers, "supplier_registry_update", broken)
    path = write(tmp_path, "fails.csv", simple([["01/04/2024", "A", "10", "T1"]]))
    with pytest.raises(ApplicationError, match="fails.csv was not imported"):
        run(tenant_a, path)
    spend_import = SpendImport.objects.get()
    assert spend_import.status == ImportStatus.FAILED
    assert (spend_import.parquet_path, spend_import.rows_imported, spend_import.total_amount) == ("", 0, 0)
    assert not duck.spend_path(f"{tenant_a.buyer.pk}/{spend_import.pk}").exists()
    assert duck.payments_sql(tenant_a.buyer, duck.connect()).startswith("(SELECT")
    assert AuditEvent.objects.filter(action="spend_import.failed").count() == 1
    # The same file may be imported once the fault is mended.
    monkeypatch.undo()
    assert run(tenant_a, path).status == ImportStatus.SUCCEEDED


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"Name,Colour\nA,Blue\n", "No column was recognised as the payment date or the amount"),
        (b"PK\x03\x04 not really a zip", "could not be read|File is not a zip file"),
    ],
    ids=["empty", "no amount or date", "broken zip"],
)
def test_a_bad_file_changes_nothing(tenant_a: Tenant, tmp_path: Path, content: bytes, message: str) -> None:
    with pytest.raises(Exception, match=message):
        run(tenant_a, write(tmp_path, "bad.csv", content))
    assert not SpendImport.objects.filter(status=ImportStatus.SUCCEEDED).exists()


def test_the_mapping_is_remembered_per_source(tenant_a: Tenant, tmp_path: Path) -> None:
    header = ["When", "Who", "How much", "Paid on"]
    first = write(tmp_path, "m1.csv", csv_text([header, ["x", "A", "10", "01/04/2024"]]))
    mapping = {"payment_date": "Paid on", "supplier_name": "Who", "amount": "How much"}
    run(tenant_a, first, source_name="Ledger", mapping=mapping)
    source = SpendSource.objects.get(name="Ledger")
    assert source.column_mapping == mapping
    # Next month's file, same header (spacing and case aside): the remembered mapping is used.
    second = write(
        tmp_path, "m2.csv", csv_text([["when", "WHO", "How much ", "Paid on"], ["y", "B", "5", "02/05/2024"]])
    )
    spend_import = run(tenant_a, second, source_name="Ledger")
    assert spend_import.column_mapping == mapping
    assert [row["payment_date"] for row in payments(spend_import)] == [datetime.date(2024, 5, 2)]
    # Without the source, the synonyms table finds no date or amount in this header.
    third = write(tmp_path, "m3.csv", csv_text([header, ["z", "C", "1", "03/05/2024"]]))
    with pytest.raises(
        ApplicationError, match="No column was recognised as the payment date, the amount or the supplier"
    ):
        run(tenant_a, third, source_name="Another")


def test_payments_sql_reads_every_succeeded_import(tenant_a: Tenant, tenant_b: Tenant, tmp_path: Path) -> None:
    run(tenant_a, write(tmp_path, "1.csv", simple([["01/04/2024", "A", "10", "T1"]])))
    run(tenant_a, write(tmp_path, "2.csv", simple([["01/05/2024", "B", "5", "T2"]])))
    spend_import_file(
        actor=tenant_b.manager,
        member=Member.system(tenant_b.buyer),
        path=write(tmp_path, "b.csv", simple([["01/05/2024", "Z", "999", "T9"]])),
    )
    connection = duck.connect()
    payments = duck.payments_sql(tenant_a.buyer, connection)
    total = connection.execute(f"SELECT sum(amount), count(*) FROM {payments}").fetchone()
    assert total == (Decimal("15.00"), 2)
    spend_manager(tenant_a.buyer)  # the helper makes a user who may import (used by the web tests)


def test_a_large_file_hashed_while_it_is_read_is_still_imported_once(
    tenant_a: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large files are hashed in a thread beside DuckDB; the stored hash is the real one, and the same
    bytes again (same size, so hashed first) return the earlier import."""
    import hashlib

    from commonweal.spend import services_imports

    monkeypatch.setattr(services_imports, "PARALLEL_HASH_BYTES", 0)
    path = write(tmp_path, "big.csv", simple([["01/04/2024", "A", "10", "T1"], ["02/04/2024", "B", "x", "T2"]]))
    first = run(tenant_a, path)
    assert first.status == ImportStatus.SUCCEEDED
    assert first.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (first.rows_imported, first.rows_rejected) == (1, 1)
    copy = write(tmp_path, "big-again.csv", path.read_bytes())
    again = run(tenant_a, copy)
    assert again.pk == first.pk
    assert SpendImport.objects.filter(organisation=tenant_a.buyer).count() == 1
