"""Spend files of shapes that once lost payments or money without saying so, one small file made to show
each: encodings decided late in the file, header names councils use, header-less files, header-only files,
total rows and suppliers named "Total…", rows lost by the CSV reader, NUL bytes, spreadsheet formulas."""

import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from commonweal.core.errors import ApplicationError
from commonweal.spend import duck, importing, reading
from commonweal.spend.models import ImportStatus, SpendImport, SpendSource
from commonweal.spend.services_imports import Layout, spend_import_file
from commonweal.tenancy.selectors import Member

from .conftest import Tenant
from .spend_import_support import csv_text, payments, rejects, write

HEADER = ["Date", "Supplier Name", "Amount", "Transaction No"]


def run(tenant: Tenant, path: Path, **kwargs: object) -> SpendImport:
    return spend_import_file(actor=tenant.manager, member=Member.system(tenant.buyer), path=path, **kwargs)  # type: ignore[arg-type]


def filler(rows: int) -> list[list[str]]:
    return [
        [f"{1 + index % 28:02d}/04/2024", f"Plain Supplier {index} Ltd", "10.00", f"F{index}"] for index in range(rows)
    ]


# --- Encoding: decided on the whole file -------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "name"), [("cp1252", "Crème Brûlée Ltd"), ("cp437", "Zoë's Café")])
def test_an_encoding_whose_first_accent_comes_after_64_kb_is_read_right(
    tenant_a: Tenant, tmp_path: Path, encoding: str, name: str
) -> None:
    rows = [*filler(2000), ["30/04/2024", name, "£1,000.00", "LATE"]]
    path = write(tmp_path, "late.csv", csv_text([HEADER, *rows]), encoding=encoding)
    late = path.read_bytes().index(name.encode(encoding)[:3])
    assert late > reading.HEAD_BYTES  # the first 64 KB are plain ASCII: valid UTF-8
    assert reading.sniff(path).encoding == "utf-8"
    spend_import = run(tenant_a, path)
    assert spend_import.status == ImportStatus.SUCCEEDED
    assert spend_import.encoding == encoding
    assert payments(spend_import)[-1]["supplier_name"] == name
    assert (spend_import.rows_imported, spend_import.total_amount) == (2001, Decimal("21000.00"))
    assert spend_import.warnings == [
        f"The start of the file reads as utf-8, but the whole file is not: it was read as {encoding}."
    ]


def test_scan_counts_records_and_decides_the_encoding_in_small_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "CHUNK_BYTES", 5)
    text = b'a,b,c\r\n1,"x\r\n\r\ny",3\r\n\r\n4, "5,""6""",\xa3\r\n7,12" pipe,8'
    path = write(tmp_path, "q.csv", text)
    assert reading.scan(path, newline="\r\n", delimiter=",") == reading.Scanned(
        records=5, empty=1, encoding="cp1252", nul_bytes=0
    )


# --- Header names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Name", "supplier_name"),
        ("Name:", "supplier_name"),
        ("Invoice Nett Amount", "amount"),
        ("Net Amount(£)", "amount"),
        ("Amount Paid", "amount"),
        ("Invoice Creation Date", "payment_date"),
        ("Trafford Ref No", "transaction_ref"),
        ("OCC Reference Number", "transaction_ref"),
    ],
)
def test_header_names_councils_use(tenant_a: Tenant, tmp_path: Path, header: str, field: str) -> None:
    columns = {"payment_date": "Paid Date", "supplier_name": "Supplier", "amount": "Value", "transaction_ref": "Ref"}
    columns[field] = header
    text = csv_text([list(columns.values()), ["01/04/2024", "Acme Ltd", "12.50", "R1"]])
    spend_import = run(tenant_a, write(tmp_path, "h.csv", text, encoding="cp1252"))
    assert spend_import.column_mapping[field] == header
    row = payments(spend_import)[0]
    assert (row["payment_date"], row["supplier_name"], row["amount"], row["transaction_ref"]) == (
        datetime.date(2024, 4, 1),
        "Acme Ltd",
        Decimal("12.50"),
        "R1",
    )


