"""Writes for delivery returns: reporting periods, drafts, submission, review, answers and the bulk CSV.

A line on a draft is not a claim. Submitting locks the return; after that only single lines move, through
the contract manager's decisions (verify, reject, query) and the supplier's answers. Every claim is checked
so that a delivery (evidence reference) or a beneficiary counts once for a buyer; see docs/delivery-returns.md.

The supplier's contacts (`SUBMIT_RETURNS`) save, submit and answer; the buyer's contract managers
(`MANAGE_CONTRACTS`) review. Each public service requires its permission first, then that the agreement is
the member's organisation's (`rules.py`). Reporting periods are made with the agreement: creating or changing
one calls `periods_make` here, so pages only read them.
"""

import csv
import io
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Lower, Replace
from django.http import Http404
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.core.uploads import EVIDENCE_TYPES, FileType, upload_check
from commonweal.frameworks.models import UnitKind
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import (
    QUANTITY_PLACES,
    Agreement,
    CaseStudy,
    Commitment,
    CommitmentState,
    DeliveryReturn,
    Evidence,
    LineEventKind,
    LineStatus,
    ReportingPeriod,
    ReturnLine,
    ReturnLineEvent,
    ReturnState,
)
from .periods import period_plan
from .rules import buyer_require, person_require, supplier_require

LINE_FIELDS = ["quantity", "status", "reason"]
MAX_QUANTITY = Decimal("1e12")  # the largest quantity a return line can hold (14 digits, 2 after the point)
REFERENCE_MAX = 100  # ReturnLine.evidence_reference and beneficiary_reference

# Units that accrue over time for one beneficiary (weeks of an apprenticeship, hours, pounds): the same
# beneficiary may be claimed again against the same commitment in a later period. A head count or a
# percentage counts a beneficiary once, whatever the period.
PER_PERIOD_UNITS = frozenset(
    {UnitKind.FTE, UnitKind.WEEKS, UnitKind.HOURS, UnitKind.DAYS, UnitKind.GBP, UnitKind.TCO2E}
)

CSV_TYPES = {".csv": FileType("text/csv")}
BULK_COLUMNS = [
    "agreement_reference",
    "buyer",
    "period",
    "measure_code",
    "quantity",
    "evidence_reference",
    "beneficiary_reference",
    "note",
]
BULK_REQUIRED_COLUMNS = ["agreement_reference", "buyer", "period", "measure_code", "quantity"]


# --- Reporting periods -----------------------------------------------------------------------------


@transaction.atomic
def periods_ensure(*, actor: User | None, member: Member, agreement: Agreement) -> list[ReportingPeriod]:
    """Make the agreement's reporting periods match its dates and frequency; running it again changes nothing.

    Creating or changing an agreement does this already; pages only read the periods. Periods are
    derived from the agreement (whose own changes are audited), so this writes no audit event and
    `actor` is recorded nowhere."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    buyer_require(member, agreement)
    return periods_make(agreement)


@transaction.atomic
def periods_make(agreement: Agreement) -> list[ReportingPeriod]:
    """The write behind `periods_ensure`, for services that have checked their member already (creating
    or changing an agreement; a return on an agreement made before its periods were), inside their
    transaction."""
    # Lock the agreement so that two writes at once do not both create the periods.
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    existing = {period.start_date: period for period in ReportingPeriod.objects.filter(agreement=agreement)}
    for plan in period_plan(agreement):
        period = existing.pop(plan.start_date, None)
        if period is None:
            ReportingPeriod.objects.create(
                organisation_id=agreement.organisation_id,
                agreement=agreement,
                label=plan.label,
                start_date=plan.start_date,
                end_date=plan.end_date,
                return_due_date=plan.return_due_date,
            )
        elif (period.label, period.end_date, period.return_due_date) != (
            plan.label,
            plan.end_date,
            plan.return_due_date,
        ):
            period.label, period.end_date, period.return_due_date = plan.label, plan.end_date, plan.return_due_date
            period.save(update_fields=["label", "end_date", "return_due_date", "updated_at"])
    # Periods that no longer fit (after a change of dates) are kept: a return or a reminder may point at them.
    return list(ReportingPeriod.objects.filter(agreement=agreement).order_by("start_date"))


def _period_default(agreement: Agreement) -> ReportingPeriod:
    """The earliest period that has started and has no return yet."""
    if not agreement.periods.exists():
        periods_make(agreement)  # an agreement made before its periods were: they are made with its first return
    period = (
        ReportingPeriod.objects.filter(agreement=agreement, start_date__lte=timezone.localdate(), returns__isnull=True)
        .order_by("start_date")
        .first()
    )
    if period is None:
        message = "Every reporting period that has started already has a return"
        raise ApplicationError(message + ".", field_errors={"period": message})
    return period


# --- Inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """What the supplier reports against one commitment; a blank quantity means no line."""

    quantity: Decimal | None
    evidence_reference: str = ""
    beneficiary_reference: str = ""
    note: str = ""


@dataclass(frozen=True)
class CaseStudyInput:
    title: str
    story: str
    consent_given_by: str
    consent_date: date | None
    commitment_id: int | None = None


def reference_clean(value: str) -> str:
    """A reference as stored: trimmed, with runs of spaces, tabs and newlines made one space."""
    return " ".join(value.split())


def reference_key(value: str) -> str:
    """What makes two references the same: case and spaces do not count ("PAY 001" is "pay001")."""
    return "".join(value.split()).lower()


def _quantity_error(quantity: Decimal) -> str | None:
    if not quantity.is_finite():
        return "Enter the quantity as a number, like 12 or 3.5"
    if quantity < 0:
        return "Quantity must be 0 or more"
    if quantity >= MAX_QUANTITY:
        return "Enter a smaller quantity"
    if quantity != quantity.quantize(QUANTITY_PLACES):
        return "Enter the quantity with no more than 2 decimal places"
    return None


def _line_errors(commitments: Mapping[int, Commitment], lines: Mapping[int, LineInput]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for commitment_id, line in lines.items():
        if commitment_id not in commitments:
            errors[f"quantity_{commitment_id}"] = "This commitment is not part of the agreement"
            continue
        if line.quantity is not None and (message := _quantity_error(line.quantity)):
            errors[f"quantity_{commitment_id}"] = message
        for name in ("evidence_reference", "beneficiary_reference"):
            if len(reference_clean(getattr(line, name))) > REFERENCE_MAX:
                errors[f"{name}_{commitment_id}"] = f"Enter a reference of {REFERENCE_MAX} characters or fewer"
    return errors


def _files_check(files: Sequence[UploadedFile], field_name: str) -> tuple[dict[str, str], list[FileType]]:
    types: list[FileType] = []
    for file in files:
        try:
            types.append(
                upload_check(file, types=EVIDENCE_TYPES, max_bytes=settings.EVIDENCE_MAX_BYTES, field=field_name)
            )
        except ApplicationError as error:
            message = error.field_errors.get(field_name, error.message)
            if len(files) > 1:
                message = f"{file.name}: {message[0].lower()}{message[1:]}"
            return {field_name: message}, []
    return {}, types


def _case_study_errors(case_studies: Sequence[CaseStudyInput], commitments: Mapping[int, Commitment]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for number, case in enumerate(case_studies, start=1):
        prefix = f"Case study {number}: " if len(case_studies) > 1 else ""

        def refuse(name: str, message: str, prefix: str = prefix) -> None:
            errors.setdefault(f"case_study_{name}", prefix + message)

        if not case.title.strip():
            refuse("title", "Enter a title for the case study")
        elif len(case.title.strip()) > 200:
            refuse("title", "Enter a title of 200 characters or fewer")
        if not case.story.strip():
            refuse("story", "Tell the story of the case study")
        if not case.consent_given_by.strip():
            refuse("consent_given_by", "Enter who gave consent to publish the case study")
        elif len(case.consent_given_by.strip()) > 200:
            refuse("consent_given_by", "Enter who gave consent in 200 characters or fewer")
        if case.consent_date is None:
            refuse("consent_date", "Enter the date consent was given")
        elif case.consent_date > timezone.localdate():
            refuse("consent_date", "The date consent was given must be today or in the past")
        if case.commitment_id is not None and case.commitment_id not in commitments:
            refuse("commitment", "This commitment is not part of the agreement")
    return errors


# --- Counting once ---------------------------------------------------------------------------------


def _normalised(field_name: str) -> Any:
    return Lower(Replace(F(field_name), Value(" "), Value("")))


def line_number(line: ReturnLine) -> int:
    """The line's position in its return, in the order the return shows its lines."""
    ordered = ReturnLine.objects.filter(delivery_return_id=line.delivery_return_id).order_by(
        "commitment__due_date", "commitment_id"
    )
    return list(ordered.values_list("pk", flat=True)).index(line.pk) + 1


