"""Spend analysis: where an organisation's money goes, from its imported payments joined to its suppliers'
classification.

Every figure comes from one DuckDB query over the organisation's Parquet files (`duck.payments_sql`),
reading only the columns it needs, with the supplier classification (`classification_rows`) registered
as a small table. Figures by supplier or class join it to the payments summed by `supplier_key` (thousands
of rows, not millions); breakdowns by month, service area or expense type mark each payment with a
semi-join instead. Money comes back as `Decimal`.

How the figures count:

- Totals are net: credits (negative amounts) count, so a refund reduces the total it belongs to.
- Redacted payments count in every total but are never matched to a supplier, so they are never
  classified: they are part of the "unknown" amount of every classification.
- A share is given two ways: of the *classified* spend (spend with suppliers whose label is known) and
  of *all* spend. The unknown amount is always shown beside it. Shares are of net amounts; where the
  amount shared out is zero or negative (credits outweigh payments) the share is not given (None).
- "Influenceable" spend excludes payments matching the organisation's `not_influenceable_rules`.
"""

from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from commonweal.tenancy.models import Organisation

from . import duck, grants
from .models import ImportStatus, Label, SpendImport, SpendPolicy
from .places import district_name

ZERO = Decimal("0")
PENNY = Decimal("0.01")
HUNDRED = Decimal("100")
LABELS: tuple[str, ...] = tuple(Label.values)  # local, sme, vcse, living_wage: columns of the classification
LABEL_TITLES: dict[str, str] = {
    Label.LOCAL: "Local",
    Label.SME: "SME",
    Label.VCSE: "VCSE",
    Label.LIVING_WAGE: "Real Living Wage employer",
}
LabelState = Literal["yes", "no", "unknown"]
LABEL_STATES: tuple[str, ...] = ("yes", "no", "unknown")
NOT_GIVEN = "(not given)"
TOP_SUPPLIERS = 20
# The payment columns a not-influenceable rule may test, and how.
RULE_FIELDS: dict[str, str] = {
    "service_area": "Service area",
    "expense_type": "Expense type",
    "category_code": "Category code",
    "description": "Description",
    "supplier_name": "Supplier name",
    "body": "Paying body",
}
RULE_OPERATORS: dict[str, str] = {"contains": "contains", "equals": "is", "starts_with": "starts with"}
CLASSIFICATION_TABLE = "classification"
CLASSIFICATION_COLUMNS: dict[str, str] = {
    "supplier_key": "VARCHAR",
    "supplier_id": "BIGINT",
    "supplier_name": "VARCHAR",
    "local": "BOOLEAN",
    "sme": "BOOLEAN",
    "vcse": "BOOLEAN",
    "living_wage": "BOOLEAN",
    "district_code": "VARCHAR",
    "imd_decile": "INTEGER",
}


# --- What to count ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendFilter:
    """Which payments a figure counts. Dates are inclusive; a label state of None means "any"."""

    date_from: date | None = None
    date_to: date | None = None
    service_area: str = ""
    expense_type: str = ""
    local: LabelState | None = None
    sme: LabelState | None = None
    vcse: LabelState | None = None
    living_wage: LabelState | None = None
    include_not_influenceable: bool = True

    def label_states(self) -> dict[str, str]:
        return {label: state for label in LABELS if (state := getattr(self, label)) is not None}

    def description(self) -> list[str]:
        """The filter in words, one part a line: shown on the page and written into downloads."""
        parts = []
        if self.date_from and self.date_to:
            parts.append(f"Paid from {self.date_from:%-d %B %Y} to {self.date_to:%-d %B %Y}")
        elif self.date_from:
            parts.append(f"Paid on or after {self.date_from:%-d %B %Y}")
        elif self.date_to:
            parts.append(f"Paid on or before {self.date_to:%-d %B %Y}")
        if self.service_area:
            parts.append(f"Service area: {self.service_area}")
        if self.expense_type:
            parts.append(f"Expense type: {self.expense_type}")
        for label, state in self.label_states().items():
            title = LABEL_TITLES[label]
            parts.append(
                {"yes": f"{title}: yes", "no": f"{title}: no", "unknown": f"{title}: not known"}[state]
                if label != Label.LOCAL
                else {"yes": "Local suppliers", "no": "Suppliers that are not local", "unknown": "Local: not known"}[
                    state
                ]
            )
        if not self.include_not_influenceable:
            parts.append("Influenceable spend only")
        return parts or ["All payments"]

    def query(self) -> dict[str, str]:
        """The filter as the dashboard's query string, to carry it to downloads."""
        values = {
            "date_from": self.date_from.strftime("%d/%m/%Y") if self.date_from else "",
            "date_to": self.date_to.strftime("%d/%m/%Y") if self.date_to else "",
            "service_area": self.service_area,
            "expense_type": self.expense_type,
            **{label: getattr(self, label) or "" for label in LABELS},
            "influenceable_only": "" if self.include_not_influenceable else "yes",
        }
        return {key: value for key, value in values.items() if value}


