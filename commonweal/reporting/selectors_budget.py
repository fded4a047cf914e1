"""Reads for the social value budget: financial years, departments and budget lines, and the year's figures
(`budget_get`), worked out from the agreements, commitments, return lines and procurement pipeline in a
constant number of queries whatever the size of the organisation. The rules are in `budget.py`."""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from commonweal.core.errors import ApplicationError
from commonweal.delivery.models import (
    PRO_RATA_KINDS,
    QUANTITY_PLACES,
    Agreement,
    Commitment,
    CommitmentSource,
    CommitmentState,
    LineStatus,
    ReturnLine,
    ReturnLineQuerySet,
    ReturnState,
)
from commonweal.delivery.selectors_status import today_local
from commonweal.delivery.status import forecast
from commonweal.frameworks.models import ValueSet
from commonweal.frameworks.selectors_value_sets import value_entry_of, value_set_label
from commonweal.frameworks.valuation import ValueEntry
from commonweal.procurement.models import Procurement, ProcurementState
from commonweal.spend import places
from commonweal.spend.analytics import SpendFilter, has_spend, spend_by_service_area
from commonweal.tenancy.models import Department, DepartmentSpendLabel
from commonweal.tenancy.selectors import Member

from . import budget as rules
from . import figures_store
from .budget import (
    AgreementShare,
    Budget,
    DepartmentFigures,
    DepartmentSpend,
    Fact,
    LineFigures,
    MeasureFigures,
    Pipeline,
    Quantities,
    StateMoney,
)
from .models import BudgetLine, FiguresVersion, FinancialYear

ZERO = Decimal("0")
NO_DEPARTMENT = "No department"


def suppression_threshold() -> int:
    """Counts of people below this are shown as "fewer than N" (settings.REPORT_SUPPRESSION_THRESHOLD)."""
    return int(getattr(settings, "REPORT_SUPPRESSION_THRESHOLD", 10))


# --- Years, departments, lines ------------------------------------------------------------------------


def year_list(*, member: Member) -> QuerySet[FinancialYear]:
    return FinancialYear.objects.filter(organisation=member.organisation).select_related("value_set")


def year_get(*, member: Member, start_year: int) -> FinancialYear | None:
    return year_list(member=member).filter(start_year=start_year).first()


def department_list(*, member: Member) -> QuerySet[Department]:
    return (
        Department.objects.filter(organisation=member.organisation)
        .prefetch_related("spend_labels")
        .annotate(agreement_count=Count("agreements", distinct=True))
    )


def department_get(*, member: Member, pk: int) -> Department | None:
    return Department.objects.filter(organisation=member.organisation, pk=pk).first()


def year_summary_list(*, member: Member) -> QuerySet[FinancialYear]:
    """The years, newest first, with how many budget lines each has and who closed it."""
    return (
        year_list(member=member)
        .select_related("closed_by")
        .annotate(line_count=Count("budget_lines"))
        .order_by("-start_year")
    )


def department_removal_problem(department: Department) -> str:
    """Why the department cannot be removed now (what still uses it), or "" if it can."""
    uses = [
        (department.agreements.count(), "agreement"),
        (Procurement.objects.filter(department=department).count(), "procurement"),
        (department.budget_lines.count(), "budget line"),
    ]
    named = [f"{count} {word}{'' if count == 1 else 's'}" for count, word in uses if count]
    if not named:
        return ""
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    one = sum(count for count, _ in uses) == 1
    return (
        f"{department.name} cannot be removed while {listed} {'uses' if one else 'use'} it: "
        f"move {'it' if one else 'them'} to another department first."
    )


def budget_line_list(*, member: Member, year: FinancialYear) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.filter(organisation=member.organisation, year=year).select_related(
        "department", "measure__outcome", "value_set"
    )


def budget_line_get(*, member: Member, pk: int) -> BudgetLine | None:
    return budget_line_list_all(member=member).filter(pk=pk).first()


def budget_line_list_all(*, member: Member) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.filter(organisation=member.organisation).select_related(
        "department", "measure__outcome", "value_set", "year"
    )


def value_set_choice_list(*, member: Member) -> QuerySet[ValueSet]:
    return ValueSet.objects.filter(organisation=member.organisation).order_by("title", "code")


