"""Writes for agreements, commitments (on a page or from a file) and substitutions. All audited.
Creating an agreement, or changing its dates or return frequency, makes its reporting periods
(`services_returns.periods_make`), so that pages only read them.

Every public service here takes the acting `member` and requires its permission first: the buyer's
contract managers (`MANAGE_CONTRACTS`) change agreements and commitments and decide on substitutions;
the supplier's contacts (`SUBMIT_RETURNS`) propose them. The agreement must also be the member's
organisation's, as buyer or supplier (`rules.py`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.dates import date_window_error
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.core.uploads import EVIDENCE_TYPES, upload_check
from commonweal.frameworks.models import FrameworkVersion, Measure, ValueSet
from commonweal.frameworks.services_priorities import GSS_CODE
from commonweal.tenancy.models import Department, Membership, Organisation, OrganisationKind, Role
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .commitments_import import ImportRow, commitment_rows_read
from .models import (
    PRO_RATA_KINDS,
    QUANTITY_PLACES,
    Agreement,
    AgreementKind,
    Commitment,
    CommitmentMilestone,
    CommitmentSource,
    CommitmentState,
    LineStatus,
    ReturnFrequency,
    ReturnLine,
    ReturnState,
    Substitution,
    SubstitutionState,
)
from .periods import PERIODS_MAX, period_count
from .rules import buyer_require, person_require, supplier_require
from .selectors_agreements import commitment_removal_problem, substitution_comparison
from .services_returns import periods_make

MAX_AMOUNT = Decimal("1e12")  # money and quantities hold 14 digits, 2 after the point
MAX_DAYS = 365  # return due and escalation days: more than a year is a typing mistake
AGREEMENT_DEFAULT_DAYS = 14  # the model's default for return due and escalation days
# Who may be the other party: a supplier or a community organisation (a VCSE, which may bid and win a
# contract as well as hold a grant; decision 0009).
PARTY_KINDS: dict[str, set[str]] = {
    kind: {OrganisationKind.SUPPLIER, OrganisationKind.COMMUNITY} for kind in AgreementKind.values
}
AGREEMENT_AUDIT_FIELDS = [
    "kind",
    "reference",
    "title",
    "supplier",
    "value",
    "start_date",
    "end_date",
    "department",
    "framework_version",
    "value_set",
    "return_frequency",
    "return_due_days",
    "escalation_days",
    "contract_manager",
    "called_off_value",
]
COMMITMENT_AUDIT_FIELDS = [
    "measure",
    "target_quantity",
    "due_date",
    "place_code",
    "beneficiary_group",
    "source",
    "state",
]
SUBSTITUTION_AUDIT_FIELDS = [
    "need",
    "commitment",
    "proposed_measure",
    "proposed_quantity",
    "pledge",
    "reason",
    "original_net_value",
    "proposed_net_value",
    "state",
    "decision_reason",
    "replacement",
]

if TYPE_CHECKING:
    from commonweal.brokerage.models import Need


@dataclass(frozen=True)
class MilestoneInput:
    """By `due_date`, `cumulative_quantity` should have been delivered in all."""

    due_date: date
    cumulative_quantity: Decimal


def _amount_error(amount: Decimal | None, what: str, *, positive: bool) -> str:
    """Why `amount` cannot be stored as a 2-place decimal, or "" if it can."""
    if amount is None or not amount.is_finite():
        return f"Enter the {what} as a number"
    if positive and amount <= 0:
        return f"The {what} must be more than 0"
    if amount < 0:
        return f"The {what} must be 0 or more"
    if amount >= MAX_AMOUNT:
        return f"Enter a smaller {what}"
    if amount != amount.quantize(QUANTITY_PLACES):
        return f"Enter the {what} with no more than 2 decimal places"
    return ""


def _refuse(errors: dict[str, str], fallback: str) -> None:
    """Raise one ApplicationError carrying every field's message, if there are any."""
    if errors:
        message = " ".join(f"{text}." for text in dict.fromkeys(errors.values()))
        raise ApplicationError(message or fallback, field_errors=errors)


def is_contract_manager(*, organisation: Organisation, user: Any) -> bool:
    return Membership.objects.filter(organisation=organisation, user=user, role=Role.CONTRACT_MANAGER).exists()


# --- Agreements ------------------------------------------------------------------------------------


def agreement_errors(
    *,
    organisation: Organisation,
    values: dict[str, Any],
    agreement: Agreement | None = None,
) -> dict[str, str]:
    """Every problem with an agreement's `values` (all its fields), by field. `agreement` is the one
    being changed, if any: some changes are refused once it has commitments or returns."""
    errors = {
        **_naming_errors(organisation, values, agreement),
        **_party_errors(values),
        **_value_errors(values),
        **_date_errors(values),
        **_framework_errors(organisation, values),
        **_reporting_errors(values),
        **_manager_errors(organisation, values),
    }
    if problem := _called_off_error(values, value_valid="value" not in errors):
        errors["called_off_value"] = problem
    if agreement is not None:
        errors.update(_change_errors(agreement, values))
    return errors


