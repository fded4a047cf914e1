"""A person's notifications, their choices of how to be told, and the daily digests sent.

A notification is one message to one person about one thing (a return, a line, a tender). The unique
constraint (kind, recipient, subject, key) makes "once" hold when two processes raise the same event at
the same time: the second insert is skipped. `key` tells apart events about the same object (each
query of a line, say, or each period of a reminder).
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from .kinds import Delivery, Kind

if TYPE_CHECKING:
    from commonweal.accounts.models import User


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def for_recipient(self, user: "User") -> "NotificationQuerySet":
        return self.filter(recipient=user)


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # The organisation the recipient acts for on the linked page (whose audit log records the notification).
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    subject_type = models.CharField(max_length=100, help_text="The model the notification is about.")
    subject_id = models.CharField(max_length=64)
    key = models.CharField(max_length=100, blank=True, help_text="Which event about the subject (a period, say).")
    title = models.CharField(max_length=300)
    body = models.TextField()
    link = models.CharField(max_length=500, help_text="The path of the exact page, without the site's address.")
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "subject_type", "subject_id", "key"], name="notification_once"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A person's choice for one kind; without a row, the kind is emailed straight away."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"


class DigestSend(models.Model):
    """One daily digest email to one person: at most one a day, even when two runs overlap."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    items = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"Digest for {self.recipient} on {self.day}"
