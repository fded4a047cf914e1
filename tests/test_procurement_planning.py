"""Planning a procurement: the ask from the default policy, the default model, lots, the impact
assessment, scales, criteria, the timetable in Europe/London, every publish refusal, the frozen
methodology after publishing, cancelling, and the pages (with 404s for other tenants and suppliers)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweal.core.errors import ApplicationError
from commonweal.core.formatting import uk_datetime
from commonweal.core.models import AuditEvent
from commonweal.frameworks.models import Outcome, ProportionalityBand, Theme
from commonweal.frameworks.proportionality import AdjustedAsk, ask_adjust
from commonweal.frameworks.selectors_priorities import priority_outcome_list
from commonweal.frameworks.services_priorities import WeightInput, outcome_priorities_set, policy_load_default
from commonweal.procurement import rules, selectors, selectors_planning, services_planning
from commonweal.procurement.forms_planning import ProcurementForm, time_parse
from commonweal.procurement.models import Criterion, Lot, Procurement, ProcurementState, ScoringScale
from commonweal.procurement.rules import FROZEN, working_days_after
from commonweal.procurement.services_planning import CriterionInput, ImpactInput, ProcurementInput, scales_ensure
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import Member, member_access

from . import factories


class Buyer:
    def __init__(self) -> None:
        self.organisation = factories.OrganisationFactory.create(name="Northgate Council", slug="northgate")
        self.officer = factories.member_user(self.organisation, Role.PROCUREMENT_OFFICER)
        self.reader = factories.member_user(self.organisation, Role.CONTRACT_MANAGER)
        policy_load_default(actor=None, member=Member.system(self.organisation))
        self.version = factories.FrameworkVersionFactory.create(organisation=self.organisation)
        theme = Theme.objects.create(organisation=self.organisation, version=self.version, code="T", title="Theme")
        for position, (code, title) in enumerate(
            [("JOBS.1", "More local people in good work"), ("ENV.1", "Lower carbon emissions"), ("COMM.1", "Help")]
        ):
            Outcome.objects.create(
                organisation=self.organisation,
                version=self.version,
                theme=theme,
                code=code,
                title=title,
                position=position,
            )
        outcome_priorities_set(
            actor=None,
            member=Member.system(self.organisation),
            framework=self.version.framework,
            weights={
                "JOBS.1": WeightInput(weight=Decimal("5"), reason="Unemployment is high"),
                "ENV.1": WeightInput(weight=Decimal("3"), reason="Net zero by 2038"),
            },
        )

    def member(self) -> Member:
        return member_access(user=self.officer, slug=self.organisation.slug)


@pytest.fixture
def buyer(db: None) -> Buyer:
    return Buyer()


def in_days(days: int, hour: int = 12) -> datetime:
    day = (timezone.localtime() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def timetable() -> dict[str, datetime | None]:
    return {
        "publication_at": in_days(1),
        "clarification_deadline": in_days(15),
        "tender_deadline": in_days(30),
        "evaluation_at": in_days(31),
        "award_at": in_days(40),
        "standstill_end_at": in_days(55),
    }


def plan(buyer: Buyer, *, value: str = "250000", reference: str = "NC-2026-001", **changes: Any) -> ProcurementInput:
    data = ProcurementInput(
        title="Grounds maintenance",
        reference=reference,
        description="Grass cutting and litter picking in parks.",
        core_deliverables="Grass cutting\nLitter picking",
        estimated_value=Decimal(value),
        category="services",
        duration_months=36,
        framework_version=buyer.version,
        value_set=None,
        price_method="lowest_over_bid",
        abnormally_low_percent=Decimal("80"),
        social_value_share_percent=Decimal("20"),
        timetable=timetable(),
    )
    return replace(data, **changes)


def create(buyer: Buyer, **kwargs: Any) -> Procurement:
    return services_planning.procurement_create(actor=buyer.officer, member=buyer.member(), data=plan(buyer, **kwargs))


def criterion(procurement: Procurement, code: str) -> Criterion:
    return Criterion.objects.get(procurement=procurement, code=code)


# --- The ask and the default model -------------------------------------------------------------------


def test_creating_stores_the_default_policy_ask_lot_1_and_a_default_model(buyer: Buyer) -> None:
    procurement = create(buyer)
    assert procurement.ask["fitted"] is True
    assert procurement.ask["proposal"]["band"]["name"] == "Services at or above the threshold"
    assert procurement.min_social_value_weight == Decimal("10.00")
    assert procurement.offer_kind == "quantified"
    assert procurement.reporting_frequency == "quarterly"
    assert [r["code"] for r in procurement.ask["proposal"]["outcomes_suggested"]] == ["JOBS.1", "ENV.1"]
    assert list(procurement.lots.values_list("number", "title", "estimated_value")) == [
        (1, "The whole contract", Decimal("250000.00"))
    ]
    rows = list(Criterion.objects.filter(procurement=procurement).values_list("code", "kind", "weight", "outcome_code"))
    assert rows == [
        ("P", "price", Decimal("40.00"), ""),
        ("Q1", "quality", Decimal("50.00"), ""),
        ("SV1", "social_value", Decimal("5.00"), "JOBS.1"),
        ("SV2", "social_value", Decimal("5.00"), "ENV.1"),
    ]
    assert criterion(procurement, "Q1").scale.code == "quality-0-5"  # type: ignore[union-attr]
    assert criterion(procurement, "SV1").scale.code == "sv-0-100"  # type: ignore[union-attr]
    assert selectors_planning.weights_check(procurement) == []
    assert AuditEvent.objects.for_trail(procurement).filter(action="procurement.created").count() == 1


def test_a_light_touch_value_gets_the_light_touch_band(buyer: Buyer) -> None:
    procurement = create(buyer, value="150000")
    assert procurement.ask["proposal"]["band"]["name"] == "Light touch, below £207,720"
    assert (procurement.min_social_value_weight, procurement.offer_kind, procurement.reporting_frequency) == (
        Decimal("5.00"),
        "qualitative",
        "annually",
    )
    assert procurement.light_touch
    weights = dict(Criterion.objects.filter(procurement=procurement).values_list("code", "weight"))
    assert weights == {"P": Decimal("40.00"), "Q1": Decimal("55.00"), "SV1": Decimal("5.00")}


def test_price_per_quality_point_gives_price_no_weight(buyer: Buyer) -> None:
    procurement = create(buyer, price_method="price_per_quality_point")
    weights = dict(Criterion.objects.filter(procurement=procurement).values_list("code", "weight"))
    assert weights["P"] == Decimal("0.00")
    assert weights["Q1"] == Decimal("90.00")
    assert selectors_planning.weights_check(procurement) == []


def test_no_band_fitting_still_creates_the_procurement_with_the_model_defaults(buyer: Buyer) -> None:
    ProportionalityBand.objects.filter(organisation=buyer.organisation).delete()
    procurement = create(buyer)
    assert procurement.ask["fitted"] is False
    assert "no proportionality policy bands" in procurement.ask["message"]
    assert (procurement.min_social_value_weight, procurement.offer_kind, procurement.reporting_frequency) == (
        Decimal("10.00"),
        "quantified",
        "quarterly",
    )
    view = selectors_planning.ask_view(procurement)
    assert view.fitted is False
    assert criterion(procurement, "SV1").weight == Decimal("10.00")


def test_a_reference_is_unique_per_organisation(buyer: Buyer) -> None:
    create(buyer)
    with pytest.raises(ApplicationError) as error:
        create(buyer)
    assert error.value.field_errors["reference"] == (
        "Another procurement already has the reference NC-2026-001: choose a different one"
    )
    other = Buyer.__new__(Buyer)
    other.organisation = factories.OrganisationFactory.create()
    assert other.organisation.pk != buyer.organisation.pk


def test_adjusting_the_ask_keeps_the_band_minimum_and_every_reason(buyer: Buyer) -> None:
    procurement = create(buyer)
    proposal = rules.ask_from_dict(procurement.ask["proposal"])
    choices = {o.key: o for o in priority_outcome_list(member=buyer.member())}

    def adjust(weighting: str, reasons: dict[str, str]) -> AdjustedAsk:
        return ask_adjust(
            proposal=proposal,
            min_weighting_percent=Decimal(weighting),
            outcome_keys=list(proposal.outcome_keys),
            offer_kind="quantified",
            delivery_plan_required=True,
            reporting_frequency="monthly",
            reasons=reasons,
            outcome_choices=choices,
        )

    with pytest.raises(ApplicationError) as error:
        adjust("8", {"reporting": "Monthly suits a short mobilisation"})
    assert "at least 10%" in error.value.field_errors["weighting"]
    adjusted = adjust("15", {"weighting": "Members asked for more", "reporting": "Monthly suits mobilisation"})
    services_planning.ask_save(actor=buyer.officer, member=buyer.member(), procurement=procurement, adjusted=adjusted)
    procurement.refresh_from_db()
    assert procurement.min_social_value_weight == Decimal("15.00")
    assert procurement.reporting_frequency == "monthly"
    assert procurement.ask["changes"] == [
        {"part": "weighting", "proposed": "10%", "adjusted": "15%", "reason": "Members asked for more"},
        {"part": "reporting", "proposed": "Quarterly", "adjusted": "Monthly", "reason": "Monthly suits mobilisation"},
    ]
    view = selectors_planning.ask_view(procurement)
    weighting = next(row for row in view.rows if row.part == "weighting")
    assert weighting.change is not None and weighting.change["reason"] == "Members asked for more"
    event = AuditEvent.objects.for_trail(procurement).get(action="procurement.ask_adjusted")
    assert event.after["min_social_value_weight"] == "15"
    # The social value branch now falls below the raised minimum: publishing would be refused.
    assert any("below the minimum of 15%" in p for p in selectors_planning.weights_check(procurement))


# --- The timetable in Europe/London ------------------------------------------------------------------


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "plan-title": "Grounds maintenance",
        "plan-reference": "NC-1",
        "plan-estimated_value": "250000",
        "plan-category": "services",
        "plan-duration_months": "36",
        "plan-supplier_size": "any",
        "plan-price_method": "lowest_over_bid",
        "plan-abnormally_low_percent": "80",
        "plan-social_value_share_percent": "20",
    }
    data.update(overrides)
    return data


def moment_fields(name: str, day: date, time_text: str) -> dict[str, str]:
    return {
        f"plan-{name}_date_day": str(day.day),
        f"plan-{name}_date_month": str(day.month),
        f"plan-{name}_date_year": str(day.year),
        f"plan-{name}_time": time_text,
    }


def test_timetable_moments_are_entered_and_shown_in_london_time_in_summer_and_winter(buyer: Buyer) -> None:
    data = form_data(
        **moment_fields("tender_deadline", date(2026, 1, 16), "12:00pm"),
        **moment_fields("award_at", date(2026, 7, 15), "9:30am"),
    )
    form = ProcurementForm(data, member=buyer.member(), prefix="plan")
    assert form.is_valid(), form.errors
    moments = form.procurement_input().timetable
    assert moments["tender_deadline"] == datetime(2026, 1, 16, 12, 0, tzinfo=UTC)  # GMT: UTC+0
    assert moments["award_at"] == datetime(2026, 7, 15, 8, 30, tzinfo=UTC)  # BST: UTC+1
    assert moments["publication_at"] is None
    procurement = services_planning.procurement_create(
        actor=buyer.officer, member=buyer.member(), data=form.procurement_input()
    )
    procurement.refresh_from_db()
    assert uk_datetime(procurement.tender_deadline) == "16 January 2026, midday"
    assert uk_datetime(procurement.award_at) == "15 July 2026, 9:30am"
    initial = ProcurementForm.initial_for(procurement)
    assert (initial["award_at_date"], initial["award_at_time"]) == (date(2026, 7, 15), "9:30am")


def test_timetable_time_errors_are_named(buyer: Buyer) -> None:
    data = form_data(
        **moment_fields("tender_deadline", date(2026, 1, 16), "25:00"),
        **moment_fields("award_at", date(2026, 7, 15), ""),
    )
    form = ProcurementForm(data, member=buyer.member(), prefix="plan")
    assert not form.is_valid()
    assert form.errors["tender_deadline_time"] == [
        "Enter the tender deadline time as a real time, like 12:00pm or 14:30"
    ]
    assert form.errors["award_at_time"] == ["Enter the award time, like 12:00pm"]
    assert time_parse("midday").hour == 12
    assert time_parse("12am").hour == 0
    assert time_parse("2.45pm").strftime("%H:%M") == "14:45"


def test_working_days_skip_weekends_only() -> None:
    assert working_days_after(date(2026, 1, 16), 8) == date(2026, 1, 28)  # Friday → Wednesday
    assert working_days_after(date(2026, 1, 12), 8) == date(2026, 1, 22)  # Monday → Thursday


# --- Publishing: every refusal ----------------------------------------------------------------------


def refusals(procurement: Procurement) -> list[str]:
    with pytest.raises(ApplicationError) as error:
        services_planning.procurement_publish(
            actor=None, member=Member.system(procurement.organisation), procurement=procurement
        )
    return list(error.value.field_errors.values())


def test_a_sound_procurement_publishes_and_is_audited(buyer: Buyer) -> None:
    procurement = create(buyer)
    assert selectors_planning.publish_problems(procurement) == []
    services_planning.procurement_publish(actor=buyer.officer, member=buyer.member(), procurement=procurement)
    procurement.refresh_from_db()
    assert procurement.state == ProcurementState.PUBLISHED
    assert procurement.published_by == buyer.officer
    assert procurement.published_at is not None
    event = AuditEvent.objects.for_trail(procurement).get(action="procurement.published")
    assert event.after["state"] == "published"


def test_publishing_refuses_weights_that_do_not_add_up(buyer: Buyer) -> None:
    procurement = create(buyer)
    Criterion.objects.filter(procurement=procurement, code="Q1").update(weight=Decimal("45"))
    assert refusals(procurement) == ["The weights add up to 95%, not 100%."]


def test_publishing_refuses_a_non_price_criterion_without_a_scale(buyer: Buyer) -> None:
    procurement = create(buyer)
    Criterion.objects.filter(procurement=procurement, code="Q1").update(scale=None)
    problems = refusals(procurement)
    assert problems[0] == "Choose a scale for Q1: every non-price criterion needs one."


def test_publishing_refuses_an_incomplete_timetable(buyer: Buyer) -> None:
    procurement = create(buyer, timetable={**timetable(), "evaluation_at": None, "award_at": None})
    assert refusals(procurement) == ["The timetable is incomplete: enter the evaluation, award."]


def test_publishing_refuses_a_timetable_out_of_order(buyer: Buyer) -> None:
    moments = {**timetable(), "clarification_deadline": in_days(35), "award_at": in_days(25)}
    procurement = create(buyer, timetable=moments)
    assert refusals(procurement) == [
        "The clarification deadline must be before the tender deadline.",
        "The evaluation must be no later than the award.",
    ]


def test_publishing_refuses_a_standstill_shorter_than_8_working_days(buyer: Buyer) -> None:
    moments = {**timetable(), "standstill_end_at": in_days(47)}
    procurement = create(buyer, timetable=moments)
    [problem] = refusals(procurement)
    earliest = working_days_after(timezone.localtime(moments["award_at"]).date(), 8)
    assert problem.startswith(f"The standstill must end no earlier than {earliest:%A} {earliest.day} {earliest:%B %Y}")
    assert "does not know bank holidays" in problem
    procurement.standstill_end_at = timezone.make_aware(datetime.combine(earliest, datetime.min.time()))
    procurement.save()
    assert selectors_planning.publish_problems(procurement) == []


def test_publishing_refuses_a_tendering_period_shorter_than_the_act_allows(buyer: Buyer) -> None:
    short = {**timetable(), "clarification_deadline": in_days(10), "tender_deadline": in_days(25)}  # 24 days
    procurement = create(buyer, timetable=short)
    [problem] = refusals(procurement)
    earliest = timezone.localtime(in_days(26)).date()
    assert problem == (
        "The tendering period is 24 days: the open procedure needs at least 25 days from publication to the "
        f"tender deadline (Procurement Act 2023 s.54(4)). Move the tender deadline to {earliest:%A} {earliest.day} "
        f"{earliest:%B %Y} or later."
    )
    Procurement.objects.filter(pk=procurement.pk).update(tender_deadline=in_days(26))  # exactly 25 days
    assert selectors_planning.publish_problems(Procurement.objects.get(pk=procurement.pk)) == []


def test_a_reduced_or_exempt_tendering_period_follows_the_act(buyer: Buyer) -> None:
    ten_days = {**timetable(), "clarification_deadline": in_days(5), "tender_deadline": in_days(11)}
    reduced = create(buyer, timetable=ten_days, tendering_period_reduction="planned_notice")
    assert selectors_planning.publish_problems(reduced) == []
    nine_days = create(
        buyer,
        reference="NC-2026-002",
        timetable={**ten_days, "tender_deadline": in_days(10)},
        procedure="competitive_flexible",
        tendering_period_reduction="urgency",
    )
    [problem] = refusals(nine_days)
    assert problem.startswith(
        "The tendering period is 9 days: the competitive flexible procedure needs at least 10 days (reduced)"
    )
    for number, procedure in enumerate(["light_touch", "below_threshold"], start=3):
        exempt = create(buyer, reference=f"NC-2026-00{number}", timetable=ten_days, procedure=procedure)
        Procurement.objects.filter(pk=exempt.pk).update(tender_deadline=in_days(3), clarification_deadline=in_days(2))
        assert selectors_planning.publish_problems(Procurement.objects.get(pk=exempt.pk)) == []
    with pytest.raises(ApplicationError) as error:
        create(buyer, reference="NC-2026-009", procedure="restricted", tendering_period_reduction="whim")
    assert error.value.field_errors == {
        "procedure": "Choose the procedure",
        "tendering_period_reduction": "Choose whether a shorter tendering period is allowed, and why",
    }


def test_a_procurement_published_before_its_publication_date_stays_hidden_until_then(buyer: Buyer) -> None:
    procurement = create(buyer)  # publication tomorrow at noon
    services_planning.procurement_publish(actor=buyer.officer, member=buyer.member(), procurement=procurement)
    procurement.refresh_from_db()
    supplier = factories.OrganisationFactory.create(name="Acorn Ltd", slug="acorn", kind="supplier")
    contact = factories.member_user(supplier, Role.SUPPLIER_CONTACT)
    supplier_member = member_access(user=contact, slug="acorn")
    assert list(selectors.opportunity_list(member=supplier_member)) == []
    assert selectors.open_for_bids(procurement) is False
    page = Client()
    page.force_login(buyer.officer)
    response = page.get(reverse("procurement:procurement-detail", kwargs={"org": "northgate", "pk": procurement.pk}))
    assert f"Suppliers see it from {uk_datetime(procurement.publication_at)}, its publication date." in (
        response.content.decode()
    )
    later = in_days(1, hour=13)
    assert list(selectors.opportunity_list(member=supplier_member, now=later)) == [procurement]
    assert selectors.open_for_bids(procurement, now=later) is True


def test_publishing_refuses_a_tender_deadline_already_passed(buyer: Buyer) -> None:
    moments = {
        "publication_at": in_days(-30),
        "clarification_deadline": in_days(-20),
        "tender_deadline": in_days(-1),
        "evaluation_at": in_days(1),
        "award_at": in_days(10),
        "standstill_end_at": in_days(30),
    }
    procurement = create(buyer, timetable=moments)
    assert refusals(procurement) == ["The tender deadline has already passed: move the timetable on."]


def test_publishing_refuses_without_a_framework_version_or_a_lot(buyer: Buyer) -> None:
    procurement = create(buyer, framework_version=None)
    Lot.objects.filter(procurement=procurement).delete()
    assert refusals(procurement) == [
        "Choose a published version of one of your frameworks.",
        "Add at least one lot.",
    ]


# --- Frozen after publishing, and cancelling ---------------------------------------------------------


def test_a_published_methodology_cannot_change_but_can_be_cancelled(buyer: Buyer) -> None:
    procurement = create(buyer)
    services_planning.procurement_publish(actor=buyer.officer, member=buyer.member(), procurement=procurement)
    q1 = criterion(procurement, "Q1")
    lot = procurement.lots.get()
    data = CriterionInput("quality", "Q2", "Staffing", "", Decimal("5"), q1.scale, None, None, "")
    attempts = [
        lambda: services_planning.criterion_add(
            actor=buyer.officer, member=buyer.member(), procurement=procurement, data=data
        ),
        lambda: services_planning.criterion_update(
            actor=buyer.officer,
            member=buyer.member(),
            criterion=q1,
            data=replace(data, code="Q1", weight=Decimal("50")),
        ),
        lambda: services_planning.criterion_remove(actor=buyer.officer, member=buyer.member(), criterion=q1),
        lambda: services_planning.lot_add(
            actor=buyer.officer,
            member=buyer.member(),
            procurement=procurement,
            title="North",
            description="",
            estimated_value=None,
        ),
        lambda: services_planning.lot_update(
            actor=buyer.officer, member=buyer.member(), lot=lot, title="Renamed", description="", estimated_value=None
        ),
        lambda: services_planning.procurement_update(
            actor=buyer.officer, member=buyer.member(), procurement=procurement, data=plan(buyer, timetable={})
        ),
        lambda: services_planning.impact_add(
            actor=buyer.officer,
            member=buyer.member(),
            procurement=procurement,
            data=ImpactInput("JOBS.1", "More jobs", "", "", False, False, True),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ApplicationError) as error:
            attempt()
        assert error.value.message == FROZEN
    assert criterion(procurement, "Q1").weight == Decimal("50.00")
    with pytest.raises(ApplicationError) as error:
        services_planning.procurement_cancel(
            actor=buyer.officer, member=buyer.member(), procurement=procurement, reason=" "
        )
    assert error.value.field_errors == {"reason": "Say why the procurement is cancelled"}
    services_planning.procurement_cancel(
        actor=buyer.officer, member=buyer.member(), procurement=procurement, reason="Budget withdrawn"
    )
    procurement.refresh_from_db()
    assert procurement.state == ProcurementState.CANCELLED
    assert selectors_planning.cancel_reason(procurement) == "Budget withdrawn"
    with pytest.raises(ApplicationError):
        services_planning.procurement_cancel(
            actor=buyer.officer, member=buyer.member(), procurement=procurement, reason="Again"
        )


# --- Lots, impact, criteria --------------------------------------------------------------------------


def test_lots_are_numbered_and_the_last_one_stays(buyer: Buyer) -> None:
    procurement = create(buyer)
    lot = services_planning.lot_add(
        actor=buyer.officer,
        member=buyer.member(),
        procurement=procurement,
        title="North parks",
        description="",
        estimated_value=None,
    )
    assert lot.number == 2
    services_planning.lot_remove(actor=buyer.officer, member=buyer.member(), lot=procurement.lots.get(number=1))
    with pytest.raises(ApplicationError) as error:
        services_planning.lot_remove(actor=buyer.officer, member=buyer.member(), lot=lot)
    assert "at least one lot" in error.value.message
    with pytest.raises(ApplicationError) as error:
        services_planning.lot_add(
            actor=buyer.officer,
            member=buyer.member(),
            procurement=procurement,
            title=" ",
            description="",
            estimated_value=Decimal("-1"),
        )
    assert set(error.value.field_errors) == {"title", "estimated_value"}


def test_the_impact_assessment_offers_the_asks_outcomes_first_and_shows_levers(buyer: Buyer) -> None:
    procurement = create(buyer)
    assert [o.code for o in selectors_planning.outcome_choices(procurement)] == ["JOBS.1", "ENV.1", "COMM.1"]
    data = ImpactInput("ENV.1", "Fewer van miles", "Mowers burn diesel", "Electric mowers", True, False, True)
    services_planning.impact_add(actor=buyer.officer, member=buyer.member(), procurement=procurement, data=data)
    with pytest.raises(ApplicationError) as error:
        services_planning.impact_add(actor=buyer.officer, member=buyer.member(), procurement=procurement, data=data)
    assert error.value.field_errors["outcome_code"].startswith("The assessment already has a row for ENV.1")
    with pytest.raises(ApplicationError) as error:
        services_planning.impact_add(
            actor=buyer.officer, member=buyer.member(), procurement=procurement, data=replace(data, outcome_code="X")
        )
    assert error.value.field_errors == {"outcome_code": "Choose an outcome from the list"}
    [row] = selectors_planning.impact_rows(procurement)
    assert (row.item.outcome_title, row.levers_text) == (
        "Lower carbon emissions",
        "the specification, the social value questions",
    )


def test_criteria_rules(buyer: Buyer) -> None:
    procurement = create(buyer)
    five = ScoringScale.objects.get(organisation=buyer.organisation, code="quality-0-5")
    base = CriterionInput("quality", "Q2", "Staffing", "How will you staff it?", Decimal("10"), five, None, 300, "")

    def errors(data: CriterionInput) -> dict[str, str]:
        with pytest.raises(ApplicationError) as error:
            services_planning.criterion_add(
                actor=buyer.officer, member=buyer.member(), procurement=procurement, data=data
            )
        return error.value.field_errors

    assert errors(replace(base, minimum_score=Decimal("6"))) == {
        "minimum_score": "The minimum score must be within the scale, from 0 to 5"
    }
    assert errors(replace(base, scale=None)) == {"scale": "Choose the scale evaluators score this criterion on"}
    assert errors(replace(base, kind="price", code="P2", scale=None))["kind"].startswith("The model already has")
    assert errors(replace(base, code="Q1"))["code"].startswith("Another criterion already has the code Q1")
    assert errors(replace(base, outcome_code="JOBS.1")) == {
        "outcome_code": "Only a social value criterion asks for an outcome: leave it blank"
    }
    added = services_planning.criterion_add(
        actor=buyer.officer,
        member=buyer.member(),
        procurement=procurement,
        data=replace(base, minimum_score=Decimal("2")),
    )
    assert (added.minimum_score, added.position) == (Decimal("2"), 4)
    branches = {b.kind: b.weight for b in selectors_planning.branches(procurement)}
    assert branches == {"price": Decimal("40.00"), "quality": Decimal("60.00"), "social_value": Decimal("10.00")}
    method = selectors_planning.methodology(procurement)
    assert method.total_weight == Decimal("110.00")
    assert [c.code for c in method.minimums] == ["Q2"]
    assert {view.scale.code for view in method.scales} == {"quality-0-5", "sv-0-100"}
    assert method.price_formula == "price points = price weight × lowest price ÷ tender price"


# --- Scales ------------------------------------------------------------------------------------------


def test_scales_ensure_copies_the_shipped_scales_once(buyer: Buyer) -> None:
    first = scales_ensure(actor=buyer.officer, member=buyer.member())
    assert [s.code for s in first] == ["sv-0-100", "quality-0-5", "quality-0-10"]
    assert scales_ensure(actor=buyer.officer, member=buyer.member()) == []
    scales = {s.code: s for s in ScoringScale.objects.filter(organisation=buyer.organisation)}
    assert len(scales) == 3
    assert list(scales["sv-0-100"].levels.values_list("score", flat=True)) == [Decimal(n) for n in (0, 25, 50, 75, 100)]
    assert scales["quality-0-5"].levels.count() == 6
    assert scales["quality-0-10"].levels.count() == 11
    assert "not the PPN 002 Guide’s descriptors" in scales["sv-0-100"].source or (
        "not the PPN 002 Guide's descriptors" in scales["sv-0-100"].source
    )
    assert "New Zealand" in scales["quality-0-5"].source


def test_a_custom_scale_names_every_bad_line(buyer: Buyer) -> None:
    text = "abc | Bad | Not a number\n3 | Only two\n\n1 | Fair | Some of it\n1 | Again | Twice"
    with pytest.raises(ApplicationError) as error:
        services_planning.scale_create(
            actor=buyer.officer,
            member=buyer.member(),
            code="mine",
            title="Mine",
            source="Ours",
            levels_text=text,
        )
    assert error.value.field_errors["levels"] == (
        "line 1: the score “abc” is not a number; "
        "line 2 needs a score, a label and a descriptor separated by |; "
        "line 5: the score 1 is used twice"
    )
    with pytest.raises(ApplicationError) as error:
        services_planning.scale_create(
            actor=buyer.officer,
            member=buyer.member(),
            code="mine",
            title="Mine",
            source="Ours",
            levels_text="1 | Pass | Meets it",
        )
    assert error.value.field_errors["levels"] == "Enter at least two levels, one per line"
    scale = services_planning.scale_create(
        actor=buyer.officer,
        member=buyer.member(),
        code="mine",
        title="Pass or fail",
        source="Ours",
        levels_text="1 | Pass | Meets it\n0 | Fail | Does not",
    )
    assert list(scale.levels.values_list("score", "label")) == [(Decimal("0"), "Fail"), (Decimal("1"), "Pass")]


# --- Pages -------------------------------------------------------------------------------------------


def test_pages_for_the_buyer_and_404_for_another_organisation_and_a_supplier(buyer: Buyer, client: Client) -> None:
    procurement = create(buyer)
    slug = buyer.organisation.slug
    client.force_login(buyer.reader)
    detail = client.get(reverse("procurement:procurement-detail", kwargs={"org": slug, "pk": procurement.pk}))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "How tenders are assessed" in text
    assert "Services at or above the threshold" in text
    assert "Change the details and timetable" not in text  # a contract manager only reads
    assert client.get(reverse("procurement:procurement-create", kwargs={"org": slug})).status_code == 404
    other = factories.OrganisationFactory.create()
    stranger = factories.member_user(other, Role.PROCUREMENT_OFFICER)
    client.force_login(stranger)
    for name in ("procurement-detail", "procurement-edit", "procurement-publish"):
        assert client.get(reverse(f"procurement:{name}", kwargs={"org": slug, "pk": procurement.pk})).status_code == 404
        own = reverse(f"procurement:{name}", kwargs={"org": other.slug, "pk": procurement.pk})
        assert client.get(own).status_code == 404
    supplier = factories.SupplierFactory.create()
    contact = factories.member_user(supplier, Role.SUPPLIER_CONTACT)
    client.force_login(contact)
    for name in ("procurement-list", "procurement-create", "procurement-scale-list"):
        assert client.get(reverse(f"procurement:{name}", kwargs={"org": supplier.slug})).status_code == 404


def test_the_create_page_creates_and_shows_errors(buyer: Buyer, client: Client) -> None:
    client.force_login(buyer.officer)
    url = reverse("procurement:procurement-create", kwargs={"org": buyer.organisation.slug})
    bad = client.post(url, form_data(**{"plan-estimated_value": "-5", "plan-title": ""}))
    assert bad.status_code == 200
    assert "<title>Error: Plan a procurement" in bad.content.decode()
    data = form_data(
        **{"plan-framework_version": str(buyer.version.pk)},
        **moment_fields("tender_deadline", date(2027, 1, 15), "12:00pm"),
    )
    response = client.post(url, data)
    assert response.status_code == 302
    procurement = buyer.organisation.procurements.get()
    page = client.get(response["Location"]).content.decode()
    assert "15 January 2027, midday" in page
    assert procurement.ask["fitted"] is True


@pytest.mark.django_db(transaction=True)
def test_planning_services_committed(buyer: Buyer) -> None:
    """Changing, publishing and cancelling a procurement, and every change to its lots, impact rows and
    criteria, committed for real: on PostgreSQL this fails if a service locks a row outside its own
    transaction (see tests/test_lock_paths.py)."""
    test_a_published_methodology_cannot_change_but_can_be_cancelled(buyer)
    procurement = create(buyer, reference="NC-2026-002")
    member = buyer.member()
    lot = services_planning.lot_add(
        actor=buyer.officer,
        member=member,
        procurement=procurement,
        title="North parks",
        description="",
        estimated_value=None,
    )
    services_planning.lot_update(
        actor=buyer.officer, member=member, lot=lot, title="North and east parks", description="", estimated_value=None
    )
    services_planning.lot_remove(actor=buyer.officer, member=member, lot=lot)
    data = ImpactInput("ENV.1", "Fewer van miles", "Mowers burn diesel", "Electric mowers", True, False, True)
    item = services_planning.impact_add(actor=buyer.officer, member=member, procurement=procurement, data=data)
    services_planning.impact_update(
        actor=buyer.officer, member=member, item=item, data=replace(data, mitigations="Hybrid vans")
    )
    services_planning.impact_remove(actor=buyer.officer, member=member, item=item)
    assert not procurement.impacts.exists() and procurement.lots.count() == 1