def _naming_errors(organisation: Organisation, values: dict[str, Any], agreement: Agreement | None) -> dict[str, str]:
    """The kind, the reference (unique within the buyer) and the title."""
    errors: dict[str, str] = {}
    kind = values["kind"]
    if kind not in AgreementKind.values:
        errors["kind"] = "Choose the kind of agreement"
    reference = values["reference"]
    if not reference:
        errors["reference"] = "Enter the agreement’s reference"
    elif len(reference) > Agreement._meta.get_field("reference").max_length:  # type: ignore[operator]
        errors["reference"] = "The reference must be 60 characters or fewer"
    else:
        same = Agreement.objects.filter(organisation=organisation, reference=reference)
        if agreement is not None:
            same = same.exclude(pk=agreement.pk)
        if same.exists():
            errors["reference"] = f"An agreement with the reference {reference} already exists"
    title = values["title"]
    if not title:
        errors["title"] = "Enter the agreement’s title"
    elif len(title) > 300:
        errors["title"] = "The title must be 300 characters or fewer"
    return errors


def _party_errors(values: dict[str, Any]) -> dict[str, str]:
    """The other party: a supplier, or for a grant a community organisation too."""
    kind = values["kind"]
    supplier: Organisation | None = values["supplier"]
    if supplier is None:
        return {"supplier": "Choose the supplier"}
    if supplier.kind not in PARTY_KINDS.get(kind, {OrganisationKind.SUPPLIER}):
        return {"supplier": f"{supplier} is not a supplier or a community organisation"}
    return {}


def _value_errors(values: dict[str, Any]) -> dict[str, str]:
    value: Decimal | None = values["value"]
    if value is not None and value.is_finite() and value < 0:
        return {"value": "The contract value must be £0 or more"}
    if problem := _amount_error(value, "contract value", positive=False):
        return {"value": problem}
    return {}


