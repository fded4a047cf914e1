"""The social value budget of one financial year, as figures: what each department planned, committed,
claimed, evidenced and verified, in units and in gross and net £, beside its budget lines.

Pure types and rules, no database (the selector `selectors_budget.budget_get` gathers the facts). The
rules (also in docs/reporting.md):

- **Planned**: procurements of the department due to award in the year (award date in the year, not yet
  awarded or cancelled): how many, their estimated value, and for a budget line those whose ask names the
  outcome of the line's measure.
- **Committed**: the targets in force (pro-rated for call-offs, as on the agreement page) of commitments
  due in the year.
- **Claimed / evidenced / verified**: return lines reported for periods ending in the year (or, for a
  return without a period, submitted in the year): claimed = not rejected, on a submitted return;
  evidenced = claimed with evidence attached; verified = verified by the contract manager.
- Money equivalents come from the year's value set (a £ budget line from its own), gross and net, with
  local economic value always apart from additional social value: no figure adds the two.
- **Variance** = verified − the budget line's target; the **forecast** carries the verified rate so far
  to 31 March (the rule of delivery/status.py `forecast`).
- **Suppression**: in breakdowns by place, group and decile, a count of people from 1 to
  threshold − 1 is shown as "fewer than N"; if that leaves one hidden cell in a column whose total is shown,
  the next smallest cell is hidden too, so no hidden figure can be found by subtraction.
"""

import dataclasses
import functools
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Union, get_args, get_origin, get_type_hints

from commonweal.delivery.status import percent_of
from commonweal.frameworks.models import UnitKind, ValueType
from commonweal.frameworks.valuation import ClaimLine, ValueEntry, pennies, valuate

ZERO = Decimal("0")
STATES = ("committed", "claimed", "evidenced", "verified")
STATE_LABELS = {
    "planned": "Planned",
    "committed": "Committed",
    "claimed": "Claimed",
    "evidenced": "Evidenced",
    "verified": "Verified",
}
# Units that count people or things, whose small numbers could identify someone.
COUNT_UNITS = {UnitKind.COUNT, UnitKind.FTE}


@dataclass(frozen=True)
class Quantities:
    """A quantity in each state."""

    committed: Decimal = ZERO
    claimed: Decimal = ZERO
    evidenced: Decimal = ZERO
    verified: Decimal = ZERO

    def __add__(self, other: "Quantities") -> "Quantities":
        return Quantities(*(getattr(self, state) + getattr(other, state) for state in STATES))

    def of(self, state: str) -> Decimal:
        value: Decimal = getattr(self, state)
        return value


@dataclass(frozen=True)
class Money:
    gross: Decimal = ZERO
    net: Decimal = ZERO


@dataclass(frozen=True)
class StateMoney:
    """Money equivalents of one state, the two value types apart (deliberately no combined total)."""

    state: str
    local_economic: Money
    additional_social: Money

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class Pipeline:
    """Procurements due to award in the year and not yet awarded."""

    procurements: int = 0
    estimated_value: Decimal = ZERO


@dataclass(frozen=True)
class Fact:
    """One commitment's part in the year: its quantities in each state, and what it is about."""

    commitment_id: int
    agreement_id: int
    department_id: int | None
    measure_code: str
    measure_title: str
    unit: str
    unit_kind: str
    value_type: str
    place_code: str
    beneficiary_group: str
    quantities: Quantities


@dataclass(frozen=True)
class MeasureFigures:
    """One measure's quantities in a scope (a department, the organisation) and their money equivalents
    (None: the value set has no figure for it)."""

    code: str
    title: str
    unit: str
    value_type: str
    quantities: Quantities
    money: tuple[Money, ...] | None  # in STATES order
    baseline_verified: Decimal

    @property
    def value_type_label(self) -> str:
        return ValueType(self.value_type).label

    @property
    def unit_label(self) -> str:
        return UnitKind(self.unit).label

    def money_of(self, state: str) -> Money | None:
        return self.money[STATES.index(state)] if self.money is not None else None


@dataclass(frozen=True)
class LineFigures:
    """A budget line and the figures computed beside it. For a £ line every figure is in £ of the line's
    basis (gross or net) under its value set; otherwise in the measure's unit."""

    id: int
    measure_code: str
    measure_title: str
    unit: str
    value_type: str
    is_amount: bool
    target: Decimal
    amount_basis: str  # "gross" or "net" for a £ line
    value_set: str  # the £ line's value set
    note: str
    planned: Pipeline
    actual: Quantities
    variance: Decimal  # verified − target
    percent_verified: Decimal | None
    forecast: Decimal | None
    forecast_reason: str
    baseline_verified: Decimal | None  # last year's verified, in the same terms; None: no such line then

    @property
    def value_type_label(self) -> str:
        return ValueType(self.value_type).label

    @property
    def unit_text(self) -> str:
        return f"£, {self.amount_basis}" if self.is_amount else UnitKind(self.unit).label

    @property
    def figure_unit(self) -> str:
        """The unit the line's figures are in, for the `quantity` filter: pounds for a £ line."""
        return UnitKind.GBP if self.is_amount else self.unit


