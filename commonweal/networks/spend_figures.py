"""The network's spend shares in one DuckDB query across every covered member's payments.

Each member's imports are Parquet files (`spend/duck.py` finds them); each member classifies its own
suppliers (local is local to that member), so the classification joins on the member and the supplier
key. One query reads every file once and sums, by member and quarter: all spend, and spend with local
suppliers, SMEs, VCSEs, and local suppliers in districts of IMD deciles 1 and 2. Grants and the members'
not-influenceable rules are not applied here: a network share is of all the spend a member published.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from commonweal.spend import duck
from commonweal.spend.models import ImportStatus, SpendImport
from commonweal.spend.selectors_suppliers import classification_rows
from commonweal.tenancy.models import Organisation

from .rules import Quarter, money

SHARE_COLUMNS = ("local", "sme", "vcse", "deprived")


@dataclass(frozen=True)
class MemberSpend:
    organisation_id: int
    quarter: str
    total: Decimal
    local: Decimal
    sme: Decimal
    vcse: Decimal
    deprived: Decimal

    def amount(self, share: str) -> Decimal:
        value: Decimal = getattr(self, share)
        return value


def member_files(organisations: list[Organisation]) -> dict[int, list[str]]:
    """Each organisation's stored Parquet files, by organisation id (those with none are left out)."""
    files: dict[int, list[str]] = {}
    rows = (
        SpendImport.objects.filter(organisation__in=organisations, status=ImportStatus.SUCCEEDED)
        .exclude(parquet_path="")
        .order_by("pk")
        .values_list("organisation_id", "parquet_path")
    )
    for organisation_id, relative in rows:
        files.setdefault(organisation_id, []).append(relative)
    return files


def _classification(organisations: list[Organisation]) -> list[list[Any]]:
    """Columns (member id, supplier key, local, sme, vcse, deprived) of every member's classification."""
    columns: list[list[Any]] = [[], [], [], [], [], []]
    for organisation in organisations:
        seen: set[str] = set()
        for row in classification_rows(organisation=organisation):
            if row.supplier_key in seen:
                continue
            seen.add(row.supplier_key)
            deprived = bool(row.local) and row.imd_decile is not None and row.imd_decile <= 2
            for column, value in zip(
                columns,
                (organisation.pk, row.supplier_key, row.local, row.sme, row.vcse, deprived),
                strict=True,
            ):
                column.append(value)
    return columns


def network_spend_sql(connection: duck.Connection, files: dict[int, list[str]]) -> str:
    """The one scan: every member's files, each read with its member's id (a UNION ALL, so no row carries
    a file name), summed by member, supplier and quarter between $1 and $2 into `network_sums`; only then
    are the sums joined to the members' classification (NETWORK_SHARES_SQL): a few thousand rows join,
    not millions."""
    reads = " UNION ALL ".join(
        f"SELECT {int(member)}::BIGINT AS member, supplier_key, amount, payment_date "  # noqa: S608
        f"FROM {duck.parquet_source(connection, [relative])}"
        for member, relatives in files.items()
        for relative in relatives
    )
    return f"""
        CREATE TEMP TABLE network_sums AS
        SELECT member, supplier_key, year(payment_date) AS y, quarter(payment_date) AS q, sum(amount) AS amount
        FROM ({reads})
        WHERE payment_date BETWEEN $1 AND $2
        GROUP BY ALL
    """  # noqa: S608


# The sums joined to the classification: a few thousand rows.
NETWORK_SHARES_SQL = """
    SELECT k.member, k.y, k.q, sum(k.amount),
           sum(k.amount) FILTER (c.local), sum(k.amount) FILTER (c.sme), sum(k.amount) FILTER (c.vcse),
           sum(k.amount) FILTER (c.deprived)
    FROM network_sums AS k
    LEFT JOIN network_classification AS c ON c.member = k.member AND c.supplier_key = k.supplier_key
    GROUP BY ALL
"""


def network_spend(*, organisations: list[Organisation], start: date, end: date) -> list[MemberSpend]:
    """Every covered member's spend and its shares, by quarter, from `start` to `end`."""
    files = member_files(organisations)
    if not files:
        return []
    connection = duck.connect()
    try:
        # DuckDB sums the payments (without the GIL) while the classification is read from the database:
        # the sums do not need it, so reading it costs no time beside the scan.
        with ThreadPoolExecutor(max_workers=1) as pool:
            scanning = pool.submit(connection.execute, network_spend_sql(connection, files), [start, end])
            classification = _classification([o for o in organisations if o.pk in files])
            scanning.result()
        connection.execute(
            "CREATE TEMP TABLE network_classification AS SELECT unnest($1::BIGINT[]) AS member, "
            "unnest($2::VARCHAR[]) AS supplier_key, unnest($3::BOOLEAN[]) AS local, unnest($4::BOOLEAN[]) AS sme, "
            "unnest($5::BOOLEAN[]) AS vcse, unnest($6::BOOLEAN[]) AS deprived",
            classification,
        )
        rows = connection.execute(NETWORK_SHARES_SQL).fetchall()
    finally:
        connection.close()
    return [
        MemberSpend(
            organisation_id=int(row[0]),
            quarter=str(Quarter(int(row[1]), int(row[2]))),
            total=money(row[3]),
            local=money(row[4]),
            sme=money(row[5]),
            vcse=money(row[6]),
            deprived=money(row[7]),
        )
        for row in rows
    ]
