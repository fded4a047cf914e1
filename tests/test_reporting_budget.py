"""The social value budget's figures, worked out by hand for a small year and asserted on the figures,
the page, the CSV and the JSON; suppression at its threshold; the drill-down; tenant refusals."""

import csv
import datetime
import io
import json
from decimal import Decimal
from typing import Any
from unittest.mock import patch

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from commonweal.delivery.models import (
    AgreementKind,
    DeliveryReturn,
    Evidence,
    LineStatus,
    ReportingPeriod,
    ReturnLine,
    ReturnState,
)
from commonweal.frameworks.models import UnitKind, ValueType
from commonweal.procurement.models import Procurement, ProcurementState
from commonweal.reporting import budget as rules
from commonweal.reporting import figures_store
from commonweal.reporting.budget import Budget, Cell, DepartmentSpend, Quantities
from commonweal.reporting.models import BudgetLine, FiguresVersion, FinancialYear, MoneyBasis, StoredFigures
from commonweal.reporting.selectors_budget import budget_compute, budget_get
from commonweal.tenancy.models import Department, DepartmentSpendLabel, OrganisationKind, Role
from commonweal.tenancy.selectors import Member
from tests import factories
from tests.conftest import built_once
from tests.spend_analysis_data import spend_world

D = Decimal
AS_AT = datetime.date(2026, 10, 1)


def _return(
    agreement: Any, supplier_user: Any, period_end: datetime.date | None, lines: list[tuple[Any, str, str, bool]]
) -> DeliveryReturn:
    """A submitted return with (commitment, quantity, status, evidenced) lines, for the period ending on
    `period_end` (None: a return without a period, submitted on 1 October 2026)."""
    period = None
    if period_end is not None:
        period = ReportingPeriod.objects.create(
            organisation=agreement.organisation,
            agreement=agreement,
            label=f"Period to {period_end:%d %b %Y}",
            start_date=period_end - datetime.timedelta(days=90),
            end_date=period_end,
            return_due_date=period_end + datetime.timedelta(days=14),
        )
    delivery_return = DeliveryReturn.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        period=period,
        state=ReturnState.SUBMITTED,
        submitted_by=supplier_user,
        submitted_at=datetime.datetime(2026, 10, 1, 12, 0, tzinfo=datetime.UTC),
        narrative="What we delivered.",
    )
    evidence = Evidence.objects.create(
        organisation=agreement.organisation,
        delivery_return=delivery_return,
        file=factories.evidence_file(),
        original_name="evidence.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=supplier_user,
    )
    for commitment, quantity, status, evidenced in lines:
        line = ReturnLine.objects.create(
            organisation=agreement.organisation,
            delivery_return=delivery_return,
            commitment=commitment,
            quantity=D(quantity),
            status=status,
        )
        if evidenced:
            line.evidence.add(evidence)
    return delivery_return


