"""Spend analysis over a small hand-checked world (tests/spend_analysis_data.py): every figure is
asserted exactly, with the arithmetic beside it."""

import datetime
from decimal import Decimal

import pytest

from commonweal.spend import analytics
from commonweal.spend.analytics import SpendFilter
from commonweal.spend.models import SpendPolicy
from commonweal.spend.summary import spend_summary, summary_data
from tests.conftest import Tenant

from .spend_analysis_data import CITY_OF_LONDON, HARTLEPOOL, spend_world

D = Decimal


@pytest.fixture
def council(tenant_a: Tenant) -> Tenant:
    spend_world(tenant_a.buyer)
    return tenant_a


def test_headline_counts_credits_and_redacted_payments_in_the_totals(council: Tenant) -> None:
    headline = analytics.spend_headline(organisation=council.buyer)
    assert headline.total == D("12900.00")  # 1000 + 500 - 100 + 2000 + 5000 + 1500 + 800 + 300 + 700 + 1200
    assert headline.payments == 10
    assert (headline.credits, headline.credit_payments) == (D("-100.00"), 1)
    assert (headline.redacted, headline.redacted_payments) == (D("700.00"), 1)
    assert headline.redacted_percent == D("5.43")  # 700 / 12900 = 5.426%
    assert headline.influenceable == D("11700.00")  # the precept (1200) is left out
    assert headline.influenceable_percent == D("90.70")
    assert headline.suppliers == 8  # distinct normalised names; the redacted payment has none
    assert (headline.first_date, headline.last_date) == (datetime.date(2024, 4, 10), datetime.date(2025, 4, 1))


def test_shares_are_given_of_classified_and_of_all_spend_with_the_unknown_beside_them(council: Tenant) -> None:
    shares = {share.label: share for share in analytics.spend_shares(organisation=council.buyer)}
    local = shares["local"]
    # Local: Northgate 1400 (three payments, one through its alias, one a credit) + Riverside 2000.
    assert (local.amount, local.not_amount) == (D("3400.00"), D("6500.00"))  # not: Megacorp 5000 + Distant 1500
    # Not known: Unknown Things 800 + Unregistered 300 + redacted 700 + the precept 1200.
    assert (local.unknown, local.redacted) == (D("3000.00"), D("700.00"))
    assert local.percent_of_classified == D("34.34")  # 3400 / 9900
    assert local.percent_of_all == D("26.36")  # 3400 / 12900
    assert local.unknown_percent == D("23.26")  # 3000 / 12900

    sme = shares["sme"]
    assert (sme.amount, sme.not_amount, sme.unknown) == (D("4900.00"), D("5000.00"), D("3000.00"))
    assert (sme.percent_of_classified, sme.percent_of_all) == (D("49.49"), D("37.98"))  # 4900/9900, 4900/12900

    vcse = shares["vcse"]  # Distant's VCSE status is not known
    assert (vcse.amount, vcse.not_amount, vcse.unknown) == (D("2000.00"), D("6400.00"), D("4500.00"))
    assert (vcse.percent_of_classified, vcse.percent_of_all) == (D("23.81"), D("15.50"))  # 2000/8400, 2000/12900

    living_wage = shares["living_wage"]
    assert (living_wage.amount, living_wage.not_amount) == (D("1400.00"), D("5000.00"))
    assert living_wage.percent_of_classified == D("21.88")  # 1400 / 6400 = 21.875, rounded half up
    assert living_wage.percent_of_all == D("10.85")


def test_a_share_is_not_given_when_nothing_is_classified(council: Tenant) -> None:
    shares = analytics.spend_shares(organisation=council.buyer, spend_filter=SpendFilter(service_area="Corporate"))
    local = shares[0]
    assert (local.total, local.classified, local.unknown) == (D("1200.00"), D("0.00"), D("1200.00"))
    assert local.percent_of_classified is None
    assert local.percent_of_all == D("0.00")


def test_spend_by_month_and_by_financial_year(council: Tenant) -> None:
    months = analytics.spend_by_period(organisation=council.buyer, period="month")
    assert [(month.name, month.amount, month.payments, month.local, month.not_local) for month in months] == [
        ("2024-04", D("1000.00"), 1, D("1000.00"), D("0.00")),
        ("2024-05", D("400.00"), 2, D("400.00"), D("0.00")),
        ("2024-06", D("7000.00"), 2, D("2000.00"), D("5000.00")),
        ("2024-07", D("700.00"), 1, D("0.00"), D("0.00")),
        ("2024-08", D("1200.00"), 1, D("0.00"), D("0.00")),
        ("2025-01", D("1500.00"), 1, D("0.00"), D("1500.00")),
        ("2025-03", D("800.00"), 1, D("0.00"), D("0.00")),
        ("2025-04", D("300.00"), 1, D("0.00"), D("0.00")),
    ]
    assert months[3].local_unknown == D("700.00")
    years = analytics.spend_by_period(organisation=council.buyer, period="financial_year")
    # 31 March 2025 is the last day of 2024-25; 1 April 2025 the first of 2025-26.
    assert [(year.name, year.start, year.amount, year.payments) for year in years] == [
        ("2024-25", datetime.date(2024, 4, 1), D("12600.00"), 9),
        ("2025-26", datetime.date(2025, 4, 1), D("300.00"), 1),
    ]
    assert years[0].local_percent_of_classified == D("34.34")


