"""Addresses in notifications: the path of the exact page, the site's full address for emails, and the
signed unsubscribe link (it works without signing in, and only for the one person and kind it names)."""

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

UNSUBSCRIBE_SALT = "commonweal.notifications.unsubscribe"


def path(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs=kwargs)


def absolute(link: str) -> str:
    return settings.SITE_URL.rstrip("/") + link


def preferences_path() -> str:
    return reverse("notifications:preferences")


def unsubscribe_token(user: Any, kind: str) -> str:
    return signing.dumps({"user": user.pk, "kind": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """The (user id, kind) a token names, or None if it was not made here or was changed."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("user"), int) or not isinstance(value.get("kind"), str):
        return None
    return value["user"], value["kind"]


def unsubscribe_path(user: Any, kind: str) -> str:
    return reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user, kind)})
