"""`commonweal demo scale`: a national dataset, made up but shaped like the real one, for load tests and
query-count tests.

For N public bodies it makes (figures for N = 300, the issue's national scale): 20,000 supplier
organisations, 20,000 agreements with 200,000 commitments, quarterly reporting periods with about two
million return lines, 20 procurements a body, a spend registry of a few hundred suppliers a body, and a
year of payments a body (50 million rows at N = 300) as one Parquet import each. Everything is drawn from
`random.Random` seeded with `--seed` (and, for a body, its number), and the payments from DuckDB hashes of
the same seed, so the same seed and N give the same data; a body's data does not depend on how many
bodies there are.

Rows are inserted in bulk, in batches, one transaction per body (and one for the supplier organisations),
so a run stopped half way leaves whole bodies; running it again adds only the bodies that are missing.
Bulk rows are not audited one by one: they are generated data, not anybody's action.
"""

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from commonweal.accounts.models import User
from commonweal.delivery.models import (
    Agreement,
    Commitment,
    DeliveryReturn,
    LineStatus,
    ReportingPeriod,
    ReturnLine,
    ReturnState,
)
from commonweal.frameworks.models import ContractCategory, FrameworkVersion, Measure
from commonweal.frameworks.services_interchange import framework_load
from commonweal.procurement.models import Procurement, ProcurementState
from commonweal.spend import duck
from commonweal.spend.generated import payments_parquet_write
from commonweal.spend.models import ImportStatus, Label, SpendImport, Supplier, SupplierLabel
from commonweal.tenancy.models import Membership, Organisation, OrganisationKind, Role
from commonweal.tenancy.selectors import Member

from .selectors_scale import SCALE_PASSWORD, body_slug, supplier_slug

NATIONAL_BODIES = 300
# The national dataset, for NATIONAL_BODIES bodies; every size scales with N from these.
NATIONAL = {"suppliers": 20_000, "agreements": 20_000, "payments": 50_000_000}
COMMITMENTS_PER_AGREEMENT = 10
PROCUREMENTS_PER_BODY = 20
SPEND_SUPPLIERS_PER_BODY = 400
# Quarterly periods from January 2024 to December 2026; returns are in for the first ten, except that
# every OVERDUE_EVERY-th agreement has not sent its tenth (due 14 October 2026): an overdue return.
FIRST_QUARTER = date(2024, 1, 1)
QUARTERS = 12
RETURNED_QUARTERS = 10
OVERDUE_EVERY = 5
SPEND_YEAR = date(2025, 4, 1)
BATCH = 5000
LONDON = ZoneInfo("Europe/London")

PLACES = (
    "Northfield",
    "Eastbrook",
    "Westmere",
    "Southam",
    "Kingsford",
    "Ashby",
    "Harwood",
    "Millbrook",
    "Oakham",
    "Riverside",
)
TRADES = (
    "Building Services",
    "Care",
    "Cleaning",
    "Construction",
    "Consulting",
    "Facilities",
    "Highways",
    "IT Solutions",
    "Landscapes",
    "Catering",
    "Transport",
    "Print",
)
ENDINGS = ("Ltd", "Limited", "LLP", "CIC", "Trust", "& Sons Ltd", "Group plc")
WORKS = ("Highways maintenance", "Home care", "School meals", "Office cleaning", "Waste collection", "IT support")

Row = TypeVar("Row", bound=models.Model)


def organisation_fields(model: type[models.Model], organisation_id: int) -> dict[str, int]:
    """{"organisation_id": id} when `model` carries its organisation, else nothing: every tenant-owned row
    the generator makes gets its organisation wherever the model has the field."""
    names = {item.name for item in model._meta.get_fields()}
    return {"organisation_id": organisation_id} if "organisation" in names else {}


@dataclass(frozen=True)
class ScaleSizes:
    organisations: int
    suppliers: int
    agreements_per_body: int
    payments_per_body: int

    @classmethod
    def for_organisations(
        cls, organisations: int, *, payments_per_body: int | None = None, agreements_per_body: int | None = None
    ) -> "ScaleSizes":
        if organisations < 1:
            raise ValueError("The scale dataset needs at least one organisation.")
        if (payments_per_body or 0) < 0 or (agreements_per_body is not None and agreements_per_body < 1):
            raise ValueError("Payments cannot be negative, and a body needs at least one agreement.")
        share = organisations / NATIONAL_BODIES
        return cls(
            organisations=organisations,
            suppliers=max(5, round(NATIONAL["suppliers"] * share)),
            agreements_per_body=agreements_per_body or round(NATIONAL["agreements"] / NATIONAL_BODIES),
            payments_per_body=(
                payments_per_body if payments_per_body is not None else round(NATIONAL["payments"] / NATIONAL_BODIES)
            ),
        )

    @property
    def agreements(self) -> int:
        return self.organisations * self.agreements_per_body

    @property
    def commitments(self) -> int:
        return self.agreements * COMMITMENTS_PER_AGREEMENT


