"""Dates are bounded: an absurd date is refused with a clear message by the pages, the API and the services,
an agreement cannot make more than `PERIODS_MAX` reporting periods, and the overdue returns and the
dashboard cost the same number of queries however many periods there are."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonweal.core.dates import DATE_EARLIEST, DATE_LATEST, date_window_error
from commonweal.core.errors import ApplicationError
from commonweal.delivery import selectors_status, services_agreements
from commonweal.delivery.models import Agreement, ReportingPeriod
from commonweal.delivery.periods import PERIODS_MAX, period_count, period_plan

from . import factories
from .conftest import Tenant
from .delivery_agreements_support import date_fields


def api_post(client: Client, tenant: Tenant, name: str, data: dict[str, Any], **kwargs: Any) -> Any:
    token = factories.api_token(tenant.manager)
    return client.post(
        reverse(name, kwargs=kwargs),
        data,
        content_type="application/json",
        headers={"Authorization": f"Token {token.key}"},
    )


def test_the_date_window_names_its_bounds() -> None:
    assert date_window_error(DATE_EARLIEST, name="The date") is None
    assert date_window_error(DATE_LATEST, name="The date") is None
    assert date_window_error(datetime.date(1, 1, 1), name="The start date") == (
        "The start date must be between 1 January 1990 and 31 December 2100"
    )
    assert date_window_error(datetime.date(2101, 1, 1), name="The date") is not None


def test_the_api_refuses_a_start_date_of_year_one_and_makes_no_periods(tenant_a: Tenant, client: Client) -> None:
    agreement = tenant_a.agreement
    periods_before = ReportingPeriod.objects.filter(agreement=agreement).count()
    response = api_post(
        client,
        tenant_a,
        "api:agreement-update",
        {"start_date": "0001-01-01"},
        org=tenant_a.buyer.slug,
        pk=agreement.pk,
    )
    assert response.status_code == 400, response.content
    assert "between 1 January 1990 and 31 December 2100" in str(response.json())
    agreement.refresh_from_db()
    assert agreement.start_date == datetime.date(2026, 1, 1)
    assert ReportingPeriod.objects.filter(agreement=agreement).count() == periods_before


def test_the_service_refuses_dates_outside_the_window(tenant_a: Tenant) -> None:
    with pytest.raises(ApplicationError) as raised:
        services_agreements.agreement_update(
            actor=tenant_a.manager,
            member=tenant_a.manager_member(),
            agreement=tenant_a.agreement,
            start_date=datetime.date(1, 1, 1),
            end_date=datetime.date(9999, 12, 31),
        )
    assert raised.value.field_errors == {
        "start_date": "The start date must be between 1 January 1990 and 31 December 2100",
        "end_date": "The end date must be between 1 January 1990 and 31 December 2100",
    }


def test_more_than_the_most_periods_is_refused_with_the_count(tenant_a: Tenant) -> None:
    start, end = datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)
    assert period_count(start, end, "monthly") == 1332
    with pytest.raises(ApplicationError) as raised:
        services_agreements.agreement_update(
            actor=tenant_a.manager,
            member=tenant_a.manager_member(),
            agreement=tenant_a.agreement,
            start_date=start,
            end_date=end,
            return_frequency="monthly",
        )
    assert raised.value.field_errors["end_date"].startswith(
        f"These dates make 1332 reporting periods; an agreement can have at most {PERIODS_MAX}."
    )
    # Annual returns over the same 111 years are fine: 111 periods.
    services_agreements.agreement_update(
        actor=tenant_a.manager,
        member=tenant_a.manager_member(),
        agreement=tenant_a.agreement,
        start_date=start,
        end_date=end,
        return_frequency="annual",
    )
    assert ReportingPeriod.objects.filter(agreement=tenant_a.agreement).count() >= 111


@pytest.mark.parametrize(
    ("start", "end", "frequency"),
    [
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), "monthly"),
        (datetime.date(2026, 1, 15), datetime.date(2026, 2, 10), "monthly"),
        (datetime.date(2026, 4, 1), datetime.date(2028, 3, 31), "quarterly"),
        (datetime.date(2026, 4, 1), datetime.date(2026, 4, 1), "annual"),
        (datetime.date(2026, 8, 31), datetime.date(2027, 2, 27), "half_yearly"),
    ],
)
def test_the_period_count_agrees_with_the_plan(start: datetime.date, end: datetime.date, frequency: str) -> None:
    agreement = Agreement(start_date=start, end_date=end, return_frequency=frequency, return_due_days=14)
    assert period_count(start, end, frequency) == len(period_plan(agreement))


def test_the_plan_stops_at_the_most_periods_whatever_the_dates() -> None:
    agreement = Agreement(
        start_date=datetime.date(1, 1, 1), end_date=datetime.date(2100, 1, 1), return_frequency="monthly"
    )
    agreement.return_due_days = 14
    assert len(period_plan(agreement)) == PERIODS_MAX


def test_the_agreement_page_refuses_a_year_before_1990(tenant_a: Tenant, client: Client) -> None:
    client.force_login(tenant_a.manager)
    url = reverse("delivery:agreement-create", kwargs={"org": tenant_a.buyer.slug})
    data = {
        "agreement-kind": "contract",
        "agreement-reference": "OLD-1",
        "agreement-title": "Old contract",
        "agreement-supplier": str(tenant_a.supplier.pk),
        "agreement-value": "1000",
        **date_fields("agreement", "start_date", datetime.date(1066, 10, 14)),
        **date_fields("agreement", "end_date", datetime.date(2027, 3, 31)),
        "agreement-framework_version": str(tenant_a.agreement.framework_version_id),
        "agreement-return_frequency": "quarterly",
        "agreement-return_due_days": "14",
        "agreement-escalation_days": "7",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Start date must be between 1 January 1990 and 31 December 2100" in response.content.decode()
    assert not Agreement.objects.filter(reference="OLD-1").exists()


def _overdue_agreement(tenant: Tenant, months: int) -> None:
    """A monthly agreement from 1995 with `months` periods, none of them returned."""
    services_agreements.agreement_create(
        actor=tenant.manager,
        member=tenant.manager_member(),
        supplier=tenant.supplier,
        reference=f"LONG-{months}",
        title="A long agreement",
        value=Decimal("1000"),
        start_date=datetime.date(1995, 1, 1),
        end_date=datetime.date(1995 + months // 12, 1, 1) - datetime.timedelta(days=1),
        framework_version=tenant.agreement.framework_version,
        return_frequency="monthly",
    )


def _queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_the_dashboard_and_overdue_list_cost_the_same_queries_for_12_or_360_periods(tenant_a: Tenant) -> None:
    member = tenant_a.manager_member()
    today = datetime.date(2026, 6, 1)
    baseline = selectors_status.overdue_return_count(member=member, today=today)
    _overdue_agreement(tenant_a, 12)
    assert selectors_status.overdue_return_count(member=member, today=today) == 12 + baseline
    few_dashboard = _queries(lambda: selectors_status.dashboard_section(member=member, today=today))
    few_list = _queries(lambda: selectors_status.overdue_return_list(member=member, today=today))
    _overdue_agreement(tenant_a, 360)
    assert selectors_status.overdue_return_count(member=member, today=today) == 372 + baseline
    assert selectors_status.dashboard_section(member=member, today=today)["overdue_count"] == 372 + baseline
    assert len(selectors_status.overdue_return_list(member=member, today=today)) == selectors_status.OVERDUE_PER_PAGE
    assert _queries(lambda: selectors_status.dashboard_section(member=member, today=today)) == few_dashboard
    assert _queries(lambda: selectors_status.overdue_return_list(member=member, today=today)) == few_list


def test_the_overdue_returns_page_shows_one_page_at_a_time(tenant_a: Tenant, client: Client) -> None:
    _overdue_agreement(tenant_a, 120)
    client.force_login(tenant_a.manager)
    url = reverse("delivery:overdue-returns", kwargs={"org": tenant_a.buyer.slug})
    first = client.get(url).content.decode()
    total = selectors_status.overdue_return_count(member=tenant_a.manager_member())
    assert total > selectors_status.OVERDUE_PER_PAGE
    assert f"{total} overdue returns, oldest first (1 to 50 shown)" in first
    assert first.count('<tr class="govuk-table__row">') == 51  # the heading row and one page
    assert 'rel="next"' in first
    second = client.get(url + "?page=2").content.decode()
    assert "(51 to 100 shown)" in second