def _claim_label(line: ReturnLine, supplier_id: int) -> str:
    """Where an earlier claim is, named only to the supplier who made it (another supplier's is not named)."""
    delivery_return = line.delivery_return
    agreement = delivery_return.agreement
    if agreement.supplier_id != supplier_id:
        return "another agreement with this buyer"
    when = (
        delivery_return.period.label
        if delivery_return.period is not None
        else f"the return of {timezone.localtime(delivery_return.created_at):%-d %B %Y}"
    )
    return f"{agreement.reference}, {when}, line {line_number(line)}"


@dataclass(frozen=True)
class _Claim:
    """A line about to become a claim (on submission, or when an answer re-claims it)."""

    key: str  # field key for errors, e.g. "evidence_reference_12"
    commitment: Commitment
    evidence_reference: str
    beneficiary_reference: str
    number: int  # the line number within its return


def _claims_check(
    *, buyer_id: int, supplier_id: int, claims: Sequence[_Claim], exclude: QuerySet[ReturnLine]
) -> dict[str, str]:
    """Refuse a reference already claimed: evidence on any claimed line of the buyer, a beneficiary on
    another commitment (or on the same one, where the measure counts each beneficiary once).

    The caller holds the lock on the buyer's row, so no other claim for this buyer can land meanwhile.
    """
    errors: dict[str, str] = {}
    claimed = (
        ReturnLine.objects.claimed()
        .filter(organisation_id=buyer_id)
        .exclude(pk__in=exclude.values("pk"))
        .select_related("delivery_return__agreement", "delivery_return__period")
        .order_by("delivery_return__submitted_at", "pk")
    )
    seen_evidence: dict[str, _Claim] = {}
    seen_beneficiary: dict[str, _Claim] = {}
    for claim in claims:
        if claim.evidence_reference:
            key = reference_key(claim.evidence_reference)
            field_name = f"evidence_reference_{claim.key}"
            earlier_here = seen_evidence.get(key)
            pledge_problem = _pledge_claim_error(claim, exclude)
            if pledge_problem:
                errors[field_name] = pledge_problem
            elif earlier_here is not None:
                errors[field_name] = (
                    f"Evidence reference {claim.evidence_reference} is already given on line "
                    f"{earlier_here.number} of this return"
                )
            else:
                earlier = claimed.annotate(_ref=_normalised("evidence_reference")).filter(_ref=key).first()
                if earlier is not None:
                    errors[field_name] = (
                        f"Evidence reference {claim.evidence_reference} is already claimed on "
                        f"{_claim_label(earlier, supplier_id)}"
                    )
            seen_evidence.setdefault(key, claim)
        if claim.beneficiary_reference:
            key = reference_key(claim.beneficiary_reference)
            field_name = f"beneficiary_reference_{claim.key}"
            earlier_here = seen_beneficiary.get(key)
            if earlier_here is not None:
                errors[field_name] = (
                    f"Beneficiary reference {claim.beneficiary_reference} is already given on line "
                    f"{earlier_here.number} of this return"
                )
            else:
                same = claimed.annotate(_ref=_normalised("beneficiary_reference")).filter(_ref=key)
                if claim.commitment.measure.unit in PER_PERIOD_UNITS:
                    same = same.exclude(commitment=claim.commitment)
                earlier = same.first()
                if earlier is not None:
                    where = (
                        "against this commitment, whose measure counts each beneficiary once"
                        if earlier.commitment_id == claim.commitment.pk
                        else "against another commitment"
                    )
                    errors[field_name] = (
                        f"Beneficiary reference {claim.beneficiary_reference} is already claimed on "
                        f"{_claim_label(earlier, supplier_id)}, {where}"
                    )
            seen_beneficiary.setdefault(key, claim)
    return errors


