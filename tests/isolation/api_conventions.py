"""Isolation registrations for managing frameworks through the API (commonweal/api/frameworks_manage.py),
a person's API tokens through the API (commonweal/api/accounts_tokens.py), creating many agreements at
once (commonweal/api/delivery_agreements.py) and an organisation's people
(commonweal/api/tenancy_members.py).

The framework routes use the objects `framework_objects` in tests/test_tenant_isolation.py makes: the
agreement's framework (a draft is started on it), the fork's draft version 2 (added to and published)
with its theme, outcome and measure (each changed and removed) and, for forking, the agreement's published
version. A token belongs to a person: revoking tenant A's manager's token as anyone else answers 404 and
leaves it working."""

import json
from typing import Any

from django.db.models import Model

from commonweal.accounts.models import ApiToken
from commonweal.frameworks.models import Framework, FrameworkVersion, Measure, Outcome, Theme
from commonweal.tenancy.models import Membership, Role
from tests.conftest import Tenant
from tests.factories import MembershipFactory, UserFactory, api_token

PK_MODELS: dict[str, type[Model]] = {
    "api:framework-draft": Framework,
    "api:framework-version-fork": FrameworkVersion,
    "api:framework-version-publish": FrameworkVersion,
    "api:framework-version-theme-add": FrameworkVersion,
    "api:framework-version-outcome-add": FrameworkVersion,
    "api:framework-version-measure-add": FrameworkVersion,
    "api:framework-version-export": FrameworkVersion,
    "api:api-token-revoke": ApiToken,
    "api:member-remove": Membership,
    "api:framework-measure-update": Measure,
    "api:framework-theme-update": Theme,
    "api:framework-outcome-update": Outcome,
    "api:framework-theme-remove": Theme,
    "api:framework-outcome-remove": Outcome,
    "api:framework-measure-remove": Measure,
}
OWNER_POST: dict[str, tuple[str, int]] = {
    "api:framework-create": ("manager", 201),
    "api:framework-import": ("manager", 201),
    "api:framework-draft": ("manager", 201),
    "api:framework-version-fork": ("manager", 201),
    "api:framework-version-publish": ("manager", 200),
    "api:framework-version-theme-add": ("manager", 201),
    "api:framework-version-outcome-add": ("manager", 201),
    "api:framework-version-measure-add": ("manager", 201),
    "api:api-token-revoke": ("manager", 200),
    "api:agreement-bulk": ("manager", 201),
    "api:member-list": ("manager", 201),
    "api:member-remove": ("manager", 204),
    "api:framework-measure-update": ("manager", 200),
    "api:framework-theme-update": ("manager", 200),
    "api:framework-outcome-update": ("manager", 200),
    "api:framework-theme-remove": ("manager", 204),
    "api:framework-outcome-remove": ("manager", 204),
    "api:framework-measure-remove": ("manager", 204),
}
# Tenant A's framework versions belong to its buyer: its supplier, with its own slug, gets a 404.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {"api:framework-version-export": {"supplier": 404}}


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    api_token(b.manager, name="Tenant B token for the API")
    return {
        "api:api-token-revoke": api_token(a.manager, name="Tenant A token for the API").token.pk,
        # Forking takes a published version: the agreement's.
        "api:framework-version-fork": a.agreement.framework_version_id,
        # A viewer of tenant A's buyer, for its lead to remove.
        "api:member-remove": MembershipFactory.create(
            user=UserFactory.create(email="tenant-a-viewer@example.org", full_name="Tenant A viewer"),
            organisation=a.buyer,
            role=Role.VIEWER,
        ).pk,
    }


def post_data(tenant: Tenant) -> dict[str, Any]:
    """The draft's first theme and outcome, by code, for adding an outcome and a measure to them; one
    agreement for creating many at once (a JSON list in the form)."""
    measure = (
        Measure.objects.filter(version__organisation=tenant.buyer, version__status="draft")
        .select_related("outcome__theme")
        .order_by("pk")
        .first()
    )
    agreement = tenant.agreement
    bulk = [
        {
            "reference": f"{agreement.reference}-BULK",
            "title": "Tenant bulk agreement",
            "supplier": tenant.supplier.slug,
            "value": "250000",
            "start_date": "2026-01-01",
            "end_date": "2099-12-31",
            "framework_version": agreement.framework_version_id,
            "return_frequency": "annual",
        }
    ]
    codes = {"theme_code": measure.outcome.theme.code, "outcome_code": measure.outcome.code} if measure else {}
    # A person added to the organisation with a role.
    person = {"email": "tenant-new-person@example.org", "full_name": "Tenant new person", "role": Role.VIEWER}
    return {"agreements": json.dumps(bulk), **codes, **person}
