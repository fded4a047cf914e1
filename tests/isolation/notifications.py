"""Isolation registrations for a person's notifications (commonweal/notifications/urls.py).

A notification belongs to one person, not to an organisation: tenant A's manager's notification is a 404
for everyone else, marking it read as anyone else changes nothing, and the list, the unread count and
"mark all as read" of tenant B's people show and touch only their own."""

from django.db.models import Model

from commonweal.notifications import services
from commonweal.notifications.kinds import Kind
from commonweal.notifications.models import Notification
from tests.conftest import Tenant

A_TITLE = "Tenant A notification only its manager sees"

PK_MODELS: dict[str, type[Model]] = {"notifications:read": Notification}
OWNER_POST: dict[str, tuple[str, int]] = {
    "notifications:read": ("manager", 302),  # marks it read (audited) and goes back to the list
    "notifications:read-all": ("manager", 302),
}
NOT_TENANT_SCOPED: dict[str, str] = {
    "notifications:unsubscribe": "a signed link naming one person and one kind of email (token), for no page of data",
}
LEAK_MARKERS = [A_TITLE]


def _notify(tenant: Tenant, title: str) -> Notification:
    (made,) = services.notify(
        kind=Kind.RETURN_SUBMITTED,
        subject=tenant.agreement,
        recipients=[tenant.manager],
        organisation=tenant.buyer,
        title=title,
        body=f"{title}, in full.",
        link=f"/o/{tenant.buyer.slug}/agreements/{tenant.agreement.pk}/",
        key="isolation",
    )
    return made


def world_objects(a: Tenant, b: Tenant) -> dict[type[Model], int]:
    _notify(b, "Tenant B notification")
    return {Notification: _notify(a, A_TITLE).pk}
