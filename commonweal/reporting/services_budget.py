"""Writes for the social value budget: departments and the spend labels that are theirs, financial years
(created, given a value set, closed for good with their figures frozen) and budget lines (one at a time or
from an XLSX file). Only a social value lead writes (`Permission.MANAGE_REPORTS`); every write is atomic
and audited, and a refused write changes nothing."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.formatting import uk_date
from commonweal.core.models import AuditAction
from commonweal.core.uploads import EVIDENCE_TYPES, upload_check
from commonweal.delivery.selectors_status import today_local
from commonweal.frameworks.models import Measure, ValueSet
from commonweal.frameworks.selectors_value_sets import measures_by_code, value_set_label
from commonweal.tenancy.models import Department, DepartmentSpendLabel, SpendLabelKind
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .access import own_require
from .budget_lines_file import LineRow, budget_line_rows_read
from .models import BudgetLine, FinancialYear, MoneyBasis
from .selectors_budget import budget_compute, department_removal_problem

FIRST_START_YEAR = 1990  # the range the database allows (financial_year_in_range)
LAST_START_YEAR = 2099
DEPARTMENT_NAME_MAX = 200  # Department.name
SPEND_LABEL_MAX = 200  # DepartmentSpendLabel.label
NOTE_MAX = 2000
# BudgetLine.target_quantity and target_amount: 14 digits, 2 after the point.
TARGET_PLACES = 2
TARGET_QUANTUM = Decimal("0.01")
TARGET_LIMIT = Decimal("1e12")

KIND_NAMES = {SpendLabelKind.SERVICE_AREA: "service area", SpendLabelKind.COST_CENTRE: "cost centre"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- Departments ----------------------------------------------------------------------------------------


def _clean_labels(labels: Iterable[str]) -> list[str]:
    """The labels stripped, blanks dropped, each once (case and spacing do not make a new label)."""
    kept: dict[str, str] = {}
    for label in labels:
        text = " ".join((label or "").split())
        if text:
            kept.setdefault(text.casefold(), text)
    return list(kept.values())


def _department_errors(
    *, member: Member, department: Department | None, name: str, labels: dict[str, list[str]]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the department’s name"
    elif len(name) > DEPARTMENT_NAME_MAX:
        errors["name"] = f"The name must be {DEPARTMENT_NAME_MAX} characters or fewer"
    else:
        clash = Department.objects.filter(organisation=member.organisation, name__iexact=name)
        if department is not None:
            clash = clash.exclude(pk=department.pk)
        if clash.exists():
            errors["name"] = f"Your organisation already has a department called {name}"
    for kind, field_name in (
        (SpendLabelKind.SERVICE_AREA, "service_areas"),
        (SpendLabelKind.COST_CENTRE, "cost_centres"),
    ):
        wanted = labels[kind]
        too_long = [label for label in wanted if len(label) > SPEND_LABEL_MAX]
        if too_long:
            errors[field_name] = f"Each {KIND_NAMES[kind]} must be {SPEND_LABEL_MAX} characters or fewer"
            continue
        taken = DepartmentSpendLabel.objects.filter(organisation=member.organisation, kind=kind).select_related(
            "department"
        )
        if department is not None:
            taken = taken.exclude(department=department)
        owners = {label.label.casefold(): label for label in taken}
        clashes = [owners[label.casefold()] for label in wanted if label.casefold() in owners]
        if clashes:
            errors[field_name] = "; ".join(
                f"The {KIND_NAMES[kind]} “{label.label}” belongs to {label.department.name}: "
                f"take it off {label.department.name} first"
                for label in clashes
            )
    return errors


def _labels_wanted(service_areas: Sequence[str], cost_centres: Sequence[str]) -> dict[str, list[str]]:
    return {
        SpendLabelKind.SERVICE_AREA.value: _clean_labels(service_areas),
        SpendLabelKind.COST_CENTRE.value: _clean_labels(cost_centres),
    }


def _labels_of(department: Department) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {SpendLabelKind.SERVICE_AREA.value: [], SpendLabelKind.COST_CENTRE.value: []}
    for label in department.spend_labels.order_by("kind", "label"):
        labels[label.kind].append(label.label)
    return labels


def _department_state(department: Department) -> dict[str, object]:
    labels = _labels_of(department)
    return {
        "name": department.name,
        "service_areas": labels[SpendLabelKind.SERVICE_AREA],
        "cost_centres": labels[SpendLabelKind.COST_CENTRE],
    }


def _labels_store(member: Member, department: Department, labels: dict[str, list[str]]) -> None:
    department.spend_labels.all().delete()
    DepartmentSpendLabel.objects.bulk_create(
        DepartmentSpendLabel(organisation=member.organisation, department=department, kind=kind, label=label)
        for kind, kind_labels in labels.items()
        for label in kind_labels
    )


@transaction.atomic
def department_create(
    *,
    actor: User | None,
    member: Member,
    name: str,
    service_areas: Sequence[str] = (),
    cost_centres: Sequence[str] = (),
) -> Department:
    """A new department, with the service areas and cost centres of the spend files that are its own."""
    permission_require(member, Permission.MANAGE_REPORTS)
    name = " ".join((name or "").split())
    labels = _labels_wanted(service_areas, cost_centres)
    errors = _department_errors(member=member, department=None, name=name, labels=labels)
    if errors:
        raise ApplicationError("The department could not be added.", field_errors=errors)
    department = Department.objects.create(organisation=member.organisation, name=name)
    _labels_store(member, department, labels)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.DEPARTMENT_CREATED,
        target=department,
        after=_department_state(department),
    )
    return department


@transaction.atomic
def department_update(
    *,
    actor: User | None,
    member: Member,
    department: Department,
    name: str,
    service_areas: Sequence[str],
    cost_centres: Sequence[str],
) -> Department:
    """Rename a department and set its spend labels (the whole list of each kind: labels left out are
    taken off it). A label belongs to one department: one held by another is refused, naming it."""
    permission_require(member, Permission.MANAGE_REPORTS)
    own_require(member, department)
    department = Department.objects.select_for_update().get(pk=department.pk)
    name = " ".join((name or "").split())
    labels = _labels_wanted(service_areas, cost_centres)
    errors = _department_errors(member=member, department=department, name=name, labels=labels)
    if errors:
        raise ApplicationError("The department could not be saved.", field_errors=errors)
    before = _department_state(department)
    if name != department.name:
        department.name = name
        department.save(update_fields=["name", "updated_at"])
    if labels != _labels_of(department):
        _labels_store(member, department, labels)
    after = _department_state(department)
    if after != before:
        audit_record(
            actor=actor,
            organisation=member.organisation,
            action=AuditAction.DEPARTMENT_UPDATED,
            target=department,
            before=before,
            after=after,
        )
    return department


@transaction.atomic
def department_remove(*, actor: User | None, member: Member, department: Department) -> None:
    """Remove a department that nothing uses (its spend labels go with it)."""
    permission_require(member, Permission.MANAGE_REPORTS)
    own_require(member, department)
    department = Department.objects.select_for_update().get(pk=department.pk)
    problem = department_removal_problem(department)
    if problem:
        raise ApplicationError(problem)
    before = _department_state(department)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.DEPARTMENT_REMOVED,
        target=department,
        before=before,
    )
    department.delete()


# --- Financial years ------------------------------------------------------------------------------------


def _value_set_check(member: Member, value_set: ValueSet | None, errors: dict[str, str], field_name: str) -> None:
    if value_set is not None and value_set.organisation_id != member.organisation.pk:
        errors[field_name] = "Choose one of your organisation’s value sets"


def _year_state(year: FinancialYear) -> dict[str, object]:
    return {
        "start_year": year.start_year,
        "value_set": value_set_label(year.value_set) if year.value_set else "",
        "closed_at": year.closed_at.isoformat() if year.closed_at else None,
    }


@transaction.atomic
def year_create(
    *, actor: User | None, member: Member, start_year: int | None, value_set: ValueSet | None = None
) -> FinancialYear:
    """A financial year, 1 April `start_year` to 31 March the year after, valued with `value_set`."""
    permission_require(member, Permission.MANAGE_REPORTS)
    errors: dict[str, str] = {}
    if start_year is None:
        errors["start_year"] = "Enter the year the financial year starts in, like 2026 for 2026/27"
    elif not FIRST_START_YEAR <= start_year <= LAST_START_YEAR:
        errors["start_year"] = f"The year must be between {FIRST_START_YEAR} and {LAST_START_YEAR}"
    elif FinancialYear.objects.filter(organisation=member.organisation, start_year=start_year).exists():
        label = f"{start_year}/{(start_year + 1) % 100:02d}"
        errors["start_year"] = f"Your organisation already has the financial year {label}"
    _value_set_check(member, value_set, errors, "value_set")
    if errors:
        raise ApplicationError("The financial year could not be added.", field_errors=errors)
    assert start_year is not None
    year = FinancialYear.objects.create(organisation=member.organisation, start_year=start_year, value_set=value_set)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.FINANCIAL_YEAR_CREATED,
        target=year,
        after=_year_state(year),
    )
    return year


def _open_year_require(year: FinancialYear) -> None:
    if year.is_closed:
        raise ApplicationError(
            f"The financial year {year.label} was closed on {uk_date(year.closed_at)}: "
            "its figures and budget lines can no longer be changed."
        )


@transaction.atomic
def year_value_set_change(
    *, actor: User | None, member: Member, year: FinancialYear, value_set: ValueSet | None
) -> FinancialYear:
    """Value the year's figures with another value set (or none). Refused once the year is closed."""
    permission_require(member, Permission.MANAGE_REPORTS)
    own_require(member, year)
    year = FinancialYear.objects.select_for_update(of=("self",)).select_related("value_set").get(pk=year.pk)
    _open_year_require(year)
    errors: dict[str, str] = {}
    _value_set_check(member, value_set, errors, "value_set")
    if errors:
        raise ApplicationError("The value set could not be changed.", field_errors=errors)
    if year.value_set_id == (value_set.pk if value_set else None):
        return year
    before = _year_state(year)
    year.value_set = value_set
    year.save(update_fields=["value_set", "updated_at"])
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.FINANCIAL_YEAR_VALUE_SET_CHANGED,
        target=year,
        before=before,
        after=_year_state(year),
    )
    return year