# --- Facts: one commitment's part in a year ------------------------------------------------------------


def _line_in_year(start: date, end: date) -> Q:
    """Return lines reported for a period ending in the year, or (no period) submitted in it."""
    return Q(delivery_return__period__end_date__range=(start, end)) | Q(
        delivery_return__period__isnull=True, delivery_return__submitted_at__date__range=(start, end)
    )


def _state_sums(lines: ReturnLineQuerySet) -> dict[int, Quantities]:
    """Claimed, evidenced and verified per commitment, summed by the database and re-quantised (SQLite
    sums decimals as floats; each commitment's handful of lines is far inside a float's exact range)."""
    has_evidence = Exists(ReturnLine.evidence.through._default_manager.filter(returnline_id=OuterRef("pk")))
    rows = (
        lines.claimed()
        .annotate(has_evidence=has_evidence)
        .values("commitment_id", "status", "has_evidence")
        .annotate(total=Sum("quantity"))
        .values_list("commitment_id", "status", "has_evidence", "total")
    )
    sums: dict[int, list[Decimal]] = {}
    for commitment_id, status, evidenced, total in rows:
        quantity = Decimal(total).quantize(QUANTITY_PLACES)
        claimed, with_evidence, verified = sums.setdefault(commitment_id, [ZERO, ZERO, ZERO])
        sums[commitment_id] = [
            claimed + quantity,
            with_evidence + quantity if evidenced else with_evidence,
            verified + quantity if status == LineStatus.VERIFIED else verified,
        ]
    return {
        commitment_id: Quantities(ZERO, claimed, with_evidence, verified)
        for commitment_id, (claimed, with_evidence, verified) in sums.items()
    }


COMMITMENT_FIELDS = (
    "id",
    "agreement_id",
    "agreement__department_id",
    "agreement__kind",
    "agreement__value",
    "agreement__called_off_value",
    "measure__code",
    "measure__title",
    "measure__unit",
    "measure__value_type",
    "target_quantity",
    "due_date",
    "state",
    "source",
    "place_code",
    "beneficiary_group",
)


def _in_force(row: dict[str, Any], verified_ever: Decimal) -> Decimal:
    """The target in force, as `delivery.selectors_agreements.effective_target` works it out for one."""
    target: Decimal = row["target_quantity"]
    if row["state"] == CommitmentState.SUBSTITUTED:
        return min(verified_ever, target)
    value, called_off = row["agreement__value"], row["agreement__called_off_value"]
    if (
        row["source"] != CommitmentSource.SUBSTITUTION
        and row["agreement__kind"] in PRO_RATA_KINDS
        and called_off is not None
        and value > 0
    ):
        return (target * called_off / value).quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)
    return target


def _verified_ever(commitment_ids: QuerySet[Commitment]) -> dict[int, Decimal]:
    """Everything ever verified against the given (substituted) commitments."""
    rows = (
        ReturnLine.objects.filter(commitment__in=commitment_ids, status=LineStatus.VERIFIED)
        .values("commitment_id")
        .annotate(total=Sum("quantity"))
        .values_list("commitment_id", "total")
    )
    return {pk: Decimal(total).quantize(QUANTITY_PLACES) for pk, total in rows}


def _facts(organisation: Any, start: date, end: date) -> list[Fact]:
    """Each commitment due in the year (committed) or reported against in it (claimed, evidenced, verified)."""
    lines = ReturnLine.objects.filter(commitment__agreement__organisation=organisation).filter(
        _line_in_year(start, end)
    )
    sums = _state_sums(lines)
    due = Q(due_date__range=(start, end))
    commitments = Commitment.objects.filter(agreement__organisation=organisation).filter(
        due | Q(pk__in=lines.values("commitment_id"))
    )
    substituted = commitments.filter(due, state=CommitmentState.SUBSTITUTED)
    verified_ever = _verified_ever(substituted) if substituted.exists() else {}
    facts = []
    for row in commitments.values(*COMMITMENT_FIELDS).order_by("id"):
        reported = sums.get(row["id"], Quantities())
        committed = _in_force(row, verified_ever.get(row["id"], ZERO)) if start <= row["due_date"] <= end else ZERO
        facts.append(_fact(row, Quantities(committed, reported.claimed, reported.evidenced, reported.verified)))
    return facts