def _date_errors(values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    start, end = values["start_date"], values["end_date"]
    if start is None:
        errors["start_date"] = "Enter the start date"
    elif message := date_window_error(start, name="The start date"):
        errors["start_date"] = message
    if end is None:
        errors["end_date"] = "Enter the end date"
    elif message := date_window_error(end, name="The end date"):
        errors["end_date"] = message
    elif start is not None and end < start:
        errors["end_date"] = "The end date must be on or after the start date"
    elif "start_date" not in errors and (count := period_count(start, end, values["return_frequency"])) > PERIODS_MAX:
        errors["end_date"] = (
            f"These dates make {count} reporting periods; an agreement can have at most {PERIODS_MAX}. "
            "Choose a less frequent return or an earlier end date"
        )
    return errors


def _framework_errors(organisation: Organisation, values: dict[str, Any]) -> dict[str, str]:
    """A published framework version of the buyer's, and optionally a value set of its own."""
    errors: dict[str, str] = {}
    version: FrameworkVersion | None = values["framework_version"]
    if version is None:
        errors["framework_version"] = "Choose the framework version"
    elif version.organisation_id != organisation.pk:
        errors["framework_version"] = "The framework version belongs to another organisation"
    elif not version.is_published:
        errors["framework_version"] = "An agreement can only use a published framework version"
    value_set: ValueSet | None = values["value_set"]
    if value_set is not None and value_set.organisation_id != organisation.pk:
        errors["value_set"] = "The value set belongs to another organisation"
    return errors


def _reporting_errors(values: dict[str, Any]) -> dict[str, str]:
    """How often returns are due, how long the supplier has to send one and when to escalate."""
    errors: dict[str, str] = {}
    if values["return_frequency"] not in ReturnFrequency.values:
        errors["return_frequency"] = "Choose how often the supplier sends a return"
    for name, what in (("return_due_days", "days to send a return"), ("escalation_days", "days before escalating")):
        days = values[name]
        if days is None or not 0 <= days <= MAX_DAYS:
            errors[name] = f"Enter the {what} as a whole number from 0 to {MAX_DAYS}"
    return errors


def _manager_errors(organisation: Organisation, values: dict[str, Any]) -> dict[str, str]:
    """The department and the named contract manager, who must be one of the buyer's."""
    errors: dict[str, str] = {}
    department = values["department"]
    if department is not None and department.organisation_id != organisation.pk:
        errors["department"] = f"{department} is not a department of {organisation}"
    manager = values["contract_manager"]
    if manager is not None and not is_contract_manager(organisation=organisation, user=manager):
        errors["contract_manager"] = f"{manager} is not a contract manager at {organisation}"
    return errors


def _called_off_error(values: dict[str, Any], *, value_valid: bool) -> str:
    """Why the called-off value cannot stand, or "": only a call-off has one, and no more than its value."""
    called_off: Decimal | None = values["called_off_value"]
    if called_off is None:
        return ""
    if values["kind"] not in PRO_RATA_KINDS:
        return "Only a call-off under a framework has a called-off value: leave it blank"
    if problem := _amount_error(called_off, "called-off value", positive=False):
        return problem
    value: Decimal | None = values["value"]
    if value is not None and value_valid and called_off > value:
        return f"The called-off value cannot be more than the agreement’s value (£{value:,.2f})"
    return ""


def _change_errors(agreement: Agreement, values: dict[str, Any]) -> dict[str, str]:
    """Changes refused because of what the agreement already holds."""
    errors: dict[str, str] = {}
    has_commitments = agreement.commitments.exists()
    version = values["framework_version"]
    if version is not None and version.pk != agreement.framework_version_id and has_commitments:
        errors["framework_version"] = (
            "The framework version cannot change once the agreement has commitments: their measures belong to it"
        )
    supplier = values["supplier"]
    if (
        supplier is not None
        and supplier.pk != agreement.supplier_id
        and (agreement.returns.exists() or agreement.substitutions.exists())
    ):
        errors["supplier"] = "The supplier cannot change once it has sent returns or proposed substitutions"
    # Checked only when the dates change, so that other changes are not held up by an old commitment.
    end = values["end_date"] if values["end_date"] != agreement.end_date else None
    start = values["start_date"] if values["start_date"] != agreement.start_date else None
    dates = agreement.commitments.order_by("due_date").values_list("due_date", flat=True)
    last, first = dates.last(), dates.first()
    if end is not None and last is not None and end < last:
        errors.setdefault(
            "end_date", f"The end date must be on or after the last commitment’s due date ({last:%-d %B %Y})"
        )
    if start is not None and first is not None and start > first:
        errors.setdefault(
            "start_date", f"The start date must be on or before the first commitment’s due date ({first:%-d %B %Y})"
        )
    return errors


def agreement_values(agreement: Agreement) -> dict[str, Any]:
    """An agreement's current values, as `agreement_errors` and `agreement_update` take them."""
    return {
        "kind": agreement.kind,
        "reference": agreement.reference,
        "title": agreement.title,
        "supplier": agreement.supplier,
        "value": agreement.value,
        "start_date": agreement.start_date,
        "end_date": agreement.end_date,
        "department": agreement.department,
        "framework_version": agreement.framework_version,
        "value_set": agreement.value_set,
        "return_frequency": agreement.return_frequency,
        "return_due_days": agreement.return_due_days,
        "escalation_days": agreement.escalation_days,
        "contract_manager": agreement.contract_manager,
        "called_off_value": agreement.called_off_value,
    }


AGREEMENTS_BULK_MAX = 100


@transaction.atomic
def agreements_create_bulk(
    *, actor: User | None, member: Member, rows: Sequence[dict[str, Any] | ApplicationError]
) -> list[Agreement]:
    """Many agreements at once, all or nothing: each row as `agreement_create` takes it (or the error its
    fields already had). Every row is tried, so the refusal names every problem, keyed `<row>.<field>`;
    one refused row leaves nothing created. One audit event per agreement created, as one at a time."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    if not rows:
        raise ApplicationError("Send at least one agreement.", field_errors={"agreements": "Send at least one"})
    if len(rows) > AGREEMENTS_BULK_MAX:
        raise ApplicationError(
            f"Send at most {AGREEMENTS_BULK_MAX} agreements at once.",
            field_errors={"agreements": f"At most {AGREEMENTS_BULK_MAX}"},
        )
    created: list[Agreement] = []
    errors: dict[str, str] = {}
    for index, row in enumerate(rows):
        try:
            if isinstance(row, ApplicationError):
                raise row
            created.append(agreement_create(actor=actor, member=member, **row))
        except ApplicationError as error:
            problems = error.field_errors or {"non_field_errors": error.message}
            errors.update({f"{index}.{name}": message for name, message in problems.items()})
    if errors:
        raise ApplicationError(
            f"{len({key.split('.')[0] for key in errors})} of the {len(rows)} agreements have problems: "
            "nothing was created.",
            field_errors=errors,
        )
    return created


@transaction.atomic
def agreement_create(
    *,
    actor: User | None,
    member: Member,
    supplier: Organisation | None,
    reference: str,
    title: str,
    value: Decimal | None,
    start_date: date | None,
    end_date: date | None,
    framework_version: FrameworkVersion | None,
    contract_manager: User | None = None,
    kind: str = AgreementKind.CONTRACT,
    department: Department | None = None,
    value_set: ValueSet | None = None,
    return_frequency: str = ReturnFrequency.QUARTERLY,
    return_due_days: int | None = AGREEMENT_DEFAULT_DAYS,
    escalation_days: int | None = AGREEMENT_DEFAULT_DAYS,
    called_off_value: Decimal | None = None,
) -> Agreement:
    """A new agreement of the member's organisation (the buyer) with `supplier`, and its reporting periods.

    Every problem is reported at once, by field."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    organisation = member.organisation
    values: dict[str, Any] = {
        "kind": kind,
        "reference": reference.strip(),
        "title": title.strip(),
        "supplier": supplier,
        "value": value,
        "start_date": start_date,
        "end_date": end_date,
        "department": department,
        "framework_version": framework_version,
        "value_set": value_set,
        "return_frequency": return_frequency,
        "return_due_days": return_due_days,
        "escalation_days": escalation_days,
        "contract_manager": contract_manager,
        "called_off_value": called_off_value,
    }
    _refuse(agreement_errors(organisation=organisation, values=values), "")
    agreement = Agreement.objects.create(organisation=organisation, **values)
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.AGREEMENT_CREATED,
        target=agreement,
        after=snapshot(agreement, AGREEMENT_AUDIT_FIELDS),
    )
    periods_make(agreement)
    return agreement