def test_a_supplier_reference_is_not_the_councils_reference() -> None:
    assert reading.reference_suffixed("traffordrefno")
    assert not reading.reference_suffixed("supplierref")
    assert not reading.reference_suffixed("invoicereference")


def test_a_file_with_invoice_creation_and_payment_dates_uses_the_payment_date(tenant_a: Tenant, tmp_path: Path) -> None:
    text = csv_text(
        [["Invoice Creation Date", "Payment Date", "Name", "Amount Paid"], ["01/03/2024", "", "A", "5"]]
        + [["01/03/2024", "02/04/2024", "B", "7"]]
    )
    spend_import = run(tenant_a, write(tmp_path, "d.csv", text))
    assert spend_import.column_mapping["payment_date"] == "Payment Date"
    assert spend_import.column_mapping["fallback_date"] == "Invoice Creation Date"
    assert [row["payment_date"] for row in payments(spend_import)] == [
        datetime.date(2024, 3, 1),
        datetime.date(2024, 4, 2),
    ]


# --- Where the header is, or that there is none ----------------------------------------------------


@pytest.mark.parametrize("ending", ["", "\n", "\n\n\n"], ids=["no final line break", "LF", "blank lines after"])
def test_a_header_that_is_the_last_line_imports_nothing_and_says_so(
    tenant_a: Tenant, tmp_path: Path, ending: str
) -> None:
    text = "Expenditure over £500, March 2025\n\n" + ",".join(HEADER) + ending
    spend_import = run(tenant_a, write(tmp_path, "empty-month.csv", text))
    assert spend_import.status == ImportStatus.SUCCEEDED
    assert spend_import.header_line == 3
    assert (spend_import.rows_read, spend_import.rows_imported, spend_import.rows_blank) == (
        ending.count("\n") - 1 if ending.count("\n") > 1 else 0,
        0,
        ending.count("\n") - 1 if ending.count("\n") > 1 else 0,
    )
    assert spend_import.total_amount == Decimal("0")


NO_HEADER_ROWS = [
    ["01/04/2024", "Acme Ltd", "100.00", "R1"],
    ["02/04/2024", "Bolt & Co", "100.00", "R2"],
    ["03/04/2024", "Cole Ltd", "(20.50)", "R3"],
]


def test_a_file_with_no_header_is_recognised_and_asks_for_the_supplier(tenant_a: Tenant, tmp_path: Path) -> None:
    path = write(tmp_path, "bare.csv", csv_text(NO_HEADER_ROWS))
    sniffed = reading.sniff(path)
    assert (sniffed.has_header, sniffed.header_line) == (False, 0)
    assert sniffed.header == ["Column 1", "Column 2", "Column 3", "Column 4"]
    # The date and amount are guessed from the values; the supplier never is.
    assert reading.mapping_infer(sniffed) == {"payment_date": "Column 1", "amount": "Column 3"}
    with pytest.raises(reading.MappingNeeded, match="No column was recognised as the supplier") as refused:
        run(tenant_a, path)
    assert refused.value.missing == ["supplier_name"]
    assert not SpendImport.objects.exists()
    # Given the supplier, line 1 is a payment, and equal amounts are not a "repeated header".
    spend_import = run(tenant_a, path, mapping={"supplier_name": "Column 2"})
    assert [(row["line"], row["supplier_name"], row["amount"]) for row in payments(spend_import)] == [
        (1, "Acme Ltd", Decimal("100.00")),
        (2, "Bolt & Co", Decimal("100.00")),
        (3, "Cole Ltd", Decimal("-20.50")),
    ]
    assert spend_import.rows_read == 3


