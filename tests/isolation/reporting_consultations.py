"""Isolation registrations for consultations (commonweal/reporting/urls_consultations.py; the public pages
in commonweal/reporting/public_urls.py are public by design, tested in tests/test_reporting_consultations.py).

Each tenant gets a draft consultation with two options (adding an option, opening it) and an open one with
a response (paper responses, "you said, we did"). The manager is the tenant's social value lead."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Model

from commonweal.reporting import services_consultations
from commonweal.reporting.models import Consultation
from tests.conftest import Tenant

ROUTES = ["consultation-detail", "consultation-open", "consultation-paper", "consultation-you-said"]
PK_MODELS: dict[str, type[Model]] = {f"reporting:{name}": Consultation for name in ROUTES}

OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    f"reporting:{name}": {"supplier": 404} for name in [*ROUTES, "consultation-list", "consultation-create"]
}
OWNER_POST: dict[str, tuple[str, int]] = {
    f"reporting:{name}": ("manager", 302) for name in [*ROUTES, "consultation-create"]
}

NOT_TENANT_SCOPED: dict[str, str] = {
    f"hub:{name}": "an organisation's opened consultation, for anyone (a draft is a 404)"
    for name in ["consultations", "consultation", "consultation-thanks", "consultation-results"]
}

A_CONSULTATION = "Tenant A consultation on the depot"
A_OPTION = "Tenant A option of apprenticeships"
LEAK_MARKERS = [A_CONSULTATION, A_OPTION]


def _consultations(tenant: Tenant, label: str) -> dict[Any, int]:
    lead = tenant.manager_member()
    made = []
    for state in ("draft", "open"):
        consultation = services_consultations.consultation_create(
            actor=tenant.manager,
            member=lead,
            title=f"{label} consultation on the depot ({state})",
            summary="Which should we do?",
            place_codes=["E05015239"],
            opens_on=date(2026, 1, 1),
            closes_on=date(2099, 12, 31),
        )
        for title in (f"{label} option of apprenticeships", f"{label} option of volunteering"):
            services_consultations.option_add(
                actor=tenant.manager,
                member=lead,
                consultation=consultation,
                title=title,
                description="",
                cost=Decimal("1000"),
                outcome=None,
            )
        made.append(consultation)
    draft, opened = made
    services_consultations.consultation_open(actor=tenant.manager, member=lead, consultation=opened)
    return {
        Consultation: draft.pk,
        "reporting:consultation-paper": opened.pk,
        "reporting:consultation-you-said": opened.pk,
    }


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    objects = _consultations(a, "Tenant A")
    _consultations(b, "Tenant B")
    return objects


def post_data(tenant: Tenant) -> dict[str, Any]:
    """A new consultation, an option, a paper response to the open consultation, and "you said, we did"."""
    opened = Consultation.objects.filter(organisation=tenant.buyer, published_at__isnull=False).first()
    option = opened.options.values_list("pk", flat=True).first() if opened else None
    return {
        "consultation-title": "A new consultation",
        "consultation-summary": "Which should we do?",
        "consultation-place_codes": "E05015239",
        "consultation-opens_on_day": "1",
        "consultation-opens_on_month": "2",
        "consultation-opens_on_year": "2026",
        "consultation-closes_on_day": "1",
        "consultation-closes_on_month": "3",
        "consultation-closes_on_year": "2026",
        "option-title": "A third option",
        "option-cost": "500.00",
        "paper-options": option or "",
        "paper-place_code": "E05015239",
        "paper-received_on_day": "2",
        "paper-received_on_month": "1",
        "paper-received_on_year": "2026",
        "said-text": "We did what you said.",
    }
