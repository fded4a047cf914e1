"""Value sets and deflator series: the services' rules (each refusal with its message, changing nothing),
the selectors that build valuations from the database, the pages and the API."""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from commonweal.accounts.models import User
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.frameworks import selectors_value_sets as selectors
from commonweal.frameworks import services_value_sets as services
from commonweal.frameworks.models import (
    DeflatorPoint,
    DeflatorSeries,
    FrameworkVersion,
    Measure,
    ValueSet,
    ValueSetEntry,
    ValueType,
    VersionStatus,
)
from commonweal.frameworks.services_interchange import framework_load
from commonweal.frameworks.valuation import ValueTotals
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .conftest import Tenant
from .factories import api_token

D = Decimal
LOCAL = ValueType.LOCAL_ECONOMIC.value
SOCIAL = ValueType.ADDITIONAL_SOCIAL.value
VALUE_SOURCE = "Council research note 7 (2019), table 3: local wage uplift per FTE-year"


@dataclass
class Council:
    """Tenant A's buyer with the starter framework published, and a social value lead."""

    tenant: Tenant
    lead: User
    version: FrameworkVersion

    @property
    def organisation(self) -> Organisation:
        return self.tenant.buyer

    @property
    def slug(self) -> str:
        return self.tenant.buyer.slug

    def member(self) -> Member:
        return member_access(user=self.lead, slug=self.slug)

    def measure(self, code: str) -> Measure:
        return self.version.measures.get(code=code)


@pytest.fixture
def council(tenant_a: Tenant) -> Council:
    version = framework_load(actor=None, member=Member.system(tenant_a.buyer))
    # Local jobs and local spend are local economic value; the rest of the starter set is additional social value.
    version.measures.filter(code__in=["JOBS.1.1", "ECON.1.1"]).update(value_type=LOCAL)
    lead = factories.member_user(tenant_a.buyer, Role.SOCIAL_VALUE_LEAD)
    return Council(tenant=tenant_a, lead=lead, version=version)


def create_value_set(council: Council, **overrides: Any) -> ValueSet:
    arguments: dict[str, Any] = {
        "code": "wellbeing-2019",
        "title": "Wellbeing values 2019",
        "source": "HM Treasury Green Book supplementary guidance",
        "licence": "Open Government Licence v3.0",
        "base_year": 2019,
        "valid_from": datetime.date(2024, 4, 1),
        "valid_to": datetime.date(2027, 3, 31),
        "description": "Values for the 2024 to 2027 programme.",
        **overrides,
    }
    return services.value_set_create(actor=council.lead, member=council.member(), **arguments)


def set_entry(council: Council, value_set: ValueSet, **overrides: Any) -> ValueSetEntry:
    arguments: dict[str, Any] = {
        "measure_code": "JOBS.1.1",
        "value_per_unit": D("13000"),
        "source": VALUE_SOURCE,
        "base_year": 2019,
        **overrides,
    }
    return services.value_set_entry_set(actor=council.lead, member=council.member(), value_set=value_set, **arguments)


def stored() -> dict[str, object]:
    return {
        "value sets": list(ValueSet.objects.order_by("pk").values()),
        "entries": list(ValueSetEntry.objects.order_by("pk").values()),
        "series": list(DeflatorSeries.objects.order_by("pk").values()),
        "points": list(DeflatorPoint.objects.order_by("pk").values()),
        "audit events": AuditEvent.objects.count(),
    }


# --- Services: value sets --------------------------------------------------------------------------


def test_value_set_create_stores_it_and_records_an_audit_event(council):
    value_set = create_value_set(council)
    assert (value_set.organisation, value_set.code, value_set.base_year) == (
        council.organisation,
        "wellbeing-2019",
        2019,
    )
    assert value_set.licence == "Open Government Licence v3.0"
    event = AuditEvent.objects.get(action="value_set.created")
    assert event.actor == council.lead
    assert event.after["code"] == "wellbeing-2019"
    assert event.after["valid_to"] == "2027-03-31"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": ""}, "code", "Enter a code"),
        ({"code": "has spaces!"}, "code", "Enter a code using only letters, numbers, hyphens and underscores"),
        ({"code": "x" * 61}, "code", "The code must be 60 characters or fewer"),
        ({"title": "  "}, "title", "Enter a title"),
        ({"title": "x" * 201}, "title", "The title must be 200 characters or fewer"),
        ({"source": ""}, "source", "Enter where the values come from"),
        ({"licence": ""}, "licence", "Enter the licence the values are used under"),
        ({"base_year": None}, "base_year", "Enter the base year, like 2024"),
        ({"base_year": 1989}, "base_year", "The base year must be between 1990 and 2100"),
        ({"base_year": 2101}, "base_year", "The base year must be between 1990 and 2100"),
        ({"valid_from": None}, "valid_from", "Enter the date the values are valid from"),
        (
            {"valid_from": datetime.date(2025, 4, 1), "valid_to": datetime.date(2025, 3, 31)},
            "valid_to",
            "The date the values are valid to must be the same as or after the date they are valid from",
        ),
    ],
)
def test_value_set_create_refuses_bad_input_with_its_message_and_stores_nothing(council, overrides, field, message):
    before = stored()
    with pytest.raises(ApplicationError) as refused:
        create_value_set(council, **overrides)
    assert refused.value.field_errors == {field: message}
    assert refused.value.message == "There is a problem with the value set."
    assert stored() == before