@dataclass
class ScaleResult:
    sizes: ScaleSizes
    created: dict[str, int] = field(default_factory=dict)
    skipped_bodies: int = 0

    def add(self, name: str, count: int) -> None:
        self.created[name] = self.created.get(name, 0) + count


# A callback told of progress: (what, how many more done, out of how many in all).
Progress = Callable[[str, int, int], None]


def _nothing(what: str, done: int, total: int) -> None:
    return None


def _bulk(model: type[Row], rows: Iterable[Row]) -> list[Row]:
    return model._default_manager.bulk_create(list(rows), batch_size=BATCH)


def _supplier_name(rng: random.Random, number: int) -> str:
    return f"{rng.choice(PLACES)} {rng.choice(TRADES)} {number} {rng.choice(ENDINGS)}"


def _suppliers_make(sizes: ScaleSizes, seed: int, password: str, result: ScaleResult, progress: Progress) -> None:
    """The national pool of supplier organisations, each with one contact (skipped when there already)."""
    have = set(Organisation.objects.filter(slug__startswith="scale-supplier-").values_list("slug", flat=True))
    rng = random.Random(f"{seed}-suppliers")
    wanted = [(number, _supplier_name(rng, number), rng.random()) for number in range(1, sizes.suppliers + 1)]
    missing = [item for item in wanted if supplier_slug(item[0]) not in have]
    with transaction.atomic():
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            organisations = _bulk(
                Organisation,
                (
                    Organisation(
                        name=name,
                        slug=supplier_slug(number),
                        kind=OrganisationKind.SUPPLIER,
                        is_sme=draw < 0.6,
                        is_vcse=draw > 0.9,
                    )
                    for number, name, draw in chunk
                ),
            )
            users = _bulk(
                User,
                (
                    User(
                        email=f"contact@{supplier_slug(number)}.example",
                        full_name=f"Contact at {name}",
                        password=password,
                    )
                    for number, name, _ in chunk
                ),
            )
            _bulk(
                Membership,
                (
                    Membership(user=user, organisation=organisation, role=Role.SUPPLIER_CONTACT)
                    for user, organisation in zip(users, organisations, strict=True)
                ),
            )
            progress("Supplier organisations", len(chunk), len(wanted))
    result.add("supplier organisations", len(missing))


