"""The two-factor sign-in rules, shared by the middleware, the selectors and the services.

Who must use it: every member of a public body or a network (OWASP ASVS level 2, which councils are
asked for). Anyone else (suppliers, community organisations) may turn it on, and once they have, is
asked for a code like everyone else. The key of an authenticator app is the TOTP key of RFC 6238 (30
seconds, 6 digits, SHA-1), which every authenticator app reads from the QR code or the text key.
"""

import base64
from typing import Any

from django.conf import settings
from django_otp import user_has_device

from commonweal.tenancy.models import Membership, OrganisationKind

REQUIRED_KINDS = (OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK)
RECOVERY_CODE_COUNT = 10


def two_factor_required(user: Any) -> bool:
    """Must this person use two-factor sign-in (a member of a public body or a network)?"""
    return Membership.objects.filter(user=user, organisation__kind__in=REQUIRED_KINDS).exists()


def two_factor_enforced_for(user: Any) -> bool:
    return bool(settings.TWO_FACTOR_ENFORCED) and two_factor_required(user)


def has_two_factor(user: Any) -> bool:
    """Has this person set up two-factor sign-in (a confirmed device of any kind)?"""
    return bool(user_has_device(user, confirmed=True))


def key_as_text(hex_key: str) -> str:
    """The key as authenticator apps take it typed in: base32, in groups of four."""
    text = base64.b32encode(bytes.fromhex(hex_key)).decode("ascii").rstrip("=")
    return " ".join(text[index : index + 4] for index in range(0, len(text), 4))


def code_clean(code: str) -> str:
    """What a person types, as it is checked: no spaces or dashes, lower case (recovery codes)."""
    return "".join(code.split()).replace("-", "").lower()