def _pledge_claim_error(claim: _Claim, exclude: QuerySet[ReturnLine]) -> str | None:
    """A pledge to a community need (evidence reference PLEDGE-<n>) counts once, against the commitment it
    was pledged against, whichever buyer or agreement the line is on."""
    from commonweal.brokerage.models import Pledge  # the wish list sits above delivery
    from commonweal.brokerage.rules import pledge_id

    number = pledge_id(claim.evidence_reference)
    if number is None:
        return None
    pledge = Pledge.objects.select_related("commitment__agreement", "commitment__measure").filter(pk=number).first()
    if pledge is None:
        return f"Evidence reference {claim.evidence_reference} names no pledge to a community need"
    if pledge.commitment_id != claim.commitment.pk:
        return (
            f"Pledge {pledge.reference} counts once, against {pledge.commitment.agreement.reference} "
            f"({pledge.commitment.measure.title}) only: it cannot be counted against another commitment"
        )
    earlier = (
        ReturnLine.objects.claimed()
        .exclude(pk__in=exclude.values("pk"))
        .annotate(_ref=_normalised("evidence_reference"))
        .filter(_ref=reference_key(claim.evidence_reference))
        .select_related("delivery_return__agreement", "delivery_return__period")
        .first()
    )
    if earlier is not None:
        return (
            f"Pledge {pledge.reference} is already counted on "
            f"{_claim_label(earlier, claim.commitment.agreement.supplier_id)}"
        )
    return None


def _buyer_lock(agreement: Agreement) -> None:
    """Serialise every claim against one buyer: the reference checks read, then write, under this lock."""
    Organisation.objects.select_for_update().filter(pk=agreement.organisation_id).get()


# --- Saving and submitting a return ----------------------------------------------------------------


def _locked_error(delivery_return: DeliveryReturn) -> ApplicationError:
    when = timezone.localtime(delivery_return.submitted_at or delivery_return.created_at)
    period = delivery_return.period.label if delivery_return.period else "this period"
    return ApplicationError(
        f"The return for {period} was submitted on {when:%-d %B %Y} and is locked: it can no longer be "
        "changed. To correct a line, answer the contract manager's query on it."
    )


def _return_summary(delivery_return: DeliveryReturn) -> dict[str, Any]:
    lines = delivery_return.lines.select_related("commitment__measure").order_by(
        "commitment__due_date", "commitment_id"
    )
    return {
        "period": delivery_return.period.label if delivery_return.period else "",
        "narrative": delivery_return.narrative,
        "lines": {line.commitment.measure.code: str(line.quantity) for line in lines},
        "evidence": ", ".join(delivery_return.evidence.values_list("original_name", flat=True)),
        "case_studies": ", ".join(delivery_return.case_studies.values_list("title", flat=True)),
    }


def _ordered_commitments(agreement: Agreement) -> dict[int, Commitment]:
    return {c.pk: c for c in agreement.commitments.select_related("measure").order_by("due_date", "id")}


def _submission_errors(delivery_return: DeliveryReturn, commitments: Mapping[int, Commitment]) -> dict[str, str]:
    """Everything a submitted return must satisfy, beyond the types a draft already passed."""
    errors: dict[str, str] = {}
    if not delivery_return.narrative.strip():
        errors["narrative"] = "Describe what was delivered in this period"
    lines = list(delivery_return.lines.all())
    if not lines:
        first = min(commitments) if commitments else 0
        errors[f"quantity_{first}"] = "Enter a quantity for at least one commitment"
    if delivery_return.period is not None and delivery_return.period.start_date > timezone.localdate():
        errors["period"] = "You can report on a period once it has started"
    for line in lines:
        if commitments[line.commitment_id].state != CommitmentState.ACTIVE:
            errors[f"quantity_{line.commitment_id}"] = (
                "This commitment has been replaced by a substitution and takes no new claims"
            )
    return errors


def _claims_for(delivery_return: DeliveryReturn) -> list[_Claim]:
    ordered = delivery_return.lines.select_related("commitment__measure").order_by(
        "commitment__due_date", "commitment_id"
    )
    return [
        _Claim(
            key=str(line.commitment_id),
            commitment=line.commitment,
            evidence_reference=line.evidence_reference,
            beneficiary_reference=line.beneficiary_reference,
            number=number,
        )
        for number, line in enumerate(ordered, start=1)
    ]


def _submit_now(*, actor: User, agreement: Agreement, delivery_return: DeliveryReturn) -> None:
    """Check the whole return and lock it. The caller holds the buyer lock and rolls back on error."""
    _submission_check(agreement=agreement, delivery_return=delivery_return)
    delivery_return.state = ReturnState.SUBMITTED
    delivery_return.submitted_at = timezone.now()
    delivery_return.submitted_by = actor
    delivery_return.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])


def _submission_check(*, agreement: Agreement, delivery_return: DeliveryReturn) -> None:
    """Everything submitting would check, without locking: raise if the return could not be submitted."""
    commitments = _ordered_commitments(agreement)
    errors = _submission_errors(delivery_return, commitments)
    errors.update(
        _claims_check(
            buyer_id=agreement.organisation_id,
            supplier_id=agreement.supplier_id,
            claims=_claims_for(delivery_return),
            exclude=ReturnLine.objects.filter(delivery_return=delivery_return),
        )
    )
    if errors:
        raise ApplicationError("There is a problem with the return.", field_errors=errors)


def _evidence_store(
    *, actor: User, delivery_return: DeliveryReturn, files: Sequence[UploadedFile], types: Sequence[FileType]
) -> list[Evidence]:
    return [
        Evidence.objects.create(
            organisation_id=delivery_return.organisation_id,
            delivery_return=delivery_return,
            file=file,
            original_name=(file.name or "evidence")[:255],
            content_type=file_type.content_type,
            size=file.size or 0,
            uploaded_by=actor,
        )
        for file, file_type in zip(files, types, strict=True)
    ]


