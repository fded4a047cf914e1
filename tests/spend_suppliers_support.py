"""Helpers for the supplier registry tests: a succeeded import whose Parquet holds the given payments.

The Parquet is written in the canonical shape (`spend.schema.PARQUET_COLUMNS`) with DuckDB, keyed with
`names.normalise_name` as the import does, so the registry is tested apart from the file reader.
"""

import datetime
import hashlib
import itertools
from decimal import Decimal
from typing import Any

from commonweal.spend import duck
from commonweal.spend.models import ImportStatus, SpendImport
from commonweal.spend.names import is_redacted, normalise_name
from commonweal.spend.schema import PARQUET_COLUMNS
from commonweal.tenancy.models import Organisation

_numbers = itertools.count(1)


def payment(name: str, amount: str = "100.00", **fields: Any) -> dict[str, Any]:
    """One payment to `name`; `fields` are other canonical columns (supplier_postcode, charity_number, …)."""
    return {"supplier_name": name, "amount": Decimal(amount), **fields}


def import_with_payments(organisation: Organisation, payments: list[dict[str, Any]]) -> SpendImport:
    """A succeeded SpendImport of `organisation` whose Parquet file holds `payments`."""
    number = next(_numbers)
    spend_import = SpendImport.objects.create(
        organisation=organisation,
        original_name=f"payments-{number}.csv",
        sha256=hashlib.sha256(f"{organisation.pk}-{number}".encode()).hexdigest(),
        status=ImportStatus.SUCCEEDED,
    )
    relative = f"{organisation.pk}/{spend_import.pk}/payments.parquet"
    path = duck.spend_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for line, row in enumerate(payments, start=2):
        name = row.get("supplier_name") or ""
        redacted = is_redacted(name)
        values = {
            "import_id": spend_import.pk,
            "line": line,
            "payment_date": datetime.date(2025, 4, 1),
            "supplier_key": None if redacted or not normalise_name(name) else normalise_name(name),
            "redacted": redacted,
            **row,
        }
        rows.append([values.get(column) for column in PARQUET_COLUMNS])
    connection = duck.connect()
    try:
        columns = ", ".join(f"{name} {kind}" for name, kind in PARQUET_COLUMNS.items())
        connection.execute(f"CREATE TABLE payments ({columns})")
        if rows:
            placeholders = ", ".join("?" for _ in PARQUET_COLUMNS)
            connection.executemany(f"INSERT INTO payments VALUES ({placeholders})", rows)
        connection.execute(f"COPY payments TO {duck.sql_string(str(path))} (FORMAT parquet)")
    finally:
        connection.close()
    spend_import.parquet_path = relative
    spend_import.rows_imported = len(rows)
    spend_import.save(update_fields=["parquet_path", "rows_imported"])
    return spend_import
