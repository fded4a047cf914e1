"""The limit on failed sign-ins (django-axes), with two rules axes does not have on its own:

- one email address's failures count whatever case it was typed in (`COMMUNITY@…` is `community@…`);
- one client address is also locked across every email address it tries (password spraying), at a
  higher limit than one email address from it, since many officers may share an office's address.

Attempts made while locked out are not recorded (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off), so
the cool-off runs from the last failure before the lock-out and cannot be extended by retrying.
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def username_from_request(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The email address tried, in lower case (AXES_USERNAME_CALLABLE)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field) if credentials else None
    if value is None:
        value = request.POST.get(field) if hasattr(request, "POST") else None
    return str(value).strip().lower() if value is not None else None


def address_failures(ip_address: str | None) -> int:
    """Failed sign-ins from one client address, for every email address, within the cool-off."""
    if not ip_address:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return int(total or 0)


class SignInLockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return address_failures(getattr(request, "axes_ip_address", None)) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
