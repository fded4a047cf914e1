"""Social value budget benchmark: a year's figures, the budget page and the annual report PDF for a large
council, side by side with a small one, in one run.

    .venv/bin/python benchmarks/budget.py [--agreements 2000] [--baseline 200] [--repeat 5] [--json [PATH]]

Two councils are built in one throwaway database (an in-memory SQLite database by default;
`--database-url postgres://…/NAME` builds a throwaway PostgreSQL database NAME_benchmark beside NAME): the
**baseline** (200 agreements by default) and the **large** council (2,000 agreements: 20,000 commitments,
200,000 return lines), made with `bulk_create` in the same shape, so the large one is exactly ten times
the baseline. Each agreement has 10 commitments across the starter framework's six measures (four valued
by the value set, two not), 10 quarterly returns with a line for each commitment (half verified, a quarter
awaiting verification, a tenth rejected, a tenth queried; 1 in 30 returns still a draft; two thirds of the
returns with an evidence file on every line), and belongs to one of 8 departments or none. 1 in 10 is a
call-off (its targets pro-rated), 1 in 50 commitments substituted. Each council also has procurements due
to award in the year, and budget lines for every department and measure in 2024/25 and 2025/26.

Then, the two councils taking turns `--repeat` times, it times (best and median of the runs):

- `budget_compute(organisation=…, year=2025/26, shares=True)`, the figures behind the page and the report
  (`budget_get` of an open year), and counts its queries: the count must be the same for both councils;
- the budget page `reporting:budget` through Django's test client, signed in as the social value lead
  (target under 500 ms), when the page exists;
- the annual report PDF: a draft's preview (`reporting:report-preview-pdf`, made on every request), a
  published version's made once (`services_report.version_pdf_store`, the worker's job on publishing) and
  its download (`reporting:version-pdf`, the stored file: the target, under 10 s).

Each figure is printed beside the baseline's and as a ratio to it: the machine is shared and noisy, so
only figures from the same run compare. `--check` exits with status 1 when a target is missed.
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
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025  # the year timed: 2025/26, with 2024/25 as its baseline
TARGET_PAGE_SECONDS = 0.5
TARGET_PDF_SECONDS = 10.0
COMMITMENTS_PER_AGREEMENT = 10
RETURNS_PER_AGREEMENT = 10  # one per quarter: 10 lines each, so 100 lines per agreement
DEPARTMENTS = 8
PLACES = ("E08000009", "E05000824", "E05000829", "E08000003", "")
GROUPS = ("Care leavers", "Young people not in work or education", "Disabled people seeking work", "")
# Starter measures with a value in the benchmark's value set (JOBS.2.1 and ENV.1.1 have none).
VALUES = {"JOBS.1.1": "14000", "JOBS.1.2": "300", "ECON.1.1": "1", "COMM.1.1": "25"}
TARGETS = {"JOBS.1.1": 4, "JOBS.1.2": 60, "JOBS.2.1": 10, "ECON.1.1": 80000, "COMM.1.1": 200, "ENV.1.1": 12}
LONDON = ZoneInfo("Europe/London")
BATCH = 5000


# --- Setting up Django over a throwaway database ---------------------------------------------------


def django_setup(database_url: str | None, work: Path) -> None:
    # The test settings: static files served from the apps (no collectstatic), tasks run at once.
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DEBUG"] = "0"
    os.environ["COMMONWEAL_VAR_DIR"] = str(work)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{work / 'unused.sqlite3'}"  # replaced by an in-memory test db
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def database_create() -> tuple[Callable[[], None], str]:
    """A throwaway database with the schema built from the models (as the tests do, without migrations):
    in memory for SQLite, NAME_benchmark for PostgreSQL. Returns how to drop it, and what it is."""
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"].setdefault("TEST", {})
    if connection.vendor != "sqlite":
        settings.DATABASES["default"]["TEST"]["NAME"] = f"{settings.DATABASES['default']['NAME']}_benchmark"

    class DisableMigrations:
        def __contains__(self, item: str) -> bool:
            return True

        def __getitem__(self, item: str) -> None:
            return None

    settings.MIGRATION_MODULES = DisableMigrations()
    original = settings.DATABASES["default"]["NAME"]
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)

    def drop() -> None:
        connection.creation.destroy_test_db(original, verbosity=0)

    return drop, f"{connection.vendor} ({name})"


# --- The councils ----------------------------------------------------------------------------------


@dataclass
class World:
    label: str
    slug: str
    agreements: int
    commitments: int = 0
    lines: int = 0
    build_seconds: float = 0.0


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def _quarter(start: date, k: int) -> tuple[date, date]:
    """The k-th quarter from `start` (a first of a month)."""
    month = start.month - 1 + 3 * k
    first = date(start.year + month // 12, month % 12 + 1, 1)
    month += 3
    after = date(start.year + month // 12, month % 12 + 1, 1)
    return first, after - timedelta(days=1)


def world_build(label: str, slug: str, agreements: int) -> World:
    """A public body with `agreements` agreements and everything under them, written with bulk_create."""
    from commonweal.accounts.services import user_create
    from commonweal.delivery.models import (
        Agreement,
        AgreementKind,
        Commitment,
        CommitmentState,
        DeliveryReturn,
        Evidence,
        LineStatus,
        ReportingPeriod,
        ReturnLine,
        ReturnState,
    )
    from commonweal.frameworks.models import Measure
    from commonweal.frameworks.services_interchange import framework_load
    from commonweal.frameworks.services_value_sets import value_set_create, value_set_entry_set
    from commonweal.procurement.models import Procurement, ProcurementState
    from commonweal.reporting.models import BudgetLine, FinancialYear, MoneyBasis
    from commonweal.tenancy.models import Department, Organisation, OrganisationKind, Role
    from commonweal.tenancy.selectors import Member
    from commonweal.tenancy.services import membership_grant, organisation_create

    started = time.perf_counter()
    world = World(label, slug, agreements)
    council = organisation_create(actor=None, name=f"{label} Council", slug=slug, kind=OrganisationKind.PUBLIC_BODY)
    lead = user_create(email=f"lead@{slug}.example", full_name=f"{label} lead", password="benchmark-password-1")
    membership_grant(actor=None, organisation=council, user=lead, role=Role.SOCIAL_VALUE_LEAD)
    system = Member.system(council)
    version = framework_load(actor=lead, member=system)
    measures = list(Measure.objects.filter(version=version).order_by("code"))
    value_set = value_set_create(
        actor=lead,
        member=system,
        code=f"{slug}-values",
        title=f"{label} values",
        source="Benchmark figures",
        licence="None needed",
        base_year=2025,
        valid_from=date(2024, 4, 1),
    )
    for code, value in VALUES.items():
        value_set_entry_set(
            actor=lead,
            member=system,
            value_set=value_set,
            measure_code=code,
            value_per_unit=Decimal(value),
            source="Benchmark",
            base_year=2025,
            deadweight=Decimal("0.2"),
            attribution=Decimal("0.1"),
        )
    suppliers = Organisation.objects.bulk_create(
        Organisation(name=f"{label} supplier {n}", slug=f"{slug}-supplier-{n}", kind=OrganisationKind.SUPPLIER)
        for n in range(max(5, agreements // 20))
    )
    departments = Department.objects.bulk_create(
        Department(organisation=council, name=f"Department {n + 1}") for n in range(DEPARTMENTS)
    )
    years = {
        start: FinancialYear.objects.create(organisation=council, start_year=start, value_set=value_set)
        for start in (YEAR - 1, YEAR)
    }
    BudgetLine.objects.bulk_create(
        BudgetLine(
            organisation=council,
            year=year,
            department=department,
            measure=measure,
            **(
                {
                    "target_amount": Decimal(50000 * (n + 1)),
                    "amount_basis": MoneyBasis.NET if n % 2 else MoneyBasis.GROSS,
                    "value_set": value_set,
                }
                if measure.code in VALUES and n % 3 == 0
                else {"target_quantity": Decimal(TARGETS[measure.code] * agreements // 20)}
            ),
        )
        for year in years.values()
        for n, department in enumerate(departments)
        for measure in measures
    )
    outcomes = sorted({measure.code.rsplit(".", 1)[0] for measure in measures})
    Procurement.objects.bulk_create(
        Procurement(
            organisation=council,
            reference=f"{slug.upper()}-P{n:04d}",
            title=f"Procurement {n}",
            estimated_value=Decimal(100000 + 1000 * n),
            category="services",
            duration_months=24,
            department=departments[n % DEPARTMENTS] if n % 5 else None,
            framework_version=version,
            value_set=value_set,
            state=ProcurementState.PUBLISHED,
            award_at=_at(date(YEAR, 4, 1) + timedelta(days=(7 * n) % 360)),
            ask={"adjusted": {"outcomes": [{"code": outcomes[n % len(outcomes)]}]}},
        )
        for n in range(max(2, agreements // 50))
    )

    agreement_rows = []
    for n in range(agreements):
        start, _ = _quarter(date(YEAR - 1, 4, 1), n % 4)  # starts in 2024/25, runs 10 quarters
        _, end = _quarter(start, RETURNS_PER_AGREEMENT - 1)
        worth = Decimal(50000 + 977 * (n % 400))
        call_off = n % 10 == 0
        agreement_rows.append(
            Agreement(
                organisation=council,
                supplier=suppliers[n % len(suppliers)],
                reference=f"{slug.upper()}-{n:05d}",
                title=f"Agreement {n}",
                value=worth,
                start_date=start,
                end_date=end,
                framework_version=version,
                kind=AgreementKind.CALL_OFF if call_off else AgreementKind.CONTRACT,
                called_off_value=(worth * Decimal("0.6")).quantize(Decimal("0.01")) if call_off else None,
                department=departments[n % DEPARTMENTS] if n % (DEPARTMENTS + 1) else None,
                value_set=value_set,
            )
        )
    agreement_list = Agreement.objects.bulk_create(agreement_rows, batch_size=BATCH)

    periods, commitments = [], []
    for n, agreement in enumerate(agreement_list):
        for k in range(RETURNS_PER_AGREEMENT):
            first, last = _quarter(agreement.start_date, k)
            periods.append(
                ReportingPeriod(
                    organisation=council,
                    agreement=agreement,
                    label=f"Quarter {k + 1}",
                    start_date=first,
                    end_date=last,
                    return_due_date=last + timedelta(days=14),
                )
            )
        for c in range(COMMITMENTS_PER_AGREEMENT):
            measure = measures[(n + c) % len(measures)]
            _, due = _quarter(agreement.start_date, c)  # due at the end of one of its quarters
            commitments.append(
                Commitment(
                    organisation=council,
                    agreement=agreement,
                    measure=measure,
                    target_quantity=Decimal(TARGETS[measure.code]),
                    due_date=due,
                    place_code=PLACES[(n + c) % len(PLACES)],
                    beneficiary_group=GROUPS[(n * 3 + c) % len(GROUPS)],
                    state=CommitmentState.SUBSTITUTED
                    if (n * COMMITMENTS_PER_AGREEMENT + c) % 50 == 7
                    else CommitmentState.ACTIVE,
                )
            )
    period_list = ReportingPeriod.objects.bulk_create(periods, batch_size=BATCH)
    commitment_list = Commitment.objects.bulk_create(commitments, batch_size=BATCH)
    world.commitments = len(commitment_list)

    returns = []
    for p, period in enumerate(period_list):
        draft = p % 30 == 29
        returns.append(
            DeliveryReturn(
                organisation=council,
                agreement_id=period.agreement_id,
                period=period,
                state=ReturnState.DRAFT if draft else ReturnState.SUBMITTED,
                submitted_by=lead,
                submitted_at=None if draft else _at(period.end_date + timedelta(days=10)),
                narrative="What we delivered this quarter.",
            )
        )
    return_list = DeliveryReturn.objects.bulk_create(returns, batch_size=BATCH)
    evidence_list = Evidence.objects.bulk_create(
        (
            Evidence(
                organisation=council,
                delivery_return=delivery_return,
                file=f"evidence/benchmark/{delivery_return.pk}.pdf",
                original_name="report.pdf",
                content_type="application/pdf",
                size=1000,
                uploaded_by=lead,
            )
            for r, delivery_return in enumerate(return_list)
            if r % 3 != 2
        ),
        batch_size=BATCH,
    )
    evidence_of = {evidence.delivery_return_id: evidence.pk for evidence in evidence_list}

    statuses = [LineStatus.VERIFIED] * 10 + [LineStatus.PENDING] * 5 + [LineStatus.REJECTED] * 2
    statuses += [LineStatus.QUERIED] * 2 + [LineStatus.VERIFIED]
    lines = []
    for r, delivery_return in enumerate(return_list):
        a = r // RETURNS_PER_AGREEMENT
        submitted = delivery_return.state == ReturnState.SUBMITTED
        for c in range(COMMITMENTS_PER_AGREEMENT):
            commitment = commitment_list[a * COMMITMENTS_PER_AGREEMENT + c]
            status = statuses[(r * 7 + c) % len(statuses)] if submitted else LineStatus.PENDING
            reviewed = status != LineStatus.PENDING
            lines.append(
                ReturnLine(
                    organisation=council,
                    delivery_return=delivery_return,
                    commitment=commitment,
                    quantity=(
                        commitment.target_quantity / RETURNS_PER_AGREEMENT * Decimal(1 + (r + c) % 3) / 2
                    ).quantize(Decimal("0.01")),
                    status=status,
                    reason="Not in the area." if status in (LineStatus.REJECTED, LineStatus.QUERIED) else "",
                    reviewed_by=lead if reviewed else None,
                    reviewed_at=delivery_return.submitted_at + timedelta(days=5)
                    if reviewed and delivery_return.submitted_at
                    else None,
                )
            )
    line_list = ReturnLine.objects.bulk_create(lines, batch_size=BATCH)
    world.lines = len(line_list)
    through = ReturnLine.evidence.through
    through._default_manager.bulk_create(
        (
            through(returnline_id=line.pk, evidence_id=evidence_of[line.delivery_return_id])
            for line in line_list
            if line.delivery_return_id in evidence_of
        ),
        batch_size=BATCH,
    )
    world.build_seconds = time.perf_counter() - started
    return world


# --- Timing ----------------------------------------------------------------------------------------


@dataclass
class Timing:
    what: str
    world: str
    runs: list[float] = field(default_factory=list)
    queries: int | None = None

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def _compute(world: World) -> Callable[[], Any]:
    from commonweal.reporting.models import FinancialYear
    from commonweal.reporting.selectors_budget import budget_compute
    from commonweal.tenancy.models import Organisation

    organisation = Organisation.objects.get(slug=world.slug)
    year = FinancialYear.objects.get(organisation=organisation, start_year=YEAR)

    def run() -> Any:
        return budget_compute(organisation=organisation, year=year, shares=True, as_at=date(YEAR + 1, 3, 31))

    return run


def _get(world: World, url_name: str, **kwargs: Any) -> Callable[[], Any] | None:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from commonweal.accounts.models import User

    try:
        url = reverse(url_name, kwargs={"org": world.slug, **kwargs})
    except NoReverseMatch:
        return None
    client = Client()
    lead = User.objects.get(email=f"lead@{world.slug}.example")
    client.force_login(lead)
    # The lead has finished signing in, two-factor step included (the pages measured come after it).
    device, _ = StaticDevice.objects.get_or_create(user=lead, name="Benchmark sign-in")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    def run() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return b"".join(response) if response.streaming else response.content

    return run


def _draft_report(world: World) -> Any:
    """The year's draft impact report, made the first time it is asked for."""
    from commonweal.accounts.models import User
    from commonweal.reporting.models import FinancialYear, ImpactReport

    year = FinancialYear.objects.get(organisation__slug=world.slug, start_year=YEAR)
    report, _ = ImpactReport.objects.get_or_create(
        organisation=year.organisation,
        year=year,
        defaults={
            "title": f"Social value report {year.label}",
            "summary": "What our spending achieved.",
            "created_by": User.objects.get(email=f"lead@{world.slug}.example"),
        },
    )
    return report


