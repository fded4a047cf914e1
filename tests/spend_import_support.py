"""Helpers for the spend import tests: a spend manager, files written byte for byte, and reading back
what an import stored."""

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from commonweal.accounts.models import User
from commonweal.spend import duck, importing
from commonweal.spend.models import SpendImport
from commonweal.tenancy.models import Organisation, Role

from . import factories
from .conftest import SHARED_DATA

OXFORD = SHARED_DATA / "oxford-spend-over-500"
TRAFFORD = SHARED_DATA / "trafford-supplier-spend"


def spend_manager(organisation: Organisation) -> User:
    """A social value lead of `organisation` (who may import spend)."""
    return factories.member_user(organisation, Role.SOCIAL_VALUE_LEAD)


def shared_file(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the real spend files in ../shared/data/ are needed for this test")
    return path


def write(tmp_path: Path, name: str, content: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def payments(spend_import: SpendImport) -> list[dict[str, Any]]:
    """The stored payments of an import, in line order, as dicts of the Parquet columns."""
    connection = duck.connect()
    try:
        relation = connection.execute(
            f"SELECT * FROM read_parquet({duck.sql_string(str(duck.spend_path(spend_import.parquet_path)))}) "
            "ORDER BY line"
        )
        names = [column[0] for column in relation.description]
        return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]
    finally:
        connection.close()


def rejects(spend_import: SpendImport) -> list[tuple[int, str, str]]:
    return importing.rejects_read(spend_import.rejects_path)


def csv_expected(
    path: Path, *, amount: str, supplier: str | None = None, encoding: str = "utf-8"
) -> tuple[int, Decimal, int]:
    """Worked out apart from the importer, with the csv module and Decimal: (rows, total of the rows whose
    amount is a number, rows whose amount is not)."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.DictReader(handle)
        rows = 0
        total = Decimal("0")
        bad = 0
        for row in reader:
            rows += 1
            text = (row[amount] or "").strip().replace(",", "").replace("£", "")
            try:
                total += Decimal(text).quantize(Decimal("0.01"))
            except ArithmeticError:
                bad += 1
    return rows, total, bad


def csv_text(rows: list[list[str]], *, newline: str = "\n", delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline, delimiter=delimiter)
    writer.writerows(rows)
    return out.getvalue()
