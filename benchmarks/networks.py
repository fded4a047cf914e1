"""Anchor network benchmark: the network's spend shares over every member's payments against a bare DuckDB
query over the same Parquet files, and the coordinator's dashboard over many commitments, in one run.

    .venv/bin/python benchmarks/networks.py [--members 50] [--rows 1000000] [--commitments 10000]
                                            [--repeat 3] [--seed 2026] [--json [PATH]] [--check]

A throwaway in-memory database holds a network of `--members` public bodies, each with one spend import
whose Parquet file holds `--rows` payments (made by DuckDB straight to Parquet from a seeded expression,
so the same seed gives the same files; they are cached under the work folder) and 500 classified
suppliers (local, SME, VCSE, a district with its IMD decile). It times, best and median of `--repeat`:

- **network spend (Commonweal)**: `networks.spend_figures.network_spend` for a year of payments: reads
  the members' classification from the database and runs the one DuckDB query over every file;
- **bare DuckDB**: the same sums written by hand over the same files (each file read with its member's
  id, summed by member, supplier and quarter, then joined to the classification), with the
  classification already in DuckDB: only the query is timed. Target: Commonweal under 3 s and within
  1.5x of bare DuckDB;
- **dashboard**: the coordinator's dashboard page (Django's test client) of a second network of the same
  members with two delivery metrics and a submitted one, over `--commitments` commitments (ten an
  agreement) with a line on each for four quarters, a fifth of them with a beneficiary reference
  (some shared between members, so the one count has work to do). Target: under 500 ms.

Figures from one run compare; the machine is shared. `--check` exits with status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.budget import database_create, django_setup  # noqa: E402

TARGET_SPEND_SECONDS = 3.0
TARGET_SPEND_OVER_DUCKDB = 1.5
TARGET_DASHBOARD_SECONDS = 0.5
SUPPLIERS_PER_MEMBER = 500
SUPPLIER_NAMES = 600  # payments go to 600 names, 500 of them classified
GENERATOR_VERSION = 1
LONDON = ZoneInfo("Europe/London")
YEAR_START, YEAR_END = date(2026, 1, 1), date(2026, 12, 31)
DISTRICTS = ("E06000002", "E08000009", "E09000001", "E06000001", "E08000003")
BATCH = 5000


@dataclass
class Timing:
    what: str
    runs: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


@dataclass
class Check:
    what: str
    target: str
    actual: str
    passed: bool


# --- The payments ----------------------------------------------------------------------------------


def parquet_files(folder: Path, *, members: int, rows: int, seed: int) -> list[Path]:
    """One Parquet file of `rows` payments a member, made by DuckDB from a seeded expression (cached)."""
    from commonweal.spend import duck
    from commonweal.spend.schema import PARQUET_COLUMNS

    folder = folder / f"v{GENERATOR_VERSION}-{rows}-{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    expressions = {
        "import_id": "m::BIGINT",
        "line": "(i + 2)::BIGINT",
        "payment_date": "DATE '2026-01-01' + (hash(i, m, $seed) % 365)::INTEGER",
        "amount": "(((hash(i, m, $seed + 1) % 2000000)::BIGINT - 100000) / 100.0)::DECIMAL(18,2)",
        "supplier_name": f"'Supplier ' || (hash(i, m, $seed + 2) % {SUPPLIER_NAMES})::VARCHAR",
        "supplier_key": f"'SUPPLIER ' || (hash(i, m, $seed + 2) % {SUPPLIER_NAMES})::VARCHAR",
        "redacted": "false",
    }
    select = ", ".join(f"{expressions.get(name, f'NULL::{kind}')} AS {name}" for name, kind in PARQUET_COLUMNS.items())
    paths = []
    for member in range(members):
        path = folder / f"member-{member:03d}.parquet"
        if not path.exists():
            partial = path.with_suffix(".partial")
            connection = duck.connect(ordered=False)
            try:
                sql = f"COPY (SELECT {select} FROM (SELECT range AS i, {member} AS m FROM range({rows}))) TO "  # noqa: S608
                sql = sql.replace("$seed", str(seed))
                connection.execute(sql + duck.sql_string(str(partial)) + " (FORMAT parquet, COMPRESSION zstd)")
            finally:
                connection.close()
            partial.rename(path)
        paths.append(path)
    return paths


# --- The world -------------------------------------------------------------------------------------


@dataclass
class World:
    members: int
    rows_per_member: int
    commitments: int = 0
    lines: int = 0
    build_seconds: float = 0.0
    generate_seconds: float = 0.0


def world_build(args: argparse.Namespace, spend_dir: Path, log: Callable[[str], None]) -> tuple[World, dict[str, Any]]:
    from commonweal.accounts.services import user_create
    from commonweal.delivery.models import Agreement, Commitment, DeliveryReturn, LineStatus, ReturnLine, ReturnState
    from commonweal.frameworks.models import Measure
    from commonweal.frameworks.services_interchange import framework_load
    from commonweal.networks.models import MembershipState, MetricSubmission, NetworkMembership, Sharing
    from commonweal.networks.services_metrics import metric_create
    from commonweal.spend.models import ImportStatus, Label, SpendImport, Supplier, SupplierLabel
    from commonweal.tenancy.models import Organisation, OrganisationKind, Role
    from commonweal.tenancy.selectors import Member, member_access
    from commonweal.tenancy.services import membership_grant, organisation_create

    world = World(args.members, args.rows)
    started = time.perf_counter()
    paths = parquet_files(spend_dir / "generated", members=args.members, rows=args.rows, seed=args.seed)
    world.generate_seconds = time.perf_counter() - started
    log(f"  {args.members} Parquet files of {args.rows:,} payments ready in {world.generate_seconds:.1f} s")
    started = time.perf_counter()
    members = Organisation.objects.bulk_create(
        Organisation(name=f"Member {n:03d}", slug=f"member-{n:03d}", kind=OrganisationKind.PUBLIC_BODY)
        for n in range(args.members)
    )
    networks = {}
    coordinators = {}
    for key in ("spend", "delivery"):
        networks[key] = organisation_create(
            actor=None, name=f"Benchmark {key} network", slug=f"{key}-network", kind=OrganisationKind.NETWORK
        )
        coordinators[key] = user_create(
            email=f"coordinator@{key}.example", full_name=f"{key} coordinator", password="benchmark-password-1"
        )
        membership_grant(actor=None, organisation=networks[key], user=coordinators[key], role=Role.NETWORK_COORDINATOR)
        now = datetime.now(tz=LONDON)
        NetworkMembership.objects.bulk_create(
            NetworkMembership(
                network=networks[key],
                organisation=member,
                state=MembershipState.ACTIVE,
                sharing=Sharing.DETAIL if n % 3 == 0 else Sharing.AGGREGATES,
                named_in_benchmarks=n % 2 == 0,
                invited_at=now,
                answered_at=now,
            )
            for n, member in enumerate(members)
        )
    spend_coordinator = member_access(user=coordinators["spend"], slug="spend-network")
    metric_create(
        actor=None,
        member=spend_coordinator,
        code="local",
        title="Local spend",
        kind="spend",
        unit="",
        spend_share="local",
    )
    delivery_coordinator = member_access(user=coordinators["delivery"], slug="delivery-network")
    for code, measure in (("young-people", "JOBS.1.2"), ("local-jobs", "JOBS.1.1")):
        metric_create(
            actor=None,
            member=delivery_coordinator,
            code=code,
            title=code,
            kind="delivery",
            unit="people",
            measure_code=measure,
        )
    trained = metric_create(
        actor=None, member=delivery_coordinator, code="trained", title="Staff trained", kind="submitted", unit="people"
    )
    MetricSubmission.objects.bulk_create(
        MetricSubmission(metric=trained, organisation=member, quarter="2026Q3", value=Decimal(10 + n))
        for n, member in enumerate(members)
    )

    # Spend: one succeeded import a member, and its classified suppliers.
    for n, (member, path) in enumerate(zip(members, paths, strict=True)):
        SpendImport.objects.create(
            organisation=member,
            original_name=path.name,
            sha256=f"{n:064d}",
            status=ImportStatus.SUCCEEDED,
            parquet_path=str(path.relative_to(spend_dir)),
            rows_imported=args.rows,
        )
    suppliers = Supplier.objects.bulk_create(
        (
            Supplier(
                organisation=member,
                name=f"Supplier {k}",
                normalised_name=f"SUPPLIER {k}",
                district_code=DISTRICTS[(k + n) % len(DISTRICTS)],
            )
            for n, member in enumerate(members)
            for k in range(SUPPLIERS_PER_MEMBER)
        ),
        batch_size=BATCH,
    )
    SupplierLabel.objects.bulk_create(
        (
            SupplierLabel(
                organisation_id=supplier.organisation_id,
                supplier=supplier,
                label=label,
                value=(index * 7 + number) % modulus == 0,
                source="benchmark",
            )
            for index, supplier in enumerate(suppliers)
            for number, (label, modulus) in enumerate(((Label.LOCAL, 2), (Label.SME, 3), (Label.VCSE, 5)))
        ),
        batch_size=BATCH,
    )

    # Delivery: agreements of ten commitments, a line on each every quarter of 2026.
    lead = user_create(email="lead@member-000.example", full_name="Lead", password="benchmark-password-1")
    membership_grant(actor=None, organisation=members[0], user=lead, role=Role.SOCIAL_VALUE_LEAD)
    version = framework_load(actor=lead, member=Member.system(members[0]))
    measures = list(Measure.objects.filter(version=version).order_by("code"))
    supplier = organisation_create(
        actor=None, name="Benchmark supplier", slug="supplier", kind=OrganisationKind.SUPPLIER
    )
    agreements_count = max(1, args.commitments // 10)
    agreements = Agreement.objects.bulk_create(
        (
            Agreement(
                organisation=members[n % len(members)],
                supplier=supplier,
                reference=f"AGR-{n:05d}",
                title=f"Agreement {n}",
                value=Decimal(100000),
                start_date=date(2026, 1, 1),
                end_date=date(2027, 12, 31),
                framework_version=version,
            )
            for n in range(agreements_count)
        ),
        batch_size=BATCH,
    )
    commitments = Commitment.objects.bulk_create(
        (
            Commitment(
                organisation_id=agreement.organisation_id,
                agreement=agreement,
                measure=measures[(n + c) % len(measures)],
                target_quantity=Decimal(10),
                due_date=date(2027, 12, 31),
            )
            for n, agreement in enumerate(agreements)
            for c in range(10)
        ),
        batch_size=BATCH,
    )
    world.commitments = len(commitments)
    returns = DeliveryReturn.objects.bulk_create(
        (
            DeliveryReturn(
                organisation_id=agreement.organisation_id,
                agreement=agreement,
                state=ReturnState.SUBMITTED,
                submitted_by=lead,
                submitted_at=datetime(2026, 3 * q - 1, 15, 10, tzinfo=LONDON),
                narrative="This quarter.",
            )
            for agreement in agreements
            for q in range(1, 5)
        ),
        batch_size=BATCH,
    )
    by_agreement: dict[int, list[Any]] = {}
    for delivery_return in returns:
        by_agreement.setdefault(delivery_return.agreement_id, []).append(delivery_return)
    lines = []
    for index, commitment in enumerate(commitments):
        for q, delivery_return in enumerate(by_agreement[commitment.agreement_id]):
            number = index * 4 + q
            lines.append(
                ReturnLine(
                    organisation_id=commitment.organisation_id,
                    delivery_return=delivery_return,
                    commitment=commitment,
                    quantity=Decimal(1 + number % 5),
                    status=LineStatus.VERIFIED if number % 4 else LineStatus.PENDING,
                    beneficiary_reference=f"B{(number * 7) % (len(commitments) * 2)}" if number % 5 == 0 else "",
                )
            )
    ReturnLine.objects.bulk_create(lines, batch_size=BATCH)
    world.lines = len(lines)
    world.build_seconds = time.perf_counter() - started
    return world, {"members": members, "paths": paths, "networks": networks, "coordinators": coordinators}


# --- Timing ----------------------------------------------------------------------------------------


def bare_duckdb(paths: list[Path], members: list[Any]) -> Callable[[], list[tuple[Any, ...]]]:
    """The same sums by hand over the same files; the classification is loaded first, outside the timing."""
    from commonweal.networks.spend_figures import _classification
    from commonweal.spend import duck

    connection = duck.connect()
    connection.execute(
        "CREATE TABLE c AS SELECT unnest($1::BIGINT[]) AS member, unnest($2::VARCHAR[]) AS supplier_key, "
        "unnest($3::BOOLEAN[]) AS local, unnest($4::BOOLEAN[]) AS sme, unnest($5::BOOLEAN[]) AS vcse, "
        "unnest($6::BOOLEAN[]) AS deprived",
        _classification(members),
    )
    reads = " UNION ALL ".join(
        f"SELECT {member.pk} AS member, supplier_key, amount, payment_date FROM read_parquet('{path}')"  # noqa: S608
        for member, path in zip(members, paths, strict=True)
    )
    sql = f"""
        WITH k AS (
            SELECT member, supplier_key, year(payment_date) AS y, quarter(payment_date) AS q, sum(amount) AS amount
            FROM ({reads}) WHERE payment_date BETWEEN $1 AND $2 GROUP BY ALL
        )
        SELECT k.member, y, q, sum(amount), sum(amount) FILTER (c.local), sum(amount) FILTER (c.sme),
               sum(amount) FILTER (c.vcse), sum(amount) FILTER (c.deprived)
        FROM k LEFT JOIN c ON c.member = k.member AND c.supplier_key = k.supplier_key
        GROUP BY ALL
    """  # noqa: S608

    def run() -> list[tuple[Any, ...]]:
        return connection.execute(sql, [YEAR_START, YEAR_END]).fetchall()

    return run


def timed(what: str, repeat: int, run: Callable[[], Any]) -> tuple[Timing, Any]:
    timing = Timing(what)
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        timing.runs.append(time.perf_counter() - started)
    return timing, result


def dashboard_client(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    client = Client()
    client.force_login(user)
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Benchmark sign-in")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def time_all(world: World, built: dict[str, Any], repeat: int, log: Callable[[str], None]) -> list[Timing]:
    from django.urls import reverse

    from commonweal.networks.spend_figures import network_spend

    members = built["members"]
    log("Timing the network's spend shares (Commonweal) and the bare DuckDB query, taking turns")
    bare = bare_duckdb(built["paths"], members)
    bare(), network_spend(organisations=members, start=YEAR_START, end=YEAR_END)  # warm the file cache
    spend = Timing("network spend shares (Commonweal)")
    duck = Timing("bare DuckDB query, same files")
    for _ in range(repeat):
        for timing, run in (
            (spend, lambda: network_spend(organisations=members, start=YEAR_START, end=YEAR_END)),
            (duck, bare),
        ):
            started = time.perf_counter()
            run()
            timing.runs.append(time.perf_counter() - started)
    log("Timing the coordinator's dashboard")
    client = dashboard_client(built["coordinators"]["delivery"])
    url = reverse("networks:dashboard", kwargs={"org": built["networks"]["delivery"].slug})

    def page() -> Any:
        response = client.get(url, {"quarter": "2026Q3"})
        assert response.status_code == 200, response.status_code
        return response

    page()
    dashboard, _ = timed(f"dashboard page, {world.commitments:,} commitments", repeat, page)
    return [spend, duck, dashboard]


def checks_for(timings: list[Timing]) -> list[Check]:
    spend, duck, dashboard = timings
    ratio = spend.median / duck.median
    return [
        Check(
            "network spend shares",
            f"under {TARGET_SPEND_SECONDS:.1f} s",
            f"{spend.median:.2f} s",
            spend.median < TARGET_SPEND_SECONDS,
        ),
        Check(
            "network spend over bare DuckDB",
            f"at most {TARGET_SPEND_OVER_DUCKDB}x",
            f"{ratio:.2f}x",
            ratio <= TARGET_SPEND_OVER_DUCKDB,
        ),
        Check(
            "dashboard page",
            f"under {TARGET_DASHBOARD_SECONDS * 1000:.0f} ms",
            f"{dashboard.median * 1000:.0f} ms",
            dashboard.median < TARGET_DASHBOARD_SECONDS,
        ),
    ]


def table(world: World, timings: list[Timing], checks: list[Check], info: dict[str, Any]) -> str:
    out = [
        f"Network of {world.members} members, {world.rows_per_member:,} payments each "
        f"({world.members * world.rows_per_member:,} in all); {world.commitments:,} commitments, {world.lines:,} lines",
        f"Machine: {info['cpus']} CPUs, Python {info['python']}; load average {info['load_average']}",
        "",
        f"{'what':48} {'best':>10} {'median':>10}",
    ]
    for timing in timings:
        out.append(f"{timing.what:48} {timing.best * 1000:>8.0f} ms {timing.median * 1000:>7.0f} ms")
    out.append("")
    for check in checks:
        out.append(f"{'PASS' if check.passed else 'MISS'}  {check.what}: {check.actual} (target {check.target})")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50, help="members of the network (50)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="payments of each member (1,000,000)")
    parser.add_argument("--commitments", type=int, default=10_000, help="commitments across the members (10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each measurement (3)")
    parser.add_argument("--seed", type=int, default=2026, help="the generator's seed (2026)")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var" / "benchmarks" / "networks")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH", help="write the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if min(args.members, args.rows, args.commitments, args.repeat) < 1:
        parser.error("--members, --rows, --commitments and --repeat must be at least 1.")

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    load_before = os.getloadavg()[0]
    work: Path = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    django_setup(None, work)
    from django.conf import settings

    spend_dir = work / "spend"
    settings.SPEND_DATA_DIR = spend_dir
    drop, database = database_create()
    try:
        log(f"Building a network of {args.members} members")
        world, built = world_build(args, spend_dir, log)
        log(f"  built in {world.build_seconds:.1f} s")
        timings = time_all(world, built, args.repeat, log)
    finally:
        drop()
    checks = checks_for(timings)
    info = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "database": database,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    record = {
        "machine": info,
        "world": asdict(world),
        "timings": [{**asdict(t), "best": t.best, "median": t.median} for t in timings],
        "checks": [asdict(check) for check in checks],
    }
    if args.json == "-":
        print(json.dumps(record, indent=2, default=str))
    else:
        print(table(world, timings, checks, info))
        if args.json:
            Path(args.json).write_text(json.dumps(record, indent=2, default=str) + "\n")
    return 1 if args.check and any(not check.passed for check in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