@transaction.atomic
def year_close(*, actor: User | None, member: Member, year: FinancialYear, today: date | None = None) -> FinancialYear:
    """Close a year for good once it has ended: its figures, worked out now, are frozen and read from then
    on, whatever is verified later. A closed year is never reopened."""
    permission_require(member, Permission.MANAGE_REPORTS)
    own_require(member, year)
    year = FinancialYear.objects.select_for_update(of=("self",)).select_related("value_set").get(pk=year.pk)
    _open_year_require(year)
    today = today or today_local()
    if today <= year.end_date:
        raise ApplicationError(
            f"The financial year {year.label} ends on {uk_date(year.end_date)}: it can be closed from "
            f"{uk_date(year.end_date + timedelta(days=1))}."
        )
    year.closed_at = timezone.now()
    year.closed_by = actor if actor is not None and actor.pk else None
    figures = budget_compute(organisation=member.organisation, year=year, shares=True)
    year.frozen = figures.as_dict()
    year.save(update_fields=["closed_at", "closed_by", "frozen", "updated_at"])
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.FINANCIAL_YEAR_CLOSED,
        target=year,
        before={"closed_at": None},
        after={"closed_at": year.closed_at.isoformat(), "as_at": figures.as_at.isoformat()},
    )
    return year


# --- Budget lines ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineValues:
    """What a budget line says, checked: either a quantity, or an amount with its basis and value set."""

    department: Department
    measure: Measure
    target_quantity: Decimal | None
    target_amount: Decimal | None
    amount_basis: str
    value_set: ValueSet | None
    note: str


