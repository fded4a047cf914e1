"""The demo's departments, financial years and social value budget, its year-long CCTV contract (like
Stockton-on-Tees'), and the value types of the starter measures it is valued with."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from commonweal.core.models import AuditEvent
from commonweal.delivery.models import Agreement, DeliveryReturn, LineStatus, ReturnLine, ReturnLineEvent
from commonweal.demo.services import demo_load
from commonweal.frameworks.interchange import document_load
from commonweal.frameworks.models import Measure, ValueType
from commonweal.frameworks.selectors_value_sets import valuation_for
from commonweal.frameworks.services_interchange import STARTER_FRAMEWORK
from commonweal.frameworks.valuation import ValueTotals
from commonweal.procurement.models import Procurement
from commonweal.reporting.models import BudgetLine, Consultation, FinancialYear, ImpactReport, Panel, Publication
from commonweal.reporting.selectors_budget import budget_compute
from commonweal.tenancy.models import Department, Organisation
from commonweal.tenancy.selectors import Member

LOCAL = ValueType.LOCAL_ECONOMIC.value
SOCIAL = ValueType.ADDITIONAL_SOCIAL.value
YEAR_START, YEAR_END = date(2025, 4, 1), date(2026, 3, 31)


def test_the_starter_framework_says_local_jobs_and_local_spend_are_local_economic_value():
    document = document_load(STARTER_FRAMEWORK)
    assert {measure.code: measure.value_type for measure in document.measures} == {
        "JOBS.1.1": LOCAL,  # local people employed
        "JOBS.1.2": SOCIAL,  # apprenticeship weeks
        "JOBS.2.1": SOCIAL,  # work experience placements
        "ECON.1.1": LOCAL,  # spend with local small businesses and social enterprises
        "COMM.1.1": SOCIAL,  # volunteering
        "ENV.1.1": SOCIAL,  # carbon avoided
    }


@pytest.fixture
def demo(db: None) -> Organisation:
    demo_load(spend=False, procurement=False)
    return Organisation.objects.get(slug="northfield")


def cctv() -> Agreement:
    return Agreement.objects.select_related("department", "supplier", "value_set").get(reference="NBC-2025-118")


def test_the_cctv_contract_values_local_spend_and_jobs_as_local_economic_value_and_apprenticeships_as_social(
    demo: Organisation,
) -> None:
    # The Stockton case: £10,000 local spend, 2 FTE local posts and 39 apprenticeship weeks, valued
    # with the demo value set (£1 a £ of local spend, £14,000 an FTE-year, £300 an apprenticeship week, all
    # with 20% deadweight, one year).
    agreement = cctv()
    assert agreement.value_set is not None and agreement.value_set.code == "northfield-demo-values"
    lines = [(c.measure, c.target_quantity) for c in agreement.commitments.select_related("measure")]
    assert sorted((measure.code, quantity) for measure, quantity in lines) == [
        ("ECON.1.1", D("10000.00")),
        ("JOBS.1.1", D("2.00")),
        ("JOBS.1.2", D("39.00")),
    ]
    valuation = valuation_for(member=Member.system(demo), value_set=agreement.value_set, lines=lines)
    assert {line.measure_code: line.value_type for line in valuation.lines} == {
        "ECON.1.1": LOCAL,
        "JOBS.1.1": LOCAL,
        "JOBS.1.2": SOCIAL,
    }
    # Local economic value: 10,000 × £1 + 2 × £14,000 = £38,000 gross; × 0.8 = £30,400 net.
    assert valuation.local_economic == ValueTotals(gross=D("38000.00"), net=D("30400.00"))
    # Additional social value: 39 × £300 = £11,700 gross; × 0.8 = £9,360 net.
    assert valuation.additional_social == ValueTotals(gross=D("11700.00"), net=D("9360.00"))
    assert valuation.not_valued == ()


def test_the_cctv_contract_was_delivered_and_verified_within_2025_26(demo: Organisation) -> None:
    agreement = cctv()
    assert agreement.supplier.is_sme is True
    assert agreement.department is not None and agreement.department.name == "Community safety"
    assert (agreement.value, agreement.start_date, agreement.end_date) == (D("234000.00"), YEAR_START, YEAR_END)
    returns = list(DeliveryReturn.objects.filter(agreement=agreement).select_related("period").order_by("submitted_at"))
    assert [r.period.start_date for r in returns if r.period] == [
        date(2025, 4, 1),
        date(2025, 7, 1),
        date(2025, 10, 1),
        date(2026, 1, 1),
    ]
    for delivery_return in returns:
        assert delivery_return.submitted_at is not None
        assert YEAR_START <= delivery_return.submitted_at.date() <= YEAR_END
        assert delivery_return.evidence.count() == 1
    lines = ReturnLine.objects.filter(delivery_return__agreement=agreement).select_related(
        "delivery_return", "commitment__measure"
    )
    assert {line.status for line in lines} == {LineStatus.VERIFIED}
    for line in lines:
        submitted = line.delivery_return.submitted_at
        assert line.reviewed_at is not None and submitted is not None and submitted < line.reviewed_at
        assert YEAR_START <= line.reviewed_at.date() <= YEAR_END
    for event in ReturnLineEvent.objects.filter(line__in=lines):
        assert YEAR_START <= event.created_at.date() <= YEAR_END
    totals = {
        code: sum((line.quantity for line in lines if line.commitment.measure.code == code), D(0))
        for code in ("ECON.1.1", "JOBS.1.1", "JOBS.1.2")
    }
    assert totals == {"ECON.1.1": D("10000.00"), "JOBS.1.1": D("2.00"), "JOBS.1.2": D("39.00")}


def test_the_demo_has_departments_years_and_budget_lines_and_an_open_2025_26(demo: Organisation) -> None:
    assert list(Department.objects.filter(organisation=demo).values_list("name", flat=True)) == [
        "Adult social care",
        "Community safety",
        "Culture and libraries",
        "Environment and streets",
    ]
    assert dict(Agreement.objects.filter(organisation=demo).values_list("reference", "department__name")) == {
        "NBC-2025-118": "Community safety",
        "NBC-2025-203": "Environment and streets",
        "NBC-2026-014": "Culture and libraries",
    }
    years = {year.start_year: year for year in FinancialYear.objects.filter(organisation=demo)}
    assert sorted(years) == [2025, 2026]
    for year in years.values():
        assert year.value_set is not None and year.value_set.code == "northfield-demo-values"
        assert not year.is_closed and year.frozen is None
    # 2025/26 has a published impact report, signed off by the councillor, its figures kept as published.
    report = ImpactReport.objects.get(organisation=demo)
    assert (report.year.start_year, report.state, report.signed_off_by.email) == (  # type: ignore[union-attr]
        2025,
        "published",
        "councillor@northfield.example",
    )
    version = report.versions.get()
    assert version.number == 1 and version.snapshot["budget"]["label"] == "2025/26"
    assert [section["heading"] for section in version.snapshot["sections"]] == [
        "What we set out to do",
        "Our CCTV network and control room",
    ]
    by_department = {
        (line.year.start_year, line.department.name): line
        for line in BudgetLine.objects.filter(organisation=demo).select_related("year", "department")
    }
    # Every department has lines in both years.
    assert set(by_department) == {
        (year, name)
        for year in (2025, 2026)
        for name in ("Adult social care", "Community safety", "Culture and libraries", "Environment and streets")
    }
    safety = BudgetLine.objects.filter(year=years[2025], department__name="Community safety")
    assert sorted(safety.values_list("measure__code", "target_quantity")) == [
        ("ECON.1.1", D("10000.00")),
        ("JOBS.1.1", D("2.00")),
        ("JOBS.1.2", D("39.00")),
    ]
    pound_line = BudgetLine.objects.get(target_amount__isnull=False)
    assert (pound_line.year.start_year, pound_line.department.name, pound_line.measure.code) == (
        2026,
        "Culture and libraries",
        "ECON.1.1",
    )
    assert (pound_line.target_amount, pound_line.amount_basis) == (D("200000.00"), "gross")


def test_the_2025_26_budget_of_the_demo_counts_the_cctv_contract_apart_by_value_type(demo: Organisation) -> None:
    budget = budget_compute(organisation=demo, year=FinancialYear.objects.get(organisation=demo, start_year=2025))
    safety = next(department for department in budget.departments if department.name == "Community safety")
    assert (safety.agreements, safety.agreement_value) == (1, D("234000.00"))
    quantities = {measure.code: measure.quantities for measure in safety.measures}
    for code, quantity in (("ECON.1.1", D("10000.00")), ("JOBS.1.1", D("2.00")), ("JOBS.1.2", D("39.00"))):
        assert (
            quantities[code].committed,
            quantities[code].claimed,
            quantities[code].evidenced,
            quantities[code].verified,
        ) == (quantity, quantity, quantity, quantity)
    verified = next(row for row in safety.money if row.state == "verified")
    assert (verified.local_economic.gross, verified.local_economic.net) == (D("38000.00"), D("30400.00"))
    assert (verified.additional_social.gross, verified.additional_social.net) == (D("11700.00"), D("9360.00"))
    # Nothing else was delivered in 2025/26: the organisation's totals are the CCTV contract's.
    assert next(row for row in budget.totals if row.state == "verified") == verified
    lines = {line.measure_code: line for line in safety.lines}
    assert (lines["JOBS.1.2"].target, lines["JOBS.1.2"].actual.verified, lines["JOBS.1.2"].variance) == (
        D("39.00"),
        D("39.00"),
        D("0.00"),
    )
    (share,) = [share for share in budget.shares if share.reference == "NBC-2025-118"]
    # Social value as a share of the £234,000 spent, each value type apart: 38,000 / 234,000 and 11,700 / 234,000.
    assert share.percent("verified", LOCAL, "gross") == D("16.2")
    assert share.percent("verified", SOCIAL, "gross") == D("5.0")
    assert share.percent("verified", SOCIAL, "net") == D("4.0")


COUNTED = [Department, FinancialYear, BudgetLine, Agreement, DeliveryReturn, ReturnLine, ReturnLineEvent, AuditEvent]


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


@pytest.mark.django_db
def test_loading_the_demo_twice_adds_no_department_year_line_or_return() -> None:
    first = demo_load(spend=False)
    before = counts()
    assert (before["Department"], before["FinancialYear"], before["BudgetLine"]) == (4, 2, 18)
    assert Procurement.objects.filter(department__name="Environment and streets").count() == 1
    assert demo_load(spend=False).created == []
    assert counts() == before
    assert "financial year 2025/26" in first.created


@pytest.mark.django_db
def test_an_agreement_loaded_before_departments_gets_its_department_and_nothing_else_changes() -> None:
    demo_load(spend=False, procurement=False)
    Agreement.objects.filter(reference="NBC-2026-014").update(department=None)
    line = BudgetLine.objects.get(year__start_year=2026, department__name="Community safety", measure__code="JOBS.1.2")
    BudgetLine.objects.filter(pk=line.pk).update(target_quantity=D("25"))  # a lead's change is kept
    assert demo_load(spend=False, procurement=False).created == ["department of agreement NBC-2026-014"]
    assert Agreement.objects.get(reference="NBC-2026-014").department.name == "Culture and libraries"  # type: ignore[union-attr]
    line.refresh_from_db()
    assert line.target_quantity == D("25.00")


def test_the_demo_council_has_a_public_hub_with_two_stories_and_a_rating(demo: Organisation, client: Client) -> None:
    publication = Publication.objects.get(organisation=demo)
    snapshot = publication.snapshot
    assert [story["title"] for story in snapshot["stories"]] == [
        "An apprentice on the tools",
        "Back to work in the control room",
    ]
    assert [page["slug"] for page in snapshot["pages"]] == ["guidance-for-suppliers", "social-value-policy"]
    assert [(rating["contract_reference"], rating["rating"]) for rating in snapshot["performance"]] == [
        ("NBC-2025-118", "good")
    ]
    assert [report["year_label"] for report in snapshot["reports"]] == ["2025/26"]
    home = client.get(reverse("hub:home", kwargs={"org": "northfield"}))
    assert home.status_code == 200 and "2 stories from people the work helped" in home.content.decode()


def test_the_demo_council_has_a_closed_consultation_with_results(demo: Organisation, client: Client) -> None:
    consultation = Consultation.objects.get(organisation=demo)
    assert consultation.closes_on == date(2026, 2, 15) and consultation.published_at is not None
    assert consultation.responses.count() == 125
    assert [option.outcome.code if option.outcome else "" for option in consultation.options.all()] == [
        Measure.objects.filter(code=code, version__organisation=demo).first().outcome.code  # type: ignore[union-attr]
        for code in ("JOBS.1.2", "COMM.1.1", "ECON.1.1")
    ]
    page = client.get(reverse("hub:consultation-results", kwargs={"org": "northfield", "pk": consultation.pk}))
    assert (
        page.status_code == 200 and "You said apprenticeships for young people mattered most" in page.content.decode()
    )


def test_the_demo_council_has_a_panel_with_a_meeting_and_two_needs(demo: Organisation) -> None:
    panel = Panel.objects.get(organisation=demo)
    meeting = panel.meetings.get()
    assert (panel.name, meeting.held_on) == ("Northfield VCSE Forum", date(2026, 2, 3))
    assert [organisation.slug for organisation in meeting.attending.all()] == ["riverside-trust"]
    assert [(need.kind, need.state, need.raised_by_id is not None) for need in meeting.needs.all()] == [
        ("materials", "open", True),
        ("jobs", "passed_on", False),
    ]