AGREEMENT_CHANGEABLE = set(AGREEMENT_AUDIT_FIELDS)
# Changing these changes the reporting periods, which are made again for the new dates.
PERIOD_FIELDS = {"start_date", "end_date", "return_frequency", "return_due_days"}


@transaction.atomic
def agreement_update(*, actor: User | None, member: Member, agreement: Agreement, **changes: Any) -> Agreement:
    """Change any of an agreement's fields (those not given stay as they are); audited with before and after.
    The called-off value of a call-off is changed here too. A change of dates or frequency makes the
    reporting periods again."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    unknown = set(changes) - AGREEMENT_CHANGEABLE
    if unknown:
        raise ApplicationError(f"These are not fields of an agreement: {', '.join(sorted(unknown))}.")
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    buyer_require(member, agreement)
    values = {**agreement_values(agreement), **changes}
    for name in ("reference", "title"):
        values[name] = (values[name] or "").strip()
    if values["kind"] not in PRO_RATA_KINDS and "called_off_value" not in changes:
        values["called_off_value"] = None  # a call-off changed to another kind keeps no called-off value
    _refuse(agreement_errors(organisation=agreement.organisation, values=values, agreement=agreement), "")
    before = snapshot(agreement, AGREEMENT_AUDIT_FIELDS)
    for name, value in values.items():
        setattr(agreement, name, value)
    agreement.save()
    after = snapshot(agreement, AGREEMENT_AUDIT_FIELDS)
    changed = {name for name in AGREEMENT_AUDIT_FIELDS if before[name] != after[name]}
    if not changed:
        return agreement
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action=AuditAction.AGREEMENT_UPDATED,
        target=agreement,
        before={name: before[name] for name in AGREEMENT_AUDIT_FIELDS if name in changed},
        after={name: after[name] for name in AGREEMENT_AUDIT_FIELDS if name in changed},
    )
    if changed & PERIOD_FIELDS:
        periods_make(agreement)
    return agreement


# --- Commitments -----------------------------------------------------------------------------------


def place_code_clean(place_code: str) -> str:
    return (place_code or "").strip().upper()


def commitment_errors(
    *,
    agreement: Agreement,
    measure: Measure | None,
    target_quantity: Decimal | None,
    due_date: date | None,
    place_code: str,
    beneficiary_group: str,
    milestones: Sequence[MilestoneInput],
    commitment: Commitment | None = None,
) -> dict[str, str]:
    """Every problem with a commitment's values, by field. `commitment` is the one being changed, if any."""
    errors: dict[str, str] = {}
    if measure is None:
        errors["measure"] = "Choose the measure"
    elif measure.version_id != agreement.framework_version_id:
        errors["measure"] = "The measure is not in the framework version this agreement uses"
    elif commitment is not None and measure.pk != commitment.measure_id and commitment.lines.exists():
        errors["measure"] = "The measure cannot change once quantities have been reported against it"
    if problem := _amount_error(target_quantity, "target quantity", positive=True):
        errors["target_quantity"] = problem
    if due_date is None:
        errors["due_date"] = "Enter the due date"
    elif not agreement.start_date <= due_date <= agreement.end_date:
        errors["due_date"] = (
            f"The due date must be within the agreement, from {agreement.start_date:%-d %B %Y} "
            f"to {agreement.end_date:%-d %B %Y}"
        )
    if place_code and not GSS_CODE.fullmatch(place_code):
        errors["place_code"] = "Enter the place as an ONS GSS code: E, W, S or N followed by 8 digits, like E08000009"
    if len(beneficiary_group) > 200:
        errors["beneficiary_group"] = "The beneficiary group must be 200 characters or fewer"
    if problem := _milestone_error(milestones, agreement, target_quantity, due_date):
        errors["milestones"] = problem
    return errors


