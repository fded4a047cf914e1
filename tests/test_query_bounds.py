"""The pages and API calls a person uses every day run a bounded number of database queries whatever the
data size: each is counted on a small world made by `commonweal demo scale` and on one ten times larger
(ten times the agreements, commitments, periods, returns, lines and payments), and the counts must match."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from commonweal.accounts.models import User
from commonweal.delivery.models import Agreement
from commonweal.demo.selectors_scale import body_slug
from commonweal.demo.services_scale import scale_generate

# The tests read only what the module's fixture counted; the mark has the test database made.
pytestmark = pytest.mark.django_db
SMALL_AGREEMENTS, SMALL_PAYMENTS = 3, 500

# (name, the URL for the body's slug and its first agreement's pk)
CALLS: list[tuple[str, Callable[[str, int], str]]] = [
    # Home sends a member of one organisation on to its dashboard: both requests are counted.
    ("home", lambda org, pk: reverse("frontend:home")),
    ("agreement list", lambda org, pk: reverse("delivery:agreement-list", kwargs={"org": org})),
    ("agreement", lambda org, pk: reverse("delivery:agreement-detail", kwargs={"org": org, "pk": pk})),
    ("procurement list", lambda org, pk: reverse("procurement:procurement-list", kwargs={"org": org})),
    ("spend dashboard", lambda org, pk: reverse("spend:dashboard", kwargs={"org": org})),
    ("overdue returns", lambda org, pk: reverse("delivery:overdue-returns", kwargs={"org": org})),
    ("API agreement list", lambda org, pk: reverse("api:agreement-list", kwargs={"org": org})),
    ("API agreement", lambda org, pk: reverse("api:agreement-detail", kwargs={"org": org, "pk": pk})),
    ("API overdue returns", lambda org, pk: reverse("api:overdue-returns", kwargs={"org": org})),
    ("API delivery dashboard", lambda org, pk: reverse("api:dashboard", kwargs={"org": org})),
]


# The most queries each call may make: what it made on 2026-12-06 (the same on SQLite and PostgreSQL), and 3 more.
QUERIES_MAX = {
    "home": 38,
    "agreement list": 17,
    "agreement": 30,
    "procurement list": 13,
    "spend dashboard": 25,
    "overdue returns": 15,
    "API agreement list": 10,
    "API agreement": 12,
    "API overdue returns": 13,
    "API delivery dashboard": 12,
}


@dataclass
class Counted:
    status: int
    queries: int


def _count_all(agreements: int, payments: int) -> dict[str, Counted]:
    """Generate one body, then count the queries of each call, each with an empty cache."""
    scale_generate(organisations=1, seed=7, agreements_per_body=agreements, payments_per_body=payments)
    slug = body_slug(1)
    agreement = Agreement.objects.filter(organisation__slug=slug).order_by("reference").first()
    assert agreement is not None
    client = Client()
    client.force_login(User.objects.get(email=f"manager@{slug}.example"))
    counted = {}
    for name, url in CALLS:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(slug, agreement.pk), follow=True)
        counted[name] = Counted(response.status_code, len(queries))
    return counted


@pytest.fixture(scope="module")
def counts(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[dict[str, list[Counted]]]:
    """Each call counted on the small world and on the ten-times world, each built and rolled back in turn."""
    found: dict[str, list[Counted]] = {name: [] for name, _ in CALLS}
    database = connections[DEFAULT_DB_ALIAS]
    # The end of a request would close a connection held in a transaction (see conftest.built_once).
    database.close_if_unusable_or_obsolete = lambda: None  # type: ignore[method-assign]
    try:
        with django_db_blocker.unblock():
            for factor in (1, 10):
                with transaction.atomic():
                    for name, counted in _count_all(SMALL_AGREEMENTS * factor, SMALL_PAYMENTS * factor).items():
                        found[name].append(counted)
                    transaction.set_rollback(True)
    finally:
        del database.close_if_unusable_or_obsolete
    yield found


def test_every_call_answers_and_its_query_count_does_not_grow_with_the_data(
    counts: dict[str, list[Counted]],
) -> None:
    """One test for every call, so that the two worlds are built once even when tests run on several
    processes. Each differing count is listed as (small world, ten times larger)."""
    assert {name: [item.status for item in both] for name, both in counts.items()} == {
        name: [200, 200] for name, _ in CALLS
    }
    grown = {name: (small.queries, large.queries) for name, (small, large) in counts.items()}
    assert {name: pair for name, pair in grown.items() if pair[0] != pair[1]} == {}
    # And a budget for each (docs/performance.md "Query counts"), so that a page taking on queries is noticed.
    over = {name: small for name, (small, _) in grown.items() if small > QUERIES_MAX[name]}
    assert over == {}, f"over the budget of {QUERIES_MAX}"
