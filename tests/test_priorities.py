"""Local priorities and the proportionality policy: services (validation, nothing changed on error,
audit events) and the pages through Django's test client (who may change what, the ask page)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.frameworks.models import (
    FocusArea,
    FrameworkVersion,
    OutcomePriority,
    PriorityGroup,
    ProportionalityBand,
    ProportionalityPolicy,
)
from commonweal.frameworks.services_interchange import framework_load
from commonweal.frameworks.services_priorities import (
    BAND_FIELDS,
    WeightInput,
    band_update,
    focus_area_create,
    focus_area_remove,
    outcome_priorities_set,
    policy_load_default,
    priority_group_create,
    priority_group_remove,
)
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import Member

from . import factories


@pytest.fixture
def council(db: None):
    return factories.OrganisationFactory.create(name="Northgate Council", slug="northgate")


@pytest.fixture
def lead(council):
    return factories.member_user(council, Role.SOCIAL_VALUE_LEAD)


@pytest.fixture
def starter(council) -> FrameworkVersion:
    return framework_load(actor=None, member=Member.system(council))


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def weights(**by_code: tuple[str | None, str]) -> dict[str, WeightInput]:
    return {
        code.replace("_", "."): WeightInput(weight=Decimal(weight) if weight is not None else None, reason=reason)
        for code, (weight, reason) in by_code.items()
    }


# --- Outcome weights ----------------------------------------------------------------------------------


def test_weights_are_set_by_outcome_code_and_audited_with_before_and_after(council, lead, starter):
    framework = starter.framework
    outcome_priorities_set(
        actor=lead, member=Member.system(council), framework=framework, weights=weights(JOBS_1=("5", "Jobs first"))
    )
    outcome_priorities_set(
        actor=lead,
        member=Member.system(council),
        framework=framework,
        weights=weights(JOBS_1=("4.5", "Jobs first"), ENV_1=("2", "Climate emergency")),
    )
    assert list(OutcomePriority.objects.values_list("outcome_code", "weight", "reason")) == [
        ("JOBS.1", Decimal("4.50"), "Jobs first"),
        ("ENV.1", Decimal("2.00"), "Climate emergency"),
    ]
    event = AuditEvent.objects.filter(action="outcome_priorities.set").order_by("pk").last()
    assert event is not None
    assert event.actor == lead
    assert event.before == {"weights": {"JOBS.1": {"weight": "5.00", "reason": "Jobs first"}}}
    assert event.after == {
        "weights": {
            "JOBS.1": {"weight": "4.50", "reason": "Jobs first"},
            "ENV.1": {"weight": "2.00", "reason": "Climate emergency"},
        }
    }


def test_a_blank_weight_takes_the_outcome_off_and_no_change_writes_no_audit_event(council, lead, starter):
    framework = starter.framework
    outcome_priorities_set(
        actor=lead, member=Member.system(council), framework=framework, weights=weights(JOBS_1=("5", "x"))
    )
    outcome_priorities_set(
        actor=lead, member=Member.system(council), framework=framework, weights=weights(JOBS_1=(None, ""))
    )
    assert not OutcomePriority.objects.exists()
    count = AuditEvent.objects.count()
    outcome_priorities_set(
        actor=lead, member=Member.system(council), framework=framework, weights=weights(JOBS_1=(None, ""))
    )
    assert AuditEvent.objects.count() == count


@pytest.mark.parametrize(
    ("entry", "errors"),
    [
        (("-1", "x"), {"weight-JOBS.1": "The weight must be 0 or more"}),
        (("1.005", "x"), {"weight-JOBS.1": "Enter the weight with no more than 2 decimal places"}),
        (("1000", "x"), {"weight-JOBS.1": "Enter a weight below 1000"}),
        (("3", "  "), {"reason-JOBS.1": "Say why this outcome has this weight"}),
    ],
)
def test_bad_weights_are_refused_and_nothing_changes(council, lead, starter, entry, errors):
    framework = starter.framework
    outcome_priorities_set(
        actor=lead, member=Member.system(council), framework=framework, weights=weights(ENV_1=("2", "y"))
    )
    before = (list(OutcomePriority.objects.values_list("outcome_code", "weight")), AuditEvent.objects.count())
    with pytest.raises(ApplicationError) as raised:
        outcome_priorities_set(
            actor=lead,
            member=Member.system(council),
            framework=framework,
            weights=weights(ENV_1=("9", "y"), JOBS_1=entry),
        )
    assert raised.value.field_errors == errors
    assert (list(OutcomePriority.objects.values_list("outcome_code", "weight")), AuditEvent.objects.count()) == before


def test_an_outcome_not_in_the_latest_published_version_is_refused(council, lead, starter):
    with pytest.raises(ApplicationError) as raised:
        outcome_priorities_set(
            actor=lead, member=Member.system(council), framework=starter.framework, weights=weights(NOPE_1=("1", "x"))
        )
    assert raised.value.field_errors == {
        "weight-NOPE.1": "NOPE.1 is not an outcome of Starter social value framework, version 1"
    }


def test_another_organisations_framework_cannot_be_weighted(council, lead):
    other = framework_load(actor=None, member=Member.system(factories.OrganisationFactory.create()))
    with pytest.raises(ApplicationError, match="is neither yours nor shared with a network you belong to"):
        outcome_priorities_set(
            actor=lead, member=Member.system(council), framework=other.framework, weights=weights(JOBS_1=("1", "x"))
        )
    assert not OutcomePriority.objects.exists()


def test_a_framework_without_a_published_version_cannot_be_weighted(council, lead):
    version = factories.FrameworkVersionFactory.create(organisation=council, status="draft")
    with pytest.raises(ApplicationError, match="has no published version"):
        outcome_priorities_set(actor=lead, member=Member.system(council), framework=version.framework, weights={})


# --- Focus areas and priority groups ------------------------------------------------------------------


def test_a_focus_area_is_stored_with_its_code_in_capitals_and_audited(council, lead):
    area = focus_area_create(
        actor=lead,
        member=Member.system(council),
        gss_code=" e05000824 ",
        name="Bucklow-St Martins",
        reason="Most deprived",
    )
    assert (area.gss_code, area.name, area.reason) == ("E05000824", "Bucklow-St Martins", "Most deprived")
    event = AuditEvent.objects.get(action="focus_area.created")
    assert event.after == {"gss_code": "E05000824", "name": "Bucklow-St Martins", "reason": "Most deprived"}
    focus_area_remove(actor=lead, member=Member.system(council), focus_area=area)
    assert not FocusArea.objects.exists()
    removed = AuditEvent.objects.get(action="focus_area.removed")
    assert removed.before["gss_code"] == "E05000824"


GSS_MESSAGE = "Enter a GSS code of 9 characters: E, W, S or N followed by 8 digits, like E05000824"


@pytest.mark.parametrize(
    ("code", "name", "errors"),
    [
        ("E0800000", "Trafford", {"gss_code": GSS_MESSAGE}),
        ("E080000091", "Trafford", {"gss_code": GSS_MESSAGE}),
        ("X08000009", "Trafford", {"gss_code": GSS_MESSAGE}),
        ("E08OOOOO9", "Trafford", {"gss_code": GSS_MESSAGE}),
        ("", "", {"gss_code": "Enter the area’s ONS GSS code, like E05000824", "name": "Enter the area’s name"}),
        ("E08000009", "T" * 201, {"name": "Enter a name of 200 characters or fewer"}),
    ],
)
def test_a_bad_focus_area_is_refused_and_nothing_is_stored(council, lead, code, name, errors):
    with pytest.raises(ApplicationError) as raised:
        focus_area_create(actor=lead, member=Member.system(council), gss_code=code, name=name, reason="")
    assert raised.value.field_errors == errors
    assert not FocusArea.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("code", ["W06000015", "S12000036", "N09000003", "E08000009"])
def test_codes_of_each_uk_nation_are_accepted(council, lead, code):
    assert (
        focus_area_create(actor=lead, member=Member.system(council), gss_code=code, name="Area", reason="").gss_code
        == code
    )


def test_the_same_focus_area_twice_is_refused(council, lead):
    focus_area_create(actor=lead, member=Member.system(council), gss_code="E08000009", name="Trafford", reason="")
    with pytest.raises(ApplicationError) as raised:
        focus_area_create(actor=lead, member=Member.system(council), gss_code="E08000009", name="Again", reason="")
    assert raised.value.field_errors == {"gss_code": "E08000009 is already a focus area"}


def test_priority_groups_are_unique_by_name_whatever_the_case(council, lead):
    group = priority_group_create(
        actor=lead, member=Member.system(council), name="Care leavers", description="Up to 25"
    )
    with pytest.raises(ApplicationError) as raised:
        priority_group_create(actor=lead, member=Member.system(council), name="care leavers", description="")
    assert raised.value.field_errors == {"name": "“care leavers” is already a priority group"}
    with pytest.raises(ApplicationError) as blank:
        priority_group_create(actor=lead, member=Member.system(council), name=" ", description="")
    assert blank.value.field_errors == {"name": "Enter the name of the group"}
    assert audit_actions() == ["priority_group.created"]
    priority_group_remove(actor=lead, member=Member.system(council), priority_group=group)
    assert not PriorityGroup.objects.exists()
    assert audit_actions() == ["priority_group.created", "priority_group.removed"]


# --- The proportionality policy -----------------------------------------------------------------------


def test_loading_the_default_policy_is_audited_once_and_idempotent(council, lead):
    policy = policy_load_default(actor=lead, member=Member.system(council))
    assert policy.title == "Default proportionality policy"
    assert "Procurement Act 2023 thresholds from 1 January 2026" in policy.source
    assert "£663,540" in policy.notes
    assert policy.bands.count() == 7
    again = policy_load_default(actor=lead, member=Member.system(council))
    assert again == policy
    assert ProportionalityBand.objects.count() == 7
    assert audit_actions() == ["proportionality_policy.default_loaded"]
    assert AuditEvent.objects.get().after["bands"][0] == "Light touch, below £207,720"


def test_each_organisation_gets_its_own_bands(council, lead):
    other = factories.OrganisationFactory.create()
    policy_load_default(actor=lead, member=Member.system(council))
    policy_load_default(actor=None, member=Member.system(other))
    assert ProportionalityBand.objects.filter(organisation=other).count() == 7
    assert ProportionalityPolicy.objects.count() == 2


@pytest.fixture
def services_band(council, lead) -> ProportionalityBand:
    return policy_load_default(actor=lead, member=Member.system(council)).bands.get(position=7)


def band_values(band: ProportionalityBand, **changes) -> dict:
    return {**{name: getattr(band, name) for name in BAND_FIELDS}, **changes}


def test_a_band_edit_is_saved_and_audited_with_what_changed(lead, services_band):
    band_update(
        actor=lead,
        member=Member.system(services_band.organisation),
        band=services_band,
        **band_values(services_band, min_weighting_percent=Decimal("15")),
    )
    services_band.refresh_from_db()
    assert services_band.min_weighting_percent == Decimal("15.00")
    event = AuditEvent.objects.get(action="proportionality_band.updated")
    assert (event.before, event.after) == ({"min_weighting_percent": "10.00"}, {"min_weighting_percent": "15"})


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"min_value": Decimal("500000"), "max_value": Decimal("500000")},
            {"max_value": "The value the band stops at must be more than the lowest contract value"},
        ),
        (
            {"min_weighting_percent": Decimal("101")},
            {"min_weighting_percent": "The minimum weighting must be from 0 to 100"},
        ),
        (
            {"min_weighting_percent": Decimal("-1")},
            {"min_weighting_percent": "The minimum weighting must be from 0 to 100"},
        ),
        (
            {"min_months": 24, "max_months": 12},
            {"max_months": "The longest duration must be at least the shortest duration"},
        ),
        ({"min_value": Decimal("-5")}, {"min_value": "The lowest contract value must be £0 or more"}),
        ({"name": " "}, {"name": "Enter a name for the band"}),
        (
            {"name": "goods at or above the threshold"},
            {"name": "Another band is already called “goods at or above the threshold”"},
        ),
        ({"offer_kind": "vague"}, {"offer_kind": "Choose the kind of offer"}),
        ({"category": "furniture"}, {"category": "Choose goods, services, works or any"}),
    ],
)
def test_a_bad_band_edit_is_refused_and_nothing_changes(lead, services_band, changes, errors):
    before = band_values(services_band)
    with pytest.raises(ApplicationError) as raised:
        band_update(
            actor=lead,
            member=Member.system(services_band.organisation),
            band=services_band,
            **band_values(services_band, **changes),
        )
    assert raised.value.field_errors == errors
    services_band.refresh_from_db()
    assert band_values(services_band) == before
    assert "proportionality_band.updated" not in audit_actions()


# --- Pages --------------------------------------------------------------------------------------------


@pytest.fixture
def manager(council):
    return factories.member_user(council, Role.CONTRACT_MANAGER)


def url(name: str, **kwargs) -> str:
    return reverse(f"frameworks:{name}", kwargs={"org": "northgate", **kwargs})


def test_the_overview_shows_each_area_to_any_member(client, council, manager, starter):
    focus_area_create(actor=None, member=Member.system(council), gss_code="E08000009", name="Trafford", reason="")
    client.force_login(manager)
    page = client.get(url("priorities")).content.decode()
    assert '<h1 class="govuk-heading-l">Priorities and proportionality</h1>' in page
    assert "Trafford (E08000009)" in page
    assert "View weights" in page and "Set weights" not in page
    assert "Only a social value lead can change these." in page


def test_the_lead_sets_weights_through_the_form(client, lead, starter):
    client.force_login(lead)
    rows = {o.code: o.pk for o in starter.outcomes.all()}
    response = client.post(
        url("priority-weights", pk=starter.framework.pk),
        {f"weight_{rows['JOBS.1']}": "5", f"reason_{rows['JOBS.1']}": "Jobs first", f"weight_{rows['ENV.1']}": ""},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("priorities")
    assert "The weights on Starter social value framework have been saved." in response.content.decode()
    assert list(OutcomePriority.objects.values_list("outcome_code", "weight")) == [("JOBS.1", Decimal("5.00"))]


def test_a_weight_without_a_reason_shows_the_error_against_its_field(client, lead, starter):
    client.force_login(lead)
    jobs = starter.outcomes.get(code="JOBS.1").pk
    response = client.post(url("priority-weights", pk=starter.framework.pk), {f"weight_{jobs}": "5"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#id_reason_{jobs}">Say why this outcome has this weight</a>' in page
    assert not OutcomePriority.objects.exists()


def test_a_member_who_is_not_a_lead_cannot_post_weights(client, manager, starter):
    client.force_login(manager)
    jobs = starter.outcomes.get(code="JOBS.1").pk
    response = client.post(
        url("priority-weights", pk=starter.framework.pk), {f"weight_{jobs}": "5", f"reason_{jobs}": "x"}
    )
    assert response.status_code == 404
    assert not OutcomePriority.objects.exists()
    page = client.get(url("priority-weights", pk=starter.framework.pk)).content.decode()
    assert "Only a social value lead can change the weights." in page


def test_another_organisations_framework_is_a_404(client, lead, db):
    other = framework_load(actor=None, member=Member.system(factories.OrganisationFactory.create()))
    client.force_login(lead)
    assert client.get(url("priority-weights", pk=other.framework.pk)).status_code == 404


def test_a_bad_gss_code_on_the_form_is_shown_and_nothing_is_stored(client, lead):
    client.force_login(lead)
    response = client.post(url("focus-areas"), {"gss_code": "E0800", "name": "Trafford", "reason": ""})
    page = response.content.decode()
    assert "There is a problem" in page
    assert '<a href="#id_gss_code">No ward or district is called “E0800”: type a ward and its district' in page
    assert "<title>Error: " in page
    assert not FocusArea.objects.exists()


def test_a_focus_area_is_chosen_by_name_and_named_after_the_place(client, lead):
    client.force_login(lead)
    response = client.post(
        url("focus-areas"), {"gss_code": "Altrincham, Trafford", "name": "", "reason": ""}, follow=True
    )
    assert "Altrincham, Trafford (E05015239) is now a focus area." in response.content.decode()
    ambiguous = client.post(url("focus-areas"), {"gss_code": "Central", "name": "", "reason": ""}).content.decode()
    assert "wards are called “Central”: add the district, like “Central, " in ambiguous
    assert FocusArea.objects.count() == 1


def test_the_lead_adds_and_removes_a_focus_area_and_a_group(client, lead):
    client.force_login(lead)
    response = client.post(url("focus-areas"), {"gss_code": "E08000009", "name": "Trafford", "reason": ""}, follow=True)
    assert "Trafford (E08000009) is now a focus area." in response.content.decode()
    area = FocusArea.objects.get()
    assert client.post(url("focus-area-remove", pk=area.pk)).status_code == 302
    assert not FocusArea.objects.exists()
    client.post(url("priority-groups"), {"name": "Care leavers", "description": "Up to 25"})
    group = PriorityGroup.objects.get()
    assert client.post(url("priority-group-remove", pk=group.pk)).status_code == 302
    assert not PriorityGroup.objects.exists()


def test_removing_another_organisations_focus_area_is_a_404(client, lead, db):
    other = factories.OrganisationFactory.create()
    area = focus_area_create(actor=None, member=Member.system(other), gss_code="E08000009", name="Trafford", reason="")
    client.force_login(lead)
    assert client.post(url("focus-area-remove", pk=area.pk)).status_code == 404
    assert FocusArea.objects.filter(pk=area.pk).exists()


def test_the_policy_page_loads_the_default_and_shows_the_bands(client, lead, manager):
    client.force_login(manager)
    assert "Ask your social value lead to set the policy." in client.get(url("policy")).content.decode()
    assert client.post(url("policy-load")).status_code == 404
    client.force_login(lead)
    page = client.get(url("policy")).content.decode()
    assert "Load the default policy" in page
    response = client.post(url("policy-load"), follow=True)
    page = response.content.decode()
    assert "The default proportionality policy has been loaded. Check each band." in page
    assert "7. Services at or above the threshold" in page
    assert "Works, £5,193,000.00 or more" in page
    assert (
        "Whatever the band, a contract worth more than £5,000,000.00 needs at least 3 key performance indicators"
        in page
    )


def test_a_band_edit_with_min_above_max_shows_the_error_and_changes_nothing(client, lead, services_band):
    client.force_login(lead)
    data = {
        "name": "Services",
        "category": "services",
        "min_value": "300000",
        "max_value": "200000",
        "min_months": "",
        "max_months": "",
        "supplier_size": "any",
        "min_weighting_percent": "10",
        "outcomes_to_ask": "3",
        "offer_kind": "quantified",
        "delivery_plan_required": "yes",
        "reporting_frequency": "quarterly",
        "rationale": "Value: local policy choice.",
    }
    response = client.post(url("band-edit", pk=services_band.pk), data)
    assert '<a href="#id_max_value">The value the band stops at must be more than the lowest contract value</a>' in (
        response.content.decode()
    )
    services_band.refresh_from_db()
    assert services_band.name == "Services at or above the threshold"
    response = client.post(
        url("band-edit", pk=services_band.pk), {**data, "max_value": "", "min_weighting_percent": "12.5"}
    )
    assert response.status_code == 302
    services_band.refresh_from_db()
    assert (services_band.name, services_band.min_weighting_percent, services_band.max_value) == (
        "Services",
        Decimal("12.50"),
        None,
    )


def test_a_member_who_is_not_a_lead_cannot_open_the_band_form(client, manager, services_band):
    client.force_login(manager)
    assert client.get(url("band-edit", pk=services_band.pk)).status_code == 404


ASK = {"value": "250000", "category": "services", "months": "36", "supplier_size": "any", "description": ""}


def test_the_ask_page_proposes_the_ask_with_reasons_and_says_it_is_not_saved(client, manager, services_band):
    client.force_login(manager)
    page = client.get(url("ask"), ASK).content.decode()
    assert "The proposed ask" in page
    assert "7. Services at or above the threshold" in page
    assert "Value £250,000.00 is at or above £207,720.00 and the contract is for services" in page
    assert "This ask is not saved yet" in page


def test_the_ask_page_shows_bad_input_against_the_field(client, manager, services_band):
    client.force_login(manager)
    page = client.get(url("ask"), {**ASK, "value": "-3"}).content.decode()
    assert '<a href="#id_value">The contract value must be £0 or more</a>' in page
    assert "The proposed ask" not in page


def test_a_weighting_below_the_band_minimum_is_refused_on_the_page(client, manager, services_band):
    client.force_login(manager)
    adjust = {**ASK, "adjust": "1", "weighting": "5", "weighting_reason": "Small market", "offer": "quantified"}
    adjust.update({"delivery_plan": "yes", "reporting": "quarterly"})
    page = client.get(url("ask"), adjust).content.decode()
    assert (
        '<a href="#id_weighting">The weighting must be at least 10%, the minimum band “Services at or above the '
        "threshold” sets</a>"
    ) in page
    assert "<title>Error: " in page


def test_an_adjusted_ask_shows_beside_the_proposal_with_the_officers_reasons(client, manager, services_band):
    client.force_login(manager)
    adjust = {**ASK, "adjust": "1", "weighting": "15", "weighting_reason": "Cabinet asked for 15%"}
    adjust.update({"offer": "quantified", "delivery_plan": "yes", "reporting": "annually", "reporting_reason": ""})
    page = client.get(url("ask"), adjust).content.decode()
    assert '<a href="#id_reporting_reason">Say why you changed the reporting</a>' in page
    adjust["reporting_reason"] = "Small team"
    page = client.get(url("ask"), adjust).content.decode()
    assert "Your adjusted ask beside the proposal" in page
    assert "Reason: Cabinet asked for 15%" in page
    assert "Reason: Small team" in page
    assert "10% is the minimum social value weighting of the Social Value Model" in page