def _target_error(value: Decimal, what: str) -> str:
    if not value.is_finite():
        return f"Enter the {what} as a number"
    if value < 0:
        return f"The {what} must be 0 or more"
    if value != value.quantize(TARGET_QUANTUM):
        return f"Enter the {what} with no more than {TARGET_PLACES} decimal places"
    if value >= TARGET_LIMIT:
        return f"The {what} is too large"
    return ""


def _line_errors(
    *,
    member: Member,
    department: Department | None,
    measure_code: str,
    target_quantity: Decimal | None,
    target_amount: Decimal | None,
    amount_basis: str,
    value_set: ValueSet | None,
    note: str,
    measures: dict[str, Measure],
) -> tuple[dict[str, str], Measure | None]:
    errors: dict[str, str] = {}
    if department is None:
        errors["department"] = "Choose the department"
    elif department.organisation_id != member.organisation.pk:
        errors["department"] = "Choose one of your organisation’s departments"
    measure = measures.get(measure_code)
    if not measure_code:
        errors["measure_code"] = "Choose the measure"
    elif measure is None:
        errors["measure_code"] = f"{measure_code} is not a measure of your organisation’s published frameworks"
    if target_quantity is None and target_amount is None:
        errors["target_quantity"] = "Enter either a quantity of the measure or an amount in pounds"
    elif target_quantity is not None and target_amount is not None:
        errors["target_quantity"] = "Enter a quantity or an amount in pounds, not both"
    elif target_quantity is not None:
        if problem := _target_error(target_quantity, "quantity"):
            errors["target_quantity"] = problem
        if amount_basis:
            errors["amount_basis"] = "Leave the basis blank for a quantity: it is only for an amount in pounds"
        if value_set is not None:
            errors["value_set"] = "Leave the value set blank for a quantity: it is only for an amount in pounds"
    else:
        assert target_amount is not None
        if problem := _target_error(target_amount, "amount"):
            errors["target_amount"] = problem
        if amount_basis not in MoneyBasis.values:
            errors["amount_basis"] = "Choose whether the amount is gross or net"
        if value_set is None:
            errors["value_set"] = "Choose the value set the amount is worked out with"
    _value_set_check(member, value_set, errors, "value_set")
    if len(note) > NOTE_MAX:
        errors["note"] = f"The note must be {NOTE_MAX} characters or fewer"
    return errors, measure


