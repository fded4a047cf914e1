"""Isolation registrations for the spend dashboard, its downloads, LM3 surveys
(commonweal/spend/urls_dashboard.py) and the spend summary API (commonweal/api/spend.py)."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from commonweal.spend import services_lm3
from commonweal.spend.models import Lm3Response, Lm3Survey, RespondentKind
from tests.conftest import Tenant
from tests.spend_suppliers_support import import_with_payments, payment

ROUTES = [
    "spend:dashboard",
    "spend:dashboard-download",
    "spend:lm3-list",
    "spend:lm3-create",
    "spend:lm3-detail",
    "spend:lm3-response-add",
    "spend:lm3-upload",
    "spend:lm3-response-remove",
    "api:spend-summary",
]
PK_MODELS: dict[str, type[Model]] = {
    "spend:lm3-detail": Lm3Survey,
    "spend:lm3-response-add": Lm3Survey,
    "spend:lm3-upload": Lm3Survey,
    "spend:lm3-response-remove": Lm3Response,
}
# Spend belongs to public bodies: a supplier's people have no spend pages, even for their own organisation.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {name: {"supplier": 404} for name in ROUTES}
# The manager is also the social value lead, who may manage spend.
OWNER_POST: dict[str, tuple[str, int]] = {
    "spend:lm3-create": ("manager", 302),
    "spend:lm3-response-add": ("manager", 302),
    "spend:lm3-upload": ("manager", 302),
    "spend:lm3-response-remove": ("manager", 302),
}
A_SURVEY = "Tenant A LM3 survey"
A_RESPONDENT = "Tenant A LM3 respondent"
A_SERVICE_AREA = "Tenant A spend service area"
LEAK_MARKERS = [A_SURVEY, A_RESPONDENT, A_SERVICE_AREA]


def _spend(tenant: Tenant, label: str) -> tuple[Lm3Survey, Lm3Response]:
    import_with_payments(
        tenant.buyer,
        [
            payment(f"Tenant {label} Spend Supplier Ltd", "1250.00", service_area=f"Tenant {label} spend service area"),
            payment("Redacted personal data", "80.00"),
        ],
    )
    member = tenant.manager_member()
    survey = services_lm3.lm3_survey_create(
        actor=tenant.manager,
        member=member,
        title=f"Tenant {label} LM3 survey",
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
    )
    response = services_lm3.lm3_response_add(
        actor=tenant.manager,
        member=member,
        survey=survey,
        kind=RespondentKind.SUPPLIER,
        supplier_id=None,
        respondent=f"Tenant {label} LM3 respondent",
        local_supplier_share=Decimal("0.25"),
        local_staff_share=Decimal("0.1"),
    )
    return survey, response


def world_objects(a: Tenant, b: Tenant) -> dict[type[Model], int]:
    survey, response = _spend(a, "A")
    _spend(b, "B")
    return {Lm3Survey: survey.pk, Lm3Response: response.pk}


def post_data(tenant: Tenant) -> dict[str, Any]:
    """A survey (named by the shared "title"), a supplier's answer, and a file of answers."""
    return {
        "period_start": "1/4/2025",
        "period_end": "31/3/2026",
        "respondent_kind": "supplier",
        "respondent_supplier": "",
        "respondent": "Tenant LM3 respondent",
        "local_supplier_percent": "20",
        "local_staff_percent": "30",
        "local_respend_percent": "",
        "responses_file": SimpleUploadedFile(
            "answers.csv",
            b"kind,supplier,respondent,local_supplier_percent,local_staff_percent\nsupplier,,Tenant firm,10,15\n",
        ),
    }
