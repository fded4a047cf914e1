"""Scoring tenders: price methods, weighted totals, disqualification, ranking. Pure: no database.

This is the contract the rest of procurement codes against (`ranking.evaluation_result`, the
`commonweal evaluation simulate` command, the simulator page). docs/evaluation-methods.md
documents every formula, the rounding and the tie-break rules.

The arithmetic is exact: every figure is a `Fraction` of the Decimals given, and is rounded once,
at the end, to two places (ROUND_HALF_UP). So the ranking of the ratio-based price methods cannot
change when every price is multiplied by the same factor, not even in the last digit.

The rules, in short:
- a price must be more than 0 (else ValueError); a score must lie between 0 and the top of its scale;
- a tender is disqualified (not ranked, and left out of the lowest and average prices) when it was
  excluded by a recorded decision, is not scored on a non-price criterion, or scores below a
  criterion's minimum score;
- the weighted methods rank on the total rounded to two places (the published figure), then higher
  quality and social value points, then the lower price; price per quality point ranks on the exact
  ratio (rounding it to pence would make the order depend on the size of the prices), then higher
  quality and social value points, then the lower price. Tenders the rules cannot separate share a
  rank; a tie for first has no winner (`Result.tied`): the officer decides, as the methodology says.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

PRICE = "price"
QUALITY = "quality"
SOCIAL_VALUE = "social_value"
KINDS = (PRICE, QUALITY, SOCIAL_VALUE)

# The same values as commonweal.procurement.models.PriceMethod (this module imports no Django models).
LOWEST_OVER_BID = "lowest_over_bid"
RELATIVE_TO_AVERAGE = "relative_to_average"
DEVIATION_FROM_LOWEST = "deviation_from_lowest"
PRICE_PER_QUALITY_POINT = "price_per_quality_point"
PRICE_METHODS = (LOWEST_OVER_BID, RELATIVE_TO_AVERAGE, DEVIATION_FROM_LOWEST, PRICE_PER_QUALITY_POINT)
PRICE_METHOD_LABELS = {
    LOWEST_OVER_BID: "Lowest price ÷ bid price",
    RELATIVE_TO_AVERAGE: "Relative to the average price",
    DEVIATION_FROM_LOWEST: "Deviation from the lowest price",
    PRICE_PER_QUALITY_POINT: "Price per quality point",
}
KIND_LABELS = {PRICE: "Price", QUALITY: "Quality", SOCIAL_VALUE: "Social value"}
TOTAL_WEIGHT = Decimal("100")
# PPN 06/20: social value carries at least 10% of the total score in central government (see
# docs/evaluation-methods.md); a scenario file may set its own minimum.
DEFAULT_MIN_SOCIAL_VALUE_WEIGHT = Decimal("10")


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion: `weight` is per cent of the total score; `max_score` is the top of its scale
    (None for price); a score below `minimum_score` disqualifies the tender."""

    code: str
    kind: str
    weight: Decimal
    max_score: Decimal | None = None
    minimum_score: Decimal | None = None
    title: str = ""


@dataclass(frozen=True)
class BidSpec:
    """One tender: its price and its (moderated) score on each non-price criterion, on that
    criterion's scale. `excluded` is the reason a recorded decision excluded it, if one did."""

    bidder: str
    price: Decimal
    scores: Mapping[str, Decimal]
    excluded: str = ""


@dataclass(frozen=True)
class Scenario:
    criteria: tuple[CriterionSpec, ...]
    price_method: str
    bids: tuple[BidSpec, ...]


@dataclass(frozen=True)
class BidResult:
    bidder: str
    price: Decimal
    points: dict[str, Decimal]  # criterion code -> weighted points (price included), rounded to 2 places
    price_points: Decimal
    quality_points: Decimal
    social_value_points: Decimal
    total: Decimal  # price per quality point: the quality and social value points
    price_per_quality_point: Decimal | None  # only for that method
    rank: int | None  # None when disqualified; equal ranks share a number
    disqualified: tuple[str, ...] = field(default=())  # reasons, in words

    @property
    def standing(self) -> str:
        return standing_text(self.rank, self.disqualified)