def _fact(row: dict[str, Any], quantities: Quantities) -> Fact:
    return Fact(
        commitment_id=row["id"],
        agreement_id=row["agreement_id"],
        department_id=row["agreement__department_id"],
        measure_code=row["measure__code"],
        measure_title=row["measure__title"],
        unit=row["measure__unit"],
        unit_kind=row["measure__unit"],
        value_type=row["measure__value_type"],
        place_code=row["place_code"],
        beneficiary_group=row["beneficiary_group"],
        quantities=quantities,
    )


# --- The pipeline -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineRow:
    department_id: int | None
    estimated_value: Decimal
    outcome_codes: frozenset[str]


def _asked_outcomes(ask: dict[str, Any]) -> frozenset[str]:
    """The outcome codes a procurement asks for: the officer's adjustment, else the proposal's."""
    adjusted = (ask.get("adjusted") or {}).get("outcomes")
    if adjusted is not None:
        return frozenset(item["code"] for item in adjusted)
    suggested = (ask.get("proposal") or {}).get("outcomes_suggested") or []
    return frozenset(item["code"] for item in suggested)


def _pipeline(organisation: Any, start: date, end: date) -> list[PipelineRow]:
    rows = (
        Procurement.objects.filter(organisation=organisation, award_at__date__range=(start, end))
        .exclude(state__in=[ProcurementState.AWARDED, ProcurementState.CANCELLED])
        .values_list("department_id", "estimated_value", "ask")
    )
    return [PipelineRow(department, value, _asked_outcomes(ask or {})) for department, value, ask in rows]


def _pipeline_of(rows: Iterable[PipelineRow]) -> Pipeline:
    rows = list(rows)
    return Pipeline(len(rows), sum((row.estimated_value for row in rows), ZERO))


# --- The year's figures -------------------------------------------------------------------------------


def _entries(value_set: ValueSet | None) -> dict[str, ValueEntry]:
    if value_set is None:
        return {}
    return {entry.measure_code: value_entry_of(entry) for entry in value_set.entries.all()}


@dataclass(frozen=True)
class _Year:
    """What a year's figures are worked out from: its dates and value set, whether or not it is stored."""

    start_year: int
    value_set: ValueSet | None

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)


def _added(facts: Iterable[Fact], key: Callable[[Fact], Hashable]) -> list[Fact]:
    """The facts with the same key made one, their quantities added; each keeps the details of the first
    fact of its key, in the order the keys first appear. Sums of quantities are exact, so any figure that
    adds facts up by a coarser key (a department, a measure, a place, a group) is unchanged."""
    sums: dict[Hashable, list[Decimal]] = {}
    first: dict[Hashable, Fact] = {}
    for fact in facts:
        name = key(fact)
        quantities = fact.quantities
        total = sums.get(name)
        if total is None:
            first[name] = fact
            sums[name] = [quantities.committed, quantities.claimed, quantities.evidenced, quantities.verified]
        else:
            total[0] += quantities.committed
            total[1] += quantities.claimed
            total[2] += quantities.evidenced
            total[3] += quantities.verified
    return [replace(first[name], quantities=Quantities(*total)) for name, total in sums.items()]


def _fact_scope(fact: Fact) -> Hashable:
    """Everything the year's figures split facts by: department, measure and value type, place and group."""
    return (fact.department_id, fact.measure_code, fact.value_type, fact.place_code, fact.beneficiary_group)


def _fact_measure(fact: Fact) -> Hashable:
    return (fact.measure_code, fact.value_type)


def _valued(
    facts: list[Fact], entries: dict[str, ValueEntry], label: str
) -> tuple[tuple[StateMoney, ...], dict[str, ValueEntry], str]:
    """Money of the facts in each state; a value set that cannot value them (mixed price years) values
    nothing, and says why."""
    # Valuing one fact per measure gives exactly the totals of valuing every fact (a valuation adds the
    # quantities of each measure and value type first, exactly, then values each sum once), in far less time.
    grouped = _added(facts, _fact_measure)
    try:
        return rules.state_money(grouped, entries, label), entries, ""
    except ApplicationError as error:
        return rules.state_money(grouped, {}, label), {}, f"The money equivalents cannot be worked out: {error.message}"


