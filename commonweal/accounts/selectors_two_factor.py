"""Reads for two-factor sign-in: what the set-up page shows, and who in an organisation has not set it up."""

from dataclasses import dataclass

import segno
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonweal.tenancy.models import Membership
from commonweal.tenancy.selectors import Member

from .models import User
from .two_factor import REQUIRED_KINDS, key_as_text


@dataclass(frozen=True)
class AuthenticatorSetUp:
    key_text: str  # for typing into the app
    qr_svg: str  # the same key as a QR code, an inline SVG


def authenticator_set_up_for(*, user: User, key: str) -> AuthenticatorSetUp:
    device = TOTPDevice(user=user, key=key)
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, dark="#0b0c0c", light="#ffffff", omitsize=False)
    return AuthenticatorSetUp(key_text=key_as_text(key), qr_svg=svg)


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class MemberTwoFactor:
    full_name: str
    email: str
    role: str
    has_two_factor: bool


def members_two_factor(*, member: Member) -> list[MemberTwoFactor]:
    """Each person in the member's organisation and whether they have set up an authenticator app, those
    who have not first."""
    organisation = member.organisation
    with_app = set(
        TOTPDevice.objects.filter(confirmed=True, user__memberships__organisation=organisation).values_list(
            "user_id", flat=True
        )
    )
    people: dict[int, tuple[User, list[str]]] = {}
    for membership in Membership.objects.filter(organisation=organisation).select_related("user").order_by("role"):
        people.setdefault(membership.user_id, (membership.user, []))[1].append(membership.get_role_display())
    rows = [
        MemberTwoFactor(
            full_name=user.full_name,
            email=user.email,
            role=", ".join(roles),
            has_two_factor=user_id in with_app,
        )
        for user_id, (user, roles) in people.items()
    ]
    return sorted(rows, key=lambda row: (row.has_two_factor, row.full_name.lower(), row.email))


def two_factor_required_here(*, member: Member) -> bool:
    return bool(settings.TWO_FACTOR_ENFORCED) and member.organisation.kind in REQUIRED_KINDS