@transaction.atomic
def return_save(
    *,
    actor: User | None,
    member: Member,
    agreement: Agreement,
    period: ReportingPeriod | None,
    lines: Mapping[int, LineInput],
    narrative: str,
    evidence: Sequence[UploadedFile] = (),
    evidence_lines: Collection[int] = (),
    line_evidence: Mapping[int, Collection[int]] | None = None,
    evidence_remove: Collection[int] = (),
    case_studies: Sequence[CaseStudyInput] = (),
    case_studies_remove: Collection[int] = (),
    submit: bool = False,
    check: bool = False,
) -> DeliveryReturn:
    """Save the supplier's return for a period as a draft, or save and submit it. With `check`, a draft is
    saved only if it could be submitted as it stands (before the supplier checks their answers).

    `lines` maps commitment ids to what is reported (a blank quantity removes the line). New `evidence`
    files support the lines of `evidence_lines` (every line when none is named); `line_evidence` maps a
    commitment id to the ids of this return's files that support its line. A draft is checked for types
    only; a submission is checked in full, including that each reference is claimed once. Nothing is
    stored unless everything passes. One audit event: the draft saved, or the return submitted.
    """
    permission_require(member, Permission.SUBMIT_RETURNS)
    person = person_require(actor, "saves and submits a return")
    supplier_require(member, agreement)
    _buyer_lock(agreement)
    if period is None:
        period = _period_default(agreement)
    elif period.agreement_id != agreement.pk:
        raise ApplicationError("Choose a period of this agreement.", field_errors={"period": "Choose a period"})
    delivery_return = DeliveryReturn.objects.select_for_update().filter(agreement=agreement, period=period).first()
    if delivery_return is not None and delivery_return.state == ReturnState.SUBMITTED:
        raise _locked_error(delivery_return)

    commitments = _ordered_commitments(agreement)
    existing_evidence = set(delivery_return.evidence.values_list("pk", flat=True)) if delivery_return else set()
    errors = _line_errors(commitments, lines)
    file_errors, file_types = _files_check(evidence, "evidence")
    errors.update(file_errors)
    for commitment_id in evidence_lines:
        if commitment_id not in commitments:
            errors["evidence_lines"] = "Choose lines of this return"
    for commitment_id, evidence_ids in (line_evidence or {}).items():
        if not set(evidence_ids) <= existing_evidence:
            errors[f"line_evidence_{commitment_id}"] = "Choose files of this return"
    if not set(evidence_remove) <= existing_evidence:
        errors["evidence_remove"] = "Choose files of this return"
    errors.update(_case_study_errors(case_studies, commitments))
    if errors:
        raise ApplicationError("There is a problem with the return.", field_errors=errors)

    stored_files: list[Evidence] = []
    try:
        delivery_return = _return_write(
            actor=person,
            agreement=agreement,
            period=period,
            delivery_return=delivery_return,
            commitments=commitments,
            lines=lines,
            narrative=narrative,
            evidence=evidence,
            file_types=file_types,
            evidence_lines=evidence_lines,
            line_evidence=line_evidence,
            evidence_remove=evidence_remove,
            case_studies=case_studies,
            case_studies_remove=case_studies_remove,
            stored_files=stored_files,
        )
        if submit:
            _submit_now(actor=person, agreement=agreement, delivery_return=delivery_return)
        elif check:
            _submission_check(agreement=agreement, delivery_return=delivery_return)
    except Exception:
        # The database rolls back; files already written to storage must go too.
        for stored in stored_files:
            stored.file.storage.delete(stored.file.name)
        raise
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action=AuditAction.RETURN_SUBMITTED if submit else AuditAction.RETURN_DRAFT_SAVED,
        target=delivery_return,
        trail=agreement,
        after=_return_summary(delivery_return),
    )
    return delivery_return


def _file_delete(storage: Any, name: str) -> Callable[[], None]:
    def delete() -> None:
        storage.delete(name)

    return delete


def _return_write(
    *,
    actor: User,
    agreement: Agreement,
    period: ReportingPeriod,
    delivery_return: DeliveryReturn | None,
    commitments: Mapping[int, Commitment],
    lines: Mapping[int, LineInput],
    narrative: str,
    evidence: Sequence[UploadedFile],
    file_types: Sequence[FileType],
    evidence_lines: Collection[int],
    line_evidence: Mapping[int, Collection[int]] | None,
    evidence_remove: Collection[int],
    case_studies: Sequence[CaseStudyInput],
    case_studies_remove: Collection[int],
    stored_files: list[Evidence],
) -> DeliveryReturn:
    if delivery_return is None:
        delivery_return = DeliveryReturn.objects.create(
            organisation_id=agreement.organisation_id,
            agreement=agreement,
            period=period,
            state=ReturnState.DRAFT,
            submitted_by=actor,
            narrative=narrative.strip(),
        )
    else:
        delivery_return.narrative = narrative.strip()
        delivery_return.save(update_fields=["narrative", "updated_at"])

    current = {line.commitment_id: line for line in delivery_return.lines.all()}
    for commitment_id, line_input in sorted(lines.items()):  # lines made in commitment order
        line = current.get(commitment_id)
        if line_input.quantity is None:
            if line is not None:
                line.delete()
                del current[commitment_id]
            continue
        values = {
            "quantity": line_input.quantity.quantize(QUANTITY_PLACES),
            "evidence_reference": reference_clean(line_input.evidence_reference),
            "beneficiary_reference": reference_clean(line_input.beneficiary_reference),
            "note": line_input.note.strip(),
        }
        if line is None:
            current[commitment_id] = ReturnLine.objects.create(
                organisation_id=agreement.organisation_id,
                delivery_return=delivery_return,
                commitment=commitments[commitment_id],
                **values,
            )
        else:
            for name, value in values.items():
                setattr(line, name, value)
            line.save(update_fields=[*values, "updated_at"])

    for removed in Evidence.objects.filter(delivery_return=delivery_return, pk__in=evidence_remove):
        removed.delete()
        # The file goes only once the removal is committed.
        transaction.on_commit(_file_delete(removed.file.storage, removed.file.name))
    for commitment_id, evidence_ids in (line_evidence or {}).items():
        if commitment_id in current:
            current[commitment_id].evidence.set([pk for pk in evidence_ids if pk not in evidence_remove])
    new_files = _evidence_store(actor=actor, delivery_return=delivery_return, files=evidence, types=file_types)
    stored_files.extend(new_files)
    supported = [current[c] for c in (evidence_lines or current) if c in current]
    for line in supported:
        line.evidence.add(*new_files)

    CaseStudy.objects.filter(delivery_return=delivery_return, pk__in=case_studies_remove).delete()
    for case in case_studies:
        CaseStudy.objects.create(
            organisation_id=agreement.organisation_id,
            delivery_return=delivery_return,
            commitment=commitments[case.commitment_id] if case.commitment_id else None,
            title=case.title.strip(),
            story=case.story.strip(),
            consent_given_by=case.consent_given_by.strip(),
            consent_date=case.consent_date or timezone.localdate(),  # checked above: never None here
        )
    return delivery_return