def _verified_by_code(measures: Iterable[MeasureFigures]) -> dict[str, Decimal]:
    return {measure.code: measure.quantities.verified for measure in measures}


def _line_figures(
    line: BudgetLine,
    measure: MeasureFigures | None,
    pipeline: list[PipelineRow],
    year: _Year,
    as_at: date,
    previous_quantities: Quantities | None,
) -> LineFigures:
    code, value_type = line.measure.code, line.measure.value_type
    quantities = measure.quantities if measure is not None else Quantities()
    money = previous_money = None
    if line.is_amount:
        entries = _entries(line.value_set)
        try:
            money = rules.measure_money(code, value_type, quantities, entries)
            if previous_quantities is not None:
                previous_money = rules.measure_money(code, value_type, previous_quantities, entries)
        except ApplicationError:
            money = previous_money = None
    actual = rules.line_actual(is_amount=line.is_amount, amount_basis=line.amount_basis, measure=measure, money=money)
    target = line.target
    baseline: Decimal | None = None
    if previous_quantities is not None:
        if line.is_amount:
            before = rules.line_actual(
                is_amount=True, amount_basis=line.amount_basis, measure=None, money=previous_money
            )
            baseline = before.verified
        else:
            baseline = previous_quantities.verified
    projection = forecast(
        target=target, verified=actual.verified, start_date=year.start, due_date=year.end, today=as_at
    )
    asking = [row for row in pipeline if line.measure.outcome.code in row.outcome_codes]
    return LineFigures(
        id=line.pk,
        measure_code=code,
        measure_title=line.measure.title,
        unit=line.measure.unit,
        value_type=value_type,
        is_amount=line.is_amount,
        target=target,
        amount_basis=line.amount_basis,
        value_set=value_set_label(line.value_set) if line.value_set else "",
        note=line.note,
        planned=_pipeline_of(asking),
        actual=actual,
        variance=actual.verified - target,
        percent_verified=rules.percent_of(actual.verified, target),
        forecast=projection.quantity,
        forecast_reason=projection.reason,
        baseline_verified=baseline,
    )


def _agreements_by_department(organisation: Any, year: _Year) -> dict[int | None, tuple[int, Decimal]]:
    """Agreements running in the year, counted and their values added, by department."""
    rows = (
        Agreement.objects.filter(organisation=organisation, start_date__lte=year.end, end_date__gte=year.start)
        .values("department_id")
        .annotate(count=Count("id"), value=Sum("value"))
        .values_list("department_id", "count", "value")
    )
    return {department: (count, Decimal(value).quantize(QUANTITY_PLACES)) for department, count, value in rows}


def _shares(organisation: Any, year: _Year, entries: dict[str, ValueEntry], label: str) -> tuple[AgreementShare, ...]:
    """Every agreement running in the year: its value, and its commitments' money equivalents, whenever due."""
    agreements = Agreement.objects.filter(
        organisation=organisation, start_date__lte=year.end, end_date__gte=year.start
    ).select_related("supplier", "department")
    sums = _state_sums(ReturnLine.objects.filter(commitment__agreement__in=agreements))
    commitments = Commitment.objects.filter(agreement__in=agreements)
    substituted = commitments.filter(state=CommitmentState.SUBSTITUTED)
    verified_ever = _verified_ever(substituted) if substituted.exists() else {}
    facts_by_agreement: dict[int, list[Fact]] = defaultdict(list)
    for row in commitments.values(*COMMITMENT_FIELDS):
        reported = sums.get(row["id"], Quantities())
        in_force = _in_force(row, verified_ever.get(row["id"], ZERO))
        facts_by_agreement[row["agreement_id"]].append(
            _fact(row, Quantities(in_force, reported.claimed, reported.evidenced, reported.verified))
        )
    shares = []
    for agreement in agreements.order_by("reference"):
        money, _, _ = _valued(facts_by_agreement.get(agreement.pk, []), entries, label)
        shares.append(
            AgreementShare(
                agreement_id=agreement.pk,
                reference=agreement.reference,
                title=agreement.title,
                supplier=agreement.supplier.name,
                department=agreement.department.name if agreement.department else NO_DEPARTMENT,
                value=agreement.value,
                money=tuple(row for row in money if row.state != "evidenced"),
            )
        )
    return tuple(shares)