def build_world() -> dict[str, Any]:
    buyer = factories.OrganisationFactory.create(
        name="Northshire Council", slug="northshire", kind=OrganisationKind.PUBLIC_BODY
    )
    lead = factories.member_user(buyer, Role.SOCIAL_VALUE_LEAD)
    supplier = factories.SupplierFactory.create(name="Tees Cameras Ltd")
    supplier_user = factories.member_user(supplier, Role.SUPPLIER_CONTACT)
    version = factories.FrameworkVersionFactory.create(organisation=buyer)
    jobs = factories.MeasureFactory.create(
        version=version,
        code="JOBS",
        title="Local people employed",
        unit=UnitKind.FTE,
        value_type=ValueType.LOCAL_ECONOMIC,
    )
    weeks = factories.MeasureFactory.create(
        version=version, code="APPR", title="Apprenticeship weeks", unit=UnitKind.WEEKS
    )
    people = factories.MeasureFactory.create(
        version=version, code="PEOPLE", title="People helped into work", unit=UnitKind.COUNT
    )
    value_set = factories.ValueSetFactory.create(organisation=buyer, code="northshire", title="Northshire values")
    factories.ValueSetEntryFactory.create(
        value_set=value_set, measure_code="JOBS", value_per_unit=D("1000"), deadweight=D("0.2")
    )
    factories.ValueSetEntryFactory.create(
        value_set=value_set, measure_code="APPR", value_per_unit=D("100"), attribution=D("0.1")
    )
    culture = Department.objects.create(organisation=buyer, name="Culture")
    streets = Department.objects.create(organisation=buyer, name="Streets")
    year = FinancialYear.objects.create(organisation=buyer, start_year=2026, value_set=value_set)
    FinancialYear.objects.create(organisation=buyer, start_year=2025, value_set=value_set)

    a1 = factories.AgreementFactory.create(
        organisation=buyer,
        supplier=supplier,
        framework_version=version,
        reference="NS-001",
        department=culture,
        value=D("200000"),
        start_date=datetime.date(2025, 4, 1),
        end_date=datetime.date(2027, 12, 31),
    )
    c1 = factories.CommitmentFactory.create(
        agreement=a1, measure=jobs, target_quantity=D("4"), due_date=datetime.date(2026, 12, 31)
    )
    c2 = factories.CommitmentFactory.create(
        agreement=a1,
        measure=weeks,
        target_quantity=D("50"),
        due_date=datetime.date(2027, 6, 30),
        place_code="E08000009",
        beneficiary_group="Young people",
    )
    _return(
        a1,
        supplier_user,
        datetime.date(2026, 6, 30),
        [(c1, "2", LineStatus.VERIFIED, True), (c2, "20", LineStatus.PENDING, True)],
    )
    _return(
        a1,
        supplier_user,
        datetime.date(2026, 3, 31),
        [(c1, "1", LineStatus.VERIFIED, False), (c2, "10", LineStatus.VERIFIED, False)],
    )
    _return(
        a1,
        supplier_user,
        datetime.date(2026, 9, 30),
        [(c2, "5", LineStatus.REJECTED, True), (c1, "1", LineStatus.PENDING, False)],
    )

    a2 = factories.AgreementFactory.create(
        organisation=buyer,
        supplier=supplier,
        framework_version=version,
        reference="NS-002",
        department=streets,
        kind=AgreementKind.CALL_OFF,
        value=D("100000"),
        called_off_value=D("50000"),
        start_date=datetime.date(2026, 4, 1),
        end_date=datetime.date(2027, 3, 31),
    )
    c3 = factories.CommitmentFactory.create(
        agreement=a2,
        measure=people,
        target_quantity=D("30"),
        due_date=datetime.date(2027, 1, 31),
        place_code="E08000009",
        beneficiary_group="Young people",
    )
    c4 = factories.CommitmentFactory.create(
        agreement=a2,
        measure=people,
        target_quantity=D("8"),
        due_date=datetime.date(2026, 5, 31),
        place_code="E06000004",
        beneficiary_group="Care leavers",
    )
    _return(a2, supplier_user, None, [(c3, "12", LineStatus.VERIFIED, False), (c4, "3", LineStatus.VERIFIED, False)])

    Procurement.objects.create(
        organisation=buyer,
        reference="P-1",
        title="Museum café",
        estimated_value=D("500000"),
        category="services",
        duration_months=24,
        department=culture,
        state=ProcurementState.PUBLISHED,
        award_at=datetime.datetime(2026, 11, 15, 12, 0, tzinfo=datetime.UTC),
        ask={"adjusted": {"outcomes": [{"framework": "test", "code": "T.1", "title": "Outcome", "weight": "1"}]}},
    )
    Procurement.objects.create(
        organisation=buyer,
        reference="P-2",
        title="Awarded already",
        estimated_value=D("90000"),
        category="services",
        duration_months=12,
        department=culture,
        state=ProcurementState.AWARDED,
        award_at=datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC),
    )
    BudgetLine.objects.create(organisation=buyer, year=year, department=culture, measure=jobs, target_quantity=D("5"))
    BudgetLine.objects.create(
        organisation=buyer,
        year=year,
        department=culture,
        measure=weeks,
        target_amount=D("3000"),
        amount_basis=MoneyBasis.NET,
        value_set=value_set,
    )
    BudgetLine.objects.create(
        organisation=buyer, year=year, department=streets, measure=people, target_quantity=D("20")
    )
    other = factories.OrganisationFactory.create(
        name="Other Council", slug="other-council", kind=OrganisationKind.PUBLIC_BODY
    )
    other_lead = factories.member_user(other, Role.SOCIAL_VALUE_LEAD)
    return {
        "buyer": buyer,
        "lead": lead,
        "year": year,
        "culture": culture,
        "streets": streets,
        "value_set": value_set,
        "supplier_user": supplier_user,
        "a1": a1,
        "c1": c1,
        "other_lead": other_lead,
        "other": other,
    }