def test_no_header_said_outright_reads_line_1_as_a_payment(tenant_a: Tenant, tmp_path: Path) -> None:
    # Line 1 names two known columns ("Supplier", "Amount" are suppliers' words too), yet the person said
    # the file has none: it is a payment.
    rows = [["01/04/2024", "Supplier", "Amount", "R0"], *NO_HEADER_ROWS]
    path = write(tmp_path, "said.csv", csv_text(rows))
    mapping = {"payment_date": "Column 1", "supplier_name": "Column 2", "amount": "Column 3"}
    spend_import = run(tenant_a, path, mapping=mapping, layout=Layout(has_header=False))
    assert spend_import.header_line == 0
    assert rejects(spend_import) == [(1, "the amount “Amount” is not a number", "01/04/2024,Supplier,Amount,R0")]
    assert spend_import.rows_imported == 3


def test_header_line_given(tenant_a: Tenant, tmp_path: Path) -> None:
    text = csv_text([["Report", "", "", ""], ["Paid", "Who", "How much", "Ref"], *NO_HEADER_ROWS])
    mapping = {"payment_date": "Paid", "supplier_name": "Who", "amount": "How much"}
    spend_import = run(tenant_a, write(tmp_path, "given.csv", text), mapping=mapping, layout=Layout(header_line=2))
    assert (spend_import.header_line, spend_import.rows_imported) == (2, 3)
    with pytest.raises(ApplicationError, match="Line 9 is not a row of the file"):
        run(tenant_a, write(tmp_path, "given2.csv", text + "\n"), mapping=mapping, layout=Layout(header_line=9))


def test_no_supplier_column_stops_the_import(tenant_a: Tenant, tmp_path: Path) -> None:
    text = csv_text([["Paid Date", "Beneficiary Code", "Amount"], ["01/04/2024", "X1", "10"]])
    with pytest.raises(reading.MappingNeeded, match="supplier"):
        run(tenant_a, write(tmp_path, "nosupplier.csv", text))
    assert not SpendImport.objects.exists()
    assert not SpendSource.objects.filter(column_mapping__amount="Amount").exists()


def test_a_data_row_is_not_a_repeated_header_because_one_value_matches(tenant_a: Tenant, tmp_path: Path) -> None:
    header = ["Paid Date", "Supplier", "Value"]
    rows = [["01/04/2024", "Value Stores Ltd", "Value"], header, ["02/04/2024", "A Ltd", "5"]]
    spend_import = run(tenant_a, write(tmp_path, "rep.csv", csv_text([header, *rows])))
    assert [(line, reason) for line, reason, _ in rejects(spend_import)] == [
        (2, "the amount “Value” is not a number"),
        (3, "a repeated header row"),
    ]


# --- Total rows -------------------------------------------------------------------------------------


def test_total_rows_only_when_they_look_like_totals(tenant_a: Tenant, tmp_path: Path) -> None:
    header = ["Date", "Supplier Name", "Description", "Amount", "Transaction No"]
    rows = [
        ["01/04/2024", "TOTAL HYGIENE LTD", "Washroom services", "120.00", "T1"],
        ["01/04/2024", "Acme Ltd", "Total refurbishment of the depot", "80.00", "T2"],
        ["01/04/2024", "Total", "Sub-total of a supplier called Total", "30.00", "T3"],
        ["", "Sub-total", "", "230.00", ""],  # 120 + 80 + 30
        ["02/04/2024", "Bolt Ltd", "Credit note", "(30.00)", "T4"],
        ["02/04/2024", "Total Gym Supplies", "", "15.00", "T5"],
        ["", "Sub-total", "", "-15.00", ""],  # -30 + 15
        ["Grand Total", "", "", "215.00", ""],  # 230 - 15
        ["", "", "", "£215.00", ""],  # an amount with no supplier, reference or date
        ["03/04/2024", "Total", "", "200.00", "T6"],  # a label, but nothing adds up to its amount
    ]
    spend_import = run(tenant_a, write(tmp_path, "totals.csv", csv_text([header, *rows])))
    assert [(line, reason) for line, reason, _ in rejects(spend_import)] == [
        (5, importing.TOTAL_BY_SUM),
        (8, importing.TOTAL_BY_SUM),
        (9, importing.TOTAL_BY_SUM),
        (10, importing.TOTAL_BARE),
    ]
    assert [(row["supplier_name"], row["amount"]) for row in payments(spend_import)] == [
        ("TOTAL HYGIENE LTD", Decimal("120.00")),
        ("Acme Ltd", Decimal("80.00")),
        ("Total", Decimal("30.00")),
        ("Bolt Ltd", Decimal("-30.00")),
        ("Total Gym Supplies", Decimal("15.00")),
        ("Total", Decimal("200.00")),
    ]
    assert spend_import.total_amount == Decimal("415.00")


