"""Consultations: set-up rules, the public response form's spam resistance (honeypot, rate limit, duplicates),
consent for demographics, paper responses, results by ward and option with small numbers hidden, and that
a draft or another organisation's consultation is never shown."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.frameworks.models import FocusArea
from commonweal.frameworks.selectors_priorities import plan_preview
from commonweal.frameworks.services_interchange import framework_load
from commonweal.frameworks.services_priorities import WeightInput, outcome_priorities_set
from commonweal.reporting import services_consultations as services
from commonweal.reporting.models import Consultation, ConsultationResponse
from commonweal.reporting.selectors_consultations import consultation_results
from commonweal.tenancy.models import Role
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .conftest import built_once

ALTRINCHAM, BOWDON = "E05015239", "E05015241"
OPEN_DAY = date(2026, 1, 10)


class World:
    def __init__(self) -> None:
        self.buyer = factories.OrganisationFactory.create(name="Handshire Council", slug="handshire")
        self.lead = factories.member_user(self.buyer, Role.SOCIAL_VALUE_LEAD)
        FocusArea.objects.create(organisation=self.buyer, gss_code="E08000009", name="Trafford")  # names its wards
        self.viewer = factories.member_user(self.buyer, Role.VIEWER)
        self.other = factories.OrganisationFactory.create(name="Otherton Council", slug="otherton")
        self.other_lead = factories.member_user(self.other, Role.SOCIAL_VALUE_LEAD)

    def member(self) -> Member:
        return member_access(user=self.lead, slug="handshire")


@pytest.fixture(scope="module")
def world_once(django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    yield from built_once(django_db_blocker, World)


@pytest.fixture
def world(world_once: World, db: None) -> World:
    return world_once


def consultation_of(world: World, *, opened: bool = True, closes_on: date = date(2026, 2, 15)) -> Consultation:
    consultation = services.consultation_create(
        actor=world.lead,
        member=world.member(),
        title="Town centre contracts",
        summary="Which matters most?",
        place_codes=f"{ALTRINCHAM}\n{BOWDON}",
        opens_on=date(2026, 1, 5),
        closes_on=closes_on,
    )
    for title, cost in (("Apprenticeships", "40000"), ("Food bank", "15000")):
        services.option_add(
            actor=world.lead,
            member=world.member(),
            consultation=consultation,
            title=title,
            description="",
            cost=Decimal(cost),
            outcome=None,
        )
    if opened:
        services.consultation_open(actor=world.lead, member=world.member(), consultation=consultation)
    return consultation


def respond(
    consultation: Consultation, *, option: int = 0, place: str = ALTRINCHAM, comment: str = "", **extra: object
) -> ConsultationResponse:
    fields: dict[str, object] = {
        "consultation": consultation,
        "options": [consultation.options.all()[option]],
        "place_code": place,
        "comment": comment,
        "demographics": {},
        "demographics_consent": False,
        "honeypot": "",
        "address": "192.0.2.1",
        "today": OPEN_DAY,
        **extra,
    }
    return services.response_submit(**fields)  # type: ignore[arg-type]


# --- Setting up ------------------------------------------------------------------------------------------------


def test_a_consultation_needs_dates_in_order_and_real_codes(world: World) -> None:
    common: dict[str, Any] = {"actor": world.lead, "member": world.member(), "title": "T", "summary": "S"}
    with pytest.raises(ApplicationError) as refused:
        services.consultation_create(**common, place_codes="", opens_on=date(2026, 2, 1), closes_on=date(2026, 1, 1))
    assert refused.value.field_errors == {"closes_on": "The closing date must be on or after the opening date"}
    with pytest.raises(ApplicationError, match="“TRAFFORD” is not an ONS GSS code"):
        services.consultation_create(
            **common, place_codes="trafford", opens_on=date(2026, 1, 1), closes_on=date(2026, 2, 1)
        )
    assert not Consultation.objects.exists()


def test_only_a_lead_sets_one_up_and_an_open_one_keeps_its_options(world: World) -> None:
    with pytest.raises(PermissionRefused):
        services.consultation_create(
            actor=world.viewer, member=member_access(user=world.viewer, slug="handshire"), title="T", summary="S",
            place_codes="", opens_on=date(2026, 1, 1), closes_on=date(2026, 2, 1),
        )  # fmt: skip
    consultation = consultation_of(world)
    with pytest.raises(ApplicationError, match="can no longer change"):
        services.option_add(
            actor=world.lead, member=world.member(), consultation=consultation, title="More", description="",
            cost=Decimal("1"), outcome=None,
        )  # fmt: skip
    assert consultation.options.count() == 2


def test_opening_needs_two_options(world: World) -> None:
    consultation = services.consultation_create(
        actor=world.lead, member=world.member(), title="T", summary="S", place_codes="",
        opens_on=date(2026, 1, 1), closes_on=date(2026, 2, 1),
    )  # fmt: skip
    with pytest.raises(ApplicationError, match="at least two options"):
        services.consultation_open(actor=world.lead, member=world.member(), consultation=consultation)


# --- Responding ------------------------------------------------------------------------------------------------


def test_a_response_is_stored_without_who_sent_it_and_audited(world: World) -> None:
    response = respond(consultation_of(world), comment="More apprentices please")
    assert [option.title for option in response.options.all()] == ["Apprenticeships"]
    assert response.place_code == ALTRINCHAM and response.channel == "web" and response.entered_by is None
    assert response.client_key != "192.0.2.1" and len(response.client_key) == 64
    event = AuditEvent.objects.get(action="consultation_response.received")
    assert event.after == {"channel": "web", "received_on": "2026-01-10"} and event.actor is None


def test_the_honeypot_refuses_robots(world: World) -> None:
    with pytest.raises(ApplicationError, match="could not accept"):
        respond(consultation_of(world), honeypot="http://spam.example")
    assert not ConsultationResponse.objects.exists()


def test_responses_are_taken_only_while_open(world: World) -> None:
    consultation = consultation_of(world)
    for day in (date(2026, 1, 4), date(2026, 2, 16)):
        with pytest.raises(ApplicationError, match="not open"):
            respond(consultation, today=day)
    draft = consultation_of(world, opened=False)
    with pytest.raises(ApplicationError, match="not open"):
        respond(draft)


def test_one_address_sends_a_few_responses_an_hour_at_most(world: World, settings: object) -> None:
    settings.CONSULTATION_RESPONSES_PER_HOUR = 2  # type: ignore[attr-defined]
    consultation = consultation_of(world)
    respond(consultation, option=0)
    respond(consultation, option=1)
    with pytest.raises(ApplicationError, match="several responses"):
        respond(consultation, option=0, place=BOWDON)
    respond(consultation, option=0, place=BOWDON, address="192.0.2.99")
    assert consultation.responses.count() == 3


def test_the_same_response_twice_is_refused(world: World) -> None:
    consultation = consultation_of(world)
    respond(consultation, comment="Apprentices!")
    with pytest.raises(ApplicationError, match="already have this response"):
        respond(consultation, comment="  apprentices! ")
    with pytest.raises(ApplicationError, match="already have this response"):  # the same words from elsewhere
        respond(consultation, comment="Apprentices!", address="192.0.2.50")
    respond(consultation, address="192.0.2.50")  # a plain choice from another address is another resident
    assert consultation.responses.count() == 2


def test_demographics_are_kept_only_with_consent(world: World) -> None:
    consultation = consultation_of(world)
    with pytest.raises(ApplicationError) as refused:
        respond(consultation, demographics={"age_band": "18 to 24"})
    assert "demographics_consent" in refused.value.field_errors
    kept = respond(consultation, demographics={"age_band": "18 to 24"}, demographics_consent=True)
    assert kept.demographics == {"age_band": "18 to 24"}


def test_the_public_form_works_and_refuses_with_clear_messages(client: Client, world: World) -> None:
    consultation = consultation_of(world, closes_on=date(2099, 12, 31))
    url = reverse("hub:consultation", kwargs={"org": "handshire", "pk": consultation.pk})
    page = client.get(url)
    assert page.status_code == 200 and "Apprenticeships (costs £40,000.00)" in page.content.decode()
    refused = client.post(url, {"response-place_code": ALTRINCHAM})
    assert refused.status_code == 200 and "Choose at least one option" in refused.content.decode()
    first = consultation.options.first()
    assert first is not None
    sent = client.post(url, {"response-options": [first.pk], "response-place_code": ALTRINCHAM})
    assert sent.status_code == 302 and sent["Location"].endswith("/thank-you/")
    assert consultation.responses.count() == 1


# --- Paper responses and results -------------------------------------------------------------------------------


def test_paper_responses_are_entered_by_officers_for_the_open_dates(world: World) -> None:
    consultation = consultation_of(world)
    common = {
        "actor": world.lead, "member": world.member(), "consultation": consultation,
        "options": list(consultation.options.all()), "place_code": BOWDON, "comment": "",
        "demographics": {}, "demographics_consent": False,
    }  # fmt: skip
    with pytest.raises(ApplicationError, match="received while the consultation was open"):
        services.response_enter_paper(**common, received_on=date(2026, 3, 1))  # type: ignore[arg-type]
    response = services.response_enter_paper(**common, received_on=date(2026, 2, 15))  # type: ignore[arg-type]
    assert response.channel == "paper" and response.entered_by == world.lead
    assert response.options.count() == 2


def test_results_by_ward_and_option_hide_small_counts(client: Client, world: World) -> None:
    consultation = consultation_of(world)
    member = world.member()
    options = list(consultation.options.all())
    for place, counts in ((ALTRINCHAM, (12, 3)), (BOWDON, (15, 11))):
        for option, count in zip(options, counts, strict=True):
            for _ in range(count):
                services.response_enter_paper(
                    actor=world.lead, member=member, consultation=consultation, options=[option],
                    place_code=place, comment="", received_on=date(2026, 1, 6), demographics={},
                    demographics_consent=False,
                )  # fmt: skip
    results = consultation_results(consultation=consultation)
    assert [row["label"] for row in results.rows] == ["Altrincham (E05015239)", "Bowdon (E05015241)"]
    cells = [[cell["value"] or cell["text"] for cell in row["cells"]] for row in results.rows]
    # Food bank: Altrincham's 3 is hidden, and Bowdon's 11 with it, so neither comes from the total (14).
    assert cells == [["12", "fewer than 10"], ["15", "fewer than 10"]]
    assert [total["value"] for total in results.totals] == ["27", "14"]
    assert results.responses_text == "41"
    # Public only after the closing date.
    url = reverse("hub:consultation-results", kwargs={"org": "handshire", "pk": consultation.pk})
    assert client.get(url).status_code == 200  # it closed on 15 February 2026
    services.you_said_we_did_write(actor=world.lead, member=member, consultation=consultation, text="We did it.")
    assert "We did it." in client.get(url).content.decode()
    still_open = consultation_of(world, closes_on=date(2099, 12, 31))
    assert (
        client.get(reverse("hub:consultation-results", kwargs={"org": "handshire", "pk": still_open.pk})).status_code
        == 404
    )


def test_a_draft_or_another_organisations_consultation_is_never_shown(client: Client, world: World) -> None:
    draft = consultation_of(world, opened=False)
    opened = consultation_of(world)
    assert client.get(reverse("hub:consultations", kwargs={"org": "otherton"})).status_code == 404
    listing = client.get(reverse("hub:consultations", kwargs={"org": "handshire"})).content.decode()
    assert listing.count(">Town centre contracts</a>") == 1
    for name in ("consultation", "consultation-thanks", "consultation-results"):
        assert client.get(reverse(f"hub:{name}", kwargs={"org": "handshire", "pk": draft.pk})).status_code == 404
        assert client.get(reverse(f"hub:{name}", kwargs={"org": "otherton", "pk": opened.pk})).status_code == 404


# --- Where a priority came from -----------------------------------------------------------------------------


def test_a_weight_can_cite_an_opened_consultation_and_the_plan_says_so(client: Client, world: World) -> None:
    member = world.member()
    framework = framework_load(actor=world.lead, member=member).framework
    opened = consultation_of(world)
    draft = consultation_of(world, opened=False)
    other = services.consultation_create(
        actor=world.other_lead, member=member_access(user=world.other_lead, slug="otherton"), title="Theirs",
        summary="S", place_codes="", opens_on=date(2026, 1, 1), closes_on=date(2026, 2, 1),
    )  # fmt: skip
    for wrong in (draft, other):
        with pytest.raises(ApplicationError) as refused:
            outcome_priorities_set(
                actor=world.lead, member=member, framework=framework,
                weights={"JOBS.1": WeightInput(Decimal("5"), "Jobs first", wrong.pk)},
            )  # fmt: skip
        assert refused.value.field_errors == {"consultation-JOBS.1": "Choose one of your organisation's consultations"}
    outcome_priorities_set(
        actor=world.lead, member=member, framework=framework,
        weights={"JOBS.1": WeightInput(Decimal("5"), "Jobs first", opened.pk)},
    )  # fmt: skip
    event = AuditEvent.objects.filter(action="outcome_priorities.set").latest("pk")
    assert event.after == {"weights": {"JOBS.1": {"weight": "5.00", "reason": "Jobs first", "consultation": opened.pk}}}
    plan = plan_preview(member=member)
    [cited] = [outcome for row in plan.priorities for outcome in row.outcomes]
    assert (cited.code, cited.consultation_title) == ("JOBS.1", "Town centre contracts")
    client.force_login(world.lead)
    weights_page = client.get(reverse("frameworks:priority-weights", kwargs={"org": "handshire", "pk": framework.pk}))
    assert "Residents&#x27; consultation behind JOBS.1&#x27;s weight (optional)" in weights_page.content.decode()
    preview = client.get(reverse("frameworks:plan-publication", kwargs={"org": "handshire"})).content.decode()
    assert "From what residents told us in “Town centre contracts”." in preview
