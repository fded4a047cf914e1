"""The signed-in person's unread notifications, for the count in the header."""

from typing import Any

from django.http import HttpRequest

from . import selectors


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": selectors.unread_count(user=user)}
