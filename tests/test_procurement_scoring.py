"""The scoring maths (commonweal/procurement/scoring.py): each price method against hand-worked
examples, rounding, ties, disqualification, the social value counterfactual and the model checks."""

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.procurement import scoring
from commonweal.procurement.models import PriceMethod
from commonweal.procurement.scoring import (
    PRICE,
    QUALITY,
    SOCIAL_VALUE,
    BidSpec,
    CriterionSpec,
    Scenario,
    evaluate,
    weights_problems,
)

EXAMPLE = Path(scoring.__file__).parent / "data" / "example-scenario.yaml"
D = Decimal


def rounded(values: list[Decimal]) -> list[Decimal]:
    return [scoring.round_points(value) for value in values]


def criterion(
    code: str, kind: str, weight: str, max_score: str | None = None, minimum: str | None = None
) -> CriterionSpec:
    return CriterionSpec(
        code=code,
        kind=kind,
        weight=D(weight),
        max_score=D(max_score) if max_score is not None else None,
        minimum_score=D(minimum) if minimum is not None else None,
    )


def bid(bidder: str, price: str, excluded: str = "", **scores: str) -> BidSpec:
    return BidSpec(bidder=bidder, price=D(price), scores={code: D(s) for code, s in scores.items()}, excluded=excluded)


def by_bidder(result: scoring.Result) -> dict[str, scoring.BidResult]:
    return {row.bidder: row for row in result.bids}


# --- Price methods, worked by hand -----------------------------------------------------------------


def test_the_price_method_ids_are_the_models_price_methods() -> None:
    assert set(scoring.PRICE_METHODS) == set(PriceMethod.values)
    assert scoring.PRICE_METHOD_LABELS == {method.value: method.label for method in PriceMethod}


def test_lowest_over_bid_gives_the_brodies_worked_example() -> None:
    # Brodies: £1.0m, £1.2m, £2.0m → 100%, 83%, 50% of the price marks.
    # 100 × 1.0/1.0 = 100; 100 × 1.0/1.2 = 83.333…; 100 × 1.0/2.0 = 50.
    points = scoring.lowest_over_bid_points([D("1000000"), D("1200000"), D("2000000")], D("100"))
    assert rounded(points) == [D("100.00"), D("83.33"), D("50.00")]
    assert points[1] == D("83.33333333333333333333333333")


def test_lowest_over_bid_gives_the_negometrix_combined_example() -> None:
    # Negometrix: 70 price points, £8,000 vs £10,000 → 70 vs 56 (70 × 8,000/10,000);
    # with quality points 76 and 88, A 146 vs B 144: A wins on price despite lower quality.
    assert rounded(scoring.price_points(PriceMethod.LOWEST_OVER_BID, [D("8000"), D("10000")], D("70"))) == [
        D("70.00"),
        D("56.00"),
    ]
    result = evaluate(
        Scenario(
            criteria=(criterion("P", PRICE, "70"), criterion("Q", QUALITY, "100", "100")),
            price_method=PriceMethod.LOWEST_OVER_BID,
            bids=(bid("A", "8000", Q="76"), bid("B", "10000", Q="88")),
        )
    )
    rows = by_bidder(result)
    assert (rows["A"].total, rows["B"].total) == (D("146.00"), D("144.00"))
    assert (rows["A"].rank, rows["B"].rank, result.winner) == (1, 2, "A")


def test_relative_to_average_worked_by_hand() -> None:
    # Prices 100, 200, 300: average 200. Max 40.
    # 100: 40 × (1 − (100 − 200)/200) = 40 × 1.5 = 60 → capped at 40.
    # 200: 40 × (1 − 0) = 40.   300: 40 × (1 − 100/200) = 20.
    assert rounded(scoring.relative_to_average_points([D("100"), D("200"), D("300")], D("40"))) == [
        D("40.00"),
        D("40.00"),
        D("20.00"),
    ]
    # Prices 100, 500: average 300. 500: 40 × (1 − 200/300) = 13.333… → 13.33; 100 capped at 40.
    # Prices 100, 700: average 400. 700: 40 × (1 − 300/400) = 10. And 2 × the average or more scores 0:
    # prices 100, 100, 400: average 200; 400: 40 × (1 − 1) = 0.
    assert rounded(scoring.relative_to_average_points([D("100"), D("500")], D("40"))) == [D("40.00"), D("13.33")]
    assert rounded(scoring.relative_to_average_points([D("100"), D("700")], D("40"))) == [D("40.00"), D("10.00")]
    assert rounded(scoring.relative_to_average_points([D("100"), D("100"), D("400")], D("40")))[2] == D("0.00")


