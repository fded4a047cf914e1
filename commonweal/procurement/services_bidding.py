"""Writes on the supplier side of a procurement: bids (clarifications are in `services_clarifications`).

Bid events are recorded against the supplier's organisation with the bid as their trail, so the
buyer's audit history shows nothing of bid activity before the deadline. The deadline is enforced
here, not only by hiding buttons: once `selectors.open_for_bids` is false no bid can be started,
saved, submitted or reopened.
"""

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError, StateConflict
from commonweal.core.formatting import uk_date, uk_datetime
from commonweal.core.models import AuditAction
from commonweal.core.uploads import FileType, upload_check
from commonweal.frameworks.models import Measure
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from . import selectors
from .models import (
    Bid,
    BidAttachment,
    BidCommitment,
    BidResponse,
    BidState,
    Lot,
    Procurement,
)
from .rules import contract_period, scored_criteria, word_count

ZIP = (b"PK\x03\x04",)
# Tender documents: what bidders write responses and pricing schedules in.
TENDER_TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", (b"%PDF-",)),
    ".docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    ".odt": FileType("application/vnd.oasis.opendocument.text", ZIP),
    ".ods": FileType("application/vnd.oasis.opendocument.spreadsheet", ZIP),
}
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")


def deadline_check(procurement: Procurement) -> None:
    """Refuse any change to a bid once the tender deadline has passed (or the procurement is closed)."""
    if selectors.open_for_bids(procurement):
        return
    if procurement.tender_deadline is not None and selectors.tenders_opened(procurement):
        message = (
            f"The deadline for tenders was {uk_datetime(procurement.tender_deadline)}; "
            "no bid can be submitted or changed."
        )
    else:
        message = "This procurement is not open for tenders; no bid can be submitted or changed."
    raise StateConflict(message)


# --- Bids ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentInput:
    measure: Measure
    quantity: Decimal
    due_date: date
    place_code: str = ""
    beneficiary_group: str = ""
    description: str = ""


def _bid_snapshot(bid: Bid) -> dict[str, Any]:
    return {
        **snapshot(bid, ["state", "price", "method_statement"]),
        "responses": {response.criterion.code: response.text for response in bid.responses.select_related("criterion")},
        "commitments": [
            f"{c.quantity} × {c.measure.code} by {c.due_date.isoformat()} {c.place_code}".strip()
            for c in bid.commitments.select_related("measure")
        ],
        "attachments": [a.original_name for a in bid.attachments.all()],
    }


def _audit_bid(*, actor: User | None, member: Member, bid: Bid, action: AuditAction, before: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=action,
        target=bid,
        before=before,
        after=_bid_snapshot(bid),
    )


@transaction.atomic
def bid_start(*, actor: User | None, member: Member, procurement: Procurement, lot: Lot) -> Bid:
    """The supplier's bid for the lot: its existing one, or a new draft."""
    permission_require(member, Permission.BID)
    procurement = selectors.opportunity_get(member=member, pk=procurement.pk)
    if lot.procurement_id != procurement.pk:
        raise Http404("No such lot.")
    existing = Bid.objects.filter(lot=lot, supplier=member.organisation).first()
    if existing is not None:
        return existing
    deadline_check(procurement)
    bid = Bid.objects.create(
        organisation=procurement.organisation, procurement=procurement, lot=lot, supplier=member.organisation
    )
    _audit_bid(actor=actor, member=member, bid=bid, action=AuditAction.BID_STARTED, before={})
    return bid


def _owned_draft(member: Member, bid: Bid) -> Bid:
    bid = selectors.bid_get_for_supplier(member=member, pk=bid.pk)
    # Lock the row so a save and a submission of the same bid cannot interleave.
    return Bid.objects.select_for_update().select_related("procurement", "lot").get(pk=bid.pk)


def _commitment_problems(procurement: Procurement, commitment: CommitmentInput) -> dict[str, str]:
    problems = {}
    version_id = procurement.framework_version_id
    if version_id is None or commitment.measure.version_id != version_id:
        problems["measure"] = "Choose one of the measures of this procurement’s framework"
    if commitment.quantity <= 0:
        problems["quantity"] = "The quantity must be more than 0"
    start, end = contract_period(procurement)
    if not start <= commitment.due_date <= end:
        problems["due_date"] = f"The due date must be within the contract, from {uk_date(start)} to {uk_date(end)}"
    if commitment.place_code and not GSS_CODE.match(commitment.place_code):
        problems["place_code"] = "Enter the place as an ONS GSS code of a letter and 8 digits, like E08000009"
    return problems


