"""Files in an S3-compatible bucket: evidence, spend imports (originals and Parquet), the spend dashboard
read straight from the bucket, and report PDFs, against a real S3 server on 127.0.0.1 (tests/s3_support.py).
Nothing is left on local disk."""

import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from commonweal.delivery.models import DeliveryReturn, Evidence
from commonweal.networks.spend_figures import network_spend
from commonweal.reporting.models import ReportVersion
from commonweal.spend import duck, files, importing
from commonweal.spend.models import ImportStatus, SpendImport
from commonweal.spend.services_imports import spend_debris_remove, spend_import_file
from commonweal.tenancy.selectors import Member

from .conftest import SHARED_DATA, Tenant
from .delivery_agreements_support import periods_made
from .factories import PDF_BYTES, evidence_file
from .reporting_report_support import year_build
from .s3_support import S3Server, s3_server  # noqa: F401 - the session's S3 server fixture
from .spend_import_support import spend_manager
from .test_reporting_report import published, signed_in

OnCommit = Callable[..., Any]
DEVON_APRIL_2025 = SHARED_DATA / "devon-spend-over-500" / "DCCSpendingOver500_202504.csv"


def local_files(root: Path) -> list[str]:
    return [str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()]


@pytest.fixture(scope="module")
def local_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="commonweal-s3-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def in_the_bucket(s3_server: S3Server, local_root: Path) -> Iterator[S3Server]:  # noqa: F811
    """Every storage in the bucket; MEDIA_ROOT and SPEND_DATA_DIR point at an empty folder, which must stay
    without files. The bucket starts each test empty."""
    s3_server.empty()
    with override_settings(
        STORAGES=s3_server.storages(), MEDIA_ROOT=local_root / "media", SPEND_DATA_DIR=local_root / "spend"
    ):
        yield s3_server
    assert local_files(local_root) == [], "files were left on local disk"


