"""The organisation's history: every audit event recorded against it, for its lead to search."""

from django.db.models import QuerySet

from commonweal.core.models import AuditAction, AuditEvent
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member


def organisation_history(*, member: Member) -> QuerySet[AuditEvent]:
    """Every event of the member's own organisation (its lead only), newest first."""
    permission_require(member, Permission.REVIEW_MEMBERS)
    return AuditEvent.objects.filter(organisation=member.organisation).select_related("actor")


def history_areas() -> list[tuple[str, str]]:
    """The areas events fall in, from the first part of each action ("agreement.created" → "Agreement")."""
    areas = {action.split(".", 1)[0] for action in AuditAction.values}
    return sorted(((area, area.replace("_", " ").capitalize()) for area in areas), key=lambda pair: pair[1])


def history_people(*, member: Member) -> list[tuple[str, str]]:
    """Who has acted in the organisation's history (as recorded, so people since removed stay findable)."""
    labels = organisation_history(member=member).order_by().values_list("actor_label", flat=True).distinct()
    return [(label, label) for label in sorted(labels)]
