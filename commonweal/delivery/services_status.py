"""Writes for following delivery up: chasing overdue returns by email, and confirming performance ratings.

Reminders: a period whose return due date has passed with no submitted return is overdue. Its supplier's
contacts get one reminder; once it is `escalation_days` or more overdue, the agreement's contract manager
(or, if none is named, the buyer's contract managers) gets one escalation. Each is recorded as a
`ReturnReminder`, whose unique constraint (period, kind) makes "once" hold even when two runs overlap.
The command line and the task worker chase for each buyer in turn, as `Member.system(buyer)`.

Both services require `MANAGE_CONTRACTS` of the buyer first.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.models import Membership, Organisation, Role
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from . import selectors_status
from .models import Agreement, PerformanceAssessment, PerformanceRating, ReminderKind, ReportingPeriod, ReturnReminder
from .rules import buyer_require, person_require
from .selectors_agreements import agreement_get

ASSESSMENT_FIELDS = ["as_at", "proposed", "rating", "reason"]
CHASE_ACTIONS = {
    ReminderKind.REMINDER: AuditAction.RETURN_REMINDER_SENT,
    ReminderKind.ESCALATION: AuditAction.RETURN_ESCALATION_SENT,
}


@dataclass
class ReminderResult:
    """What one run sent: (agreement reference, period label, recipients) per email."""

    reminders: list[tuple[str, str, list[str]]] = field(default_factory=list)
    escalations: list[tuple[str, str, list[str]]] = field(default_factory=list)
    without_recipients: list[tuple[str, str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)

    def extend(self, other: "ReminderResult") -> None:
        """Add another run's emails to this one (the command and the task chase buyer by buyer)."""
        self.reminders.extend(other.reminders)
        self.escalations.extend(other.escalations)
        self.without_recipients.extend(other.without_recipients)
        self.failed.extend(other.failed)


def _emails_of(organisation: Organisation, role: str) -> list[str]:
    return sorted(
        Membership.objects.filter(organisation=organisation, role=role, user__is_active=True)
        .values_list("user__email", flat=True)
        .distinct()
    )


def _escalation_recipients(agreement: Agreement) -> list[str]:
    manager = agreement.contract_manager
    if manager is not None and manager.is_active:
        return [manager.email]
    return _emails_of(agreement.organisation, Role.CONTRACT_MANAGER)


def _link(slug: str, name: str, **kwargs: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs={"org": slug, **kwargs})


def _send_once(*, actor: User | None, period: ReportingPeriod, kind: str, recipients: list[str], today: date) -> bool:
    """Record the chase and send it, in one transaction: a recorded chase is never sent again, and a
    failed send records nothing, so the next run tries again."""
    agreement = period.agreement
    days_overdue = (today - period.return_due_date).days
    if kind == ReminderKind.REMINDER:
        template = "delivery/email/return_reminder.txt"
        subject = f"Delivery return overdue: {agreement.reference}, {period.label}"
        link = _link(agreement.supplier.slug, "delivery:agreement-detail", pk=agreement.pk)
    else:
        template = "delivery/email/return_escalation.txt"
        subject = f"Escalation: {agreement.supplier.name} has not sent its delivery return for {agreement.reference}"
        link = _link(agreement.organisation.slug, "delivery:overdue-returns")
    body = render_to_string(
        template, {"agreement": agreement, "period": period, "days_overdue": days_overdue, "link": link}
    )
    try:
        with transaction.atomic():
            ReturnReminder.objects.create(
                organisation=agreement.organisation, period=period, kind=kind, sent_to=recipients
            )
            audit_record(
                actor=actor,
                organisation=agreement.organisation,
                action=CHASE_ACTIONS[ReminderKind(kind)],
                target=period,
                trail=agreement,
                after={"kind": kind, "sent_to": recipients, "days_overdue": days_overdue},
            )
            send_mail(subject, body, None, recipients)
    except IntegrityError:
        # Another run recorded this chase first: it has gone out once already.
        return False
    return True


def _send_or_note(
    result: ReminderResult,
    *,
    actor: User | None,
    period: ReportingPeriod,
    kind: str,
    recipients: list[str],
    today: date,
) -> bool:
    try:
        return _send_once(actor=actor, period=period, kind=kind, recipients=recipients, today=today)
    except OSError as error:  # smtplib's errors are OSErrors
        result.failed.append((period.agreement.reference, period.label, f"{kind} not sent: {error}"))
        return False


def overdue_reminders_send(*, actor: User | None, member: Member, today: date) -> ReminderResult:
    """Chase every overdue return on the member's organisation's agreements (as buyer) once, and escalate
    those overdue for `escalation_days` or more once. A send that fails (the mail server refuses) records
    nothing and is tried again on the next run. `actor` is None when the system chases (cron, the task)."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    result = ReminderResult()
    periods = selectors_status.overdue_period_list(member=member, today=today).prefetch_related("reminders")
    for period in periods:
        agreement = period.agreement
        sent = {reminder.kind for reminder in period.reminders.all()}
        if ReminderKind.REMINDER not in sent:
            recipients = _emails_of(agreement.supplier, Role.SUPPLIER_CONTACT)
            if not recipients:
                result.without_recipients.append((agreement.reference, period.label, "no supplier contact"))
            elif _send_or_note(
                result, actor=actor, period=period, kind=ReminderKind.REMINDER, recipients=recipients, today=today
            ):
                result.reminders.append((agreement.reference, period.label, recipients))
        days_overdue = (today - period.return_due_date).days
        if ReminderKind.ESCALATION not in sent and days_overdue >= agreement.escalation_days:
            recipients = _escalation_recipients(agreement)
            if not recipients:
                result.without_recipients.append((agreement.reference, period.label, "no contract manager"))
            elif _send_or_note(
                result, actor=actor, period=period, kind=ReminderKind.ESCALATION, recipients=recipients, today=today
            ):
                result.escalations.append((agreement.reference, period.label, recipients))
    return result


@transaction.atomic
def assessment_confirm(
    *, actor: User | None, member: Member, agreement: Agreement, rating: str, reason: str, today: date | None = None
) -> PerformanceAssessment:
    """The officer confirms the proposed rating, or overrides it with a reason. The proposal is worked out
    again here from the figures as they stand, so what is stored is what the rules proposed."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    person = person_require(actor, "confirms a rating")
    agreement = agreement_get(member=member, pk=agreement.pk)
    buyer_require(member, agreement)
    if rating not in PerformanceRating.values:
        raise ApplicationError("Choose a rating", field_errors={"rating": "Choose a rating"})
    today = today or selectors_status.today_local()
    proposal = selectors_status.rating_proposal(member=member, agreement=agreement, today=today)
    reason = reason.strip()
    if rating != proposal.rating and not reason:
        raise ApplicationError(
            "Give the reason for a rating different from the proposal",
            field_errors={
                "reason": f"Enter why the rating is not the proposed “{proposal.rating.label.lower()}”",
            },
        )
    assessment = PerformanceAssessment.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        as_at=today,
        proposed=proposal.rating,
        proposal_reasons=[
            {"commitment": r.commitment_id, "measure": r.measure, "status": r.status, "reason": r.text}
            for r in proposal.reasons
        ],
        rating=rating,
        reason=reason,
        confirmed_by=person,
    )
    audit_record(
        actor=actor,
        organisation=agreement.organisation,
        action=AuditAction.ASSESSMENT_CONFIRMED if rating == proposal.rating else AuditAction.ASSESSMENT_OVERRIDDEN,
        target=assessment,
        trail=agreement,
        after=snapshot(assessment, ASSESSMENT_FIELDS),
    )
    return assessment
