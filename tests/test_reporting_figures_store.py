"""The worker stores the open years' budget figures after a committed change (`figures_store.py`), so the
budget page of any process reads them instead of working them out. Committed: outside a test transaction."""

from decimal import Decimal as D
from unittest.mock import patch

import pytest
from django.core.cache import cache

from commonweal.delivery.models import LineStatus, ReturnLine
from commonweal.reporting.models import FiguresVersion, FinancialYear, StoredFigures
from commonweal.reporting.selectors_budget import budget_get
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import Member

from .test_reporting_budget import build_world


@pytest.mark.django_db(transaction=True)
def test_after_a_committed_change_the_worker_stores_the_open_years_figures() -> None:
    world = build_world()
    buyer = world["buyer"]
    member = Member(user=world["lead"], organisation=buyer, roles=frozenset({Role.SOCIAL_VALUE_LEAD}))
    line = ReturnLine.objects.get(commitment=world["c1"], status=LineStatus.PENDING)
    line.status = LineStatus.VERIFIED
    line.save()  # committed: the refresh task runs (at once, with the test settings' task backend)
    version = FiguresVersion.objects.get(organisation=buyer)
    assert version.refresh_queued is False
    open_years = FinancialYear.objects.filter(organisation=buyer, frozen__isnull=True)
    assert {(stored.year_id, stored.version) for stored in StoredFigures.objects.filter(organisation=buyer)} == {
        (year.pk, version.number) for year in open_years
    }
    cache.clear()
    year = FinancialYear.objects.get(pk=world["year"].pk)
    with patch("commonweal.reporting.selectors_budget.budget_compute", side_effect=AssertionError("worked out")):
        figures = budget_get(member=member, year=year)
    assert next(m for m in figures.departments[0].measures if m.code == "JOBS").quantities.verified == D("3")