@transaction.atomic
def return_draft_change(
    *,
    actor: User | None,
    member: Member,
    delivery_return: DeliveryReturn,
    lines: Mapping[int, LineInput] | None = None,
    narrative: str | None = None,
    evidence: Sequence[UploadedFile] = (),
    evidence_lines: Collection[int] = (),
    case_studies: Sequence[CaseStudyInput] = (),
) -> DeliveryReturn:
    """Change this draft (not whichever return its period has): lines, narrative, files or case studies.

    A return from before reporting periods existed has no period and cannot be edited this way."""
    permission_require(member, Permission.SUBMIT_RETURNS)
    supplier_require(member, delivery_return.agreement)
    if delivery_return.period is None:
        raise ApplicationError(
            "This return was made before reporting periods existed and cannot be changed: submit a return "
            "for a period instead."
        )
    return return_save(
        actor=actor,
        member=member,
        agreement=delivery_return.agreement,
        period=delivery_return.period,
        lines=lines or {},
        narrative=delivery_return.narrative if narrative is None else narrative,
        evidence=evidence,
        evidence_lines=evidence_lines,
        case_studies=case_studies,
    )


@transaction.atomic
def return_draft_submit(*, actor: User | None, member: Member, delivery_return: DeliveryReturn) -> DeliveryReturn:
    """Submit a saved draft as it stands. The locks below are taken, and held, inside this transaction."""
    permission_require(member, Permission.SUBMIT_RETURNS)
    person = person_require(actor, "submits a return")
    agreement = delivery_return.agreement
    supplier_require(member, agreement)
    _buyer_lock(agreement)
    delivery_return = (
        DeliveryReturn.objects.select_for_update(of=("self",)).select_related("period").get(pk=delivery_return.pk)
    )
    if delivery_return.state == ReturnState.SUBMITTED:
        raise _locked_error(delivery_return)
    _submit_now(actor=person, agreement=agreement, delivery_return=delivery_return)
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action=AuditAction.RETURN_SUBMITTED,
        target=delivery_return,
        trail=agreement,
        after=_return_summary(delivery_return),
    )
    return delivery_return


def return_submit(
    *,
    actor: User | None,
    member: Member,
    agreement: Agreement,
    quantities: Mapping[int, Decimal | None],
    narrative: str,
    evidence: UploadedFile | None = None,
    period: ReportingPeriod | None = None,
    case_studies: Sequence[CaseStudyInput] = (),
) -> DeliveryReturn:
    """Submit a return in one step: quantities only, one evidence file for every line, any case studies,
    and by default the earliest period that has started and has no return. The short form of
    `return_save` for scripts."""
    permission_require(member, Permission.SUBMIT_RETURNS)
    return return_save(
        actor=actor,
        member=member,
        agreement=agreement,
        period=period,
        lines={commitment_id: LineInput(quantity=quantity) for commitment_id, quantity in quantities.items()},
        narrative=narrative,
        evidence=[evidence] if evidence is not None else [],
        case_studies=case_studies,
        submit=True,
    )


# --- Claims confirmed by someone else ---------------------------------------------------------------

PLEDGE_NARRATIVE = "Pledges to community needs, confirmed by the organisations that received them."


def _claim_periods(agreement: Agreement, on: date) -> list[ReportingPeriod]:
    """The periods that have started, the one holding `on` first, then later ones, then earlier ones."""
    started = [p for p in _periods_of(agreement) if p.start_date <= timezone.localdate()]
    holding = [p for p in started if p.start_date <= on <= p.end_date]
    later = [p for p in started if p.start_date > on]
    earlier = sorted((p for p in started if p.end_date < on), key=lambda p: p.start_date, reverse=True)
    return holding + later + earlier


@transaction.atomic
def confirmed_claim_add(
    *,
    actor: User | None,
    member: Member,
    commitment: Commitment,
    quantity: Decimal,
    evidence_reference: str,
    note: str,
    on: date,
    reported_by: User,
) -> ReturnLine:
    """A delivery confirmed by the organisation that received it (a pledge to a community need) becomes a
    claimed line on the supplier's return for `commitment`: in the period holding `on` (or the nearest
    started period whose return is not a draft and has no line for the commitment yet), awaiting the
    contract manager's verification. The count-once rule applies as to any claim.

    Called by the wish list for the recipient (`POST_NEEDS`), which has checked the pledge is theirs."""
    permission_require(member, Permission.POST_NEEDS)
    agreement = commitment.agreement
    _buyer_lock(agreement)
    commitment = Commitment.objects.select_related("measure", "agreement").get(pk=commitment.pk)
    if commitment.state != CommitmentState.ACTIVE:
        raise ApplicationError("This commitment has been replaced by a substitution and takes no new claims.")
    if message := _quantity_error(quantity):
        raise ApplicationError(message + ".")
    claim = _Claim(
        key="", commitment=commitment, evidence_reference=evidence_reference, beneficiary_reference="", number=1
    )
    errors = _claims_check(
        buyer_id=agreement.organisation_id,
        supplier_id=agreement.supplier_id,
        claims=[claim],
        exclude=ReturnLine.objects.none(),
    )
    if errors:
        raise ApplicationError(next(iter(errors.values())) + ".")
    for period in _claim_periods(agreement, on):
        delivery_return = DeliveryReturn.objects.select_for_update().filter(agreement=agreement, period=period).first()
        if delivery_return is not None and (
            delivery_return.state == ReturnState.DRAFT or delivery_return.lines.filter(commitment=commitment).exists()
        ):
            continue
        if delivery_return is None:
            delivery_return = DeliveryReturn.objects.create(
                organisation_id=agreement.organisation_id,
                agreement=agreement,
                period=period,
                state=ReturnState.SUBMITTED,
                submitted_by=reported_by,
                submitted_at=timezone.now(),
                narrative=PLEDGE_NARRATIVE,
            )
        line = ReturnLine.objects.create(
            organisation_id=agreement.organisation_id,
            delivery_return=delivery_return,
            commitment=commitment,
            quantity=quantity.quantize(QUANTITY_PLACES),
            evidence_reference=reference_clean(evidence_reference),
            note=note.strip(),
        )
        audit_record(
            actor=actor,
            organisation=agreement.organisation,
            action=AuditAction.RETURN_SUBMITTED,
            target=delivery_return,
            trail=agreement,
            after=_return_summary(delivery_return),
        )
        return line
    raise ApplicationError(
        f"Every reporting period of {agreement.reference} that has started already has a line for this "
        "commitment, or a draft return: the supplier reports it on its next return."
    )


