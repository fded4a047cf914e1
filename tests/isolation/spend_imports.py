"""Spend imports (commonweal/spend/urls_imports.py): tenant A's import waits for its columns to be confirmed.

Only public bodies have spend pages: tenant A's supplier contact gets 404 from every one. The manager
is also the social value lead, so may upload and confirm columns."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from commonweal.spend import services_imports
from commonweal.spend.models import SpendImport
from tests.conftest import Tenant

A_FILE_NAME = "tenant-a-spend-april.csv"
A_PAYEE = "Tenant A Spend Payee Ltd"
HEADER = "Paid Date,Supplier Name,Amount\n"

ROUTES = ["spend:import-list", "spend:import-upload", "spend:import-detail", "spend:import-mapping"]
PK_ROUTES = [
    "spend:import-detail",
    "spend:import-mapping",
    "spend:import-rejects-csv",
    "spend:import-retry",
    "spend:import-cancel",
]

PK_MODELS: dict[str, type[Model]] = {name: SpendImport for name in PK_ROUTES}
OWNER_GET_STATUS: dict[str, dict[str, int]] = {name: {"supplier": 404} for name in [*ROUTES, *PK_ROUTES]}
OWNER_POST: dict[str, tuple[str, int]] = {
    "spend:import-upload": ("manager", 302),  # stores the file; it waits for its columns
    "spend:import-mapping": ("manager", 302),  # confirms the columns and queues the import
    "spend:import-retry": ("manager", 302),  # refused (it is waiting, not stopped): back to its page
    "spend:import-cancel": ("manager", 302),  # the waiting import is cancelled
}
POST_WRITES_NOTHING = {
    "spend:import-retry": "the world's import waits for its columns, not stopped: the retry is refused",
}
LEAK_MARKERS = [A_FILE_NAME, A_PAYEE]


def _upload(tenant: Tenant, name: str, payee: str) -> SpendImport:
    content = f"{HEADER}01/04/2024,{payee},100\n".encode()
    spend_import, _ = services_imports.spend_upload_create(
        actor=tenant.manager,
        member=tenant.manager_member(),
        upload=SimpleUploadedFile(name, content, content_type="text/csv"),
        source_name="Payments",
    )
    return spend_import


def world_objects(a: Tenant, b: Tenant) -> dict[type[Model], int]:
    _upload(b, "tenant-b-spend.csv", "Tenant B Payee Ltd")
    return {SpendImport: _upload(a, A_FILE_NAME, A_PAYEE).pk}


def post_data(tenant: Tenant) -> dict[str, Any]:
    content = f"{HEADER}02/05/2024,New payee of {tenant.buyer.slug},5\n".encode()
    return {
        "spend_file": SimpleUploadedFile("next-month.csv", content, content_type="text/csv"),
        "spend_source": "Payments",
        "column_payment_date": "Paid Date",
        "column_amount": "Amount",
        "column_supplier_name": "Supplier Name",
    }