def test_value_set_codes_are_unique_within_an_organisation_only(council, tenant_b):
    create_value_set(council)
    before = stored()
    with pytest.raises(ApplicationError) as refused:
        create_value_set(council, title="Another")
    assert refused.value.field_errors == {
        "code": "Your organisation already has a value set with the code wellbeing-2019"
    }
    assert stored() == before

    other_lead = factories.member_user(tenant_b.buyer, Role.SOCIAL_VALUE_LEAD)
    other = services.value_set_create(
        actor=other_lead,
        member=member_access(user=other_lead, slug=tenant_b.buyer.slug),
        code="wellbeing-2019",
        title="Council B's wellbeing values",
        source="Same guidance",
        licence="Open Government Licence v3.0",
        base_year=2019,
        valid_from=datetime.date(2024, 4, 1),
    )
    assert other.organisation == tenant_b.buyer


def test_only_a_social_value_lead_can_write_value_sets(council):
    manager = council.tenant.manager_member()
    before = stored()
    with pytest.raises(PermissionRefused):
        services.value_set_create(
            actor=council.tenant.manager,
            member=manager,
            code="x",
            title="X",
            source="S",
            licence="L",
            base_year=2024,
            valid_from=datetime.date(2024, 1, 1),
        )
    value_set = factories.ValueSetFactory.create(organisation=council.organisation)
    with pytest.raises(PermissionRefused):
        services.value_set_entry_set(
            actor=council.tenant.manager,
            member=manager,
            value_set=value_set,
            measure_code="JOBS.1.1",
            value_per_unit=D("1"),
            source="S",
            base_year=2024,
        )
    assert ValueSet.objects.count() == 1
    assert AuditEvent.objects.count() == before["audit events"]


def test_value_set_update_changes_the_details_and_audits_before_and_after(council):
    value_set = create_value_set(council)
    services.value_set_update(
        actor=council.lead,
        member=council.member(),
        value_set=value_set,
        code="wellbeing-2019",
        title="Wellbeing values (revised)",
        source="HM Treasury Green Book supplementary guidance",
        licence="Open Government Licence v3.0",
        base_year=2020,
        valid_from=datetime.date(2024, 4, 1),
        valid_to=None,
    )
    value_set.refresh_from_db()
    assert (value_set.title, value_set.base_year, value_set.valid_to) == ("Wellbeing values (revised)", 2020, None)
    event = AuditEvent.objects.get(action="value_set.updated")
    assert event.before["title"] == "Wellbeing values 2019"
    assert event.after["title"] == "Wellbeing values (revised)"
    assert event.after["valid_to"] is None


def test_value_set_update_refuses_a_code_another_of_its_sets_uses_and_changes_nothing(council):
    first = create_value_set(council)
    second = create_value_set(council, code="second", title="Second")
    before = stored()
    with pytest.raises(ApplicationError) as refused:
        services.value_set_update(
            actor=council.lead,
            member=council.member(),
            value_set=second,
            code=first.code,
            title="Second",
            source="S",
            licence="L",
            base_year=2019,
            valid_from=datetime.date(2024, 4, 1),
        )
    assert refused.value.field_errors == {
        "code": "Your organisation already has a value set with the code wellbeing-2019"
    }
    assert stored() == before


def test_a_lead_cannot_change_another_organisations_value_set(council, tenant_b):
    theirs = factories.ValueSetFactory.create(organisation=tenant_b.buyer)
    before = stored()
    with pytest.raises(ApplicationError, match="This belongs to another organisation."):
        set_entry(council, theirs)
    assert stored() == before


# --- Services: values ------------------------------------------------------------------------------


def test_value_set_entry_set_creates_then_updates_the_value_for_a_measure_code(council):
    value_set = create_value_set(council)
    entry = set_entry(council, value_set, deadweight=D("0.2"), attribution=D("0.1"), duration_years=2)
    assert (entry.value_per_unit, entry.deadweight, entry.attribution, entry.duration_years) == (
        D("13000.0000"),
        D("0.2000"),
        D("0.1000"),
        2,
    )
    again = set_entry(council, value_set, value_per_unit=D("12500.50"), drop_off=D("0.5"))
    assert again.pk == entry.pk
    assert ValueSetEntry.objects.count() == 1
    assert (again.value_per_unit, again.drop_off, again.deadweight) == (D("12500.5000"), D("0.5000"), D("0"))
    first, second = AuditEvent.objects.filter(action="value_set_entry.set").order_by("pk")
    assert first.before == {}
    assert first.trail_id == str(value_set.pk)
    assert second.before["value_per_unit"] == "13000.0000"
    assert second.after["value_per_unit"] == "12500.5000"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"measure_code": " "}, "measure_code", "Choose the measure"),
        ({"value_per_unit": None}, "value_per_unit", "Enter the value of one unit in pounds, like 12.50"),
        ({"value_per_unit": D("NaN")}, "value_per_unit", "Enter the value of one unit in pounds, like 12.50"),
        ({"value_per_unit": D("-0.01")}, "value_per_unit", "The value must be £0 or more"),
        ({"value_per_unit": D("1e10")}, "value_per_unit", "Enter a smaller value"),
        ({"value_per_unit": D("1.23456")}, "value_per_unit", "Enter the value with no more than 4 decimal places"),
        ({"source": ""}, "source", "Enter where this value comes from"),
        ({"base_year": 1989}, "base_year", "The base year must be between 1990 and 2100"),
        ({"deadweight": D("1.01")}, "deadweight", "Deadweight must be between 0 and 1 (0% and 100%)"),
        ({"attribution": D("-0.1")}, "attribution", "Attribution must be between 0 and 1 (0% and 100%)"),
        (
            {"displacement": D("0.12345")},
            "displacement",
            "Displacement can have no more than 4 decimal places as a fraction (2 as a percentage)",
        ),
        ({"drop_off": D("2")}, "drop_off", "Drop-off must be between 0 and 1 (0% and 100%)"),
        ({"duration_years": 0}, "duration_years", "The duration must be a whole number of years from 1 to 100"),
        ({"duration_years": 101}, "duration_years", "The duration must be a whole number of years from 1 to 100"),
        ({"duration_years": None}, "duration_years", "The duration must be a whole number of years from 1 to 100"),
    ],
)
def test_value_set_entry_set_refuses_bad_input_with_its_message_and_changes_nothing(council, overrides, field, message):
    value_set = create_value_set(council)
    set_entry(council, value_set)
    before = stored()
    with pytest.raises(ApplicationError) as refused:
        set_entry(council, value_set, **overrides)
    assert refused.value.field_errors == {field: message}
    assert stored() == before


