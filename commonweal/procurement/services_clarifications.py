"""Clarifications: a supplier's question before the clarification deadline, and the buyer's answer,
published to every bidder in wording the officer has made anonymous. A question is audited for the
supplier (who asked is not part of the buyer's trail); the answer on the procurement's trail."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError, StateConflict
from commonweal.core.formatting import uk_datetime
from commonweal.core.models import AuditAction
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from . import selectors
from .models import Clarification, Procurement


@transaction.atomic
def clarification_ask(*, actor: User | None, member: Member, procurement: Procurement, question: str) -> Clarification:
    permission_require(member, Permission.BID)
    if actor is None:
        raise ApplicationError("Only a person asks a clarification question.")
    procurement = selectors.opportunity_get(member=member, pk=procurement.pk)
    question = question.strip()
    if not question:
        raise ApplicationError("Enter your question.", field_errors={"question": "Enter your question"})
    deadline = procurement.clarification_deadline
    if deadline is not None and timezone.now() >= deadline:
        message = (
            f"The deadline for clarification questions was {uk_datetime(deadline)}; no more questions can be asked"
        )
        raise StateConflict(message + ".", field_errors={"question": message})
    clarification = Clarification.objects.create(
        organisation=procurement.organisation,
        procurement=procurement,
        supplier=member.organisation,
        asked_by=actor,
        question=question,
    )
    # Recorded for the supplier: who asked is not part of the buyer's public trail.
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.CLARIFICATION_ASKED,
        target=clarification,
        after={"question": question, "procurement": procurement.reference},
    )
    return clarification


@transaction.atomic
def clarification_answer(
    *, actor: User | None, member: Member, clarification: Clarification, published_question: str, answer: str
) -> Clarification:
    """Publish the question, as the buyer words it, with its answer to every bidder."""
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    if clarification.organisation_id != member.organisation.pk:
        raise Http404("No such clarification.")
    published_question, answer = published_question.strip(), answer.strip()
    errors = {}
    if not published_question:
        errors["published_question"] = "Enter the question as it will be published"
    if not answer:
        errors["answer"] = "Enter the answer"
    if errors:
        raise ApplicationError("The answer cannot be published yet.", field_errors=errors)
    before = snapshot(clarification, ["published_question", "answer"])
    clarification.published_question = published_question
    clarification.answer = answer
    clarification.answered_by = actor
    clarification.answered_at = timezone.now()
    clarification.save(update_fields=["published_question", "answer", "answered_by", "answered_at", "updated_at"])
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.CLARIFICATION_ANSWERED,
        target=clarification,
        trail=clarification.procurement,
        before=before,
        after=snapshot(clarification, ["published_question", "answer"]),
    )
    return clarification
