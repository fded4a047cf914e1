"""The heavy part of an import, in DuckDB SQL: read the CSV, check and convert every row, write Parquet.

Python never touches the rows. The file is read once (every column VARCHAR, in parallel) and its rows,
checked and converted into canonical columns with a reason for each rejected row, are kept in the
file's order: in a temporary table for a file of up to STAGE_IN_MEMORY_BYTES, else streamed into a
Parquet file. Two cheap reads of them then write the accepted rows (with their supplier keys) and the
rejected ones. See docs/spend-import.md for the rules each row is checked against.

"Line" is the line of the file a row starts on, counted as the header's line plus the row's position
after it. It is exact unless an earlier row holds a line break inside quotes or blank lines separate
rows (DuckDB skips blank lines), in which case later rows' lines are that many lower.
"""

# Every statement here is built from generated column names, and paths and header text quoted by
# duck.sql_string: nothing from the file is pasted into SQL unquoted.
# ruff: noqa: S608

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from commonweal.core.errors import ApplicationError
from commonweal.core.recovery import pause_point

from . import duck
from .names import is_redacted_normalised_sql, normalise_name_sql
from .reading import FALLBACK_DATE, Sniffed

# Text fields copied as they are (trimmed; blank → NULL).
TEXT_FIELDS = (
    "transaction_ref",
    "body",
    "service_area",
    "expense_type",
    "category_code",
    "description",
    "supplier_postcode",
    "companies_house_number",
    "vat_number",
    "charity_number",
)
# Dates are read day first (UK). Two-digit years are handled before these; order matters ('%d-%b-%y'
# before '%d-%b-%Y', or "01-Aug-23" would be the year 23).
DATE_FORMATS = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%B-%Y",
    "%d %B, %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y%m%d",
)
BLANK = "a blank row"
TOTAL_BY_SUM = "a total row (labelled as one, and its amount is the sum of the rows above it)"
TOTAL_BARE = "a total row (an amount with no supplier, reference or date)"
# A cell that labels a total: "Total", "Totals:", "Sub-total", "Grand Total", "TOTAL FOR APRIL". A row with
# one (in the supplier column, or the first) is a total only if its amount is the sum of the rows above it
# (since the last total, or from the top): "TOTAL HYGIENE LTD" is a supplier.
TOTAL_LABEL = r"^\s*(grand\s*|sub[\s-]*)?totals?\b"
EARLIEST = "1990-01-01"
LATEST = "2099-12-31"

MACROS = rf"""
-- prefix/suffix rather than starts_with/ends_with: the same test, about a third cheaper in DuckDB 2.0.
CREATE OR REPLACE TEMP MACRO spend_clean(s) AS CASE
    WHEN prefix(s, ' ') OR suffix(s, ' ') THEN nullif(trim(s), '') ELSE s END;
CREATE OR REPLACE TEMP MACRO spend_amount_text(s) AS regexp_replace(upper(s), '[£\s,]|GBP', '', 'g');
CREATE OR REPLACE TEMP MACRO spend_amount_any(s) AS TRY_CAST(CASE
    WHEN s LIKE '(%)' OR s LIKE '(%)-' THEN '-' || trim(s, '()-')
    WHEN s LIKE '%-' AND s NOT LIKE '-%' THEN '-' || rtrim(s, '-')
    ELSE s END AS DECIMAL(18,2));
-- Plain numbers and ISO or dd/mm/yyyy dates (most rows) are read without regular expressions. The CASE
-- keeps it so: DuckDB does not hoist common subexpressions out of a CASE, and it would otherwise work out
-- the cleaned amount text (a regular expression, used several times below) for every row.
CREATE OR REPLACE TEMP MACRO spend_amount(s) AS CASE WHEN s IS NOT NULL
    THEN coalesce(TRY_CAST(s AS DECIMAL(18,2)), spend_amount_any(spend_amount_text(s))) END;
CREATE OR REPLACE TEMP MACRO spend_date_text(s) AS regexp_replace(s, '(\d)(st|nd|rd|th)\b', '\1', 'gi');
CREATE OR REPLACE TEMP MACRO spend_date_any(s) AS CAST(CASE
    WHEN s IS NULL THEN NULL
    WHEN regexp_full_match(s, '\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2}}')
        THEN try_strptime(s, ['%d/%m/%y', '%d-%m-%y', '%d.%m.%y'])
    WHEN regexp_full_match(s, '\d{{5}}(\.0+)?')
        THEN CAST(DATE '1899-12-30' + CAST(CAST(s AS DOUBLE) AS INTEGER) AS TIMESTAMP)
    ELSE try_strptime(s, {list(DATE_FORMATS)!r})
    END AS DATE);
CREATE OR REPLACE TEMP MACRO spend_date(s) AS CASE WHEN s IS NOT NULL THEN coalesce(
    CASE WHEN s GLOB '[0-9]???-??-??' THEN TRY_CAST(s AS DATE) END,
    CASE WHEN length(s) = 10 THEN CAST(try_strptime(s, '%d/%m/%Y') AS DATE) END,
    spend_date_any(spend_date_text(s))) END;
CREATE OR REPLACE TEMP MACRO spend_cell(s, d) AS CASE
    WHEN s IS NULL THEN ''
    WHEN contains(s, d) OR contains(s, '"') OR contains(s, chr(10)) OR contains(s, chr(13))
        THEN '"' || replace(s, '"', '""') || '"'
    ELSE s END;
"""


