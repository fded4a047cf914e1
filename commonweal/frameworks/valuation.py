"""Money equivalents of social value outputs: gross and net £ from a value set, re-based to a price year.

Pure calculation on `Decimal`: no database, no rounding until the totals. The rules (also in
docs/frameworks.md, "Value sets and money equivalents"):

- gross = quantity × value per unit × duration in years
- net = Σ_{y=0}^{d−1} quantity × value × (1 − deadweight)(1 − displacement)(1 − attribution)(1 − drop-off)^y
- re-basing to a price year multiplies by index[price year] ÷ index[base year] of a deflator series
- local economic value and additional social value are totalled apart and never added together
- lines whose measure has no value are kept as "not valued", with their raw quantity

Arithmetic runs in a local context of `PRECISION` significant digits. Lines are first grouped by
(value type, measure code) and their quantities added (exactly), then each group is valued, and the
groups are added in that sorted order; each total is rounded once, to pennies, half up. The totals
therefore do not depend on the order of the lines, nor on splitting a quantity into parts.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from commonweal.core.errors import ApplicationError
from commonweal.core.formatting import money_rate

from .models import ValueType

PRECISION = 50  # significant digits: far more than any value × quantity × index ratio needs
PENNY = Decimal("0.01")
HUNDRED = Decimal(100)
ONE = Decimal(1)
ZERO = Decimal(0)
VALUE_TYPES = tuple(ValueType.values)  # read once: Django builds `.values` anew on every access
# Price years a value set, a figure or a calculation may be in (the bounds).
FIRST_BASE_YEAR, LAST_BASE_YEAR = 1990, 2100


def _context() -> Context:
    return Context(prec=PRECISION, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])


def pennies(amount: Decimal) -> Decimal:
    """An amount rounded to the nearest penny, halves up: the one rounding rule for money shown."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP, context=_context())


def as_percent(fraction: Decimal) -> Decimal:
    """0.2 → 20: adjustments are stored as fractions and shown as percentages."""
    with localcontext(_context()):
        return (Decimal(fraction) * HUNDRED).normalize() + ZERO


@dataclass(frozen=True)
class ClaimLine:
    """A quantity of one measure, e.g. a commitment or a delivered amount."""

    measure_code: str
    value_type: str  # a ValueType: local economic value or additional social value
    quantity: Decimal


@dataclass(frozen=True)
class ValueEntry:
    """One measure's row of a value table: £ per unit in its base year's prices, and the adjustments
    from gross to net as fractions from 0 to 1. Drop-off applies each year after the first."""

    value_per_unit: Decimal
    base_year: int
    deadweight: Decimal = ZERO
    attribution: Decimal = ZERO
    displacement: Decimal = ZERO
    drop_off: Decimal = ZERO
    duration_years: int = 1
    source: str = ""

    @property
    def value_per_unit_label(self) -> str:
        """£12.50, £0.1234, £10,000.00: pence always, and up to 4 places when the figure has them."""
        return money_rate(self.value_per_unit)

    @property
    def deadweight_percent(self) -> Decimal:
        return as_percent(self.deadweight)

    @property
    def attribution_percent(self) -> Decimal:
        return as_percent(self.attribution)

    @property
    def displacement_percent(self) -> Decimal:
        return as_percent(self.displacement)

    @property
    def drop_off_percent(self) -> Decimal:
        return as_percent(self.drop_off)


@dataclass(frozen=True)
class Deflator:
    """A price index by year, supplied by the user (e.g. the GDP deflator)."""

    title: str
    index: Mapping[int, Decimal]


@dataclass(frozen=True)
class ValuedLine:
    """The workings for one measure: all quantities of it added up, valued and re-based, unrounded."""

    measure_code: str
    value_type: str
    quantity: Decimal
    entry: ValueEntry
    rebase_factor: Decimal  # index[price year] ÷ index[base year]; 1 when not re-based
    gross: Decimal
    net: Decimal

    @property
    def gross_pennies(self) -> Decimal:
        """For display only: totals add the unrounded figures."""
        return pennies(self.gross)

    @property
    def net_pennies(self) -> Decimal:
        return pennies(self.net)

    @property
    def is_rebased(self) -> bool:
        return self.rebase_factor != ONE


@dataclass(frozen=True)
class NotValuedLine:
    """A measure the value table has no figure for: the raw quantity is kept and shown."""

    measure_code: str
    value_type: str
    quantity: Decimal


@dataclass(frozen=True)
class ValueTotals:
    """Gross and net £ for one value type, each rounded once to pennies."""

    gross: Decimal
    net: Decimal


@dataclass(frozen=True)
class Valuation:
    """The result of `valuate`. Local economic value and additional social value are kept apart:
    there is deliberately no combined total."""

    value_set: str
    price_year: int | None
    deflator: str
    base_years: tuple[int, ...]
    lines: tuple[ValuedLine, ...]
    not_valued: tuple[NotValuedLine, ...]
    local_economic: ValueTotals
    additional_social: ValueTotals

    @property
    def price_basis(self) -> str:
        """What prices the figures are in, e.g. “2024 prices”."""
        if self.price_year is not None:
            return f"{self.price_year} prices"
        if self.base_years:
            return f"{self.base_years[0]} prices"
        return "no prices (nothing was valued)"

    def lines_of(self, value_type: str) -> tuple[ValuedLine, ...]:
        return tuple(line for line in self.lines if line.value_type == value_type)