@dataclass(frozen=True)
class DepartmentFigures:
    id: int | None  # None: agreements with no department
    name: str
    agreements: int
    agreement_value: Decimal
    pipeline: Pipeline
    lines: tuple[LineFigures, ...]
    measures: tuple[MeasureFigures, ...]
    money: tuple[StateMoney, ...]
    baseline_money: tuple[StateMoney, ...]
    spend: "DepartmentSpend | None" = None  # None: no spend files, or no service areas mapped to it

    def verified_share_of_spend(self, value_type: str, basis: str) -> Decimal | None:
        """Verified £ of one value type (gross or net) as a % of what the department paid in the year."""
        if self.spend is None:
            return None
        verified = next(row for row in self.money if row.state == "verified")
        money = verified.local_economic if value_type == ValueType.LOCAL_ECONOMIC else verified.additional_social
        return percent_of(getattr(money, basis), self.spend.amount)

    @property
    def verified_social_net_percent(self) -> Decimal | None:
        return self.verified_share_of_spend(ValueType.ADDITIONAL_SOCIAL, "net")

    @property
    def verified_local_net_percent(self) -> Decimal | None:
        return self.verified_share_of_spend(ValueType.LOCAL_ECONOMIC, "net")


@dataclass(frozen=True)
class DepartmentSpend:
    """What a department paid in the year by its spend files: payments dated in the year whose service area
    or cost centre is one of the department's, and how much of that went to local suppliers."""

    amount: Decimal
    payments: int
    local: Decimal
    labels: tuple[str, ...]

    @property
    def local_percent(self) -> Decimal | None:
        return percent_of(self.local, self.amount)


@dataclass(frozen=True)
class Cell:
    """A breakdown figure, or None where it is suppressed (`text` then says "fewer than N")."""

    value: Decimal | None
    text: str


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    cells: tuple[Cell, ...]  # committed, verified


@dataclass(frozen=True)
class BreakdownMeasure:
    """One measure's figures split by a dimension, with the column totals."""

    code: str
    title: str
    unit: str
    rows: tuple[BreakdownRow, ...]
    totals: tuple[Cell, ...]  # committed, verified


@dataclass(frozen=True)
class Breakdown:
    dimension: str  # place, beneficiary_group, deprivation_decile
    title: str
    measures: tuple[BreakdownMeasure, ...]

    @property
    def in_caption(self) -> str:
        """The title as it reads after a measure's name: "By place" → "by place"."""
        return self.title[:1].lower() + self.title[1:]


BREAKDOWN_STATES = ("committed", "verified")


@dataclass(frozen=True)
class AgreementShare:
    """Social value as a share of the spend it came from: an agreement's value, and the money equivalents
    of its commitments (all of them, whenever due) committed, claimed and verified."""

    agreement_id: int
    reference: str
    title: str
    supplier: str
    department: str
    value: Decimal
    money: tuple[StateMoney, ...]  # committed, claimed, verified

    def percent(self, state: str, value_type: str, basis: str) -> Decimal | None:
        for row in self.money:
            if row.state == state:
                money = row.local_economic if value_type == ValueType.LOCAL_ECONOMIC else row.additional_social
                return percent_of(getattr(money, basis), self.value)
        return None