@dataclass
class Outcome:
    rows_read: int
    rows_imported: int
    rows_rejected: int
    rows_duplicate: int
    rows_redacted: int
    rows_blank: int
    total_amount: Decimal
    first_payment_date: date | None
    last_payment_date: date | None


@dataclass(frozen=True)
class Expected:
    """The file's records after the header, counted apart from DuckDB's reader (`reading.scan`)."""

    records: int
    empty: int  # of them, empty lines (the reader skips them)


class ReconcileError(ApplicationError):
    """The rows read do not add up to the rows counted in the file: nothing is stored."""


def _line_too_long(error: Exception) -> ApplicationError | None:
    text = str(error)
    if "Maximum line size" not in text:
        return None
    match = re.search(r"CSV Error on Line: (\d+)", text)
    where = f"line {match.group(1)}" if match else "a line"
    return ReconcileError(
        f"{where} of the file is longer than the longest line Commonweal reads ({MAX_LINE_BYTES // (1024 * 1024)} MB), "
        "so the file cannot be read whole: nothing was imported. The line may hold a quote that is never closed."
    )


def _escape(text: str) -> str:
    """A CSV option as DuckDB's read_csv wants it: control characters written as escapes."""
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


# Lines up to 16 MB are read. DuckDB's reader then takes the file in buffers of 16 times that, one
# thread to a buffer, so a file smaller than one buffer would be read by one thread: files staged in
# memory (see STAGE_IN_MEMORY_BYTES) are read in 32 MB buffers instead, in parallel.
MAX_LINE_BYTES = 16 * 1024 * 1024
SMALL_FILE_BUFFER_BYTES = 32 * 1024 * 1024


def read_csv_sql(path: Path, sniffed: Sniffed, *, parallel: bool, buffer_bytes: int | None = None) -> str:
    columns = {f"c{index}": "VARCHAR" for index in range(len(sniffed.header))}
    columns["c_extra"] = "VARCHAR"  # anything in it means the row has more fields than the header
    columns_sql = "{" + ", ".join(f"{duck.sql_string(name)}: 'VARCHAR'" for name in columns) + "}"
    return (
        f"read_csv({duck.sql_string(str(path))}, header=false, auto_detect=false, "
        f"delim={duck.sql_string(_escape(sniffed.delimiter))}, quote='\"', escape='\"', "
        f"new_line={duck.sql_string(_escape(sniffed.newline))}, skip={sniffed.header_line}, columns={columns_sql}, "
        f"null_padding=true, strict_mode=false, parallel={str(parallel).lower()}, max_line_size={MAX_LINE_BYTES}"
        + (f", buffer_size={int(buffer_bytes)})" if buffer_bytes else ")")
    )