@pytest.fixture(scope="module")
def world(django_db_blocker: Any) -> Any:
    yield from built_once(django_db_blocker, build_world)


@pytest.fixture
def figures(world: dict[str, Any], db: None) -> Budget:
    return budget_compute(organisation=world["buyer"], year=world["year"], shares=True, as_at=AS_AT)


def money(state: rules.StateMoney) -> tuple[str, str, str, str]:
    return (
        str(state.local_economic.gross),
        str(state.local_economic.net),
        str(state.additional_social.gross),
        str(state.additional_social.net),
    )


def test_each_department_has_its_hand_computed_quantities_and_money(figures: Budget) -> None:
    culture, streets = figures.departments
    assert (culture.name, streets.name) == ("Culture", "Streets")
    by_code = {measure.code: measure for measure in culture.measures}
    # JOBS: due this year (4); reported this year 2 verified with evidence + 1 pending; last year's 1 is not counted.
    assert by_code["JOBS"].quantities == Quantities(D("4"), D("3"), D("2"), D("2"))
    # APPR: not due this year; 20 pending with evidence; the rejected 5 is not a claim.
    assert by_code["APPR"].quantities == Quantities(D("0"), D("20"), D("20"), D("0"))
    assert (by_code["JOBS"].baseline_verified, by_code["APPR"].baseline_verified) == (D("1"), D("10"))
    # Local economic value (JOBS at £1,000, 20% deadweight) and additional social value (APPR at £100, 10% attribution).
    assert [money(row) for row in culture.money] == [
        ("4000.00", "3200.00", "0.00", "0.00"),
        ("3000.00", "2400.00", "2000.00", "1800.00"),
        ("2000.00", "1600.00", "2000.00", "1800.00"),
        ("2000.00", "1600.00", "0.00", "0.00"),
    ]
    assert money(next(row for row in culture.baseline_money if row.state == "verified")) == (
        "1000.00",
        "800.00",
        "1000.00",
        "900.00",
    )
    # The call-off is pro-rated to 50%: 30 → 15 and 8 → 4. A return without a period counts by its submission date.
    people = streets.measures[0]
    assert people.quantities == Quantities(D("19"), D("15"), D("0"), D("15"))
    assert people.money is None  # the value set has no figure for it
    assert (culture.agreements, culture.agreement_value, streets.agreements) == (1, D("200000.00"), 1)
    assert (culture.pipeline.procurements, culture.pipeline.estimated_value) == (1, D("500000"))
    assert figures.not_valued == ("PEOPLE",)


def test_budget_lines_get_variance_forecast_planned_and_last_year(figures: Budget) -> None:
    culture, streets = figures.departments
    weeks, jobs = culture.lines  # in measure code order
    assert (jobs.target, jobs.actual.verified, jobs.variance, jobs.percent_verified) == (
        D("5"),
        D("2"),
        D("-3"),
        D("40.0"),
    )
    # 2 verified in 183 days of a 364-day year: 2 × 364 ÷ 183 = 3.978… → 3.98.
    assert jobs.forecast == D("3.98")
    assert (jobs.planned.procurements, jobs.planned.estimated_value) == (1, D("500000"))
    assert jobs.baseline_verified == D("1")
    # A £ line is compared in £ net under its value set: 20 claimed weeks × £100 × 0.9 = £1,800; none verified.
    assert weeks.is_amount and weeks.unit_text == "£, net"
    assert weeks.actual == Quantities(D("0.00"), D("1800.00"), D("1800.00"), D("0.00"))
    assert (weeks.variance, weeks.baseline_verified) == (D("-3000.00"), D("900.00"))
    assert weeks.forecast is None and "Not enough data" in weeks.forecast_reason
    (people,) = streets.lines
    assert (people.variance, people.percent_verified, people.planned.procurements) == (D("-5"), D("75.0"), 0)


def test_organisation_totals_never_add_local_economic_to_additional_social_value(figures: Budget) -> None:
    assert [money(row) for row in figures.totals] == [money(row) for row in figures.departments[0].money]
    for row in figures.totals:
        assert not hasattr(row, "total")
    assert (figures.pipeline.procurements, figures.value_set) == (1, "Northshire values (northshire)")


