"""Recovering what stopped half way, in one process: a stopped spend import is shown as stopped, a person
can retry or cancel it from its page, the recovery queues it again or fails it with its reason, and a
queued task whose worker ended is failed and queued again (a few times at most)."""

import socket
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from commonweal.accounts.models import User
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.core.recovery import process_ended, process_tag
from commonweal.core.services_tasks import WORKER_LOST, task_results_recover
from commonweal.spend import duck, services_imports
from commonweal.spend.models import ImportStatus, SpendImport
from commonweal.tenancy.permissions import member_require

from .conftest import Tenant, make_tenant
from .spend_import_support import spend_manager

DEAD = f"{socket.gethostname()}:4194303"  # above any pid this kernel hands out (pid_max is at most 2^22)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def lead_of(spend_import: SpendImport) -> User:
    assert spend_import.created_by is not None
    return spend_import.created_by


def stopped_import(tenant: Tenant, *, runner: str = DEAD, stage: str = "Writing the payments") -> SpendImport:
    """An uploaded import a worker claimed and then died running: its upload and a half-written folder."""
    lead = spend_manager(tenant.buyer)
    spend_import, _ = services_imports.spend_upload_create(
        actor=lead,
        member=member_require(user=lead, slug=tenant.buyer.slug),
        upload=SimpleUploadedFile("april.csv", b"Paid Date,Supplier Name,Amount\n01/04/2024,A Ltd,100\n"),
        source_name="Payments",
    )
    SpendImport.objects.filter(pk=spend_import.pk).update(
        status=ImportStatus.RUNNING, runner=runner, heartbeat_at=timezone.now(), stage=stage
    )
    folder = duck.spend_path(f"{spend_import.organisation_id}/{spend_import.pk}")
    folder.mkdir(parents=True, exist_ok=True)  # ids come again after a rollback
    (folder / "payments.parquet").write_bytes(b"PAR1 half written")
    spend_import.refresh_from_db()
    return spend_import


def test_a_process_that_ended_is_told_from_one_that_runs() -> None:
    assert process_ended(DEAD)
    assert not process_ended(process_tag())
    assert not process_ended("another-host.example:1")  # elsewhere: only the heartbeat can tell


def test_the_import_page_shows_a_stopped_import_with_retry_and_cancel_and_writes_nothing(
    tenant_a: Tenant, client: Client
) -> None:
    spend_import = stopped_import(tenant_a)
    client.force_login(lead_of(spend_import))
    url = reverse("spend:import-detail", kwargs={"org": tenant_a.buyer.slug, "pk": spend_import.pk})
    page = client.get(url)
    text = page.content.decode()
    assert "This import has stopped: the process running it ended while writing the payments." in text
    assert "Try the import again" in text and "Cancel the import" in text
    assert "Refresh" not in page  # a stopped import does not reload itself
    assert SpendImport.objects.get(pk=spend_import.pk).status == ImportStatus.RUNNING  # GET wrote nothing