def test_deviation_from_lowest_worked_by_hand() -> None:
    # Lowest 100, max 40. 125: 40 × (1 − 25/100) = 30. 150: 40 × 0.5 = 20.
    # 133: 40 × (1 − 0.33) = 26.8. 250: 40 × (1 − 1.5) = −20 → 0 (clamped).
    points = scoring.deviation_from_lowest_points([D("100"), D("125"), D("150"), D("133"), D("250")], D("40"))
    assert rounded(points) == [D("40.00"), D("30.00"), D("20.00"), D("26.80"), D("0.00")]


def test_price_per_quality_point_worked_by_hand() -> None:
    # Price carries no weight; Q1 60 (0–5), SV1 40 (0–100).
    # A: £90,000; Q1 4 → 60 × 4/5 = 48; SV1 50 → 40 × 50/100 = 20; 68 points; 90,000/68 = 1,323.529… → 1,323.53
    # B: £100,000; Q1 5 → 60; SV1 75 → 30; 90 points; 100,000/90 = 1,111.111… → 1,111.11 (lowest: wins)
    # C: £70,000; Q1 3 → 36; SV1 25 → 10; 46 points; 70,000/46 = 1,521.739… → 1,521.74
    result = evaluate(
        Scenario(
            criteria=(
                criterion("P", PRICE, "0"),
                criterion("Q1", QUALITY, "60", "5"),
                criterion("SV1", SOCIAL_VALUE, "40", "100"),
            ),
            price_method=PriceMethod.PRICE_PER_QUALITY_POINT,
            bids=(
                bid("A", "90000", Q1="4", SV1="50"),
                bid("B", "100000", Q1="5", SV1="75"),
                bid("C", "70000", Q1="3", SV1="25"),
            ),
        )
    )
    rows = by_bidder(result)
    assert [row.bidder for row in result.bids] == ["B", "A", "C"]
    assert [(rows[b].total, rows[b].price_per_quality_point, rows[b].rank) for b in "ABC"] == [
        (D("68.00"), D("1323.53"), 2),
        (D("90.00"), D("1111.11"), 1),
        (D("46.00"), D("1521.74"), 3),
    ]
    assert rows["A"].points == {"P": D("0.00"), "Q1": D("48.00"), "SV1": D("20.00")}
    assert rows["A"].price_points == D("0.00")
    assert result.winner == "B"
    assert scoring.price_per_quality_point([D("90000")], [D("68")])[0] == D("90000") / D("68")
    assert scoring.price_points(PriceMethod.PRICE_PER_QUALITY_POINT, [D("1"), D("2")], D("40")) == [D("0"), D("0")]


def test_price_functions_refuse_a_price_of_zero_or_less_and_an_unknown_method() -> None:
    with pytest.raises(ValueError, match="more than 0"):
        scoring.lowest_over_bid_points([D("100"), D("0")], D("40"))
    with pytest.raises(ValueError, match="more than 0"):
        scoring.deviation_from_lowest_points([D("-5")], D("40"))
    with pytest.raises(ValueError, match="Quality points must be more than 0"):
        scoring.price_per_quality_point([D("100")], [D("0")])
    with pytest.raises(ValueError, match="not a price method"):
        scoring.price_points("cheapest_wins", [D("100")], D("40"))
    assert scoring.relative_to_average_points([], D("40")) == []


