"""Scoring tenders: price methods, weighted totals, disqualification, ranking. Pure: no database.

This is the contract the rest of procurement codes against (`ranking.evaluation_result`, the
`commonweal evaluation simulate` command, the simulator page). docs/evaluation-methods.md
documents every formula, the rounding and the tie-break rules.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

PRICE = "price"
QUALITY = "quality"
SOCIAL_VALUE = "social_value"
KINDS = (PRICE, QUALITY, SOCIAL_VALUE)


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


@dataclass(frozen=True)
class Result:
    price_method: str
    bids: tuple[BidResult, ...]  # ranked first, then the disqualified
    winner: str | None  # None: no eligible tender, or a tie for first the rules cannot break
    tied: tuple[str, ...]  # bidders tied for first, when the tie-break rules cannot separate them
    winner_without_social_value: str | None  # social value weight redistributed pro rata
    social_value_changed_winner: bool


def weights_problems(criteria: Sequence[CriterionSpec], *, price_method: str, min_social_value_weight: Decimal) -> list[str]:
    """What is wrong with the criteria as a published model, in words (empty when it is sound)."""
    raise NotImplementedError


def evaluate(scenario: Scenario) -> Result:
    """Every tender's points per criterion, total, rank and the winner (see the module docs)."""
    raise NotImplementedError