def _report_pdf(world: World) -> Callable[[], Any] | None:
    """The draft annual report's PDF for the year (the preview: made on every request)."""
    return _get(world, "reporting:report-preview-pdf", pk=_draft_report(world).pk)


def _published_version(world: World) -> Any:
    """A published version of the year's report, published directly (as signing off would) the first time."""
    from django.utils import timezone

    from commonweal.accounts.models import User
    from commonweal.reporting.models import ReportVersion
    from commonweal.reporting.selectors_report import report_content
    from commonweal.tenancy.selectors import Member

    report = _draft_report(world)
    version = ReportVersion.objects.filter(report=report).first()
    if version is None:
        lead = User.objects.get(email=f"lead@{world.slug}.example")
        version = ReportVersion.objects.create(
            organisation=report.organisation,
            report=report,
            number=1,
            snapshot=report_content(member=Member.system(report.organisation), report=report).as_dict(),
            published_by=lead,
            signed_off_by=lead,
            published_at=timezone.now(),
        )
    return version


def _published_pdf_made(world: World) -> Callable[[], Any] | None:
    """Making a published version's PDF, as the worker does once when the version is published."""
    from commonweal.reporting.models import ReportVersion
    from commonweal.reporting.services_report import version_pdf_store
    from commonweal.tenancy.selectors import Member

    version = _published_version(world)
    member = Member.system(version.organisation)

    def run() -> Any:
        ReportVersion.objects.filter(pk=version.pk).update(pdf="")
        return version_pdf_store(member=member, version=version)

    return run


