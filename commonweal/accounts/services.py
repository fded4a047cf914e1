"""Writes for user accounts.

Accounts belong to people, not organisations: these services take no `member`. `user_create` is for the
operator (the demo loader, the command line, tests); a person creates and revokes only their own tokens.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction

from .models import ApiToken, ApiTokenScope, User

# How long a new token may last: a token is a password a program keeps, so it must end (OWASP ASVS 3.5).
API_TOKEN_LIFETIMES_DAYS = (30, 90, 365)
API_TOKEN_PREFIX_LENGTH = 8
REVOKED_BY_OWNER = "Revoked by its owner"
REVOKED_BY_PASSWORD_CHANGE = "The password was reset or changed"


def api_token_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def user_create(*, email: str, full_name: str, password: str | None = None) -> User:
    """A new account (system only: no page creates another person's account)."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(f"An account for {email} already exists.")
    return User.objects.create_user(email=email, password=password, full_name=full_name)


@transaction.atomic
def api_token_create(*, actor: User, name: str, scope: str, lifetime_days: int) -> tuple[ApiToken, str]:
    """A new named token for the actor, and its key (shown once: only its digest is stored)."""
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Enter a name for the token, like “Power BI report”"
    elif actor.api_tokens.usable().filter(name__iexact=name).exists():
        errors["name"] = "You already have a token with this name: choose another"
    if scope not in ApiTokenScope.values:
        errors["scope"] = "Choose what the token may do"
    if lifetime_days not in API_TOKEN_LIFETIMES_DAYS:
        errors["lifetime_days"] = "Choose how long the token lasts"
    if errors:
        raise ApplicationError("The token could not be created.", field_errors=errors)
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        scope=scope,
        key_digest=api_token_digest(key),
        key_prefix=key[:API_TOKEN_PREFIX_LENGTH],
        expires_at=timezone.now() + timedelta(days=lifetime_days),
    )
    audit_record(
        actor=actor,
        organisation=None,
        action=AuditAction.API_TOKEN_CREATED,
        target=token,
        after=snapshot(token, ["name", "scope", "key_prefix", "expires_at"]),
    )
    return token, key


def _revoke(*, actor: User | None, token: ApiToken, reason: str) -> None:
    token.revoked_at = timezone.now()
    token.revoked_reason = reason
    token.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        actor=actor,
        organisation=None,
        action=AuditAction.API_TOKEN_REVOKED,
        target=token,
        after=snapshot(token, ["name", "key_prefix", "revoked_at", "revoked_reason"]),
    )


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; it stops working at once. Another person's token is not found."""
    token = ApiToken.objects.select_for_update().filter(user=actor, pk=token_id).first()
    if token is None:
        raise ApplicationError("There is no such token.")
    if token.revoked_at is None:
        _revoke(actor=actor, token=token, reason=REVOKED_BY_OWNER)
    return token


@transaction.atomic
def api_tokens_revoke_for_password_change(*, user: User) -> int:
    """Revoke every token of a person whose password was reset or changed (whoever did it: the person, a
    reset link, the operator), so a token taken by whoever knew the old password stops working."""
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        _revoke(actor=user, token=token, reason=REVOKED_BY_PASSWORD_CHANGE)
    return len(tokens)


def api_token_touch(*, token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute (a usage note, not an audited change)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