def _milestone_error(
    milestones: Sequence[MilestoneInput], agreement: Agreement, target: Decimal | None, due_date: date | None
) -> str:
    previous: MilestoneInput | None = None
    for number, milestone in enumerate(milestones, start=1):
        where = f"Milestone {number}"
        if problem := _amount_error(milestone.cumulative_quantity, "quantity", positive=True):
            return f"{where}: {problem[0].lower()}{problem[1:]}"
        if milestone.due_date < agreement.start_date:
            return f"{where}: the date must be on or after the agreement’s start ({agreement.start_date:%-d %B %Y})"
        if due_date is not None and milestone.due_date > due_date:
            return f"{where}: the date must be on or before the commitment’s due date ({due_date:%-d %B %Y})"
        if previous is not None and milestone.due_date <= previous.due_date:
            return f"{where}: the dates must be in order, each later than the one before"
        if previous is not None and milestone.cumulative_quantity <= previous.cumulative_quantity:
            return f"{where}: each quantity is a running total, so it must be more than the one before"
        previous = milestone
    if previous is not None and target is not None and target.is_finite() and previous.cumulative_quantity > target:
        last = previous.cumulative_quantity
        return f"The last milestone’s quantity ({last}) must not be more than the target ({target})"
    return ""


def commitment_insert(
    *,
    agreement: Agreement,
    measure: Measure,
    target_quantity: Decimal,
    due_date: date,
    place_code: str = "",
    beneficiary_group: str = "",
    source: str = CommitmentSource.PAGE,
    milestones: Sequence[MilestoneInput] = (),
) -> Commitment:
    """Store a commitment whose values `commitment_errors` passed; the caller records the audit event."""
    commitment = Commitment.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        measure=measure,
        target_quantity=target_quantity,
        due_date=due_date,
        place_code=place_code,
        beneficiary_group=beneficiary_group,
        source=source,
    )
    _milestones_store(commitment, milestones)
    return commitment


def _milestones_store(commitment: Commitment, milestones: Sequence[MilestoneInput]) -> None:
    CommitmentMilestone.objects.bulk_create(
        CommitmentMilestone(
            organisation=commitment.organisation,
            commitment=commitment,
            due_date=milestone.due_date,
            cumulative_quantity=milestone.cumulative_quantity,
        )
        for milestone in milestones
    )


def milestones_label(commitment: Commitment) -> str:
    """“31 Mar 2027: 3; 30 Sep 2027: 6”, for the audit log."""
    return "; ".join(
        f"{milestone.due_date:%-d %b %Y}: {milestone.cumulative_quantity}" for milestone in commitment.milestones.all()
    )


def commitment_snapshot(commitment: Commitment) -> dict[str, Any]:
    return {**snapshot(commitment, COMMITMENT_AUDIT_FIELDS), "milestones": milestones_label(commitment)}


@transaction.atomic
def commitment_create(
    *,
    actor: User | None,
    member: Member,
    agreement: Agreement,
    measure: Measure | None,
    target_quantity: Decimal | None,
    due_date: date | None,
    place_code: str = "",
    beneficiary_group: str = "",
    milestones: Sequence[MilestoneInput] = (),
    source: str = CommitmentSource.PAGE,
) -> Commitment:
    """A commitment on the agreement: a measure of its framework version, a target, a due date within
    the agreement, optionally a place (ONS GSS code), a beneficiary group and milestones."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    buyer_require(member, agreement)
    place_code = place_code_clean(place_code)
    beneficiary_group = beneficiary_group.strip()
    errors = commitment_errors(
        agreement=agreement,
        measure=measure,
        target_quantity=target_quantity,
        due_date=due_date,
        place_code=place_code,
        beneficiary_group=beneficiary_group,
        milestones=milestones,
    )
    _refuse(errors, "")
    assert measure is not None and target_quantity is not None and due_date is not None
    commitment = commitment_insert(
        agreement=agreement,
        measure=measure,
        target_quantity=target_quantity,
        due_date=due_date,
        place_code=place_code,
        beneficiary_group=beneficiary_group,
        source=source,
        milestones=milestones,
    )
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action=AuditAction.COMMITMENT_CREATED,
        target=commitment,
        trail=agreement,
        after=commitment_snapshot(commitment),
    )
    return commitment


@transaction.atomic
def commitment_update(
    *,
    actor: User | None,
    member: Member,
    commitment: Commitment,
    measure: Measure | None,
    target_quantity: Decimal | None,
    due_date: date | None,
    place_code: str,
    beneficiary_group: str,
    milestones: Sequence[MilestoneInput],
) -> Commitment:
    """Change an active commitment; its milestones are replaced by those given. Audited with before and after."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    commitment = Commitment.objects.select_for_update().select_related("agreement").get(pk=commitment.pk)
    agreement = commitment.agreement
    buyer_require(member, agreement)
    if commitment.state != CommitmentState.ACTIVE:
        raise ApplicationError("This commitment was replaced by a substitution: it cannot be changed.")
    place_code = place_code_clean(place_code)
    beneficiary_group = beneficiary_group.strip()
    errors = commitment_errors(
        agreement=agreement,
        measure=measure,
        target_quantity=target_quantity,
        due_date=due_date,
        place_code=place_code,
        beneficiary_group=beneficiary_group,
        milestones=milestones,
        commitment=commitment,
    )
    _refuse(errors, "")
    assert measure is not None and target_quantity is not None and due_date is not None
    before = commitment_snapshot(commitment)
    commitment.measure = measure
    commitment.target_quantity = target_quantity
    commitment.due_date = due_date
    commitment.place_code = place_code
    commitment.beneficiary_group = beneficiary_group
    commitment.save()
    commitment.milestones.all().delete()
    _milestones_store(commitment, milestones)
    after = commitment_snapshot(commitment)
    if before != after:
        audit_record(
            actor=actor,
            organisation=agreement.organisation,
            action=AuditAction.COMMITMENT_UPDATED,
            target=commitment,
            trail=agreement,
            before={name: value for name, value in before.items() if after[name] != value},
            after={name: value for name, value in after.items() if before[name] != value},
        )
    return commitment