def test_spend_by_service_area_and_expense_type_largest_first(council: Tenant) -> None:
    areas = analytics.spend_by_service_area(organisation=council.buyer)
    assert [(area.name, area.amount, area.payments, area.local) for area in areas] == [
        ("Highways", D("6500.00"), 2, D("0.00")),
        ("Adult Social Care", D("2700.00"), 2, D("2000.00")),
        ("Schools", D("2500.00"), 5, D("1400.00")),
        ("Corporate", D("1200.00"), 1, D("0.00")),
    ]
    types = analytics.spend_by_expense_type(organisation=council.buyer, limit=2)
    assert [(item.name, item.amount) for item in types] == [("Construction", D("5000.00")), ("Grants", D("2000.00"))]


def test_top_suppliers_add_a_supplier_s_aliases_and_leave_out_redacted_payments(council: Tenant) -> None:
    suppliers = analytics.spend_top_suppliers(organisation=council.buyer, limit=10)
    assert [(s.rank, s.name, s.amount, s.payments, s.local) for s in suppliers] == [
        (1, "Megacorp PLC", D("5000.00"), 1, False),
        (2, "Riverside Trust", D("2000.00"), 1, True),
        (3, "Distant Supplies Ltd", D("1500.00"), 1, False),
        (4, "Northgate Bakery Ltd", D("1400.00"), 3, True),  # 1000 + 500 (its alias) - 100
        (5, "POLICE AND CRIME COMMISSIONER", D("1200.00"), 1, None),  # not in the registry
        (6, "Unknown Things Ltd", D("800.00"), 1, None),
        (7, "UNREGISTERED CO", D("300.00"), 1, None),
    ]
    assert suppliers[0].district_code == CITY_OF_LONDON and suppliers[0].district_name == "City of London"
    assert suppliers[4].supplier_id is None
    assert len(analytics.spend_top_suppliers(organisation=council.buyer, limit=2)) == 2


def test_leakage_is_non_local_spend_by_district(council: Tenant) -> None:
    leakage = analytics.spend_leakage(organisation=council.buyer)
    assert (leakage.total, leakage.not_local, leakage.unknown) == (D("12900.00"), D("6500.00"), D("3000.00"))
    assert leakage.not_local_percent == D("50.39")  # 6500 / 12900
    assert [(d.district_code, d.district_name, d.amount, d.suppliers) for d in leakage.districts] == [
        (CITY_OF_LONDON, "City of London", D("5000.00"), 1),
        (HARTLEPOOL, "Hartlepool", D("1500.00"), 1),
    ]


def test_local_spend_by_deprivation_decile_of_the_supplier_s_district(council: Tenant) -> None:
    deciles = analytics.spend_by_deprivation(organisation=council.buyer)
    assert [item.decile for item in deciles] == list(range(1, 11))
    by_decile = {item.decile: (item.amount, item.suppliers) for item in deciles}
    assert by_decile[1] == (D("2000.00"), 1)  # Riverside, in Middlesbrough
    assert by_decile[7] == (D("1400.00"), 1)  # Northgate, in Trafford
    assert sum(item.amount for item in deciles) == D("3400.00")  # all local spend


def test_influenceable_spend_by_rule(council: Tenant) -> None:
    influence = analytics.spend_influence(organisation=council.buyer)
    assert (influence.total, influence.influenceable, influence.not_influenceable) == (
        D("12900.00"),
        D("11700.00"),
        D("1200.00"),
    )
    assert [(rule.rule, rule.amount, rule.payments) for rule in influence.rules] == [
        ("Expense type contains “precept”", D("1200.00"), 1)
    ]
    assert influence.ignored_rules == []


def test_rules_match_ignoring_case_and_the_first_matching_rule_takes_the_payment(council: Tenant) -> None:
    SpendPolicy.objects.filter(organisation=council.buyer).update(
        not_influenceable_rules=[
            {"field": "service_area", "equals": "HIGHWAYS"},
            {"field": "expense_type", "starts_with": "construct"},
            {"field": "nonsense", "contains": "x"},
            {"field": "expense_type"},
        ]
    )
    influence = analytics.spend_influence(organisation=council.buyer)
    assert [(rule.amount, rule.payments) for rule in influence.rules] == [(D("6500.00"), 2), (D("0.00"), 0)]
    assert influence.influenceable == D("6400.00")
    assert len(influence.ignored_rules) == 2
    only = analytics.spend_headline(
        organisation=council.buyer, spend_filter=SpendFilter(include_not_influenceable=False)
    )
    assert only.total == D("6400.00")