def test_retry_from_the_page_queues_it_again_without_its_debris(
    tenant_a: Tenant, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    spend_import = stopped_import(tenant_a)
    client.force_login(lead_of(spend_import))
    kwargs = {"org": tenant_a.buyer.slug, "pk": spend_import.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("spend:import-retry", kwargs=kwargs))
    assert response.status_code == 302
    spend_import.refresh_from_db()
    # Queued again, its half-written folder removed, and (the test's tasks run at once) imported whole.
    assert (spend_import.status, spend_import.rows_imported, spend_import.total_amount) == (
        ImportStatus.SUCCEEDED,
        1,
        100,
    )
    parquet = duck.spend_path(spend_import.parquet_path)
    assert parquet.read_bytes() != b"PAR1 half written"
    assert spend_import.upload_path == ""
    assert AuditEvent.objects.filter(action=AuditAction.SPEND_IMPORT_REQUEUED, actor=lead_of(spend_import)).count() == 1


def test_cancel_from_the_page_fails_it_and_removes_its_files(
    tenant_a: Tenant, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    spend_import = stopped_import(tenant_a)
    upload = duck.spend_path(spend_import.upload_path)
    client.force_login(lead_of(spend_import))
    kwargs = {"org": tenant_a.buyer.slug, "pk": spend_import.pk}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("spend:import-cancel", kwargs=kwargs))
    spend_import.refresh_from_db()
    assert (spend_import.status, spend_import.error) == (
        ImportStatus.FAILED,
        f"cancelled by {lead_of(spend_import).full_name}.",
    )
    assert not upload.exists()
    assert not duck.spend_path(f"{spend_import.organisation_id}/{spend_import.pk}").exists()
    assert AuditEvent.objects.filter(action=AuditAction.SPEND_IMPORT_CANCELLED).count() == 1
    page = client.get(reverse("spend:import-detail", kwargs=kwargs)).content.decode()
    assert "Try the import again" not in page and "Cancel the import" not in page


def test_a_running_import_that_still_beats_is_neither_retried_nor_cancelled(tenant_a: Tenant, client: Client) -> None:
    spend_import = stopped_import(tenant_a, runner=process_tag())
    client.force_login(lead_of(spend_import))
    kwargs = {"org": tenant_a.buyer.slug, "pk": spend_import.pk}
    for name in ("spend:import-retry", "spend:import-cancel"):
        page = client.post(reverse(name, kwargs=kwargs), follow=True).content.decode()
        assert "cannot be cancelled" in page or "Only an import that stopped or failed" in page
    assert SpendImport.objects.get(pk=spend_import.pk).status == ImportStatus.RUNNING
    assert not [line for line in services_imports.spend_imports_recover() if line.startswith("Spend import")]


def test_a_supplier_cannot_retry_or_cancel(tenant_a: Tenant, client: Client) -> None:
    spend_import = stopped_import(tenant_a)
    client.force_login(tenant_a.supplier_user)
    response = client.post(
        reverse("spend:import-cancel", kwargs={"org": tenant_a.supplier.slug, "pk": spend_import.pk})
    )
    assert response.status_code == 404
    assert SpendImport.objects.get(pk=spend_import.pk).status == ImportStatus.RUNNING


@override_settings(TASK_RETRIES_MAX=2)
def test_recovery_queues_a_stopped_upload_again_twice_then_fails_it_with_the_reason(tenant_a: Tenant) -> None:
    spend_import = stopped_import(tenant_a, stage="Reading the file")
    for attempt in (1, 2):
        lines = services_imports.spend_imports_recover()
        assert f"Spend import {spend_import.pk} (april.csv) stopped: queued again." in lines
        spend_import.refresh_from_db()
        assert (spend_import.status, spend_import.attempts) == (ImportStatus.QUEUED, attempt)
        SpendImport.objects.filter(pk=spend_import.pk).update(
            status=ImportStatus.RUNNING, runner=DEAD, stage="Reading the file"
        )
    assert f"Spend import {spend_import.pk} (april.csv) stopped: failed." in services_imports.spend_imports_recover()
    spend_import.refresh_from_db()
    assert spend_import.status == ImportStatus.FAILED
    assert spend_import.error == (
        "the import stopped before it finished (while reading the file): the process running it ended. "
        "Nothing from it was kept."
    )


@override_settings(SPEND_IMPORT_STALE_SECONDS=60)
def test_an_import_on_another_machine_is_stale_only_when_its_heartbeat_stops(tenant_a: Tenant) -> None:
    spend_import = stopped_import(tenant_a, runner="worker-2.example:1234")
    assert not services_imports.spend_import_is_stale(spend_import)
    later = timezone.now() + timedelta(seconds=61)
    assert services_imports.spend_import_is_stale(spend_import, now=later)


def _running_task(worker: str) -> DBTaskResult:
    from commonweal.accounts.tasks import email_send

    result = email_send.enqueue(to="lead@example.org", subject="Hello", body="Text")
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker)
    return row


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS, TASK_RETRIES_MAX=1)
def test_a_task_whose_worker_ended_is_failed_and_queued_again_once(tenant_a: Tenant) -> None:
    lost = _running_task(f"{DEAD}:abc")
    alive = _running_task(f"{process_tag()}:def")
    (line,) = task_results_recover()
    assert line == f"Task email_send ({lost.pk}) lost its worker: queued again."
    lost.refresh_from_db()
    assert (lost.status, lost.exception_class_path) == ("FAILED", WORKER_LOST)
    assert DBTaskResult.objects.get(pk=alive.pk).status == "RUNNING"
    (again,) = DBTaskResult.objects.filter(status="READY")
    assert again.args_kwargs == lost.args_kwargs
    # Lost a second time: failed for good.
    again.claim(f"{DEAD}:ghi")
    assert task_results_recover() == [f"Task email_send ({again.pk}) lost its worker too often: failed."]
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_recovery_retry_and_cancel_committed() -> None:
    """The locks of the recovery, the retry and the cancel are taken inside their own transactions."""
    tenant = make_tenant("A")
    queued_again = stopped_import(tenant)
    assert f"Spend import {queued_again.pk} (april.csv) stopped: queued again." in (
        services_imports.spend_imports_recover()
    )
    queued_again.refresh_from_db()
    assert queued_again.status == ImportStatus.QUEUED
    lead = lead_of(queued_again)
    member = member_require(user=lead, slug=tenant.buyer.slug)
    SpendImport.objects.filter(pk=queued_again.pk).update(status=ImportStatus.RUNNING, runner=DEAD)
    services_imports.spend_import_retry(actor=lead, member=member, spend_import=queued_again)
    cancelled = services_imports.spend_import_cancel(actor=lead, member=member, spend_import=queued_again)
    assert (cancelled.status, cancelled.upload_path) == (ImportStatus.FAILED, "")
