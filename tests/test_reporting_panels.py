"""Panels: meetings with the organisations attending and the needs raised, the rules each write keeps
(dates, attendance, places, outcomes, notes), the audit trail, and the pages for the lead and for readers."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.reporting import services_panels as services
from commonweal.reporting.models import Panel, PanelMeeting, PanelNeed
from commonweal.reporting.selectors_panels import panel_get
from commonweal.tenancy.models import Role
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .conftest import built_once

ALTRINCHAM, TRAFFORD = "E05015239", "E08000009"


class World:
    def __init__(self) -> None:
        self.buyer = factories.OrganisationFactory.create(name="Handshire Council", slug="handshire")
        self.lead = factories.member_user(self.buyer, Role.SOCIAL_VALUE_LEAD)
        self.viewer = factories.member_user(self.buyer, Role.VIEWER)
        self.foodbank = factories.OrganisationFactory.create(name="Handshire Food Bank", slug="foodbank")
        self.youth = factories.OrganisationFactory.create(name="Youth Trust", slug="youth")
        self.absent = factories.OrganisationFactory.create(name="Absent Charity", slug="absent")
        version = factories.FrameworkVersionFactory.create(organisation=self.buyer)
        self.outcome = factories.MeasureFactory.create(version=version).outcome
        self.other = factories.OrganisationFactory.create(name="Otherton Council", slug="otherton")
        self.other_lead = factories.member_user(self.other, Role.SOCIAL_VALUE_LEAD)
        other_version = factories.FrameworkVersionFactory.create(organisation=self.other)
        self.other_outcome = factories.MeasureFactory.create(version=other_version).outcome

    def member(self) -> Member:
        return member_access(user=self.lead, slug="handshire")


@pytest.fixture(scope="module")
def world_once(django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    yield from built_once(django_db_blocker, World)


@pytest.fixture
def world(world_once: World, db: None) -> World:
    return world_once


def panel_of(world: World) -> Panel:
    return services.panel_create(
        actor=world.lead, member=world.member(), name="Handshire VCSE Forum", kind="vcse_forum", purpose="Hear needs."
    )


def meeting_of(world: World, panel: Panel | None = None) -> PanelMeeting:
    return services.meeting_record(
        actor=world.lead,
        member=world.member(),
        panel=panel or panel_of(world),
        held_on=date(2026, 3, 4),
        place="Town hall",
        notes="Winter pressures.",
        attending=[world.foodbank, world.youth],
        other_attendees="Handshire Mutual Aid\n\n  St Mary's Church  ",
    )


def need_of(world: World, meeting: PanelMeeting, **extra: Any) -> PanelNeed:
    fields: dict[str, Any] = {
        "actor": world.lead,
        "member": world.member(),
        "meeting": meeting,
        "description": "A van to collect food donations",
        "kind": "materials",
        "raised_by": world.foodbank,
        "outcomes": [world.outcome],
        "place_code": ALTRINCHAM.lower(),
        **extra,
    }
    return services.need_record(**fields)


# --- Services ---------------------------------------------------------------------------------------------------


def test_a_meeting_keeps_who_attended_and_is_audited(world: World) -> None:
    meeting = meeting_of(world)
    assert sorted(meeting.attending.values_list("name", flat=True)) == ["Handshire Food Bank", "Youth Trust"]
    assert meeting.other_attendees == "Handshire Mutual Aid\nSt Mary's Church"
    event = AuditEvent.objects.get(action="panel_meeting.recorded")
    assert event.actor == world.lead and event.organisation == world.buyer
    assert event.after == {
        "held_on": "2026-03-04",
        "attending": sorted([world.foodbank.pk, world.youth.pk]),
        "other_attendees": ["Handshire Mutual Aid", "St Mary's Church"],
    }
    assert AuditEvent.objects.get(action="panel.created").after == {
        "name": "Handshire VCSE Forum",
        "kind": "vcse_forum",
        "active": True,
    }


@pytest.mark.parametrize("held_on", [date(1989, 12, 31), date(2101, 1, 1)])
def test_a_meeting_date_outside_1990_to_2100_is_refused(world: World, held_on: date) -> None:
    panel = panel_of(world)
    with pytest.raises(ApplicationError) as refused:
        services.meeting_record(
            actor=world.lead, member=world.member(), panel=panel, held_on=held_on, place="", notes="",
            attending=[], other_attendees="",
        )  # fmt: skip
    assert refused.value.field_errors == {
        "held_on": "The meeting date must be between 1 January 1990 and 31 December 2100"
    }
    assert not PanelMeeting.objects.exists()


def test_a_need_is_recorded_whole_and_audited(world: World) -> None:
    need = need_of(world, meeting_of(world))
    assert (need.state, need.kind, need.place_code, need.raised_by) == ("open", "materials", ALTRINCHAM, world.foodbank)
    assert list(need.outcomes.all()) == [world.outcome]
    event = AuditEvent.objects.get(action="panel_need.raised")
    assert event.after == {
        "description": "A van to collect food donations",
        "kind": "materials",
        "raised_by": world.foodbank.pk,
        "outcomes": [world.outcome.code],
        "place_code": ALTRINCHAM,
    }
    district = need_of(world, need.meeting, place_code=TRAFFORD, raised_by=None, outcomes=[])
    assert district.place_code == TRAFFORD and district.raised_by is None


def test_a_need_raised_by_an_organisation_that_did_not_attend_is_refused(world: World) -> None:
    meeting = meeting_of(world)
    with pytest.raises(ApplicationError) as refused:
        need_of(world, meeting, raised_by=world.absent)
    assert refused.value.field_errors == {"raised_by": "Choose an organisation that attended the meeting"}
    assert not PanelNeed.objects.exists()


def test_an_unknown_place_code_or_another_organisations_outcome_is_refused(world: World) -> None:
    meeting = meeting_of(world)
    with pytest.raises(ApplicationError) as refused:
        need_of(world, meeting, place_code="E05999999")
    assert refused.value.field_errors == {
        "place_code": "“E05999999” is not a ward or district GSS code we know, like E05015239"
    }
    with pytest.raises(ApplicationError) as refused:
        need_of(world, meeting, outcomes=[world.other_outcome])
    assert refused.value.field_errors == {"outcomes": "Choose outcomes of your organisation's framework"}
    with pytest.raises(ApplicationError, match="kind of need"):
        need_of(world, meeting, kind="gold")
    assert not PanelNeed.objects.exists()


def test_a_need_moves_on_with_a_note_and_is_audited(world: World) -> None:
    need = need_of(world, meeting_of(world))
    with pytest.raises(ApplicationError) as refused:
        services.need_state_set(actor=world.lead, member=world.member(), need=need, state="passed_on", note=" ")
    assert set(refused.value.field_errors) == {"note"}
    need.refresh_from_db()
    assert need.state == "open"
    services.need_state_set(
        actor=world.lead, member=world.member(), need=need, state="passed_on", note="To the fleet contractor."
    )
    need.refresh_from_db()
    assert (need.state, need.state_note) == ("passed_on", "To the fleet contractor.")
    event = AuditEvent.objects.get(action="panel_need.state_changed")
    assert event.before == {"state": "open", "note": ""}
    assert event.after == {"state": "passed_on", "note": "To the fleet contractor."}


def test_only_the_lead_writes_and_never_to_another_organisations_panel(world: World) -> None:
    viewer = member_access(user=world.viewer, slug="handshire")
    with pytest.raises(PermissionRefused):
        services.panel_create(actor=world.viewer, member=viewer, name="Mine", kind="other", purpose="")
    panel = panel_of(world)
    other = member_access(user=world.other_lead, slug="otherton")
    with pytest.raises(ApplicationError, match="another organisation"):
        services.meeting_record(
            actor=world.other_lead, member=other, panel=panel, held_on=date(2026, 1, 1), place="", notes="",
            attending=[], other_attendees="",
        )  # fmt: skip
    assert not PanelMeeting.objects.exists()


def test_counts_of_meetings_and_needs(world: World) -> None:
    panel = panel_of(world)
    first = meeting_of(world, panel)
    meeting_of(world, panel)
    need_of(world, first)
    met = need_of(world, first, kind="money", description="£500 for heating")
    services.need_state_set(actor=world.lead, member=world.member(), need=met, state="met", note="Paid by a grant.")
    counted = panel_get(member=world.member(), pk=panel.pk)
    assert [getattr(counted, name) for name in ("meeting_count", "need_count", "open_need_count")] == [2, 2, 1]


# --- Pages ------------------------------------------------------------------------------------------------------


def test_the_lead_records_a_panel_meeting_and_need_through_the_pages(client: Client, world: World) -> None:
    client.force_login(world.lead)
    created = client.post(
        reverse("reporting:panel-create", kwargs={"org": "handshire"}),
        {"panel-name": "Poverty Truth Commission", "panel-kind": "poverty_truth", "panel-purpose": "Lived experience"},
    )
    panel = Panel.objects.get(name="Poverty Truth Commission")
    assert created.status_code == 302 and created["Location"].endswith(f"/panels/{panel.pk}/")
    panel_url = reverse("reporting:panel-detail", kwargs={"org": "handshire", "pk": panel.pk})
    meeting_fields = {
        "meeting-held_on_day": "4",
        "meeting-held_on_month": "3",
        "meeting-place": "Library",
        "meeting-attending": [world.foodbank.pk],
    }
    bad_date = client.post(panel_url, {**meeting_fields, "meeting-held_on_year": "1899"})
    assert bad_date.status_code == 200
    assert "must be between 1 January 1990 and 31 December 2100" in bad_date.content.decode()
    recorded = client.post(panel_url, {**meeting_fields, "meeting-held_on_year": "2026"})
    meeting = PanelMeeting.objects.get(panel=panel)
    assert recorded.status_code == 302 and recorded["Location"].endswith(f"/panels/meetings/{meeting.pk}/")
    meeting_url = recorded["Location"]
    need_fields = {"need-description": "Volunteers for the winter", "need-kind": "volunteer_time"}
    unknown = client.post(meeting_url, {**need_fields, "need-place_code": "X1"})
    assert "No ward or district is called “X1”" in unknown.content.decode()
    not_there = client.post(meeting_url, {**need_fields, "need-raised_by": world.youth.pk})
    assert not_there.status_code == 200 and "Select a valid choice" in not_there.content.decode()
    assert not PanelNeed.objects.exists()
    saved = client.post(meeting_url, {**need_fields, "need-raised_by": world.foodbank.pk, "need-place_code": TRAFFORD})
    assert saved.status_code == 302
    page = client.get(meeting_url).content.decode()
    assert "Volunteers for the winter" in page and "E08000009 (Trafford)" in page and "Handshire Food Bank" in page
    need = PanelNeed.objects.get()
    state_url = reverse("reporting:panel-need", kwargs={"org": "handshire", "pk": need.pk})
    moved = client.post(state_url, {"state-state": "met", "state-note": "Ten volunteers from a supplier."})
    assert moved.status_code == 302
    need.refresh_from_db()
    assert need.state == "met"
    listing = client.get(reverse("reporting:panel-list", kwargs={"org": "handshire"})).content.decode()
    assert "Poverty Truth Commission" in listing and "Poverty truth commission" in listing


def test_readers_read_but_do_not_write_and_another_organisations_panel_is_a_404(client: Client, world: World) -> None:
    panel = panel_of(world)
    meeting = meeting_of(world, panel)
    need = need_of(world, meeting)
    client.force_login(world.viewer)
    page = client.get(reverse("reporting:panel-meeting", kwargs={"org": "handshire", "pk": meeting.pk}))
    assert page.status_code == 200 and "A van to collect food donations" in page.content.decode()
    assert "Record a need" not in page.content.decode()
    refused = client.post(
        reverse("reporting:panel-need", kwargs={"org": "handshire", "pk": need.pk}), {"state-state": "closed"}
    )
    assert refused.status_code == 404  # a reader is not told a write exists
    client.force_login(world.other_lead)
    for name, pk in (("panel-detail", panel.pk), ("panel-meeting", meeting.pk), ("panel-need", need.pk)):
        assert client.get(reverse(f"reporting:{name}", kwargs={"org": "otherton", "pk": pk})).status_code == 404
    need.refresh_from_db()
    assert need.state == "open"
