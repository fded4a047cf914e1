"""Isolation registrations for the 360Giving pages (commonweal/delivery/urls_grants.py): the import page and
the download of the organisation's grant agreements.

Both are the public body's: a supplier's people get 404, even for their own organisation. Tenant A has no
grant agreement in the world (one would join the agreement lists other checks count), so tenant A's
manager gets the page saying there is nothing to download (200); the download itself is tested in
tests/test_delivery_grants_pages.py. The manager is a contract manager, who may import: the file posted
holds one grant in euros, which is rejected, so the page shows the rejection (200) and stores nothing;
a real import writes several audit events (the agreement and the grant), more than the one the owner
check expects of a write, and is tested there too."""

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import Tenant

ROUTES = ["delivery:grants-import", "delivery:grants-export"]
OWNER_GET_STATUS: dict[str, dict[str, int]] = {name: {"supplier": 404} for name in ROUTES}
OWNER_POST: dict[str, tuple[str, int]] = {"delivery:grants-import": ("manager", 200)}
POST_WRITES_NOTHING: dict[str, str] = {
    "delivery:grants-import": "the file's one grant is in euros, so it is rejected and nothing is imported",
}


def post_data(tenant: Tenant) -> dict[str, Any]:
    grant = {
        "id": f"360G-isolation-{tenant.buyer.slug}-1",
        "title": "Tenant grant in euros",
        "description": "A grant the import rejects",
        "currency": "EUR",
        "amountAwarded": 500,
        "awardDate": "2025-05-01",
        "recipientOrganization": [{"id": f"GB-COH-{tenant.buyer.pk:08d}", "name": "Tenant grant recipient"}],
        "fundingOrganization": [{"id": "GB-LAE-TEN", "name": tenant.buyer.name}],
    }
    content = json.dumps({"grants": [grant]}).encode()
    return {"grant_files": SimpleUploadedFile("tenant-grants.json", content, content_type="application/json")}