def test_value_set_entry_remove_deletes_it_and_keeps_it_in_the_audit_log(council):
    value_set = create_value_set(council)
    entry = set_entry(council, value_set)
    services.value_set_entry_remove(actor=council.lead, member=council.member(), entry=entry)
    assert not ValueSetEntry.objects.exists()
    event = AuditEvent.objects.get(action="value_set_entry.removed")
    assert event.before["measure_code"] == "JOBS.1.1"
    assert event.before["source"] == VALUE_SOURCE
    assert event.trail_id == str(value_set.pk)


# --- Services: deflator series ---------------------------------------------------------------------


def create_series(council: Council, points: str = "year,index\n2019,90\n2024, 100.5\n\n", **overrides: Any):
    arguments = {"code": "gdp-deflator", "title": "GDP deflator", "source": "ONS, March 2025", **overrides}
    return services.deflator_series_create(actor=council.lead, member=council.member(), points=points, **arguments)


def test_deflator_series_create_stores_the_pasted_points(council):
    series = create_series(council)
    assert list(series.points.values_list("year", "index")) == [(2019, D("90")), (2024, D("100.5"))]
    event = AuditEvent.objects.get(action="deflator_series.created")
    assert event.after["points"] == {"2019": "90", "2024": "100.5"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter at least one line of year,index"),
        ("2019;90", "Line 1: “2019;90” is not in the form year,index (like 2024,100.0)"),
        ("2019,90\nnineteen,90", "Line 2: “nineteen” is not a year"),
        ("2019,90\n\n1899,50", "Line 3: the year must be between 1900 and 2100"),
        ("2019,ninety", "Line 1: “ninety” is not a number"),
        ("2019,0", "Line 1: the index must be more than 0"),
        ("2019,-4", "Line 1: the index must be more than 0"),
        ("2019,1000000", "Line 1: the index must be less than 1,000,000"),
        ("2019,90.1234567", "Line 1: the index can have no more than 6 decimal places"),
        ("2019,90\n2020,91\n2019,92", "Line 3: 2019 is already given on line 1"),
        (
            "2019,90,1\n2020,x",
            "Line 1: “2019,90,1” is not in the form year,index (like 2024,100.0); Line 2: “x” is not a number",
        ),
    ],
)
def test_deflator_points_errors_name_the_line_and_change_nothing(council, text, message):
    series = create_series(council)
    before = stored()
    with pytest.raises(ApplicationError) as refused:
        services.deflator_points_set(actor=council.lead, member=council.member(), series=series, points=text)
    assert refused.value.field_errors == {"points": message}
    assert stored() == before


def test_deflator_points_set_replaces_every_point(council):
    series = create_series(council)
    services.deflator_points_set(
        actor=council.lead, member=council.member(), series=series, points="2020,95\n2025,103.25"
    )
    assert list(series.points.values_list("year", "index")) == [(2020, D("95")), (2025, D("103.25"))]
    event = AuditEvent.objects.get(action="deflator_points.set")
    assert event.before == {"points": {"2019": "90.000000", "2024": "100.500000"}}
    assert event.after == {"points": {"2020": "95", "2025": "103.25"}}


def test_deflator_series_create_refuses_a_duplicate_code_and_bad_points_together(council):
    create_series(council)
    before = stored()
    with pytest.raises(ApplicationError) as refused:
        create_series(council, points="2019", source="")
    assert refused.value.field_errors == {
        "code": "Your organisation already has a deflator series with the code gdp-deflator",
        "source": "Enter where the index comes from",
        "points": "Line 1: “2019” is not in the form year,index (like 2024,100.0)",
    }
    assert stored() == before


# --- Selectors --------------------------------------------------------------------------------------


