"""No member's detail reaches another member, or the coordinator, without consent.

The generic walk (tests/test_tenant_isolation.py, tests/isolation/networks.py) shows another tenant
reaches no network page. Here, inside one network of three (tests/networks_support.py): members never
reach each other's membership pages nor the coordinator's; the coordinator never reaches a member's own
pages; the coordinator sees agreements only of the member that shares detail; a member that shares
nothing is in no figure; and the public pages carry no agreement."""

import json
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from commonweal.networks import services_membership, services_reports
from commonweal.networks.figures import network_figures
from commonweal.networks.rules import Quarter

from . import factories
from .conftest import built_once
from .networks_support import Net, build

Q3 = Quarter(2026, 3)


@pytest.fixture(scope="module")
def net_once(django_db_blocker: DjangoDbBlocker) -> Iterator[Net]:
    yield from built_once(django_db_blocker, build)


@pytest.fixture
def net(net_once: Net, db: None) -> Net:
    return net_once


MEMBER_PAGES = ["membership-detail", "membership-sharing", "figure-submit", "pledge-set", "membership-answer"]


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_a_member_never_reaches_another_members_membership(net: Net, client: Client, name: str) -> None:
    client.force_login(net.leads["beta"])
    alpha = net.memberships["alpha"]
    for org in ("alpha", "beta"):  # Alpha's slug (not Beta's organisation), and Beta's slug with Alpha's membership
        response = client.get(reverse(f"networks:{name}", kwargs={"org": org, "pk": alpha.pk}))
        assert response.status_code == 404
        assert "ALPHA-SECRET" not in response.content.decode()
    if name == "membership-detail":
        return  # a page that only reads
    post = client.post(
        reverse(f"networks:{name}", kwargs={"org": "beta", "pk": alpha.pk}),
        {"nw-sharing": "none", "nw-answer": "decline"},
    )
    assert post.status_code == 404
    alpha.refresh_from_db()
    assert (alpha.sharing, alpha.state) == ("detail", "active")


@pytest.mark.parametrize("name", ["dashboard", "report-list", "metric-create", "member-invite"])
def test_a_member_never_reaches_the_coordinators_pages(net: Net, client: Client, name: str) -> None:
    client.force_login(net.leads["alpha"])
    assert client.get(reverse(f"networks:{name}", kwargs={"org": net.network.slug})).status_code == 404
    assert client.get(reverse(f"networks:{name}", kwargs={"org": "alpha"})).status_code == 404


def test_the_coordinator_never_reaches_a_members_own_pages(net: Net, client: Client) -> None:
    client.force_login(net.coordinator)
    for key in ("alpha", "beta"):
        pk = net.memberships[key].pk
        assert client.get(reverse("networks:membership-detail", kwargs={"org": key, "pk": pk})).status_code == 404
        assert client.get(reverse("networks:member-list", kwargs={"org": key})).status_code == 404
        assert (
            client.get(reverse("networks:membership-detail", kwargs={"org": net.network.slug, "pk": pk})).status_code
            == 404
        )
        assert (
            client.get(
                reverse("delivery:agreement-detail", kwargs={"org": key, "pk": net.agreements[key].pk})
            ).status_code
            == 404
        )


def test_the_coordinator_sees_agreements_only_where_the_member_shares_them(net: Net, client: Client) -> None:
    client.force_login(net.coordinator)
    text = client.get(
        reverse("networks:dashboard", kwargs={"org": net.network.slug}), {"quarter": "2026Q3"}
    ).content.decode()
    assert "ALPHA-SECRET-001" in text  # Alpha shares agreement-level detail
    assert "BETA-SECRET-001" not in text and "GAMMA-SECRET-001" not in text  # aggregates only
    assert "Beta NHS Trust works" not in text
    token = factories.api_token(net.coordinator)
    api = client.get(
        reverse("api:network-figures", kwargs={"org": net.network.slug}),
        {"quarter": "2026Q3"},
        headers={"Authorization": f"Token {token.key}"},
    ).content.decode()
    assert "ALPHA-SECRET-001" in api and "BETA-SECRET-001" not in api
    # Alpha narrows to aggregates: its agreements leave the coordinator's view at once.
    services_membership.sharing_set(
        actor=net.leads["alpha"],
        member=net.lead_member("alpha"),
        membership=net.memberships["alpha"],
        sharing="aggregates",
        named_in_benchmarks=True,
    )
    text = client.get(
        reverse("networks:dashboard", kwargs={"org": net.network.slug}), {"quarter": "2026Q3"}
    ).content.decode()
    assert "SECRET" not in text
    assert "Alpha Council" in text  # named in benchmarking, as it agreed


def test_a_member_that_shares_nothing_is_in_no_figure(net: Net) -> None:
    services_membership.sharing_set(
        actor=net.leads["alpha"],
        member=net.lead_member("alpha"),
        membership=net.memberships["alpha"],
        sharing="none",
        named_in_benchmarks=True,
    )
    figures = network_figures(network=net.network, quarter=Q3, include_detail=True).figures
    jobs = next(m for m in figures["metrics"] if m["code"] == "jobs")
    # Without Alpha, Beta's line with the shared reference counts (nothing of Alpha's is compared).
    assert (jobs["claimed"], jobs["verified"], jobs["members_covered"]) == ("12.00", "12.00", 2)
    assert all(row["label"] != "Alpha Council" for row in jobs["benchmark"]["rows"])
    assert jobs["pledges"]["count"] == 1
    assert "ALPHA-SECRET" not in json.dumps(figures)


def test_members_and_the_public_see_aggregates_only(net: Net, client: Client) -> None:
    report = services_reports.report_publish(actor=net.coordinator, member=net.coordinator_member(), quarter="2026Q3")
    for name in (
        "network-public:page",
        "network-public:report",
        "network-public:report-json",
        "network-public:report-csv",
    ):
        kwargs: dict[str, object] = {"org": net.network.slug}
        if name != "network-public:page":
            kwargs["pk"] = report.pk
        text = Client().get(reverse(name, kwargs=kwargs)).content.decode()
        assert "SECRET" not in text and "Council works" not in text and "Trust works" not in text, name
    client.force_login(net.leads["beta"])
    page = client.get(
        reverse("networks:membership-detail", kwargs={"org": "beta", "pk": net.memberships["beta"].pk})
    ).content.decode()
    assert "ALPHA-SECRET" not in page and "GAMMA-SECRET" not in page