def test_a_total_labelled_in_the_date_column(tenant_a: Tenant, tmp_path: Path) -> None:
    rows = [["01/04/2024", "A Ltd", "100", "T1"], ["02/04/2024", "B Ltd", "50", "T2"], ["Total", "", "150", ""]]
    spend_import = run(tenant_a, write(tmp_path, "t.csv", csv_text([HEADER, *rows])))
    assert [(line, reason) for line, reason, _ in rejects(spend_import)] == [(4, importing.TOTAL_BY_SUM)]
    wrong = [["01/04/2024", "A Ltd", "100", "T1"], ["Total", "", "149", ""]]
    spend_import = run(tenant_a, write(tmp_path, "t2.csv", csv_text([HEADER, *wrong])))
    assert [(line, reason) for line, reason, _ in rejects(spend_import)] == [
        (3, "the payment date “Total” is not a date in a format Commonweal reads")
    ]


def test_a_description_in_the_first_column_is_never_a_total_label(tenant_a: Tenant, tmp_path: Path) -> None:
    """Two identical payments, the second equal to the sum above it: the first column is the description, and a
    description starting "Total" belongs to a payment, so both are imported."""
    header = ["Description", "Supplier Name", "Date", "Amount", "Transaction No"]
    rows = [["Total refurbishment", "Acme Ltd", "01/01/2024", "0.01", "R1"]] * 2
    spend_import = run(tenant_a, write(tmp_path, "first.csv", csv_text([header, *rows])))
    assert rejects(spend_import) == []
    assert (spend_import.rows_imported, spend_import.total_amount) == (2, Decimal("0.02"))


# --- Reconciliation: every row accounted for -------------------------------------------------------


def test_read_is_imported_rejected_duplicates_and_blank(tenant_a: Tenant, tmp_path: Path) -> None:
    text = (
        "Date,Supplier Name,Amount,Transaction No\r\n01/04/2024,A,1,T1\r\n\r\n,,,\r\n"
        '02/04/2024,"B\r\nLtd",x,T2\r\n   \r\n03/04/2024,C,3,T3\r\n\r\n'
    )
    run(tenant_a, write(tmp_path, "earlier.csv", "Date,Supplier Name,Amount,Transaction No\n01/04/2024,A,1,T1\n"))
    spend_import = run(tenant_a, write(tmp_path, "r.csv", text))
    assert (
        spend_import.rows_read,
        spend_import.rows_imported,
        spend_import.rows_rejected,
        spend_import.rows_duplicate,
        spend_import.rows_blank,
    ) == (7, 1, 1, 1, 4)
    # Line 5 of the file; 4 because the empty line above it is skipped by the reader (docs/spend-import.md).
    assert rejects(spend_import) == [(4, "the amount “x” is not a number", '02/04/2024,"B\r\nLtd",x,T2')]


