"""The valuation rules (pure Decimal arithmetic): worked examples checked by hand, and properties checked
by hypothesis — totals do not depend on the order of lines or on splitting a quantity, net never exceeds
gross, no adjustments means net equals gross, and re-basing with an index ratio of 1 changes nothing."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonweal.core.errors import ApplicationError
from commonweal.core.formatting import money_rate
from commonweal.frameworks.models import ValueType
from commonweal.frameworks.valuation import (
    ClaimLine,
    Deflator,
    Valuation,
    ValueEntry,
    ValueTotals,
    as_percent,
    pennies,
    valuate,
)

LOCAL = ValueType.LOCAL_ECONOMIC.value
SOCIAL = ValueType.ADDITIONAL_SOCIAL.value
D = Decimal


def line(code: str, quantity: str, value_type: str = SOCIAL) -> ClaimLine:
    return ClaimLine(measure_code=code, value_type=value_type, quantity=D(quantity))


# --- Worked examples ---------------------------------------------------------------------------------


def test_local_jobs_example_gross_and_net_worked_by_hand():
    # 12.5 FTE local jobs at £10,000 an FTE-year, counted for 2 years.
    # gross = 12.5 × 10,000 × 2                                   = £250,000.00
    # kept after adjustments = (1 − 0.20 deadweight)(1 − 0 displacement)(1 − 0.10 attribution) = 0.72
    # years counted = 1 + (1 − 0.50 drop-off)                      = 1.5
    # net = 12.5 × 10,000 × 0.72 × 1.5 = 125,000 × 1.08            = £135,000.00
    entry = ValueEntry(
        value_per_unit=D("10000"),
        base_year=2024,
        deadweight=D("0.20"),
        attribution=D("0.10"),
        drop_off=D("0.50"),
        duration_years=2,
        source="Worked example",
    )
    result = valuate([line("JOBS.1.1", "12.5", LOCAL)], {"JOBS.1.1": entry}, value_set="Example (ex)")

    assert result.local_economic == ValueTotals(gross=D("250000.00"), net=D("135000.00"))
    assert result.additional_social == ValueTotals(gross=D("0.00"), net=D("0.00"))
    (worked,) = result.lines
    assert (worked.quantity, worked.gross, worked.net) == (D("12.5"), D("250000"), D("135000"))
    assert result.value_set == "Example (ex)"
    assert result.price_basis == "2024 prices"


def test_all_four_adjustments_and_three_years_of_drop_off_worked_by_hand():
    # 100 units × £50 for 3 years: gross = 100 × 50 × 3 = £15,000.00
    # kept = (1 − 0.10)(1 − 0.25)(1 − 0.20) = 0.9 × 0.75 × 0.8 = 0.54
    # years counted = 1 + 0.9 + 0.81 = 2.71 (10% drop-off a year after the first)
    # net = 100 × 50 × 0.54 × 2.71 = 2,700 × 2.71 = £7,317.00
    entry = ValueEntry(
        value_per_unit=D("50"),
        base_year=2023,
        deadweight=D("0.10"),
        displacement=D("0.25"),
        attribution=D("0.20"),
        drop_off=D("0.10"),
        duration_years=3,
    )
    result = valuate([line("COMM.1.1", "100")], {"COMM.1.1": entry})
    assert result.additional_social == ValueTotals(gross=D("15000.00"), net=D("7317.00"))


def test_re_basing_multiplies_by_the_ratio_of_the_price_year_index_to_the_base_year_index():
    # £100 in 2020 prices; index 2020 = 80, 2025 = 100: factor 100 ÷ 80 = 1.25.
    # 3 units, 1 year: gross = net = 3 × 100 × 1.25 = £375.00 in 2025 prices.
    entry = ValueEntry(value_per_unit=D("100"), base_year=2020)
    deflator = Deflator(title="GDP deflator", index={2020: D("80"), 2025: D("100")})
    result = valuate([line("X", "3")], {"X": entry}, price_year=2025, deflator=deflator)
    assert result.additional_social == ValueTotals(gross=D("375.00"), net=D("375.00"))
    assert result.lines[0].rebase_factor == D("1.25")
    assert result.price_basis == "2025 prices"
    assert result.deflator == "GDP deflator"


def test_each_figure_is_re_based_from_its_own_base_year():
    # A: £10 in 2020 prices, index 2020 = 50 → × 2 = £20 a unit in 2024 prices; 1 unit = £20.00
    # B: £10 in 2022 prices, index 2022 = 80 → × 1.25 = £12.50 a unit; 2 units = £25.00
    entries = {"A": ValueEntry(value_per_unit=D("10"), base_year=2020), "B": ValueEntry(D("10"), base_year=2022)}
    deflator = Deflator(title="Index", index={2020: D("50"), 2022: D("80"), 2024: D("100")})
    result = valuate([line("A", "1"), line("B", "2")], entries, price_year=2024, deflator=deflator)
    assert result.additional_social.gross == D("45.00")
    assert result.base_years == (2020, 2022)


def test_totals_are_rounded_once_half_up_not_line_by_line():
    # Three measures each worth £0.004: each line shows £0.00, but the total is £0.012 → £0.01.
    entries = {code: ValueEntry(value_per_unit=D("0.004"), base_year=2024) for code in "ABC"}
    result = valuate([line(code, "1") for code in "ABC"], entries)
    assert [valued.gross_pennies for valued in result.lines] == [D("0.00")] * 3
    assert result.additional_social.gross == D("0.01")
    # Exactly half a penny rounds up (half-even would give £0.00).
    half = valuate([line("A", "1")], {"A": ValueEntry(value_per_unit=D("0.005"), base_year=2024)})
    assert half.additional_social.gross == D("0.01")
    assert pennies(D("2.675")) == D("2.68")
    assert pennies(D("-2.675")) == D("-2.68")


def test_local_economic_and_additional_social_value_are_totalled_apart_with_no_combined_total():
    entries = {"L": ValueEntry(D("1"), base_year=2024), "S": ValueEntry(D("2"), base_year=2024)}
    result = valuate([line("L", "10", LOCAL), line("S", "10", SOCIAL)], entries)
    assert result.local_economic.gross == D("10.00")
    assert result.additional_social.gross == D("20.00")
    assert not any("total" in name for name in Valuation.__dataclass_fields__)
    assert [valued.measure_code for valued in result.lines_of(LOCAL)] == ["L"]


def test_a_measure_with_no_value_is_listed_as_not_valued_with_its_raw_quantity():
    result = valuate(
        [line("VALUED", "2"), line("UNVALUED", "7.5", LOCAL), line("UNVALUED", "0.5", LOCAL)],
        {"VALUED": ValueEntry(D("3"), base_year=2024)},
    )
    assert [(n.measure_code, n.value_type, n.quantity) for n in result.not_valued] == [("UNVALUED", LOCAL, D("8.0"))]
    assert result.local_economic == ValueTotals(D("0.00"), D("0.00"))
    assert result.additional_social.gross == D("6.00")


def test_lines_of_one_measure_are_added_before_valuing():
    result = valuate([line("A", "1.25"), line("A", "2.75")], {"A": ValueEntry(D("10"), base_year=2024)})
    (valued,) = result.lines
    assert valued.quantity == D("4")
    assert valued.gross == D("40")


def test_nothing_to_value_gives_zero_totals():
    result = valuate([], {})
    assert result.local_economic == result.additional_social == ValueTotals(D("0.00"), D("0.00"))
    assert result.price_basis == "no prices (nothing was valued)"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"price_year": 2025, "deflator": Deflator("GDP deflator", {2025: D("100")})},
            "deflator",
            "The deflator series “GDP deflator” has no index for 2020: add it to the series or choose another",
        ),
        (
            {"price_year": 2026, "deflator": Deflator("GDP deflator", {2020: D("90"), 2025: D("100")})},
            "deflator",
            "The deflator series “GDP deflator” has no index for 2026: add it to the series or choose another",
        ),
        (
            {"price_year": 2025},
            "deflator",
            "Choose a deflator series to re-base the values to the price year",
        ),
        (
            {"deflator": Deflator("GDP deflator", {2020: D("90")})},
            "price_year",
            "Enter the price year to re-base the values to",
        ),
    ],
)
def test_re_basing_without_the_index_it_needs_is_refused_with_a_clear_message(kwargs, field, message):
    with pytest.raises(ApplicationError) as refused:
        valuate([line("A", "1")], {"A": ValueEntry(D("10"), base_year=2020)}, **kwargs)
    assert refused.value.field_errors == {field: message}


def test_no_deflator_is_needed_when_the_price_year_is_the_base_year():
    result = valuate([line("A", "1")], {"A": ValueEntry(D("10"), base_year=2024)}, price_year=2024)
    assert result.additional_social.gross == D("10.00")
    assert not result.lines[0].is_rebased


def test_values_in_different_price_years_are_not_added_without_re_basing():
    entries = {"A": ValueEntry(D("1"), base_year=2020), "B": ValueEntry(D("1"), base_year=2024)}
    with pytest.raises(ApplicationError) as refused:
        valuate([line("A", "1"), line("B", "1")], entries)
    assert refused.value.field_errors == {
        "price_year": "The values are in different price years (2020, 2024): enter one"
    }


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("-1", "X: the quantity must be 0 or more."), ("NaN", "X: the quantity must be a number.")],
)
def test_a_negative_or_non_numeric_quantity_is_refused(quantity, message):
    with pytest.raises(ApplicationError, match=message):
        valuate([line("X", quantity)], {})


def test_money_and_percentage_labels():
    assert [money_rate(D(v)) for v in ["10000.0000", "12.5", "0.1234"]] == ["£10,000.00", "£12.50", "£0.1234"]
    assert [as_percent(D(v)) for v in ["0.2000", "0.125", "1", "0"]] == [D("20"), D("12.5"), D("100"), D("0")]


# --- Properties ---------------------------------------------------------------------------------------

CODES = ["A", "B", "C", "D", "E", "F"]  # F never has a value
YEARS = [2020, 2022, 2024]
PRICE_YEAR = 2025

fractions = st.decimals(min_value=0, max_value=1, places=4)
quantities = st.decimals(min_value=0, max_value=10**7, places=2)


@st.composite
def value_entries(draw, base_years=YEARS, adjusted=True):
    return ValueEntry(
        value_per_unit=draw(st.decimals(min_value=0, max_value=10**6, places=4)),
        base_year=draw(st.sampled_from(base_years)),
        deadweight=draw(fractions) if adjusted else D(0),
        attribution=draw(fractions) if adjusted else D(0),
        displacement=draw(fractions) if adjusted else D(0),
        drop_off=draw(fractions) if adjusted else D(0),
        duration_years=draw(st.integers(min_value=1, max_value=10)) if adjusted else 1,
        source="Generated",
    )


def tables(base_years=YEARS, adjusted=True):
    return st.dictionaries(st.sampled_from(CODES[:-1]), value_entries(base_years, adjusted), min_size=1)


claim_lines = st.lists(
    st.builds(ClaimLine, st.sampled_from(CODES), st.sampled_from([LOCAL, SOCIAL]), quantities), max_size=12
)
deflators = st.builds(
    Deflator,
    st.just("Generated index"),
    st.fixed_dictionaries(
        {year: st.decimals(min_value=D("0.000001"), max_value=D("999999"), places=6) for year in [*YEARS, PRICE_YEAR]}
    ),
)


@given(lines=claim_lines, entries=tables(), deflator=deflators, data=st.data())
def test_totals_do_not_depend_on_the_order_of_lines(lines, entries, deflator, data):
    shuffled = data.draw(st.permutations(lines))
    first = valuate(lines, entries, price_year=PRICE_YEAR, deflator=deflator)
    assert valuate(shuffled, entries, price_year=PRICE_YEAR, deflator=deflator) == first


@given(lines=claim_lines.filter(bool), entries=tables(), deflator=deflators, data=st.data())
def test_splitting_a_line_into_parts_that_add_up_to_it_changes_nothing(lines, entries, deflator, data):
    index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    whole = lines[index]
    cents = int(whole.quantity * 100)
    cuts = sorted(data.draw(st.lists(st.integers(min_value=0, max_value=cents), max_size=4)))
    bounds = [0, *cuts, cents]
    parts = [
        ClaimLine(whole.measure_code, whole.value_type, D(high - low) / 100) for low, high in itertools.pairwise(bounds)
    ]
    assert sum(part.quantity for part in parts) == whole.quantity
    split = [*lines[:index], *parts, *lines[index + 1 :]]
    expected = valuate(lines, entries, price_year=PRICE_YEAR, deflator=deflator)
    assert valuate(split, entries, price_year=PRICE_YEAR, deflator=deflator) == expected


@given(lines=claim_lines, entries=tables(), deflator=deflators)
def test_net_is_never_more_than_gross(lines, entries, deflator):
    result = valuate(lines, entries, price_year=PRICE_YEAR, deflator=deflator)
    for totals in (result.local_economic, result.additional_social):
        assert totals.net <= totals.gross
    for valued in result.lines:
        assert valued.net <= valued.gross


@given(lines=claim_lines, entries=tables(base_years=[2024], adjusted=False))
def test_with_no_adjustments_over_one_year_net_equals_gross(lines, entries):
    result = valuate(lines, entries)
    assert result.local_economic.net == result.local_economic.gross
    assert result.additional_social.net == result.additional_social.gross
    assert all(valued.net == valued.gross for valued in result.lines)


@given(
    lines=claim_lines,
    entries=tables(base_years=[2024]),
    level=st.decimals(min_value=D("0.000001"), max_value=D("999999"), places=6),
)
def test_re_basing_with_an_index_ratio_of_one_changes_nothing(lines, entries, level):
    flat = Deflator(title="Flat index", index={2024: level, PRICE_YEAR: level})
    rebased = valuate(lines, entries, price_year=PRICE_YEAR, deflator=flat)
    plain = valuate(lines, entries)
    assert (rebased.local_economic, rebased.additional_social) == (plain.local_economic, plain.additional_social)
    assert [(v.gross, v.net) for v in rebased.lines] == [(v.gross, v.net) for v in plain.lines]