def test_evidence_is_kept_in_the_bucket_and_downloaded_from_it(
    client: Client, tenant_a: Tenant, in_the_bucket: S3Server
) -> None:
    c1 = tenant_a.commitments[0]
    period = periods_made(tenant_a.agreement)[0]
    client.force_login(tenant_a.supplier_user)
    response = client.post(
        reverse("delivery:return-submit", kwargs={"org": tenant_a.supplier.slug, "pk": tenant_a.agreement.pk}),
        {
            "period": period.pk,
            f"quantity_{c1.pk}": "4",
            f"evidence_reference_{c1.pk}": "TS-1",
            "narrative": "",
            "evidence": [evidence_file("timesheet.pdf")],
            "evidence_lines": [str(c1.pk)],
            "return_action": "draft",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    evidence = Evidence.objects.get(delivery_return=DeliveryReturn.objects.get())
    key = f"media/{evidence.file.name}"
    assert evidence.file.name.startswith(f"evidence/{tenant_a.buyer.pk}/") and evidence.original_name == "timesheet.pdf"
    assert in_the_bucket.keys("media/") == [key]
    assert in_the_bucket.read(key) == PDF_BYTES

    download = client.get(
        reverse("delivery:evidence-download", kwargs={"org": tenant_a.supplier.slug, "pk": evidence.pk})
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]


def test_a_spend_import_and_the_dashboard_read_the_bucket(
    client: Client,
    tenant_a: Tenant,
    in_the_bucket: S3Server,
    local_root: Path,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    assert not files.is_local()
    client.force_login(spend_manager(tenant_a.buyer))
    org = tenant_a.buyer.slug
    upload = SimpleUploadedFile(DEVON_APRIL_2025.name, DEVON_APRIL_2025.read_bytes(), content_type="text/csv")
    response = client.post(reverse("spend:import-upload", kwargs={"org": org}), {"spend_file": upload})
    assert response.status_code == 302
    spend_import = SpendImport.objects.get()
    assert spend_import.status == ImportStatus.AWAITING_MAPPING
    # The original waits in the bucket, not on local disk.
    assert in_the_bucket.keys("spend/uploads/") == [f"spend/{spend_import.upload_path}"]
    assert in_the_bucket.read(f"spend/{spend_import.upload_path}") == DEVON_APRIL_2025.read_bytes()
    assert "PROMOTING INDEPENDENT CARE LIMITED" in client.get(response["Location"]).content.decode()
    assert local_files(local_root) == []  # the columns page read a temporary copy, removed after

    mapping = {f"column_{name}": header for name, header in spend_import.column_mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("spend:import-mapping", kwargs={"org": org, "pk": spend_import.pk}), mapping)
    assert response.status_code == 302
    spend_import.refresh_from_db()
    assert spend_import.status == ImportStatus.SUCCEEDED, spend_import.error
    assert (spend_import.rows_imported, spend_import.total_amount) == (237, Decimal("2845421.21"))
    folder = f"spend/{tenant_a.buyer.pk}/{spend_import.pk}"
    assert in_the_bucket.keys("spend/") == [f"{folder}/payments.parquet", f"{folder}/rejects.parquet"]
    stored = pq.read_table(io.BytesIO(in_the_bucket.read(f"{folder}/payments.parquet")))
    assert (stored.num_rows, Decimal(str(sum(stored.column("amount").to_pylist())))) == (237, Decimal("2845421.21"))

    dashboard = client.get(reverse("spend:dashboard", kwargs={"org": org})).content.decode()
    assert "£2,845,421.21" in dashboard
    detail = client.get(reverse("spend:import-detail", kwargs={"org": org, "pk": spend_import.pk})).content.decode()
    assert "Imported 237 payments" in detail

    # The same file again adds nothing, and leaves no upload behind.
    again = SimpleUploadedFile(DEVON_APRIL_2025.name, DEVON_APRIL_2025.read_bytes(), content_type="text/csv")
    client.post(reverse("spend:import-upload", kwargs={"org": org}), {"spend_file": again})
    assert SpendImport.objects.count() == 1 and in_the_bucket.keys("spend/uploads/") == []


def test_a_report_pdf_is_made_once_kept_in_the_bucket_and_downloaded(db: None, in_the_bucket: S3Server) -> None:
    year = year_build()
    _, version = published(year)
    url = reverse("reporting:version-pdf", kwargs={"org": year.buyer.slug, "pk": version.pk})
    client = signed_in(year.lead)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert pdf.startswith(b"%PDF-")
    version = ReportVersion.objects.get(pk=version.pk)
    key = f"media/{version.pdf.name}"
    assert version.pdf.name.startswith(f"reports/{year.buyer.pk}/")
    assert key in in_the_bucket.keys("media/reports/") and in_the_bucket.read(key) == pdf
    again = client.get(url)
    assert b"".join(again.streaming_content) == pdf  # type: ignore[attr-defined]


def test_an_overlapping_file_finds_its_duplicates_in_the_bucket_and_debris_there_is_removed(
    tenant_a: Tenant, in_the_bucket: S3Server, tmp_path: Path
) -> None:
    lines = DEVON_APRIL_2025.read_bytes().splitlines(keepends=True)
    bad = lines[1].replace(b"29/04/2025", b"31/02/2025")
    first = tmp_path / "first.csv"
    first.write_bytes(b"".join(lines[:21]) + bad)  # the header, 20 payments and one with no such date
    member = Member.system(tenant_a.buyer)
    earlier = spend_import_file(actor=tenant_a.manager, member=member, path=first)
    assert (earlier.status, earlier.rows_imported, earlier.rows_rejected) == (ImportStatus.SUCCEEDED, 20, 1)
    # The rejected rows are read from the bucket.
    assert [(line, raw) for line, _, raw in importing.rejects_read(earlier.rejects_path)] == [
        (22, bad.decode().strip())
    ]
    whole = spend_import_file(actor=tenant_a.manager, member=member, path=DEVON_APRIL_2025)
    assert (whole.rows_imported, whole.rows_duplicate, whole.total_amount) == (
        217,
        20,
        Decimal("2845421.21") - earlier.total_amount,
    )
    kept = [
        f"spend/{tenant_a.buyer.pk}/{spend_import.pk}/{name}"
        for spend_import in (earlier, whole)
        for name in ("payments.parquet", "rejects.parquet")
    ]
    assert in_the_bucket.keys("spend/") == sorted(kept)
    # The network figures read both files from the bucket: the whole month, once.
    (quarter,) = network_spend(organisations=[tenant_a.buyer], start=date(2025, 4, 1), end=date(2025, 6, 30))
    assert (quarter.organisation_id, quarter.quarter, quarter.total) == (
        tenant_a.buyer.pk,
        "2025Q2",
        Decimal("2845421.21"),
    )

    # A folder no import owns (its process died after keeping the files) is removed from the bucket, and so
    # is an upload no import waits for, once it is older than the heartbeat window.
    orphan = f"{tenant_a.buyer.pk}/{whole.pk + 1000}"
    upload = f"uploads/{tenant_a.buyer.pk}/{'f' * 32}.csv"
    for key in (f"spend/{orphan}/payments.parquet", f"spend/{upload}"):
        in_the_bucket.client().put_object(Bucket=in_the_bucket.bucket, Key=key, Body=b"x")
    assert spend_debris_remove() == [f"Removed {orphan} from the spend storage: no import owns it."]
    later = timezone.now() + timedelta(seconds=settings.SPEND_IMPORT_STALE_SECONDS + 60)
    assert spend_debris_remove(now=later) == [f"Removed {upload} from the spend storage: no import waits for it."]
    assert in_the_bucket.keys("spend/") == sorted(kept)


def test_a_spend_storage_on_another_disk_is_read_where_it_lies(
    tenant_a: Tenant, in_the_bucket: S3Server, tmp_path: Path
) -> None:
    """A `spend` storage on a disk other than SPEND_DATA_DIR (a mounted volume): files are kept there and
    DuckDB reads them in place."""
    volume = tmp_path / "volume"
    storages = {
        **in_the_bucket.storages(),
        "spend": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(volume)}},
    }
    with override_settings(STORAGES=storages):
        assert not files.is_local()
        spend_import = spend_import_file(
            actor=tenant_a.manager, member=Member.system(tenant_a.buyer), path=DEVON_APRIL_2025
        )
        assert (volume / spend_import.parquet_path).is_file() and (volume / spend_import.rejects_path).is_file()
        connection = duck.connect()
        source = duck.payments_sql(tenant_a.buyer, connection)
        assert str(volume) in source  # read_parquet of the files where they lie
        assert connection.execute(f"SELECT count(*), sum(amount) FROM {source}").fetchone() == (
            237,
            Decimal("2845421.21"),
        )
        connection.close()
    assert in_the_bucket.keys("spend/") == []