@dataclass(frozen=True)
class Budget:
    organisation: str
    organisation_slug: str
    start_year: int
    label: str
    start_date: date
    end_date: date
    as_at: date
    closed: bool
    value_set: str  # "" when the year has none
    price_basis: str
    note: str
    suppression_threshold: int
    departments: tuple[DepartmentFigures, ...]
    measures: tuple[MeasureFigures, ...]
    totals: tuple[StateMoney, ...]
    baseline_totals: tuple[StateMoney, ...]
    pipeline: Pipeline
    breakdowns: tuple[Breakdown, ...]
    shares: tuple[AgreementShare, ...]
    not_valued: tuple[str, ...] = field(default=())

    def department(self, department_id: int | None) -> DepartmentFigures | None:
        return next((row for row in self.departments if row.id == department_id), None)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe: Decimals and dates as text. `budget_from_dict` reads it back unchanged."""
        dumped: dict[str, Any] = _dump(self)
        return dumped


# --- Rules ------------------------------------------------------------------------------------------


def state_money(facts: Iterable[Fact], entries: Mapping[str, ValueEntry], value_set: str) -> tuple[StateMoney, ...]:
    """Gross and net £ of the facts in each state, local economic value and additional social value apart."""
    facts = list(facts)
    rows = []
    for state in STATES:
        valuation = valuate(
            [ClaimLine(fact.measure_code, fact.value_type, fact.quantities.of(state)) for fact in facts],
            entries,
            value_set=value_set,
        )
        rows.append(
            StateMoney(
                state,
                Money(valuation.local_economic.gross, valuation.local_economic.net),
                Money(valuation.additional_social.gross, valuation.additional_social.net),
            )
        )
    return tuple(rows)


def measure_money(
    code: str, value_type: str, quantities: Quantities, entries: Mapping[str, ValueEntry]
) -> tuple[Money, ...] | None:
    """One measure's £ in each state, or None when the value set has no figure for it."""
    if code not in entries:
        return None
    money = []
    for state in STATES:
        valuation = valuate([ClaimLine(code, value_type, quantities.of(state))], entries)
        totals = valuation.local_economic if value_type == ValueType.LOCAL_ECONOMIC else valuation.additional_social
        money.append(Money(totals.gross, totals.net))
    return tuple(money)


def measure_figures(
    facts: Iterable[Fact], entries: Mapping[str, ValueEntry], baseline: Mapping[str, Decimal]
) -> tuple[MeasureFigures, ...]:
    """The facts added up by measure, in code order, each valued."""
    by_code: dict[str, tuple[Fact, Quantities]] = {}
    for fact in facts:
        first, total = by_code.get(fact.measure_code, (fact, Quantities()))
        by_code[fact.measure_code] = (first, total + fact.quantities)
    return tuple(
        MeasureFigures(
            code,
            first.measure_title,
            first.unit,
            first.value_type,
            total,
            measure_money(code, first.value_type, total, entries),
            baseline.get(code, ZERO),
        )
        for code, (first, total) in sorted(by_code.items())
    )


def suppress(values: list[Decimal], *, threshold: int) -> tuple[list[Cell], Cell]:
    """Cells and their total with counts from 1 to threshold − 1 hidden ("fewer than N"). When exactly one
    cell is hidden, the next smallest non-zero cell is hidden too, so neither can be found by subtracting
    the others from the total; when there is no other to hide, the total is hidden instead."""
    text = f"fewer than {threshold}"
    hide = {index for index, value in enumerate(values) if ZERO < value < threshold}
    total = sum(values, ZERO)
    total_hidden = ZERO < total < threshold
    if len(hide) == 1:
        others = sorted((value, index) for index, value in enumerate(values) if index not in hide and value > 0)
        if others:
            hide.add(others[0][1])
        else:
            total_hidden = True
    cells = [Cell(None, text) if index in hide else Cell(value, "") for index, value in enumerate(values)]
    return cells, Cell(None, text) if total_hidden else Cell(total, "")


def breakdown(
    dimension: str,
    title: str,
    facts: Iterable[Fact],
    key_of: Any,
    label_of: Any,
    *,
    threshold: int,
) -> Breakdown:
    """Facts split by `key_of(fact)` for each measure; counts of people are suppressed column by column."""
    by_measure: dict[str, dict[str, Quantities]] = {}
    about: dict[str, Fact] = {}
    for fact in facts:
        key = key_of(fact)
        about.setdefault(fact.measure_code, fact)
        column = by_measure.setdefault(fact.measure_code, {})
        column[key] = column.get(key, Quantities()) + fact.quantities
    measures = []
    for code, by_key in sorted(by_measure.items()):
        fact = about[code]
        keys = sorted(by_key, key=lambda key: (key == "", str(key)))
        columns, totals = [], []
        for state in BREAKDOWN_STATES:
            values = [by_key[key].of(state) for key in keys]
            if fact.unit_kind in COUNT_UNITS:
                cells, total = suppress(values, threshold=threshold)
            else:
                cells, total = [Cell(value, "") for value in values], Cell(sum(values, ZERO), "")
            columns.append(cells)
            totals.append(total)
        rows = tuple(
            BreakdownRow(str(key), label_of(key), tuple(column[index] for column in columns))
            for index, key in enumerate(keys)
        )
        measures.append(BreakdownMeasure(code, fact.measure_title, fact.unit, rows, tuple(totals)))
    return Breakdown(dimension, title, tuple(measures))