def test_rounding_is_half_up_and_happens_once() -> None:
    assert scoring.round_points(D("83.335")) == D("83.34")
    assert scoring.round_points(D("83.3349999")) == D("83.33")
    assert scoring.round_points(Fraction(1, 3) * 100) == D("33.33")
    assert scoring.round_points(D("-0.005")) == D("-0.01")
    # Three criteria worth 10/3 points each: shown 3.33 each (9.99), but the total is 10.00.
    result = evaluate(
        Scenario(
            criteria=(
                criterion("P", PRICE, "0"),
                *(criterion(f"Q{n}", QUALITY, "10", "3") for n in (1, 2, 3)),
            ),
            price_method=PriceMethod.LOWEST_OVER_BID,
            bids=(bid("A", "100", Q1="1", Q2="1", Q3="1"),),
        )
    )
    row = result.bids[0]
    assert row.points == {"P": D("0.00"), "Q1": D("3.33"), "Q2": D("3.33"), "Q3": D("3.33")}
    assert (row.quality_points, row.total) == (D("10.00"), D("10.00"))


# --- Totals on the example file, and the social value counterfactual -------------------------------


def example() -> scoring.ScenarioFile:
    return scoring.scenario_from_data(yaml.safe_load(EXAMPLE.read_text()))


def test_the_example_scenario_is_a_sound_model_and_social_value_changed_its_winner() -> None:
    loaded = example()
    problems = weights_problems(
        loaded.scenario.criteria,
        price_method=loaded.scenario.price_method,
        min_social_value_weight=loaded.min_social_value_weight,
    )
    assert problems == []
    result = evaluate(loaded.scenario)
    rows = by_bidder(result)
    # Damson (£850,000) is disqualified on Q1, so the lowest price is Birch's £920,000:
    # Alder P = 40 × 920/1000 = 36.8; Q1 30 × 4/5 = 24; Q2 15 × 3/5 = 9; SV1 10; SV2 5 × 0.75 = 3.75 → 83.55
    # Cedar P = 40 × 920/1200 = 30.666…; Q1 30; Q2 12; SV1 7.5; SV2 2.5 → 82.666… → 82.67
    # Birch P = 40; Q1 24; Q2 9; SV1 2.5; SV2 1.25 → 76.75
    assert rows["Alder Community Services"].points == {
        "P": D("36.80"),
        "Q1": D("24.00"),
        "Q2": D("9.00"),
        "SV1": D("10.00"),
        "SV2": D("3.75"),
    }
    assert [(row.bidder, row.total, row.rank) for row in result.bids] == [
        ("Alder Community Services", D("83.55"), 1),
        ("Cedar Group plc", D("82.67"), 2),
        ("Birch Facilities Ltd", D("76.75"), 3),
        ("Damson Ltd", D("0.00"), None),
    ]
    assert rows["Damson Ltd"].disqualified == ("scored 1 on Q1, below its minimum score of 2",)
    assert result.winner == "Alder Community Services"
    # Without social value, its 15 goes pro rata to P 40, Q1 30, Q2 15 (× 100/85):
    # Birch 47.06 + 28.24 + 10.59 = 85.88; Cedar 36.08 + 35.29 + 14.12 = 85.49; Alder 43.29 + 28.24 + 10.59 = 82.12.
    assert result.winner_without_social_value == "Birch Facilities Ltd"
    assert result.social_value_changed_winner is True


def test_social_value_did_not_change_a_winner_that_leads_on_everything() -> None:
    result = evaluate(
        Scenario(
            criteria=(
                criterion("P", PRICE, "50"),
                criterion("Q1", QUALITY, "30", "5"),
                criterion("SV1", SOCIAL_VALUE, "20", "100"),
            ),
            price_method=PriceMethod.LOWEST_OVER_BID,
            bids=(bid("A", "100", Q1="5", SV1="100"), bid("B", "110", Q1="4", SV1="75")),
        )
    )
    assert (result.winner, result.winner_without_social_value, result.social_value_changed_winner) == ("A", "A", False)


