"""Isolation registrations for panels (commonweal/reporting/urls_panels.py).

Each tenant gets a panel with a meeting (the tenant's supplier attending) and a need raised at it. The
manager is the tenant's social value lead; the supplier contact is not a member of the council."""

from datetime import date
from typing import Any

from django.db.models import Model

from commonweal.reporting import services_panels
from commonweal.reporting.models import Panel, PanelMeeting, PanelNeed
from tests.conftest import Tenant

PK_MODELS: dict[str, type[Model]] = {
    "reporting:panel-detail": Panel,
    "reporting:panel-meeting": PanelMeeting,
    "reporting:panel-need": PanelNeed,
}

OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    name: {"supplier": 404} for name in [*PK_MODELS, "reporting:panel-list", "reporting:panel-create"]
}
OWNER_POST: dict[str, tuple[str, int]] = {name: ("manager", 302) for name in [*PK_MODELS, "reporting:panel-create"]}

A_PANEL = "Tenant A forum on winter"
A_NEED = "Tenant A need of a minibus"
LEAK_MARKERS = [A_PANEL, A_NEED]


def _panel(tenant: Tenant, label: str) -> dict[Any, int]:
    lead = tenant.manager_member()
    panel = services_panels.panel_create(
        actor=tenant.manager, member=lead, name=f"{label} forum on winter", kind="vcse_forum", purpose=""
    )
    meeting = services_panels.meeting_record(
        actor=tenant.manager,
        member=lead,
        panel=panel,
        held_on=date(2026, 3, 4),
        place="Town hall",
        notes="",
        attending=[tenant.supplier],
        other_attendees="",
    )
    need = services_panels.need_record(
        actor=tenant.manager,
        member=lead,
        meeting=meeting,
        description=f"{label} need of a minibus",
        kind="materials",
        raised_by=tenant.supplier,
        outcomes=[],
        place_code="",
    )
    return {Panel: panel.pk, PanelMeeting: meeting.pk, PanelNeed: need.pk}


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    objects = _panel(a, "Tenant A")
    _panel(b, "Tenant B")
    return objects


def post_data(tenant: Tenant) -> dict[str, Any]:
    """A new panel, a meeting the supplier attended, a need it raised, and a need passed on."""
    return {
        "panel-name": "A new panel",
        "panel-kind": "poverty_truth",
        "meeting-held_on_day": "5",
        "meeting-held_on_month": "3",
        "meeting-held_on_year": "2026",
        "meeting-attending": tenant.supplier.pk,
        "need-description": "Volunteers",
        "need-kind": "volunteer_time",
        "state-state": "passed_on",
        "state-note": "To a supplier.",
    }