@transaction.atomic
def commitment_remove(*, actor: User | None, member: Member, commitment: Commitment) -> None:
    """Remove a commitment nobody has reported against yet (a mistake, or a change agreed before delivery)."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    commitment = Commitment.objects.select_for_update().select_related("agreement", "measure").get(pk=commitment.pk)
    agreement = commitment.agreement
    buyer_require(member, agreement)
    if problem := commitment_removal_problem(commitment):
        raise ApplicationError(problem + ".")
    before = commitment_snapshot(commitment)
    label = str(commitment)
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action=AuditAction.COMMITMENT_REMOVED,
        target=commitment,
        trail=agreement,
        before={"commitment": label, **before},
    )
    commitment.delete()


# --- Importing commitments from a file ---------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[Commitment] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # lines that match a commitment already there


class ImportRefused(ApplicationError):
    """The file was refused; `problems` lists each rejected row's line and reason. Nothing was stored."""

    def __init__(self, problems: list[tuple[int | None, str]]) -> None:
        count = len(problems)
        by_line: dict[str, str] = {}
        for line, reason in problems:
            key = f"line {line}" if line is not None else "file"
            by_line[key] = f"{by_line[key]}; {reason}" if key in by_line else reason
        super().__init__(
            f"The file was not imported: it has {count} problem{'s' if count != 1 else ''}.", field_errors=by_line
        )
        self.problems = problems


def commitment_key(
    *, measure_code: str, due_date: date, place_code: str, beneficiary_group: str
) -> tuple[str, date, str, str]:
    """What makes an imported row the same commitment as one already there (see docs/delivery-agreements.md)."""
    return (measure_code, due_date, place_code, beneficiary_group.casefold())


@transaction.atomic
def commitments_import(
    *, actor: User | None, member: Member, agreement: Agreement, rows: Sequence[ImportRow]
) -> ImportResult:
    """Add the rows' commitments to the agreement, all or none. A row that matches an active commitment
    already there (same measure, due date, place and beneficiary group, and the same target) is left as
    it is, so importing the same file again adds nothing. Every rejected row is named with its line."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    buyer_require(member, agreement)
    if not rows:
        raise ImportRefused([(None, "the file has no commitments in it")])
    measures = {measure.code: measure for measure in Measure.objects.filter(version=agreement.framework_version_id)}
    existing = {
        commitment_key(
            measure_code=commitment.measure.code,
            due_date=commitment.due_date,
            place_code=commitment.place_code,
            beneficiary_group=commitment.beneficiary_group,
        ): commitment
        for commitment in agreement.commitments.filter(state=CommitmentState.ACTIVE).select_related("measure")
    }
    problems: list[tuple[int | None, str]] = []
    seen: dict[tuple[str, date, str, str], int] = {}
    to_create: list[tuple[ImportRow, Measure]] = []
    result = ImportResult()
    for row in rows:
        measure = measures.get(row.measure_code)
        place_code = place_code_clean(row.place_code)
        errors = commitment_errors(
            agreement=agreement,
            measure=measure,
            target_quantity=row.target_quantity,
            due_date=row.due_date,
            place_code=place_code,
            beneficiary_group=row.beneficiary_group,
            milestones=(),
        )
        if measure is None:
            shown = row.measure_code or "(blank)"
            errors["measure"] = f"measure code “{shown}” is not a measure of {agreement.framework_version}"
        errors.update(row.problems)  # what could not be read, said as the file has it
        if errors:
            problems.extend((row.line, _lower_first(text)) for text in errors.values())
            continue
        assert measure is not None and row.due_date is not None and row.target_quantity is not None
        key = commitment_key(
            measure_code=measure.code,
            due_date=row.due_date,
            place_code=place_code,
            beneficiary_group=row.beneficiary_group,
        )
        if key in seen:
            problems.append((row.line, f"the same commitment as line {seen[key]} (measure, due date, place and group)"))
            continue
        seen[key] = row.line
        already = existing.get(key)
        if already is not None:
            if already.target_quantity != row.target_quantity:
                problems.append(
                    (
                        row.line,
                        f"the agreement already has this commitment with a target of {already.target_quantity}: "
                        "change the target on the commitment’s page, not by importing",
                    )
                )
            else:
                result.unchanged.append(row.line)
            continue
        to_create.append((row, measure))
    if problems:
        raise ImportRefused(problems)
    for row, measure in to_create:
        assert row.due_date is not None and row.target_quantity is not None
        result.created.append(
            commitment_insert(
                agreement=agreement,
                measure=measure,
                target_quantity=row.target_quantity,
                due_date=row.due_date,
                place_code=place_code_clean(row.place_code),
                beneficiary_group=row.beneficiary_group.strip(),
                source=CommitmentSource.IMPORT,
            )
        )
    if result.created:
        audit_record(
            actor=actor,
            organisation=agreement.organisation,
            action=AuditAction.COMMITMENT_IMPORTED,
            target=agreement,
            after={
                "created": [str(commitment) for commitment in result.created],
                "unchanged_lines": result.unchanged,
            },
        )
    return result


IMPORT_TYPES = {ext: EVIDENCE_TYPES[ext] for ext in (".csv", ".xlsx")}


def commitments_file_import(
    *, actor: User | None, member: Member, agreement: Agreement, file: UploadedFile | None
) -> ImportResult:
    """Import commitments from a CSV or XLSX file (see commitments_import for its columns): all or none."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    buyer_require(member, agreement)
    if file is None:
        raise ApplicationError("Select a CSV or XLSX file of commitments.", field_errors={"file": "Select a file"})
    upload_check(file, types=IMPORT_TYPES, max_bytes=settings.EVIDENCE_MAX_BYTES, field="file")
    file.seek(0)
    rows, problems = commitment_rows_read(name=file.name or "", content=file.read())
    if problems:
        raise ImportRefused(problems)
    return commitments_import(actor=actor, member=member, agreement=agreement, rows=rows)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- Substitutions ---------------------------------------------------------------------------------