# --- Review and answers ----------------------------------------------------------------------------

REVIEW_DECISIONS = {
    LineStatus.VERIFIED: LineEventKind.VERIFY,
    LineStatus.REJECTED: LineEventKind.REJECT,
    LineStatus.QUERIED: LineEventKind.QUERY,
}
REVIEW_ACTIONS = {
    LineStatus.VERIFIED: AuditAction.RETURN_LINE_VERIFIED,
    LineStatus.REJECTED: AuditAction.RETURN_LINE_REJECTED,
    LineStatus.QUERIED: AuditAction.RETURN_LINE_QUERIED,
}


def _decision_check(decision: str, reason: str) -> str:
    """The decision is one of verify, reject or query; a rejection and a query say why. The reason, trimmed."""
    if decision not in REVIEW_DECISIONS:
        raise ApplicationError(
            "Choose whether to verify, reject or query",
            field_errors={"decision": "Choose verify, reject or query"},
        )
    reason = reason.strip()
    if decision == LineStatus.REJECTED and not reason:
        raise ApplicationError(
            "Give the reason for rejecting",
            field_errors={"reason": "Enter the reason for rejecting this line"},
        )
    if decision == LineStatus.QUERIED and not reason:
        raise ApplicationError(
            "Ask the supplier a question",
            field_errors={"reason": "Enter the question for the supplier"},
        )
    return reason


def _line_decide(
    *, actor: User | None, person: User, member: Member, line: ReturnLine, decision: str, reason: str
) -> None:
    """Record one decision on a line the caller has locked: the line, its conversation, the audit log."""
    agreement = line.delivery_return.agreement
    buyer_require(member, agreement)
    if line.delivery_return.state != ReturnState.SUBMITTED:
        raise ApplicationError("This line is on a draft return: it can be reviewed once it is submitted.")
    if line.status not in (LineStatus.PENDING, LineStatus.QUERIED):
        raise ApplicationError(f"This line has already been reviewed: it is {line.get_status_display().lower()}.")
    before = snapshot(line, LINE_FIELDS)
    line.status = decision
    line.reason = reason
    line.reviewed_by = person
    line.reviewed_at = timezone.now()
    line.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at", "updated_at"])
    ReturnLineEvent.objects.create(
        organisation_id=agreement.organisation_id,
        line=line,
        kind=REVIEW_DECISIONS[LineStatus(decision)],
        text=reason,
        actor=person,
    )
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action=REVIEW_ACTIONS[LineStatus(decision)],
        target=line,
        trail=agreement,
        before=before,
        after=snapshot(line, LINE_FIELDS),
    )


@transaction.atomic
def return_line_review(
    *, actor: User | None, member: Member, line: ReturnLine, decision: str, reason: str
) -> ReturnLine:
    """The contract manager verifies, rejects (with a reason) or queries (with a question) one line.

    A line awaiting verification or queried can be decided; a verified or rejected line is settled.
    """
    permission_require(member, Permission.MANAGE_CONTRACTS)
    person = person_require(actor, "reviews a return line")
    # Lock the line so that two managers (or a manager and the supplier answering) cannot act at once.
    line = (
        ReturnLine.objects.select_for_update()
        .select_related("delivery_return__agreement", "commitment__measure")
        .get(pk=line.pk)
    )
    buyer_require(member, line.delivery_return.agreement)
    reason = _decision_check(decision, reason)
    _line_decide(actor=actor, person=person, member=member, line=line, decision=decision, reason=reason)
    return line


# How many lines one bulk review may decide: a return has one line per commitment, so this is generous.
BULK_REVIEW_MAX = 500


@transaction.atomic
def return_lines_review(
    *, actor: User | None, member: Member, line_ids: Sequence[int], decision: str, reason: str = ""
) -> list[ReturnLine]:
    """Decide many lines at once (verify all that are evidenced, or the API's bulk review): all or nothing.

    Every line must be one of the buyer's, on a submitted return, awaiting verification or queried; if any is
    not, nothing changes and the error names the line. Each decision is recorded as if made one by one.
    """
    permission_require(member, Permission.MANAGE_CONTRACTS)
    person = person_require(actor, "reviews return lines")
    ids = list(dict.fromkeys(int(pk) for pk in line_ids))
    if not ids:
        raise ApplicationError("Choose at least one line", field_errors={"lines": "Choose at least one line"})
    if len(ids) > BULK_REVIEW_MAX:
        raise ApplicationError(f"Review at most {BULK_REVIEW_MAX} lines at once")
    reason = _decision_check(decision, reason)
    # Locked in id order, so two bulk reviews of overlapping lines cannot deadlock.
    lines = {
        line.pk: line
        for line in ReturnLine.objects.select_for_update(of=("self",))
        .select_related("delivery_return__agreement__organisation", "delivery_return__period", "commitment__measure")
        .filter(pk__in=ids, delivery_return__agreement__organisation=member.organisation)
        .order_by("pk")
    }
    if any(pk not in lines for pk in ids):
        # Another organisation's line is answered as one that does not exist: a 404, and nothing changes.
        raise Http404("No such return line.")
    for pk in ids:
        line = lines[pk]
        try:
            _line_decide(actor=actor, person=person, member=member, line=line, decision=decision, reason=reason)
        except ApplicationError as error:
            where = (
                line.delivery_return.period.label
                if line.delivery_return.period
                else f"return {line.delivery_return_id}"
            )
            raise ApplicationError(
                f"{line.commitment.measure.title} ({where}, line {pk}): {error.message} Nothing was changed."
            ) from None
    return [lines[pk] for pk in ids]


ANSWER_FIELDS = [*LINE_FIELDS, "evidence_reference", "beneficiary_reference"]


