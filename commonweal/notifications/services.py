"""Writes for notifications: `notify` records one notification per person (once), audits it and queues its
email; the email, the daily digest, marking read and a person's choices.

`notify` is called after the event's own transaction has committed (see `events.py`), so a notification
is never sent about something that was rolled back. The unique constraint on (kind, recipient, subject,
key) is the one guard against doubles: an insert that collides is skipped, whoever raced it.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.models import Organisation

from . import links
from .kinds import RULES, Delivery, Kind, choices_for, is_mandatory
from .models import DigestSend, Notification, NotificationPreference


def delivery_for(user: User, kind: str) -> str:
    """How `user` wants `kind` by email (straight away unless they chose otherwise)."""
    chosen = NotificationPreference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first()
    if chosen is None or (chosen == Delivery.OFF and is_mandatory(kind)):
        return Delivery.IMMEDIATE
    return str(chosen)


def _email_queue(notification_id: int) -> None:
    from .tasks import notification_email_task

    transaction.on_commit(lambda: notification_email_task.enqueue(notification_id=notification_id))


def notify(
    *,
    kind: Kind,
    subject: models.Model,
    recipients: Iterable[User],
    organisation: Organisation,
    title: str,
    body: str,
    link: str,
    key: str = "",
) -> list[Notification]:
    """Tell each active recipient once about `subject`, acting for `organisation` (whose page `link`
    is). Returns the notifications made now: none for a person told already."""
    made = []
    seen: set[int] = set()
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        delivery = delivery_for(user, kind)
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user,
                    organisation=organisation,
                    kind=kind,
                    subject_type=subject._meta.label_lower,
                    subject_id=str(subject.pk),
                    key=key,
                    title=title[:300],
                    body=body,
                    link=link,
                    delivery=delivery,
                )
                audit_record(
                    actor=None,
                    organisation=organisation,
                    action=AuditAction.NOTIFICATION_SENT,
                    target=notification,
                    after={"kind": kind.label, "to": user.email, "title": notification.title, "email": delivery},
                )
                if delivery == Delivery.IMMEDIATE:
                    _email_queue(notification.pk)
        except IntegrityError:
            continue  # told already (by this event before, or by a run at the same moment)
        made.append(notification)
    return made


# --- Email ------------------------------------------------------------------------------------------


def _email(*, to: str, subject: str, template: str, context: Mapping[str, object]) -> None:
    context = {**context, "service_name": settings.SERVICE_NAME}
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, None, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification, once: the row is locked and marked in the same transaction, so a second
    worker (or a retry) finds it sent. A failed send marks nothing and raises, for the task to retry."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        recipient = notification.recipient
        context = {
            "notification": notification,
            "recipient": recipient,
            "link": links.absolute(notification.link),
            "unsubscribe": (
                None
                if is_mandatory(notification.kind)
                else links.absolute(links.unsubscribe_path(recipient, notification.kind))
            ),
            "preferences": links.absolute(links.preferences_path()),
        }
        _email(to=recipient.email, subject=notification.title, template="notification", context=context)
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def digest_send(*, today: date, now: datetime | None = None) -> list[tuple[str, int]]:
    """Send each person with notifications waiting for the digest one email with all of them, at most
    once a day (a second run the same day, or one at the same moment, sends nothing). Returns
    (email, items) per digest sent."""
    now = now or timezone.now()
    waiting = Notification.objects.filter(
        delivery=Delivery.DIGEST, digested_at__isnull=True, emailed_at__isnull=True, created_at__lte=now
    )
    sent = []
    for user in User.objects.filter(pk__in=waiting.values("recipient")).order_by("pk"):
        try:
            with transaction.atomic():
                record = DigestSend.objects.create(recipient=user, day=today)
                items = list(
                    waiting.filter(recipient=user).select_for_update(of=("self",)).order_by("created_at", "id")
                )
                if not items:
                    transaction.set_rollback(True)
                    continue
                _email(
                    to=user.email,
                    subject=f"{settings.SERVICE_NAME}: your daily summary ({len(items)} new)",
                    template="digest",
                    context={
                        "recipient": user,
                        "items": [(item, links.absolute(item.link)) for item in items],
                        "preferences": links.absolute(links.preferences_path()),
                    },
                )
                Notification.objects.filter(pk__in=[item.pk for item in items]).update(digested_at=now)
                record.items = len(items)
                record.save(update_fields=["items"])
                audit_record(
                    actor=None,
                    organisation=None,
                    action=AuditAction.NOTIFICATION_DIGEST_SENT,
                    target=record,
                    after={"to": user.email, "day": today.isoformat(), "items": len(items)},
                )
        except IntegrityError:
            continue  # today's digest went already
        sent.append((user.email, len(items)))
    return sent


# --- A person's own list and choices -----------------------------------------------------------------


def notification_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read (someone else's is as if it did not exist)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().filter(pk=notification_id, recipient_id=actor.pk).first()
        )
        if notification is None:
            raise ApplicationError("There is no such notification.")
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            audit_record(
                actor=actor,
                organisation=notification.organisation,
                action=AuditAction.NOTIFICATION_READ,
                target=notification,
                after={"read_at": notification.read_at.isoformat()},
            )
    return notification


def notifications_read_all(*, actor: User) -> int:
    """Mark every unread notification of the actor's read; returns how many."""
    with transaction.atomic():
        unread = list(Notification.objects.for_recipient(actor).unread().select_for_update())
        now = timezone.now()
        for notification in unread:
            notification.read_at = now
            notification.save(update_fields=["read_at"])
            audit_record(
                actor=actor,
                organisation=notification.organisation,
                action=AuditAction.NOTIFICATION_READ,
                target=notification,
                after={"read_at": now.isoformat()},
            )
    return len(unread)


