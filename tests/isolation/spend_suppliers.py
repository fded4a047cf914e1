"""Isolation registrations for the supplier registry pages (commonweal/spend/urls_suppliers.py)."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from commonweal.spend import services_suppliers
from commonweal.spend.models import Label, Supplier
from commonweal.tenancy.selectors import Member
from tests.conftest import Tenant

GET_ROUTES = [
    "spend:supplier-list",
    "spend:supplier-detail",
    "spend:policy",
    "spend:living-wage",
    "spend:flags",
    "spend:supplier-classify-file",
    "spend:supplier-classify-template",
]

PK_MODELS: dict[str, type[Model]] = {
    "spend:supplier-detail": Supplier,
    "spend:supplier-override": Supplier,
    "spend:supplier-override-remove": Supplier,
}
# Spend belongs to public bodies: a supplier's people have no spend pages, even for their own organisation.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {name: {"supplier": 404} for name in GET_ROUTES}
# The manager is also the social value lead, who may manage spend.
OWNER_POST: dict[str, tuple[str, int]] = {
    "spend:supplier-override": ("manager", 302),
    "spend:supplier-override-remove": ("manager", 302),
    "spend:supplier-classify": ("manager", 302),
    "spend:policy": ("manager", 302),
    "spend:living-wage": ("manager", 302),
    "spend:flags": ("manager", 302),
    "spend:supplier-classify-file": ("manager", 302),
}
A_SUPPLIER_NAME = "Tenant A Spend Supplier Ltd"
LEAK_MARKERS = [A_SUPPLIER_NAME, "TENANT A SPEND SUPPLIER LTD", "Tenant A override reason"]


def _supplier(tenant: Tenant, name: str, override_reason: str) -> Supplier:
    supplier = Supplier.objects.create(
        organisation=tenant.buyer,
        name=name,
        normalised_name=name.upper(),
        postcode="M32 0TH",
        charity_number="1234567",
    )
    services_suppliers.supplier_classify(actor=tenant.manager, member=Member.system(tenant.buyer))
    services_suppliers.supplier_override_set(
        actor=tenant.manager,
        member=Member.system(tenant.buyer),
        supplier=supplier,
        label=Label.LOCAL,
        value=True,
        reason=override_reason,
    )
    return supplier


def world_objects(a: Tenant, b: Tenant) -> dict[type[Model], int]:
    supplier = _supplier(a, A_SUPPLIER_NAME, "Tenant A override reason")
    _supplier(b, "Tenant B Spend Supplier Ltd", "Tenant B override reason")
    return {Supplier: supplier.pk}


def post_data(tenant: Tenant) -> dict[str, Any]:
    return {
        "override_label": Label.SME,
        "override_value": "yes",
        "override_reason": "The tenant's procurement team checked its accounts",
        "remove_label": Label.LOCAL,
        "local_districts": "E08000009",
        "rule_field_0": "expense_type",
        "rule_contains_0": "precept",
        "living_wage_file": SimpleUploadedFile("living-wage.csv", b"Employer\nTenant Living Wage Employer Ltd\n"),
        # Each tenant's own supplier: a sheet naming another tenant's supplier finds nothing (and changes nothing).
        "sheet_file": SimpleUploadedFile(
            "sheet.csv", f"supplier,sme\nTenant {tenant.buyer.name[-1]} Spend Supplier Ltd,yes\n".encode()
        ),
        "flags_file": SimpleUploadedFile(
            "grants.csv",
            b"Identifier,Recipient Org:Name,Recipient Org:Charity Number\n360G-x-1,Tenant Charity,1234567\n",
        ),
    }