def test_without_social_value_its_weight_goes_to_the_others_pro_rata() -> None:
    criteria = [
        criterion("P", PRICE, "40"),
        criterion("Q1", QUALITY, "30", "5"),
        criterion("Q2", QUALITY, "15", "5"),
        criterion("SV1", SOCIAL_VALUE, "10", "100"),
        criterion("SV2", SOCIAL_VALUE, "5", "100"),
    ]
    weights = scoring.weights_without_social_value(criteria)
    assert weights == {
        "P": Fraction(800, 17),  # 40 × 100/85 = 47.06
        "Q1": Fraction(600, 17),
        "Q2": Fraction(300, 17),
        "SV1": Fraction(0),
        "SV2": Fraction(0),
    }
    assert sum(weights.values()) == 100
    assert scoring.weights_without_social_value([criterion("SV1", SOCIAL_VALUE, "100", "100")]) is None


def test_a_social_value_minimum_score_does_not_apply_in_the_counterfactual() -> None:
    # A fails the social value minimum, so B wins; without social value A (cheaper, better quality) would.
    result = evaluate(
        Scenario(
            criteria=(
                criterion("P", PRICE, "50"),
                criterion("Q1", QUALITY, "40", "5"),
                criterion("SV1", SOCIAL_VALUE, "10", "100", minimum="25"),
            ),
            price_method=PriceMethod.LOWEST_OVER_BID,
            bids=(bid("A", "100", Q1="5", SV1="0"), bid("B", "120", Q1="4", SV1="100")),
        )
    )
    assert result.winner == "B"
    assert by_bidder(result)["A"].disqualified == ("scored 0 on SV1, below its minimum score of 25",)
    assert (result.winner_without_social_value, result.social_value_changed_winner) == ("A", True)


# --- Ties ------------------------------------------------------------------------------------------


def two_criteria(method: str = PriceMethod.LOWEST_OVER_BID) -> tuple[CriterionSpec, ...]:
    return (criterion("P", PRICE, "50"), criterion("Q", QUALITY, "50", "10"))


def test_equal_totals_are_separated_by_higher_quality_points() -> None:
    # A: P 50 × 100/100 = 50, Q 50 × 8/10 = 40 → 90.  B: P 50 × 100/125 = 40, Q 50 → 90. B has more quality.
    result = evaluate(
        Scenario(two_criteria(), PriceMethod.LOWEST_OVER_BID, (bid("A", "100", Q="8"), bid("B", "125", Q="10")))
    )
    assert [(row.bidder, row.total, row.rank) for row in result.bids] == [("B", D("90.00"), 1), ("A", D("90.00"), 2)]
    assert (result.winner, result.tied) == ("B", ())


def test_totals_equal_once_rounded_count_as_equal() -> None:
    # A: P 40, Q 60 × 50/100 = 30 → 70 exactly.
    # B: P 40 × 100/120 = 33.333…, Q 60 × 61.11/100 = 36.666 → 69.99933… → 70.00 rounded.
    # The published totals are equal, so the tie-break decides: B has more quality points.
    criteria = (criterion("P", PRICE, "40"), criterion("Q", QUALITY, "60", "100"))
    result = evaluate(
        Scenario(criteria, PriceMethod.LOWEST_OVER_BID, (bid("A", "100", Q="50"), bid("B", "120", Q="61.11")))
    )
    assert [(row.bidder, row.total, row.rank) for row in result.bids] == [("B", D("70.00"), 1), ("A", D("70.00"), 2)]


def test_equal_totals_and_quality_are_separated_by_the_lower_price() -> None:
    # Relative to average: 80, 90, 130 (average 100). 80 and 90 are below the average: both get all 50.
    result = evaluate(
        Scenario(
            two_criteria(),
            PriceMethod.RELATIVE_TO_AVERAGE,
            (bid("A", "90", Q="6"), bid("B", "80", Q="6"), bid("C", "130", Q="10")),
        )
    )
    rows = by_bidder(result)
    assert (rows["A"].total, rows["B"].total) == (D("80.00"), D("80.00"))
    # C: 50 × (1 − 30/100) = 35, Q 50 → 85: C wins; B before A on the lower price.
    assert [(row.bidder, row.rank) for row in result.bids] == [("C", 1), ("B", 2), ("A", 3)]


