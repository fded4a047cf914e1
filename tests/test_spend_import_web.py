"""The spend import pages: upload, confirm the columns, the background import, the summary and the
rejected rows as CSV; who may do what."""

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from commonweal.core.models import AuditEvent
from commonweal.spend import duck, importing
from commonweal.spend.models import ImportStatus, SpendImport, SpendSource
from commonweal.tenancy.models import Role

from . import factories
from .conftest import Tenant
from .spend_import_support import csv_text, spend_manager

HEADER = ["When paid", "Payee", "Value (GBP)", "Ref"]
ROWS = [["01/04/2024", "Acme Ltd", "£1,500.00", "R1"], ["02/04/2024", "Redacted", "250", "R2"], ["", "Bob", "9", "R3"]]

OnCommit = Callable[..., Any]


def upload(name: str = "april.csv", rows: list[list[str]] = ROWS, header: list[str] = HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_text([header, *rows]).encode("utf-8"), content_type="text/csv")


def form_data(mapping: dict[str, str]) -> dict[str, str]:
    return {f"column_{name}": header for name, header in mapping.items()}


def url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(f"spend:{name}", kwargs={"org": tenant.buyer.slug, **kwargs})


@pytest.fixture
def manager_client(client: Client, tenant_a: Tenant) -> Client:
    client.force_login(spend_manager(tenant_a.buyer))
    return client


def test_upload_confirm_columns_run_and_summary(
    manager_client: Client, tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    assert manager_client.get(url("import-upload", tenant_a)).status_code == 200
    response = manager_client.post(url("import-upload", tenant_a), {"spend_file": upload(), "spend_source": "Ledger"})
    spend_import = SpendImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("import-mapping", tenant_a, pk=spend_import.pk)
    assert spend_import.status == ImportStatus.AWAITING_MAPPING
    stored = duck.spend_path(spend_import.upload_path)
    assert stored.exists() and stored.name != "april.csv" and stored.parent.parent.name == "uploads"

    page = manager_client.get(response["Location"]).content.decode()
    assert "Acme Ltd" in page and "£1,500.00" in page  # the sample rows
    assert '<option value="Payee" selected>Payee</option>' in page  # "payee" is a supplier synonym
    mapping = {"payment_date": "When paid", "amount": "Value (GBP)", "supplier_name": "Payee", "transaction_ref": "Ref"}
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url("import-mapping", tenant_a, pk=spend_import.pk), form_data(mapping))
    assert response.status_code == 302
    assert response["Location"] == url("import-detail", tenant_a, pk=spend_import.pk)
    spend_import.refresh_from_db()
    assert spend_import.status == ImportStatus.SUCCEEDED
    assert (spend_import.rows_imported, spend_import.rows_rejected, spend_import.rows_redacted) == (2, 1, 1)
    assert spend_import.upload_path == "" and not stored.exists()
    assert SpendSource.objects.get(name="Ledger").column_mapping == mapping

    page = manager_client.get(response["Location"]).content.decode()
    assert "Imported 2 payments" in page and "£1,750.00" in page
    assert "the payment date is blank".capitalize() in page and ">4<" in page  # the line of the rejected row
    rejected = manager_client.get(url("import-rejects-csv", tenant_a, pk=spend_import.pk))
    assert rejected["Content-Disposition"].startswith("attachment")
    assert list(csv.DictReader(io.StringIO(rejected.content.decode()))) == [
        {"file": "april.csv", "line": "4", "reason": "the payment date is blank", "row": ",Bob,9,R3"}
    ]
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [
        "spend_import.uploaded",
        "spend_import.mapping_confirmed",
        "spend_import.imported",
        "notification.sent",
    ]
    assert "april.csv" in manager_client.get(url("import-list", tenant_a)).content.decode()


