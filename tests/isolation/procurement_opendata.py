"""Isolation registrations for the open data pages (commonweal/procurement/urls_opendata.py): the OCDS
import page and the OCDS download of a procurement."""

import json
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from commonweal.procurement.models import Procurement, ProcurementState
from tests.conftest import Tenant

PK_MODELS: dict[str, type[Model]] = {"procurement:ocds-export": Procurement}
# Procurements are the buyer's: a supplier's people have neither page, even for their own organisation.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    "procurement:ocds-import": {"supplier": 404},
    "procurement:ocds-export": {"supplier": 404},
}
# The manager is also the social value lead, who may import; the page shows the summary (200).
OWNER_POST: dict[str, tuple[str, int]] = {"procurement:ocds-import": ("manager", 200)}
A_TITLE = "Tenant A open data procurement of library books"
LEAK_MARKERS = [A_TITLE, "OD-A-001"]


def _procurement(tenant: Tenant, reference: str, title: str) -> Procurement:
    return Procurement.objects.create(
        organisation=tenant.buyer,
        reference=reference,
        title=title,
        estimated_value=Decimal("50000"),
        category="goods",
        duration_months=12,
        state=ProcurementState.DRAFT,
    )


def world_objects(a: Tenant, b: Tenant) -> dict[type[Model], int]:
    _procurement(b, "OD-B-001", "Tenant B open data procurement")
    return {Procurement: _procurement(a, "OD-A-001", A_TITLE).pk}


def post_data(tenant: Tenant) -> dict[str, Any]:
    """One tender notice of the tenant's buyer: importing it writes one procurement (one audit event)."""
    ocid = f"ocds-isolation-{tenant.buyer.slug}-1"
    release = {
        "ocid": ocid,
        "id": f"{ocid}-tender",
        "date": "2026-01-05T00:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "buyer": {"id": "1", "name": tenant.buyer.name},
        "parties": [{"id": "1", "name": tenant.buyer.name, "roles": ["buyer"]}],
        "tender": {
            "id": ocid,
            "title": "Tenant imported tender",
            "value": {"amount": 1000, "currency": "GBP"},
            "mainProcurementCategory": "goods",
        },
    }
    package = {"uri": "https://example.org/p.json", "version": "1.1", "releases": [release]}
    return {"ocds_files": SimpleUploadedFile("tenant-notice.json", json.dumps(package).encode(), "application/json")}
