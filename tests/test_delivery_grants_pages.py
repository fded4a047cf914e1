"""The 360Giving pages: the import page takes the real Trafford file (555 grants, £1,291,436.54), shows a
bad file's rejections and stores nothing, and says "Nothing changed" when the same grants come again; the
download is a valid 360Giving package; only the public body's people may use either (others get 404)."""

import html
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from commonweal.core.models import AuditEvent
from commonweal.delivery import grants360
from commonweal.delivery.models import Agreement, AgreementKind, Grant
from commonweal.tenancy.models import Organisation, OrganisationKind, Role
from tests import factories
from tests.conftest import Tenant
from tests.test_delivery_grants import GRANT, TRAFFORD, funder, package, real

pytestmark = pytest.mark.django_db

JSON_FILE = "trafford_council_voluntary_sector_grants.json"
CSV_FILE = "trafford_council_voluntary_sector_grants.csv"


def import_url(org: str) -> str:
    return reverse("delivery:grants-import", kwargs={"org": org})


def export_url(org: str) -> str:
    return reverse("delivery:grants-export", kwargs={"org": org})


def upload(name: str, content: bytes, content_type: str = "application/json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def text(response: object) -> str:
    """The page's text with tags dropped and whitespace collapsed, for asserting on what people read."""
    content = html.unescape(response.content.decode())  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", content))


def summary_rows(response: object) -> dict[str, str]:
    content = response.content.decode()  # type: ignore[attr-defined]
    pairs = re.findall(
        r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>', content
    )
    return {key.strip(): html.unescape(value.strip()) for key, value in pairs}


def rejection_rows(response: object) -> list[list[str]]:
    content = response.content.decode()  # type: ignore[attr-defined]
    table = re.search(
        r'<table class="govuk-table" id="rejected">.*?<tbody class="govuk-table__body">(.*?)</tbody>', content, re.S
    )
    assert table is not None, "no table of rejected grants"
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table[1], re.S)
    return [[html.unescape(cell.strip()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def lead_of(organisation: Organisation, client: Client, role: str = Role.SOCIAL_VALUE_LEAD) -> None:
    client.force_login(factories.member_user(organisation, role))


def test_the_page_imports_the_real_trafford_file_and_the_same_grants_again_change_nothing(client: Client) -> None:
    name, content = real(TRAFFORD / JSON_FILE)
    _, csv_content = real(TRAFFORD / CSV_FILE)
    trafford = funder()
    lead_of(trafford, client, Role.CONTRACT_MANAGER)
    page = client.get(import_url("trafford"))
    assert page.status_code == 200
    shown = text(page)
    assert "Import grants from 360Giving data" in shown
    assert "The import is all or nothing" in shown
    assert "Recipients are matched by charity number, then Companies House number" in shown
    assert "importing the same files again changes nothing" in shown
    assert "Trafford Council has no grant agreements yet" in shown

    response = client.post(import_url("trafford"), {"grant_files": [upload(name, content)]})
    assert response.status_code == 200
    assert "<title>Import grants" in response.content.decode()  # no "Error:"
    rows = summary_rows(response)
    recipients = Organisation.objects.filter(kind=OrganisationKind.COMMUNITY).count()
    assert recipients == 323  # one per recipient identifier in the file: none was here before
    assert rows == {
        "Files read": "1",
        "Grants read": "555",
        "Grants created": "555",
        "Grants updated": "0",
        "Grants unchanged": "0",
        "Recipients created": str(recipients),
        "Amount awarded": "£1,291,436.54",
    }
    assert "Nothing changed" not in text(response)
    agreements = Agreement.objects.filter(organisation=trafford, kind=AgreementKind.GRANT)
    assert agreements.count() == 555
    assert sum(agreements.values_list("value", flat=True)) == Decimal("1291436.54")
    assert "Download Trafford Council’s 555 grant agreements as 360Giving JSON" in text(response)

    # The same grants as CSV: nothing changes, and the page says so.
    events = AuditEvent.objects.count()
    again = client.post(import_url("trafford"), {"grant_files": [upload(CSV_FILE, csv_content, "text/csv")]})
    assert again.status_code == 200
    assert "Nothing changed: every grant in these files was imported already" in text(again)
    assert (summary_rows(again)["Grants unchanged"], summary_rows(again)["Grants created"]) == ("555", "0")
    assert summary_rows(again)["Amount awarded"] == "£1,291,436.54"
    assert AuditEvent.objects.count() == events
    assert agreements.count() == 555

    # The download holds the same 555 grants, valid 360Giving.
    download = client.get(export_url("trafford"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="trafford-360giving.json"'
    exported = json.loads(download.content, parse_float=Decimal)
    assert grants360.package_problems(exported) == []
    assert len(exported["grants"]) == 555
    assert sum(Decimal(str(grant["amountAwarded"])) for grant in exported["grants"]) == Decimal("1291436.54")


def test_a_bad_file_shows_each_rejection_with_an_error_summary_and_stores_nothing(client: Client) -> None:
    trafford = funder()
    lead_of(trafford, client)
    events = AuditEvent.objects.count()
    bad = {**GRANT, "id": "360G-test-9", "currency": "pounds"}
    response = client.post(
        import_url("trafford"),
        {
            "grant_files": [
                upload("grants.json", package(GRANT, bad)),
                upload("spend.csv", b"Date,Amount\n2025-01-02,100\n", "text/csv"),
            ]
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<title>Error: Import grants from 360Giving data" in content
    message = (
        "Nothing was imported: 1 grant and 1 file were rejected (see the reasons below). "
        "Correct the files and upload them all again"
    )
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', content, re.S)
    assert summary is not None
    assert f'<a href="#id_grant_files">{message}</a>' in summary[0]
    assert "Nothing was imported" in text(response) and "What was imported" not in text(response)
    rows = rejection_rows(response)
    assert rows[0][:3] == ["grants.json", "grant 2", "360G-test-9"]
    assert rows[0][3].startswith("Currency: 'pounds' is not one of")
    assert rows[1] == [
        "spend.csv",
        "The whole file",
        "–",
        "Has no “Identifier” column in its first row, so it is not 360Giving data",
    ]
    assert 'class="app-table-scroll" role="region" aria-label="Rejected grants" tabindex="0"' in content
    assert not Agreement.objects.exists() and not Grant.objects.exists()
    assert not Organisation.objects.filter(kind=OrganisationKind.COMMUNITY).exists()
    assert AuditEvent.objects.count() == events


def test_notes_on_the_files_show_in_a_details_component(client: Client) -> None:
    funder()
    lead_of(Organisation.objects.get(slug="trafford"), client)
    csv = (
        b"Identifier,Title,Description,Currency,Amount Awarded,Award Date,Recipient Org:Identifier,"
        b"Recipient Org:Name,Funding Org:Identifier,Funding Org:Name,Own column\n"
        b"360G-x-1,Grant one,Desc,GBP,100,2025-01-02,GB-COH-01234567,Org One,GB-LAE-TRF,Trafford,x\n"
    )
    response = client.post(import_url("trafford"), {"grant_files": [upload("grants.csv", csv, "text/csv")]})
    assert summary_rows(response)["Grants created"] == "1"
    details = re.search(r'<details class="govuk-details">(.*?)</details>', response.content.decode(), re.S)
    assert details is not None
    assert "Notes on the files (1)" in details[1]
    assert "grants.csv: columns not in the 360Giving standard were ignored: Own column." in details[1]


def test_the_form_refuses_no_file_the_wrong_type_a_false_extension_and_a_file_too_big(client: Client) -> None:
    funder()
    lead_of(Organisation.objects.get(slug="trafford"), client)
    url = import_url("trafford")
    assert text(client.post(url, {})).count("Select at least one 360Giving file") == 2  # summary and field
    wrong = client.post(url, {"grant_files": [upload("notes.txt", b"hello", "text/plain")]})
    assert "notes.txt: The selected file must be a CSV, JSON or XLSX" in text(wrong)
    fake = client.post(url, {"grant_files": [upload("grants.xlsx", b"Identifier,Title\n", "application/zip")]})
    assert "grants.xlsx: The selected file’s contents do not match its type (.xlsx)" in text(fake)
    with override_settings(GRANTS_UPLOAD_MAX_BYTES=100):
        page = client.get(url)
        assert "each smaller than 100 bytes" in text(page)
        big = client.post(url, {"grant_files": [upload("grants.json", package(GRANT))]})
        assert "grants.json: The selected file must be smaller than 100 bytes" in text(big)
    assert not Agreement.objects.exists()


def test_without_a_published_framework_the_page_shows_the_refusal(client: Client) -> None:
    council = factories.OrganisationFactory.create(name="Northfield Council", slug="northfield")
    lead_of(council, client)
    response = client.post(import_url("northfield"), {"grant_files": [upload("g.json", package(GRANT))]})
    assert "<title>Error: " in response.content.decode()
    assert "Northfield Council has no published framework: grant agreements need one" in text(response)
    assert not Agreement.objects.exists()


def test_the_download_without_grants_says_so_and_a_package_that_would_be_invalid_is_not_sent(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    trafford = funder()
    lead_of(trafford, client, Role.VIEWER)
    none = client.get(export_url("trafford"))
    assert none.status_code == 200 and none["Content-Type"].startswith("text/html")
    assert "Trafford Council has no grant agreements, so there is no 360Giving file to download" in text(none)
    assert "Import grants from 360Giving data" not in text(none)  # a viewer may not import
    factories.AgreementFactory.create(organisation=trafford, kind=AgreementKind.GRANT, reference="G-1")
    monkeypatch.setattr(grants360, "package_problems", lambda package: ["grants/0/title: too dull"])
    failed = client.get(export_url("trafford"))
    assert failed.status_code == 500
    assert "The 360Giving package would not be valid, so it was not written: grants/0/title: too dull" in text(failed)


def test_the_dashboard_and_the_agreement_list_link_the_pages_for_those_who_may_use_them(client: Client) -> None:
    trafford = funder()
    dashboard = reverse("delivery:dashboard", kwargs={"org": "trafford"})
    agreements = reverse("delivery:agreement-list", kwargs={"org": "trafford"})
    lead_of(trafford, client, Role.CONTRACT_MANAGER)
    assert import_url("trafford") in client.get(dashboard).content.decode()
    listed = client.get(agreements).content.decode()
    assert import_url("trafford") in listed and export_url("trafford") not in listed  # no grants yet
    factories.AgreementFactory.create(organisation=trafford, kind=AgreementKind.GRANT, reference="G-1")
    assert "Download the 1 grant agreement as 360Giving JSON" in text(client.get(agreements))
    lead_of(trafford, client, Role.VIEWER)
    assert import_url("trafford") not in client.get(dashboard).content.decode()
    listed = client.get(agreements).content.decode()
    assert export_url("trafford") in listed and import_url("trafford") not in listed


def test_suppliers_viewers_and_other_organisations_get_404(client: Client, tenant_a: Tenant, tenant_b: Tenant) -> None:
    factories.AgreementFactory.create(organisation=tenant_a.buyer, kind=AgreementKind.GRANT, reference="G-A")
    a = tenant_a.buyer.slug
    client.force_login(tenant_a.manager)  # a contract manager of A
    assert client.get(import_url(a)).status_code == 200
    assert client.get(export_url(a)).status_code == 200
    lead_of(tenant_a.buyer, client, Role.VIEWER)
    assert client.get(import_url(a)).status_code == 404
    assert client.get(export_url(a)).status_code == 200
    for person in (tenant_b.manager, factories.member_user(tenant_b.buyer, Role.SOCIAL_VALUE_LEAD)):
        client.force_login(person)
        assert client.get(import_url(a)).status_code == 404
        assert client.get(export_url(a)).status_code == 404
        posted = client.post(import_url(a), {"grant_files": [upload("g.json", package(GRANT))]})
        assert posted.status_code == 404
    client.force_login(tenant_a.supplier_user)
    for org in (tenant_a.supplier.slug, a):
        assert client.get(import_url(org)).status_code == 404
        assert client.get(export_url(org)).status_code == 404
        assert client.post(import_url(org), {"grant_files": [upload("g.json", package(GRANT))]}).status_code == 404
    assert not Grant.objects.exists()