@pytest.mark.parametrize(
    ("spend_filter", "total", "payments"),
    [
        (SpendFilter(date_from=datetime.date(2024, 5, 1), date_to=datetime.date(2024, 6, 30)), "7400.00", 4),
        (SpendFilter(date_to=datetime.date(2024, 4, 10)), "1000.00", 1),
        (SpendFilter(date_from=datetime.date(2025, 3, 31)), "1100.00", 2),
        (SpendFilter(service_area="Schools"), "2500.00", 5),
        (SpendFilter(expense_type="Catering"), "1400.00", 3),
        (SpendFilter(local="yes"), "3400.00", 4),
        (SpendFilter(local="no"), "6500.00", 2),
        (SpendFilter(local="unknown"), "3000.00", 4),
        (SpendFilter(sme="no"), "5000.00", 1),
        (SpendFilter(vcse="unknown"), "4500.00", 5),
        (SpendFilter(local="yes", living_wage="unknown"), "2000.00", 1),
        (SpendFilter(include_not_influenceable=False), "11700.00", 9),
        (SpendFilter(service_area=analytics.NOT_GIVEN), "0.00", 0),
    ],
)
def test_filters_choose_the_payments_counted(
    council: Tenant, spend_filter: SpendFilter, total: str, payments: int
) -> None:
    headline = analytics.spend_headline(organisation=council.buyer, spend_filter=spend_filter)
    assert (headline.total, headline.payments) == (D(total), payments)


def test_filters_apply_to_every_breakdown(council: Tenant) -> None:
    local_only = SpendFilter(local="yes")
    with analytics.spend_data(organisation=council.buyer) as data:
        shares = analytics.spend_shares(organisation=council.buyer, spend_filter=local_only, data=data)
        suppliers = analytics.spend_top_suppliers(organisation=council.buyer, spend_filter=local_only, data=data)
        leakage = analytics.spend_leakage(organisation=council.buyer, spend_filter=local_only, data=data)
    assert shares[0].percent_of_all == D("100.00")
    assert [supplier.name for supplier in suppliers] == ["Riverside Trust", "Northgate Bakery Ltd"]
    assert (leakage.not_local, leakage.districts) == (D("0.00"), [])


def test_an_organisation_with_no_imports_has_no_spend(tenant_b: Tenant) -> None:
    assert not analytics.has_spend(organisation=tenant_b.buyer)
    headline = analytics.spend_headline(organisation=tenant_b.buyer)
    assert (headline.total, headline.payments, headline.first_date) == (D("0.00"), 0, None)
    assert analytics.spend_top_suppliers(organisation=tenant_b.buyer) == []
    assert analytics.spend_shares(organisation=tenant_b.buyer)[0].percent_of_all is None
    assert [item.amount for item in analytics.spend_by_deprivation(organisation=tenant_b.buyer)] == [D("0.00")] * 10


def test_one_organisation_s_figures_never_include_another_s(council: Tenant, tenant_b: Tenant) -> None:
    spend_world(tenant_b.buyer)
    assert analytics.spend_headline(organisation=council.buyer).total == D("12900.00")
    with pytest.raises(ValueError, match="another organisation"):
        with analytics.spend_data(organisation=tenant_b.buyer) as data:
            analytics.spend_headline(organisation=council.buyer, data=data)


def test_filter_choices_list_the_service_areas_and_expense_types(council: Tenant) -> None:
    choices = analytics.filter_choices(organisation=council.buyer)
    assert choices["service_area"] == ["Adult Social Care", "Corporate", "Highways", "Schools"]
    assert choices["expense_type"][:3] == ["Care packages", "Catering", "Construction"]


def test_the_summary_gives_every_figure_as_decimal_strings(council: Tenant) -> None:
    data = summary_data(
        spend_summary(organisation=council.buyer, spend_filter=SpendFilter(date_to=datetime.date(2025, 3, 31)))
    )
    assert data["totals"]["total"] == "12600.00"
    assert data["filter"]["date_to"] == "2025-03-31"
    assert data["filter"]["description"] == ["Paid on or before 31 March 2025"]
    local = data["classification"][0]
    assert (local["label"], local["amount"], local["percent_of_classified"]) == ("local", "3400.00", "34.34")
    assert data["influenceable"]["influenceable"] == "11400.00"
    assert data["financial_years"] == [
        {
            "year": "2024-25",
            "amount": "12600.00",
            "payments": 9,
            "local": "3400.00",
            "not_local": "6500.00",
            "local_unknown": "2700.00",
        }
    ]
    assert data["top_suppliers"][0]["name"] == "Megacorp PLC"