ALL_SPEND = SpendFilter()


@dataclass(frozen=True)
class Rule:
    """One not-influenceable rule: payments whose `field` matches `value` are spend the body cannot direct."""

    field: str
    operator: str
    value: str

    def __str__(self) -> str:
        return f"{RULE_FIELDS[self.field]} {RULE_OPERATORS[self.operator]} “{self.value}”"


def policy_rules(policy: SpendPolicy | None) -> tuple[list[Rule], list[str]]:
    """The policy's rules that can be applied, and a description of each one that cannot (and is ignored).

    A rule is `{"field": "expense_type", "contains": "precept"}` (or `equals`, `starts_with`); matching
    ignores case."""
    rules: list[Rule] = []
    ignored: list[str] = []
    for raw in (policy.not_influenceable_rules if policy else None) or []:
        operators = [key for key in RULE_OPERATORS if isinstance(raw, dict) and key in raw]
        field_name = raw.get("field") if isinstance(raw, dict) else None
        value = raw.get(operators[0]) if operators else None
        if field_name in RULE_FIELDS and len(operators) == 1 and isinstance(value, str) and value.strip():
            rules.append(Rule(field=str(field_name), operator=operators[0], value=value.strip()))
        else:
            ignored.append(str(raw))
    return rules, ignored


# --- The data one page reads -----------------------------------------------------------------------


