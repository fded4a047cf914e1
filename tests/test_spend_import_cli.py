"""`commonweal spend import`: a summary or JSON per file, rejected rows to CSV, clear errors."""

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from commonweal.spend.models import ImportStatus, SpendImport

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
