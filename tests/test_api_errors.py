"""API errors are JSON in the API's one shape even when Django answers (no route, a fault), and HEAD is
answered wherever GET is, with GET's status and headers and no body."""

import pytest
from django.test import Client
from django.urls import reverse

from commonweal.api.views import OrganisationListApi
from commonweal.frameworks.models import PlanPublication

from .conftest import Tenant
from .test_plan import council, lead, published  # noqa: F401  (fixtures)

NOT_FOUND = {"detail": "No such resource."}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/organisations/council-a/agreements/not-a-number/",
        "/api/v1/organisations/council-a/agreements/1e9/",
        "/api/v1/no-such-endpoint/",
    ],
)
def test_an_api_url_that_matches_no_route_is_a_json_404(client: Client, tenant_a: Tenant, path: str) -> None:
    client.force_login(tenant_a.supplier_user)
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_a_page_url_that_matches_no_route_is_still_the_styled_page(client: Client) -> None:
    response = client.get("/o/council-a/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Page not found" in response.content.decode()


def test_a_fault_in_the_api_is_a_json_500_that_says_nothing_of_it(
    tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: OrganisationListApi, request: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(OrganisationListApi, "get", broken)
    client = Client(raise_request_exception=False)
    client.force_login(tenant_a.supplier_user)
    response = client.get(reverse("api:organisation-list"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Something went wrong on our side. Try again later."}


def test_a_fault_in_a_page_is_still_the_styled_page(tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("commonweal.frontend.views.organisation_list_for_user", lambda **_: 1 / 0)
    client = Client(raise_request_exception=False)
    client.force_login(tenant_a.supplier_user)
    response = client.get(reverse("frontend:home"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_head_of_the_plan_pdf_is_its_get_without_a_body(client: Client, published: PlanPublication) -> None:  # noqa: F811
    url = reverse("plans:plan-pdf", kwargs={"org": "northgate"})
    get = client.get(url)
    head = client.head(url)
    assert (get.status_code, head.status_code) == (200, 200)
    assert head["Content-Type"] == get["Content-Type"] == "application/pdf"
    assert head["Content-Length"] == str(len(get.content))
    assert head.content == b""


def test_head_answers_like_get_on_pages_and_the_api(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.manager)
    org = tenant_a.buyer.slug
    for url in [
        reverse("delivery:dashboard", kwargs={"org": org}),  # a GET-and-POST view
        reverse("delivery:agreement-detail", kwargs={"org": org, "pk": tenant_a.agreement.pk}),
        reverse("api:organisation-list"),
        reverse("api:agreement-list", kwargs={"org": org}),
        reverse("frontend:home"),
    ]:
        get, head = client.get(url), client.head(url)
        assert head.status_code == get.status_code, url
        assert head["Content-Type"] == get["Content-Type"], url
        assert head.content == b"", url


def test_head_of_a_missing_page_is_a_404(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.supplier_user)
    assert client.head("/api/v1/organisations/council-a/agreements/x/").status_code == 404