def test_a_tie_the_rules_cannot_break_has_no_winner_and_shares_the_rank() -> None:
    result = evaluate(
        Scenario(
            two_criteria(),
            PriceMethod.LOWEST_OVER_BID,
            (bid("A", "100", Q="7"), bid("B", "100", Q="7"), bid("C", "150", Q="7")),
        )
    )
    assert [(row.bidder, row.rank) for row in result.bids] == [("A", 1), ("B", 1), ("C", 3)]
    assert (result.winner, result.tied) == (None, ("A", "B"))


# --- Disqualification ------------------------------------------------------------------------------


def test_disqualified_tenders_are_not_ranked_nor_count_for_the_lowest_price() -> None:
    criteria = (
        criterion("P", PRICE, "40"),
        criterion("Q1", QUALITY, "30", "5", minimum="2"),
        criterion("Q2", QUALITY, "30", "5"),
    )
    result = evaluate(
        Scenario(
            criteria,
            PriceMethod.LOWEST_OVER_BID,
            (
                bid("Low", "50", Q1="1", Q2="5"),
                bid("Unscored", "60", Q1="3"),
                bid("Excluded", "70", excluded="abnormally low price not explained", Q1="5", Q2="5"),
                bid("A", "100", Q1="2", Q2="2"),
                bid("B", "200", Q1="5", Q2="5"),
            ),
        )
    )
    rows = by_bidder(result)
    assert rows["Low"].disqualified == ("scored 1 on Q1, below its minimum score of 2",)
    assert rows["Unscored"].disqualified == ("not scored on Q2",)
    assert rows["Excluded"].disqualified == ("excluded: abnormally low price not explained",)
    assert all(rows[name].rank is None and rows[name].total == 0 for name in ("Low", "Unscored", "Excluded"))
    assert rows["Low"].points == {"Q1": D("6.00"), "Q2": D("30.00")}  # shown for information, no price points
    # The lowest eligible price is A's 100: A P 40, Q 12 + 12 → 64; B P 20, Q 60 → 80.
    assert (rows["A"].price_points, rows["A"].total) == (D("40.00"), D("64.00"))
    assert (rows["B"].price_points, rows["B"].total) == (D("20.00"), D("80.00"))
    assert [row.bidder for row in result.bids] == ["B", "A", "Low", "Unscored", "Excluded"]
    assert result.winner == "B"


def test_a_score_at_the_minimum_passes() -> None:
    criteria = (criterion("P", PRICE, "50"), criterion("Q", QUALITY, "50", "5", minimum="2"))
    result = evaluate(Scenario(criteria, PriceMethod.LOWEST_OVER_BID, (bid("A", "100", Q="2"),)))
    assert (result.bids[0].rank, result.winner) == (1, "A")


def test_no_eligible_tender_means_no_winner() -> None:
    criteria = (criterion("P", PRICE, "50"), criterion("Q", QUALITY, "50", "5", minimum="3"))
    result = evaluate(Scenario(criteria, PriceMethod.LOWEST_OVER_BID, (bid("A", "100", Q="2"), bid("B", "90", Q="1"))))
    assert (result.winner, result.tied, result.winner_without_social_value, result.social_value_changed_winner) == (
        None,
        (),
        None,
        False,
    )


def test_price_per_quality_point_disqualifies_a_tender_without_quality_points() -> None:
    criteria = (criterion("Q", QUALITY, "100", "5"),)
    result = evaluate(
        Scenario(criteria, PriceMethod.PRICE_PER_QUALITY_POINT, (bid("A", "100", Q="0"), bid("B", "500", Q="1")))
    )
    rows = by_bidder(result)
    assert rows["A"].disqualified == ("no quality or social value points, so no price per quality point",)
    assert (rows["B"].price_per_quality_point, result.winner) == (D("25.00"), "B")


