"""Writes for LM3 surveys: create a survey, add answers one by one or from a CSV file, remove an answer.

Only a member who may manage spend (a social value lead or procurement officer of a public body) writes.
Shares are fractions from 0 to 1 (forms and files take percentages). An upload is atomic: every line is
checked first, and if any is wrong nothing is added and every problem is reported with its line."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.permissions import Permission, PermissionRefused, permission_require
from commonweal.tenancy.selectors import Member

from .models import Lm3Response, Lm3Survey, RespondentKind, Supplier, SupplierAlias
from .names import normalise_name
from .rules import LM3_RESPONDENT_MAX, LM3_TITLE_MAX, LM3_UPLOAD_COLUMNS

ZERO = Decimal("0")
ONE = Decimal("1")
SHARE_PLACES = Decimal("0.0001")
PERCENT_COLUMNS = ("local_supplier_percent", "local_staff_percent", "local_respend_percent")
REQUIRED_COLUMNS = ("kind", "respondent")
RESPONSE_FIELDS = ["kind", "supplier", "respondent", "local_supplier_share", "local_staff_share", "local_respend_share"]
KIND_WORDS = {"supplier": RespondentKind.SUPPLIER, "staff": RespondentKind.STAFF, "employee": RespondentKind.STAFF}


class Lm3UploadError(ApplicationError):
    """A survey file with problems: `problems` names each by its line. Nothing was added."""

    def __init__(self, message: str, *, problems: list[str]) -> None:
        super().__init__(message, field_errors={"responses_file": message})
        self.problems = problems


def _own(member: Member, survey: Lm3Survey) -> None:
    if survey.organisation_id != member.organisation.pk:
        raise PermissionRefused("No such survey.")


@transaction.atomic
def lm3_survey_create(
    *, actor: User, member: Member, title: str, period_start: date | None, period_end: date | None
) -> Lm3Survey:
    """A survey for one period: its rounds 1 and 2 come from the payments made in the period."""
    permission_require(member, Permission.MANAGE_SPEND)
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Enter a title for the survey"
    elif len(title) > LM3_TITLE_MAX:
        errors["title"] = f"The title must be {LM3_TITLE_MAX} characters or fewer"
    if period_start is None:
        errors["period_start"] = "Enter the first day of the period"
    if period_end is None:
        errors["period_end"] = "Enter the last day of the period"
    elif period_start is not None and period_end < period_start:
        errors["period_end"] = "The period must end on or after the day it starts"
    if errors or period_start is None or period_end is None:
        raise ApplicationError("There is a problem with the survey.", field_errors=errors)
    survey = Lm3Survey.objects.create(
        organisation=member.organisation,
        title=title,
        period_start=period_start,
        period_end=period_end,
        created_by=actor if actor.pk else None,
    )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.LM3_SURVEY_CREATED,
        target=survey,
        after=snapshot(survey, ["title", "period_start", "period_end"]),
    )
    return survey


@dataclass(frozen=True)
class Answer:
    """One answer, checked: what an Lm3Response is created from."""

    kind: str
    supplier: Supplier | None
    respondent: str
    local_supplier_share: Decimal
    local_staff_share: Decimal
    local_respend_share: Decimal


def _share(value: Decimal | None, field: str, label: str, errors: dict[str, str]) -> Decimal:
    if value is None:
        return ZERO
    if not value.is_finite() or not ZERO <= value <= ONE:
        errors[field] = f"{label} must be from 0% to 100%"
        return ZERO
    if value != value.quantize(SHARE_PLACES):
        errors[field] = f"{label} must have no more than 2 decimal places"
        return ZERO
    return value


def _answer_check(
    *,
    kind: str,
    supplier: Supplier | None,
    respondent: str,
    local_supplier_share: Decimal | None,
    local_staff_share: Decimal | None,
    local_respend_share: Decimal | None,
) -> tuple[Answer | None, dict[str, str]]:
    """The answer, or the problems with it by field (the rules for pages and files alike)."""
    errors: dict[str, str] = {}
    respondent = (respondent or "").strip()
    if kind not in RespondentKind.values:
        errors["respondent_kind"] = "Choose whether a supplier or a supplier’s employee answered"
    if not respondent:
        errors["respondent"] = "Enter who answered (a name or a reference)"
    elif len(respondent) > LM3_RESPONDENT_MAX:
        errors["respondent"] = f"Who answered must be {LM3_RESPONDENT_MAX} characters or fewer"
    supplier_share = staff_share = respend_share = ZERO
    if kind == RespondentKind.SUPPLIER:
        if local_supplier_share is None and local_staff_share is None:
            errors["local_supplier_percent"] = "Enter the share of income spent with local suppliers"
        supplier_share = _share(
            local_supplier_share, "local_supplier_percent", "The share spent with local suppliers", errors
        )
        staff_share = _share(local_staff_share, "local_staff_percent", "The share paid to local staff", errors)
        if not errors and supplier_share + staff_share > ONE:
            errors["local_staff_percent"] = "The two shares together cannot be more than 100%"
    elif kind == RespondentKind.STAFF:
        if local_respend_share is None:
            errors["local_respend_percent"] = "Enter the share of pay spent locally"
        respend_share = _share(local_respend_share, "local_respend_percent", "The share of pay spent locally", errors)
        if supplier is None and "respondent_supplier" not in errors:
            errors["respondent_supplier"] = "Choose the supplier the employee works for"
    if errors:
        return None, errors
    return (
        Answer(
            kind=kind,
            supplier=supplier,
            respondent=respondent,
            local_supplier_share=supplier_share,
            local_staff_share=staff_share,
            local_respend_share=respend_share,
        ),
        errors,
    )


def _response_create(*, member: Member, survey: Lm3Survey, answer: Answer) -> Lm3Response:
    return Lm3Response.objects.create(
        organisation=member.organisation,
        survey=survey,
        kind=answer.kind,
        supplier=answer.supplier,
        respondent=answer.respondent,
        local_supplier_share=answer.local_supplier_share,
        local_staff_share=answer.local_staff_share,
        local_respend_share=answer.local_respend_share,
    )


def _answered_suppliers(survey: Lm3Survey) -> set[int]:
    return set(
        survey.responses.filter(kind=RespondentKind.SUPPLIER, supplier__isnull=False).values_list(
            "supplier_id", flat=True
        )
    )


@transaction.atomic
def lm3_response_add(
    *,
    actor: User,
    member: Member,
    survey: Lm3Survey,
    kind: str,
    supplier_id: int | None,
    respondent: str,
    local_supplier_share: Decimal | None = None,
    local_staff_share: Decimal | None = None,
    local_respend_share: Decimal | None = None,
) -> Lm3Response:
    """One answer. A supplier answers once per survey; any number of its staff may answer."""
    permission_require(member, Permission.MANAGE_SPEND)
    _own(member, survey)
    supplier = None
    errors: dict[str, str] = {}
    if supplier_id is not None:
        supplier = Supplier.objects.filter(organisation=member.organisation, pk=supplier_id).first()
        if supplier is None:
            errors["respondent_supplier"] = "Choose a supplier from the list"
    answer, problems = _answer_check(
        kind=kind,
        supplier=supplier,
        respondent=respondent,
        local_supplier_share=local_supplier_share,
        local_staff_share=local_staff_share,
        local_respend_share=local_respend_share,
    )
    errors = {**problems, **errors}
    if (
        answer is not None
        and answer.kind == RespondentKind.SUPPLIER
        and supplier is not None
        and supplier.pk in _answered_suppliers(survey)
    ):
        errors["respondent_supplier"] = f"{supplier.name} has already answered this survey: remove that answer first"
    if errors or answer is None:
        raise ApplicationError("There is a problem with the answer.", field_errors=errors)
    response = _response_create(member=member, survey=survey, answer=answer)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.LM3_RESPONSE_ADDED,
        target=response,
        trail=survey,
        after=snapshot(response, RESPONSE_FIELDS),
    )
    return response


def _percent(text: str) -> Decimal | None:
    """“12.5”, “12.5%” → 0.125; blank → None. Raises InvalidOperation if it is not a number."""
    text = (text or "").strip().removesuffix("%").strip()
    if not text:
        return None
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation(text)
    return value / 100


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _supplier_lookup(member: Member) -> dict[str, Supplier]:
    """Normalised supplier names and aliases → supplier, for matching the names a file gives."""
    suppliers = {supplier.pk: supplier for supplier in Supplier.objects.filter(organisation=member.organisation)}
    lookup = {supplier.normalised_name: supplier for supplier in suppliers.values()}
    for normalised, supplier_id in SupplierAlias.objects.filter(organisation=member.organisation).values_list(
        "normalised_name", "supplier_id"
    ):
        if supplier_id in suppliers:
            lookup.setdefault(normalised, suppliers[supplier_id])
    return lookup


FIELD_COLUMNS = {
    "respondent_kind": "kind",
    "respondent_supplier": "supplier",
    "respondent": "respondent",
    "local_supplier_percent": "local_supplier_percent",
    "local_staff_percent": "local_staff_percent",
    "local_respend_percent": "local_respend_percent",
}


@transaction.atomic
def lm3_responses_upload(*, actor: User, member: Member, survey: Lm3Survey, content: bytes, filename: str) -> int:
    """Add every answer in a CSV file (columns in LM3_UPLOAD_COLUMNS; percentages from 0 to 100), or none.

    Returns how many answers were added. The supplier column names a supplier in the registry (any
    spelling that normalises to its name or an alias); it may be blank for a supplier's answer."""
    permission_require(member, Permission.MANAGE_SPEND)
    _own(member, survey)
    reader = csv.reader(io.StringIO(_decode(content), newline=""))
    rows = list(reader)
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise Lm3UploadError(
            "The file’s first line must name its columns.",
            problems=[
                f"Line 1: the columns {', '.join(missing)} are missing. "
                f"The columns are: {', '.join(LM3_UPLOAD_COLUMNS)}."
            ],
        )
    lookup = _supplier_lookup(member)
    answered = _answered_suppliers(survey)
    answers: list[Answer] = []
    problems: list[str] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {column: (row[index].strip() if index < len(row) else "") for index, column in enumerate(header)}
        answer, line_problems = _upload_line(values, lookup, answered)
        if line_problems:
            problems.append(f"Line {line}: " + "; ".join(line_problems) + ".")
        elif answer is not None:
            answers.append(answer)
    if problems:
        raise Lm3UploadError(
            f"The file has {len(problems)} problem{'s' if len(problems) != 1 else ''}: nothing was added.",
            problems=problems,
        )
    if not answers:
        raise Lm3UploadError("The file has no answers in it.", problems=["The file has a header but no answers."])
    for answer in answers:
        _response_create(member=member, survey=survey, answer=answer)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.LM3_SURVEY_RESPONSES_UPLOADED,
        target=survey,
        after={"file": filename, "answers": len(answers)},
    )
    return len(answers)