def _department_spend(organisation: Any, year: _Year) -> dict[int, DepartmentSpend]:
    """Each department's payments in the year, by the service areas and cost centres mapped to it (compared
    without case or surrounding spaces), from one query over the organisation's spend files."""
    labels: dict[int, list[str]] = defaultdict(list)
    for department_id, label in DepartmentSpendLabel.objects.filter(organisation=organisation).values_list(
        "department_id", "label"
    ):
        labels[department_id].append(label)
    if not labels or not has_spend(organisation=organisation):
        return {}
    areas = spend_by_service_area(
        organisation=organisation, spend_filter=SpendFilter(date_from=year.start, date_to=year.end)
    )
    by_name = {area.name.strip().casefold(): area for area in areas}
    spend = {}
    for department_id, names in labels.items():
        matched = [by_name[name.strip().casefold()] for name in names if name.strip().casefold() in by_name]
        spend[department_id] = DepartmentSpend(
            amount=sum((area.amount for area in matched), ZERO),
            payments=sum(area.payments for area in matched),
            local=sum((area.local for area in matched), ZERO),
            labels=tuple(sorted(names)),
        )
    return spend


def _place_label(code: str) -> str:
    if not code:
        return "Place not recorded"
    return places.place_label(code)


def _decile_key(fact: Fact) -> str:
    decile = places.place_imd_decile(fact.place_code) if fact.place_code else None
    return str(decile) if decile is not None else ""


def _decile_label(key: str) -> str:
    return f"Decile {places.decile_text(int(key))}" if key else "Decile not known"


def _compute(
    *,
    organisation: Any,
    year: _Year,
    as_at: date,
    closed: bool,
    lines: list[BudgetLine],
    previous: Budget | None,
    shares: bool,
    with_spend: bool = False,
) -> Budget:
    # One fact per department, measure, place and group: every figure below adds facts up by these, so it is
    # the same as from one fact per commitment, with a few hundred facts to add instead of tens of thousands.
    facts = _added(_facts(organisation, year.start, year.end), _fact_scope)
    label = value_set_label(year.value_set) if year.value_set else ""
    totals, entries, problem = _valued(facts, _entries(year.value_set), label)
    pipeline = _pipeline(organisation, year.start, year.end)
    agreements = _agreements_by_department(organisation, year)
    spend = _department_spend(organisation, year) if with_spend else {}
    threshold = suppression_threshold()
    departments = []
    named = list(Department.objects.filter(organisation=organisation).order_by("name"))
    scopes: list[tuple[int | None, str]] = [(department.pk, department.name) for department in named]
    if any(fact.department_id is None for fact in facts) or None in agreements:
        scopes.append((None, NO_DEPARTMENT))
    previous_totals = previous.totals if previous is not None else rules.state_money([], {}, label)
    for department_id, name in scopes:
        scoped = [fact for fact in facts if fact.department_id == department_id]
        money, _, _ = _valued(scoped, entries, label)
        previous_department = previous.department(department_id) if previous is not None else None
        previous_measures = previous_department.measures if previous_department is not None else ()
        measures = rules.measure_figures(scoped, entries, _verified_by_code(previous_measures))
        by_code = {measure.code: measure for measure in measures}
        previous_by_code = {measure.code: measure.quantities for measure in previous_measures}
        department_pipeline = [row for row in pipeline if row.department_id == department_id]
        department_lines = tuple(
            _line_figures(
                line,
                by_code.get(line.measure.code),
                department_pipeline,
                year,
                as_at,
                previous_by_code.get(line.measure.code, Quantities()) if previous is not None else None,
            )
            for line in lines
            if line.department_id == department_id
        )
        count, value = agreements.get(department_id, (0, ZERO))
        departments.append(
            DepartmentFigures(
                id=department_id,
                name=name,
                agreements=count,
                agreement_value=value,
                pipeline=_pipeline_of(department_pipeline),
                lines=department_lines,
                measures=measures,
                money=money,
                baseline_money=previous_department.money
                if previous_department is not None
                else rules.state_money([], {}, label),
                spend=spend.get(department_id) if department_id is not None else None,
            )
        )
    not_valued = sorted({fact.measure_code for fact in facts} - set(entries))
    notes = [f"From the value set {label}." if label else "The year has no value set, so no £ figures are shown."]
    if problem:
        notes.append(problem)
    return Budget(
        organisation=organisation.name,
        organisation_slug=organisation.slug,
        start_year=year.start_year,
        label=f"{year.start_year}/{(year.start_year + 1) % 100:02d}",
        start_date=year.start,
        end_date=year.end,
        as_at=as_at,
        closed=closed,
        value_set=label,
        price_basis=f"{year.value_set.base_year} prices" if year.value_set else "",
        note=" ".join(notes),
        suppression_threshold=threshold,
        departments=tuple(departments),
        measures=rules.measure_figures(facts, entries, _verified_by_code(previous.measures if previous else ())),
        totals=totals,
        baseline_totals=previous_totals,
        pipeline=_pipeline_of(pipeline),
        breakdowns=(
            rules.breakdown(
                "place", "By place", facts, lambda fact: fact.place_code, _place_label, threshold=threshold
            ),
            rules.breakdown(
                "beneficiary_group",
                "By beneficiary group",
                facts,
                lambda fact: fact.beneficiary_group.strip(),
                lambda key: key or "Group not recorded",
                threshold=threshold,
            ),
            rules.breakdown(
                "deprivation_decile",
                "By deprivation decile of the place (IMD 2019, districts)",
                facts,
                _decile_key,
                _decile_label,
                threshold=threshold,
            ),
        ),
        shares=_shares(organisation, year, entries, label) if shares else (),
        not_valued=tuple(not_valued),
    )