def _same_line(year: FinancialYear, department: Department, measure_code: str) -> BudgetLine | None:
    return (
        BudgetLine.objects.filter(year=year, department=department, measure__code=measure_code)
        .select_related("department", "measure")
        .first()
    )


def _line_state(line: BudgetLine) -> dict[str, object]:
    state = snapshot(line, ["target_quantity", "target_amount", "amount_basis", "note"])
    state["department"] = line.department.name
    state["measure"] = line.measure.code
    state["value_set"] = value_set_label(line.value_set) if line.value_set else ""
    return state


def _line_checked(
    *,
    member: Member,
    year: FinancialYear,
    line: BudgetLine | None,
    department: Department | None,
    measure_code: str,
    target_quantity: Decimal | None,
    target_amount: Decimal | None,
    amount_basis: str,
    value_set: ValueSet | None,
    note: str,
) -> LineValues:
    measure_code = (measure_code or "").strip()
    note = (note or "").strip()
    amount_basis = (amount_basis or "").strip().lower()
    errors, measure = _line_errors(
        member=member,
        department=department,
        measure_code=measure_code,
        target_quantity=target_quantity,
        target_amount=target_amount,
        amount_basis=amount_basis,
        value_set=value_set,
        note=note,
        measures=measures_by_code(member=member),
    )
    if not errors:
        assert department is not None and measure is not None
        same = _same_line(year, department, measure_code)
        if same is not None and (line is None or same.pk != line.pk):
            errors["measure_code"] = f"{department.name} already has a budget line for {measure_code} in {year.label}"
        if line is not None and line.measure.code == measure_code:
            measure = line.measure  # keep the version the line was made with
    if errors:
        raise ApplicationError("The budget line could not be saved.", field_errors=errors)
    assert department is not None and measure is not None
    return LineValues(department, measure, target_quantity, target_amount, amount_basis, value_set, note)


def _line_apply(line: BudgetLine, values: LineValues) -> None:
    line.department = values.department
    line.measure = values.measure
    line.target_quantity = (
        values.target_quantity.quantize(TARGET_QUANTUM) if values.target_quantity is not None else None
    )
    line.target_amount = values.target_amount.quantize(TARGET_QUANTUM) if values.target_amount is not None else None
    line.amount_basis = values.amount_basis if values.target_amount is not None else ""
    line.value_set = values.value_set if values.target_amount is not None else None
    line.note = values.note


def _year_for_lines(member: Member, year: FinancialYear) -> FinancialYear:
    own_require(member, year)
    year = FinancialYear.objects.select_for_update().get(pk=year.pk)
    _open_year_require(year)
    return year