def checked_sql(read_sql: str, sniffed: Sniffed, positions: dict[str, int]) -> str:
    """A query giving one row per record, in the file's order: canonical columns, and the reason it is rejected
    (if it is). The line is not worked out here: numbering rows would make the read single-threaded."""
    width = len(sniffed.header)
    cells = [f"c{index}" for index in range(width)]

    def cell(field_name: str) -> str:
        return f"spend_clean(c{positions[field_name]})" if field_name in positions else "CAST(NULL AS VARCHAR)"

    row_text = "concat_ws(chr(31), " + ", ".join(cells) + ")"
    delimiter = duck.sql_string(sniffed.delimiter)
    raw = (
        f"concat_ws({delimiter}, "
        + ", ".join(f"spend_cell({name}, {delimiter})" for name in cells)
        + f", CASE WHEN c_extra IS NOT NULL THEN spend_cell(c_extra, {delimiter}) END)"
    )
    all_blank = "coalesce(" + ", ".join(f"spend_clean({name})" for name in cells) + ") IS NULL"
    text_columns = ",\n        ".join(f"{cell(name)} AS {name}" for name in TEXT_FIELDS)
    label = duck.sql_string(TOTAL_LABEL)
    # The first column's label counts when that column holds no payment's own text: a description or a
    # reference that starts "Total" ("Total refurbishment") belongs to a payment.
    first_column_label = (
        f"(c0 ILIKE '%total%' AND regexp_matches(c0, {label}, 'i'))"
        if all(index != 0 for field, index in positions.items() if field != "payment_date")
        else "false"
    )
    if sniffed.has_header:
        # A repeated header repeats the header's amount and date cells; one value matching is not enough.
        header_amount = duck.sql_string(sniffed.header[positions["amount"]].strip().lower())
        header_date = duck.sql_string(sniffed.header[positions["payment_date"]].strip().lower())
        repeated = f"lower(amount_text) = {header_amount} AND lower(coalesce(date_text, '')) = {header_date}"
    else:
        repeated = "false"  # a file with no header has nothing to repeat
    return f"""
WITH converted AS (
    SELECT
        {cell("amount")} AS amount_text,
        {cell("payment_date")} AS date_text,
        {cell(FALLBACK_DATE)} AS fallback_text,
        {cell("supplier_name")} AS supplier_name,
        {text_columns},
        spend_amount(amount_text) AS amount,
        coalesce(spend_date(date_text), spend_date(fallback_text)) AS payment_date,
        spend_amount({cell("irrecoverable_vat")}) AS irrecoverable_vat,
        c_extra IS NOT NULL AS too_wide,
        {", ".join(cells)}, c_extra
    FROM {read_sql}
), checked AS (
    SELECT *, CASE
        WHEN too_wide THEN 'the row has more fields than the header’s {width} columns'
        WHEN amount_text IS NULL AND {all_blank} THEN '{BLANK}'
        WHEN {repeated} THEN 'a repeated header row'
        WHEN supplier_name IS NULL AND transaction_ref IS NULL AND date_text IS NULL AND fallback_text IS NULL
            AND amount_text IS NOT NULL THEN '{TOTAL_BARE}'
        WHEN amount_text IS NULL THEN 'the amount is blank'
        WHEN prefix(amount_text, '=') THEN 'the amount is a spreadsheet formula with no saved value (“'
            || amount_text || '”)'
        WHEN amount IS NULL THEN 'the amount “' || amount_text || '” is not a number'
        WHEN payment_date IS NULL AND date_text IS NULL THEN 'the payment date is blank'
        WHEN payment_date IS NULL AND regexp_full_match(date_text, '[0:. ]+')
            THEN 'the payment date “' || date_text || '” is a time with no date'
        WHEN payment_date IS NULL
            THEN 'the payment date “' || date_text || '” is not a date in a format Commonweal reads'
        WHEN payment_date < DATE '{EARLIEST}' OR payment_date > DATE '{LATEST}'
            THEN 'the payment date ' || strftime(payment_date, '%d/%m/%Y')
                || ' is not between {EARLIEST[:4]} and {LATEST[:4]}'
        END AS reason,
        -- A candidate total: a total label in the supplier or the first column, or (with no supplier) in any.
        (supplier_name ILIKE '%total%' AND regexp_matches(supplier_name, {label}, 'i'))
            OR {first_column_label}
            OR (supplier_name IS NULL AND {row_text} ILIKE '%total%'
                AND regexp_matches({row_text}, '(^|\x1f)\\s*(grand\\s*|sub[\\s-]*)?totals?\\b', 'i'))
            AS total_label
    FROM converted
)
SELECT
    reason,
    CASE WHEN reason IS NOT NULL OR total_label THEN {raw} END AS raw,
    coalesce(total_label, false) AS total_label,
    payment_date,
    amount,
    supplier_name,
    {", ".join(TEXT_FIELDS)},
    irrecoverable_vat
FROM checked
"""