def preferences_set(*, actor: User, choices: Mapping[str, str]) -> dict[str, str]:
    """Record the actor's choice for each kind named. A mandatory kind cannot be turned off; an unknown
    kind or choice is refused and nothing is changed."""
    errors = {}
    for kind, delivery in choices.items():
        if kind not in RULES:
            errors[kind] = "Choose a kind of notification from the list"
        elif delivery not in dict(choices_for(kind)):
            errors[kind] = (
                f"“{Kind(kind).label}” cannot be turned off: choose straight away or the daily summary"
                if delivery == Delivery.OFF
                else f"Choose how you want to hear that {Kind(kind).label[0].lower()}{Kind(kind).label[1:]}"
            )
    if errors:
        raise ApplicationError("There is a problem with your choices.", field_errors=errors)
    with transaction.atomic():
        before = dict(NotificationPreference.objects.filter(user=actor).values_list("kind", "delivery"))
        for kind, delivery in choices.items():
            NotificationPreference.objects.update_or_create(user=actor, kind=kind, defaults={"delivery": delivery})
        after = dict(NotificationPreference.objects.filter(user=actor).values_list("kind", "delivery"))
        if before != after:
            audit_record(
                actor=actor,
                organisation=None,
                action=AuditAction.NOTIFICATION_PREFERENCES_CHANGED,
                target=actor,
                before=before,
                after=after,
            )
    return after


def unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn off emails of the kind a signed unsubscribe link names, for the person it names."""
    found = links.unsubscribe_read(token)
    user = User.objects.filter(pk=found[0], is_active=True).first() if found else None
    if found is None or user is None or found[1] not in RULES:
        raise ApplicationError("This link does not work. Sign in to choose which emails you get.")
    kind = found[1]
    if is_mandatory(kind):
        raise ApplicationError(f"Emails about “{Kind(kind).label.lower()}” cannot be turned off.")
    preferences_set(actor=user, choices={kind: Delivery.OFF})
    return user, kind