def _check_line(line: ClaimLine) -> None:
    if line.value_type not in VALUE_TYPES:
        raise ApplicationError(f"{line.measure_code}: “{line.value_type}” is not a value type.")
    if not isinstance(line.quantity, Decimal) or not line.quantity.is_finite():
        raise ApplicationError(f"{line.measure_code}: the quantity must be a number.")
    if line.quantity < 0:
        raise ApplicationError(f"{line.measure_code}: the quantity must be 0 or more.")


def _check_entry(code: str, entry: ValueEntry) -> None:
    fractions = (entry.deadweight, entry.attribution, entry.displacement, entry.drop_off)
    if entry.value_per_unit < 0 or any(not ZERO <= fraction <= ONE for fraction in fractions):
        raise ApplicationError(f"{code}: values must be £0 or more and adjustments between 0 and 1.")
    if entry.duration_years < 1:
        raise ApplicationError(f"{code}: the duration must be at least 1 year.")


def _grouped(lines: Iterable[ClaimLine]) -> dict[tuple[str, str], Decimal]:
    """Quantities added per (value type, measure code): exact, so splitting a line changes nothing."""
    totals: dict[tuple[str, str], Decimal] = {}
    for line in lines:
        _check_line(line)
        key = (line.value_type, line.measure_code)
        totals[key] = totals.get(key, ZERO) + line.quantity
    return dict(sorted(totals.items()))


def _rebase_factor(entry: ValueEntry, price_year: int | None, deflator: Deflator | None) -> Decimal:
    if price_year is None or entry.base_year == price_year:
        return ONE
    if deflator is None:
        raise ApplicationError(
            f"Choose a deflator series to re-base values from {entry.base_year} prices to {price_year} prices.",
            field_errors={"deflator": "Choose a deflator series to re-base the values to the price year"},
        )
    for year in (entry.base_year, price_year):
        if year not in deflator.index:
            message = f"The deflator series “{deflator.title}” has no index for {year}"
            raise ApplicationError(
                f"{message}: add it to the series or choose another series.",
                field_errors={"deflator": f"{message}: add it to the series or choose another"},
            )
    base, target = deflator.index[entry.base_year], deflator.index[price_year]
    if base <= 0 or target <= 0:
        raise ApplicationError(f"The deflator series “{deflator.title}” has an index that is not more than 0.")
    return target / base


def _value(quantity: Decimal, entry: ValueEntry, factor: Decimal) -> tuple[Decimal, Decimal]:
    """(gross, net) for a quantity of one measure, unrounded, in the context of `valuate`."""
    retained = (ONE - entry.deadweight) * (ONE - entry.displacement) * (ONE - entry.attribution)
    # Σ_{y=0}^{d−1} (1 − drop-off)^y: year 0 counts in full, each later year keeps (1 − drop-off) of the last.
    years_counted = ZERO
    persisting = ONE
    for _ in range(entry.duration_years):
        years_counted += persisting
        persisting *= ONE - entry.drop_off
    base_value = quantity * entry.value_per_unit
    gross = base_value * entry.duration_years * factor
    net = base_value * retained * years_counted * factor
    return gross, net


def valuate(
    lines: Iterable[ClaimLine],
    entries_by_code: Mapping[str, ValueEntry],
    *,
    price_year: int | None = None,
    deflator: Deflator | None = None,
    value_set: str = "",
) -> Valuation:
    """Value `lines` with `entries_by_code` (a value table), optionally re-based to `price_year` with
    `deflator`. `value_set` names the table, so that every result says which values it used."""
    if deflator is not None and price_year is None:
        raise ApplicationError(
            "Enter the price year to re-base the values to, or choose no deflator series.",
            field_errors={"price_year": "Enter the price year to re-base the values to"},
        )
    with localcontext(_context()):
        valued: list[ValuedLine] = []
        not_valued: list[NotValuedLine] = []
        for (value_type, code), quantity in _grouped(lines).items():
            entry = entries_by_code.get(code)
            if entry is None:
                not_valued.append(NotValuedLine(measure_code=code, value_type=value_type, quantity=quantity))
                continue
            _check_entry(code, entry)
            factor = _rebase_factor(entry, price_year, deflator)
            gross, net = _value(quantity, entry, factor)
            valued.append(ValuedLine(code, value_type, quantity, entry, factor, gross, net))
        base_years = tuple(sorted({line.entry.base_year for line in valued}))
        if price_year is None and len(base_years) > 1:
            years = ", ".join(str(year) for year in base_years)
            raise ApplicationError(
                f"These values are in different price years ({years}): choose a price year and a deflator "
                "series to re-base them to one year.",
                field_errors={"price_year": f"The values are in different price years ({years}): enter one"},
            )
        totals = {
            value_type: ValueTotals(
                gross=pennies(sum((line.gross for line in valued if line.value_type == value_type), ZERO)),
                net=pennies(sum((line.net for line in valued if line.value_type == value_type), ZERO)),
            )
            for value_type in VALUE_TYPES
        }
    return Valuation(
        value_set=value_set,
        price_year=price_year,
        deflator=deflator.title if deflator is not None else "",
        base_years=base_years,
        lines=tuple(valued),
        not_valued=tuple(not_valued),
        local_economic=totals[ValueType.LOCAL_ECONOMIC],
        additional_social=totals[ValueType.ADDITIONAL_SOCIAL],
    )