def totals_resolve(connection: duck.Connection, staged: str) -> list[int]:
    """The lines of the rows labelled as totals whose amount is the sum of the accepted rows above them: since
    the last total (a sub-total) or from the top (a grand total). Other labelled rows are payments, and count
    in the sums of later totals."""
    # A labelled row whose first column is the date column has "Total" for a date: it is a candidate too.
    candidates = connection.execute(
        f"SELECT line, amount, reason IS NULL FROM {staged} WHERE total_label AND amount IS NOT NULL "
        "AND (reason IS NULL OR prefix(reason, 'the payment date')) ORDER BY line"
    ).fetchall()
    if not candidates:
        return []
    connection.execute("CREATE OR REPLACE TEMP TABLE total_candidates (line BIGINT)")
    connection.executemany("INSERT INTO total_candidates VALUES (?)", [(int(line),) for line, _, _ in candidates])
    segments = {
        int(line): (Decimal(total or 0), int(count))
        for line, total, count in connection.execute(
            f"""SELECT c.line, sum(s.amount), count(*)
            FROM (SELECT line, amount FROM {staged} WHERE reason IS NULL AND NOT total_label) s
            ASOF JOIN total_candidates c ON s.line < c.line GROUP BY c.line"""
        ).fetchall()
    }
    totals: list[int] = []
    since_total = above = Decimal("0")
    rows_since = rows_above = 0
    for line, amount, payment in candidates:
        segment, count = segments.get(int(line), (Decimal("0"), 0))
        since_total, above = since_total + segment, above + segment
        rows_since, rows_above = rows_since + count, rows_above + count
        if (rows_since and amount == since_total) or (rows_above and amount == above):
            totals.append(int(line))
            since_total, rows_since = Decimal("0"), 0
        elif payment:
            since_total, above = since_total + amount, above + amount
            rows_since, rows_above = rows_since + 1, rows_above + 1
    return totals


def names_sql(staged: str) -> str:
    """Supplier keys are worked out once per distinct name, not once per row (a file repeats its suppliers)."""
    normalised = normalise_name_sql("supplier_name")
    return f"""
CREATE OR REPLACE TEMP TABLE names AS
SELECT supplier_name,
    CASE WHEN {is_redacted_normalised_sql("normalised")} OR normalised = '' THEN NULL
        ELSE normalised END AS supplier_key,
    {is_redacted_normalised_sql("normalised")} AS redacted
FROM (
    SELECT supplier_name, {normalised} AS normalised
    FROM (SELECT DISTINCT supplier_name FROM {staged} WHERE reason IS NULL AND supplier_name IS NOT NULL)
)
"""


def duplicates_sql(staged: str, prior: str) -> str:
    """The lines of rows an earlier import of the organisation already holds (same reference, amount and date).

    A file may list one reference several times (split lines), so occurrences are matched by count:
    the n-th row of a key in this file is a duplicate if earlier imports hold at least n rows of it."""
    return f"""
CREATE OR REPLACE TEMP TABLE duplicates AS
SELECT line FROM (
    SELECT s.line, p.n, row_number() OVER (
        PARTITION BY s.transaction_ref, s.amount, s.payment_date ORDER BY s.line) AS occurrence
    FROM {staged} s
    JOIN (
        SELECT transaction_ref, amount, payment_date, count(*) AS n
        FROM {prior}
        WHERE transaction_ref IS NOT NULL
        GROUP BY ALL
    ) p USING (transaction_ref, amount, payment_date)
    WHERE s.reason IS NULL
) WHERE occurrence <= n
"""


def _parquet_columns_sql(import_id: int) -> str:
    return f"""
    CAST({import_id} AS BIGINT) AS import_id, CAST(line AS BIGINT) AS line, payment_date, amount, supplier_name,
    supplier_key, coalesce(redacted, false) AS redacted, {", ".join(TEXT_FIELDS)}, irrecoverable_vat"""


