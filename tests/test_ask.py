"""Proposing a proportionate social value ask: the default policy's bands worked by hand, boundaries,
each category, SME against large, no band that fits, outcome suggestions, officers' adjustments, and
the same ask through the CLI and the API."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.frameworks.models import ProportionalityBand, ProportionalityPolicy
from commonweal.frameworks.proportionality import (
    PriorityOutcome,
    ask_adjust,
    ask_as_dict,
    ask_propose,
    band_describe,
    kpi_rule_default,
    outcomes_suggest,
)
from commonweal.frameworks.selectors_priorities import ask_for
from commonweal.frameworks.services_interchange import framework_load
from commonweal.frameworks.services_priorities import WeightInput, outcome_priorities_set, policy_load_default
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .factories import api_token


@pytest.fixture
def default_bands(db: None) -> list[ProportionalityBand]:
    organisation = factories.OrganisationFactory.create()
    policy = policy_load_default(actor=None, member=Member.system(organisation))
    return list(policy.bands.order_by("position"))


def propose(bands: list[ProportionalityBand], value: str, category: str, months: int = 36, size: str = "any"):
    return ask_propose(bands=bands, value=value, category=category, months=months, supplier_size=size)


def outcome(code: str, title: str, weight: str, framework: str = "starter") -> PriorityOutcome:
    return PriorityOutcome(
        framework_code=framework, framework_title="Starter", code=code, title=title, weight=Decimal(weight)
    )


PRIORITIES = [
    outcome("JOBS.1", "More local people in good work", "5"),
    outcome("ENV.1", "Lower carbon emissions", "3"),
    outcome("ECON.1", "More spend stays in the area", "3"),
    outcome("COMM.1", "Community organisations get practical help", "0"),
]


# --- The default policy, worked by hand -------------------------------------------------------------


def test_the_default_policy_has_seven_bands_in_order(default_bands):
    assert [(b.position, b.name) for b in default_bands] == [
        (1, "Light touch, below £207,720"),
        (2, "Light touch for SMEs and VCSEs, £207,720 to £5 million"),
        (3, "Short contracts, 12 months or less"),
        (4, "Works, £207,720 to the works threshold"),
        (5, "Works at or above the works threshold"),
        (6, "Goods at or above the threshold"),
        (7, "Services at or above the threshold"),
    ]
    assert band_describe(default_bands[1]) == "Any contract, £207,720.00 up to £5,000,000.00, going to an SME or VCSE"
    assert band_describe(default_bands[2]) == "Any contract, £207,720.00 up to £5,000,000.00, lasting 12 months or less"
    assert band_describe(default_bands[4]) == "Works, £5,193,000.00 or more"


def test_services_at_250000_for_36_months_get_the_above_threshold_services_ask(default_bands):
    ask = propose(default_bands, "250000", "services")
    assert ask.band_name == "Services at or above the threshold"
    assert ask.min_weighting_percent == Decimal("10.00")
    assert ask.outcomes_to_ask == 3
    assert ask.offer_kind == "quantified"
    assert ask.delivery_plan_required is True
    assert ask.reporting_frequency == "quarterly"
    assert ask.kpis_required is False
    reasons = ask.reason_by_part
    assert list(reasons) == ["band", "weighting", "outcomes", "offer", "delivery_plan", "reporting", "kpis"]
    assert reasons["band"] == (
        "Value £250,000.00 is at or above £207,720.00 and the contract is for services, so band “Services at or above "
        "the threshold” applies (the first band of the policy that fits). £207,720 is the Procurement Act 2023 "
        "threshold for services bought by sub-central authorities such as councils, from 1 January 2026."
    )
    assert reasons["weighting"] == (
        "At least 10% of the total score, as band “Services at or above the threshold” sets. 10% is the minimum "
        "social value weighting of the Social Value Model (PPN 06/20 and PPN 002)."
    )
    assert reasons["kpis"] == (
        "Value £250,000.00 is not over £5,000,000.00, so KPIs are not required by Procurement Act 2023, s.52; the "
        "social value commitments are still tracked."
    )


@pytest.mark.parametrize(
    ("value", "category", "band", "weighting", "outcomes"),
    [
        ("207719.99", "services", "Light touch, below £207,720", "5.00", 1),
        ("207720", "services", "Services at or above the threshold", "10.00", 3),
        ("207719.99", "goods", "Light touch, below £207,720", "5.00", 1),
        ("207720", "goods", "Goods at or above the threshold", "10.00", 2),
        ("207719.99", "works", "Light touch, below £207,720", "5.00", 1),
        ("207720", "works", "Works, £207,720 to the works threshold", "10.00", 2),
        ("5192999.99", "works", "Works, £207,720 to the works threshold", "10.00", 2),
        ("5193000", "works", "Works at or above the works threshold", "10.00", 3),
        ("0", "goods", "Light touch, below £207,720", "5.00", 1),
    ],
)
def test_each_category_changes_band_exactly_at_its_threshold(default_bands, value, category, band, weighting, outcomes):
    ask = propose(default_bands, value, category)
    assert (ask.band_name, str(ask.min_weighting_percent), ask.outcomes_to_ask) == (band, weighting, outcomes)


def test_below_threshold_is_light_touch(default_bands):
    ask = propose(default_bands, "150000", "works", months=24)
    assert (ask.offer_kind, ask.delivery_plan_required, ask.reporting_frequency) == ("qualitative", False, "annually")
    assert ask.reason_by_part["band"].startswith(
        "Value £150,000.00 is below £207,720.00, so band “Light touch, below £207,720” applies"
    )
    assert "5% is a local policy choice" in ask.reason_by_part["weighting"]


def test_works_between_the_thresholds_report_every_six_months(default_bands):
    ask = propose(default_bands, "1200000", "works", months=18)
    assert (ask.band_name, ask.reporting_frequency) == ("Works, £207,720 to the works threshold", "six_monthly")
    assert "£5,193,000 is the Procurement Act 2023 threshold for works contracts" in ask.reason_by_part["band"]


@pytest.mark.parametrize(
    ("size", "band"),
    [
        ("sme", "Light touch for SMEs and VCSEs, £207,720 to £5 million"),
        ("large", "Services at or above the threshold"),
        ("any", "Services at or above the threshold"),
    ],
)
def test_an_sme_supplier_gets_the_light_touch_ask_and_a_large_one_does_not(default_bands, size, band):
    assert propose(default_bands, "1000000", "services", size=size).band_name == band


def test_the_sme_band_gives_its_reason_and_keeps_the_ten_percent_minimum(default_bands):
    ask = propose(default_bands, "1000000", "goods", size="sme")
    assert (ask.offer_kind, ask.outcomes_to_ask, ask.delivery_plan_required) == ("qualitative", 1, False)
    assert ask.min_weighting_percent == Decimal("10.00")
    assert "the supplier is expected to be small or medium-sized enterprise (or vcse)" in ask.reason_by_part["band"]


def test_an_sme_at_five_million_gets_the_full_ask(default_bands):
    assert propose(default_bands, "5000000", "services", size="sme").band_name == "Services at or above the threshold"


@pytest.mark.parametrize(
    ("months", "band"),
    [
        (12, "Short contracts, 12 months or less"),
        (13, "Services at or above the threshold"),
        (1, "Short contracts, 12 months or less"),
    ],
)
def test_duration_bounds_include_the_longest_duration(default_bands, months, band):
    assert propose(default_bands, "300000", "services", months=months).band_name == band


def test_the_short_contract_band_reports_once_at_the_end(default_bands):
    ask = propose(default_bands, "300000", "goods", months=6)
    assert (ask.reporting_frequency, ask.delivery_plan_required) == ("at_end", False)
    assert "it runs 6 months (12 months or less)" in ask.reason_by_part["band"]


@pytest.mark.parametrize(
    ("value", "required"),
    [("5000000", False), ("5000000.01", True), ("5193000", True), ("99000000", True)],
)
def test_kpis_are_required_only_over_five_million(default_bands, value, required):
    category = "works" if value == "5193000" else "services"
    ask = propose(default_bands, value, category)
    assert ask.kpis_required is required
    if required:
        assert "Procurement Act 2023, s.52 says that" in ask.reason_by_part["kpis"]
        assert "at least three key performance indicators" in ask.reason_by_part["kpis"]


def test_the_kpi_threshold_comes_from_the_data_file():
    rule = kpi_rule_default()
    assert (rule.over, rule.minimum, rule.source) == (Decimal("5000000"), 3, "Procurement Act 2023, s.52")


def test_every_number_in_the_default_policy_carries_its_source_or_says_it_is_a_local_choice(default_bands):
    for band in default_bands:
        lines = band.rationale.splitlines()
        assert [line.split(":")[0] for line in lines] == [
            "Value",
            "Weighting",
            "Outcomes",
            "Offer",
            "Delivery plan",
            "Reporting",
        ], band.name
        for line in lines:
            assert any(
                source in line for source in ("Procurement Act 2023", "Social Value Model", "local policy choice")
            ), f"{band.name}: {line}"


# --- Bands that do not fit, and bad input -----------------------------------------------------------


def band(position: int, **fields) -> ProportionalityBand:
    values = {
        "name": f"Band {position}",
        "category": "",
        "min_value": Decimal(0),
        "max_value": None,
        "min_months": None,
        "max_months": None,
        "supplier_size": "any",
        "min_weighting_percent": Decimal(10),
        "outcomes_to_ask": 1,
        "offer_kind": "quantified",
        "delivery_plan_required": False,
        "reporting_frequency": "annually",
        "rationale": "",
    }
    return ProportionalityBand(position=position, **{**values, **fields})


def test_no_band_that_fits_is_a_clear_error():
    bands = [band(1, category="goods"), band(2, category="works", max_value=Decimal("100000"))]
    with pytest.raises(ApplicationError) as raised:
        ask_propose(bands=bands, value="250000", category="services", months=36)
    assert raised.value.message == (
        "No band of the proportionality policy fits a services contract worth £250,000.00 over 36 months (any size). "
        "Add a band that covers it, or check the value, category, duration and supplier size."
    )


def test_no_bands_at_all_says_to_load_the_policy():
    with pytest.raises(ApplicationError, match="no proportionality policy bands yet: load the default policy"):
        ask_propose(bands=[], value="1000", category="goods", months=1)


def test_the_first_band_by_position_wins_and_a_blank_rationale_still_gives_reasons():
    bands = [band(2, name="Second"), band(1, name="First", min_weighting_percent=Decimal("12.5"))]
    ask = ask_propose(bands=bands, value="10", category="goods", months=1)
    assert ask.band_name == "First"
    assert ask.reason_by_part["weighting"] == "At least 12.5% of the total score, as band “First” sets."


def test_a_band_for_large_suppliers_does_not_fit_an_unknown_supplier():
    bands = [band(1, name="Large only", supplier_size="large"), band(2, name="Anyone")]
    assert ask_propose(bands=bands, value="10", category="goods", months=1, supplier_size="any").band_name == "Anyone"
    assert ask_propose(bands=bands, value="10", category="goods", months=1, supplier_size="large").band_name == (
        "Large only"
    )


@pytest.mark.parametrize(
    ("inputs", "field", "message"),
    [
        ({"value": "-1"}, "value", "The contract value must be £0 or more"),
        ({"value": "lots"}, "value", "Enter the contract value as a number of pounds, like 250000"),
        ({"value": "NaN"}, "value", "Enter the contract value as a number of pounds, like 250000"),
        ({"value": "10.001"}, "value", "Enter the contract value with no more than 2 decimal places"),
        ({"months": "0"}, "months", "The duration must be at least 1 month"),
        ({"months": "2.5"}, "months", "Enter the duration as a whole number of months, like 36"),
        ({"category": "furniture"}, "category", "Choose goods, services or works"),
        ({"supplier_size": "medium"}, "supplier_size", "Choose the expected supplier size: any, SME or VCSE, or large"),
    ],
)
def test_bad_input_is_refused_with_a_message_for_the_field(inputs, field, message):
    arguments = {"value": "1000", "category": "goods", "months": "12", "supplier_size": "any", **inputs}
    with pytest.raises(ApplicationError) as raised:
        ask_propose(bands=[band(1)], **arguments)
    assert raised.value.field_errors == {field: message}


# --- Suggesting outcomes ------------------------------------------------------------------------------


def test_outcomes_are_suggested_by_weight_with_ties_by_code_and_weight_zero_left_out():
    suggested = outcomes_suggest(PRIORITIES, description="", count=4)
    assert [s.outcome.code for s in suggested] == ["JOBS.1", "ECON.1", "ENV.1"]


def test_outcomes_the_description_mentions_come_first_and_the_reason_says_which_words():
    bands = [band(1, outcomes_to_ask=2, name="Two outcomes")]
    ask = ask_propose(
        bands=bands,
        value="300000",
        category="goods",
        months=24,
        description="Electric fleet vehicles to cut carbon emissions",
        outcome_priorities=PRIORITIES,
    )
    assert [s.outcome.code for s in ask.outcomes_suggested] == ["ENV.1", "JOBS.1"]
    assert ask.outcomes_suggested[0].matched_words == ("carbon", "emissions")
    assert ask.reason_by_part["outcomes"] == (
        "Ask for 2 outcomes, as band “Two outcomes” sets. Suggested: outcomes whose titles share words with the "
        "description first, then by local priority weight: “Lower carbon emissions” (ENV.1, weight 3), whose title "
        "shares “carbon”, “emissions” with the description; “More local people in good work” (JOBS.1, weight 5)."
    )


def test_common_and_short_words_do_not_count_as_a_mention():
    suggested = outcomes_suggest(PRIORITIES, description="More local people in the area", count=1)
    assert suggested[0].outcome.code == "JOBS.1"
    assert suggested[0].matched_words == ()


def test_without_priorities_no_outcome_is_suggested_and_the_reason_says_so():
    ask = ask_propose(bands=[band(1, outcomes_to_ask=2)], value="1", category="goods", months=1)
    assert ask.outcomes_suggested == ()
    assert ask.reason_by_part["outcomes"].endswith(
        "No outcome has a local priority weight yet, so none is suggested: set priorities first."
    )


def test_fewer_priorities_than_the_band_asks_for_is_explained():
    ask = ask_propose(
        bands=[band(1, outcomes_to_ask=3)], value="1", category="goods", months=1, outcome_priorities=PRIORITIES[:1]
    )
    assert ask.reason_by_part["outcomes"].endswith("Only 1 outcome has a priority weight.")


def test_the_same_code_in_two_frameworks_are_two_outcomes():
    twins = [outcome("JOBS.1", "Local jobs", "2", "starter"), outcome("JOBS.1", "Local jobs", "2", "fork")]
    assert [s.outcome.key for s in outcomes_suggest(twins, description="", count=2)] == [
        "fork:JOBS.1",
        "starter:JOBS.1",
    ]


# --- Adjusting a proposal -----------------------------------------------------------------------------


@pytest.fixture
def proposal():
    bands = [band(1, name="Services", outcomes_to_ask=2, reporting_frequency="quarterly", delivery_plan_required=True)]
    return ask_propose(bands=bands, value="250000", category="services", months=36, outcome_priorities=PRIORITIES)


def adjust(proposal, **changes):
    arguments = {
        "proposal": proposal,
        "min_weighting_percent": proposal.min_weighting_percent,
        "outcome_keys": list(proposal.outcome_keys),
        "offer_kind": proposal.offer_kind,
        "delivery_plan_required": proposal.delivery_plan_required,
        "reporting_frequency": proposal.reporting_frequency,
        "reasons": {},
        "outcome_choices": {o.key: o for o in PRIORITIES},
        **changes,
    }
    return ask_adjust(**arguments)


def test_an_unchanged_proposal_has_no_changes(proposal):
    assert adjust(proposal).changes == ()


def test_the_weighting_cannot_go_below_the_band_minimum(proposal):
    with pytest.raises(ApplicationError) as raised:
        adjust(proposal, min_weighting_percent=Decimal("9.5"), reasons={"weighting": "Small market"})
    assert raised.value.field_errors == {
        "weighting": "The weighting must be at least 10%, the minimum band “Services” sets"
    }


def test_each_change_needs_a_reason(proposal):
    with pytest.raises(ApplicationError) as raised:
        adjust(proposal, min_weighting_percent=Decimal("15"), reporting_frequency="annually")
    assert raised.value.field_errors == {
        "weighting_reason": "Say why you changed the minimum social value weighting",
        "reporting_reason": "Say why you changed the reporting",
    }


def test_changes_with_reasons_are_kept_beside_the_proposal(proposal):
    adjusted = adjust(
        proposal,
        min_weighting_percent=Decimal("15"),
        outcome_keys=["starter:ENV.1"],
        delivery_plan_required=False,
        reasons={"weighting": "Cabinet asked for 15%", "outcomes": "Fleet contract", "delivery_plan": "Simple"},
    )
    assert [(c.part, c.proposed, c.adjusted, c.reason) for c in adjusted.changes] == [
        ("weighting", "10%", "15%", "Cabinet asked for 15%"),
        (
            "outcomes",
            "JOBS.1 More local people in good work; ECON.1 More spend stays in the area",
            "ENV.1 Lower carbon emissions",
            "Fleet contract",
        ),
        ("delivery_plan", "Required", "Not required", "Simple"),
    ]
    assert adjusted.proposal == proposal
    assert [o.code for o in adjusted.outcomes] == ["ENV.1"]


def test_an_outcome_not_in_the_list_is_refused(proposal):
    with pytest.raises(ApplicationError) as raised:
        adjust(proposal, outcome_keys=["starter:NOPE.1"], reasons={"outcomes": "x"})
    assert raised.value.field_errors == {"outcomes": "Choose outcomes from the list"}


# --- The organisation's ask, as JSON, through the CLI and the API -------------------------------------


@pytest.fixture
def council(db: None):
    """A council with the starter framework, two weighted outcomes and the default policy."""
    organisation = factories.OrganisationFactory.create(name="Northgate Council", slug="northgate")
    version = framework_load(actor=None, member=Member.system(organisation))
    outcome_priorities_set(
        actor=None,
        member=Member.system(organisation),
        framework=version.framework,
        weights={
            "JOBS.1": WeightInput(weight=Decimal("5"), reason="Jobs first"),
            "ENV.1": WeightInput(weight=Decimal("2.5"), reason="Climate emergency"),
        },
    )
    policy_load_default(actor=None, member=Member.system(organisation))
    return organisation


def test_the_organisation_ask_uses_its_policy_and_priorities(council):
    member = member_access(user=factories.member_user(council, Role.PROCUREMENT_OFFICER), slug=council.slug)
    ask = ask_for(member=member, value="250000", category="services", months="36", description="Low carbon fleet")
    assert ask.band_name == "Services at or above the threshold"
    assert [s.outcome.code for s in ask.outcomes_suggested] == ["ENV.1", "JOBS.1"]
    assert ask_as_dict(ask) == {
        "value": "250000.00",
        "category": "services",
        "months": 36,
        "supplier_size": "any",
        "description": "Low carbon fleet",
        "band": {"position": 7, "name": "Services at or above the threshold"},
        "min_weighting_percent": "10.00",
        "outcomes_to_ask": 3,
        "outcomes_suggested": [
            {
                "framework": "starter",
                "code": "ENV.1",
                "title": "Lower carbon emissions",
                "weight": "2.50",
                "matched_words": ["carbon"],
            },
            {
                "framework": "starter",
                "code": "JOBS.1",
                "title": "More local people in good work",
                "weight": "5.00",
                "matched_words": [],
            },
        ],
        "offer_kind": "quantified",
        "delivery_plan_required": True,
        "reporting_frequency": "quarterly",
        "kpis_required": False,
        "reasons": [{"part": part, "reason": reason} for part, reason in ask.reasons],
    }


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


ARGS = ["--organisation", "northgate", "--value", "250000", "--category", "services", "--months", "36"]


def test_cli_prints_the_ask_with_a_reason_for_each_part(council):
    text = run("ask", *ARGS)
    assert text.startswith(
        "Northgate Council: the proposed social value ask for a services contract worth £250,000.00 over 36 months. "
        "Nothing is stored."
    )
    assert "Band: 7. Services at or above the threshold\n  Why: Value £250,000.00 is at or above £207,720.00" in text
    assert "Minimum social value weighting: At least 10% of the total score\n" in text
    assert "Key performance indicators: Not required\n" in text


def test_cli_json_and_api_give_the_same_ask(council, client):
    as_json = json.loads(run("ask", *ARGS, "--supplier-size", "large", "--description", "Carbon", "--json"))
    user = factories.member_user(council, Role.PROCUREMENT_OFFICER)
    token = api_token(user)
    response = client.post(
        reverse("api:ask", kwargs={"org": "northgate"}),
        {"value": "250000", "category": "services", "months": 36, "supplier_size": "large", "description": "Carbon"},
        content_type="application/json",
        headers={"Authorization": f"Token {token.key}"},
    )
    assert response.status_code == 200
    assert response.json() == as_json
    assert as_json["supplier_size"] == "large"
    assert as_json["outcomes_suggested"][0]["code"] == "ENV.1"


def test_cli_bad_input_and_unknown_organisation_are_clear_errors(council):
    with pytest.raises(CommandError, match="--value: The contract value must be £0 or more"):
        run("ask", "--organisation", "northgate", "--value", "-5", "--category", "goods", "--months", "3")
    with pytest.raises(CommandError, match="No organisation has the short name “nowhere”"):
        run("ask", "--organisation", "nowhere", "--value", "5", "--category", "goods", "--months", "3")


def test_api_bad_input_is_a_400_with_a_message_per_field(council, client):
    client.force_login(factories.member_user(council, Role.VIEWER))
    response = client.post(
        reverse("api:ask", kwargs={"org": "northgate"}),
        {"value": "lots", "category": "services", "months": "0"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "value": "Enter the contract value as a number of pounds, like 250000",
        "months": "The duration must be at least 1 month",
    }


def test_api_ask_for_another_organisation_is_a_404(council, client):
    other = factories.OrganisationFactory.create()
    client.force_login(factories.member_user(other, Role.SOCIAL_VALUE_LEAD))
    response = client.post(
        reverse("api:ask", kwargs={"org": "northgate"}),
        {"value": "1", "category": "goods", "months": "1"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_api_without_a_policy_says_to_load_one(client, db):
    organisation = factories.OrganisationFactory.create(slug="nopolicy")
    client.force_login(factories.member_user(organisation, Role.VIEWER))
    response = client.post(
        reverse("api:ask", kwargs={"org": "nopolicy"}),
        {"value": "1", "category": "goods", "months": "1"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "load the default policy" in response.json()["detail"]
    assert not ProportionalityPolicy.objects.exists()