@dataclass(frozen=True)
class Result:
    price_method: str
    bids: tuple[BidResult, ...]  # ranked first, then the disqualified
    winner: str | None  # None: no eligible tender, or a tie for first the rules cannot break
    tied: tuple[str, ...]  # bidders tied for first, when the tie-break rules cannot separate them
    winner_without_social_value: str | None  # social value weight redistributed pro rata
    social_value_changed_winner: bool


# --- Rounding and numbers ------------------------------------------------------------------------


def round_points(value: Fraction | Decimal) -> Decimal:
    """Round to two places, halves away from zero (ROUND_HALF_UP), exactly: 83.335 → 83.34."""
    scaled = Fraction(value) * 100
    whole = math.floor(abs(scaled) + Fraction(1, 2))
    return Decimal(whole if scaled >= 0 else -whole).scaleb(-2)


def _decimal(value: Fraction) -> Decimal:
    """An exact figure as a Decimal to 28 significant digits, for callers that round it themselves."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def _clamp(value: Fraction, low: Fraction, high: Fraction) -> Fraction:
    return max(low, min(high, value))


def _positive_prices(prices: Sequence[Decimal]) -> list[Fraction]:
    for price in prices:
        if not price > 0:
            raise ValueError(f"A price must be more than 0 (one is {price}).")
    return [Fraction(price) for price in prices]


# --- Price methods: points out of `max_points` (the price criterion's weight) ---------------------


def _lowest_over_bid(prices: list[Fraction], max_points: Fraction) -> list[Fraction]:
    lowest = min(prices)
    return [max_points * lowest / price for price in prices]


def _relative_to_average(prices: list[Fraction], max_points: Fraction) -> list[Fraction]:
    average = sum(prices, Fraction(0)) / len(prices)
    return [_clamp(max_points * (1 - (price - average) / average), Fraction(0), max_points) for price in prices]


def _deviation_from_lowest(prices: list[Fraction], max_points: Fraction) -> list[Fraction]:
    lowest = min(prices)
    return [_clamp(max_points * (1 - (price - lowest) / lowest), Fraction(0), max_points) for price in prices]


def _no_price_points(prices: list[Fraction], max_points: Fraction) -> list[Fraction]:
    return [Fraction(0) for _ in prices]


_PRICE_POINTS: dict[str, Callable[[list[Fraction], Fraction], list[Fraction]]] = {
    LOWEST_OVER_BID: _lowest_over_bid,
    RELATIVE_TO_AVERAGE: _relative_to_average,
    DEVIATION_FROM_LOWEST: _deviation_from_lowest,
    PRICE_PER_QUALITY_POINT: _no_price_points,
}


def lowest_over_bid_points(prices: Sequence[Decimal], max_points: Decimal) -> list[Decimal]:
    """`max_points × p_min ÷ p_i`: the lowest price gets every point, a price twice as high half.
    £1.0m, £1.2m, £2.0m with 100 points → 100, 83.33…, 50. Unrounded."""
    return [_decimal(p) for p in _lowest_over_bid(_positive_prices(prices), Fraction(max_points))] if prices else []


def relative_to_average_points(prices: Sequence[Decimal], max_points: Decimal) -> list[Decimal]:
    """`clamp(max_points × (1 − (p_i − p_avg) ÷ p_avg), 0, max_points)`: a price at or below the
    average gets every point; one point (of 100) is lost for each per cent above it; twice the
    average or more scores 0. Unrounded."""
    if not prices:
        return []
    return [_decimal(p) for p in _relative_to_average(_positive_prices(prices), Fraction(max_points))]


def deviation_from_lowest_points(prices: Sequence[Decimal], max_points: Decimal) -> list[Decimal]:
    """`clamp(max_points × (1 − (p_i − p_min) ÷ p_min), 0, max_points)`: one point lost for each
    per cent above the lowest price (of 100); twice the lowest price or more scores 0. Unrounded."""
    if not prices:
        return []
    return [_decimal(p) for p in _deviation_from_lowest(_positive_prices(prices), Fraction(max_points))]


def price_per_quality_point(prices: Sequence[Decimal], quality_points: Sequence[Decimal]) -> list[Decimal]:
    """`p_i ÷ quality_points_i` (the quality and social value points together): pounds paid for
    each point of quality; the lowest wins. Unrounded."""
    if len(prices) != len(quality_points):
        raise ValueError("Give one quality figure for each price.")
    fractions = _positive_prices(prices)
    for points in quality_points:
        if not points > 0:
            raise ValueError(f"Quality points must be more than 0 to give a price per point (one is {points}).")
    return [_decimal(price / Fraction(points)) for price, points in zip(fractions, quality_points, strict=True)]


def price_points(method: str, prices: Sequence[Decimal], max_points: Decimal) -> list[Decimal]:
    """Each price's points under `method` (a `PriceMethod` value). Price per quality point gives
    price no points: the price is divided by the quality points instead (`price_per_quality_point`)."""
    if method not in _PRICE_POINTS:
        raise ValueError(f"“{method}” is not a price method: use one of {', '.join(PRICE_METHODS)}.")
    if not prices:
        return []
    return [_decimal(p) for p in _PRICE_POINTS[method](_positive_prices(prices), Fraction(max_points))]


# --- The model's soundness ------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def weights_problems(
    criteria: Sequence[CriterionSpec], *, price_method: str, min_social_value_weight: Decimal
) -> list[str]:
    """What is wrong with the criteria as a published model, in words (empty when it is sound).

    Weights add up to exactly 100; social value carries at least the minimum; the weighted methods
    have exactly one price criterion, and price per quality point gives price no weight (a price
    criterion, if listed, weighs 0); every non-price criterion has the top of its scale; codes are
    unique; a minimum score lies within the scale."""
    problems: list[str] = []
    if price_method not in PRICE_METHODS:
        problems.append(f"“{price_method}” is not a price method: use one of {', '.join(PRICE_METHODS)}.")
    if not criteria:
        return [*problems, "There are no criteria."]
    seen: set[str] = set()
    for criterion in criteria:
        problems.extend(_criterion_problems(criterion, seen))
        seen.add(criterion.code)
    problems.extend(_weight_problems(criteria, min_social_value_weight))
    problems.extend(_price_problems(criteria, price_method))
    return problems


def _criterion_problems(criterion: CriterionSpec, seen: set[str]) -> list[str]:
    """One criterion's own problems: its code (unique among those `seen` before it), kind, weight and scale."""
    problems: list[str] = []
    name = criterion.code or "A criterion"
    if not criterion.code:
        problems.append("A criterion has no code.")
    elif criterion.code in seen:
        problems.append(f"The code {criterion.code} is used by more than one criterion.")
    if criterion.kind not in KINDS:
        problems.append(f"{name}: the kind “{criterion.kind}” is not one of {', '.join(KINDS)}.")
    if criterion.weight < 0:
        problems.append(f"{name}: the weight must not be negative (it is {_number(criterion.weight)}).")
    if criterion.kind == PRICE:
        if criterion.minimum_score is not None:
            problems.append(f"{name}: price has no minimum score (a minimum applies to a scored criterion).")
        return problems
    if criterion.max_score is None or criterion.max_score <= 0:
        problems.append(f"{name}: give the top of its scoring scale (the maximum score), more than 0.")
    elif criterion.minimum_score is not None and criterion.minimum_score > criterion.max_score:
        problems.append(
            f"{name}: the minimum score {_number(criterion.minimum_score)} is above the maximum score "
            f"{_number(criterion.max_score)}."
        )
    if criterion.minimum_score is not None and criterion.minimum_score < 0:
        problems.append(f"{name}: the minimum score must not be negative.")
    return problems


