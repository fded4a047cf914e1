"""The one place DuckDB is opened, and where the payments of an organisation are found.

Connections are in memory, with a bounded number of threads and a memory limit; what does not fit
spills to a temporary directory under SPEND_DATA_DIR. Extensions are never downloaded: Parquet kept in
an S3-compatible bucket is read through a pyarrow dataset registered on the connection (`spend.files`).
"""

import itertools
import os
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings

from . import files
from .models import ImportStatus, SpendImport
from .schema import PARQUET_COLUMNS

# An open DuckDB connection, as the rest of spend names it (only this module imports duckdb).
Connection = duckdb.DuckDBPyConnection

# Defaults for a small server; a deployment sets SPEND_DUCKDB_MEMORY_LIMIT / SPEND_DUCKDB_THREADS.
DEFAULT_MEMORY_LIMIT = "1GB"


def data_dir() -> Path:
    return Path(settings.SPEND_DATA_DIR)


def spend_path(relative: str) -> Path:
    """The absolute local path of a file under SPEND_DATA_DIR (paths are stored relative to it): the file
    itself on local disk, a working copy when the spend storage is a bucket."""
    return files.local_path(relative)


_registered = itertools.count(1)


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


def parquet_source(connection: Connection, relatives: list[str]) -> str:
    """A relation over the stored Parquet files `relatives` (at least one), for queries on `connection`:
    `read_parquet` of the files on local disk, or a pyarrow dataset over the bucket registered on the
    connection (DuckDB then reads only the row groups and columns a query needs; nothing is copied)."""
    on_disk = files.disk_paths(relatives)
    if on_disk is not None:
        return parquet_list_sql(on_disk)
    name = f"stored_parquet_{next(_registered)}"
    connection.register(name, files.parquet_dataset(relatives))
    return name


def payments_sql(organisation: Any, connection: Connection) -> str:
    """A relation over the payments of every succeeded import of `organisation` (zero rows if none)."""
    relatives = list(
        SpendImport.objects.filter(organisation=organisation, status=ImportStatus.SUCCEEDED)
        .exclude(parquet_path="")
        .order_by("pk")
        .values_list("parquet_path", flat=True)
    )
    return parquet_source(connection, relatives) if relatives else empty_payments_sql()