class SpendData:
    """One DuckDB connection over one organisation's payments, with its classification registered on
    first use. Open it once for a page that runs several queries (`spend_data`); every query function
    also opens its own when given none."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.connection = duck.connect()
        self.payments = duck.payments_sql(organisation, self.connection)
        # Grant agreements count as payments to VCSEs, once (spend/grants.py has the matching rule).
        grant_rows = grants.grant_payment_rows(organisation)
        self.grant_keys = sorted({row["supplier_key"] for row in grant_rows if row["supplier_key"]})
        if grant_rows:
            select, columns = grants.grant_columns(grant_rows)
            self.connection.execute(f"CREATE OR REPLACE TEMP TABLE {grants.GRANT_TABLE} AS SELECT {select}", columns)
            self.payments = grants.payments_with_grants_sql(self.payments)
        policy = SpendPolicy.objects.filter(organisation=organisation).first()
        self.rules, self.ignored_rules = policy_rules(policy)
        self._classification = False

    def classification(self) -> str:
        """The name of the classification table, registering it from the supplier registry if need be."""
        if not self._classification:
            from .selectors_suppliers import classification_rows

            rows: dict[str, tuple[Any, ...]] = {}
            for row in classification_rows(organisation=self.organisation):
                rows.setdefault(row.supplier_key, tuple(row))  # one row per key, whatever the registry says
            columns = list(zip(*rows.values(), strict=True)) if rows else [() for _ in CLASSIFICATION_COLUMNS]
            # Each column goes in as one list parameter: far faster than inserting row by row.
            select = ", ".join(
                f"unnest(${number}::{kind}[]) AS {name}"
                for number, (name, kind) in enumerate(CLASSIFICATION_COLUMNS.items(), start=1)
            )
            self.connection.execute(
                f"CREATE OR REPLACE TEMP TABLE {CLASSIFICATION_TABLE} AS SELECT {select}",
                [list(column) for column in columns],
            )
            if self.grant_keys:
                # A grant's recipient is a VCSE unless the registry decides otherwise.
                self.connection.execute(
                    f"UPDATE {CLASSIFICATION_TABLE} SET vcse = TRUE WHERE vcse IS NULL AND supplier_key IN "  # noqa: S608
                    "(SELECT unnest($1::VARCHAR[]))",
                    [self.grant_keys],
                )
                self.connection.execute(
                    f"INSERT INTO {CLASSIFICATION_TABLE} (supplier_key, supplier_name, vcse) "  # noqa: S608
                    f"SELECT k, k, TRUE FROM (SELECT unnest($1::VARCHAR[]) AS k) "
                    f"WHERE k NOT IN (SELECT supplier_key FROM {CLASSIFICATION_TABLE})",
                    [self.grant_keys],
                )
            self._classification = True
        return CLASSIFICATION_TABLE

    def close(self) -> None:
        self.connection.close()

    def rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params).fetchall()


@contextmanager
def spend_data(*, organisation: Organisation) -> Generator[SpendData]:
    data = SpendData(organisation)
    try:
        yield data
    finally:
        data.close()


@contextmanager
def _using(organisation: Organisation, data: SpendData | None) -> Generator[SpendData]:
    if data is not None:
        if data.organisation.pk != organisation.pk:
            raise ValueError("The spend data given is another organisation's.")
        yield data
        return
    with spend_data(organisation=organisation) as opened:
        yield opened


def has_spend(*, organisation: Organisation) -> bool:
    """Whether the organisation has imported any payments (the dashboard's empty state)."""
    return SpendImport.objects.filter(organisation=organisation, status=ImportStatus.SUCCEEDED).exists() or bool(
        grants.grant_payment_rows(organisation)
    )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rule_sql(rule: Rule) -> tuple[str, str]:
    """The rule as a condition (never NULL) and its one parameter. ILIKE, not lower(): it compares
    without building a lower-case copy of every string, several times faster over millions of rows."""
    pattern = {
        "contains": f"%{_like_escape(rule.value)}%",
        "equals": _like_escape(rule.value),
        "starts_with": f"{_like_escape(rule.value)}%",
    }[rule.operator]
    return f"coalesce(p.{rule.field} ILIKE ? ESCAPE '\\', FALSE)", pattern


def _not_influenceable_sql(data: SpendData) -> tuple[str, list[Any]]:
    """A condition true for payments a rule excludes (FALSE when there are no rules)."""
    if not data.rules:
        return "FALSE", []
    conditions = [_rule_sql(rule) for rule in data.rules]
    return "(" + " OR ".join(sql for sql, _ in conditions) + ")", [pattern for _, pattern in conditions]


def _payments(data: SpendData, spend_filter: SpendFilter, columns: str) -> tuple[str, list[Any]]:
    """`p`: the payments the filter counts, with the given columns (`p.` prefixed), as a CTE body."""
    conditions: list[str] = []
    params: list[Any] = []
    if spend_filter.date_from:
        conditions.append("p.payment_date >= ?")
        params.append(spend_filter.date_from)
    if spend_filter.date_to:
        conditions.append("p.payment_date <= ?")
        params.append(spend_filter.date_to)
    for name in ("service_area", "expense_type"):
        value = getattr(spend_filter, name)
        if value == NOT_GIVEN:
            conditions.append(f"coalesce(trim(p.{name}), '') = ''")
        elif value:
            conditions.append(f"p.{name} = ?")
            params.append(value)
    if not spend_filter.include_not_influenceable and data.rules:
        excluded, rule_params = _not_influenceable_sql(data)
        conditions.append(f"NOT {excluded}")
        params.extend(rule_params)
    for label, state in spend_filter.label_states().items():
        table = data.classification()
        if state == "unknown":
            conditions.append(
                f"(p.supplier_key IS NULL OR p.supplier_key NOT IN "  # noqa: S608
                f"(SELECT supplier_key FROM {table} WHERE {label} IS NOT NULL))"
            )
        else:
            conditions.append(
                f"p.supplier_key IN (SELECT supplier_key FROM {table} WHERE {label} = {state == 'yes'})"  # noqa: S608
            )
    where = " AND ".join(conditions) or "TRUE"
    return f"SELECT {columns} FROM {data.payments} AS p WHERE {where}", params  # noqa: S608


def _money(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(PENNY)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to 2 decimal places; None when `whole` is not above zero."""
    if whole <= 0:
        return None
    return (part * HUNDRED / whole).quantize(PENNY, rounding=ROUND_HALF_UP)


# --- Headline figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    total: Decimal
    payments: int
    credits: Decimal  # the sum of the negative amounts (0 or less)
    credit_payments: int
    redacted: Decimal
    redacted_payments: int
    influenceable: Decimal
    suppliers: int  # distinct supplier names (after normalising), redacted and blank names not counted
    first_date: date | None
    last_date: date | None

    @property
    def redacted_percent(self) -> Decimal | None:
        return percent(self.redacted, self.total)

    @property
    def not_influenceable(self) -> Decimal:
        return self.total - self.influenceable

    @property
    def influenceable_percent(self) -> Decimal | None:
        return percent(self.influenceable, self.total)


def spend_headline(
    *, organisation: Organisation, spend_filter: SpendFilter = ALL_SPEND, data: SpendData | None = None
) -> Headline:
    with _using(organisation, data) as data:
        excluded, rule_params = _not_influenceable_sql(data)
        payments, params = _payments(
            data,
            spend_filter,
            f"p.payment_date, p.amount, p.redacted, p.supplier_key, {excluded} AS excluded",
        )
        (row,) = data.rows(
            f"""WITH p AS ({payments})
            SELECT sum(amount), count(*), sum(amount) FILTER (amount < 0), count(*) FILTER (amount < 0),
                   sum(amount) FILTER (redacted), count(*) FILTER (redacted),
                   sum(amount) FILTER (NOT excluded), count(DISTINCT supplier_key),
                   min(payment_date), max(payment_date)
            FROM p""",  # noqa: S608
            rule_params + params,
        )
    return Headline(
        total=_money(row[0]),
        payments=row[1],
        credits=_money(row[2]),
        credit_payments=row[3],
        redacted=_money(row[4]),
        redacted_payments=row[5],
        influenceable=_money(row[6]),
        suppliers=row[7],
        first_date=row[8],
        last_date=row[9],
    )


# --- Shares by classification ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClassShare:
    """Spend with suppliers that are (`amount`), are not (`not_amount`), or are not known to be (`unknown`)
    in one class. `unknown` includes redacted payments (`redacted`) and suppliers not classified."""

    label: str
    title: str
    total: Decimal
    amount: Decimal
    not_amount: Decimal
    redacted: Decimal

    @property
    def classified(self) -> Decimal:
        return self.amount + self.not_amount

    @property
    def unknown(self) -> Decimal:
        return self.total - self.classified

    @property
    def percent_of_classified(self) -> Decimal | None:
        return percent(self.amount, self.classified)

    @property
    def percent_of_all(self) -> Decimal | None:
        return percent(self.amount, self.total)

    @property
    def unknown_percent(self) -> Decimal | None:
        return percent(self.unknown, self.total)


def spend_shares(
    *, organisation: Organisation, spend_filter: SpendFilter = ALL_SPEND, data: SpendData | None = None
) -> list[ClassShare]:
    """Local, SME, VCSE and Living Wage shares, each with the unknown amount beside it."""
    with _using(organisation, data) as data:
        table = data.classification()
        payments, params = _payments(data, spend_filter, "p.supplier_key, p.amount, p.redacted")
        sums = ", ".join(f"sum(k.amount) FILTER (c.{label}), sum(k.amount) FILTER (NOT c.{label})" for label in LABELS)
        (row,) = data.rows(
            f"""WITH p AS ({payments}),
            k AS (SELECT supplier_key, sum(amount) AS amount, sum(amount) FILTER (redacted) AS redacted
                  FROM p GROUP BY supplier_key)
            SELECT sum(k.amount), sum(k.redacted), {sums}
            FROM k LEFT JOIN {table} AS c ON c.supplier_key = k.supplier_key""",  # noqa: S608
            params,
        )
    total, redacted = _money(row[0]), _money(row[1])
    return [
        ClassShare(
            label=label,
            title=LABEL_TITLES[label],
            total=total,
            amount=_money(row[2 + 2 * index]),
            not_amount=_money(row[3 + 2 * index]),
            redacted=redacted,
        )
        for index, label in enumerate(LABELS)
    ]


# --- Breakdowns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    """One row of a breakdown (a period, a service area, an expense type), with its local spend."""

    name: str
    amount: Decimal
    payments: int
    local: Decimal
    not_local: Decimal
    start: date | None = None  # for periods

    @property
    def local_unknown(self) -> Decimal:
        return self.amount - self.local - self.not_local

    @property
    def local_percent_of_classified(self) -> Decimal | None:
        return percent(self.local, self.local + self.not_local)


Period = Literal["month", "financial_year"]


def _breakdown(data: SpendData, spend_filter: SpendFilter, group_sql: str) -> list[tuple[Any, ...]]:
    """(group, amount, payments, local, not local) for each value of `group_sql` (an expression over `p`).

    Each payment is marked local or not by a semi-join on the classification: grouping by group and
    supplier first would make millions of groups (every expense type times every supplier)."""
    table = data.classification()
    payments, params = _payments(
        data,
        spend_filter,
        f"""{group_sql} AS grp, p.amount,
        p.supplier_key IN (SELECT supplier_key FROM {table} WHERE local) AS is_local,
        p.supplier_key IN (SELECT supplier_key FROM {table} WHERE NOT local) AS is_not_local""",  # noqa: S608
    )
    return data.rows(
        f"""WITH p AS ({payments})
        SELECT grp, sum(amount), count(*), sum(amount) FILTER (is_local), sum(amount) FILTER (is_not_local)
        FROM p GROUP BY grp""",  # noqa: S608
        params,
    )


def spend_by_period(
    *,
    organisation: Organisation,
    period: Period = "month",
    spend_filter: SpendFilter = ALL_SPEND,
    data: SpendData | None = None,
) -> list[Breakdown]:
    """Spend by calendar month ("2024-04") or by financial year, April to March ("2024-25"), in order."""
    if period == "month":
        group = "date_trunc('month', p.payment_date)::DATE"
    else:
        # The financial year starts on 1 April: January to March belong to the year that began the April before.
        group = "make_date(year(p.payment_date) - CASE WHEN month(p.payment_date) < 4 THEN 1 ELSE 0 END, 4, 1)"
    with _using(organisation, data) as data:
        rows = _breakdown(data, spend_filter, group)
    result = []
    for start, amount, payments, local, not_local in sorted(rows, key=lambda row: row[0] or date.min):
        if start is None:
            continue  # a payment with no date cannot be placed in a period (the import requires one)
        name = f"{start:%Y-%m}" if period == "month" else f"{start.year}-{(start.year + 1) % 100:02d}"
        result.append(
            Breakdown(
                name=name,
                amount=_money(amount),
                payments=payments,
                local=_money(local),
                not_local=_money(not_local),
                start=start,
            )
        )
    return result


def _named_breakdown(
    organisation: Organisation, column: str, spend_filter: SpendFilter, data: SpendData | None, limit: int | None
) -> list[Breakdown]:
    with _using(organisation, data) as data:
        rows = _breakdown(data, spend_filter, f"p.{column}")
    # Blank, missing and space-padded names read the same on a page, so they are one row.
    merged: dict[str, list[Any]] = {}
    for name, amount, payments, local, not_local in rows:
        totals = merged.setdefault((name or "").strip() or NOT_GIVEN, [ZERO, 0, ZERO, ZERO])
        for index, value in enumerate((amount, payments, local, not_local)):
            totals[index] += value or 0
    items = [
        Breakdown(
            name=name,
            amount=_money(amount),
            payments=payments,
            local=_money(local),
            not_local=_money(not_local),
        )
        for name, (amount, payments, local, not_local) in merged.items()
    ]
    items.sort(key=lambda item: (-item.amount, item.name))
    return items[:limit] if limit else items


def spend_by_service_area(
    *,
    organisation: Organisation,
    spend_filter: SpendFilter = ALL_SPEND,
    data: SpendData | None = None,
    limit: int | None = None,
) -> list[Breakdown]:
    """Spend by service area, largest first; payments with none are "(not given)"."""
    return _named_breakdown(organisation, "service_area", spend_filter, data, limit)


def spend_by_expense_type(
    *,
    organisation: Organisation,
    spend_filter: SpendFilter = ALL_SPEND,
    data: SpendData | None = None,
    limit: int | None = None,
) -> list[Breakdown]:
    """Spend by expense type, largest first; payments with none are "(not given)"."""
    return _named_breakdown(organisation, "expense_type", spend_filter, data, limit)


# --- Suppliers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierSpend:
    rank: int
    supplier_id: int | None  # None: a name not (yet) in the supplier registry
    name: str
    amount: Decimal
    payments: int
    local: bool | None
    sme: bool | None
    vcse: bool | None
    living_wage: bool | None
    district_code: str

    @property
    def district_name(self) -> str:
        return district_name(self.district_code)


def spend_top_suppliers(
    *,
    organisation: Organisation,
    spend_filter: SpendFilter = ALL_SPEND,
    limit: int = TOP_SUPPLIERS,
    data: SpendData | None = None,
) -> list[SupplierSpend]:
    """The suppliers paid most (net), with their labels. Redacted and blank names are not suppliers."""
    with _using(organisation, data) as data:
        table = data.classification()
        payments, params = _payments(data, spend_filter, "p.supplier_key, p.amount")
        rows = data.rows(
            f"""WITH p AS ({payments}),
            k AS (SELECT supplier_key, sum(amount) AS amount, count(*) AS payments
                  FROM p WHERE supplier_key IS NOT NULL GROUP BY supplier_key)
            SELECT c.supplier_id, coalesce(any_value(c.supplier_name), any_value(k.supplier_key)) AS name,
                   sum(k.amount) AS amount, sum(k.payments)::BIGINT, any_value(c.local), any_value(c.sme),
                   any_value(c.vcse), any_value(c.living_wage), coalesce(any_value(c.district_code), '')
            FROM k LEFT JOIN {table} AS c ON c.supplier_key = k.supplier_key
            GROUP BY c.supplier_id, CASE WHEN c.supplier_id IS NULL THEN k.supplier_key END
            ORDER BY amount DESC, name
            LIMIT ?""",  # noqa: S608
            [*params, limit],
        )
    return [
        SupplierSpend(
            rank=rank,
            supplier_id=row[0],
            name=row[1],
            amount=_money(row[2]),
            payments=row[3],
            local=row[4],
            sme=row[5],
            vcse=row[6],
            living_wage=row[7],
            district_code=row[8],
        )
        for rank, row in enumerate(rows, start=1)
    ]


def spend_by_supplier(*, organisation: Organisation, data: SpendData | None = None) -> dict[int, Decimal]:
    """Net spend with each supplier in the registry across every payment imported (the register's sort)."""
    if not has_spend(organisation=organisation):
        return {}
    with _using(organisation, data) as data:
        table = data.classification()
        payments, params = _payments(data, ALL_SPEND, "p.supplier_key, p.amount")
        rows = data.rows(
            f"""WITH p AS ({payments})
            SELECT c.supplier_id, sum(p.amount) FROM p JOIN {table} AS c ON c.supplier_key = p.supplier_key
            WHERE c.supplier_id IS NOT NULL GROUP BY c.supplier_id""",  # noqa: S608
            params,
        )
    return {supplier_id: _money(amount) for supplier_id, amount in rows}


@dataclass(frozen=True)
class SupplierReceipt:
    """What one local supplier received (net) in a period: its round 2 receipts for LM3."""

    supplier_id: int
    name: str
    amount: Decimal


def local_supplier_receipts(
    *, organisation: Organisation, spend_filter: SpendFilter = ALL_SPEND, data: SpendData | None = None
) -> list[SupplierReceipt]:
    """Every supplier classified local, with what it received under the filter, largest first."""
    with _using(organisation, data) as data:
        table = data.classification()
        payments, params = _payments(data, spend_filter, "p.supplier_key, p.amount")
        rows = data.rows(
            f"""WITH p AS ({payments}),
            k AS (SELECT supplier_key, sum(amount) AS amount FROM p WHERE supplier_key IS NOT NULL
                  GROUP BY supplier_key)
            SELECT c.supplier_id, any_value(c.supplier_name) AS name, sum(k.amount) AS amount
            FROM k JOIN {table} AS c ON c.supplier_key = k.supplier_key
            WHERE c.local
            GROUP BY c.supplier_id
            ORDER BY amount DESC, name""",  # noqa: S608
            params,
        )
    return [SupplierReceipt(supplier_id=row[0], name=row[1], amount=_money(row[2])) for row in rows]


# --- Places ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictSpend:
    district_code: str  # "" when the supplier's district is not known
    amount: Decimal
    suppliers: int

    @property
    def district_name(self) -> str:
        return district_name(self.district_code)


@dataclass(frozen=True)
class Leakage:
    """Spend with suppliers classified not local, by the district they are in."""

    total: Decimal  # all spend counted
    not_local: Decimal
    unknown: Decimal  # spend whose local label is not known (redacted payments included)
    districts: list[DistrictSpend] = field(default_factory=list)

    @property
    def not_local_percent(self) -> Decimal | None:
        return percent(self.not_local, self.total)


def spend_leakage(
    *,
    organisation: Organisation,
    spend_filter: SpendFilter = ALL_SPEND,
    data: SpendData | None = None,
    limit: int | None = None,
) -> Leakage:
    with _using(organisation, data) as data:
        table = data.classification()
        payments, params = _payments(data, spend_filter, "p.supplier_key, p.amount")
        rows = data.rows(
            f"""WITH p AS ({payments}),
            k AS (SELECT supplier_key, sum(amount) AS amount FROM p GROUP BY supplier_key),
            j AS (SELECT k.amount, c.local, c.supplier_id, coalesce(c.district_code, '') AS district_code
                  FROM k LEFT JOIN {table} AS c ON c.supplier_key = k.supplier_key)
            SELECT 'district', district_code, sum(amount), count(DISTINCT supplier_id), NULL
            FROM j WHERE local = FALSE GROUP BY district_code
            UNION ALL
            SELECT 'totals', NULL, sum(amount), NULL, sum(amount) FILTER (local IS NULL) FROM j""",  # noqa: S608
            params,
        )
    totals = next(row for row in rows if row[0] == "totals")
    districts = [
        DistrictSpend(district_code=row[1], amount=_money(row[2]), suppliers=int(row[3]))
        for row in rows
        if row[0] == "district"
    ]
    districts.sort(key=lambda item: (-item.amount, item.district_code))
    return Leakage(
        total=_money(totals[2]),
        not_local=sum((item.amount for item in districts), ZERO),
        unknown=_money(totals[4]),
        districts=districts[:limit] if limit else districts,
    )


@dataclass(frozen=True)
class DecileSpend:
    decile: int | None  # 1 is the most deprived tenth of districts in England; None: not known
    amount: Decimal
    suppliers: int


def spend_by_deprivation(
    *, organisation: Organisation, spend_filter: SpendFilter = ALL_SPEND, data: SpendData | None = None
) -> list[DecileSpend]:
    """Local spend by the IMD 2019 decile of the supplier's district: deciles 1 to 10 (each present, even
    at £0), then the local spend whose district's decile is not known, if any."""
    with _using(organisation, data) as data:
        table = data.classification()
        payments, params = _payments(data, spend_filter, "p.supplier_key, p.amount")
        rows = data.rows(
            f"""WITH p AS ({payments}),
            k AS (SELECT supplier_key, sum(amount) AS amount FROM p WHERE supplier_key IS NOT NULL
                  GROUP BY supplier_key)
            SELECT c.imd_decile, sum(k.amount), count(DISTINCT c.supplier_id)
            FROM k JOIN {table} AS c ON c.supplier_key = k.supplier_key
            WHERE c.local
            GROUP BY c.imd_decile""",  # noqa: S608
            params,
        )
    found = {row[0]: row for row in rows}
    deciles = [
        DecileSpend(decile=decile, amount=_money(found[decile][1]), suppliers=int(found[decile][2]))
        if decile in found
        else DecileSpend(decile=decile, amount=ZERO, suppliers=0)
        for decile in range(1, 11)
    ]
    if None in found:
        deciles.append(DecileSpend(decile=None, amount=_money(found[None][1]), suppliers=int(found[None][2])))
    return deciles


# --- Influenceable spend ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpend:
    rule: str
    amount: Decimal
    payments: int


@dataclass(frozen=True)
class Influence:
    total: Decimal
    influenceable: Decimal
    rules: list[RuleSpend]  # each payment counted against the first rule it matches
    ignored_rules: list[str]  # rules in the policy that could not be applied

    @property
    def not_influenceable(self) -> Decimal:
        return self.total - self.influenceable

    @property
    def influenceable_percent(self) -> Decimal | None:
        return percent(self.influenceable, self.total)


def spend_influence(
    *, organisation: Organisation, spend_filter: SpendFilter = ALL_SPEND, data: SpendData | None = None
) -> Influence:
    """Spend the organisation can influence, and what each not-influenceable rule takes out."""
    with _using(organisation, data) as data:
        if data.rules:
            conditions = [_rule_sql(rule) for rule in data.rules]
            cases = " ".join(f"WHEN {sql} THEN {index}" for index, (sql, _) in enumerate(conditions))
            which = f"CASE {cases} END"
            rule_params = [pattern for _, pattern in conditions]
        else:
            which, rule_params = "NULL::INTEGER", []
        payments, params = _payments(data, spend_filter, f"p.amount, {which} AS rule")
        rows = data.rows(
            f"WITH p AS ({payments}) SELECT rule, sum(amount), count(*) FROM p GROUP BY rule",  # noqa: S608
            rule_params + params,
        )
    found = {row[0]: row for row in rows}
    total = sum((_money(row[1]) for row in rows), ZERO)
    return Influence(
        total=total,
        influenceable=_money(found[None][1]) if None in found else ZERO,
        rules=[
            RuleSpend(
                rule=str(rule),
                amount=_money(found[index][1]) if index in found else ZERO,
                payments=found[index][2] if index in found else 0,
            )
            for index, rule in enumerate(data.rules)
        ],
        ignored_rules=data.ignored_rules,
    )


# --- Filter choices --------------------------------------------------------------------------------


def latest_financial_year(*, organisation: Organisation, data: SpendData | None = None) -> tuple[date, date] | None:
    """1 April to 31 March of the financial year of the latest payment imported (None: no dated payment)."""
    with _using(organisation, data) as data:
        [(latest,)] = data.rows(f"SELECT max(payment_date) FROM {data.payments}", [])  # noqa: S608
    if latest is None:
        return None
    start = latest.year if latest.month >= 4 else latest.year - 1
    return date(start, 4, 1), date(start + 1, 3, 31)


def filter_choices(*, organisation: Organisation, data: SpendData | None = None) -> dict[str, list[str]]:
    """The service areas and expense types the organisation's payments name, for the filter form."""
    with _using(organisation, data) as data:
        rows = data.rows(
            f"""SELECT service_area, expense_type, grouping(service_area) FROM {data.payments}
            GROUP BY GROUPING SETS ((service_area), (expense_type))""",  # noqa: S608
            [],
        )
    choices: dict[str, list[str]] = {"service_area": [], "expense_type": []}
    for service_area, expense_type, service_area_grouped in rows:
        kind, value = ("expense_type", expense_type) if service_area_grouped else ("service_area", service_area)
        if value is not None and value.strip():
            choices[kind].append(value)
    return {kind: sorted(values, key=str.casefold) for kind, values in choices.items()}