def test_a_known_source_with_the_same_header_imports_without_asking(
    manager_client: Client, tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    mapping = {"payment_date": "When paid", "amount": "Value (GBP)", "supplier_name": "Payee"}
    SpendSource.objects.create(organisation=tenant_a.buyer, name="Ledger", column_mapping=mapping, header_signature="")
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url("import-upload", tenant_a), {"spend_file": upload(), "spend_source": "Ledger"})
    first = SpendImport.objects.get()
    # The signature was never confirmed for this header, so the columns are asked for.
    assert first.status == ImportStatus.AWAITING_MAPPING
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url("import-mapping", tenant_a, pk=first.pk), form_data(mapping))
    may = [["01/05/2024", "Acme Ltd", "10", "R9"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            url("import-upload", tenant_a), {"spend_file": upload("may.csv", may), "spend_source": "Ledger"}
        )
    second = SpendImport.objects.get(original_name="may.csv")
    assert response["Location"] == url("import-detail", tenant_a, pk=second.pk)
    second.refresh_from_db()
    assert (second.status, second.column_mapping, second.rows_imported) == (ImportStatus.SUCCEEDED, mapping, 1)


def test_the_progress_page_refreshes_itself_while_the_import_waits(manager_client: Client, tenant_a: Tenant) -> None:
    SpendSource.objects.create(organisation=tenant_a.buyer, name="Ledger")
    response = manager_client.post(url("import-upload", tenant_a), {"spend_file": upload()})
    spend_import = SpendImport.objects.get()
    mapping = {"payment_date": "When paid", "amount": "Value (GBP)", "supplier_name": "Payee"}
    manager_client.post(url("import-mapping", tenant_a, pk=spend_import.pk), form_data(mapping))  # queued, not run
    response = manager_client.get(url("import-detail", tenant_a, pk=spend_import.pk))
    assert response["Refresh"] == "3"
    assert '<progress id="import-progress" max="100" value="0">' in response.content.decode()
    assert "Queued" in response.content.decode()


def test_the_same_file_twice_says_nothing_was_added(
    manager_client: Client, tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    manager_client.post(url("import-upload", tenant_a), {"spend_file": upload()})
    response = manager_client.post(url("import-upload", tenant_a), {"spend_file": upload("again.csv")}, follow=True)
    assert "This file was imported already" in response.content.decode()
    assert SpendImport.objects.count() == 1


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("spend.pdf", b"%PDF-1.4"), "The selected file must be a CSV, TXT, XLSX or ZIP"),
        (SimpleUploadedFile("spend.xlsx", b"not a zip"), "The selected file’s contents do not match its type"),
        (SimpleUploadedFile("spend.csv", b""), "The selected file is empty"),
        (SimpleUploadedFile("spend.csv", b"Name,Colour\nA,Blue\n"), None),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_kept(
    manager_client: Client, tenant_a: Tenant, file: SimpleUploadedFile, message: str | None
) -> None:
    uploads = duck.spend_path("uploads")
    stored_before = sorted(uploads.rglob("*")) if uploads.exists() else []
    response = manager_client.post(url("import-upload", tenant_a), {"spend_file": file})
    if message is None:  # a readable file whose columns cannot be found: the person chooses them
        spend_import = SpendImport.objects.get()
        page = manager_client.get(url("import-mapping", tenant_a, pk=spend_import.pk))
        response = manager_client.post(url("import-mapping", tenant_a, pk=spend_import.pk), {})
        assert "Select the column that holds the payment date" in response.content.decode()
        assert page.status_code == 200
        spend_import.refresh_from_db()
        assert spend_import.status == ImportStatus.AWAITING_MAPPING
        return
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SpendImport.objects.exists()
    assert (sorted(uploads.rglob("*")) if uploads.exists() else []) == stored_before


def test_a_column_may_be_chosen_once(manager_client: Client, tenant_a: Tenant) -> None:
    manager_client.post(url("import-upload", tenant_a), {"spend_file": upload()})
    spend_import = SpendImport.objects.get()
    response = manager_client.post(
        url("import-mapping", tenant_a, pk=spend_import.pk),
        form_data({"payment_date": "When paid", "amount": "When paid"}),
    )
    assert "“When paid” is already chosen for the payment date" in response.content.decode()


def test_readers_may_look_but_not_import(client: Client, tenant_a: Tenant) -> None:
    reader = factories.member_user(tenant_a.buyer, Role.EVALUATOR)
    client.force_login(reader)
    assert client.get(url("import-list", tenant_a)).status_code == 200
    page = client.get(url("import-upload", tenant_a))
    assert "Only social value leads and procurement officers can import" in page.content.decode()
    assert client.post(url("import-upload", tenant_a), {"spend_file": upload()}).status_code == 404
    assert not SpendImport.objects.exists()


def test_supplier_organisations_have_no_spend_pages(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.supplier_user)
    for name in ("import-list", "import-upload"):
        assert client.get(reverse(f"spend:{name}", kwargs={"org": tenant_a.supplier.slug})).status_code == 404


def test_a_file_said_to_have_no_header_reads_line_1_as_a_payment(
    manager_client: Client, tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    # Line 1 would pass for a header ("Payee" and "Value" are known names), and line 3 repeats one of its
    # values: neither matters once the person says the file has none.
    rows = [
        ["When", "Payee", "Value", "R0"],
        ["01/04/2024", "Acme Ltd", "100.00", "R1"],
        ["02/04/2024", "Value", "Value", "R2"],
    ]
    file = SimpleUploadedFile("bare.csv", csv_text(rows).encode("utf-8"), content_type="text/csv")
    SpendSource.objects.create(
        organisation=tenant_a.buyer, name="Ledger", column_mapping={"amount": "Value"}, header_signature="x"
    )
    response = manager_client.post(
        url("import-upload", tenant_a), {"spend_file": file, "spend_source": "Ledger", "no_header": "on"}
    )
    spend_import = SpendImport.objects.get()
    assert response["Location"] == url("import-mapping", tenant_a, pk=spend_import.pk)
    assert (spend_import.status, spend_import.header_line) == (ImportStatus.AWAITING_MAPPING, 0)
    page = manager_client.get(response["Location"]).content.decode()
    assert "The file has no header" in page
    assert '<th scope="row" class="govuk-table__header">Column 2</th>' in page
    assert "Payee" in page  # line 1 is among the rows shown, not taken for the header
    mapping = {"payment_date": "Column 1", "amount": "Column 3", "supplier_name": "Column 2"}
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url("import-mapping", tenant_a, pk=spend_import.pk), form_data(mapping))
    spend_import.refresh_from_db()
    assert (spend_import.status, spend_import.rows_read, spend_import.rows_imported) == (ImportStatus.SUCCEEDED, 3, 1)
    reasons = [reason for _, reason, _ in importing.rejects_read(spend_import.rejects_path)]
    assert reasons == ["the amount “Value” is not a number", "the amount “Value” is not a number"]


def test_the_supplier_column_must_be_chosen(manager_client: Client, tenant_a: Tenant) -> None:
    file = SimpleUploadedFile(
        "codes.csv",
        csv_text([["Paid Date", "Code", "Amount"], ["01/04/2024", "X1", "5"]]).encode(),
        content_type="text/csv",
    )
    manager_client.post(url("import-upload", tenant_a), {"spend_file": file})
    spend_import = SpendImport.objects.get()
    assert spend_import.status == ImportStatus.AWAITING_MAPPING
    response = manager_client.post(
        url("import-mapping", tenant_a, pk=spend_import.pk),
        form_data({"payment_date": "Paid Date", "amount": "Amount"}),
    )
    assert response.status_code == 200
    assert "Select the column that holds the supplier name" in response.content.decode()
    spend_import.refresh_from_db()
    assert spend_import.status == ImportStatus.AWAITING_MAPPING
