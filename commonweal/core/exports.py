"""Writing CSV that is safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; numbers pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def csv_write(out: Writable, fieldnames: list[str], rows: Iterable[Mapping[str, Any]]) -> None:
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: cell_safe(value) for key, value in row.items()})