@transaction.atomic
def bid_save(
    *,
    actor: User | None,
    member: Member,
    bid: Bid,
    price: Decimal | None,
    responses: dict[int, str],
    method_statement: str,
    new_commitment: CommitmentInput | None = None,
    remove_commitments: list[int] | None = None,
    attachments: dict[int, UploadedFile] | None = None,
    remove_attachments: list[int] | None = None,
) -> Bid:
    """Save a draft: every part may still be incomplete (the submission checks completeness)."""
    permission_require(member, Permission.BID)
    if actor is None and attachments:
        raise ApplicationError("Only a person uploads a tender document.")
    bid = _owned_draft(member, bid)
    procurement = bid.procurement
    deadline_check(procurement)
    if bid.state != BidState.DRAFT:
        raise StateConflict("Your bid has been submitted. Reopen it to change it.")
    if price is not None and price <= 0:
        raise ApplicationError(
            "The price must be more than £0.", field_errors={"price": "The price must be more than £0"}
        )
    if new_commitment is not None:
        if procurement.light_touch:
            raise ApplicationError("This procurement asks for a method statement only, not quantified commitments.")
        new_commitment = dataclasses.replace(new_commitment, place_code=new_commitment.place_code.strip().upper())
        problems = _commitment_problems(procurement, new_commitment)
        if problems:
            raise ApplicationError(
                "The commitment cannot be added: " + "; ".join(problems.values()) + ".",
                field_errors={f"commitment_{name}": message for name, message in problems.items()},
            )
    for criterion_pk, upload in (attachments or {}).items():
        upload_check(
            upload, types=TENDER_TYPES, max_bytes=settings.EVIDENCE_MAX_BYTES, field=f"attachment_{criterion_pk}"
        )
    before = _bid_snapshot(bid)

    bid.price = price
    bid.method_statement = method_statement.strip()
    bid.save(update_fields=["price", "method_statement", "updated_at"])
    criteria = {criterion.pk: criterion for criterion in scored_criteria(procurement)}
    for criterion_pk, text in responses.items():
        if criterion_pk not in criteria:
            continue
        BidResponse.objects.update_or_create(
            bid=bid,
            criterion=criteria[criterion_pk],
            defaults={"organisation": bid.organisation, "text": text.strip()},
        )
    if remove_commitments:
        bid.commitments.filter(pk__in=remove_commitments).delete()
    if new_commitment is not None:
        BidCommitment.objects.create(
            organisation=bid.organisation,
            bid=bid,
            measure=new_commitment.measure,
            quantity=new_commitment.quantity,
            due_date=new_commitment.due_date,
            place_code=new_commitment.place_code,
            beneficiary_group=new_commitment.beneficiary_group.strip(),
            description=new_commitment.description.strip(),
        )
    if remove_attachments:
        for attachment in bid.attachments.filter(pk__in=remove_attachments):
            attachment.file.delete(save=False)
            attachment.delete()
    for criterion_pk, upload in (attachments or {}).items():
        assert actor is not None  # refused above: a file has a person who uploaded it
        file_type = TENDER_TYPES[_suffix(upload.name or "")]
        BidAttachment.objects.create(
            organisation=bid.organisation,
            bid=bid,
            criterion=criteria.get(criterion_pk),
            file=upload,
            original_name=(upload.name or "")[-255:],
            content_type=file_type.content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
    _audit_bid(actor=actor, member=member, bid=bid, action=AuditAction.BID_SAVED, before=before)
    return bid


def _suffix(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def bid_problems(bid: Bid) -> dict[str, str]:
    """What stops the bid being submitted, by form field: every problem, not just the first."""
    procurement = bid.procurement
    problems: dict[str, str] = {}
    if bid.price is None:
        problems["price"] = "Enter your price"
    texts = {response.criterion_id: response.text for response in bid.responses.all()}
    for criterion in scored_criteria(procurement):
        text = texts.get(criterion.pk, "").strip()
        words = word_count(text)
        if not text:
            problems[f"response_{criterion.pk}"] = f"Enter your response to {criterion.code} {criterion.title}"
        elif criterion.word_limit and words > criterion.word_limit:
            problems[f"response_{criterion.pk}"] = (
                f"Your response to {criterion.code} {criterion.title} must be {criterion.word_limit} words or fewer "
                f"(it has {words})"
            )
    if not bid.method_statement.strip():
        problems["method_statement"] = "Enter your social value method statement"
    if not procurement.light_touch and not bid.commitments.exists():
        problems["commitment_measure"] = "Add at least one quantified social value commitment"
    return problems


@transaction.atomic
def bid_submit(*, actor: User | None, member: Member, bid: Bid) -> Bid:
    permission_require(member, Permission.BID)
    bid = _owned_draft(member, bid)
    deadline_check(bid.procurement)
    if bid.state != BidState.DRAFT:
        raise StateConflict("Your bid has already been submitted.")
    problems = bid_problems(bid)
    if problems:
        raise ApplicationError(
            "Your bid cannot be submitted yet: " + "; ".join(problems.values()) + ".", field_errors=problems
        )
    before = _bid_snapshot(bid)
    bid.state = BidState.SUBMITTED
    bid.submitted_at = timezone.now()
    bid.submitted_by = actor
    bid.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
    _audit_bid(actor=actor, member=member, bid=bid, action=AuditAction.BID_SUBMITTED, before=before)
    return bid


@transaction.atomic
def bid_reopen(*, actor: User | None, member: Member, bid: Bid) -> Bid:
    """Make a submitted bid a draft again, to change it; it is not a tender until resubmitted."""
    permission_require(member, Permission.BID)
    bid = _owned_draft(member, bid)
    deadline_check(bid.procurement)
    if bid.state != BidState.SUBMITTED:
        raise StateConflict("Your bid is already a draft.")
    before = _bid_snapshot(bid)
    bid.state = BidState.DRAFT
    bid.submitted_at = None
    bid.submitted_by = None
    bid.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
    _audit_bid(actor=actor, member=member, bid=bid, action=AuditAction.BID_REOPENED, before=before)
    return bid


@transaction.atomic
def attachment_opened_record(*, actor: User | None, member: Member, attachment: BidAttachment) -> None:
    """Record a buyer's opening of a bid's attachment (the sealed-bid rule was checked by the caller, with
    `selectors_bidding.attachment_get`). Like `selectors.bid_open_for_buyer`, this records a read: who at
    the buyer opened sealed tender content is kept even when the page asking is a GET."""
    permission_require(member, Permission.EVALUATE)
    if attachment.bid.organisation_id != member.organisation.pk:
        raise Http404("No such attachment.")
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.BID_ATTACHMENT_OPENED,
        target=attachment,
        trail=attachment.bid.procurement,
    )
