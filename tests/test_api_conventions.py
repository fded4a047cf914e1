"""The conventions every API endpoint follows without declaring them: pages by number as well as by
offset, filters and `ordering` on every list, `ETag`/`If-None-Match` on reads, `Idempotency-Key` on
creating calls, and the browsable reference served from this site's own files."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from pytest_django import DjangoDbBlocker
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from commonweal.accounts.models import ApiToken
from commonweal.api.pagination import list_filter
from commonweal.core.models import AuditEvent, IdempotencyRecord

from . import factories
from .conftest import Tenant, built_once, make_tenant


@pytest.fixture(scope="module")
def tenant_once(django_db_blocker: DjangoDbBlocker) -> Iterator[tuple[Tenant, str]]:
    """Tenant A with five agreements (A-001 to A-005) and a read and write token for its manager."""

    def build() -> tuple[Tenant, str]:
        tenant = make_tenant("A")
        for number in range(2, 6):
            factories.AgreementFactory.create(
                organisation=tenant.buyer, supplier=tenant.supplier, reference=f"A-00{number}"
            )
        return tenant, factories.api_token(tenant.manager).key

    yield from built_once(django_db_blocker, build)


@pytest.fixture
def tenant(tenant_once: tuple[Tenant, str], db: None) -> Tenant:
    return tenant_once[0]


@pytest.fixture
def auth(tenant_once: tuple[Tenant, str]) -> dict[str, str]:
    return {"Authorization": f"Token {tenant_once[1]}"}


def agreements_url(tenant: Tenant) -> str:
    return reverse("api:agreement-list", kwargs={"org": tenant.buyer.slug})


def references(response: Any) -> list[str]:
    return [row["reference"] for row in response.json()]


# --- Pages by number --------------------------------------------------------------------------------


def test_a_list_comes_by_page_number_with_links_in_the_same_style(
    tenant: Tenant, auth: dict[str, str], client: Client
) -> None:
    url = agreements_url(tenant)
    second = client.get(url, {"page": "2", "page_size": "2"}, headers=auth)
    assert references(second) == ["A-003", "A-004"]
    assert second["X-Total-Count"] == "5"
    assert second["Link"] == (
        f'<http://testserver{url}?page=3&page_size=2>; rel="next", <http://testserver{url}?page_size=2>; rel="prev"'
    )
    last = client.get(url, {"page": "3", "page_size": "2"}, headers=auth)
    assert references(last) == ["A-005"] and 'rel="next"' not in last["Link"]
    beyond = client.get(url, {"page": "9", "page_size": "2"}, headers=auth)
    assert beyond.status_code == 200 and beyond.json() == []
    # limit/offset still work as before, and win over page numbers when both are sent.
    assert references(client.get(url, {"limit": "1", "offset": "1", "page": "3"}, headers=auth)) == ["A-002"]


def test_a_page_size_is_bounded_and_a_bad_page_is_the_first(
    tenant: Tenant, auth: dict[str, str], client: Client
) -> None:
    url = agreements_url(tenant)
    assert len(client.get(url, {"page_size": "100000"}, headers=auth).json()) == 5
    assert references(client.get(url, {"page": "x", "page_size": "1"}, headers=auth)) == ["A-001"]
    assert references(client.get(url, {"page": str(2**40), "page_size": "1"}, headers=auth)) == []


# --- Filters and ordering ---------------------------------------------------------------------------


def test_a_list_is_filtered_and_ordered_by_its_fields_in_the_database(
    tenant: Tenant, auth: dict[str, str], client: Client
) -> None:
    url = agreements_url(tenant)
    one = client.get(url, {"reference": "A-003"}, headers=auth)
    assert references(one) == ["A-003"] and one["X-Total-Count"] == "1"
    assert references(client.get(url, {"ordering": "-reference", "limit": "2"}, headers=auth)) == ["A-005", "A-004"]
    # A field through a relation (the buyer's slug) filters too.
    assert len(client.get(url, {"buyer": tenant.buyer.slug}, headers=auth).json()) == 5
    assert client.get(url, {"buyer": "someone-else"}, headers=auth).json() == []


def test_a_bad_filter_or_ordering_is_a_400_that_names_it(tenant: Tenant, auth: dict[str, str], client: Client) -> None:
    url = agreements_url(tenant)
    response = client.get(url, {"ordering": "secret"}, headers=auth)
    assert response.status_code == 400
    assert response.json()["errors"]["ordering"].startswith("“secret” is not a field to order by: use one of")
    response = client.get(url, {"start_date": "not a date"}, headers=auth)
    assert response.status_code == 400 and "start_date" in response.json()["errors"]


class _RowSerializer(serializers.Serializer):
    name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    active = serializers.BooleanField()
    worked_out = serializers.SerializerMethodField()

    def get_worked_out(self, row: Any) -> str:
        return "not a filter"


def test_a_list_worked_out_in_python_is_filtered_and_ordered_the_same_way() -> None:
    rows = [
        {"name": "b", "amount": Decimal("10"), "active": True},
        {"name": "a", "amount": Decimal("2.5"), "active": False},
        {"name": "c", "amount": None, "active": True},
    ]

    def answer(**params: Any) -> list[str]:
        request = Request(APIRequestFactory().get("/", params))
        return [row["name"] for row in list_filter(request, rows, _RowSerializer)]

    assert answer(active="true") == ["b", "c"]
    assert answer(amount="10") == ["b"]
    assert answer(ordering="amount") == ["a", "b", "c"]  # numbers as numbers, the unknown last
    assert answer(ordering="-amount") == ["b", "a", "c"]
    assert answer(ordering="-active,name") == ["b", "c", "a"]
    with pytest.raises(serializers.ValidationError):
        answer(ordering="worked_out")
    with pytest.raises(serializers.ValidationError):
        answer(active="perhaps")


def test_the_schema_is_valid_and_documents_every_convention_on_every_operation() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)  # raises on any departure from the OpenAPI 3.0 meta-schema
    paths = schema["paths"]
    assert paths["/api/v1/account/api-tokens/"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    lists = posts = 0
    for path, operations in paths.items():
        for method, operation in operations.items():
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            if method == "post":
                posts += 1
                assert "Idempotency-Key" in names, path
                assert {"409", "422"} <= set(operation["responses"]), path
            if method == "get":
                assert "If-None-Match" in names and "304" in operation["responses"], path
                body = operation["responses"]["200"].get("content", {}).get("application/json", {})
                if body.get("schema", {}).get("type") == "array":
                    lists += 1
                    assert {"page", "page_size", "limit", "offset"} <= names, path
                    if path != "/api/v1/organisations/{org}/overdue-returns/":
                        assert "ordering" in names, path
    assert lists >= 15 and posts >= 25
    agreements = paths["/api/v1/organisations/{org}/agreements/"]["get"]
    ordering = next(parameter for parameter in agreements["parameters"] if parameter["name"] == "ordering")
    assert {"reference", "-reference", "start_date"} <= set(ordering["schema"]["enum"])


# --- ETag ---------------------------------------------------------------------------------------------


def test_a_read_has_a_weak_etag_and_an_unchanged_one_answers_304(
    tenant: Tenant, auth: dict[str, str], client: Client
) -> None:
    url = agreements_url(tenant)
    first = client.get(url, headers=auth)
    etag = first["ETag"]
    assert etag.startswith('W/"') and len(etag) == 36
    again = client.get(url, headers={**auth, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(url, headers={**auth, "If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.head(url, headers=auth)["ETag"] == etag
    factories.AgreementFactory.create(organisation=tenant.buyer, supplier=tenant.supplier, reference="A-006")
    changed = client.get(url, headers={**auth, "If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag and len(changed.json()) == 6
    # Errors and pages outside the API carry none.
    assert "ETag" not in client.get(reverse("api:agreement-detail", kwargs={"org": "nope", "pk": 1}), headers=auth)


# --- Idempotency-Key --------------------------------------------------------------------------------


TOKENS = "api:api-token-list"


def create_token(client: Client, auth: dict[str, str], key: str, name: str = "Dashboard") -> Any:
    body = {"name": name, "scope": "read", "lifetime_days": 30}
    return client.post(reverse(TOKENS), body, content_type="application/json", headers={**auth, "Idempotency-Key": key})


def test_a_creating_call_sent_twice_with_one_key_creates_once_and_answers_the_same(
    tenant: Tenant, auth: dict[str, str], client: Client
) -> None:
    tokens, events = ApiToken.objects.count(), AuditEvent.objects.count()
    first = create_token(client, auth, "key-1")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    again = create_token(client, auth, "key-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()  # the same token, key included
    assert ApiToken.objects.count() == tokens + 1 and AuditEvent.objects.count() == events + 1
    # Without a key, or with another, it is a new call.
    assert create_token(client, auth, "key-2", name="Second").json()["id"] != first.json()["id"]


def test_the_same_key_with_another_request_is_a_422_and_changes_nothing(
    tenant: Tenant, auth: dict[str, str], client: Client
) -> None:
    create_token(client, auth, "key-3")
    tokens = ApiToken.objects.count()
    response = create_token(client, auth, "key-3", name="Another name")
    assert response.status_code == 422
    assert response.json()["errors"]["Idempotency-Key"].startswith("This Idempotency-Key was sent with a different")
    assert ApiToken.objects.count() == tokens


def test_a_refusal_is_kept_but_not_a_missing_sign_in(tenant: Tenant, auth: dict[str, str], client: Client) -> None:
    refused = create_token(client, auth, "key-4", name="")
    assert refused.status_code == 400
    assert create_token(client, auth, "key-4", name="")["Idempotent-Replayed"] == "true"
    anonymous = client.post(reverse(TOKENS), {}, content_type="application/json", headers={"Idempotency-Key": "k"})
    assert anonymous.status_code in (401, 403)
    assert not IdempotencyRecord.objects.filter(key="k").exists()


def test_a_key_is_each_persons_own_and_a_call_still_running_answers_409(
    tenant: Tenant, auth: dict[str, str], client: Client
) -> None:
    other = factories.api_token(tenant.supplier_user).key
    create_token(client, auth, "shared-key")
    theirs = create_token(client, {"Authorization": f"Token {other}"}, "shared-key")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    record = IdempotencyRecord.objects.get(user=tenant.manager, key="shared-key")
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=None)  # as if still running
    assert create_token(client, auth, "shared-key").status_code == 409


def test_a_bad_key_is_a_400(tenant: Tenant, auth: dict[str, str], client: Client) -> None:
    tokens = ApiToken.objects.count()
    assert create_token(client, auth, "x" * 256).status_code == 400
    assert ApiToken.objects.count() == tokens


# --- The browsable reference --------------------------------------------------------------------------


def test_the_reference_is_served_from_this_sites_own_files(client: Client) -> None:
    response = client.get(reverse("api:reference"))
    assert response.status_code == 200
    page = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "http" not in policy and "unsafe-inline" not in policy
    assert "<script>" not in page and "<style>" not in page  # nothing inline for the policy to allow
    for asset in ("swagger-ui-dist/swagger-ui.css", "swagger-ui-dist/swagger-ui-bundle.js"):
        assert f"/static/drf_spectacular_sidecar/{asset}" in page
        assert finders.find(f"drf_spectacular_sidecar/{asset}") is not None
    assert "https://" not in page
    script = client.get(reverse("api:reference") + "?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
    assert b'"validatorUrl": null' in script.content and b"/api/v1/schema/" in script.content