def test_value_sets_and_series_of_another_organisation_are_not_found(council, tenant_b):
    mine = create_value_set(council)
    theirs = factories.ValueSetFactory.create(organisation=tenant_b.buyer)
    their_series = factories.DeflatorSeriesFactory.create(organisation=tenant_b.buyer)
    their_entry = factories.ValueSetEntryFactory.create(value_set=theirs)
    member = council.member()
    assert list(selectors.value_set_list(member=member)) == [mine]
    with pytest.raises(Http404):
        selectors.value_set_get(member=member, pk=theirs.pk)
    with pytest.raises(Http404):
        selectors.value_set_entry_get(member=member, pk=their_entry.pk)
    with pytest.raises(Http404):
        selectors.deflator_series_get(member=member, pk=their_series.pk)
    with pytest.raises(Http404):
        selectors.valuation_for(member=member, value_set=mine, lines=[], deflator_series=their_series, price_year=2024)


def test_published_measures_are_listed_once_per_code_from_the_latest_version_and_drafts_are_left_out(council):
    framework = council.version.framework
    draft = factories.FrameworkVersionFactory.create(
        organisation=council.organisation, framework=framework, number=9, status=VersionStatus.DRAFT
    )
    factories.MeasureFactory.create(version=draft, code="DRAFT.1")
    later = factories.FrameworkVersionFactory.create(
        organisation=council.organisation,
        framework=framework,
        number=2,
        published_at=timezone.now() + datetime.timedelta(days=1),
    )
    factories.MeasureFactory.create(version=later, code="JOBS.1.1", title="Local residents in work (version 2)")
    measures = selectors.published_measure_list(member=council.member())
    codes = [measure.code for measure in measures]
    assert next(m.title for m in measures if m.code == "JOBS.1.1") == "Local residents in work (version 2)"
    assert "DRAFT.1" not in codes
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes))
    assert {"JOBS.1.1", "JOBS.1.2", "ECON.1.1"} <= set(codes)
    assert {c.measure.code for c in council.tenant.commitments} <= set(codes)


def test_valuation_for_values_measures_by_code_and_keeps_value_types_apart(council):
    value_set = create_value_set(council)
    set_entry(council, value_set, measure_code="JOBS.1.1", value_per_unit=D("10000"), deadweight=D("0.2"))
    set_entry(council, value_set, measure_code="JOBS.1.2", value_per_unit=D("150"))
    result = selectors.valuation_for(
        member=council.member(),
        value_set=value_set,
        lines=[
            (council.measure("JOBS.1.1"), D("2")),
            (council.measure("JOBS.1.2"), D("40")),
            (council.measure("COMM.1.1"), D("3")),
        ],
    )
    # Local jobs: 2 × £10,000 = £20,000 gross; net keeps 80% = £16,000. Apprenticeship weeks: 40 × £150 = £6,000.
    assert result.local_economic == ValueTotals(gross=D("20000.00"), net=D("16000.00"))
    assert result.additional_social == ValueTotals(gross=D("6000.00"), net=D("6000.00"))
    assert [(n.measure_code, n.quantity) for n in result.not_valued] == [("COMM.1.1", D("3"))]
    assert result.value_set == "Wellbeing values 2019 (wellbeing-2019)"
    assert result.price_basis == "2019 prices"


def test_valuation_for_takes_an_agreements_commitments_as_lines(council):
    agreement = council.tenant.agreement
    value_set = create_value_set(council)
    commitments = list(agreement.commitments.select_related("measure").order_by("pk"))
    set_entry(council, value_set, measure_code=commitments[0].measure.code, value_per_unit=D("2.50"))
    result = selectors.valuation_for(
        member=council.member(),
        value_set=value_set,
        lines=[(commitment.measure, commitment.target_quantity) for commitment in commitments],
    )
    # Each commitment targets 10; only the first measure has a value: 10 × £2.50 = £25.00.
    assert result.additional_social.gross == D("25.00")
    assert len(result.not_valued) == 2


def test_valuation_for_re_bases_with_the_organisations_deflator_series(council):
    value_set = create_value_set(council)
    set_entry(council, value_set, measure_code="JOBS.2.1", value_per_unit=D("13000"))
    series = create_series(council, points="2019,80\n2025,100")
    result = selectors.valuation_for(
        member=council.member(),
        value_set=value_set,
        lines=[(council.measure("JOBS.2.1"), D("1"))],
        price_year=2025,
        deflator_series=series,
    )
    # £13,000 in 2019 prices × (100 ÷ 80) = £16,250 in 2025 prices.
    assert result.additional_social.gross == D("16250.00")
    assert result.deflator == "GDP deflator"


# --- Pages -----------------------------------------------------------------------------------------


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def page_url(name: str, council: Council, **kwargs: Any) -> str:
    return reverse(f"frameworks:{name}", kwargs={"org": council.slug, **kwargs})


VALUE_SET_FORM = {
    "title": "Local jobs proxies",
    "code": "local-jobs",
    "description": "",
    "source": "Our own research, 2024",
    "licence": "Open Government Licence v3.0",
    "base_year": "2024",
    "valid_from": "1/4/2024",
    "valid_to": "",
}