@transaction.atomic
def return_line_answer(
    *,
    actor: User | None,
    member: Member,
    line: ReturnLine,
    answer: str,
    quantity: Decimal | None = None,
    evidence_reference: str | None = None,
    beneficiary_reference: str | None = None,
    evidence: Sequence[UploadedFile] = (),
) -> ReturnLine:
    """The supplier answers a queried or rejected line and resubmits it: it awaits verification again.

    The quantity and references may be revised (None keeps them) and more evidence attached to the line.
    Re-claiming is checked like a submission: each reference counts once.
    """
    permission_require(member, Permission.SUBMIT_RETURNS)
    person = person_require(actor, "answers a query")
    agreement = line.delivery_return.agreement
    supplier_require(member, agreement)
    _buyer_lock(agreement)
    line = (
        ReturnLine.objects.select_for_update()
        .select_related("delivery_return__agreement", "commitment__measure")
        .get(pk=line.pk)
    )
    if line.status not in (LineStatus.QUERIED, LineStatus.REJECTED):
        raise ApplicationError(
            f"Only a queried or rejected line can be answered: this line is {line.get_status_display().lower()}."
        )
    errors: dict[str, str] = {}
    answer = answer.strip()
    if not answer:
        errors["answer"] = "Enter your answer to the contract manager"
    if quantity is not None and (message := _quantity_error(quantity)):
        errors["quantity"] = message
    for name, value in (("evidence_reference", evidence_reference), ("beneficiary_reference", beneficiary_reference)):
        if value is not None and len(reference_clean(value)) > REFERENCE_MAX:
            errors[name] = f"Enter a reference of {REFERENCE_MAX} characters or fewer"
    if line.status == LineStatus.REJECTED and line.commitment.state != CommitmentState.ACTIVE:
        errors["answer"] = "This commitment has been replaced by a substitution and takes no new claims"
    file_errors, file_types = _files_check(evidence, "evidence")
    errors.update(file_errors)
    if errors:
        raise ApplicationError("There is a problem with the answer.", field_errors=errors)

    before = snapshot(line, ANSWER_FIELDS)
    quantity_before = line.quantity
    if quantity is not None:
        line.quantity = quantity.quantize(QUANTITY_PLACES)
    if evidence_reference is not None:
        line.evidence_reference = reference_clean(evidence_reference)
    if beneficiary_reference is not None:
        line.beneficiary_reference = reference_clean(beneficiary_reference)
    claim_errors = _claims_check(
        buyer_id=agreement.organisation_id,
        supplier_id=agreement.supplier_id,
        claims=[
            _Claim(
                key="",
                commitment=line.commitment,
                evidence_reference=line.evidence_reference,
                beneficiary_reference=line.beneficiary_reference,
                number=line_number(line),
            )
        ],
        exclude=ReturnLine.objects.filter(pk=line.pk),
    )
    if claim_errors:
        # Keys come back as "evidence_reference_" (no commitment id): the answer form's field names.
        raise ApplicationError(
            "There is a problem with the answer.",
            field_errors={key.rstrip("_"): message for key, message in claim_errors.items()},
        )
    line.status = LineStatus.PENDING
    line.reason = ""
    line.reviewed_by = None
    line.reviewed_at = None
    line.save()
    new_files = _evidence_store(actor=person, delivery_return=line.delivery_return, files=evidence, types=file_types)
    line.evidence.add(*new_files)
    ReturnLineEvent.objects.create(
        organisation_id=agreement.organisation_id,
        line=line,
        kind=LineEventKind.ANSWER,
        text=answer,
        quantity_before=quantity_before,
        quantity_after=line.quantity,
        actor=person,
    )
    after = snapshot(line, ANSWER_FIELDS)
    if new_files:
        after["evidence"] = ", ".join(file.original_name for file in new_files)
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action=AuditAction.RETURN_LINE_ANSWERED,
        target=line,
        trail=agreement,
        before=before,
        after={**after, "answer": answer},
    )
    return line


# --- Many returns from one CSV ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


class BulkReturnError(ApplicationError):
    """The CSV was refused as a whole; `rows` says which lines were wrong and why."""

    def __init__(self, message: str, *, rows: Sequence[RowError], field_errors: Mapping[str, str] | None = None):
        super().__init__(message, field_errors=field_errors)
        self.rows = list(rows)


@dataclass(frozen=True)
class BulkSaved:
    agreement_reference: str
    buyer: str
    period: str
    state: str  # "draft", "submitted" or "unchanged"
    lines: int


@dataclass
class _Group:
    agreement: Agreement
    period: ReportingPeriod
    rows: dict[int, tuple[int, LineInput]] = field(default_factory=dict)  # commitment id → (CSV line, input)