def test_share_of_spend_shows_how_it_was_reached(figures: Budget) -> None:
    share = next(row for row in figures.shares if row.reference == "NS-001")
    # All commitments whenever due: JOBS 4 and APPR 50; claimed ever: JOBS 4, APPR 30; verified: JOBS 3, APPR 10.
    assert [money(row) for row in share.money] == [
        ("4000.00", "3200.00", "5000.00", "4500.00"),
        ("4000.00", "3200.00", "3000.00", "2700.00"),
        ("3000.00", "2400.00", "1000.00", "900.00"),
    ]
    assert share.percent("committed", ValueType.ADDITIONAL_SOCIAL, "net") == D("2.3")  # 4,500 ÷ 200,000
    assert share.percent("verified", ValueType.LOCAL_ECONOMIC, "gross") == D("1.5")  # 3,000 ÷ 200,000


def test_breakdowns_suppress_small_counts_so_none_can_be_worked_out(figures: Budget) -> None:
    place = next(b for b in figures.breakdowns if b.dimension == "place")
    people = next(m for m in place.measures if m.code == "PEOPLE")
    labels = [row.label for row in people.rows]
    assert labels == ["E06000004 (Stockton-on-Tees)", "E08000009 (Trafford)"]
    # Committed 4 and 15: 4 is under 10, so 15 is hidden too (else 19 − 15 would give it); the total stays.
    assert [row.cells[0] for row in people.rows] == [Cell(None, "fewer than 10"), Cell(None, "fewer than 10")]
    assert people.totals[0] == Cell(D("19"), "")
    # Verified 3 and 12: the same.
    assert [row.cells[1].value for row in people.rows] == [None, None]
    # JOBS (people, FTE) has one place: 4 committed is hidden, and so is the total that would repeat it.
    jobs = next(m for m in place.measures if m.code == "JOBS")
    assert jobs.rows[0].label == "Place not recorded"
    assert jobs.rows[0].cells[0] == Cell(None, "fewer than 10") and jobs.totals[0] == Cell(None, "fewer than 10")
    # Weeks are not counts of people: shown as they are.
    weeks = next(m for m in place.measures if m.code == "APPR")
    assert weeks.rows[0].cells[0] == Cell(D("0"), "")
    decile = next(b for b in figures.breakdowns if b.dimension == "deprivation_decile")
    assert [row.label for row in next(m for m in decile.measures if m.code == "PEOPLE").rows] == [
        "Decile 3",
        "Decile 7",
    ]


@pytest.mark.parametrize(
    ("values", "expected", "total"),
    [
        ([D("10"), D("25")], [D("10"), D("25")], D("35")),  # at the threshold: shown
        ([D("9"), D("25"), D("30")], [None, None, D("30")], D("64")),  # one under: the next smallest goes too
        ([D("9"), D("2"), D("30")], [None, None, D("30")], D("41")),  # two under: hidden, nothing more
        ([D("0"), D("25")], [D("0"), D("25")], D("25")),  # zero is not a small number
        ([D("9")], [None], None),  # alone: the total would give it away
    ],
)
def test_suppression_at_the_threshold(
    values: list[Decimal], expected: list[Decimal | None], total: Decimal | None
) -> None:
    cells, total_cell = rules.suppress(values, threshold=10)
    assert [cell.value for cell in cells] == expected
    assert total_cell.value == total
    assert all(cell.text == "fewer than 10" for cell in cells if cell.value is None)


def test_the_figures_read_back_from_json_unchanged(figures: Budget) -> None:
    assert rules.budget_from_dict(json.loads(json.dumps(figures.as_dict()))) == figures


def test_a_closed_year_reads_its_frozen_figures(world: dict[str, Any], figures: Budget) -> None:
    year = FinancialYear.objects.get(pk=world["year"].pk)
    year.frozen = figures.as_dict()
    year.closed_at = timezone.now()
    year.save()
    ReturnLine.objects.filter(commitment=world["c1"], status=LineStatus.PENDING).update(status=LineStatus.VERIFIED)
    member = Member(user=world["lead"], organisation=world["buyer"], roles=frozenset({Role.SOCIAL_VALUE_LEAD}))
    assert budget_get(member=member, year=year) == figures


