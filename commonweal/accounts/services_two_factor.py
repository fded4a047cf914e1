"""Writes for two-factor sign-in: setting up an authenticator app with recovery codes, and checking a code
(which changes the device: a TOTP code cannot be used twice, a recovery code is used up)."""

import time

from django.db import transaction
from django_otp import match_token
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonweal.core.audit import audit_record
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction

from .models import User
from .two_factor import RECOVERY_CODE_COUNT, code_clean

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
WRONG_CODE = "Enter the 6-digit code your authenticator app shows now"
# One 30-second step either side, for a phone's clock that is a little out.
TOTP_TOLERANCE_STEPS = 1


@transaction.atomic
def two_factor_set_up(*, actor: User, key: str, code: str) -> list[str]:
    """Confirm the authenticator app that holds `key` (hex) with a code it shows, keep it as the actor's
    device (replacing any earlier one) and give them new recovery codes, returned once to be shown."""
    digits = code_clean(code)
    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time()
    if not digits.isdigit() or len(digits) != 6 or not totp.verify(int(digits), tolerance=TOTP_TOLERANCE_STEPS):
        raise ApplicationError("The code did not match.", field_errors={"code": WRONG_CODE})
    TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor, name=RECOVERY_CODES_NAME).delete()
    device = TOTPDevice.objects.create(user=actor, name=AUTHENTICATOR_NAME, key=key, confirmed=True, last_t=totp.t())
    codes = recovery_codes_create(actor=actor)
    audit_record(
        actor=actor, organisation=None, action=AuditAction.TWO_FACTOR_SET_UP, target=device, after={"name": device.name}
    )
    return codes


@transaction.atomic
def recovery_codes_create(*, actor: User) -> list[str]:
    """New single-use recovery codes for the actor; any earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=actor, name=RECOVERY_CODES_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_record(
        actor=actor,
        organisation=None,
        action=AuditAction.RECOVERY_CODES_CREATED,
        target=device,
        after={"count": len(codes)},
    )
    return codes


@transaction.atomic
def two_factor_check(*, actor: User, code: str) -> Device:
    """The actor's device that accepts `code` (a code from the app, or a recovery code, which is used up).
    Wrong codes slow further tries down (django-otp's throttling doubles the wait after each one)."""
    device = match_token(actor, code_clean(code))
    if device is None:
        raise ApplicationError(
            "The code did not match.",
            field_errors={"code": "Enter the code your authenticator app shows now, or one of your recovery codes"},
        )
    return device