def _weight_problems(criteria: Sequence[CriterionSpec], min_social_value_weight: Decimal) -> list[str]:
    """The weights together: exactly 100, with social value at least its minimum."""
    problems: list[str] = []
    total = sum((criterion.weight for criterion in criteria), Decimal(0))
    if total != TOTAL_WEIGHT:
        problems.append(f"The weights add up to {_number(total)}%, not 100%.")
    social_value = sum((c.weight for c in criteria if c.kind == SOCIAL_VALUE), Decimal(0))
    if social_value < min_social_value_weight:
        problems.append(
            f"Social value carries {_number(social_value)}% of the total score, below the minimum of "
            f"{_number(min_social_value_weight)}%."
        )
    return problems


def _price_problems(criteria: Sequence[CriterionSpec], price_method: str) -> list[str]:
    """The price criteria the price method needs: none weighted for price per quality point, else one."""
    problems: list[str] = []
    price_criteria = [c for c in criteria if c.kind == PRICE]
    if price_method == PRICE_PER_QUALITY_POINT:
        for criterion in price_criteria:
            if criterion.weight != 0:
                problems.append(
                    f"{criterion.code}: with price per quality point, price carries no weight (the price is divided "
                    f"by the quality points): set its weight to 0 and give the 100% to quality and social value."
                )
        if not any(c.kind != PRICE and c.weight > 0 for c in criteria):
            problems.append("Price per quality point needs a quality or social value criterion that carries weight.")
    elif price_method in PRICE_METHODS:
        if not price_criteria:
            problems.append("There is no price criterion: add one (kind price) with its weight.")
        elif len(price_criteria) > 1:
            codes = ", ".join(c.code for c in price_criteria)
            problems.append(f"There are {len(price_criteria)} price criteria ({codes}): use one.")
    return problems


