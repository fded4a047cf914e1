"""Writes for delivery: agreements, commitments, return submission and verification. All audited."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.uploads import EVIDENCE_TYPES, upload_check
from commonweal.frameworks.models import FrameworkVersion, Measure
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from .models import QUANTITY_PLACES, Agreement, Commitment, DeliveryReturn, Evidence, LineStatus, ReturnLine

AGREEMENT_FIELDS = ["reference", "title", "supplier", "value", "start_date", "end_date", "framework_version"]
COMMITMENT_FIELDS = ["measure", "target_quantity", "due_date"]
LINE_FIELDS = ["quantity", "status", "reason"]
MAX_QUANTITY = Decimal("1e12")  # the largest quantity a return line can hold (14 digits, 2 after the point)


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    organisation: Organisation,
    supplier: Organisation,
    reference: str,
    title: str,
    value: Decimal,
    start_date: date,
    end_date: date,
    framework_version: FrameworkVersion,
    contract_manager: Any = None,
) -> Agreement:
    if not organisation.is_public_body:
        raise ApplicationError("Only a public body can own an agreement.")
    if not supplier.is_supplier:
        raise ApplicationError(f"{supplier} is not a supplier.")
    if not framework_version.is_published:
        raise ApplicationError("An agreement can only use a published framework version.")
    if framework_version.organisation_id != organisation.pk:
        raise ApplicationError("The framework version belongs to another organisation.")
    if end_date < start_date:
        raise ApplicationError("The end date must be on or after the start date.")
    if value < 0:
        raise ApplicationError("The contract value must be £0 or more.")
    if Agreement.objects.filter(organisation=organisation, reference=reference).exists():
        raise ApplicationError(f"An agreement with the reference {reference} already exists.")
    agreement = Agreement.objects.create(
        organisation=organisation,
        supplier=supplier,
        reference=reference,
        title=title,
        value=value,
        start_date=start_date,
        end_date=end_date,
        framework_version=framework_version,
        contract_manager=contract_manager,
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action="agreement.create",
        target=agreement,
        after=snapshot(agreement, AGREEMENT_FIELDS),
    )
    return agreement


@transaction.atomic
def commitment_create(
    *, actor: Any, agreement: Agreement, measure: Measure, target_quantity: Decimal, due_date: date
) -> Commitment:
    if measure.version_id != agreement.framework_version_id:
        raise ApplicationError("The measure is not in the framework version this agreement uses.")
    if target_quantity <= 0:
        raise ApplicationError("The target quantity must be more than 0.")
    commitment = Commitment.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        measure=measure,
        target_quantity=target_quantity,
        due_date=due_date,
    )
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action="commitment.create",
        target=commitment,
        trail=agreement,
        after=snapshot(commitment, COMMITMENT_FIELDS),
    )
    return commitment


def _quantity_errors(agreement: Agreement, quantities: Mapping[int, Decimal | None]) -> dict[str, str]:
    commitment_ids = set(agreement.commitments.values_list("id", flat=True))
    errors: dict[str, str] = {}
    for commitment_id, quantity in quantities.items():
        field = f"quantity_{commitment_id}"
        if commitment_id not in commitment_ids:
            errors[field] = "This commitment is not part of the agreement"
        elif quantity is None:
            continue
        elif not quantity.is_finite():
            errors[field] = "Enter the quantity as a number, like 12 or 3.5"
        elif quantity < 0:
            errors[field] = "Quantity must be 0 or more"
        elif quantity >= MAX_QUANTITY:
            errors[field] = "Enter a smaller quantity"
        elif quantity != quantity.quantize(Decimal("0.01")):
            errors[field] = "Enter the quantity with no more than 2 decimal places"
    if not errors and all(quantity is None for quantity in quantities.values()):
        first = min(commitment_ids) if commitment_ids else 0
        errors[f"quantity_{first}"] = "Enter a quantity for at least one commitment"
    return errors


@transaction.atomic
def return_submit(
    *,
    actor: Any,
    member: Member,
    agreement: Agreement,
    quantities: Mapping[int, Decimal | None],
    narrative: str,
    evidence: UploadedFile | None,
) -> DeliveryReturn:
    """Record a supplier's return: one line per commitment reported on, the narrative and the evidence."""
    if not member.can_submit_returns or agreement.supplier_id != member.organisation.pk:
        raise ApplicationError("Only the supplier on this agreement can submit a return.")
    errors = _quantity_errors(agreement, quantities)
    if not narrative.strip():
        errors["narrative"] = "Describe what was delivered in this period"
    if evidence is None:
        errors["evidence"] = "Select a file of evidence for the quantities you report"
    else:
        try:
            file_type = upload_check(
                evidence, types=EVIDENCE_TYPES, max_bytes=settings.EVIDENCE_MAX_BYTES, field="evidence"
            )
        except ApplicationError as error:
            errors.update(error.field_errors)
    if errors:
        raise ApplicationError("There is a problem with the return.", field_errors=errors)
    assert evidence is not None
    delivery_return = DeliveryReturn.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        submitted_by=actor,
        narrative=narrative.strip(),
    )
    commitments = {c.pk: c for c in agreement.commitments.all()}
    lines = [
        ReturnLine.objects.create(
            organisation=agreement.organisation,
            delivery_return=delivery_return,
            commitment=commitments[commitment_id],
            quantity=quantity.quantize(QUANTITY_PLACES),
        )
        for commitment_id, quantity in sorted(quantities.items())
        if quantity is not None
    ]
    stored = Evidence.objects.create(
        organisation=agreement.organisation,
        delivery_return=delivery_return,
        file=evidence,
        original_name=(evidence.name or "evidence")[:255],
        content_type=file_type.content_type,
        size=evidence.size or 0,
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action="return.submit",
        target=delivery_return,
        trail=agreement,
        after={
            "narrative": delivery_return.narrative,
            "lines": {line.commitment.measure.code: str(line.quantity) for line in lines},
            "evidence": stored.original_name,
        },
    )
    return delivery_return


@transaction.atomic
def return_line_review(*, actor: Any, member: Member, line: ReturnLine, decision: str, reason: str) -> ReturnLine:
    """The contract manager verifies or rejects one line; a rejection must say why."""
    # Lock the line so that two managers reviewing at once cannot both pass the "pending" check.
    line = ReturnLine.objects.select_for_update().select_related("delivery_return__agreement").get(pk=line.pk)
    agreement = line.delivery_return.agreement
    if not member.can_manage_contracts or agreement.organisation_id != member.organisation.pk:
        raise ApplicationError("Only a contract manager of the buying organisation can review returns.")
    if line.status != LineStatus.PENDING:
        raise ApplicationError(f"This line has already been reviewed: it is {line.get_status_display().lower()}.")
    if decision not in (LineStatus.VERIFIED, LineStatus.REJECTED):
        raise ApplicationError(
            "Choose whether to verify or reject", field_errors={"decision": "Choose verify or reject"}
        )
    reason = reason.strip()
    if decision == LineStatus.REJECTED and not reason:
        raise ApplicationError(
            "Give the reason for rejecting",
            field_errors={"reason": "Enter the reason for rejecting this line"},
        )
    before = snapshot(line, LINE_FIELDS)
    line.status = decision
    line.reason = reason
    line.reviewed_by = actor
    line.reviewed_at = timezone.now()
    line.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action=f"return_line.{'verify' if decision == LineStatus.VERIFIED else 'reject'}",
        target=line,
        trail=agreement,
        before=before,
        after=snapshot(line, LINE_FIELDS),
    )
    return line
