"""The demo network: three members, shared metrics with pledges, a joint programme and a published report."""

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from commonweal.demo.services import demo_load
from commonweal.networks.models import NetworkMembership, NetworkReport, Pledge, SharedMetric
from commonweal.tenancy.models import Organisation

from .conftest import built_once


@pytest.fixture(scope="module")
def demo_once(django_db_blocker: DjangoDbBlocker) -> Iterator[Organisation]:
    def build() -> Organisation:
        demo_load(procurement=False)
        return Organisation.objects.get(slug="northfield-anchors")

    yield from built_once(django_db_blocker, build)


@pytest.fixture
def network(demo_once: Organisation, db: None) -> Organisation:
    return demo_once


def test_the_demo_network_has_three_members_two_pledged_metrics_and_a_published_report(network: Organisation) -> None:
    members = NetworkMembership.objects.filter(network=network, state="active")
    assert sorted(members.values_list("organisation__slug", "sharing")) == [
        ("northfield", "detail"),
        ("northfield-nhs", "aggregates"),
        ("northfield-university", "aggregates"),
    ]
    pledged = SharedMetric.objects.filter(network=network, pledges__isnull=False).distinct()
    assert sorted(pledged.values_list("code", flat=True)) == ["apprenticeship-weeks", "local-spend"]
    assert Pledge.objects.filter(metric__network=network).count() == 6
    report = NetworkReport.objects.get(network=network)
    assert report.quarter == "2026Q1"
    figures = {metric["code"]: metric for metric in report.figures["metrics"]}
    assert figures["staff-trained"]["claimed"] == "224.00"
    assert (figures["local-spend"]["members_covered"], figures["local-spend"]["members_total"]) == (1, 3)
    assert figures["apprenticeship-weeks"]["verified"] == "20.00"
    assert report.figures["programmes"][0]["participants"] == 4
    assert Organisation.objects.get(slug="northfield").networks.filter(pk=network.pk).exists()


def test_loading_the_demo_again_adds_nothing_to_the_network(network: Organisation) -> None:
    before = (NetworkReport.objects.count(), Pledge.objects.count(), NetworkMembership.objects.count())
    demo_load(procurement=False)
    assert (NetworkReport.objects.count(), Pledge.objects.count(), NetworkMembership.objects.count()) == before


def test_the_demo_public_network_page(network: Organisation, client: Client) -> None:
    page = client.get(reverse("network-public:page", kwargs={"org": network.slug}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Northfield Anchor Network" in text and "Apprenticeship weeks completed" in text