def _quarter(number: int) -> tuple[date, date]:
    month = FIRST_QUARTER.month + 3 * number - 1
    start = date(FIRST_QUARTER.year + month // 12, month % 12 + 1, 1)
    following = date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return start, following - timedelta(days=1)


def _quarter_label(start: date) -> str:
    return f"{start:%b}–{(start + timedelta(days=62)):%b} {start.year}"


@dataclass
class _Body:
    organisation: Organisation
    lead: User
    manager: User
    version: FrameworkVersion
    measures: list[Measure]


def _body_people(organisation: Organisation, number: int, password: str) -> tuple[User, User]:
    slug = body_slug(number)
    lead, manager = _bulk(
        User,
        [
            User(email=f"lead@{slug}.example", full_name=f"Social value lead {number}", password=password),
            User(email=f"manager@{slug}.example", full_name=f"Contract manager {number}", password=password),
        ],
    )
    _bulk(
        Membership,
        [
            Membership(user=lead, organisation=organisation, role=Role.SOCIAL_VALUE_LEAD),
            Membership(user=manager, organisation=organisation, role=Role.CONTRACT_MANAGER),
            Membership(user=manager, organisation=organisation, role=Role.PROCUREMENT_OFFICER),
        ],
    )
    return lead, manager


def _delivery_make(body: _Body, rng: random.Random, sizes: ScaleSizes, supplier_ids: Sequence[int]) -> dict[str, int]:
    """Agreements, commitments, quarterly periods and returns with a line for each commitment."""
    organisation_id = body.organisation.pk
    slug = body.organisation.slug
    agreements = _bulk(
        Agreement,
        (
            Agreement(
                **organisation_fields(Agreement, organisation_id),
                supplier_id=rng.choice(supplier_ids),
                reference=f"{slug.upper()}-{n:05d}",
                title=f"{rng.choice(WORKS)} {rng.choice(PLACES)} {n}",
                value=Decimal(rng.randrange(50_000, 5_000_000)),
                start_date=FIRST_QUARTER,
                end_date=_quarter(QUARTERS - 1)[1],
                framework_version=body.version,
                contract_manager=body.manager,
            )
            for n in range(1, sizes.agreements_per_body + 1)
        ),
    )
    commitments = _bulk(
        Commitment,
        (
            Commitment(
                **organisation_fields(Commitment, organisation_id),
                agreement=agreement,
                measure=rng.choice(body.measures),
                target_quantity=Decimal(rng.randrange(5, 200)),
                due_date=agreement.end_date,
            )
            for agreement in agreements
            for _ in range(COMMITMENTS_PER_AGREEMENT)
        ),
    )
    periods = _bulk(
        ReportingPeriod,
        (
            ReportingPeriod(
                **organisation_fields(ReportingPeriod, organisation_id),
                agreement=agreement,
                label=_quarter_label(_quarter(q)[0]),
                start_date=_quarter(q)[0],
                end_date=_quarter(q)[1],
                return_due_date=_quarter(q)[1] + timedelta(days=agreement.return_due_days),
            )
            for agreement in agreements
            for q in range(QUARTERS)
        ),
    )
    returned = [
        period
        for index, period in enumerate(periods)
        if index % QUARTERS < RETURNED_QUARTERS
        and not (index % QUARTERS == RETURNED_QUARTERS - 1 and (index // QUARTERS) % OVERDUE_EVERY == 0)
    ]
    returns = _bulk(
        DeliveryReturn,
        (
            DeliveryReturn(
                **organisation_fields(DeliveryReturn, organisation_id),
                agreement_id=period.agreement_id,
                period=period,
                state=ReturnState.SUBMITTED,
                submitted_by=body.manager,
                submitted_at=datetime.combine(period.end_date + timedelta(days=7), time(10), tzinfo=LONDON),
                narrative="Delivered as planned this quarter.",
            )
            for period in returned
        ),
    )
    by_agreement: dict[int, list[Commitment]] = {}
    for commitment in commitments:
        by_agreement.setdefault(commitment.agreement_id, []).append(commitment)
    lines = 0
    batch: list[ReturnLine] = []
    for delivery_return in returns:
        for commitment in by_agreement[delivery_return.agreement_id]:
            draw = rng.random()
            batch.append(
                ReturnLine(
                    **organisation_fields(ReturnLine, organisation_id),
                    delivery_return=delivery_return,
                    commitment=commitment,
                    quantity=Decimal(rng.randrange(0, 20)),
                    status=LineStatus.VERIFIED if draw < 0.7 else LineStatus.PENDING,
                    beneficiary_reference=f"B{rng.randrange(100_000)}" if draw > 0.9 else "",
                )
            )
        if len(batch) >= BATCH:
            lines += len(_bulk(ReturnLine, batch))
            batch = []
    lines += len(_bulk(ReturnLine, batch))
    return {
        "agreements": len(agreements),
        "commitments": len(commitments),
        "reporting periods": len(periods),
        "returns": len(returns),
        "return lines": lines,
    }


def _procurements_make(body: _Body, rng: random.Random) -> int:
    states = (ProcurementState.DRAFT, ProcurementState.PUBLISHED, ProcurementState.AWARDED)
    made = _bulk(
        Procurement,
        (
            Procurement(
                **organisation_fields(Procurement, body.organisation.pk),
                reference=f"PROC-{n:04d}",
                title=f"{rng.choice(WORKS)} {rng.choice(PLACES)}",
                estimated_value=Decimal(rng.randrange(20_000, 10_000_000)),
                category=rng.choice(list(ContractCategory)),
                duration_months=rng.choice((12, 24, 36, 48)),
                framework_version=body.version,
                state=rng.choice(states),
            )
            for n in range(1, PROCUREMENTS_PER_BODY + 1)
        ),
    )
    return len(made)


def _spend_make(body: _Body, number: int, seed: int, rng: random.Random, sizes: ScaleSizes) -> dict[str, int]:
    """The body's spend registry (suppliers with labels) and a year of payments as one succeeded import."""
    organisation = body.organisation
    names = [_supplier_name(rng, 100_000 + k) for k in range(SPEND_SUPPLIERS_PER_BODY)]
    suppliers = _bulk(
        Supplier,
        (
            Supplier(
                **organisation_fields(Supplier, organisation.pk),
                name=name,
                normalised_name=name.upper(),
                district_code=rng.choice(("E08000009", "E06000002", "E09000001", "E07000178", "")),
            )
            for name in names
        ),
    )
    labels = _bulk(
        SupplierLabel,
        (
            SupplierLabel(
                **organisation_fields(SupplierLabel, organisation.pk),
                supplier=supplier,
                label=label,
                value=rng.random() < share,
                source="generated",
            )
            for supplier in suppliers
            for label, share in ((Label.LOCAL, 0.4), (Label.SME, 0.6), (Label.VCSE, 0.1))
        ),
    )
    if not sizes.payments_per_body:
        return {"spend suppliers": len(suppliers), "supplier labels": len(labels)}
    relative = f"generated/{organisation.slug}-{seed}.parquet"
    spend_import = SpendImport.objects.create(
        **organisation_fields(SpendImport, organisation.pk),
        original_name=f"{organisation.slug}-payments-2025-26.csv",
        sha256=f"{seed:032d}{number:032d}"[-64:],
        status=ImportStatus.SUCCEEDED,
        parquet_path=relative,
        created_by=body.lead,
    )
    made = payments_parquet_write(
        duck.spend_path(relative),
        import_id=spend_import.pk,
        rows=sizes.payments_per_body,
        seed=seed * 1000 + number,
        body=organisation.name,
        supplier_names=names,
        start=SPEND_YEAR,
        days=365,
    )
    SpendImport.objects.filter(pk=spend_import.pk).update(
        progress=100,
        rows_read=made.rows,
        rows_imported=made.rows,
        total_amount=made.total,
        first_payment_date=made.first,
        last_payment_date=made.last,
    )
    return {"spend suppliers": len(suppliers), "supplier labels": len(labels), "payments": made.rows}


def _body_make(
    number: int, *, seed: int, sizes: ScaleSizes, password: str, supplier_ids: Sequence[int]
) -> dict[str, int]:
    rng = random.Random(f"{seed}-body-{number}")
    place = f"{rng.choice(PLACES)}{' ' + str(number) if number > len(PLACES) else ''}"
    kind = rng.choice(("Borough Council", "County Council", "NHS Trust", "University", "Housing Association"))
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name=f"{place} {kind}", slug=body_slug(number), kind=OrganisationKind.PUBLIC_BODY
        )
        lead, manager = _body_people(organisation, number, password)
        version = framework_load(actor=None, member=Member.system(organisation))
        measures = list(Measure.objects.filter(version=version).order_by("code"))
        body = _Body(organisation, lead, manager, version, measures)
        counts = {"public bodies": 1}
        counts.update(_delivery_make(body, rng, sizes, supplier_ids))
        counts["procurements"] = _procurements_make(body, rng)
        counts.update(_spend_make(body, number, seed, rng, sizes))
    return counts


def scale_generate(
    *,
    organisations: int,
    seed: int = 2026,
    payments_per_body: int | None = None,
    agreements_per_body: int | None = None,
    progress: Progress = _nothing,
) -> ScaleResult:
    """Generate the national dataset for `organisations` public bodies (see the module's docstring);
    `payments_per_body` and `agreements_per_body` replace the national shares."""
    sizes = ScaleSizes.for_organisations(
        organisations, payments_per_body=payments_per_body, agreements_per_body=agreements_per_body
    )
    result = ScaleResult(sizes)
    password = make_password(SCALE_PASSWORD)
    _suppliers_make(sizes, seed, password, result, progress)
    supplier_ids = list(
        Organisation.objects.filter(slug__startswith="scale-supplier-")
        .order_by("slug")
        .values_list("pk", flat=True)[: sizes.suppliers]
    )
    have = set(Organisation.objects.filter(slug__startswith="scale-body-").values_list("slug", flat=True))
    for number in range(1, organisations + 1):
        if body_slug(number) in have:
            result.skipped_bodies += 1
        else:
            for name, count in _body_make(
                number, seed=seed, sizes=sizes, password=password, supplier_ids=supplier_ids
            ).items():
                result.add(name, count)
        progress("Public bodies", 1, organisations)
    if result.created:
        _statistics_refresh()
    return result


GENERATED_MODELS: tuple[type[models.Model], ...] = (
    Organisation,
    User,
    Membership,
    Agreement,
    Commitment,
    ReportingPeriod,
    DeliveryReturn,
    ReturnLine,
    Procurement,
    Supplier,
    SupplierLabel,
    SpendImport,
)


def _statistics_refresh() -> None:
    """PostgreSQL plans queries from each table's statistics, which a bulk load leaves stale until autovacuum
    comes round: over the national dataset the agreement list took 2.5 s before ANALYZE and 0.2 s after."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in GENERATED_MODELS:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