def _open_claims(commitment: Commitment) -> bool:
    """Claimed quantities still waiting for the contract manager's decision."""
    return ReturnLine.objects.filter(
        commitment=commitment,
        delivery_return__state=ReturnState.SUBMITTED,
        status__in=[LineStatus.PENDING, LineStatus.QUERIED],
    ).exists()


@transaction.atomic
def substitution_propose(
    *,
    actor: User | None,
    member: Member,
    commitment: Commitment,
    proposed_measure: Measure | None,
    proposed_quantity: Decimal | None,
    pledge: str,
    reason: str,
    need: "Need | None" = None,
) -> Substitution:
    """The supplier proposes replacing what is left to deliver of a commitment with a quantity of
    another measure, or with a pledge to a community need, which may name a need on a wish list the
    supplier may pledge to. The net £ of both sides is recorded."""
    permission_require(member, Permission.SUBMIT_RETURNS)
    if need is not None:
        from commonweal.brokerage.models import Need as NeedModel  # the wish list sits above delivery
        from commonweal.brokerage.selectors_needs import pledgeable_host_filter

        if not NeedModel.objects.open().filter(pledgeable_host_filter(member.organisation), pk=need.pk).exists():
            raise ApplicationError(
                "Choose a need open on a wish list you may pledge to.",
                field_errors={"need": "Choose a need that is open on a wish list you may pledge to"},
            )
        if proposed_measure is not None or proposed_quantity is not None:
            raise ApplicationError(
                "Offer either a measure and a quantity or a pledge, not both.",
                field_errors={"need": "Offer either a measure and a quantity or a pledge to a need, not both"},
            )
        pledge = (
            pledge.strip() or f"A pledge to the need “{need.title}” ({need.reference}) of {need.organisation.name}."
        )
    person = person_require(actor, "proposes a substitution")
    commitment = Commitment.objects.select_for_update().select_related("agreement", "measure").get(pk=commitment.pk)
    agreement = commitment.agreement
    supplier_require(member, agreement)
    if commitment.state != CommitmentState.ACTIVE:
        raise ApplicationError("This commitment has already been replaced by a substitution.")
    if commitment.substitutions.filter(state=SubstitutionState.PROPOSED).exists():
        raise ApplicationError("A substitution for this commitment is already waiting for a decision.")
    pledge, reason = pledge.strip(), reason.strip()
    errors: dict[str, str] = {}
    if proposed_measure is None and proposed_quantity is None and not pledge:
        errors["proposed_measure"] = "Choose a measure and a quantity, or describe a pledge to a community need"
    elif pledge and (proposed_measure is not None or proposed_quantity is not None):
        errors["pledge"] = "Offer either a measure and a quantity or a pledge, not both"
    elif not pledge:
        if proposed_measure is None:
            errors["proposed_measure"] = "Choose the measure you offer instead"
        elif proposed_measure.version_id != agreement.framework_version_id:
            errors["proposed_measure"] = "The measure is not in the framework version this agreement uses"
        if problem := _amount_error(proposed_quantity, "quantity you offer", positive=True):
            errors["proposed_quantity"] = problem
    if not reason:
        errors["reason"] = "Explain why you propose this substitution"
    comparison = None
    if not errors:
        comparison = substitution_comparison(
            commitment=commitment, proposed_measure=proposed_measure, proposed_quantity=proposed_quantity
        )
        if comparison.remainder <= 0:
            errors["proposed_measure"] = "Everything promised has been verified: there is nothing left to substitute"
    _refuse(errors, "")
    assert comparison is not None
    substitution = Substitution.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        commitment=commitment,
        proposed_measure=proposed_measure if not pledge else None,
        proposed_quantity=proposed_quantity if not pledge else None,
        pledge=pledge,
        need=need,
        reason=reason,
        original_net_value=comparison.given_up_net,
        proposed_net_value=comparison.offered_net,
        proposed_by=person,
    )
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action=AuditAction.SUBSTITUTION_PROPOSED,
        target=substitution,
        trail=agreement,
        after={**snapshot(substitution, SUBSTITUTION_AUDIT_FIELDS), "remainder": str(comparison.remainder)},
    )
    return substitution