# LZ4 rather than Zstandard: the dashboard reads it faster (files about 1.8 times larger), and it is no
# slower to write.
PAYMENTS_PARQUET = "FORMAT parquet, COMPRESSION lz4"
# Rows per row group of a file staged in memory: half DuckDB's default, so that a file of a few hundred
# thousand rows is written (and read by the dashboard) by more than one thread.
SMALL_FILE_ROW_GROUP = 61_440
STAGED_PARQUET = "FORMAT parquet, COMPRESSION lz4"
# A CSV up to this size has its checked rows kept in a DuckDB temporary table rather than written to a
# Parquet file and read back (about a third less work for the read pass). They take about 0.9 times the
# CSV's size in memory: at most about 230 MB, under a quarter of the default memory limit (1 GB). A
# larger file streams through Parquet, so memory stays bounded however large it is.
STAGE_IN_MEMORY_BYTES = 256 * 1024 * 1024


def import_run(
    *,
    csv_path: Path,
    sniffed: Sniffed,
    positions: dict[str, int],
    import_id: int,
    parquet_path: Path,
    rejects_path: Path,
    prior_paths: list[str],
    progress: Callable[[int, str], None],
    work: Path,
    expected: Expected,
    written: Callable[[duck.Connection], None] | None = None,
) -> Outcome:
    """Check every row of `csv_path` and write the accepted ones to `parquet_path`, the rejected to `rejects_path`.

    The CSV is read once into the checked rows: a temporary table for a file of up to
    STAGE_IN_MEMORY_BYTES, else a Parquet file in `work` (streamed: nothing held in memory). The lines,
    total rows, supplier keys, duplicates and the two output files are worked out from them.
    The rows must add up to `expected` (the records counted apart from the reader): read = imported +
    rejected + duplicates + blank, or `ReconcileError` is raised and the caller stores nothing.
    `written`, if given, is called with the open connection once the payments file is written (the
    supplier registry reads it there, rather than opening another connection)."""
    staged_path = work / "staged.parquet"
    in_memory = csv_path.stat().st_size <= STAGE_IN_MEMORY_BYTES
    # The checked rows are stored in the file's order (in parallel: DuckDB keeps the order of the
    # batches it reads), so a row's position among them (its rowid, or its row number in the staged
    # file) gives its line. Rows found to be totals once all are read get their reason here.
    first_line = sniffed.header_line + 1
    base = (
        f"(SELECT rowid + {first_line} AS line, * FROM staged_rows)"
        if in_memory
        else f"(SELECT file_row_number + {first_line} AS line, * EXCLUDE (file_row_number) "
        f"FROM read_parquet({duck.sql_string(str(staged_path))}, file_row_number = true))"
    )
    staged = (
        f"(SELECT * REPLACE (CASE WHEN line IN (SELECT line FROM total_lines) THEN '{TOTAL_BY_SUM}' "
        f"ELSE reason END AS reason) FROM {base})"
    )
    connection = duck.connect(ordered=True)
    try:
        connection.execute(MACROS)
        progress(20, "Reading and checking every row")
        parallel = not sniffed.quoted_newlines

        def stage(parallel: bool) -> None:
            buffer_bytes = SMALL_FILE_BUFFER_BYTES if in_memory else None
            query = checked_sql(
                read_csv_sql(csv_path, sniffed, parallel=parallel, buffer_bytes=buffer_bytes), sniffed, positions
            )
            if in_memory:
                connection.execute(f"CREATE OR REPLACE TEMP TABLE staged_rows AS {query}")
            else:
                connection.execute(f"COPY ({query}) TO {duck.sql_string(str(staged_path))} ({STAGED_PARQUET})")

        try:
            try:
                stage(parallel)
            except Exception as error:
                # DuckDB's parallel reader refuses quoted line breaks in padded rows; read it in one thread.
                if not parallel or "parallel" not in str(error):
                    raise
                stage(False)
        except Exception as error:
            too_long = _line_too_long(error)
            if too_long is not None:
                raise too_long from None
            raise
        # Nothing after this needs the order kept (the rejected rows are sorted by line).
        connection.execute("SET preserve_insertion_order = false")
        (parsed,) = connection.execute(f"SELECT count(*) FROM {base}").fetchall()[0]
        if parsed + expected.empty != expected.records:
            raise ReconcileError(
                f"the file has {expected.records - expected.empty} rows after the header, but "
                f"{parsed} were read: the CSV reader and the count of the file’s lines disagree, so nothing was "
                "imported rather than an import with rows missing. A quote that is never closed, or a line "
                "break inside a value that is not quoted, causes this."
            )
        connection.execute("CREATE OR REPLACE TEMP TABLE total_lines (line BIGINT)")
        totals = totals_resolve(connection, base)
        if totals:
            connection.executemany("INSERT INTO total_lines VALUES (?)", [(line,) for line in totals])
        duplicates = "(SELECT CAST(NULL AS BIGINT) AS line WHERE false)"
        if prior_paths:
            progress(55, "Looking for payments already imported")
            connection.execute(duplicates_sql(staged, duck.parquet_source(connection, prior_paths)))
            duplicates = "duplicates"
        connection.execute(names_sql(staged))
        progress(65, "Writing the payments")
        accepted = (
            f"{staged} LEFT JOIN names USING (supplier_name) "
            f"WHERE reason IS NULL AND line NOT IN (SELECT line FROM {duplicates})"
        )
        connection.execute(
            f"COPY (SELECT {_parquet_columns_sql(import_id)} FROM {accepted}) "
            f"TO {duck.sql_string(str(parquet_path))} ({PAYMENTS_PARQUET}"
            + (f", ROW_GROUP_SIZE {SMALL_FILE_ROW_GROUP})" if in_memory else ")")
        )
        pause_point("parquet")  # the kill tests stop here: the payments' Parquet is written, nothing recorded
        if written is not None:
            written(connection)
        progress(80, "Writing the rejected rows")
        connection.execute(
            f"COPY (SELECT CAST(line AS BIGINT) AS line, reason, raw FROM {staged} "
            f"WHERE reason IS NOT NULL AND reason <> '{BLANK}' "
            f"ORDER BY line) TO {duck.sql_string(str(rejects_path))} (FORMAT parquet, COMPRESSION zstd)"
        )
        row = connection.execute(
            f"""
            SELECT count(*),
                (SELECT count(*) FROM read_parquet({duck.sql_string(str(rejects_path))})),
                (SELECT count(*) FROM {duplicates}),
                (SELECT count(*) FROM {base} WHERE reason = '{BLANK}'),
                count(*) FILTER (WHERE redacted), coalesce(sum(amount), 0), min(payment_date), max(payment_date)
            FROM read_parquet({duck.sql_string(str(parquet_path))})
            """
        ).fetchone()
    finally:
        connection.close()
        staged_path.unlink(missing_ok=True)
    assert row is not None
    outcome = Outcome(
        rows_read=expected.records,
        rows_imported=int(row[0]),
        rows_rejected=int(row[1]),
        rows_duplicate=int(row[2]),
        rows_blank=int(row[3]) + expected.empty,
        rows_redacted=int(row[4]),
        total_amount=Decimal(row[5]).quantize(Decimal("0.01")),
        first_payment_date=row[6],
        last_payment_date=row[7],
    )
    accounted = outcome.rows_imported + outcome.rows_rejected + outcome.rows_duplicate + outcome.rows_blank
    if accounted != outcome.rows_read:
        raise ReconcileError(
            f"the file has {outcome.rows_read} rows after the header, but {outcome.rows_imported} imported, "
            f"{outcome.rows_rejected} rejected, {outcome.rows_duplicate} duplicates and {outcome.rows_blank} blank "
            f"make {accounted}: nothing was imported."
        )
    return outcome


def rejects_read(relative: str, *, limit: int | None = None) -> list[tuple[int, str, str]]:
    """(line, reason, raw) of an import's rejected rows, in line order (`relative`: its stored rejects file)."""
    connection = duck.connect()
    try:
        limit_sql = f" LIMIT {int(limit)}" if limit is not None else ""
        source = duck.parquet_source(connection, [relative])
        rows = connection.execute(f"SELECT line, reason, raw FROM {source} ORDER BY line{limit_sql}").fetchall()
    finally:
        connection.close()
    return [(int(line), str(reason), str(raw or "")) for line, reason, raw in rows]
