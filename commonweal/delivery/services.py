"""Writes for delivery: agreements, commitments, return submission and verification. All audited."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.frameworks.models import FrameworkVersion, Measure, ValueSet
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from .models import (
    Agreement,
    AgreementKind,
    Commitment,
    CommitmentSource,
    ReturnFrequency,
)
from .services_agreements import (
    AGREEMENT_AUDIT_FIELDS,
    MilestoneInput,
    agreement_errors,
    commitment_errors,
    commitment_insert,
    commitment_manager_check,
    commitment_snapshot,
    place_code_clean,
)

# Returns, their review and answers live in services_returns; exported here with the other delivery writes.
from .services_returns import (  # noqa: F401
    CaseStudyInput,
    LineInput,
    periods_ensure,
    return_draft_change,
    return_draft_submit,
    return_line_answer,
    return_line_review,
    return_save,
    return_submit,
    returns_import,
)

AGREEMENT_FIELDS = AGREEMENT_AUDIT_FIELDS
AGREEMENT_DEFAULT_DAYS = 14  # the model's default for return due and escalation days


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    organisation: Organisation,
    supplier: Organisation | None,
    reference: str,
    title: str,
    value: Decimal | None,
    start_date: date | None,
    end_date: date | None,
    framework_version: FrameworkVersion | None,
    contract_manager: Any = None,
    member: Member | None = None,
    kind: str = AgreementKind.CONTRACT,
    department: str = "",
    value_set: ValueSet | None = None,
    return_frequency: str = ReturnFrequency.QUARTERLY,
    return_due_days: int | None = AGREEMENT_DEFAULT_DAYS,
    escalation_days: int | None = AGREEMENT_DEFAULT_DAYS,
    called_off_value: Decimal | None = None,
) -> Agreement:
    """A new agreement of the buyer `organisation` with `supplier`, and its reporting periods.

    `member` is who acts, when a person does (their role is checked); without it the operator acts
    (demo data, the command line). Every problem is reported at once, by field."""
    if not organisation.is_public_body:
        raise ApplicationError("Only a public body can own an agreement.")
    if member is not None and (not member.can_manage_contracts or member.organisation.pk != organisation.pk):
        raise ApplicationError("Only a contract manager of the buying organisation can create its agreements.")
    values: dict[str, Any] = {
        "kind": kind,
        "reference": reference.strip(),
        "title": title.strip(),
        "supplier": supplier,
        "value": value,
        "start_date": start_date,
        "end_date": end_date,
        "department": department.strip(),
        "framework_version": framework_version,
        "value_set": value_set,
        "return_frequency": return_frequency,
        "return_due_days": return_due_days,
        "escalation_days": escalation_days,
        "contract_manager": contract_manager,
        "called_off_value": called_off_value,
    }
    errors = agreement_errors(organisation=organisation, values=values)
    if errors:
        message = " ".join(f"{text}." for text in dict.fromkeys(errors.values()))
        raise ApplicationError(message, field_errors=errors)
    agreement = Agreement.objects.create(organisation=organisation, **values)
    audit_record(
        actor=actor,
        organisation=organisation,
        action="agreement.create",
        target=agreement,
        after=snapshot(agreement, AGREEMENT_FIELDS),
    )
    periods_ensure(agreement=agreement)
    return agreement


@transaction.atomic
def commitment_create(
    *,
    actor: Any,
    agreement: Agreement,
    measure: Measure | None,
    target_quantity: Decimal | None,
    due_date: date | None,
    place_code: str = "",
    beneficiary_group: str = "",
    milestones: Sequence[MilestoneInput] = (),
    source: str = CommitmentSource.PAGE,
    member: Member | None = None,
) -> Commitment:
    """A commitment on the agreement: a measure of its framework version, a target, a due date within
    the agreement, optionally a place (ONS GSS code), a beneficiary group and milestones."""
    commitment_manager_check(member, agreement)
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
    if errors:
        message = " ".join(f"{text}." for text in dict.fromkeys(errors.values()))
        raise ApplicationError(message, field_errors=errors)
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
        action="commitment.create",
        target=commitment,
        trail=agreement,
        after=commitment_snapshot(commitment),
    )
    return commitment