def _published_pdf(world: World) -> Callable[[], Any] | None:
    """Downloading a published version's PDF: the stored file (made on the first, untimed request)."""
    return _get(world, "reporting:version-pdf", pk=_published_version(world).pk)


def _queries(function: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def last_year_close(world: World) -> None:
    """Freeze 2024/25 as closing it does (its figures kept in `frozen`), so 2025/26 reads its baseline from
    there instead of working it out. Written directly: the benchmark times reading, not closing."""
    from commonweal.reporting.models import FinancialYear
    from commonweal.reporting.selectors_budget import budget_compute
    from commonweal.tenancy.models import Organisation

    organisation = Organisation.objects.get(slug=world.slug)
    last = FinancialYear.objects.get(organisation=organisation, start_year=YEAR - 1)
    frozen = budget_compute(organisation=organisation, year=last).as_dict()
    FinancialYear.objects.filter(pk=last.pk).update(frozen=frozen, closed_at=_at(date(YEAR, 5, 1)))


def _page_after_a_change(world: World) -> Callable[[], Any] | None:
    """The budget page's first request after a change to what its figures read, before the worker has
    worked them out again: nothing stored or cached is current, so the request works them out."""
    from django.db.models import F

    from commonweal.reporting.models import FiguresVersion
    from commonweal.tenancy.models import Organisation

    page = _get(world, "reporting:budget", year=YEAR)
    if page is None:
        return None
    organisation_id = Organisation.objects.get(slug=world.slug).pk

    def run() -> Any:
        # The version moves on as a change moves it, without the refresh task the change would queue.
        FiguresVersion.objects.filter(organisation_id=organisation_id).update(number=F("number") + 1)
        return page()

    return run


def _page_from_stored(world: World) -> Callable[[], Any] | None:
    """The budget page served by a process that did not work the figures out: read from the database,
    where the worker (or another web process) stored them (`figures_store.py`)."""
    from django.core.cache import cache

    page = _get(world, "reporting:budget", year=YEAR)
    if page is None:
        return None

    def run() -> Any:
        cache.clear()  # this process's cache: as in another web process
        return page()

    return run


MEASUREMENTS: tuple[tuple[str, Callable[[World], Callable[[], Any] | None]], ...] = (
    ("budget_compute (shares=True)", _compute),
    ("budget page (test client)", lambda world: _get(world, "reporting:budget", year=YEAR)),
    ("budget page, figures stored by another process", _page_from_stored),
    ("budget page, first request after a change", _page_after_a_change),
    ("annual report PDF, draft preview (test client)", _report_pdf),
    ("annual report PDF, published version, made once (worker)", _published_pdf_made),
    ("annual report PDF, published version (test client)", _published_pdf),
)


def time_all(worlds: Sequence[World], repeat: int, log: Callable[[str], None], *, pdf: bool = True) -> list[Timing]:
    """Each measurement for each world, the worlds taking turns, `repeat` times; queries counted once.
    First with 2024/25 open (its figures worked out too, as the baseline), then with it closed. `pdf`
    false leaves out the report PDF (seconds each: the test suite's run of this file does)."""
    timings: list[Timing] = []
    for phase in ("2024/25 open", "2024/25 closed"):
        if phase.endswith("closed"):
            for world in worlds:
                last_year_close(world)
        functions: list[tuple[Timing, Callable[[], Any]]] = []
        for what, make in MEASUREMENTS:
            if make in (_report_pdf, _published_pdf_made, _published_pdf) and not pdf:
                continue
            for world in worlds:
                function = make(world)
                if function is None:
                    log(f"{what}: not on this branch, skipped")
                    break
                timing = Timing(f"{what}, {phase}", world.label)
                function()  # warm: templates, fonts, caches of the first call
                timing.queries = _queries(function)
                timings.append(timing)
                functions.append((timing, function))
        for turn in range(repeat):
            log(f"{phase}: timing, turn {turn + 1} of {repeat}")
            for timing, function in functions:
                started = time.perf_counter()
                function()
                timing.runs.append(time.perf_counter() - started)
    return timings


# --- Reporting --------------------------------------------------------------------------------------


@dataclass
class Check:
    what: str
    value: float | None
    target: str
    passed: bool | None

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "(not measured)"}[self.passed]


