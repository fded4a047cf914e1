"""The 360Giving import page in a real browser, checked with axe and at 320 px wide: reached from the
dashboard, empty, with a form error, with a bad file's rejections, after an import, and after the same
file again ("Nothing changed"); then the download link on the agreement list."""

import json

import pytest
from playwright.sync_api import FilePayload, Page, expect

from commonweal.delivery.models import Agreement, AgreementKind
from commonweal.demo.services import DemoLoadResult

from .support import assert_accessible, error_summary_items, follow, sign_in, submit, table_rows

MANAGER = "manager@northfield.example"
REJECTED = (
    "Nothing was imported: 1 grant and 1 file were rejected (see the reasons below). "
    "Correct the files and upload them all again"
)


def grant(number: int, **changes: object) -> dict[str, object]:
    return {
        "id": f"360G-northfield-community-chest-2025-{number:04d}",
        "title": f"Community chest grant {number}",
        "description": "Food for families",
        "currency": "GBP",
        "amountAwarded": 1500.5,
        "awardDate": "2025-05-01",
        "plannedDates": [{"startDate": "2025-06-01", "endDate": "2026-05-31"}],
        "recipientOrganization": [{"id": "GB-CHC-1234567", "name": "Northfield Community Pantry"}],
        "fundingOrganization": [{"id": "GB-LAE-NTH", "name": "Northfield Council"}],
        **changes,
    }


def package(name: str, *grants: dict[str, object]) -> FilePayload:
    return {"name": name, "mimeType": "application/json", "buffer": json.dumps({"grants": list(grants)}).encode()}


def check(page: Page) -> None:
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_360giving_import_page_passes_axe_and_reflows_at_320_px(page: Page, demo: DemoLoadResult) -> None:
    sign_in(page, MANAGER)
    page.goto("/o/northfield/")
    follow(page, page.get_by_role("link", name="Import grants from 360Giving data"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Import grants from 360Giving data")
    check(page)

    submit(page, "Import the grants")
    assert error_summary_items(page) == [("Select at least one 360Giving file", "#id_grant_files")]
    check(page)

    upload = page.get_by_label("Upload 360Giving files")
    payments: FilePayload = {"name": "payments.csv", "mimeType": "text/csv", "buffer": b"Date,Amount\n2025-01-02,100\n"}
    upload.set_input_files(
        [package("community-chest.json", grant(1), grant(2, currency="pounds sterling, please")), payments]
    )
    submit(page, "Import the grants")
    assert error_summary_items(page) == [(REJECTED, "#id_grant_files")]
    rejected = page.get_by_role("region", name="Rejected grants")
    rows = table_rows(rejected.get_by_role("table"))
    assert [row[:3] for row in rows] == [
        ["community-chest.json", "grant 2", "360G-northfield-community-chest-2025-0002"],
        ["payments.csv", "The whole file", "–"],
    ]
    assert rows[0][3].startswith("Currency: 'pounds sterling, please' is not one of")
    check(page)
    assert not Agreement.objects.filter(kind=AgreementKind.GRANT).exists()

    upload.set_input_files([package("community-chest.json", grant(1), grant(2))])
    submit(page, "Import the grants")
    expect(page.get_by_role("heading", name="What was imported")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Grants created 2")
    expect(page.locator(".govuk-summary-list")).to_contain_text("£3,001.00")
    check(page)

    upload.set_input_files([package("community-chest.json", grant(1), grant(2))])
    submit(page, "Import the grants")
    expect(page.locator("#nothing-changed")).to_have_text(
        "Nothing changed: every grant in these files was imported already, as it is now."
    )
    check(page)

    follow(page, page.get_by_role("link", name="Agreements", exact=True))
    link = page.get_by_role("link", name="Download the 2 grant agreements as 360Giving JSON")
    with page.expect_download() as download:
        link.click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert [item["id"] for item in exported["grants"]] == [grant(1)["id"], grant(2)["id"]]
    check(page)