# --- Evaluation -----------------------------------------------------------------------------------


@dataclass
class _Scored:
    bid: BidSpec
    points: dict[str, Fraction]  # by criterion code
    reasons: list[str]
    per_quality_point: Fraction | None = None
    rank: int | None = None

    def sum_of(self, criteria: Sequence[CriterionSpec], *kinds: str) -> Fraction:
        return sum((self.points.get(c.code, Fraction(0)) for c in criteria if c.kind in kinds), Fraction(0))


@dataclass(frozen=True)
class _Outcome:
    scored: list[_Scored]  # ranked first, then the disqualified
    winner: str | None
    tied: tuple[str, ...]


def _check(scenario: Scenario) -> None:
    """Refuse what cannot be computed, naming the criterion or bidder."""
    if scenario.price_method not in PRICE_METHODS:
        raise ValueError(f"“{scenario.price_method}” is not a price method: use one of {', '.join(PRICE_METHODS)}.")
    codes: dict[str, CriterionSpec] = {}
    for criterion in scenario.criteria:
        if criterion.code in codes:
            raise ValueError(f"The code {criterion.code} is used by more than one criterion.")
        codes[criterion.code] = criterion
        if criterion.kind not in KINDS:
            raise ValueError(f"{criterion.code}: the kind “{criterion.kind}” is not one of {', '.join(KINDS)}.")
        if criterion.weight < 0:
            raise ValueError(f"{criterion.code}: the weight must not be negative.")
        if criterion.kind != PRICE and (criterion.max_score is None or criterion.max_score <= 0):
            raise ValueError(f"{criterion.code}: give the top of its scoring scale (the maximum score), more than 0.")
    bidders: set[str] = set()
    for bid in scenario.bids:
        if bid.bidder in bidders:
            raise ValueError(f"{bid.bidder} has more than one tender: give each tender its own bidder name.")
        bidders.add(bid.bidder)
        if not bid.price > 0:
            raise ValueError(f"{bid.bidder}: the price must be more than £0 (it is £{_number(bid.price)}).")
        for code, score in bid.scores.items():
            scored = codes.get(code)
            if scored is None or scored.kind == PRICE or scored.max_score is None:
                raise ValueError(f"{bid.bidder}: scored on {code}, which is not a quality or social value criterion.")
            if not 0 <= score <= scored.max_score:
                raise ValueError(
                    f"{bid.bidder}: the score {_number(score)} on {code} is outside its scale "
                    f"(0 to {_number(scored.max_score)})."
                )


def _disqualifications(bid: BidSpec, criteria: Sequence[CriterionSpec]) -> list[str]:
    reasons = [f"excluded: {bid.excluded}"] if bid.excluded else []
    for criterion in criteria:
        if criterion.kind == PRICE:
            continue
        score = bid.scores.get(criterion.code)
        if score is None:
            reasons.append(f"{NOT_SCORED_PREFIX}{criterion.code}")
        elif criterion.minimum_score is not None and score < criterion.minimum_score:
            reasons.append(
                f"scored {_number(score)} on {criterion.code}, below its minimum score of "
                f"{_number(criterion.minimum_score)}"
            )
    return reasons


