"""What happens in the service becomes a notification: each event the audit log records that someone must
hear about is handed to `notify` once its transaction has committed.

The services of delivery, procurement and spend already record every event (`core.audit.audit_record`),
in the same transaction as the change. A receiver on the audit log's rows (connected in `apps.ready`)
schedules `event_notify` with `transaction.on_commit`, so a rolled-back change tells nobody, whichever
page, API call, command or task made it. Each handler decides the recipients and the wording; the
wording names only what the recipient's own organisation may see.
"""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_save

from commonweal.core.formatting import uk_date
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery.models import ReturnLine, Substitution, SubstitutionState
from commonweal.procurement.models import Award, Bid, BidState, Clarification
from commonweal.spend.models import SpendImport

from . import links, selectors
from .kinds import Kind
from .services import notify


def _line_place(line: ReturnLine) -> str:
    delivery_return = line.delivery_return
    period = delivery_return.period.label if delivery_return.period else "the return"
    return f"{delivery_return.agreement.reference}, {period}, {line.commitment.measure.title}"


def _return_submitted(event: AuditEvent, delivery_return: Any) -> None:
    agreement = delivery_return.agreement
    period = delivery_return.period.label if delivery_return.period else "a period"
    notify(
        kind=Kind.RETURN_SUBMITTED,
        subject=delivery_return,
        recipients=selectors.contract_managers(agreement),
        organisation=agreement.organisation,
        title=f"Delivery return submitted: {agreement.reference}, {period}",
        body=(
            f"{agreement.supplier.name} has submitted its delivery return for {period} on "
            f"{agreement.reference} {agreement.title}. Its lines are waiting for you to verify, reject or query them."
        ),
        link=links.path("delivery:return-detail", org=agreement.organisation.slug, pk=delivery_return.pk),
    )


def _line_reviewed(event: AuditEvent, line: ReturnLine) -> None:
    agreement = line.delivery_return.agreement
    rejected = event.action == AuditAction.RETURN_LINE_REJECTED
    what = "rejected" if rejected else "queried"
    asks = (
        "You can answer, correct the line and send it again."
        if rejected
        else "Answer the question, and correct the line if you need to."
    )
    notify(
        kind=Kind.LINE_REJECTED if rejected else Kind.LINE_QUERIED,
        subject=line,
        key=f"event-{event.pk}",
        recipients=selectors.supplier_contacts(agreement.supplier),
        organisation=agreement.supplier,
        title=f"A line of your delivery return was {what}: {_line_place(line)}",
        body=(
            f"{agreement.organisation.name} has {what} the line “{line.commitment.measure.title}” of your delivery "
            f"return on {agreement.reference} {agreement.title}.\n\n"
            f"{'Reason' if rejected else 'Question'}: {line.reason}\n\n{asks}"
        ),
        link=links.path("delivery:return-line-answer", org=agreement.supplier.slug, pk=line.pk),
    )


def _line_answered(event: AuditEvent, line: ReturnLine) -> None:
    agreement = line.delivery_return.agreement
    notify(
        kind=Kind.QUERY_ANSWERED,
        subject=line,
        key=f"event-{event.pk}",
        recipients=selectors.contract_managers(agreement),
        organisation=agreement.organisation,
        title=f"A supplier answered about a return line: {_line_place(line)}",
        body=(
            f"{agreement.supplier.name} has answered about the line “{line.commitment.measure.title}” of its "
            f"delivery return on {agreement.reference} {agreement.title}, and sent it again. "
            "It is waiting for you to verify, reject or query it."
        ),
        link=links.path("delivery:return-line-review", org=agreement.organisation.slug, pk=line.pk),
    )


def _substitution_proposed(event: AuditEvent, substitution: Substitution) -> None:
    agreement = substitution.agreement
    notify(
        kind=Kind.SUBSTITUTION_PROPOSED,
        subject=substitution,
        recipients=selectors.contract_managers(agreement),
        organisation=agreement.organisation,
        title=f"Substitution proposed: {agreement.reference}",
        body=(
            f"{agreement.supplier.name} proposes to replace what is left of the commitment "
            f"“{substitution.commitment.measure.title}” on {agreement.reference} {agreement.title}.\n\n"
            f"Their reason: {substitution.reason}\n\nApprove or refuse it."
        ),
        link=links.path("delivery:substitution-detail", org=agreement.organisation.slug, pk=substitution.pk),
    )


def _substitution_decided(event: AuditEvent, substitution: Substitution) -> None:
    agreement = substitution.agreement
    approved = substitution.state == SubstitutionState.APPROVED
    reason = f"\n\nThe reason: {substitution.decision_reason}" if substitution.decision_reason else ""
    notify(
        kind=Kind.SUBSTITUTION_DECIDED,
        subject=substitution,
        recipients=selectors.supplier_contacts(agreement.supplier),
        organisation=agreement.supplier,
        title=f"Your substitution was {'approved' if approved else 'refused'}: {agreement.reference}",
        body=(
            f"{agreement.organisation.name} has {'approved' if approved else 'refused'} your proposed substitution "
            f"for the commitment “{substitution.commitment.measure.title}” on {agreement.reference} "
            f"{agreement.title}.{reason}"
        ),
        link=links.path("delivery:substitution-detail", org=agreement.supplier.slug, pk=substitution.pk),
    )


