"""Every list in the API comes a page at a time, with a page size that has a maximum, so one call cannot
return unbounded data."""

from typing import Any

from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from commonweal.api.pagination import LIST_PAGE_SIZE_MAX, ListPagination

from . import factories
from .conftest import Tenant


def get(client: Client, tenant: Tenant, url: str) -> Any:
    token = factories.api_token(tenant.manager)
    return client.get(url, headers={"Authorization": f"Token {token.key}"})


def test_every_list_operation_in_the_schema_takes_a_limit_and_an_offset() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    lists = []
    for path, operations in schema["paths"].items():
        get_operation = operations.get("get")
        if not get_operation:
            continue
        body = get_operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if body.get("schema", {}).get("type") != "array":
            continue
        lists.append(path)
        names = {parameter["name"] for parameter in get_operation.get("parameters", [])}
        assert {"limit", "offset"} <= names, path
        assert {"X-Total-Count", "Link"} <= set(get_operation["responses"]["200"].get("headers", {})), path
    assert len(lists) >= 10  # agreements, commitments, returns, periods, overdue returns, reports, ...


def test_the_agreement_list_comes_a_page_at_a_time_with_its_total_and_links(tenant_a: Tenant, client: Client) -> None:
    for _ in range(4):
        factories.AgreementFactory.create(organisation=tenant_a.buyer, supplier=tenant_a.supplier)
    url = reverse("api:agreement-list", kwargs={"org": tenant_a.buyer.slug})
    everything = get(client, tenant_a, url)
    assert everything["X-Total-Count"] == "5"
    assert len(everything.json()) == 5
    assert "Link" not in everything
    first = get(client, tenant_a, url + "?limit=2")
    assert [row["reference"] for row in first.json()] == [row["reference"] for row in everything.json()[:2]]
    assert first["Link"] == f'<http://testserver{url}?limit=2&offset=2>; rel="next"'
    last = get(client, tenant_a, url + "?limit=2&offset=4")
    assert [row["reference"] for row in last.json()] == [everything.json()[4]["reference"]]
    assert 'rel="prev"' in last["Link"] and 'rel="next"' not in last["Link"]


def test_a_page_never_holds_more_than_the_maximum() -> None:
    request = Request(APIRequestFactory().get("/", {"limit": "100000"}))
    paginator = ListPagination()
    page: list[int] | None = paginator.paginate_queryset(list(range(LIST_PAGE_SIZE_MAX + 100)), request)
    assert page is not None and len(page) == LIST_PAGE_SIZE_MAX == 500
    assert paginator.count == 600
