"""The OCDS import page in a real browser, checked with axe: empty, with an error, and with the summary
of an import in which one file was imported and one rejected."""

import json

import pytest
from playwright.sync_api import FilePayload, Page, expect

from commonweal.demo.services import DemoLoadResult
from commonweal.procurement.models import Procurement
from commonweal.tenancy.models import Organisation

from .support import assert_accessible, error_summary_items, sign_in, submit

LEAD = "lead@northfield.example"


def notice(buyer: str, ocid: str) -> FilePayload:
    release = {
        "ocid": ocid,
        "id": f"{ocid}-tender",
        "date": "2026-01-05T00:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "buyer": {"id": "1", "name": buyer},
        "parties": [{"id": "1", "name": buyer, "roles": ["buyer"]}],
        "tender": {
            "id": ocid,
            "title": "Library book supply",
            "value": {"amount": 80000, "currency": "GBP"},
            "mainProcurementCategory": "goods",
            "tenderPeriod": {"endDate": "2026-02-27T12:00:00Z"},
        },
    }
    package = {"uri": "https://example.org/p.json", "version": "1.1", "releases": [release]}
    return {"name": f"{ocid}.json", "mimeType": "application/json", "buffer": json.dumps(package).encode()}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_ocds_import_page_passes_axe_and_shows_what_was_imported(page: Page, demo: DemoLoadResult) -> None:
    northfield = Organisation.objects.get(slug="northfield")
    sign_in(page, LEAD)
    page.goto("/o/northfield/procurements/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import notices from Contracts Finder")
    assert_accessible(page)

    submit(page, "Import the notices")
    assert error_summary_items(page) == [("Select at least one OCDS file", "#id_ocds_files")]
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Upload OCDS files").set_input_files(
        [notice(northfield.name, "ocds-test-northfield-1"), notice("Another Council", "ocds-test-other-1")]
    )
    submit(page, "Import the notices")
    expect(page.get_by_role("heading", name="What was imported")).to_be_visible()
    expect(page.get_by_role("row", name="ocds-test-other-1.json")).to_contain_text("The buyer is Another Council")
    assert_accessible(page)
    assert Procurement.objects.filter(organisation=northfield, ocid="ocds-test-northfield-1").exists()