def _upload_line(
    values: dict[str, str], lookup: dict[str, Supplier], answered: set[int]
) -> tuple[Answer | None, list[str]]:
    """One line of an upload, by column: its answer, or what is wrong with it. A supplier that answers
    is added to `answered`, so a second answer from it in the same file is a problem too."""
    problems: list[str] = []
    kind = KIND_WORDS.get(values.get("kind", "").lower(), "")
    supplier = None
    supplier_name = values.get("supplier", "")
    if supplier_name:
        supplier = lookup.get(normalise_name(supplier_name))
        if supplier is None:
            problems.append(f"no supplier called “{supplier_name}” is in the supplier registry")
    shares: dict[str, Decimal | None] = {}
    for column in PERCENT_COLUMNS:
        try:
            shares[column] = _percent(values.get(column, ""))
        except InvalidOperation:
            problems.append(f"{column} “{values.get(column, '')}” is not a number")
            shares[column] = None
    answer, errors = _answer_check(
        kind=kind,
        supplier=supplier,
        respondent=values.get("respondent", ""),
        local_supplier_share=shares["local_supplier_percent"],
        local_staff_share=shares["local_staff_percent"],
        local_respend_share=shares["local_respend_percent"],
    )
    if not kind:
        errors["respondent_kind"] = f"kind “{values.get('kind', '')}” must be supplier or staff"
    problems += [
        f"{FIELD_COLUMNS.get(field, field)}: {message[0].lower()}{message[1:]}"
        if field != "respondent_kind"
        else message
        for field, message in errors.items()
        if not (field == "respondent_supplier" and supplier_name and supplier is None)
    ]
    if answer is not None and answer.kind == RespondentKind.SUPPLIER and answer.supplier is not None:
        if answer.supplier.pk in answered:
            problems.append(f"{answer.supplier.name} has already answered this survey")
        answered.add(answer.supplier.pk)
    return answer, problems


@transaction.atomic
def lm3_response_remove(*, actor: User, member: Member, response: Lm3Response) -> None:
    permission_require(member, Permission.MANAGE_SPEND)
    _own(member, response.survey)
    survey = response.survey
    before = snapshot(response, RESPONSE_FIELDS)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.LM3_RESPONSE_REMOVED,
        target=response,
        trail=survey,
        before=before,
    )
    response.delete()
