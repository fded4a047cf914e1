"""Generated payments for `commonweal demo scale`: one Parquet file of a body's year in the shape every import
writes (`schema.PARQUET_COLUMNS`), made by DuckDB from a seeded expression, so the same seed gives the same file.

The shape follows the real transparency files in ../shared/data (Trafford's supplier payments): about one
payment in seven is negative (credits and cash discounts), one in twenty is redacted, amounts are skewed
(most a few hundred pounds, a few in the hundreds of thousands), and payments go to a few hundred names,
the most frequent far more often than the rest.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from . import duck
from .schema import PARQUET_COLUMNS

SERVICE_AREAS = (
    "Adult Social Care",
    "Children's Services",
    "Highways and Transport",
    "Waste and Recycling",
    "Housing",
    "Leisure and Culture",
    "Corporate Services",
    "Public Health",
)
EXPENSE_TYPES = (
    ("Private Contractors", "E.12"),
    ("Building Repairs and Maintenance", "B.30"),
    ("Professional Services", "F.40"),
    ("Supplies and Services", "S.20"),
    ("Grants to Voluntary Organisations", "G.10"),
    ("ICT Software", "I.60"),
)
# Of every 1,000 payments: this many negative (Trafford's ~15%) and this many redacted.
NEGATIVE_PER_THOUSAND = 150
REDACTED_PER_THOUSAND = 50


@dataclass(frozen=True)
class GeneratedPayments:
    rows: int
    total: Decimal
    first: date
    last: date


def _pick(options: tuple[str, ...], hashed: str) -> str:
    """A SQL expression choosing one of `options` by a hash expression."""
    cases = " ".join(f"WHEN {index} THEN {duck.sql_string(option)}" for index, option in enumerate(options))
    return f"(CASE ({hashed}) % {len(options)} {cases} END)"


def payments_parquet_write(
    path: Path,
    *,
    import_id: int,
    rows: int,
    seed: int,
    body: str,
    supplier_names: list[str],
    start: date,
    days: int,
) -> GeneratedPayments:
    """Write `rows` payments of `body` to `path` (replaced if there) over `days` days from `start`, to
    `supplier_names` (the first names far more often than the last), and return their count and total."""
    if not supplier_names:
        raise ValueError("Generated payments need at least one supplier name.")
    names = "[" + ", ".join(duck.sql_string(name) for name in supplier_names) + "]"
    # A squared uniform draw: low indexes (the big suppliers) come up far more often.
    supplier_index = f"(((hash(i, {seed}, 2) % 10000) / 10000.0) ^ 2 * {len(supplier_names)})::BIGINT + 1"
    redacted = f"(hash(i, {seed}, 3) % 1000) < {REDACTED_PER_THOUSAND}"
    negative = f"(hash(i, {seed}, 4) % 1000) < {NEGATIVE_PER_THOUSAND}"
    # Pence: mostly hundreds of pounds, now and then a large invoice.
    pence = (
        f"(CASE WHEN hash(i, {seed}, 5) % 100 < 3 THEN 5000000 + hash(i, {seed}, 6) % 50000000 "
        f"ELSE 5000 + hash(i, {seed}, 6) % 500000 END)::BIGINT"
    )
    expense = _pick(tuple(name for name, _ in EXPENSE_TYPES), f"hash(i, {seed}, 7)")
    code = _pick(tuple(code for _, code in EXPENSE_TYPES), f"hash(i, {seed}, 7)")
    expressions = {
        "import_id": f"{int(import_id)}::BIGINT",
        "line": "(i + 2)::BIGINT",
        "payment_date": f"DATE '{start.isoformat()}' + (hash(i, {seed}, 1) % {int(days)})::INTEGER",
        "amount": f"((CASE WHEN {negative} THEN -1 ELSE 1 END) * {pence} / 100.0)::DECIMAL(18,2)",
        "supplier_name": f"CASE WHEN {redacted} THEN 'Redacted personal data' ELSE {names}[{supplier_index}] END",
        "supplier_key": f"CASE WHEN {redacted} THEN NULL ELSE upper({names}[{supplier_index}]) END",
        "redacted": redacted,
        "transaction_ref": f"'{int(seed) % 1000:03d}' || lpad(i::VARCHAR, 9, '0')",
        "body": duck.sql_string(body),
        "service_area": _pick(SERVICE_AREAS, f"hash(i, {seed}, 8)"),
        "expense_type": expense,
        "category_code": code,
    }
    select = ", ".join(f"{expressions.get(name, f'NULL::{kind}')} AS {name}" for name, kind in PARQUET_COLUMNS.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    connection = duck.connect()
    try:
        # Only integers, dates and quoted literals made here go into the statement.
        query = f"SELECT {select} FROM (SELECT range AS i FROM range({int(rows)})) ORDER BY i"  # noqa: S608
        connection.execute(f"COPY ({query}) TO {duck.sql_string(str(partial))} (FORMAT parquet, COMPRESSION lz4)")
        summary = connection.execute(
            f"SELECT count(*), coalesce(sum(amount), 0), min(payment_date), max(payment_date) "  # noqa: S608
            f"FROM read_parquet({duck.sql_string(str(partial))})"
        ).fetchone()
    finally:
        connection.close()
    partial.replace(path)
    assert summary is not None
    count, total, first, last = summary
    return GeneratedPayments(rows=int(count), total=Decimal(total), first=first or start, last=last or start)