def checks_for(timings: Sequence[Timing], large: str) -> list[Check]:
    by = {(t.what, t.world): t for t in timings}
    checks = []
    for what in dict.fromkeys(t.what for t in timings):
        counts = {t.world: t.queries for t in timings if t.what == what}
        if len(counts) > 1:
            same = len(set(counts.values())) == 1
            value = float(next(iter(counts.values())) or 0) if same else None
            checks.append(Check(f"{what}: the same queries at every size", value, "equal", same))
    for phase in ("2024/25 open", "2024/25 closed"):
        # The page as any process serves it once the figures are stored: the slower of the two ways.
        page = by.get((f"budget page, figures stored by another process, {phase}", large))
        checks.append(
            Check(
                f"budget page (figures stored), large council, {phase} (best, ms)",
                page.best * 1000 if page else None,
                f"< {TARGET_PAGE_SECONDS * 1000:g}",
                page.best < TARGET_PAGE_SECONDS if page else None,
            )
        )
        pdf = by.get((f"annual report PDF, published version (test client), {phase}", large))
        checks.append(
            Check(
                f"published annual report PDF, large council, {phase} (best, s)",
                pdf.best if pdf else None,
                f"< {TARGET_PDF_SECONDS:g}",
                pdf.best < TARGET_PDF_SECONDS if pdf else None,
            )
        )
    return checks