def line_actual(
    *, is_amount: bool, amount_basis: str, measure: MeasureFigures | None, money: tuple[Money, ...] | None
) -> Quantities:
    """What a budget line is compared with: the measure's quantities, or for a £ line its £ of the basis."""
    if not is_amount:
        return measure.quantities if measure is not None else Quantities()
    if money is None:
        return Quantities()
    return Quantities(*(pennies(getattr(money[index], amount_basis)) for index in range(len(STATES))))


# --- Reading a frozen or published budget back ------------------------------------------------------


def _dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: _dump(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_dump(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@functools.cache
def _fields(kind: type) -> tuple[tuple[str, Any], ...]:
    """A dataclass's fields with their resolved types (resolving them is slow: once per class)."""
    hints = get_type_hints(kind)
    return tuple((item.name, hints[item.name]) for item in dataclasses.fields(kind))


def _load(kind: Any, data: Any) -> Any:
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [option for option in get_args(kind) if option is not type(None)]
        return None if data is None else _load(options[0], data)
    if origin is tuple:
        item_kind = get_args(kind)[0]
        return tuple(_load(item_kind, item) for item in data)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return kind(**{name: _load(hint, data[name]) for name, hint in _fields(kind) if name in data})
    if kind is Decimal:
        return Decimal(data)
    if kind is date:
        return date.fromisoformat(data)
    return data


def budget_from_dict(data: Mapping[str, Any]) -> Budget:
    """A budget as `Budget.as_dict` wrote it (a closed year's frozen figures, a published report's)."""
    budget: Budget = _load(Budget, data)
    return budget


# --- The figures as rows (CSV, the CLI) ---------------------------------------------------------------

CSV_FIELDS = [
    "year",
    "department",
    "measure_code",
    "measure_title",
    "unit",
    "value_type",
    "budget_target",
    "budget_unit",
    "planned_procurements",
    "planned_estimated_value",
    "committed",
    "claimed",
    "evidenced",
    "verified",
    "variance",
    "percent_verified",
    "forecast_to_year_end",
    "last_year_verified",
    *(f"{state}_{basis}_gbp" for state in STATES for basis in ("gross", "net")),
    "value_set",
]


def _number(value: Decimal | None) -> Decimal | str:
    """A number as itself (so the CSV writer never mistakes a negative for a formula), or blank."""
    return "" if value is None else value


def csv_rows(budget: Budget) -> list[dict[str, Any]]:
    """One row per department and measure (budget lines first, with their target, variance and forecast),
    then one per measure for the whole organisation (department "All departments"). Quantities are in the
    measure's unit; a £ budget line's figures are in £ of its basis; money columns are the measure's value
    type, from the year's value set."""
    rows = []
    scopes = [(department.name, department.lines, department.measures) for department in budget.departments]
    scopes.append(("All departments", (), budget.measures))
    for name, lines, measures in scopes:
        by_code = {measure.code: measure for measure in measures}
        seen = set()
        for line in lines:
            seen.add(line.measure_code)
            measure = by_code.get(line.measure_code)
            rows.append(
                {
                    **_measure_row(budget, name, line.measure_code, line.measure_title, line.unit, line.value_type),
                    "budget_target": line.target,
                    "budget_unit": line.unit_text,
                    "planned_procurements": line.planned.procurements,
                    "planned_estimated_value": line.planned.estimated_value,
                    **{state: line.actual.of(state) for state in STATES},
                    "variance": line.variance,
                    "percent_verified": _number(line.percent_verified),
                    "forecast_to_year_end": _number(line.forecast),
                    "last_year_verified": _number(line.baseline_verified),
                    **_money_columns(measure),
                }
            )
        for measure in measures:
            if measure.code in seen:
                continue
            rows.append(
                {
                    **_measure_row(budget, name, measure.code, measure.title, measure.unit, measure.value_type),
                    **{state: measure.quantities.of(state) for state in STATES},
                    "last_year_verified": measure.baseline_verified,
                    **_money_columns(measure),
                }
            )
    return rows


def _measure_row(budget: Budget, department: str, code: str, title: str, unit: str, value_type: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(CSV_FIELDS, "")
    row.update(
        year=budget.label,
        department=department,
        measure_code=code,
        measure_title=title,
        unit=UnitKind(unit).label,
        value_type=ValueType(value_type).label,
        value_set=budget.value_set,
    )
    return row


def _money_columns(measure: MeasureFigures | None) -> dict[str, Decimal]:
    if measure is None or measure.money is None:
        return {}
    return {
        f"{state}_{basis}_gbp": pennies(getattr(measure.money[index], basis))
        for index, state in enumerate(STATES)
        for basis in ("gross", "net")
    }