def test_lead_creates_a_value_set_through_the_form_and_sees_its_details(client, council):
    response = signed_in(client, council.lead).post(page_url("value-set-create", council), VALUE_SET_FORM, follow=True)
    value_set = ValueSet.objects.get()
    assert response.redirect_chain[-1][0] == page_url("value-set-detail", council, pk=value_set.pk)
    page = response.content.decode()
    assert "The value set Local jobs proxies has been created." in page
    assert "Our own research, 2024" in page
    assert "Open Government Licence v3.0" in page
    assert "2024 prices, unless a value says otherwise" in page
    assert "From 1 April 2024, with no end date" in page
    assert value_set.valid_from == datetime.date(2024, 4, 1)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Enter a title"),
        ("licence", "", "Enter the licence the values are used under"),
        ("base_year", "1850", "The base year must be between 1990 and 2100"),
        ("base_year", "twenty", "Enter the year as 4 digits, like 2024"),
        ("valid_from", "31/2/2024", "Enter a real date, like 1/4/2025"),
        (
            "valid_to",
            "1/1/2020",
            "The date the values are valid to must be the same as or after the date they are valid from",
        ),
    ],
)
def test_value_set_form_errors_are_shown_and_nothing_is_stored(client, council, field, value, message):
    response = signed_in(client, council.lead).post(
        page_url("value-set-create", council), {**VALUE_SET_FORM, field: value}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert f'<a href="#id_{field}">{message}</a>' in page
    assert not ValueSet.objects.exists()


def test_a_contract_manager_can_read_value_sets_but_not_open_the_forms(client, council):
    value_set = create_value_set(council)
    entry = set_entry(council, value_set)
    client = signed_in(client, council.tenant.manager)
    listing = client.get(page_url("value-set-list", council)).content.decode()
    assert "Wellbeing values 2019" in listing
    assert "Create a value set" not in listing
    detail = client.get(page_url("value-set-detail", council, pk=value_set.pk)).content.decode()
    assert VALUE_SOURCE in detail
    assert "Add a value" not in detail
    for url in [
        page_url("value-set-create", council),
        page_url("value-set-update", council, pk=value_set.pk),
        page_url("value-set-entry-add", council, pk=value_set.pk),
        page_url("value-set-entry-edit", council, pk=entry.pk),
        page_url("value-set-entry-remove", council, pk=entry.pk),
        page_url("deflator-create", council),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(page_url("value-set-entry-remove", council, pk=entry.pk)).status_code == 404
    assert ValueSetEntry.objects.filter(pk=entry.pk).exists()


def test_lead_changes_a_value_sets_details(client, council):
    value_set = create_value_set(council)
    url = page_url("value-set-update", council, pk=value_set.pk)
    form = signed_in(client, council.lead).get(url).content.decode()
    assert 'value="wellbeing-2019"' in form
    assert 'value="01/04/2024"' in form
    response = client.post(url, {**VALUE_SET_FORM, "code": "wellbeing-2019", "title": "Renamed"})
    assert response.status_code == 302
    value_set.refresh_from_db()
    assert value_set.title == "Renamed"


ENTRY_FORM = {
    "measure_code": "JOBS.1.1",
    "value_per_unit": "10000",
    "source": "Our own research, table 3",
    "base_year": "2024",
    "deadweight": "20",
    "displacement": "",
    "attribution": "12.5",
    "drop_off": "50",
    "duration_years": "2",
}


def test_the_add_value_form_lists_the_organisations_published_measures(client, council):
    value_set = create_value_set(council)
    page = signed_in(client, council.lead).get(page_url("value-set-entry-add", council, pk=value_set.pk))
    text = page.content.decode()
    assert (
        '<option value="JOBS.1.1">JOBS.1.1 Local people employed on the contract (full-time equivalents)</option>'
        in text
    )
    assert '<option value="ECON.1.1">' in text
    assert 'name="base_year" value="2019"' in text  # the value set's base year, to start with


def test_lead_adds_a_value_with_percentages_stored_as_fractions_and_shown_as_percentages(client, council):
    value_set = create_value_set(council)
    response = signed_in(client, council.lead).post(
        page_url("value-set-entry-add", council, pk=value_set.pk), ENTRY_FORM, follow=True
    )
    entry = ValueSetEntry.objects.get()
    assert (entry.deadweight, entry.displacement, entry.attribution, entry.drop_off) == (
        D("0.2"),
        D("0"),
        D("0.125"),
        D("0.5"),
    )
    assert (entry.value_per_unit, entry.base_year, entry.duration_years) == (D("10000"), 2024, 2)
    page = response.content.decode()
    assert "The value for JOBS.1.1 has been saved." in page
    assert "£10,000.00" in page
    assert "12.5%" in page
    assert "Our own research, table 3" in page
    assert "Local people employed on the contract" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("measure_code", "", "Choose the measure"),
        ("measure_code", "NOT.A.MEASURE", "Select a valid choice. NOT.A.MEASURE is not one of the available choices."),
        ("value_per_unit", "ten pounds", "Enter the value in pounds, like 12.50"),
        ("value_per_unit", "-5", "The value must be £0 or more"),
        ("deadweight", "120", "Deadweight must be between 0% and 100%"),
        ("drop_off", "12.345", "Enter drop-off with no more than 2 decimal places"),
        ("duration_years", "0", "The duration must be a whole number of years from 1 to 100"),
        ("source", "", "Enter where this value comes from"),
    ],
)
def test_value_form_errors_are_shown_and_nothing_is_stored(client, council, field, value, message):
    value_set = create_value_set(council)
    response = signed_in(client, council.lead).post(
        page_url("value-set-entry-add", council, pk=value_set.pk), {**ENTRY_FORM, field: value}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'<a href="#id_{field}">{message}</a>' in page
    assert not ValueSetEntry.objects.exists()


def test_lead_edits_a_value_starting_from_its_percentages(client, council):
    value_set = create_value_set(council)
    entry = set_entry(council, value_set, deadweight=D("0.25"), duration_years=3)
    url = page_url("value-set-entry-edit", council, pk=entry.pk)
    form = signed_in(client, council.lead).get(url).content.decode()
    assert 'name="deadweight" value="25"' in form
    assert 'name="measure_code"' not in form
    response = client.post(url, {**ENTRY_FORM, "measure_code": "ECON.1.1", "value_per_unit": "9000.5"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.measure_code, entry.value_per_unit, entry.deadweight) == ("JOBS.1.1", D("9000.5"), D("0.2"))


def test_removing_a_value_asks_for_confirmation_first(client, council):
    value_set = create_value_set(council)
    entry = set_entry(council, value_set)
    url = page_url("value-set-entry-remove", council, pk=entry.pk)
    confirm = signed_in(client, council.lead).get(url).content.decode()
    assert "Are you sure you want to remove the value for JOBS.1.1?" in confirm
    assert "£13,000.00 a unit in 2019 prices" in confirm
    assert ValueSetEntry.objects.exists()
    response = client.post(url, follow=True)
    assert "The value for JOBS.1.1 has been removed." in response.content.decode()
    assert not ValueSetEntry.objects.exists()


def test_lead_adds_a_deflator_series_and_changes_its_index(client, council):
    client = signed_in(client, council.lead)
    response = client.post(
        page_url("deflator-create", council),
        {"title": "GDP deflator", "code": "gdp", "source": "ONS", "points": "2019,80\r\n2025,100"},
        follow=True,
    )
    series = DeflatorSeries.objects.get()
    assert response.redirect_chain[-1][0] == page_url("deflator-detail", council, pk=series.pk)
    assert "The deflator series GDP deflator has been created." in response.content.decode()
    points_url = page_url("deflator-points", council, pk=series.pk)
    assert "2019,80\n2025,100</textarea>" in client.get(points_url).content.decode()

    refused = client.post(points_url, {"points": "2019,80\n2025;100"}).content.decode()
    assert "Line 2: “2025;100” is not in the form year,index (like 2024,100.0)" in refused
    assert list(series.points.values_list("year", flat=True)) == [2019, 2025]

    client.post(points_url, {"points": "2020,90\n2026,101.5"})
    detail = client.get(page_url("deflator-detail", council, pk=series.pk)).content.decode()
    assert "101.5" in detail
    assert list(series.points.values_list("year", flat=True)) == [2020, 2026]
    listing = client.get(page_url("deflator-list", council)).content.decode()
    assert "GDP deflator" in listing


def calculator_values(council: Council) -> tuple[ValueSet, DeflatorSeries]:
    value_set = create_value_set(council)
    set_entry(
        council,
        value_set,
        measure_code="JOBS.1.1",
        value_per_unit=D("10000"),
        deadweight=D("0.2"),
        attribution=D("0.1"),
        drop_off=D("0.5"),
        duration_years=2,
    )
    set_entry(council, value_set, measure_code="JOBS.1.2", value_per_unit=D("150"), source="Apprenticeship proxy")
    series = create_series(council, points="2019,80\n2025,100")
    return value_set, series


def test_calculator_shows_gross_and_net_apart_by_value_type_with_the_value_set_and_price_year(client, council):
    value_set, series = calculator_values(council)
    jobs, weeks, placements = (council.measure(code) for code in ["JOBS.1.1", "JOBS.1.2", "JOBS.2.1"])
    url = page_url("valuation-calculator", council)
    choices = {"value_set": str(value_set.pk), "price_year": "2025", "deflator": str(series.pk)}
    client = signed_in(client, council.tenant.manager)  # reading and calculating needs no special role
    form = client.get(url, choices).content.decode()
    assert f'name="quantity_{jobs.pk}"' in form
    assert "This value set has no value for it." in form
    # The quantities form carries the choices made by GET.
    assert f'<input type="hidden" name="value_set" value="{value_set.pk}">' in form
    assert '<input type="hidden" name="price_year" value="2025">' in form
    assert f'<input type="hidden" name="deflator" value="{series.pk}">' in form

    audit_events = AuditEvent.objects.count()
    response = client.post(
        url,
        {**choices, f"quantity_{jobs.pk}": "12.5", f"quantity_{weeks.pk}": "40", f"quantity_{placements.pk}": "3"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    # Local jobs: 12.5 × £10,000 × 2 years = £250,000 gross and £135,000 net in 2019 prices; × 100/80 = 1.25
    # in 2025 prices: £312,500.00 gross and £168,750.00 net.
    assert "£312,500.00" in page
    assert "£168,750.00" in page
    # Apprenticeship weeks: 40 × £150 × 1.25 = £7,500.00, gross and net.
    assert "£7,500.00" in page
    assert "Totals (Wellbeing values 2019 (wellbeing-2019), 2025 prices)" in page
    assert "Workings for local economic value (Wellbeing values 2019 (wellbeing-2019), 2025 prices)" in page
    assert "Workings for additional social value (Wellbeing values 2019 (wellbeing-2019), 2025 prices)" in page
    assert "× 1.2500" in page
    assert "2025 prices, re-based with GDP deflator (ONS, March 2025)" in page
    assert "Not valued" in page
    assert "JOBS.2.1 Work experience placements" in page
    assert AuditEvent.objects.count() == audit_events  # a calculation stores nothing


def test_calculator_without_a_price_year_shows_the_values_in_their_base_year(client, council):
    value_set, _ = calculator_values(council)
    weeks = council.measure("JOBS.1.2")
    page = (
        signed_in(client, council.lead)
        .post(page_url("valuation-calculator", council), {"value_set": value_set.pk, f"quantity_{weeks.pk}": "2"})
        .content.decode()
    )
    assert "Not re-based: each value is in its own base year’s prices" in page
    assert "Totals (Wellbeing values 2019 (wellbeing-2019), 2019 prices)" in page
    assert "£300.00" in page


def test_calculator_explains_a_deflator_without_the_base_year(client, council):
    value_set, _ = calculator_values(council)
    short = create_series(council, code="short", title="Short index", points="2025,100")
    jobs = council.measure("JOBS.1.1")
    choices = {"value_set": value_set.pk, "price_year": "2025", "deflator": short.pk}
    page = (
        signed_in(client, council.lead)
        .post(page_url("valuation-calculator", council), {**choices, f"quantity_{jobs.pk}": "1"})
        .content.decode()
    )
    assert "<title>Error: " in page
    assert (
        '<a href="#id_deflator">The deflator series “Short index” has no index for 2019: '
        "add it to the series or choose another</a>"
    ) in page
    assert "Results" not in page


def test_calculator_needs_a_quantity_and_refuses_bad_ones(client, council):
    value_set, _ = calculator_values(council)
    jobs = council.measure("JOBS.1.1")
    url = page_url("valuation-calculator", council)
    client = signed_in(client, council.lead)
    chosen = {"value_set": value_set.pk}
    assert "Enter a quantity for at least one measure" in client.post(url, chosen).content.decode()
    refused = client.post(url, {**chosen, f"quantity_{jobs.pk}": "-1"}).content.decode()
    assert f'<a href="#id_quantity_{jobs.pk}">Quantity must be 0 or more</a>' in refused
    assert "Results" not in refused
    year = client.get(url, {"value_set": value_set.pk, "price_year": "1850"}).content.decode()
    assert '<a href="#id_price_year">The price year must be between 1990 and 2100</a>' in year


def test_calculator_will_not_use_another_organisations_value_set(client, council, tenant_b):
    theirs = factories.ValueSetFactory.create(organisation=tenant_b.buyer, title="Council B secret values")
    factories.ValueSetEntryFactory.create(value_set=theirs, measure_code="JOBS.1.1")
    jobs = council.measure("JOBS.1.1")
    url = page_url("valuation-calculator", council)
    client = signed_in(client, council.lead)
    for page in [
        client.get(url, {"value_set": theirs.pk}).content.decode(),
        client.post(url, {"value_set": theirs.pk, f"quantity_{jobs.pk}": "1"}).content.decode(),
    ]:
        assert "Choose one of your organisation’s value sets" in page
        assert "Council B secret values" not in page
        assert "Results" not in page


def test_calculator_without_choices_asks_for_a_value_set(client, council):
    create_value_set(council)
    page = signed_in(client, council.lead).post(page_url("valuation-calculator", council)).content.decode()
    assert '<option value="" selected>Choose a value set</option>' in page
    assert "Results" not in page


# --- API --------------------------------------------------------------------------------------------


def api_client(user: User) -> APIClient:
    token = api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_api_lists_value_sets_and_shows_one_with_its_values_as_decimal_strings(council, tenant_b):
    value_set, _ = calculator_values(council)
    factories.ValueSetFactory.create(organisation=tenant_b.buyer)
    api = api_client(council.tenant.manager)
    listing = api.get(reverse("api:value-set-list", kwargs={"org": council.slug}))
    assert listing.status_code == 200
    assert [row["code"] for row in listing.json()] == ["wellbeing-2019"]
    detail = api.get(reverse("api:value-set-detail", kwargs={"org": council.slug, "pk": value_set.pk})).json()
    assert detail["licence"] == "Open Government Licence v3.0"
    assert detail["valid_to"] == "2027-03-31"
    jobs = detail["entries"][0]
    assert jobs == {
        "measure_code": "JOBS.1.1",
        "value_per_unit": "10000.0000",
        "source": VALUE_SOURCE,
        "base_year": 2019,
        "deadweight": "0.2000",
        "attribution": "0.1000",
        "displacement": "0.0000",
        "drop_off": "0.5000",
        "duration_years": 2,
    }


def test_api_valuation_returns_the_figures_as_decimal_strings(council):
    value_set, series = calculator_values(council)
    response = api_client(council.lead).post(
        reverse("api:valuation", kwargs={"org": council.slug}),
        {
            "value_set": value_set.pk,
            "price_year": 2025,
            "deflator": series.pk,
            "lines": [
                {"measure_code": "JOBS.1.1", "quantity": "10"},
                {"measure_code": "JOBS.1.2", "quantity": 40},
                {"measure_code": "JOBS.1.1", "quantity": "2.5"},
                {"measure_code": "COMM.1.1", "quantity": "3"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["local_economic_value"] == {"gross": "312500.00", "net": "168750.00"}
    assert data["additional_social_value"] == {"gross": "7500.00", "net": "7500.00"}
    assert "total" not in data
    assert data["price_year"] == 2025
    assert data["price_basis"] == "2025 prices"
    assert data["value_set"]["code"] == "wellbeing-2019"
    assert data["deflator"] == {
        "id": series.pk,
        "code": "gdp-deflator",
        "title": "GDP deflator",
        "source": "ONS, March 2025",
    }
    jobs = next(line for line in data["lines"] if line["measure_code"] == "JOBS.1.1")
    assert (jobs["measure_code"], jobs["value_type"], jobs["quantity"]) == ("JOBS.1.1", LOCAL, "12.5")
    assert (jobs["rebase_factor"], jobs["gross"], jobs["net"]) == ("1.2500000000", "312500.00", "168750.00")
    assert data["not_valued"] == [{"measure_code": "COMM.1.1", "value_type": SOCIAL, "quantity": "3"}]
    assert not AuditEvent.objects.filter(action__startswith="valuation").exists()


def test_api_valuation_accepts_a_form_with_the_lines_as_json(council):
    value_set, _ = calculator_values(council)
    response = api_client(council.lead).post(
        reverse("api:valuation", kwargs={"org": council.slug}),
        {"value_set": value_set.pk, "lines": json.dumps([{"measure_code": "JOBS.1.2", "quantity": "2"}])},
    )
    assert response.status_code == 200, response.content
    assert response.json()["additional_social_value"] == {"gross": "300.00", "net": "300.00"}
    assert response.json()["price_basis"] == "2019 prices"


def invalid(field: str, message: str) -> dict[str, Any]:
    return {"detail": "There is a problem with the request.", "errors": {field: message}}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"lines": []}, invalid("lines", 'Give at least one line, like {"measure_code": "X", "quantity": "1"}.')),
        (
            {"lines": [{"measure_code": "JOBS.1.1", "quantity": "-2"}]},
            invalid("lines", "Line 1: the quantity must be 0 or more."),
        ),
        (
            {"lines": [{"measure_code": "JOBS.1.1", "quantity": "lots"}]},
            invalid("lines", "Line 1: “lots” is not a number."),
        ),
        ({"lines": [{"quantity": "1"}]}, invalid("lines", "Line 1: give a measure_code and a quantity.")),
        ({"price_year": 1800}, invalid("price_year", "Ensure this value is greater than or equal to 1990.")),
        ({"value_set": "first"}, invalid("value_set", "A valid integer is required.")),
        (
            {"lines": [{"measure_code": "JOBS.1.1", "quantity": "1.005"}]},
            invalid(
                "lines", "Line 1: the quantity must be less than 1,000,000,000,000, with no more than 2 decimal places."
            ),
        ),
        (
            {"lines": [{"measure_code": "NOPE.1", "quantity": "1"}]},
            {
                "detail": "Line 1: your organisation has no published measure with the code NOPE.1.",
                "errors": {"lines": "Line 1: no published measure has the code NOPE.1"},
            },
        ),
        (
            {"price_year": 2025, "deflator": None},
            {
                "detail": "Choose a deflator series to re-base values from 2019 prices to 2025 prices.",
                "errors": {"deflator": "Choose a deflator series to re-base the values to the price year"},
            },
        ),
    ],
)
def test_api_valuation_refuses_bad_input_with_400(council, changes, expected):
    value_set, _ = calculator_values(council)
    body = {"value_set": value_set.pk, "lines": [{"measure_code": "JOBS.1.1", "quantity": "1"}], **changes}
    response = api_client(council.lead).post(
        reverse("api:valuation", kwargs={"org": council.slug}), body, format="json"
    )
    assert response.status_code == 400
    assert response.json() == expected


def test_api_answers_404_for_another_organisations_value_set_or_deflator(council, tenant_b):
    value_set, _ = calculator_values(council)
    theirs = factories.ValueSetFactory.create(organisation=tenant_b.buyer, title="Council B secret values")
    their_series = factories.DeflatorSeriesFactory.create(organisation=tenant_b.buyer)
    api = api_client(council.lead)
    detail = api.get(reverse("api:value-set-detail", kwargs={"org": council.slug, "pk": theirs.pk}))
    assert detail.status_code == 404
    assert detail.json() == {"detail": "No such value set."}
    lines = [{"measure_code": "JOBS.1.1", "quantity": "1"}]
    url = reverse("api:valuation", kwargs={"org": council.slug})
    assert api.post(url, {"value_set": theirs.pk, "lines": lines}, format="json").status_code == 404
    other_deflator = api.post(
        url, {"value_set": value_set.pk, "price_year": 2025, "deflator": their_series.pk, "lines": lines}, format="json"
    )
    assert other_deflator.status_code == 404
    assert other_deflator.json() == {"detail": "No such deflator series."}
    their_org = reverse("api:value-set-list", kwargs={"org": tenant_b.buyer.slug})
    assert api.get(their_org).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_value_set_entry_set_creates_then_updates_committed(council):
    """Setting a value, committed for real: on PostgreSQL this fails
    if a service locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    test_value_set_entry_set_creates_then_updates_the_value_for_a_measure_code(council)