def _run(
    criteria: Sequence[CriterionSpec], weights: Mapping[str, Fraction], method: str, bids: Sequence[BidSpec]
) -> _Outcome:
    """Score and rank `bids` against `criteria` with the given weights (per cent, exact)."""
    scored = [_Scored(bid=bid, points={}, reasons=_disqualifications(bid, criteria)) for bid in bids]
    for entry in scored:
        for criterion in criteria:
            score = entry.bid.scores.get(criterion.code)
            if criterion.kind != PRICE and score is not None and criterion.max_score:
                entry.points[criterion.code] = weights[criterion.code] * Fraction(score) / Fraction(criterion.max_score)
    eligible = [entry for entry in scored if not entry.reasons]
    if method == PRICE_PER_QUALITY_POINT:
        for entry in eligible:
            quality = entry.sum_of(criteria, QUALITY, SOCIAL_VALUE)
            if quality > 0:
                entry.per_quality_point = Fraction(entry.bid.price) / quality
            else:
                entry.reasons.append("no quality or social value points, so no price per quality point")
        eligible = [entry for entry in eligible if not entry.reasons]
    if eligible:
        prices = [Fraction(entry.bid.price) for entry in eligible]
        for criterion in criteria:
            if criterion.kind == PRICE:
                for entry, points in zip(eligible, _PRICE_POINTS[method](prices, weights[criterion.code]), strict=True):
                    entry.points[criterion.code] = points

    def key(entry: _Scored) -> tuple[Any, ...]:
        quality = round_points(entry.sum_of(criteria, QUALITY, SOCIAL_VALUE))
        if entry.per_quality_point is not None:
            return (entry.per_quality_point, -quality, entry.bid.price)
        return (-round_points(entry.sum_of(criteria, *KINDS)), -quality, entry.bid.price)

    eligible.sort(key=key)
    for position, entry in enumerate(eligible):
        if position and key(entry) == key(eligible[position - 1]):
            entry.rank = eligible[position - 1].rank
        else:
            entry.rank = position + 1
    first = [entry.bid.bidder for entry in eligible if entry.rank == 1]
    return _Outcome(
        scored=[*eligible, *(entry for entry in scored if entry.reasons)],
        winner=first[0] if len(first) == 1 else None,
        tied=tuple(first) if len(first) > 1 else (),
    )


NOT_SCORED_PREFIX = "not scored on "


def standing_text(rank: int | None, reasons: tuple[str, ...]) -> str:
    """A tender's place as a page shows it: its rank; "Not yet scored" while scores are missing and
    nothing else stands against it; else "Disqualified"."""
    if rank is not None:
        return str(rank)
    if reasons and all(reason.startswith(NOT_SCORED_PREFIX) for reason in reasons):
        return "Not yet scored"
    return "Disqualified"


def _bid_result(entry: _Scored, criteria: Sequence[CriterionSpec], method: str) -> BidResult:
    disqualified = bool(entry.reasons)
    quality_and_social_value = entry.sum_of(criteria, QUALITY, SOCIAL_VALUE)
    if disqualified:
        total = Fraction(0)
    elif method == PRICE_PER_QUALITY_POINT:
        total = quality_and_social_value
    else:
        total = entry.sum_of(criteria, *KINDS)
    return BidResult(
        bidder=entry.bid.bidder,
        price=entry.bid.price,
        points={c.code: round_points(entry.points[c.code]) for c in criteria if c.code in entry.points},
        price_points=round_points(entry.sum_of(criteria, PRICE)),
        quality_points=round_points(entry.sum_of(criteria, QUALITY)),
        social_value_points=round_points(entry.sum_of(criteria, SOCIAL_VALUE)),
        total=round_points(total),
        price_per_quality_point=round_points(entry.per_quality_point) if entry.per_quality_point is not None else None,
        rank=entry.rank,
        disqualified=tuple(entry.reasons),
    )