@transaction.atomic
def budget_line_create(
    *,
    actor: User | None,
    member: Member,
    year: FinancialYear,
    department: Department | None,
    measure_code: str,
    target_quantity: Decimal | None = None,
    target_amount: Decimal | None = None,
    amount_basis: str = "",
    value_set: ValueSet | None = None,
    note: str = "",
) -> BudgetLine:
    """What a department plans to achieve in the year for one measure: a quantity, or a £ amount (gross or
    net) under a value set. One line per department and measure in a year; none once the year is closed."""
    permission_require(member, Permission.MANAGE_REPORTS)
    year = _year_for_lines(member, year)
    values = _line_checked(
        member=member,
        year=year,
        line=None,
        department=department,
        measure_code=measure_code,
        target_quantity=target_quantity,
        target_amount=target_amount,
        amount_basis=amount_basis,
        value_set=value_set,
        note=note,
    )
    line = BudgetLine(organisation=member.organisation, year=year)
    _line_apply(line, values)
    line.save()
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.BUDGET_LINE_CREATED,
        target=line,
        trail=year,
        after=_line_state(line),
    )
    return line


@transaction.atomic
def budget_line_update(
    *,
    actor: User | None,
    member: Member,
    line: BudgetLine,
    department: Department | None,
    measure_code: str,
    target_quantity: Decimal | None = None,
    target_amount: Decimal | None = None,
    amount_basis: str = "",
    value_set: ValueSet | None = None,
    note: str = "",
) -> BudgetLine:
    """Change a budget line (the same rules as adding one). Refused once its year is closed."""
    permission_require(member, Permission.MANAGE_REPORTS)
    own_require(member, line)
    line = BudgetLine.objects.select_related("department", "measure", "value_set").get(pk=line.pk)
    year = _year_for_lines(member, line.year)
    values = _line_checked(
        member=member,
        year=year,
        line=line,
        department=department,
        measure_code=measure_code,
        target_quantity=target_quantity,
        target_amount=target_amount,
        amount_basis=amount_basis,
        value_set=value_set,
        note=note,
    )
    before = _line_state(line)
    _line_apply(line, values)
    after = _line_state(line)
    if after != before:
        line.save()
        audit_record(
            actor=actor,
            organisation=member.organisation,
            action=AuditAction.BUDGET_LINE_UPDATED,
            target=line,
            trail=year,
            before=before,
            after=after,
        )
    return line


@transaction.atomic
def budget_line_remove(*, actor: User | None, member: Member, line: BudgetLine) -> None:
    """Remove a budget line. Refused once its year is closed."""
    permission_require(member, Permission.MANAGE_REPORTS)
    own_require(member, line)
    line = BudgetLine.objects.select_related("department", "measure", "value_set").get(pk=line.pk)
    year = _year_for_lines(member, line.year)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.BUDGET_LINE_REMOVED,
        target=line,
        trail=year,
        before=_line_state(line),
    )
    line.delete()


# --- Importing budget lines -----------------------------------------------------------------------------


@dataclass
class LinesImportResult:
    created: list[BudgetLine] = field(default_factory=list)
    updated: list[BudgetLine] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # lines of the file that match a line already there


class LinesImportRefused(ApplicationError):
    """The file was refused; `problems` lists each rejected row's line and reason. Nothing was stored."""

    def __init__(self, problems: list[tuple[int | None, str]]) -> None:
        count = len(problems)
        by_line: dict[str, str] = {}
        for line, reason in problems:
            key = f"line {line}" if line is not None else "file"
            by_line[key] = f"{by_line[key]}; {reason}" if key in by_line else reason
        super().__init__(f"The file was not imported: it has {_plural(count, 'problem')}.", field_errors=by_line)
        self.problems = problems


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