def _column(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


def _date_parse(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            # A calendar date, with no time of day: no time zone applies to it.
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _period_find(periods: Sequence[ReportingPeriod], text: str) -> ReportingPeriod | None:
    """A period by its start date, its full label ("Quarter 1 (April to June 2026)") or short label ("Quarter 1")."""
    day = _date_parse(text)
    wanted = " ".join(text.split()).lower()
    for period in periods:
        if day is not None and period.start_date == day:
            return period
        if wanted in (period.label.lower(), period.label.split(" (")[0].lower()):
            return period
    return None


def _bulk_rows(
    member: Member, file: UploadedFile
) -> tuple[list[RowError], dict[tuple[int, int], _Group], list[tuple[int, dict[str, str]]]]:
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(
            "The file is not UTF-8 text.", field_errors={"returns_csv": "Save the CSV file as UTF-8 and try again"}
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = [_column(name) for name in next(reader, [])]
    missing = [name for name in BULK_REQUIRED_COLUMNS if name not in header]
    if missing:
        message = "The file has no column " + ", ".join(missing) + " (download the template to see the columns)"
        raise ApplicationError(message + ".", field_errors={"returns_csv": message})
    errors: list[RowError] = []
    raw_rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        values = {name: (row[index].strip() if index < len(row) else "") for index, name in enumerate(header)}
        raw_rows.append((reader.line_num, values))
    if not raw_rows:
        raise ApplicationError("The file has no rows.", field_errors={"returns_csv": "The file has no rows to import"})

    agreements = list(
        Agreement.objects.filter(supplier=member.organisation).select_related("organisation").order_by("pk")
    )
    periods: dict[int, list[ReportingPeriod]] = {}
    commitments: dict[int, list[Commitment]] = {}
    groups: dict[tuple[int, int], _Group] = {}
    for number, values in raw_rows:
        buyer = values.get("buyer", "").lower()
        agreement = next(
            (
                a
                for a in agreements
                if a.reference.lower() == values.get("agreement_reference", "").lower()
                and buyer in (a.organisation.slug.lower(), a.organisation.name.lower())
            ),
            None,
        )
        if agreement is None:
            errors.append(
                RowError(
                    number,
                    f"You have no agreement {values.get('agreement_reference') or '(blank)'} with the buyer "
                    f"{values.get('buyer') or '(blank)'}",
                )
            )
            continue
        if agreement.pk not in periods:
            periods[agreement.pk] = _periods_of(agreement)
            commitments[agreement.pk] = list(agreement.commitments.select_related("measure").order_by("pk"))
        period = _period_find(periods[agreement.pk], values.get("period", ""))
        if period is None:
            errors.append(
                RowError(
                    number,
                    f"{agreement.reference} has no period {values.get('period') or '(blank)'}: give its start date "
                    "(like 2026-04-01) or its label (like Quarter 1)",
                )
            )
            continue
        code = values.get("measure_code", "").lower()
        matching = [
            c for c in commitments[agreement.pk] if c.measure.code.lower() == code and c.state == CommitmentState.ACTIVE
        ]
        if len(matching) != 1:
            errors.append(
                RowError(
                    number,
                    f"{agreement.reference} has no active commitment to the measure {values.get('measure_code')}"
                    if not matching
                    else f"{agreement.reference} has more than one active commitment to the measure "
                    f"{values.get('measure_code')}: report them on the return page",
                )
            )
            continue
        commitment = matching[0]
        raw_quantity = values.get("quantity") or ""
        try:
            quantity: Decimal | None = Decimal(raw_quantity.replace(",", "")) if raw_quantity else None
        except InvalidOperation:
            quantity = None
        problem = "Enter the quantity as a number, like 12 or 3.5" if quantity is None else _quantity_error(quantity)
        if problem:
            errors.append(RowError(number, f"{problem} (the quantity is “{raw_quantity[:40]}”)"))
            continue
        group = groups.setdefault((agreement.pk, period.pk), _Group(agreement=agreement, period=period))
        if commitment.pk in group.rows:
            errors.append(
                RowError(
                    number,
                    f"{agreement.reference}, {period.label}, {commitment.measure.code} is already on line "
                    f"{group.rows[commitment.pk][0]}",
                )
            )
            continue
        too_long = [
            name
            for name in ("evidence_reference", "beneficiary_reference")
            if len(reference_clean(values.get(name, ""))) > REFERENCE_MAX
        ]
        if too_long:
            errors.append(RowError(number, f"The {too_long[0].replace('_', ' ')} is longer than {REFERENCE_MAX}"))
            continue
        group.rows[commitment.pk] = (
            number,
            LineInput(
                quantity=quantity,
                evidence_reference=values.get("evidence_reference", ""),
                beneficiary_reference=values.get("beneficiary_reference", ""),
                note=values.get("note", ""),
            ),
        )
    return errors, groups, raw_rows


def _periods_of(agreement: Agreement) -> list[ReportingPeriod]:
    periods = list(agreement.periods.order_by("start_date"))
    # An agreement made before its periods were gets them with its first return.
    return periods or periods_make(agreement)


def _same_as_submitted(delivery_return: DeliveryReturn, group: _Group) -> bool:
    lines = {line.commitment_id: line for line in delivery_return.lines.all()}
    for commitment_id, (_, line_input) in group.rows.items():
        line = lines.get(commitment_id)
        if (
            line is None
            or line_input.quantity is None
            or line.quantity != line_input.quantity.quantize(QUANTITY_PLACES)
        ):
            return False
        if reference_key(line.evidence_reference) != reference_key(line_input.evidence_reference):
            return False
        if reference_key(line.beneficiary_reference) != reference_key(line_input.beneficiary_reference):
            return False
    return True


@transaction.atomic
def returns_import(*, actor: User | None, member: Member, file: UploadedFile, submit: bool) -> list[BulkSaved]:
    """Save (or submit) the returns one CSV describes, across agreements and buyers: all or nothing.

    Rows for a period whose return is already submitted with the same figures are left as they are, so
    importing the same file again changes nothing. Each refused row is reported with its line number.
    """
    permission_require(member, Permission.SUBMIT_RETURNS)
    upload_check(file, types=CSV_TYPES, max_bytes=settings.EVIDENCE_MAX_BYTES, field="returns_csv")
    errors, groups, _ = _bulk_rows(member, file)
    saved: list[BulkSaved] = []
    # Buyers are locked in a fixed order (by id), so two uploads at once cannot wait on each other.
    for group in sorted(groups.values(), key=lambda g: (g.agreement.organisation_id, g.agreement.pk, g.period.pk)):
        agreement, period = group.agreement, group.period
        existing = DeliveryReturn.objects.filter(agreement=agreement, period=period).first()
        first_line = min(number for number, _ in group.rows.values())
        if existing is not None and existing.state == ReturnState.SUBMITTED:
            if _same_as_submitted(existing, group):
                saved.append(BulkSaved(agreement.reference, agreement.organisation.name, period.label, "unchanged", 0))
            else:
                errors.append(
                    RowError(
                        first_line,
                        f"The return for {agreement.reference}, {period.label} has already been submitted and is "
                        "locked: answer the contract manager's queries on its lines instead",
                    )
                )
            continue
        lines = {
            line.commitment_id: LineInput(
                quantity=line.quantity,
                evidence_reference=line.evidence_reference,
                beneficiary_reference=line.beneficiary_reference,
                note=line.note,
            )
            for line in (existing.lines.all() if existing else [])
        }
        lines.update({commitment_id: line_input for commitment_id, (_, line_input) in group.rows.items()})
        narrative = (existing.narrative if existing else "") or (
            f"Reported in the CSV file {file.name} on {timezone.localdate():%-d %B %Y}."
        )
        try:
            with transaction.atomic():
                delivery_return = return_save(
                    actor=actor,
                    member=member,
                    agreement=agreement,
                    period=period,
                    lines=lines,
                    narrative=narrative,
                    submit=submit,
                )
        except ApplicationError as error:
            for key, message in error.field_errors.items():
                commitment_id = int(key.rsplit("_", 1)[1]) if key.rsplit("_", 1)[-1].isdigit() else None
                row = group.rows.get(commitment_id) if commitment_id is not None else None
                errors.append(RowError(row[0] if row else first_line, message))
            if not error.field_errors:
                errors.append(RowError(first_line, error.message))
            continue
        saved.append(
            BulkSaved(
                agreement.reference,
                agreement.organisation.name,
                period.label,
                delivery_return.state,
                len(group.rows),
            )
        )
    if errors:
        errors.sort(key=lambda error: error.line)
        count = len(errors)
        raise BulkReturnError(
            f"The file was not imported: {count} row{'s' if count != 1 else ''} "
            f"{'have' if count != 1 else 'has'} a problem. Nothing was saved.",
            rows=errors,
            field_errors={"returns_csv": "Correct the rows listed and upload the file again"},
        )
    return saved
