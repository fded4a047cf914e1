"""Base models and the append-only audit log."""

from typing import Any

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")

    def for_trail(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(trail_type=obj._meta.label_lower, trail_id=str(obj.pk))


class AuditEvent(models.Model):
    """One write: who did what to which object, when, with the values before and after.

    `trail` names the object whose page shows the event (an agreement for its returns, say).
    """

    organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="audit_events", null=True
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor_label = models.CharField(max_length=255, help_text="Who acted, kept even if the user is renamed.")
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=255)
    trail_type = models.CharField(max_length=100)
    trail_id = models.CharField(max_length=64)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["trail_type", "trail_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field that changed; before is None for a new object."""
        keys = sorted(set(self.before) | set(self.after))
        return [
            (key, _readable(self.before.get(key)), _readable(self.after.get(key)))
            for key in keys
            if key not in self.before or self.before[key] != self.after.get(key)
        ]


def _readable(value: Any) -> Any:
    """A stored value as people read it: {"JOBS.1": "4"} → "JOBS.1: 4", ["a", "b"] → "a, b"; blank → None."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_readable(item)}" for key, item in value.items()) or None
    if isinstance(value, list):
        return ", ".join(str(_readable(item)) for item in value) or None
    return None if value == "" else value
