"""Isolation registrations for a person's API tokens (commonweal/accounts/urls.py) and an organisation's
two-factor sign-in page (commonweal/accounts/urls_members.py, filled by `org` alone).

A token belongs to a person, not an organisation: revoking tenant A's manager's token as anyone else
must answer 404 and leave it working."""

from django.db.models import Model

from commonweal.accounts.models import ApiToken
from tests.conftest import Tenant
from tests.factories import api_token

PK_MODELS: dict[str, type[Model]] = {"accounts:api-token-revoke": ApiToken}
OWNER_POST: dict[str, tuple[str, int]] = {"accounts:api-token-revoke": ("manager", 302)}


def world_objects(a: Tenant, b: Tenant) -> dict[type[Model], int]:
    api_token(b.manager, name="Tenant B token")
    return {ApiToken: api_token(a.manager, name="Tenant A token").token.pk}