def test_the_page_csv_and_json_show_the_figures(world: dict[str, Any], client: Client, db: None) -> None:
    client.force_login(world["lead"])
    kwargs = {"org": "northshire", "year": 2026}
    page = client.get(reverse("reporting:budget", kwargs=kwargs)).content.decode()
    assert "Social value budget 2026/27" in page
    for text in ("Culture", "Streets", "£3,200.00", "£1,800.00", "fewer than 10", "Local economic value, net"):
        assert text in page
    rows = list(
        csv.DictReader(io.StringIO(client.get(reverse("reporting:budget-csv", kwargs=kwargs)).content.decode()))
    )
    jobs = next(row for row in rows if row["department"] == "Culture" and row["measure_code"] == "JOBS")
    assert (jobs["budget_target"], jobs["committed"], jobs["claimed"], jobs["evidenced"], jobs["verified"]) == (
        "5.00",
        "4.00",
        "3.00",
        "2.00",
        "2.00",
    )
    assert (jobs["variance"], jobs["value_type"], jobs["committed_net_gbp"], jobs["verified_gross_gbp"]) == (
        "-3.00",
        "Local economic value",
        "3200.00",
        "2000.00",
    )
    total = next(row for row in rows if row["department"] == "All departments" and row["measure_code"] == "PEOPLE")
    assert (total["committed"], total["verified"], total["committed_net_gbp"]) == ("19.00", "15.00", "")
    data = json.loads(client.get(reverse("reporting:budget-json", kwargs=kwargs)).content)
    assert data["label"] == "2026/27" and data["departments"][0]["lines"][1]["target"] == "5.00"


def test_the_drill_down_links_each_figure_to_its_sources(world: dict[str, Any], client: Client, db: None) -> None:
    client.force_login(world["lead"])
    url = reverse(
        "reporting:budget-department", kwargs={"org": "northshire", "year": 2026, "department": world["culture"].pk}
    )
    page = client.get(url).content.decode()
    assert reverse("delivery:agreement-detail", kwargs={"org": "northshire", "pk": world["a1"].pk}) in page
    assert "verified with evidence" in page and "not counted (rejected or not submitted)" in page
    assert page.count("/returns/") == 4  # the two returns for periods ending this year, two lines each


def test_another_organisation_gets_404_for_every_budget_page(world: dict[str, Any], client: Client, db: None) -> None:
    client.force_login(world["other_lead"])
    kwargs = {"org": "northshire", "year": 2026}
    for name in ("reporting:budget", "reporting:budget-csv", "reporting:budget-json"):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404
    own = {"org": "other-council", "year": 2026}
    assert client.get(reverse("reporting:budget", kwargs=own)).status_code == 404  # no such year there
    department = {**own, "department": world["culture"].pk}
    assert client.get(reverse("reporting:budget-department", kwargs=department)).status_code == 404


