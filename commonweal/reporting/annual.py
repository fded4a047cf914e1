"""The annual impact report as content: its words, the year's budget figures, the chosen case studies and
the methodology appendix, and the tables every page, PDF and download shows of it.

Pure types and rules, no database: `selectors_report` gathers a draft's content, and a published
`ReportVersion` keeps it as `ReportContent.as_dict()` (the snapshot), read back with `content_from_dict`,
so a published report is shown from its snapshot alone and never changes when new returns are verified.

Every figure says which state it counts (planned, committed, claimed, evidenced, verified) and whether it
is gross or net; local economic value is always shown apart from additional social value, never added to it.
"""

import dataclasses
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Union, get_args, get_origin, get_type_hints

from commonweal.core.formatting import MINUS, money, percent
from commonweal.frameworks.models import UnitKind

from . import budget as budget_rules
from .budget import STATES, Budget, Cell, DepartmentFigures, StateMoney, budget_from_dict

SNAPSHOT_FORMAT = 1
ZERO = Decimal("0")
VALUE_TYPES = (("additional_social", "Additional social value"), ("local_economic", "Local economic value"))
SHARE_STATES = ("committed", "claimed", "verified")


# --- Content ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    heading: str
    body: str


@dataclass(frozen=True)
class CaseStudyText:
    """A case study as the report prints it, with the consent it was published under."""

    title: str
    story: str
    consent_given_by: str
    consent_date: date
    agreement: str
    supplier: str
    measure: str


@dataclass(frozen=True)
class ValueEntryText:
    measure_code: str
    value_per_unit: Decimal
    source: str
    base_year: int
    deadweight: Decimal  # fractions from 0 to 1
    attribution: Decimal
    displacement: Decimal
    drop_off: Decimal
    duration_years: int


@dataclass(frozen=True)
class ValueSetText:
    """A value set the report's £ figures came from, with the entries of the measures it valued."""

    title: str
    code: str
    source: str
    licence: str
    base_year: int
    valid_from: date
    valid_to: date | None
    used_for: str
    entries: tuple[ValueEntryText, ...]


@dataclass(frozen=True)
class Rule:
    term: str
    text: str


@dataclass(frozen=True)
class Methodology:
    value_sets: tuple[ValueSetText, ...]
    rules: tuple[Rule, ...]  # what counts as planned, committed, claimed, evidenced, verified, ...
    valuation: tuple[str, ...]  # how gross and net £ are worked out


@dataclass(frozen=True)
class ReportContent:
    """Everything the report shows. A draft's is gathered live; a published version's is its snapshot."""

    title: str
    summary: str
    organisation: str
    year_label: str
    budget: Budget
    sections: tuple[Section, ...]
    case_studies: tuple[CaseStudyText, ...]
    methodology: Methodology

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe: the budget as `Budget.as_dict()`, and the words and appendix as they are."""
        return {
            "format": SNAPSHOT_FORMAT,
            "title": self.title,
            "summary": self.summary,
            "organisation": self.organisation,
            "year_label": self.year_label,
            "budget": self.budget.as_dict(),
            "sections": _dump(self.sections),
            "case_studies": _dump(self.case_studies),
            "methodology": _dump(self.methodology),
        }


def content_from_dict(data: Mapping[str, Any]) -> ReportContent:
    """A report's content as `ReportContent.as_dict` wrote it (a published version's snapshot)."""
    return ReportContent(
        title=data["title"],
        summary=data["summary"],
        organisation=data["organisation"],
        year_label=data["year_label"],
        budget=budget_from_dict(data["budget"]),
        sections=_load(tuple[Section, ...], data["sections"]),
        case_studies=_load(tuple[CaseStudyText, ...], data["case_studies"]),
        methodology=_load(Methodology, data["methodology"]),
    )


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


def _load(kind: Any, data: Any) -> Any:
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [option for option in get_args(kind) if option is not type(None)]
        return None if data is None else _load(options[0], data)
    if origin is tuple:
        return tuple(_load(get_args(kind)[0], item) for item in data)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = get_type_hints(kind)
        return kind(**{item.name: _load(hints[item.name], data[item.name]) for item in dataclasses.fields(kind)})
    if kind is Decimal:
        return Decimal(data)
    if kind is date:
        return date.fromisoformat(data)
    return data


# --- The rules, in the words of the budget's own documentation ---------------------------------------

_BULLET = re.compile(r"^- \*\*(?P<term>[^*]+)\*\*:?\s*(?P<text>.*)$")
_PLAIN_BULLET = re.compile(r"^- (?P<text>.*)$")


def _bullets(doc: str) -> list[str]:
    """The `- ` bullets of a docstring, each with its continuation lines joined."""
    bullets: list[str] = []
    for raw in doc.splitlines():
        line = raw.strip()
        if line.startswith("- "):
            bullets.append(line)
        elif line and bullets and raw.startswith("  "):
            bullets[-1] += " " + line
        elif not line and bullets:
            bullets.append("")
    return [bullet for bullet in bullets if bullet]


def _plain(text: str) -> str:
    return text.replace("**", "").replace("`", "")


def counting_rules() -> tuple[Rule, ...]:
    """What counts as planned, committed, claimed, evidenced and verified, and the rest of the budget's
    rules, taken word for word from the budget module's documentation (`reporting/budget.py`)."""
    rules = []
    for bullet in _bullets(budget_rules.__doc__ or ""):
        match = _BULLET.match(bullet)
        if match:
            rules.append(Rule(_plain(match["term"]).strip().rstrip(":"), _plain(match["text"])))
        else:
            plain = _PLAIN_BULLET.match(bullet)
            text = _plain(plain["text"] if plain else bullet)
            rules.append(Rule("Money", text))
    return tuple(rules)


