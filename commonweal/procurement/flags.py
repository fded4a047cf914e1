"""The three rules that flag a tender for a recorded decision. Pure: no database, Decimal only.

- Abnormally low price: the price is below `threshold` per cent of the average price of the lot's
  submitted bids (the bid itself included in the average).
- Social value high against the price: the net £ of the bid's commitments, valued with the
  procurement's value set, is above `share` per cent of the bid price. Local economic value and
  additional social value are never added together, so each total is checked on its own.
- A commitment restating a core deliverable: a line of the procurement's core deliverables whose
  significant words (see `significant_words`) are mostly (at least `RESTATES_SHARE`) found in the
  commitment's description and its measure's title.

docs/procurement-evaluation.md explains each rule with examples.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from commonweal.core.formatting import money, percent

HUNDRED = Decimal(100)
ZERO = Decimal(0)

# A core deliverable is restated when at least this share of its significant words is in the commitment.
RESTATES_SHARE = Decimal("0.6")
# A significant word has at least this many letters and is not a common word.
SIGNIFICANT_LENGTH = 4
COMMON_WORDS = frozenset(
    """
    about above after again also among another been before being below between both each every from
    have having here into just like more most must only other over same shall should some such than that
    their them then there these they this those through under until upon very were what when where which
    while will with within would your ours yours across around plus
    provide provided providing deliver delivered delivering delivery ensure ensuring including include
    includes service services contract contractor work works""".split()
)


@dataclass(frozen=True)
class Finding:
    """One flag the rules raise: `commitment_id` only for the restating rule."""

    kind: str
    detail: str
    commitment_id: int | None = None
    matched_words: tuple[str, ...] = ()


def abnormally_low(*, price: Decimal, lot_prices: Sequence[Decimal], threshold_percent: Decimal) -> str | None:
    """The detail of the flag if `price` is below `threshold_percent` % of the average of `lot_prices`
    (every submitted price in the lot, this one included); None if it is not."""
    if not lot_prices:
        return None
    average = sum(lot_prices, ZERO) / len(lot_prices)
    if average <= 0 or price >= average * threshold_percent / HUNDRED:
        return None
    share = price * HUNDRED / average
    return (
        f"{money(price)} is {percent(share)} of the average {money(average)}"
        f"; the threshold is {percent(threshold_percent)}"
    )


def social_value_share(
    *, price: Decimal, net_totals: Sequence[tuple[str, Decimal]], share_percent: Decimal
) -> str | None:
    """The detail of the flag if any net £ total (label, amount) is above `share_percent` % of `price`."""
    if price <= 0:
        return None
    limit = price * share_percent / HUNDRED
    over = [
        f"{label} {money(amount)} is {percent(amount * HUNDRED / price)} of the price {money(price)}"
        for label, amount in net_totals
        if amount > limit
    ]
    if not over:
        return None
    return f"{'; '.join(over)}; the threshold is {percent(share_percent)}"


def _normalise(word: str) -> str:
    # "parks" and "park" are the same word for this rule; short words keep their s ("grass").
    return word[:-1] if len(word) > SIGNIFICANT_LENGTH and word.endswith("s") and not word.endswith("ss") else word


def significant_words(text: str) -> list[str]:
    """The words of `text` that carry meaning: lower-cased, 4+ letters, not common words, a plural s
    dropped; in order, each once."""
    seen: dict[str, None] = {}
    for raw in re.findall(r"[a-z]+", text.lower()):
        if len(raw) < SIGNIFICANT_LENGTH or raw in COMMON_WORDS:
            continue
        seen.setdefault(_normalise(raw), None)
    return list(seen)


@dataclass(frozen=True)
class Restatement:
    deliverable: str
    matched: tuple[str, ...]
    words: tuple[str, ...]

    @property
    def share(self) -> Decimal:
        return Decimal(len(self.matched)) / Decimal(len(self.words))


def restates_core_deliverable(*, core_deliverables: str, commitment_text: str) -> Restatement | None:
    """The core deliverable (one per line) that `commitment_text` restates best, if any does: at least
    `RESTATES_SHARE` of the line's significant words are found in the text."""
    found = set(significant_words(commitment_text))
    best: Restatement | None = None
    for line in core_deliverables.splitlines():
        words = tuple(significant_words(line))
        if not words:
            continue
        matched = tuple(word for word in words if word in found)
        candidate = Restatement(deliverable=line.strip(), matched=matched, words=words)
        if candidate.share >= RESTATES_SHARE and (best is None or candidate.share > best.share):
            best = candidate
    return best


def restatement_text(restatement: Restatement) -> str:
    return (
        f"Restates the core deliverable “{restatement.deliverable}”: {len(restatement.matched)} of its "
        f"{len(restatement.words)} significant words are in the commitment ({', '.join(restatement.matched)})"
    )