def machine() -> dict[str, Any]:
    import django

    info: dict[str, Any] = {"cpus": os.cpu_count(), "python": platform.python_version(), "django": django.__version__}
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        info["cpu"] = models[0] if models else ""
    return info


def table(worlds: Sequence[World], timings: Sequence[Timing], checks: Sequence[Check], info: dict[str, Any]) -> str:
    baseline, large = worlds[0], worlds[-1]
    lines = [
        f"Social value budget benchmark: {info['cpus']} CPUs ({info.get('cpu', '?')}), Python {info['python']}, "
        f"Django {info['django']}, database {info['database']}",
        "Load average (1 min) at the start and end: " + " and ".join(f"{load:.1f}" for load in info["load_average"]),
        "",
        f"{'council':<10} {'agreements':>11} {'commitments':>12} {'return lines':>13} {'built in s':>11}",
    ]
    for world in worlds:
        lines.append(
            f"{world.label:<10} {world.agreements:>11,} {world.commitments:>12,} {world.lines:>13,} "
            f"{world.build_seconds:>11.1f}"
        )
    lines += [
        "",
        f"{info['repeat']} runs each, the councils taking turns; times in ms (best / median)",
        f"{'what':<50} {baseline.label + ' best':>14} {'median':>9} {large.label + ' best':>12} {'median':>9} "
        f"{'ratio':>7} {'queries':>9}",
    ]
    by = {(t.what, t.world): t for t in timings}
    for what in dict.fromkeys(t.what for t in timings):
        small, big = by.get((what, baseline.label)), by.get((what, large.label))
        if small is None or big is None:
            continue
        lines.append(
            f"{what:<50} {small.best * 1000:>14.1f} {small.median * 1000:>9.1f} {big.best * 1000:>12.1f} "
            f"{big.median * 1000:>9.1f} {big.best / small.best:>7.2f} {f'{small.queries}/{big.queries}':>9}"
        )
    lines += ["", "Targets:"]
    for check in checks:
        value = "-" if check.value is None else f"{check.value:,.1f}"
        lines.append(f"{check.what:<72} {value:>10} (target {check.target}) {check.verdict}")
    return "\n".join(lines)


