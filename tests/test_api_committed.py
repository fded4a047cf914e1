"""The API's framework, token and people writes, and `Idempotency-Key`, outside a wrapping transaction: each
request commits as in production, so on PostgreSQL a lock taken outside its service's transaction, or a
unique-key race that leaves the connection unusable, would fail here."""

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from commonweal.accounts.models import ApiToken
from commonweal.core.models import IdempotencyRecord
from commonweal.frameworks.models import Framework
from commonweal.tenancy.models import Role

from .conftest import make_tenant
from .factories import MembershipFactory, api_token


@pytest.mark.django_db(transaction=True)
def test_framework_token_and_people_writes_through_the_api_committed() -> None:
    tenant = make_tenant("A")
    MembershipFactory.create(user=tenant.manager, organisation=tenant.buyer, role=Role.SOCIAL_VALUE_LEAD)
    auth = {"Authorization": f"Token {api_token(tenant.manager).key}"}
    client = Client()
    org = tenant.buyer.slug
    framework = tenant.agreement.framework_version.framework

    def post(name: str, data: dict[str, Any], **kwargs: Any) -> Any:
        url = reverse(f"api:{name}", kwargs={"org": org, **kwargs})
        return client.post(url, data, content_type="application/json", headers=auth)

    draft = post("framework-draft", {}, pk=framework.pk)
    assert draft.status_code == 201, draft.content
    version = draft.json()["id"]
    assert post("framework-version-theme-add", {"code": "NEW", "title": "New"}, pk=version).status_code == 201
    published = post("framework-version-publish", {"notes": "Adds a theme"}, pk=version)
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert framework.versions.filter(status="published").count() == 2

    created = client.post(
        reverse("api:api-token-list"),
        {"name": "Committed", "scope": "read", "lifetime_days": 30},
        content_type="application/json",
        headers=auth,
    )
    assert created.status_code == 201
    revoked = client.post(reverse("api:api-token-revoke", kwargs={"pk": created.json()["id"]}), headers=auth)
    assert revoked.status_code == 200 and ApiToken.objects.get(pk=created.json()["id"]).revoked_at is not None
    assert Framework.objects.filter(organisation=tenant.buyer).count() == 1

    members = reverse("api:member-list", kwargs={"org": org})
    added = client.post(members, {"email": "new@example.org", "full_name": "New", "role": "viewer"}, headers=auth)
    assert added.status_code == 201, added.content
    removed = client.post(reverse("api:member-remove", kwargs={"org": org, "pk": added.json()["id"]}), headers=auth)
    assert removed.status_code == 204


@pytest.mark.django_db(transaction=True)
def test_two_calls_racing_with_one_key_create_once_committed() -> None:
    tenant = make_tenant("A")
    auth = {"Authorization": f"Token {api_token(tenant.manager).key}", "Idempotency-Key": "race"}
    body = {"name": "Raced", "scope": "read", "lifetime_days": 30}
    statuses: list[int] = []
    start = threading.Barrier(2)

    def call() -> None:
        try:
            start.wait()
            response = Client().post(reverse("api:api-token-list"), body, content_type="application/json", headers=auth)
            statuses.append(response.status_code)
        finally:
            connection.close()

    if connection.vendor == "sqlite":  # one writer at a time: the same calls, one after the other
        start = threading.Barrier(1)
        call()
        call()
    else:
        threads = [threading.Thread(target=call) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # One created the token; the other was answered with it (201) or told the first is still running (409).
    assert sorted(statuses) in ([201, 201], [201, 409])
    assert ApiToken.objects.filter(name="Raced").count() == 1
    assert IdempotencyRecord.objects.get(key="race").status_code == 201
