"""`commonweal spend import`: a summary or JSON per file, rejected rows to CSV, clear errors."""

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from commonweal.spend.models import ImportStatus, SpendImport, SpendSource

from .conftest import Tenant
from .spend_import_support import csv_text, write

HEADER = ["Paid Date", "Supplier Name", "Amount", "Trans No"]


def spend(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("spend", "import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_prints_the_figures_of_each_file(tenant_a: Tenant, tmp_path: Path) -> None:
    first = write(
        tmp_path, "q1.csv", csv_text([HEADER, ["01/04/2024", "A Ltd", "£1,000.50", "1"], ["x", "B", "2", "2"]])
    )
    second = write(tmp_path, "q2.csv", csv_text([HEADER, ["01/07/2024", "Redacted", "(20.00)", "3"]]))
    out, err = spend(str(first), str(second), "--organisation", tenant_a.buyer.slug, "--json")
    assert json.loads(out) == [
        {
            "file": str(first),
            "import_id": SpendImport.objects.get(original_name="q1.csv").pk,
            "status": "imported",
            "rows_read": 2,
            "rows_imported": 1,
            "rows_rejected": 1,
            "rows_duplicate": 0,
            "rows_redacted": 0,
            "rows_blank": 0,
            "total_amount": "1000.50",
            "warnings": [],
        },
        {
            "file": str(second),
            "import_id": SpendImport.objects.get(original_name="q2.csv").pk,
            "status": "imported",
            "rows_read": 1,
            "rows_imported": 1,
            "rows_rejected": 0,
            "rows_duplicate": 0,
            "rows_redacted": 1,
            "rows_blank": 0,
            "total_amount": "-20.00",
            "warnings": [],
        },
    ]
    assert "q1.csv" in err  # the progress bar goes to standard error


def test_summary_and_the_same_file_again(tenant_a: Tenant, tmp_path: Path) -> None:
    path = write(tmp_path, "q1.csv", csv_text([HEADER, ["01/04/2024", "A Ltd", "10", "1"]]))
    out, _ = spend(str(path), "--organisation", tenant_a.buyer.slug)
    assert "q1.csv: read 1 rows; imported 1 (0 redacted), rejected 0, duplicates 0, blank 0; total £10.00." in out
    out, _ = spend(str(path), "--organisation", tenant_a.buyer.slug)
    assert "q1.csv was imported already" in out and "nothing was added" in out
    assert SpendImport.objects.count() == 1


def test_rejects_csv_lists_every_rejected_row_with_file_and_line(tenant_a: Tenant, tmp_path: Path) -> None:
    path = write(tmp_path, "q1.csv", csv_text([HEADER, ["01/04/2024", "A", "", "1"], ["soon", "B", "2", "2"]]))
    target = tmp_path / "rejected.csv"
    spend(str(path), "--organisation", tenant_a.buyer.slug, "--rejects-csv", str(target))
    with target.open(encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == [
            {"file": "q1.csv", "line": "2", "reason": "the amount is blank", "row": "01/04/2024,A,,1"},
            {
                "file": "q1.csv",
                "line": "3",
                "reason": "the payment date “soon” is not a date in a format Commonweal reads",
                "row": "soon,B,2,2",
            },
        ]


def test_bad_input_exits_with_a_clear_message(tenant_a: Tenant, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No organisation has the short name “nowhere”"):
        spend(str(tmp_path), "--organisation", "nowhere")
    with pytest.raises(CommandError, match="No such file"):
        spend(str(tmp_path / "missing.csv"), "--organisation", tenant_a.buyer.slug)
    with pytest.raises(CommandError, match="not a public body"):
        spend(str(tmp_path), "--organisation", tenant_a.supplier.slug)
    good = write(tmp_path, "good.csv", csv_text([HEADER, ["01/04/2024", "A", "1", "1"]]))
    bad = write(tmp_path, "bad.csv", "Name,Colour\nA,Blue\n")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2 files not imported"):
        call_command(
            "spend", "import", str(bad), str(good), "--organisation", tenant_a.buyer.slug, stdout=out, stderr=err
        )
    assert "bad.csv: not imported: No column was recognised as the payment date or the amount" in err.getvalue()
    assert list(SpendImport.objects.values_list("original_name", "status")) == [("good.csv", ImportStatus.SUCCEEDED)]


def test_a_file_with_no_supplier_column_is_refused_naming_the_option(tenant_a: Tenant, tmp_path: Path) -> None:
    bare = write(
        tmp_path, "bare.csv", csv_text([["01/04/2024", "Acme Ltd", "100.00", "R1"], ["02/04/2024", "B", "5", "R2"]])
    )
    good = write(tmp_path, "good.csv", csv_text([HEADER, ["01/04/2024", "A Ltd", "10", "1"]]))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2 files not imported"):
        call_command(
            "spend", "import", str(bare), str(good), "--organisation", tenant_a.buyer.slug, stdout=out, stderr=err
        )
    assert (
        "bare.csv: not imported: No column was recognised as the supplier: say which column holds it. The file’s "
        'columns are: “Column 1”, “Column 2”, “Column 3”, “Column 4”. Give it with --column supplier="…" '
        "(and --no-header if the file has no header)."
    ) in " ".join(err.getvalue().split())
    # The summary lists each file: the good one was imported all the same.
    assert "good.csv: read 1 rows; imported 1" in out.getvalue()
    summary, _ = spend(str(bare), "--organisation", tenant_a.buyer.slug, "--no-header", "--column", "supplier=Column 2")
    assert (
        "bare.csv: read 2 rows; imported 2 (0 redacted), rejected 0, duplicates 0, blank 0; total £105.00." in summary
    )


def test_columns_header_line_and_encoding_and_the_mapping_remembered(tenant_a: Tenant, tmp_path: Path) -> None:
    header = ["Invoice Creation Date", "Who", "Paid (net)", "Note"]
    text = csv_text([["Council spend", "", "", ""], header, ["01/04/2024", "Zoë Ltd", "£12.00", "x"]])
    first = write(tmp_path, "april.csv", text, encoding="cp437")
    out, _ = spend(
        str(first),
        "--organisation",
        tenant_a.buyer.slug,
        "--source",
        "Ledger",
        "--header-line",
        "2",
        "--encoding",
        "cp437",
        "--column",
        "date=Invoice Creation Date",
        "--column",
        "supplier=Who",
        "--column",
        "amount=Paid (net)",
    )
    assert "april.csv: read 1 rows; imported 1" in out
    spend_import = SpendImport.objects.get(original_name="april.csv")
    assert (spend_import.encoding, spend_import.header_line) == ("cp437", 2)
    mapping = {"payment_date": "Invoice Creation Date", "supplier_name": "Who", "amount": "Paid (net)"}
    assert SpendSource.objects.get(name="Ledger").column_mapping == mapping
    # Next month's file, same header, no options: the remembered mapping applies.
    may = write(tmp_path, "may.csv", csv_text([header, ["01/05/2024", "Bob", "3", "y"]]))
    out, _ = spend(str(may), "--organisation", tenant_a.buyer.slug, "--source", "Ledger")
    assert "may.csv: read 1 rows; imported 1 (0 redacted), rejected 0, duplicates 0, blank 0; total £3.00." in out
    assert SpendImport.objects.get(original_name="may.csv").column_mapping == mapping


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--column", "colour=Blue"], "--column 'colour=Blue' is not FIELD="),
        (["--column", "supplier"], "--column 'supplier' is not FIELD="),
        (["--column", "supplier=A", "--column", "supplier_name=B"], "--column gives the supplier name twice"),
        (["--header-line", "0"], "--header-line counts from 1"),
    ],
)
def test_bad_options_are_refused(tenant_a: Tenant, tmp_path: Path, args: list[str], message: str) -> None:
    path = write(tmp_path, "q.csv", csv_text([HEADER, ["01/04/2024", "A Ltd", "10", "1"]]))
    with pytest.raises(CommandError, match=message):
        spend(str(path), "--organisation", tenant_a.buyer.slug, *args)
    assert not SpendImport.objects.exists()