def weights_without_social_value(criteria: Sequence[CriterionSpec]) -> dict[str, Fraction] | None:
    """Every social value weight set to 0 and its total shared among the other criteria pro rata to
    their weights (so a criterion of 30 out of the 80 left gets 30/80 of it). None when nothing else
    carries weight."""
    social_value = sum((Fraction(c.weight) for c in criteria if c.kind == SOCIAL_VALUE), Fraction(0))
    rest = sum((Fraction(c.weight) for c in criteria if c.kind != SOCIAL_VALUE), Fraction(0))
    if rest == 0:
        return None
    return {
        c.code: Fraction(0) if c.kind == SOCIAL_VALUE else Fraction(c.weight) * (1 + social_value / rest)
        for c in criteria
    }


def evaluate(scenario: Scenario) -> Result:
    """Every tender's points per criterion, total, rank and the winner (see the module docs).

    Raises ValueError, naming the criterion or bidder, for what cannot be computed: an unknown price
    method or kind, a criterion without a maximum score, a price of 0 or less, a score outside its
    scale or on an unknown criterion, two tenders with the same bidder name."""
    _check(scenario)
    criteria = scenario.criteria
    weights = {c.code: Fraction(c.weight) for c in criteria}
    outcome = _run(criteria, weights, scenario.price_method, scenario.bids)
    winner_without: str | None = outcome.winner
    if any(c.kind == SOCIAL_VALUE for c in criteria):
        # Without social value at all: no social value points and no social value minimum scores.
        redistributed = weights_without_social_value(criteria)
        if redistributed is None:
            winner_without = None
        else:
            others = [c for c in criteria if c.kind != SOCIAL_VALUE]
            winner_without = _run(others, redistributed, scenario.price_method, scenario.bids).winner
    return Result(
        price_method=scenario.price_method,
        bids=tuple(_bid_result(entry, criteria, scenario.price_method) for entry in outcome.scored),
        winner=outcome.winner,
        tied=outcome.tied,
        winner_without_social_value=winner_without,
        social_value_changed_winner=winner_without != outcome.winner,
    )


# --- Scenarios as data (the simulator's YAML file and page) ---------------------------------------