@pytest.mark.parametrize(
    ("bids", "message"),
    [
        ((bid("A", "0", Q="3"),), r"A: the price must be more than £0 \(it is £0\)"),
        ((bid("A", "-10", Q="3"),), r"A: the price must be more than £0 \(it is £-10\)"),
        ((bid("A", "100", Q="6"),), r"A: the score 6 on Q is outside its scale \(0 to 5\)"),
        ((bid("A", "100", Q="3", Q9="1"),), "A: scored on Q9, which is not a quality or social value criterion"),
        ((bid("A", "100", Q="3"), bid("A", "90", Q="3")), "A has more than one tender"),
    ],
)
def test_evaluate_refuses_what_it_cannot_compute(bids: tuple[BidSpec, ...], message: str) -> None:
    criteria = (criterion("P", PRICE, "50"), criterion("Q", QUALITY, "50", "5"))
    with pytest.raises(ValueError, match=message):
        evaluate(Scenario(criteria, PriceMethod.LOWEST_OVER_BID, bids))


def test_evaluate_refuses_a_criterion_without_a_scale_and_an_unknown_method() -> None:
    with pytest.raises(ValueError, match="Q: give the top of its scoring scale"):
        evaluate(Scenario((criterion("Q", QUALITY, "100"),), PriceMethod.LOWEST_OVER_BID, ()))
    with pytest.raises(ValueError, match="“cheapest” is not a price method"):
        evaluate(Scenario((), "cheapest", ()))


# --- Checking a model before it is published -------------------------------------------------------


def test_a_sound_model_has_no_problems() -> None:
    criteria = [
        criterion("P", PRICE, "40"),
        criterion("Q1", QUALITY, "45", "5", "2"),
        criterion("SV", SOCIAL_VALUE, "15", "100"),
    ]
    assert weights_problems(criteria, price_method=PriceMethod.LOWEST_OVER_BID, min_social_value_weight=D("10")) == []


def test_weights_problems_say_what_is_wrong() -> None:
    criteria = [
        criterion("P", PRICE, "50"),
        criterion("P2", PRICE, "10"),
        criterion("Q1", QUALITY, "30", "5", minimum="6"),
        criterion("Q1", QUALITY, "2"),
        criterion("SV", SOCIAL_VALUE, "5", "100"),
    ]
    assert weights_problems(criteria, price_method=PriceMethod.LOWEST_OVER_BID, min_social_value_weight=D("10")) == [
        "Q1: the minimum score 6 is above the maximum score 5.",
        "The code Q1 is used by more than one criterion.",
        "Q1: give the top of its scoring scale (the maximum score), more than 0.",
        "The weights add up to 97%, not 100%.",
        "Social value carries 5% of the total score, below the minimum of 10%.",
        "There are 2 price criteria (P, P2): use one.",
    ]


def test_weights_problems_for_price_per_quality_point_and_a_missing_price() -> None:
    criteria = [
        criterion("P", PRICE, "20"),
        criterion("Q", QUALITY, "60", "5"),
        criterion("SV", SOCIAL_VALUE, "20", "100"),
    ]
    problems = weights_problems(
        criteria, price_method=PriceMethod.PRICE_PER_QUALITY_POINT, min_social_value_weight=D("10")
    )
    assert problems == [
        "P: with price per quality point, price carries no weight (the price is divided by the quality points): "
        "set its weight to 0 and give the 100% to quality and social value."
    ]
    without_price = [criterion("Q", QUALITY, "80", "5"), criterion("SV", SOCIAL_VALUE, "20", "100")]
    assert (
        weights_problems(
            without_price, price_method=PriceMethod.PRICE_PER_QUALITY_POINT, min_social_value_weight=D("10")
        )
        == []
    )
    assert weights_problems(
        without_price, price_method=PriceMethod.LOWEST_OVER_BID, min_social_value_weight=D("10")
    ) == ["There is no price criterion: add one (kind price) with its weight."]
    assert weights_problems([], price_method="cheapest", min_social_value_weight=D("10")) == [
        "“cheapest” is not a price method: use one of lowest_over_bid, relative_to_average, deviation_from_lowest, "
        "price_per_quality_point.",
        "There are no criteria.",
    ]


# --- Reading a scenario ----------------------------------------------------------------------------