def valuation_rules() -> tuple[str, ...]:
    """How gross and net £ are worked out, from the valuation module's documentation."""
    from commonweal.frameworks import valuation

    return tuple(_plain(bullet.removeprefix("- ")) for bullet in _bullets(valuation.__doc__ or ""))


# --- Tables -----------------------------------------------------------------------------------------

Value = Decimal | int | str | None


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text, money, quantity, percent, count, year

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class Table:
    """A table of figures: shown on the page and in the PDF, and in the CSV, XLSX and JSON downloads.
    A cell that is text in a numeric column is a suppressed figure ("fewer than 5") or a note."""

    key: str
    heading: str
    intro: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    note: str = ""  # said under the table, e.g. that the page shows only part of it

    @property
    def shown_rows(self) -> list[list[tuple[str, bool]]]:
        return [
            [(cell_text(value, column.kind), column.numeric) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]


def _number(value: Decimal) -> str:
    """12.50 → "12.5", 1234 → "1,234", −5 → "−5" (a true minus sign)."""
    magnitude = abs(value)
    if magnitude == magnitude.to_integral():
        text = f"{magnitude.quantize(Decimal(1)):,f}"
    else:
        text = f"{magnitude:,f}".rstrip("0").rstrip(".")
    return f"{MINUS}{text}" if value < 0 else text


def cell_text(value: Value, kind: str) -> str:
    """A cell as people read it; "–" for a figure that is not there."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if kind == "money":
        return money(value)
    if kind == "percent":
        return percent(value)
    if kind in ("quantity", "count"):
        return _number(Decimal(value))
    if kind == "year":
        return str(value)
    return str(value)


def cell_export(value: Value) -> Decimal | int | str:
    """A cell as the downloads carry it: a number as itself (written as a plain decimal, and never taken
    for a formula), text as it is, "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, Pounds):
        return value.amount
    return value


def _state_row(rows: Sequence[StateMoney], state: str) -> StateMoney | None:
    return next((row for row in rows if row.state == state), None)


def state_value(rows: Sequence[StateMoney], state: str, value_type: str, basis: str) -> Decimal | None:
    row = _state_row(rows, state)
    if row is None:
        return None
    part = row.additional_social if value_type == "additional_social" else row.local_economic
    value: Decimal = getattr(part, basis)
    return value


def value_type_table(budget: Budget, value_type: str, label: str) -> Table:
    return Table(
        key=value_type.replace("_", "-"),
        heading=f"{label} by state",
        intro=(
            f"{label} in £, gross and net, in each state, this year and last year. "
            + (
                "Local economic value is reported apart from additional social value and never added to it."
                if value_type == "local_economic"
                else "Additional social value is reported apart from local economic value and never added to it."
            )
        ),
        caption=f"{label}, {budget.label} against {budget.start_year - 1}/{budget.start_year % 100:02d} (£)",
        columns=(
            Column("State"),
            Column(f"{budget.label} gross", "money"),
            Column(f"{budget.label} net", "money"),
            Column("Last year gross", "money"),
            Column("Last year net", "money"),
        ),
        rows=tuple(
            (
                budget_rules.STATE_LABELS[state],
                state_value(budget.totals, state, value_type, "gross"),
                state_value(budget.totals, state, value_type, "net"),
                state_value(budget.baseline_totals, state, value_type, "gross"),
                state_value(budget.baseline_totals, state, value_type, "net"),
            )
            for state in STATES
        ),
    )


def pipeline_table(budget: Budget) -> Table:
    rows: list[tuple[Value, ...]] = [
        (department.name, department.pipeline.procurements, department.pipeline.estimated_value)
        for department in budget.departments
        if department.pipeline.procurements
    ]
    rows.append(("All departments", budget.pipeline.procurements, budget.pipeline.estimated_value))
    return Table(
        key="planned",
        heading="Planned: the procurement pipeline",
        intro=(
            "Procurements due to award in the year and not yet awarded or cancelled, with their estimated "
            "value: what the year's spending could still commit."
        ),
        caption=f"Planned procurements due to award in {budget.label}",
        columns=(Column("Department"), Column("Procurements", "count"), Column("Estimated value (£)", "money")),
        rows=tuple(rows),
    )


def _department_row(department: DepartmentFigures) -> tuple[Value, ...]:
    return (
        department.name,
        department.agreements,
        department.agreement_value,
        state_value(department.money, "committed", "additional_social", "net"),
        state_value(department.money, "verified", "additional_social", "gross"),
        state_value(department.money, "verified", "additional_social", "net"),
        state_value(department.baseline_money, "verified", "additional_social", "net"),
        state_value(department.money, "committed", "local_economic", "net"),
        state_value(department.money, "verified", "local_economic", "gross"),
        state_value(department.money, "verified", "local_economic", "net"),
        state_value(department.baseline_money, "verified", "local_economic", "net"),
    )


def departments_table(budget: Budget) -> Table:
    return Table(
        key="departments",
        heading="By department",
        intro=(
            "Each department's agreements, and the social value committed and verified through them, in £. "
            "Additional social value and local economic value are in separate columns and never added."
        ),
        caption=f"Social value by department, {budget.label} (£)",
        columns=(
            Column("Department"),
            Column("Agreements", "count"),
            Column("Value of agreements", "money"),
            Column("Additional social value committed, net", "money"),
            Column("Additional social value verified, gross", "money"),
            Column("Additional social value verified, net", "money"),
            Column("Additional social value verified last year, net", "money"),
            Column("Local economic value committed, net", "money"),
            Column("Local economic value verified, gross", "money"),
            Column("Local economic value verified, net", "money"),
            Column("Local economic value verified last year, net", "money"),
        ),
        rows=tuple(_department_row(department) for department in budget.departments),
    )


def measures_table(budget: Budget) -> Table:
    rows = []
    for measure in budget.measures:
        verified = measure.money_of("verified")
        rows.append(
            (
                f"{measure.title} ({measure.code})",
                measure.unit_label,
                measure.value_type_label,
                measure.quantities.committed,
                measure.quantities.claimed,
                measure.quantities.evidenced,
                measure.quantities.verified,
                measure.baseline_verified,
                verified.gross if verified is not None else "not valued",
                verified.net if verified is not None else "not valued",
            )
        )
    return Table(
        key="measures",
        heading="By measure",
        intro="Each measure's quantities in every state, in its own unit, and what was verified in £.",
        caption=f"Social value by measure, {budget.label}",
        columns=(
            Column("Measure"),
            Column("Unit"),
            Column("Value type"),
            Column("Committed", "quantity"),
            Column("Claimed", "quantity"),
            Column("Evidenced", "quantity"),
            Column("Verified", "quantity"),
            Column("Verified last year", "quantity"),
            Column("Verified, gross (£)", "money"),
            Column("Verified, net (£)", "money"),
        ),
        rows=tuple(rows),
    )


def budget_lines_table(budget: Budget) -> Table:
    rows = []
    for department in budget.departments:
        for line in department.lines:
            kind = "money" if line.is_amount else "quantity"
            rows.append(
                (
                    department.name,
                    f"{line.measure_title} ({line.measure_code})",
                    line.unit_text,
                    _typed(line.target, kind),
                    line.planned.procurements,
                    _typed(line.actual.committed, kind),
                    _typed(line.actual.claimed, kind),
                    _typed(line.actual.evidenced, kind),
                    _typed(line.actual.verified, kind),
                    _typed(line.variance, kind),
                    line.percent_verified,
                    _typed(line.forecast, kind) if line.forecast is not None else "not enough data",
                    _typed(line.baseline_verified, kind) if line.baseline_verified is not None else "no line",
                )
            )
    return Table(
        key="budget-lines",
        heading="Against the budget",
        intro=(
            "Each department's budget lines: the target set at the start of the year, and beside it what was "
            "planned, committed, claimed, evidenced and verified. A £ line counts £ of its own basis (gross or "
            "net, as the unit says); variance is verified less the target."
        ),
        caption=f"Budget lines, {budget.label}",
        columns=(
            Column("Department"),
            Column("Measure"),
            Column("Unit"),
            Column("Target", "quantity"),
            Column("Planned procurements", "count"),
            Column("Committed", "quantity"),
            Column("Claimed", "quantity"),
            Column("Evidenced", "quantity"),
            Column("Verified", "quantity"),
            Column("Variance (verified − target)", "quantity"),
            Column("Verified as % of target", "percent"),
            Column("Forecast to 31 March (verified)", "quantity"),
            Column("Verified last year", "quantity"),
        ),
        rows=tuple(rows),
    )


class Pounds(str):
    """A £ figure in a column of mixed units: shown as money() shows it, downloaded as a decimal string."""

    amount: Decimal

    def __new__(cls, amount: Decimal) -> "Pounds":
        made = super().__new__(cls, money(amount))
        made.amount = amount
        return made


def _typed(value: Decimal, kind: str) -> Value:
    return Pounds(value) if kind == "money" else value


def _cell(cell: Cell) -> Value:
    """A breakdown figure, or the text that stands for it where it is suppressed ("fewer than 10")."""
    return cell.text if cell.value is None else cell.value


def _unit_label(unit: str) -> str:
    return UnitKind(unit).label if unit in UnitKind.values else unit


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def breakdown_tables(budget: Budget) -> list[Table]:
    tables = []
    for breakdown in budget.breakdowns:
        label = breakdown.title
        rows = []
        for measure in breakdown.measures:
            name = f"{measure.title} ({measure.code}, {_unit_label(measure.unit)})"
            for row in measure.rows:
                rows.append((name, row.label, *(_cell(cell) for cell in row.cells)))
            rows.append((name, "Total", *(_cell(cell) for cell in measure.totals)))
        tables.append(
            Table(
                key=f"breakdown-{breakdown.dimension.replace('_', '-')}",
                heading=label,
                intro=(
                    f"Committed and verified quantities by {label.lower().removeprefix('by ')}. To protect the "
                    f"people counted, a count from 1 to {budget.suppression_threshold - 1} is shown as “fewer "
                    f"than {budget.suppression_threshold}”, and where that would let it be worked out from "
                    "the total, the next smallest figure is hidden too."
                ),
                caption=f"{label}, {budget.label}: committed and verified, in each measure's unit",
                columns=(
                    Column("Measure"),
                    Column(_sentence(label.removeprefix("By "))),
                    Column("Committed", "quantity"),
                    Column("Verified", "quantity"),
                ),
                rows=tuple(rows),
            )
        )
    return tables


def share_how(part: Decimal, whole: Decimal, share: Decimal | None) -> str:
    if share is None:
        return "no agreement value to divide by"
    return f"{money(part)} ÷ {money(whole)} = {percent(share)}"


SHARES_SHOWN = 20  # agreements in the page's and the PDF's share table; the downloads have every one


def shares_table(budget: Budget, *, limit: int | None = None) -> Table:
    """Each agreement's social value as a share of its value; with `limit`, only the agreements of largest
    value (the page and the PDF), else every one in reference order (the downloads)."""
    shares = list(budget.shares)
    note = ""
    if limit is not None and len(shares) > limit:
        shares = sorted(shares, key=lambda share: (-share.value, share.reference))[:limit]
        note = (
            f"The {limit} agreements of largest value, of {len(budget.shares)}: the CSV, XLSX and JSON "
            "downloads have every one."
        )
    rows: list[tuple[Value, ...]] = []
    for share in shares:
        for state in SHARE_STATES:
            for value_type, label in VALUE_TYPES:
                gross = state_value(share.money, state, value_type, "gross")
                net = state_value(share.money, state, value_type, "net")
                if gross is None or net is None:
                    continue
                gross_share = share.percent(state, value_type, "gross")
                net_share = share.percent(state, value_type, "net")
                rows.append(
                    (
                        f"{share.reference} {share.title}",
                        share.supplier,
                        share.department or "No department",
                        share.value,
                        budget_rules.STATE_LABELS[state],
                        label,
                        gross,
                        gross_share,
                        net,
                        net_share,
                        f"gross: {share_how(gross, share.value, gross_share)}; "
                        f"net: {share_how(net, share.value, net_share)}",
                    )
                )
    return Table(
        key="shares",
        heading="Social value as a share of the spend it came from",
        intro=(
            "For each agreement, the £ of its commitments (whenever due) committed, claimed and verified, as a "
            "percentage of the agreement's value: gross and net, each value type apart. The last column shows "
            "how each percentage was worked out."
        ),
        caption=f"Social value as a share of each agreement's value, {budget.label}",
        note=note,
        columns=(
            Column("Agreement"),
            Column("Supplier"),
            Column("Department"),
            Column("Value of agreement", "money"),
            Column("State"),
            Column("Value type"),
            Column("Gross (£)", "money"),
            Column("Gross as % of value", "percent"),
            Column("Net (£)", "money"),
            Column("Net as % of value", "percent"),
            Column("How it was worked out"),
        ),
        rows=tuple(rows),
    )


def methodology_table(methodology: Methodology) -> Table:
    rows = []
    for value_set in methodology.value_sets:
        for entry in value_set.entries:
            rows.append(
                (
                    value_set.title,
                    entry.measure_code,
                    entry.value_per_unit,
                    entry.source,
                    entry.base_year,
                    entry.deadweight * 100,
                    entry.attribution * 100,
                    entry.displacement * 100,
                    entry.drop_off * 100,
                    entry.duration_years,
                )
            )
    return Table(
        key="methodology",
        heading="Values used",
        intro="The £ value of one unit of each measure the report values, and the adjustments from gross to net.",
        caption="Value set entries used in this report",
        columns=(
            Column("Value set"),
            Column("Measure"),
            Column("£ per unit (gross)", "money"),
            Column("Source"),
            Column("Base year", "year"),
            Column("Deadweight", "percent"),
            Column("Attribution", "percent"),
            Column("Displacement", "percent"),
            Column("Drop-off a year", "percent"),
            Column("Years", "count"),
        ),
        rows=tuple(rows),
    )


def figure_tables(content: ReportContent, *, full: bool = True) -> list[Table]:
    """Every table of figures in the report, in the order it shows them; `full=False` for the page and the
    PDF, which show the share of spend of the largest agreements only."""
    budget = content.budget
    tables = [
        value_type_table(budget, "additional_social", "Additional social value"),
        value_type_table(budget, "local_economic", "Local economic value"),
        pipeline_table(budget),
        departments_table(budget),
        measures_table(budget),
        budget_lines_table(budget),
        *breakdown_tables(budget),
    ]
    if budget.shares:
        tables.append(shares_table(budget, limit=None if full else SHARES_SHOWN))
    tables.append(methodology_table(content.methodology))
    return tables


def headline(content: ReportContent) -> list[tuple[str, str]]:
    """The figures the report opens with, each naming its state and basis."""
    budget = content.budget
    lines = []
    for value_type, label in VALUE_TYPES:
        verified = state_value(budget.totals, "verified", value_type, "net")
        committed = state_value(budget.totals, "committed", value_type, "net")
        lines.append((f"{label} verified (net)", money(verified)))
        lines.append((f"{label} committed (net)", money(committed)))
    lines.append(
        (
            "Planned (pipeline)",
            f"{budget.pipeline.procurements} procurement{'s' if budget.pipeline.procurements != 1 else ''} "
            f"due to award, estimated at {money(budget.pipeline.estimated_value)}",
        )
    )
    return lines


# --- Downloads --------------------------------------------------------------------------------------

CSV_FIELDS = ["table", "row", "column", "value", "text"]


def figure_rows(tables: Iterable[Table]) -> list[dict[str, Any]]:
    """Every figure of every table, one a row: which table, which row (its first cell), which column,
    the value as a plain decimal string (or the text of a suppressed cell) and as people read it."""
    rows = []
    for table in tables:
        for row in table.rows:
            label = str(cell_export(row[0]))
            for value, column in zip(row[1:], table.columns[1:], strict=True):
                rows.append(
                    {
                        "table": table.key,
                        "row": label,
                        "column": column.title,
                        "value": cell_export(value),
                        "text": cell_text(value, column.kind),
                    }
                )
    return rows


def tables_dict(tables: Iterable[Table]) -> list[dict[str, Any]]:
    return [
        {
            "key": table.key,
            "heading": table.heading,
            "caption": table.caption,
            "columns": [column.title for column in table.columns],
            "rows": [[str(cell_export(value)) for value in row] for row in table.rows],
        }
        for table in tables
    ]