class ScenarioError(ValueError):
    """A scenario that cannot be read: each problem names where it is, e.g. “bids[2].price: …”."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ScenarioFile:
    scenario: Scenario
    min_social_value_weight: Decimal


def parse_number(value: object) -> Decimal | None:
    """A Decimal from a number or text (“£1,200,000”, “12.5”); None if it is not a finite number.
    YAML floats go through str(), so 0.1 stays 0.1."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip().removeprefix("£").replace(",", "").strip()
    elif isinstance(value, Decimal):
        text = str(value)
    else:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class _ScenarioReader:
    """Reads a scenario's parts, collecting every problem (not only the first) for `ScenarioError`."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def number(self, value: object, where: str, *, required: bool = True) -> Decimal | None:
        if value is None or value == "":
            if required:
                self.problems.append(f"{where}: is missing.")
            return None
        parsed = parse_number(value)
        if parsed is None:
            self.problems.append(f"{where}: must be a number (it is “{value}”).")
        return parsed

    def text(self, value: object, where: str) -> str:
        if value is None or isinstance(value, (dict, list)) or str(value).strip() == "":
            self.problems.append(f"{where}: is missing.")
            return ""
        return str(value).strip()

    def listed(self, value: object, name: str, fields: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            self.problems.append(f"{name}: must be a list of {name}, each with {fields}.")
            return []
        return value

    def criterion(self, raw: object, where: str) -> CriterionSpec | None:
        if not isinstance(raw, Mapping):
            self.problems.append(f"{where}: must be a mapping with code, kind and weight.")
            return None
        kind = str(raw.get("kind", "")).strip()
        if kind not in KINDS:
            self.problems.append(f"{where}.kind: must be one of {', '.join(KINDS)} (it is “{kind}”).")
        return CriterionSpec(
            code=self.text(raw.get("code"), f"{where}.code"),
            kind=kind,
            weight=self.number(raw.get("weight"), f"{where}.weight") or Decimal(0),
            max_score=self.number(raw.get("max_score"), f"{where}.max_score", required=kind in (QUALITY, SOCIAL_VALUE)),
            minimum_score=self.number(raw.get("minimum_score"), f"{where}.minimum_score", required=False),
            title=str(raw.get("title") or "").strip(),
        )

    def scores(self, raw_scores: object, where: str) -> dict[str, Decimal]:
        if not isinstance(raw_scores, Mapping):
            self.problems.append(f"{where}.scores: must be a mapping of criterion code to score, e.g. {{Q1: 3}}.")
            return {}
        scores: dict[str, Decimal] = {}
        for code, value in raw_scores.items():
            score = self.number(value, f"{where}.scores.{code}")
            if score is not None:
                scores[str(code)] = score
        return scores

    def bid(self, raw: object, where: str) -> BidSpec | None:
        if not isinstance(raw, Mapping):
            self.problems.append(f"{where}: must be a mapping with bidder, price and scores.")
            return None
        price = self.number(raw.get("price"), f"{where}.price")
        if price is not None and price <= 0:
            self.problems.append(f"{where}.price: must be more than 0 (it is {_number(price)}).")
        scores = self.scores(raw.get("scores") or {}, where)
        return BidSpec(
            bidder=self.text(raw.get("bidder"), f"{where}.bidder"),
            price=price or Decimal(0),
            scores=scores,
            excluded=str(raw.get("excluded") or "").strip(),
        )


def scenario_from_data(data: object) -> ScenarioFile:
    """Read a scenario from parsed YAML or JSON (see docs/evaluation-methods.md for the format).
    Lists are numbered from 1 in messages: bids[1] is the first bid. Raises ScenarioError."""
    if not isinstance(data, Mapping):
        raise ScenarioError(["The scenario must be a mapping with price_method, criteria and bids."])
    reader = _ScenarioReader()
    unknown = sorted(set(map(str, data)) - {"price_method", "min_social_value_weight", "criteria", "bids"})
    if unknown:
        reader.problems.append(
            f"Unknown keys: {', '.join(unknown)} (use price_method, min_social_value_weight, criteria, bids)."
        )
    method = str(data.get("price_method", "")).strip()
    if method not in PRICE_METHODS:
        reader.problems.append(f"price_method: must be one of {', '.join(PRICE_METHODS)} (it is “{method}”).")
    minimum = DEFAULT_MIN_SOCIAL_VALUE_WEIGHT
    if data.get("min_social_value_weight") is not None:
        minimum = reader.number(data["min_social_value_weight"], "min_social_value_weight") or Decimal(0)
    raw_criteria = reader.listed(data.get("criteria"), "criteria", "code, kind and weight")
    criteria = [
        criterion
        for index, raw in enumerate(raw_criteria, start=1)
        if (criterion := reader.criterion(raw, f"criteria[{index}]")) is not None
    ]
    raw_bids = reader.listed(data.get("bids"), "bids", "bidder, price and scores")
    bids = [
        bid for index, raw in enumerate(raw_bids, start=1) if (bid := reader.bid(raw, f"bids[{index}]")) is not None
    ]
    if reader.problems:
        raise ScenarioError(reader.problems)
    return ScenarioFile(Scenario(tuple(criteria), method, tuple(bids)), minimum)


def result_data(result: Result) -> dict[str, Any]:
    """The result as JSON-ready data: figures as strings of Decimals (e.g. "83.33")."""
    return {
        "price_method": result.price_method,
        "bids": [
            {
                "bidder": bid.bidder,
                "price": str(bid.price),
                "points": {code: str(points) for code, points in bid.points.items()},
                "price_points": str(bid.price_points),
                "quality_points": str(bid.quality_points),
                "social_value_points": str(bid.social_value_points),
                "total": str(bid.total),
                "price_per_quality_point": (
                    str(bid.price_per_quality_point) if bid.price_per_quality_point is not None else None
                ),
                "rank": bid.rank,
                "disqualified": list(bid.disqualified),
            }
            for bid in result.bids
        ],
        "winner": result.winner,
        "tied": list(result.tied),
        "winner_without_social_value": result.winner_without_social_value,
        "social_value_changed_winner": result.social_value_changed_winner,
    }