CACHE_SECONDS = 24 * 60 * 60


def _figures_version(organisation_id: int) -> int:
    return FiguresVersion.objects.filter(organisation_id=organisation_id).values_list("number", flat=True).first() or 0


def budget_get(*, member: Member, year: FinancialYear, shares: bool = False, as_at: date | None = None) -> Budget:
    """The year's figures for the member's organisation: as frozen when the year was closed, else worked
    out (or read as stored), with last year's as the baseline (frozen, if last year is closed). The
    departments' spend is read from the spend files on every request."""
    if year.organisation_id != member.organisation.pk:
        raise ApplicationError("This financial year belongs to another organisation.")
    if year.frozen is not None:
        return rules.budget_from_dict(year.frozen)
    return _with_spend(figures_current(year=year, shares=shares, as_at=as_at), member.organisation, year)


def figures_current(*, year: FinancialYear, shares: bool = False, as_at: date | None = None) -> Budget:
    """An open year's figures for the current figures version (moved on by every change to what they are
    worked out from: see `signals.py`) and day, so a change is never hidden: from this process's cache,
    else as stored in the database by any process (`figures_store.py`), else worked out now and stored."""
    as_at = min(as_at or today_local(), year.end_date)
    version = _figures_version(year.organisation_id)
    key = f"reporting:budget:{year.organisation_id}:{year.pk}:{int(shares)}:{as_at.isoformat()}:{version}"
    figures: Budget | None = cache.get(key)
    if figures is None:
        figures = figures_store.figures_read(year=year, shares=shares, as_at=as_at, version=version)
        if figures is None:
            figures = budget_compute(
                organisation=year.organisation, year=year, shares=shares, as_at=as_at, with_spend=False
            )
            figures_store.figures_keep(year=year, shares=shares, as_at=as_at, version=version, figures=figures)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def _with_spend(figures: Budget, organisation: Any, year: FinancialYear) -> Budget:
    spend = _department_spend(organisation, _Year(year.start_year, year.value_set))
    if not spend:
        return figures
    departments = tuple(
        replace(department, spend=spend.get(department.id) if department.id is not None else None)
        for department in figures.departments
    )
    return replace(figures, departments=departments)