@transaction.atomic
def substitution_decide(
    *, actor: User | None, member: Member, substitution: Substitution, decision: str, reason: str
) -> Substitution:
    """The contract manager approves or refuses a proposed substitution; a refusal says why.

    On approval the commitment becomes "substituted": it keeps its target as the record of what was first
    promised, and its effective target becomes what was verified against it (see
    selectors_agreements.effective_target), so nothing is counted twice. A measure offered becomes a new
    commitment (source "substitution") for the quantity offered, with the same due date, place and group.
    """
    permission_require(member, Permission.MANAGE_CONTRACTS)
    substitution = (
        Substitution.objects.select_for_update(of=("self",))
        .select_related("agreement", "commitment__measure", "proposed_measure")
        .get(pk=substitution.pk)
    )
    agreement = substitution.agreement
    buyer_require(member, agreement)
    if substitution.state != SubstitutionState.PROPOSED:
        raise ApplicationError(f"This substitution has already been {substitution.get_state_display().lower()}.")
    reason = reason.strip()
    if decision not in (SubstitutionState.APPROVED, SubstitutionState.REFUSED):
        raise ApplicationError(
            "Choose whether to approve or refuse", field_errors={"decision": "Choose approve or refuse"}
        )
    if decision == SubstitutionState.REFUSED and not reason:
        raise ApplicationError(
            "Give the reason for refusing", field_errors={"reason": "Enter the reason for refusing the substitution"}
        )
    commitment = Commitment.objects.select_for_update().get(pk=substitution.commitment_id)
    before = {**snapshot(substitution, SUBSTITUTION_AUDIT_FIELDS), "commitment_state": commitment.state}
    if decision == SubstitutionState.APPROVED:
        if commitment.state != CommitmentState.ACTIVE:
            raise ApplicationError("This commitment has already been replaced by another substitution.")
        if _open_claims(commitment):
            raise ApplicationError(
                "Quantities claimed against this commitment are still waiting for a decision: verify or reject "
                "them first, so that what the commitment keeps is known."
            )
        comparison = substitution_comparison(
            commitment=commitment,
            proposed_measure=substitution.proposed_measure,
            proposed_quantity=substitution.proposed_quantity,
        )
        substitution.original_net_value = comparison.given_up_net
        substitution.proposed_net_value = comparison.offered_net
        if substitution.proposed_measure is not None and substitution.proposed_quantity is not None:
            substitution.replacement = commitment_insert(
                agreement=agreement,
                measure=substitution.proposed_measure,
                target_quantity=substitution.proposed_quantity,
                due_date=commitment.due_date,
                place_code=commitment.place_code,
                beneficiary_group=commitment.beneficiary_group,
                source=CommitmentSource.SUBSTITUTION,
            )
        commitment.state = CommitmentState.SUBSTITUTED
        commitment.save(update_fields=["state", "updated_at"])
    substitution.state = decision
    substitution.decided_by = actor
    substitution.decided_at = timezone.now()
    substitution.decision_reason = reason
    substitution.save()
    after: dict[str, Any] = {
        **snapshot(substitution, SUBSTITUTION_AUDIT_FIELDS),
        "commitment_state": commitment.state,
    }
    if substitution.replacement is not None:
        after["replacement"] = str(substitution.replacement)
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action=(
            AuditAction.SUBSTITUTION_APPROVED
            if decision == SubstitutionState.APPROVED
            else AuditAction.SUBSTITUTION_REFUSED
        ),
        target=substitution,
        trail=agreement,
        before=before,
        after=after,
    )
    return substitution