def test_the_command_prints_the_figures_as_json_and_csv(world: dict[str, Any], db: None) -> None:
    out = io.StringIO()
    call_command("report", "budget", "--organisation", "northshire", "--year", "2026", "--csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    people = next(row for row in rows if row["department"] == "Streets" and row["measure_code"] == "PEOPLE")
    assert (people["budget_target"], people["committed"], people["verified"], people["variance"]) == (
        "20.00",
        "19.00",
        "15.00",
        "-5.00",
    )
    out = io.StringIO()
    call_command("report", "budget", "--organisation", "northshire", "--year", "2026", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [department["name"] for department in data["departments"]] == ["Culture", "Streets"]
    assert {share["reference"] for share in data["shares"]} == {"NS-001", "NS-002"}
    with pytest.raises(CommandError, match="has no financial year 2030/31"):
        call_command("report", "budget", "--organisation", "northshire", "--year", "2030", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No organisation has the short name"):
        call_command("report", "budget", "--organisation", "nobody", "--year", "2026", stdout=io.StringIO())


def test_the_api_gives_the_figures_to_members_only(world: dict[str, Any], db: None) -> None:
    url = reverse("api:budget", kwargs={"org": "northshire", "year": 2026})
    client = APIClient()
    client.force_authenticate(world["lead"])
    data = client.get(url).json()
    culture = data["departments"][0]
    assert (culture["name"], culture["money"][3]["local_economic"]["net"]) == ("Culture", "1600.00")
    other = APIClient()
    other.force_authenticate(world["other_lead"])
    assert other.get(url).status_code == 404
    assert client.get(reverse("api:budget", kwargs={"org": "northshire", "year": 2030})).status_code == 404


def test_a_department_s_spend_comes_from_its_service_areas_in_the_spend_files(db: None) -> None:
    council = factories.OrganisationFactory.create(slug="spendshire", kind=OrganisationKind.PUBLIC_BODY)
    spend_world(council)
    education = Department.objects.create(organisation=council, name="Education")
    for kind, label in (("service_area", "schools"), ("cost_centre", " Highways "), ("cost_centre", "CC-999")):
        DepartmentSpendLabel.objects.create(organisation=council, department=education, kind=kind, label=label)
    Department.objects.create(organisation=council, name="Unmapped")
    year = FinancialYear.objects.create(organisation=council, start_year=2024)
    figures = budget_compute(organisation=council, year=year, as_at=datetime.date(2025, 3, 31))
    department, unmapped = figures.departments
    # 2024/25 (payment 8 is paid on 1 April 2025): Schools 1,000 + 500 − 100 + 800; Highways 5,000 + 1,500.
    # Local: the three Northgate payments (1,400); Megacorp and Distant are not local; CC-999 matches nothing.
    assert department.spend == DepartmentSpend(D("8700.00"), 6, D("1400.00"), (" Highways ", "CC-999", "schools"))
    assert department.spend.local_percent == D("16.1")
    assert department.verified_social_net_percent == D("0.0")
    assert unmapped.spend is None
    assert rules.budget_from_dict(figures.as_dict()) == figures


def test_stored_figures_serve_another_process_and_never_an_old_version(world: dict[str, Any], db: None) -> None:
    member = Member(user=world["lead"], organisation=world["buyer"], roles=frozenset({Role.SOCIAL_VALUE_LEAD}))
    year = FinancialYear.objects.get(pk=world["year"].pk)
    before = budget_get(member=member, year=year, as_at=AS_AT)
    stored = StoredFigures.objects.get(year=year, shares=False)
    current = FiguresVersion.objects.get(organisation=world["buyer"]).number
    assert (stored.version, stored.as_at) == (current, AS_AT)
    # Another process (an empty cache of its own) reads the stored figures: nothing is worked out.
    cache.clear()
    with patch("commonweal.reporting.selectors_budget.budget_compute", side_effect=AssertionError("worked out")):
        assert budget_get(member=member, year=year, as_at=AS_AT) == before
        # Another day is another figure: the stored one is not served for it.
        with pytest.raises(AssertionError, match="worked out"):
            budget_get(member=member, year=year, as_at=AS_AT + datetime.timedelta(days=1))
    # A change moves the version on: the stored figures are not served, and are replaced.
    line = ReturnLine.objects.get(commitment=world["c1"], status=LineStatus.PENDING)
    line.status = LineStatus.VERIFIED
    line.save()
    cache.clear()
    after = budget_get(member=member, year=year, as_at=AS_AT)
    assert next(m for m in after.departments[0].measures if m.code == "JOBS").quantities.verified == D("3")
    stored.refresh_from_db()
    assert stored.version == current + 1
    # Figures worked out for an older version (a slow process finishing late) never replace newer ones.
    figures_store.figures_keep(year=year, shares=False, as_at=AS_AT, version=current, figures=before)
    stored.refresh_from_db()
    assert stored.version == current + 1 and rules.budget_from_dict(stored.figures) == after


def test_cached_figures_are_worked_out_again_after_any_change(world: dict[str, Any], db: None) -> None:
    member = Member(user=world["lead"], organisation=world["buyer"], roles=frozenset({Role.SOCIAL_VALUE_LEAD}))
    year = FinancialYear.objects.get(pk=world["year"].pk)
    before = budget_get(member=member, year=year, as_at=AS_AT)
    with CaptureQueriesContext(connection) as read_again:
        assert budget_get(member=member, year=year, as_at=AS_AT) == before
    assert len(read_again) <= 3  # the figures version and the spend check: nothing is worked out again
    # A contract manager verifies the pending JOBS line: the next read counts it.
    line = ReturnLine.objects.get(commitment=world["c1"], status=LineStatus.PENDING)
    line.status = LineStatus.VERIFIED
    line.save()
    after = budget_get(member=member, year=year, as_at=AS_AT)
    jobs = next(m for m in after.departments[0].measures if m.code == "JOBS")
    assert (jobs.quantities.verified, before.departments[0].measures[1].quantities.verified) == (D("3"), D("2"))
    # Evidence taken off a line is a change too: JOBS evidenced goes from 2 to 0.
    ReturnLine.objects.filter(commitment=world["c1"]).exclude(evidence=None).get().evidence.clear()
    again = budget_get(member=member, year=year, as_at=AS_AT)
    assert next(m for m in again.departments[0].measures if m.code == "JOBS").quantities.evidenced == D("0")