def budget_compute(
    *,
    organisation: Any,
    year: FinancialYear,
    shares: bool = True,
    as_at: date | None = None,
    with_spend: bool = True,
) -> Budget:
    """The year's figures worked out now (closing a year freezes these), with each department's spend from
    the spend files unless `with_spend` is false."""
    as_at = min(as_at or today_local(), year.end_date)
    last = FinancialYear.objects.filter(organisation=organisation, start_year=year.start_year - 1).first()
    previous: Budget | None
    if last is not None and last.frozen is not None:
        previous = rules.budget_from_dict(last.frozen)
    else:
        previous = _compute(
            organisation=organisation,
            year=_Year(year.start_year - 1, last.value_set if last is not None else year.value_set),
            as_at=date(year.start_year, 3, 31),
            closed=False,
            lines=list(
                BudgetLine.objects.filter(year=last).select_related("measure__outcome", "value_set")
                if last is not None
                else []
            ),
            previous=None,
            shares=False,
        )
    lines = list(
        BudgetLine.objects.filter(year=year)
        .select_related("measure__outcome", "value_set", "department")
        .prefetch_related("value_set__entries")
        .order_by("department__name", "measure__code")
    )
    return _compute(
        organisation=organisation,
        year=_Year(year.start_year, year.value_set),
        as_at=as_at,
        closed=year.is_closed,
        lines=lines,
        previous=previous,
        shares=shares,
        with_spend=with_spend,
    )


# --- Drill-down: department → agreement → commitment → return line ------------------------------------


@dataclass(frozen=True)
class LineOrigin:
    line: ReturnLine
    counted_as: str  # "verified", "claimed (awaiting verification)", …


@dataclass(frozen=True)
class CommitmentOrigin:
    commitment: Commitment
    committed: Decimal  # the target in force, when due in the year; else 0
    lines: list[LineOrigin]


@dataclass(frozen=True)
class AgreementOrigin:
    agreement: Agreement
    commitments: list[CommitmentOrigin]


def department_origins(*, member: Member, year: FinancialYear, department: Department | None) -> list[AgreementOrigin]:
    """Where a department's figures come from: each agreement with commitments due or reported against in
    the year, each commitment's target in force, and each return line counted, with what it counts as."""
    organisation = member.organisation
    start, end = year.start_date, year.end_date
    lines = (
        ReturnLine.objects.filter(commitment__agreement__organisation=organisation)
        .filter(_line_in_year(start, end))
        .filter(commitment__agreement__department=department)
    )
    commitments = (
        Commitment.objects.filter(agreement__organisation=organisation, agreement__department=department)
        .filter(Q(due_date__range=(start, end)) | Q(pk__in=lines.values("commitment_id")))
        .select_related("agreement__supplier", "measure")
        .order_by("agreement__reference", "measure__code", "id")
    )
    rows = {row["id"]: row for row in commitments.values(*COMMITMENT_FIELDS)}
    substituted = commitments.filter(state=CommitmentState.SUBSTITUTED)
    verified_ever = _verified_ever(substituted) if substituted.exists() else {}
    lines_by_commitment: dict[int, list[LineOrigin]] = defaultdict(list)
    for line in lines.select_related("delivery_return__period").prefetch_related("evidence").order_by("id"):
        lines_by_commitment[line.commitment_id].append(LineOrigin(line, _counted_as(line)))
    agreements: dict[int, AgreementOrigin] = {}
    for commitment in commitments:
        row = rows[commitment.pk]
        committed = (
            _in_force(row, verified_ever.get(commitment.pk, ZERO)) if start <= commitment.due_date <= end else ZERO
        )
        source = agreements.setdefault(commitment.agreement_id, AgreementOrigin(commitment.agreement, []))
        source.commitments.append(CommitmentOrigin(commitment, committed, lines_by_commitment.get(commitment.pk, [])))
    return list(agreements.values())


def _counted_as(line: ReturnLine) -> str:
    if line.status == LineStatus.REJECTED or line.delivery_return.state != ReturnState.SUBMITTED:
        return "not counted (rejected or not submitted)"
    evidenced = " with evidence" if line.evidence.all() else ""
    if line.status == LineStatus.VERIFIED:
        return f"verified{evidenced}"
    return f"claimed{evidenced}, {LineStatus(line.status).label.lower()}"