@transaction.atomic
def budget_lines_import(
    *, actor: User | None, member: Member, year: FinancialYear, rows: Sequence[LineRow]
) -> LinesImportResult:
    """Set the year's budget lines from the rows, all or none: a row for a department and measure the year
    already has a line for changes that line (or leaves it, if it says the same), so importing the same
    file again changes nothing. Lines the file does not mention are left as they are."""
    permission_require(member, Permission.MANAGE_REPORTS)
    year = _year_for_lines(member, year)
    if not rows:
        raise LinesImportRefused([(None, "the file has no budget lines in it")])
    departments = {
        department.name.casefold(): department
        for department in Department.objects.filter(organisation=member.organisation)
    }
    value_sets = {value_set.code: value_set for value_set in ValueSet.objects.filter(organisation=member.organisation)}
    measures = measures_by_code(member=member)
    existing = {
        (line.department_id, line.measure.code): line
        for line in BudgetLine.objects.filter(year=year).select_related("department", "measure", "value_set")
    }
    problems: list[tuple[int | None, str]] = []
    seen: dict[tuple[int, str], int] = {}
    to_save: list[tuple[int, BudgetLine, LineValues, bool]] = []
    result = LinesImportResult()
    for row in rows:
        department = departments.get(" ".join(row.department.split()).casefold())
        value_set = value_sets.get(row.value_set_code) if row.value_set_code else None
        errors, measure = _line_errors(
            member=member,
            department=department,
            measure_code=row.measure_code,
            target_quantity=row.quantity,
            target_amount=row.amount,
            amount_basis=row.basis.lower(),
            value_set=value_set,
            note=row.note,
            measures=measures,
        )
        if department is None:
            errors["department"] = (
                f"department “{row.department}” is not one of your organisation’s departments"
                if row.department
                else "the department is missing"
            )
        if row.value_set_code and value_set is None:
            errors["value_set"] = f"value set code “{row.value_set_code}” is not one of your organisation’s value sets"
        if "measure_code" in errors:
            errors["measure_code"] = (
                f"measure code “{row.measure_code}” is not a measure of your organisation’s published frameworks"
                if row.measure_code
                else "the measure code is missing"
            )
        if row.problems:  # what could not be read, as the file has it, rather than "enter a quantity"
            errors.pop("target_quantity", None)
            errors.update(row.problems)
        if errors:
            problems.extend((row.line, _lower_first(text)) for text in errors.values())
            continue
        assert department is not None and measure is not None
        key = (department.pk, row.measure_code)
        if key in seen:
            problems.append((row.line, f"the same department and measure as line {seen[key]}"))
            continue
        seen[key] = row.line
        already = existing.get(key)
        line = already or BudgetLine(organisation=member.organisation, year=year)
        values = LineValues(
            department,
            already.measure if already is not None else measure,
            row.quantity,
            row.amount,
            row.basis.lower(),
            value_set,
            row.note,
        )
        to_save.append((row.line, line, values, already is not None))
    if problems:
        raise LinesImportRefused(problems)
    for row_line, line, values, is_update in to_save:
        before = _line_state(line) if is_update else None
        _line_apply(line, values)
        after = _line_state(line)
        if before == after:
            result.unchanged.append(row_line)
            continue
        line.save()
        (result.updated if is_update else result.created).append(line)
    if result.created or result.updated:
        audit_record(
            actor=actor,
            organisation=member.organisation,
            action=AuditAction.BUDGET_LINES_IMPORTED,
            target=year,
            after={
                "created": [f"{line.department.name}: {line.measure.code}" for line in result.created],
                "updated": [f"{line.department.name}: {line.measure.code}" for line in result.updated],
                "unchanged_lines": result.unchanged,
            },
        )
    return result


IMPORT_TYPES = {".xlsx": EVIDENCE_TYPES[".xlsx"]}


def budget_lines_file_import(
    *, actor: User | None, member: Member, year: FinancialYear, file: UploadedFile | None
) -> LinesImportResult:
    """Import budget lines from an XLSX file (the columns of the download): all or none."""
    permission_require(member, Permission.MANAGE_REPORTS)
    own_require(member, year)
    if file is None:
        raise ApplicationError("Select an XLSX file of budget lines.", field_errors={"lines_file": "Select a file"})
    upload_check(file, types=IMPORT_TYPES, max_bytes=settings.EVIDENCE_MAX_BYTES, field="lines_file")
    file.seek(0)
    rows, problems = budget_line_rows_read(content=file.read())
    if problems:
        raise LinesImportRefused(problems)
    return budget_lines_import(actor=actor, member=member, year=year, rows=rows)
