"""Recording writes in the audit log; every service calls `audit_record` inside its transaction."""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models

from .models import AuditAction, AuditEvent

if TYPE_CHECKING:  # core sits below accounts and tenancy: their models are named here only for the types
    from commonweal.accounts.models import User
    from commonweal.tenancy.models import Organisation


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of `obj` as JSON-safe values, for the before and after of an event."""
    return {name: _json_value(getattr(obj, name)) for name in fields}


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "url"):  # a stored file
        return value.name or ""
    return value


def audit_record(
    *,
    actor: "User | None",  # None: the system (the command line, a task, the demo loader)
    organisation: "Organisation | None",
    action: AuditAction,
    target: models.Model,
    trail: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    trail = trail or target
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.email if actor is not None and actor.email else "system",
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_label=str(target)[:255],
        trail_type=trail._meta.label_lower,
        trail_id=str(trail.pk),
        before=before or {},
        after=after or {},
    )
