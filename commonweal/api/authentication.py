"""API authentication: a person's named tokens (`accounts.ApiToken`), sent as `Authorization: Token <key>`,
and the rule that a read-only token may only read."""

from typing import Any

from rest_framework import exceptions, permissions
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request

from commonweal.accounts.models import ApiToken
from commonweal.accounts.services import api_token_digest, api_token_touch

INVALID = "Invalid token."
EXPIRED = "This token has expired: create a new one on your API tokens page."
READ_ONLY = "This token may only read: create a read and write token to change data."


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(key_digest=api_token_digest(key)).first()
        if token is None or token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID)
        if token.is_expired:
            raise exceptions.AuthenticationFailed(EXPIRED)
        api_token_touch(token=token)
        return token.user, token


class TokenScopeAllows(permissions.BasePermission):
    """A read-only token gets 403 on any method that may change data; a session or a read and write
    token is not limited here (each endpoint still checks the person's own permissions)."""

    message = READ_ONLY

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and request.method not in permissions.SAFE_METHODS:
            return token.allows_writes
        return True