def test_a_row_the_reader_loses_fails_the_import(
    tenant_a: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = importing.read_csv_sql

    def losing(*args: object, **kwargs: object) -> str:
        return f"(SELECT * FROM {original(*args, **kwargs)} WHERE c1 IS DISTINCT FROM 'Lost Ltd')"  # type: ignore[arg-type]

    monkeypatch.setattr(importing, "read_csv_sql", losing)
    rows = [["01/04/2024", "A Ltd", "1", "T1"], ["01/04/2024", "Lost Ltd", "2", "T2"]]
    with pytest.raises(ApplicationError, match="the file has 2 rows after the header, but 1 were read"):
        run(tenant_a, write(tmp_path, "lossy.csv", csv_text([HEADER, *rows])))
    failed = SpendImport.objects.get()
    assert (failed.status, failed.parquet_path, failed.rows_imported) == (ImportStatus.FAILED, "", 0)
    assert "nothing was imported" in failed.error
    assert not duck.spend_path(f"{tenant_a.buyer.pk}/{failed.pk}").exists()


def test_a_final_record_longer_than_the_longest_line_fails_the_import(
    tenant_a: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "MAX_LINE_BYTES", 4096)
    text = csv_text([HEADER, *filler(300)]) + "30/04/2024,Long Ltd,5," + "x" * 10_000
    with pytest.raises(ApplicationError, match=r"line 302 of the file is longer than the longest line"):
        run(tenant_a, write(tmp_path, "long.csv", text))
    assert SpendImport.objects.get().status == ImportStatus.FAILED


def test_an_unclosed_quote_is_refused_not_half_imported(tenant_a: Tenant, tmp_path: Path) -> None:
    text = csv_text([HEADER, *filler(5)]) + '30/04/2024,"Never closed Ltd,5,T9\n01/04/2024,After Ltd,5,T10\n'
    with pytest.raises(ApplicationError, match=r"a quote \(\"\) opened in row 7 of the file .* is never closed"):
        run(tenant_a, write(tmp_path, "unclosed.csv", text))
    assert SpendImport.objects.get().status == ImportStatus.FAILED


# --- NUL bytes and spreadsheet formulas -------------------------------------------------------------


def test_nul_bytes_are_removed_with_a_warning(tenant_a: Tenant, tmp_path: Path) -> None:
    text = csv_text([HEADER, ["01/04/2024", "Acme\x00 Ltd", "1\x000", "T1"], ["02/04/2024", "B", "5", "T2"]])
    spend_import = run(tenant_a, write(tmp_path, "nul.csv", text))
    assert spend_import.status == ImportStatus.SUCCEEDED
    assert [(row["supplier_name"], row["amount"]) for row in payments(spend_import)] == [
        ("Acme Ltd", Decimal("10.00")),
        ("B", Decimal("5.00")),
    ]
    assert spend_import.warnings == ["The file held 2 NUL bytes (character 0), removed before it was read."]
    # The supplier registry (in the database, where PostgreSQL refuses NUL in text) has the clean name.
    from commonweal.spend.models import Supplier

    assert set(Supplier.objects.filter(organisation=tenant_a.buyer).values_list("name", flat=True)) == {"Acme Ltd", "B"}


def test_a_mostly_nul_file_is_not_text(tenant_a: Tenant, tmp_path: Path) -> None:
    path = write(tmp_path, "utf16.csv", csv_text([HEADER, *filler(3)]).encode("utf-16-le"))
    with pytest.raises(ApplicationError, match="mostly NUL bytes"):
        run(tenant_a, path)


def test_xlsx_formula_cells_without_a_saved_value_are_reported(tenant_a: Tenant, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append([datetime.date(2024, 4, 1), "A Ltd", 10, "T1"])
    sheet.append([datetime.date(2024, 4, 2), "B Ltd", "=C2*2", "T2"])  # openpyxl saves no value for it
    path = tmp_path / "formulas.xlsx"
    workbook.save(path)
    spend_import = run(tenant_a, path)
    assert [(row["supplier_name"], row["amount"]) for row in payments(spend_import)] == [("A Ltd", Decimal("10.00"))]
    assert rejects(spend_import) == [
        (3, "the amount is a spreadsheet formula with no saved value (“=C2*2”)", "2024-04-02,B Ltd,=C2*2,T2")
    ]
    assert spend_import.warnings[0].startswith("1 formula cell of the spreadsheet had no saved value (C3)")