def _clarification_answered(event: AuditEvent, clarification: Clarification) -> None:
    procurement = clarification.procurement
    # One notification per bidder, in its own organisation: the wording is the published question, never
    # who asked, and no bidder learns who else is bidding.
    for supplier in selectors.bidding_suppliers(procurement):
        notify(
            kind=Kind.CLARIFICATION_ANSWERED,
            subject=clarification,
            key=f"event-{event.pk}",
            recipients=selectors.supplier_contacts(supplier),
            organisation=supplier,
            title=f"Clarification answered: {procurement.reference} {procurement.title}",
            body=(
                f"{procurement.organisation.name} has answered a clarification question about "
                f"{procurement.reference} {procurement.title}, for every bidder.\n\n"
                f"Question: {clarification.published_question}\n\nAnswer: {clarification.answer}"
            ),
            link=links.path("procurement:opportunity-detail", org=supplier.slug, pk=procurement.pk),
        )


def _award_made(event: AuditEvent, award: Award) -> None:
    procurement, lot = award.procurement, award.lot
    bids = Bid.objects.filter(procurement=procurement, state=BidState.SUBMITTED).select_related("supplier")
    what = f"lot {lot.number}, {lot.title}, of " if lot is not None else ""
    for bid in bids.filter(lot=lot) if lot is not None else bids:
        successful = bid.pk == award.bid_id
        notify(
            kind=Kind.AWARD_DECIDED,
            subject=bid,
            recipients=selectors.supplier_contacts(bid.supplier),
            organisation=bid.supplier,
            title=f"Award decided: {procurement.reference} {procurement.title}"
            + (f", lot {lot.number}" if lot is not None else ""),
            body=(
                f"{procurement.organisation.name} has decided the award of {what}"
                f"{procurement.reference} {procurement.title}. "
                + ("Your tender was successful." if successful else "Your tender was not successful.")
                + "\n\nYour assessment summary gives your scores and the reasons for them."
            ),
            link=links.path("procurement:assessment-summary", org=bid.supplier.slug, pk=bid.pk),
        )


def _spend_import_ended(event: AuditEvent, spend_import: SpendImport) -> None:
    if spend_import.created_by is None:
        return
    failed = event.action == AuditAction.SPEND_IMPORT_FAILED
    if failed:
        title = f"Your spend file could not be imported: {spend_import.original_name}"
        body = f"The file {spend_import.original_name} could not be imported: {spend_import.error}"
    else:
        title = f"Your spend file is imported: {spend_import.original_name}"
        body = (
            f"The file {spend_import.original_name} is imported: {spend_import.rows_imported:,} payments"
            f"{f' from {uk_date(spend_import.first_payment_date)}' if spend_import.first_payment_date else ''}"
            f"{f' to {uk_date(spend_import.last_payment_date)}' if spend_import.last_payment_date else ''}, "
            f"{spend_import.rows_rejected:,} rows rejected."
        )
    notify(
        kind=Kind.SPEND_IMPORT_FAILED if failed else Kind.SPEND_IMPORT_FINISHED,
        subject=spend_import,
        key=f"event-{event.pk}" if failed else "",
        recipients=[spend_import.created_by],
        organisation=spend_import.organisation,
        title=title,
        body=body,
        link=links.path("spend:import-detail", org=spend_import.organisation.slug, pk=spend_import.pk),
    )


HANDLERS: dict[str, Callable[[AuditEvent, Any], None]] = {
    AuditAction.RETURN_SUBMITTED: _return_submitted,
    AuditAction.RETURN_LINE_REJECTED: _line_reviewed,
    AuditAction.RETURN_LINE_QUERIED: _line_reviewed,
    AuditAction.RETURN_LINE_ANSWERED: _line_answered,
    AuditAction.SUBSTITUTION_PROPOSED: _substitution_proposed,
    AuditAction.SUBSTITUTION_APPROVED: _substitution_decided,
    AuditAction.SUBSTITUTION_REFUSED: _substitution_decided,
    AuditAction.CLARIFICATION_ANSWERED: _clarification_answered,
    AuditAction.PROCUREMENT_AWARD_MADE: _award_made,
    AuditAction.SPEND_IMPORT_IMPORTED: _spend_import_ended,
    AuditAction.SPEND_IMPORT_FAILED: _spend_import_ended,
}


def event_notify(event_id: int) -> None:
    """Notify about one recorded event (after its transaction committed). Safe to run twice."""
    event = AuditEvent.objects.filter(pk=event_id).first()
    if event is None or event.action not in HANDLERS:
        return
    model: type[Model] = apps.get_model(event.object_type)
    subject = model._default_manager.filter(pk=event.object_id).first()
    if subject is not None:
        HANDLERS[event.action](event, subject)


def _recorded(sender: type[AuditEvent], instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    if created and instance.action in HANDLERS:
        transaction.on_commit(partial(event_notify, instance.pk), robust=True)


def connect() -> None:
    post_save.connect(_recorded, sender=AuditEvent, dispatch_uid="notifications-from-audit-events")
