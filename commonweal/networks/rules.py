"""Pure rules both sides of networks need: quarters, the keyed hash that compares references across members
without revealing them, quartiles for benchmarking, and progress against a pledge."""

import functools
import hashlib
import hmac
import re
import statistics
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from commonweal.core.errors import ApplicationError

PENNY = Decimal("0.01")
HUNDRED = Decimal("100")
QUARTER_PATTERN = re.compile(r"^(\d{4})\s*Q([1-4])$", re.IGNORECASE)
# Said when a reference was counted by another member: never who, never where.
ALREADY_COUNTED = "already counted in the network"


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, written 2026Q3 (July to September 2026)."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        match = QUARTER_PATTERN.match((text or "").strip())
        if match is None:
            raise ApplicationError("Enter the quarter as a year and quarter number, like 2026Q3")
        year = int(match[1])
        if not 2000 <= year <= 2100:
            raise ApplicationError("Enter a quarter between 2000Q1 and 2100Q4")
        return cls(year, int(match[2]))

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        following = self.next()
        return date.fromordinal(following.start.toordinal() - 1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        months = {1: "January to March", 2: "April to June", 3: "July to September", 4: "October to December"}
        return f"{months[self.number]} {self.year}"


def quarters_ending(last: Quarter, count: int) -> list[Quarter]:
    """`count` quarters up to and including `last`, oldest first."""
    found = [last]
    while len(found) < count:
        found.append(found[-1].previous())
    return list(reversed(found))


def reference_normalise(value: str) -> str:
    """What makes two references the same: case and spaces do not count (as in delivery's own rule)."""
    return "".join(value.split()).lower()


def _key() -> bytes:
    return _key_for(getattr(settings, "NETWORK_REFERENCE_KEY", "") or "", settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _key_for(configured: str, secret: str) -> bytes:
    if configured:
        return configured.encode()
    # Derived from the secret key, so that it is never the secret key itself.
    return hmac.new(secret.encode(), b"commonweal network references", hashlib.sha256).digest()


def reference_digest(*, network_id: int, kind: str, reference: str) -> str:
    """The keyed hash (HMAC-SHA256 with the server's key) of a normalised reference within one network."""
    message = f"{network_id}:{kind}:{reference_normalise(reference)}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def money(value: Decimal | int | float | None) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (part * HUNDRED / whole).quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Spread:
    lower_quartile: Decimal
    median: Decimal
    upper_quartile: Decimal


def spread(values: list[Decimal]) -> Spread | None:
    """The median and quartiles (inclusive method: the quartiles of 1, 2, 3, 4, 5 are 2 and 4); None for no
    values, and for one value all three are that value."""
    if not values:
        return None
    if len(values) == 1:
        return Spread(values[0], values[0], values[0])
    ordered = sorted(values)
    lower, middle, upper = statistics.quantiles(ordered, n=4, method="inclusive")
    return Spread(money(lower), money(middle), money(upper))


def quartile_position(value: Decimal, figures: Spread) -> str:
    if value >= figures.upper_quartile:
        return "Top quarter"
    if value >= figures.median:
        return "Above the median"
    if value >= figures.lower_quartile:
        return "Below the median"
    return "Bottom quarter"


def pledge_progress(*, baseline: Decimal, target: Decimal, current: Decimal) -> Decimal | None:
    """How far from the baseline to the target the current figure has come, as a percentage (may pass 100
    or fall below 0); None when the target is the baseline."""
    if target == baseline:
        return None
    return ((current - baseline) * HUNDRED / (target - baseline)).quantize(PENNY, rounding=ROUND_HALF_UP)