def profile(world: World, out: Path) -> str:
    """cProfile of one budget_compute of the large council: the 25 costliest functions by their own time."""
    import cProfile
    import io
    import pstats

    function = _compute(world)
    profiler = cProfile.Profile()
    profiler.runcall(function)
    profiler.dump_stats(str(out))
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    return text.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agreements", type=int, default=2000, help="agreements of the large council (2,000)")
    parser.add_argument("--baseline", type=int, default=200, help="agreements of the baseline council (200)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each measurement (5)")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL URL; NAME_benchmark is made and dropped")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var" / "benchmarks" / "budget")
    parser.add_argument("--profile", action="store_true", help="also print a profile of the large council's figures")
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH", help="write the figures as JSON to PATH (no PATH: print JSON)"
    )
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    parser.add_argument("--no-pdf", action="store_true", help="leave out the annual report PDF")
    args = parser.parse_args(argv)
    if args.agreements < 1 or args.baseline < 1 or args.repeat < 1:
        parser.error("--agreements, --baseline and --repeat must be at least 1.")

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    load_before = os.getloadavg()[0]
    work: Path = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    django_setup(args.database_url, work)
    drop, database = database_create()
    try:
        worlds = []
        for label, slug, count in (("baseline", "baseline", args.baseline), ("large", "large", args.agreements)):
            log(f"Building the {label} council: {count:,} agreements")
            worlds.append(world_build(label, slug, count))
            log(f"  {worlds[-1].lines:,} return lines in {worlds[-1].build_seconds:.1f} s")
        timings = time_all(worlds, args.repeat, log, pdf=not args.no_pdf)
        profile_text = profile(worlds[-1], work / "budget_compute.prof") if args.profile else ""
    finally:
        drop()
    checks = checks_for(timings, worlds[-1].label)
    info = {**machine(), "database": database, "repeat": args.repeat, "load_average": [load_before, os.getloadavg()[0]]}
    record = {
        "machine": info,
        "councils": [asdict(world) for world in worlds],
        "timings": [{**asdict(t), "best": t.best, "median": t.median} for t in timings],
        "checks": [asdict(check) for check in checks],
    }
    if args.json == "-":
        print(json.dumps(record, indent=2, default=str))
    else:
        print(table(worlds, timings, checks, info))
        if profile_text:
            print("\nProfile of budget_compute, large council (by own time):\n" + profile_text)
        if args.json:
            Path(args.json).write_text(json.dumps(record, indent=2, default=str) + "\n")
    return 1 if args.check and any(check.passed is False for check in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
