"""The one place DuckDB is opened, and where the payments of an organisation are found on disk.

Connections are in memory, with a bounded number of threads and a memory limit; what does not fit
spills to a temporary directory under SPEND_DATA_DIR. Extensions are never downloaded.
"""

import os
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings

from .models import ImportStatus, SpendImport
from .schema import PARQUET_COLUMNS

# An open DuckDB connection, as the rest of spend names it (only this module imports duckdb).
Connection = duckdb.DuckDBPyConnection

# Defaults for a small server; a deployment sets SPEND_DUCKDB_MEMORY_LIMIT / SPEND_DUCKDB_THREADS.
DEFAULT_MEMORY_LIMIT = "1GB"


def data_dir() -> Path:
    return Path(settings.SPEND_DATA_DIR)


def spend_path(relative: str) -> Path:
    """The absolute path of a file stored under SPEND_DATA_DIR (paths are stored relative to it)."""
    root = data_dir().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"{relative!r} is not under SPEND_DATA_DIR")
    return path


def connect(*, ordered: bool = True) -> Connection:
    """A fresh in-memory DuckDB connection with the project's limits.

    `ordered=False` lets DuckDB write results in any order: a COPY of millions of rows then streams
    instead of holding batches back to keep their order (which spills past the memory limit)."""
    temp = data_dir() / "tmp" / "duckdb"
    temp.mkdir(parents=True, exist_ok=True)
    threads = int(getattr(settings, "SPEND_DUCKDB_THREADS", 0) or os.cpu_count() or 1)
    config: dict[str, Any] = {
        "threads": threads,
        "memory_limit": str(getattr(settings, "SPEND_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)),
        "temp_directory": str(temp),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "preserve_insertion_order": ordered,
    }
    return duckdb.connect(":memory:", config=config)


def sql_string(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def empty_payments_sql() -> str:
    columns = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in PARQUET_COLUMNS.items())
    return f"(SELECT {columns} WHERE false)"


def parquet_list_sql(paths: list[Path]) -> str:
    return "read_parquet([" + ", ".join(sql_string(str(path)) for path in paths) + "])"


def payments_sql(organisation: Any) -> str:
    """A relation over the payments of every succeeded import of `organisation` (zero rows if none)."""
    relatives = (
        SpendImport.objects.filter(organisation=organisation, status=ImportStatus.SUCCEEDED)
        .exclude(parquet_path="")
        .order_by("pk")
        .values_list("parquet_path", flat=True)
    )
    paths = [spend_path(relative) for relative in relatives]
    return parquet_list_sql(paths) if paths else empty_payments_sql()