def test_scenario_from_data_reads_numbers_as_decimals_exactly() -> None:
    loaded = scoring.scenario_from_data(
        {
            "price_method": "lowest_over_bid",
            "criteria": [
                {"code": "P", "kind": "price", "weight": 40.1},
                {"code": "Q", "kind": "quality", "weight": "59.9", "max_score": 5},
            ],
            "bids": [{"bidder": "A", "price": "£1,200,000.50", "scores": {"Q": 0.1}}],
        }
    )
    assert loaded.scenario.criteria[0].weight == D("40.1")
    assert loaded.scenario.bids[0].price == D("1200000.50")
    assert loaded.scenario.bids[0].scores == {"Q": D("0.1")}
    assert loaded.min_social_value_weight == D("10")


def test_scenario_from_data_names_every_problem() -> None:
    with pytest.raises(scoring.ScenarioError) as caught:
        scoring.scenario_from_data(
            {
                "price_method": "cheapest",
                "criteria": [{"code": "Q", "kind": "qualty", "weight": "lots"}],
                "bids": [
                    {"bidder": "A", "price": 100, "scores": {"Q": "x"}},
                    {"price": True},
                    {"bidder": "C", "price": -1},
                ],
            }
        )
    assert caught.value.problems == [
        "price_method: must be one of lowest_over_bid, relative_to_average, deviation_from_lowest, "
        "price_per_quality_point (it is “cheapest”).",
        "criteria[1].kind: must be one of price, quality, social_value (it is “qualty”).",
        "criteria[1].weight: must be a number (it is “lots”).",
        "bids[1].scores.Q: must be a number (it is “x”).",
        "bids[2].price: must be a number (it is “True”).",
        "bids[2].bidder: is missing.",
        "bids[3].price: must be more than 0 (it is -1).",
    ]
    with pytest.raises(scoring.ScenarioError, match="must be a mapping"):
        scoring.scenario_from_data(["not", "a", "mapping"])


# --- Scaling every price by the same factor does not change the ranking ----------------------------

prices = st.decimals(min_value=D("1.00"), max_value=D("10000000.00"), places=2, allow_nan=False, allow_infinity=False)
factors = st.decimals(min_value=D("0.01"), max_value=D("1000"), places=2, allow_nan=False, allow_infinity=False)
tenders = st.lists(
    st.tuples(
        prices, st.integers(min_value=0, max_value=5), st.integers(min_value=0, max_value=4).map(lambda n: n * 25)
    ),
    min_size=1,
    max_size=7,
)
RATIO_METHODS = [
    PriceMethod.LOWEST_OVER_BID,
    PriceMethod.RELATIVE_TO_AVERAGE,
    PriceMethod.DEVIATION_FROM_LOWEST,
    PriceMethod.PRICE_PER_QUALITY_POINT,
]


def scaled_scenario(method: str, rows: list[tuple[Decimal, int, int]], factor: Decimal) -> Scenario:
    price_weight = "0" if method == PriceMethod.PRICE_PER_QUALITY_POINT else "40"
    quality_weight = "70" if method == PriceMethod.PRICE_PER_QUALITY_POINT else "45"
    return Scenario(
        criteria=(
            criterion("P", PRICE, price_weight),
            criterion("Q", QUALITY, quality_weight, "5", minimum="1"),
            criterion("SV", SOCIAL_VALUE, "15" if price_weight == "40" else "30", "100"),
        ),
        price_method=method,
        bids=tuple(
            BidSpec(bidder=f"Bidder {n}", price=price * factor, scores={"Q": D(q), "SV": D(sv)})
            for n, (price, q, sv) in enumerate(rows)
        ),
    )


@pytest.mark.parametrize("method", RATIO_METHODS)
@settings(max_examples=150, deadline=None)
@given(rows=tenders, factor=factors)
def test_multiplying_every_price_by_one_factor_does_not_change_the_ranking(
    method: str, rows: list[tuple[Decimal, int, int]], factor: Decimal
) -> None:
    before = evaluate(scaled_scenario(method, rows, D(1)))
    after = evaluate(scaled_scenario(method, rows, factor))
    assert [(row.bidder, row.rank) for row in after.bids] == [(row.bidder, row.rank) for row in before.bids]
    assert (after.winner, after.tied, after.winner_without_social_value) == (
        before.winner,
        before.tied,
        before.winner_without_social_value,
    )
    assert [row.total for row in after.bids] == [row.total for row in before.bids]
