"""Importing spend files: the CLI's synchronous import, and the web's upload → confirm columns → background run.

A file lands whole or not at all: its Parquet files are written first and the import is marked
succeeded (with its counts, in one transaction) only after; on any failure the files are removed and
the import is marked failed with the reason. The same bytes (sha256) are imported once per organisation.
"""

import shutil
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.core.recovery import is_stale, pause_point, process_tag
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import Permission, PermissionRefused, permission_require
from commonweal.tenancy.selectors import Member

from . import duck, files, importing, reading, services_suppliers
from .models import ImportStatus, SpendImport, SpendSource
from .rules import DEFAULT_SOURCE

Progress = Callable[[int, str], None]
AUDIT_FIELDS = [
    "original_name",
    "sha256",
    "status",
    "rows_read",
    "rows_imported",
    "rows_rejected",
    "rows_duplicate",
    "rows_redacted",
    "rows_blank",
    "total_amount",
    "warnings",
    "error",
]
UPLOAD_SUFFIXES = (".csv", ".txt", ".zip", ".xlsx")
# A file at least this large, of a size no earlier import of the organisation had (so it cannot be the
# same file), is hashed in a thread while the import is set up and DuckDB reads it: hashing 2.5 GB takes
# about 1.5 s, Trafford's 62 MB about 0.04 s (most of it beside the sniffing and database work).
PARALLEL_HASH_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Layout:
    """What a person says about how a file is written, over what would be detected."""

    encoding: str | None = None
    header_line: int | None = None  # the physical line of the header
    has_header: bool | None = None  # False: the file has no header, its first line is a payment


def _source(organisation: Organisation, name: str | None) -> SpendSource:
    source, _ = SpendSource.objects.get_or_create(
        organisation=organisation, name=(name or DEFAULT_SOURCE).strip()[:200]
    )
    return source


def _existing(organisation: Organisation, sha256: str) -> SpendImport | None:
    return (
        SpendImport.objects.filter(organisation=organisation, sha256=sha256).exclude(status=ImportStatus.FAILED).first()
    )


def _import_dir(spend_import: SpendImport) -> str:
    return f"{spend_import.organisation_id}/{spend_import.pk}"


def _remembered(source: SpendSource, sniffed: reading.Sniffed) -> dict[str, str] | None:
    """The source's confirmed mapping, if it was confirmed for this header and names every required column."""
    if source.column_mapping and source.header_signature == sniffed.signature:
        try:
            reading.mapping_positions(sniffed, source.column_mapping)
        except reading.ReadError:
            return None
        return dict(source.column_mapping)
    return None


def _sniff_again(spend_import: SpendImport, path: Path) -> reading.Sniffed:
    """The waiting upload as it was read when it arrived (its header where it was then found, or none)."""
    return reading.sniff(path, header_line=spend_import.header_line)


def _prepare(
    *, path: Path, sniffed: reading.Sniffed, mapping: dict[str, str], work: Path
) -> tuple[Path, reading.Sniffed, dict[str, int], importing.Expected, list[str]]:
    """The UTF-8 CSV DuckDB reads, how it is written, the columns' positions, its records counted apart from
    DuckDB, and warnings. One pass over the file's bytes counts its records and decides its encoding."""
    source, warnings = reading.extracted_csv(path, sniffed.kind, work)
    scanned = reading.scan(source, newline=sniffed.newline, delimiter=sniffed.delimiter)
    if scanned.unclosed_quote_record is not None:
        raise reading.ReadError(
            f'a quote (") opened in row {scanned.unclosed_quote_record} of the file (counting every line, the '
            "header and any title rows included) is never closed, so every line after it would be read as part "
            "of one value: nothing was imported. Correct the quote and import the file again."
        )
    encoding = sniffed.encoding if sniffed.encoding_given or sniffed.kind == "xlsx" else scanned.encoding
    if encoding != sniffed.encoding:
        warnings.append(
            f"The start of the file reads as {sniffed.encoding}, but the whole file is not: it was read as {encoding}."
        )
        sniffed = reading.sniff(path, encoding=encoding, header_line=sniffed.header_line)
    if scanned.nul_bytes:
        warnings.append(
            f"The file held {scanned.nul_bytes} NUL byte{'s' if scanned.nul_bytes != 1 else ''} (character 0), "
            "removed before it was read."
        )
    positions = reading.mapping_positions(sniffed, mapping)
    csv_path = reading.utf8_csv(source, encoding, strip_nul=scanned.nul_bytes > 0, workdir=work)
    expected = importing.Expected(
        records=scanned.records - sniffed.header_line, empty=scanned.empty - sniffed.preamble_empty
    )
    return csv_path, sniffed, positions, expected, warnings


def _remember(source: SpendSource, sniffed: reading.Sniffed, mapping: dict[str, str]) -> None:
    source.column_mapping = mapping
    source.header_signature = sniffed.signature
    source.save(update_fields=["column_mapping", "header_signature", "updated_at"])


def _progress_recorder(spend_import: SpendImport, progress: Progress | None) -> Progress:
    """Record each stage, and with it the heartbeat that tells a recovering process this import runs."""

    def record(percent: int, stage: str) -> None:
        SpendImport.objects.filter(pk=spend_import.pk).update(
            progress=percent, stage=stage[:100], heartbeat_at=timezone.now()
        )
        if progress is not None:
            progress(percent, stage)

    return record


def _execute(
    *,
    actor: User | None,
    member: Member,
    spend_import: SpendImport,
    path: Path,
    sniffed: reading.Sniffed,
    progress: Progress | None,
    hashing: Future[str] | None = None,
) -> SpendImport:
    """Run a SpendImport that is RUNNING to success, or to failure (files removed, ApplicationError raised).

    `hashing`, when given, is the file's SHA-256 still being worked out; the import's `sha256` is a
    placeholder until it is known, and the import fails if the same file was imported meanwhile."""
    record = _progress_recorder(spend_import, progress)
    relative = _import_dir(spend_import)
    folder = duck.spend_path(relative)
    work = folder / "work"
    try:
        work.mkdir(parents=True, exist_ok=True)
        record(5, "Preparing the file")
        csv_path, sniffed, positions, expected, warnings = _prepare(
            path=path, sniffed=sniffed, mapping=spend_import.column_mapping, work=work
        )
        pause_point("reading")  # the kill tests stop here: the file is read, its working copy written
        spend_import.encoding = sniffed.encoding
        spend_import.warnings = warnings
        prior = list(
            SpendImport.objects.filter(organisation_id=spend_import.organisation_id, status=ImportStatus.SUCCEEDED)
            .exclude(pk=spend_import.pk)
            .exclude(parquet_path="")
            .values_list("parquet_path", flat=True)
        )
        facts: dict[str, services_suppliers.KeyFacts] = {}

        def written(connection: duck.Connection) -> None:
            source = duck.parquet_list_sql([folder / "payments.parquet"])
            facts.update(services_suppliers.supplier_key_facts(connection, source))

        outcome = importing.import_run(
            csv_path=csv_path,
            sniffed=sniffed,
            positions=positions,
            import_id=spend_import.pk,
            parquet_path=folder / "payments.parquet",
            rejects_path=folder / "rejects.parquet",
            prior_paths=prior,
            progress=record,
            work=work,
            expected=expected,
            written=written,
        )
        shutil.rmtree(work, ignore_errors=True)
        # Kept in the spend storage (nothing to do on local disk) before the import is recorded as done.
        files.keep(f"{relative}/payments.parquet")
        files.keep(f"{relative}/rejects.parquet")
        if not files.is_local():
            shutil.rmtree(folder, ignore_errors=True)
        if hashing is not None:
            spend_import.sha256 = hashing.result()
            earlier = _existing(spend_import.organisation, spend_import.sha256)
            if earlier is not None and earlier.pk != spend_import.pk:
                raise ApplicationError(f"the same file was imported at the same time ({earlier.original_name}).")
        record(90, "Updating the supplier registry")
        with transaction.atomic():
            for name, value in vars(outcome).items():
                setattr(spend_import, name, value)
            spend_import.parquet_path = f"{relative}/payments.parquet"
            spend_import.rejects_path = f"{relative}/rejects.parquet"
            spend_import.status = ImportStatus.SUCCEEDED
            spend_import.progress = 100
            spend_import.stage = "Imported"
            spend_import.error = ""
            spend_import.finished_at = timezone.now()
            spend_import.save()
            services_suppliers.supplier_registry_update(
                actor=actor, member=member, spend_import=spend_import, facts=facts
            )
            pause_point("registry")  # the kill tests stop here: the registry updated, not yet committed
            audit_record(
                actor=actor,
                organisation=spend_import.organisation,
                action=AuditAction.SPEND_IMPORT_IMPORTED,
                target=spend_import,
                after=snapshot(spend_import, AUDIT_FIELDS),
            )
    except Exception as error:
        files.delete_folder(relative)
        if isinstance(error, IntegrityError):  # the same file, imported meanwhile, won the race
            error = ApplicationError("the same file was imported at the same time.")
        message = error.message if isinstance(error, ApplicationError) else _explain(error)
        if hashing is not None and hashing.done() and hashing.exception() is None:
            spend_import.sha256 = hashing.result()
        spend_import.status = ImportStatus.FAILED
        spend_import.error = message
        spend_import.stage = "Failed"
        spend_import.parquet_path = spend_import.rejects_path = ""
        spend_import.finished_at = timezone.now()
        SpendImport.objects.filter(pk=spend_import.pk).update(
            status=ImportStatus.FAILED,
            sha256=spend_import.sha256,
            error=message,
            stage="Failed",
            parquet_path="",
            rejects_path="",
            rows_read=0,
            rows_imported=0,
            rows_rejected=0,
            rows_duplicate=0,
            rows_redacted=0,
            rows_blank=0,
            total_amount=0,
            finished_at=spend_import.finished_at,
        )
        _failure_record(actor=actor, spend_import=spend_import, message=message)
        raise ApplicationError(f"{spend_import.original_name} was not imported: {message}") from error
    return spend_import


def _failure_record(*, actor: User | None, spend_import: SpendImport, message: str) -> None:
    audit_record(
        actor=actor,
        organisation=spend_import.organisation,
        action=AuditAction.SPEND_IMPORT_FAILED,
        target=spend_import,
        after={"original_name": spend_import.original_name, "error": message},
    )


def _explain(error: Exception) -> str:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"the file could not be read ({first_line[:300]})."


def spend_import_file(
    *,
    actor: User | None,
    member: Member,
    path: Path,
    source_name: str | None = None,
    progress: Progress | None = None,
    mapping: dict[str, str] | None = None,
    original_name: str | None = None,
    layout: Layout | None = None,
) -> SpendImport:
    """Import the file at `path` now. The same file again returns the earlier import and adds nothing.

    The columns are the source's remembered mapping when the header matches it, else those the
    synonyms table finds (remembered for the source if it has none yet). `mapping` gives some or all of
    them (the rest are found as before) and is remembered for the source. `layout` says what detection
    would otherwise decide: the encoding, the header's line, or that there is no header.
    A file whose payment date, amount or supplier column is not found is refused (`reading.MappingNeeded`)
    before anything is stored. The command line calls it as `Member.system(organisation)`."""
    permission_require(member, Permission.MANAGE_SPEND)
    organisation = member.organisation
    path = Path(path)
    if not path.is_file():
        raise ApplicationError(f"{path} is not a file.")
    size = path.stat().st_size
    maybe_seen = (
        SpendImport.objects.filter(organisation=organisation, size=size).exclude(status=ImportStatus.FAILED).exists()
    )
    if size < PARALLEL_HASH_BYTES or maybe_seen:
        return _import_new(
            actor=actor,
            member=member,
            path=path,
            size=size,
            sha256=reading.file_sha256(path),
            source_name=source_name,
            progress=progress,
            mapping=mapping,
            original_name=original_name,
            layout=layout,
        )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="spend-hash") as pool:
        hashing = pool.submit(reading.file_sha256, path)
        try:
            return _import_new(
                actor=actor,
                member=member,
                path=path,
                size=size,
                sha256=f"pending-{uuid.uuid4().hex}",
                hashing=hashing,
                source_name=source_name,
                progress=progress,
                mapping=mapping,
                original_name=original_name,
                layout=layout,
            )
        finally:
            hashing.cancel()


def _import_new(
    *,
    actor: User | None,
    member: Member,
    path: Path,
    size: int,
    sha256: str,
    source_name: str | None,
    progress: Progress | None,
    mapping: dict[str, str] | None,
    original_name: str | None,
    layout: Layout | None = None,
    hashing: Future[str] | None = None,
) -> SpendImport:
    organisation = member.organisation
    if hashing is None:
        existing = _existing(organisation, sha256)
        if existing is not None:
            return existing
    layout = layout or Layout()
    sniffed = reading.sniff(
        path,
        encoding=layout.encoding,
        header_line=0 if layout.has_header is False else layout.header_line,
        has_header=layout.has_header,
    )
    source = _source(organisation, source_name)
    remembered = _remembered(source, sniffed)
    if mapping:
        chosen = {**(remembered or reading.mapping_infer(sniffed)), **mapping}
        # A column chosen for one field is not also the guess for another.
        taken = {reading.header_key(header) for header in mapping.values()}
        chosen = {
            name: header
            for name, header in chosen.items()
            if name in mapping or reading.header_key(header) not in taken
        }
    else:
        chosen = remembered or reading.mapping_infer(sniffed)
    reading.mapping_positions(sniffed, chosen)
    try:
        with transaction.atomic():
            spend_import = SpendImport.objects.create(
                organisation=organisation,
                source=source,
                original_name=(original_name or path.name)[:255],
                sha256=sha256,
                size=size,
                status=ImportStatus.RUNNING,
                stage="Starting",
                encoding=sniffed.encoding,
                delimiter=sniffed.delimiter,
                header_line=sniffed.header_line,
                column_mapping=chosen,
                created_by=actor if actor is not None and actor.pk else None,
                started_at=timezone.now(),
                runner=process_tag(),
                heartbeat_at=timezone.now(),
            )
    except IntegrityError:
        raise ApplicationError(f"{path.name} is being imported already.") from None
    if mapping or not source.column_mapping:
        _remember(source, sniffed, chosen)
    return _execute(
        actor=actor,
        member=member,
        spend_import=spend_import,
        path=path,
        sniffed=sniffed,
        progress=progress,
        hashing=hashing,
    )


# --- The web: upload, confirm the columns, run in the background ------------------------------------


def _enqueue(spend_import: SpendImport) -> None:
    from .tasks import spend_import_task

    # After commit: the worker must find the import (and an import run inside the request's
    # transaction would share its fate).
    organisation_id, import_id, actor_id = spend_import.organisation_id, spend_import.pk, spend_import.created_by_id
    transaction.on_commit(
        lambda: spend_import_task.enqueue(organisation_id=organisation_id, import_id=import_id, actor_id=actor_id)
    )


def _store_upload(upload: UploadedFile, organisation: Organisation) -> tuple[str, str, int]:
    """Save the upload under a generated name; return (path relative to SPEND_DATA_DIR, sha256, size)."""
    import hashlib

    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        suffix = ".csv"
    relative = f"uploads/{organisation.pk}/{uuid.uuid4().hex}{suffix}"
    target = duck.spend_path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return relative, digest.hexdigest(), size


def _remove_upload(relative: str) -> None:
    """Remove an uploaded original from the spend storage, and its working copy."""
    files.delete(relative)


@transaction.atomic
def spend_upload_create(
    *, actor: User, member: Member, upload: UploadedFile, source_name: str, has_header: bool = True
) -> tuple[SpendImport, bool]:
    """Store an uploaded file and start its import: (the import, whether it is new).

    A source whose remembered columns match the file's header is queued at once; otherwise the import
    waits for a person to confirm the columns. A file the person says has no header always waits (its
    first line is a payment, never a header). The same file as an earlier import returns that one."""
    permission_require(member, Permission.MANAGE_SPEND)
    organisation = member.organisation
    relative, sha256, size = _store_upload(upload, organisation)
    try:
        existing = _existing(organisation, sha256)
        if existing is not None:
            _remove_upload(relative)
            return existing, False
        sniffed = reading.sniff(duck.spend_path(relative), header_line=None if has_header else 0)
        files.keep(relative)  # the original, in the spend storage until its import has run
        source = _source(organisation, source_name)
        remembered = _remembered(source, sniffed) if sniffed.has_header else None
        spend_import = SpendImport.objects.create(
            organisation=organisation,
            source=source,
            original_name=Path(upload.name or "upload").name[:255],
            sha256=sha256,
            size=size,
            upload_path=relative,
            status=ImportStatus.QUEUED if remembered else ImportStatus.AWAITING_MAPPING,
            stage="Queued" if remembered else "Waiting for the columns to be confirmed",
            encoding=sniffed.encoding,
            delimiter=sniffed.delimiter,
            header_line=sniffed.header_line,
            column_mapping=remembered or reading.mapping_infer(sniffed),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            organisation=organisation,
            action=AuditAction.SPEND_IMPORT_UPLOADED,
            target=spend_import,
            after=snapshot(spend_import, ["original_name", "sha256", "size", "status"]),
        )
    except BaseException:
        _remove_upload(relative)
        raise
    if remembered:
        _enqueue(spend_import)
    return spend_import, True


@transaction.atomic
def spend_import_mapping_confirm(
    *, actor: User, member: Member, spend_import: SpendImport, mapping: dict[str, str]
) -> SpendImport:
    """Confirm which column holds what, remember it for the source, and queue the import."""
    permission_require(member, Permission.MANAGE_SPEND)
    if spend_import.organisation_id != member.organisation.pk:
        raise PermissionRefused("No such import.")
    if spend_import.status != ImportStatus.AWAITING_MAPPING:
        raise ApplicationError("The columns of this import have been confirmed already.")
    with files.local_copy(spend_import.upload_path) as path:
        sniffed = _sniff_again(spend_import, path)
    clean = {name: header for name, header in mapping.items() if header and name in reading.MAPPING_FIELDS}
    reading.mapping_positions(sniffed, clean)
    before = snapshot(spend_import, ["status", "column_mapping"])
    spend_import.column_mapping = clean
    spend_import.status = ImportStatus.QUEUED
    spend_import.stage = "Queued"
    spend_import.save(update_fields=["column_mapping", "status", "stage", "updated_at"])
    if spend_import.source is not None:
        _remember(spend_import.source, sniffed, clean)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.SPEND_IMPORT_MAPPING_CONFIRMED,
        target=spend_import,
        before=before,
        after=snapshot(spend_import, ["status", "column_mapping"]),
    )
    _enqueue(spend_import)
    return spend_import


def spend_import_run(*, actor: User | None, member: Member, import_id: int) -> SpendImport | None:
    """Run a queued import of `member`'s organisation (the background task, acting as
    `Member.system(organisation)` for whoever uploaded the file, `actor`). The uploaded file is removed
    once it has run."""
    permission_require(member, Permission.MANAGE_SPEND)
    owner = SpendImport.objects.filter(pk=import_id).values_list("organisation_id", flat=True).first()
    if owner is not None and owner != member.organisation.pk:
        raise PermissionRefused("No such import.")
    claimed = SpendImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        stage="Starting",
        progress=1,
        runner=process_tag(),
        heartbeat_at=timezone.now(),
    )
    if not claimed:
        return None  # run already, or never confirmed
    spend_import = SpendImport.objects.select_related("organisation", "created_by").get(pk=import_id)
    upload = spend_import.upload_path
    try:
        path = files.fetch(upload)  # a working copy when the storage is a bucket
        sniffed = _sniff_again(spend_import, path)
        reading.mapping_positions(sniffed, spend_import.column_mapping)
        return _execute(
            actor=actor,
            member=member,
            spend_import=spend_import,
            path=path,
            sniffed=sniffed,
            progress=None,
        )
    except Exception as error:
        if spend_import.status != ImportStatus.FAILED:  # failed before any row was read
            message = error.message if isinstance(error, ApplicationError) else _explain(error)
            SpendImport.objects.filter(pk=import_id).update(
                status=ImportStatus.FAILED, error=message, stage="Failed", finished_at=timezone.now()
            )
            _failure_record(actor=actor, spend_import=spend_import, message=message)
        spend_import.refresh_from_db()
        return spend_import
    finally:
        _remove_upload(upload)
        SpendImport.objects.filter(pk=import_id).update(upload_path="")


# --- Recovering imports that stopped half way (commonweal/core/recovery.py) ---------------------------


def spend_import_is_stale(spend_import: SpendImport, *, now: datetime | None = None) -> bool:
    """A running import whose process has ended, or has not beaten its heartbeat for the window."""
    return spend_import.status == ImportStatus.RUNNING and is_stale(
        tag=spend_import.runner,
        heartbeat_at=spend_import.heartbeat_at or spend_import.started_at,
        now=now or timezone.now(),
        window=timedelta(seconds=settings.SPEND_IMPORT_STALE_SECONDS),
    )


def _stopped_reason(spend_import: SpendImport) -> str:
    stage = (spend_import.stage or "starting").lower()
    return (
        f"the import stopped before it finished (while {stage}): the process running it ended. "
        "Nothing from it was kept."
    )


def _debris_remove(spend_import: SpendImport) -> None:
    """The import's half-written Parquet files and working copies."""
    files.delete_folder(_import_dir(spend_import))


def _requeue(*, actor: User | None, spend_import: SpendImport, reason: str) -> None:
    before = snapshot(spend_import, ["status", "stage", "error"])
    spend_import.status = ImportStatus.QUEUED
    spend_import.stage = "Queued again"
    spend_import.error = reason
    spend_import.progress = 0
    spend_import.runner = ""
    spend_import.heartbeat_at = None
    spend_import.save(update_fields=["status", "stage", "error", "progress", "runner", "heartbeat_at", "attempts"])
    audit_record(
        actor=actor,
        organisation=spend_import.organisation,
        action=AuditAction.SPEND_IMPORT_REQUEUED,
        target=spend_import,
        before=before,
        after=snapshot(spend_import, ["status", "stage", "error"]),
    )
    _enqueue(spend_import)


def _fail(*, actor: User | None, spend_import: SpendImport, message: str, action: AuditAction) -> None:
    spend_import.status = ImportStatus.FAILED
    spend_import.stage = "Failed"
    spend_import.error = message
    spend_import.parquet_path = spend_import.rejects_path = ""
    spend_import.finished_at = timezone.now()
    spend_import.save(
        update_fields=["status", "stage", "error", "parquet_path", "rejects_path", "finished_at", "upload_path"]
    )
    audit_record(
        actor=actor,
        organisation=spend_import.organisation,
        action=action,
        target=spend_import,
        after={"original_name": spend_import.original_name, "error": message},
    )


def _upload_waiting(spend_import: SpendImport) -> bool:
    return files.exists(spend_import.upload_path)


def spend_imports_recover() -> list[str]:
    """Put right every stale import: its debris removed, then queued again when its uploaded file is still
    there (at most `TASK_RETRIES_MAX` times), else failed with the reason (a command-line import is run
    again by its command). Then remove Parquet folders and uploads no import owns. One line per import."""
    lines = []
    for candidate in SpendImport.objects.filter(status=ImportStatus.RUNNING).select_related("organisation"):
        if not spend_import_is_stale(candidate):
            continue
        with transaction.atomic():
            spend_import = (
                SpendImport.objects.select_for_update().filter(pk=candidate.pk, status=ImportStatus.RUNNING).first()
            )
            if spend_import is None or not spend_import_is_stale(spend_import):
                continue
            _debris_remove(spend_import)
            reason = _stopped_reason(spend_import)
            if _upload_waiting(spend_import) and spend_import.attempts < settings.TASK_RETRIES_MAX:
                spend_import.attempts += 1
                _requeue(actor=None, spend_import=spend_import, reason=reason + " It was queued again.")
                lines.append(f"Spend import {spend_import.pk} ({spend_import.original_name}) stopped: queued again.")
            else:
                _fail(actor=None, spend_import=spend_import, message=reason, action=AuditAction.SPEND_IMPORT_FAILED)
                lines.append(f"Spend import {spend_import.pk} ({spend_import.original_name}) stopped: failed.")
    lines.extend(spend_debris_remove())
    return lines


def spend_debris_remove(*, now: datetime | None = None) -> list[str]:
    """Remove import folders (<organisation>/<import>/, in SPEND_DATA_DIR and in the spend storage) of
    imports that are not running and did not succeed, and uploads no import points at that are older than
    the heartbeat window (an upload is written a moment before its import is recorded)."""
    kept = set(
        SpendImport.objects.filter(status__in=[ImportStatus.RUNNING, ImportStatus.SUCCEEDED]).values_list(
            "organisation_id", "pk"
        )
    )
    lines = []
    for organisation_id, import_id in files.stored_folders():
        if (organisation_id, import_id) not in kept:
            files.delete_folder(f"{organisation_id}/{import_id}")
            lines.append(f"Removed {organisation_id}/{import_id} from the spend storage: no import owns it.")
    waiting = set(SpendImport.objects.exclude(upload_path="").values_list("upload_path", flat=True))
    old = (now or timezone.now()).timestamp() - settings.SPEND_IMPORT_STALE_SECONDS
    for relative, modified in files.stored_uploads():
        if relative not in waiting and modified < old:
            files.delete(relative)
            lines.append(f"Removed {relative} from the spend storage: no import waits for it.")
    root = duck.data_dir()
    if not root.is_dir():
        return lines
    for folder in root.glob("[0-9]*/[0-9]*"):
        if folder.is_dir() and folder.parent.name.isdigit() and folder.name.isdigit():
            if (int(folder.parent.name), int(folder.name)) not in kept:
                shutil.rmtree(folder, ignore_errors=True)
                lines.append(f"Removed {folder.relative_to(root)}: no import owns it.")
    for upload in root.glob("uploads/*/*"):
        relative = str(upload.relative_to(root))
        if upload.is_file() and relative not in waiting and upload.stat().st_mtime < old:
            upload.unlink(missing_ok=True)
            lines.append(f"Removed {relative}: no import waits for it.")
    for temporary in root.glob("tmp/**/*"):  # DuckDB's spill files of processes that ended
        if temporary.is_file() and temporary.stat().st_mtime < old:
            temporary.unlink(missing_ok=True)
            lines.append(f"Removed {temporary.relative_to(root)}: a temporary file left behind.")
    return lines


def _own(member: Member, spend_import: SpendImport) -> SpendImport:
    permission_require(member, Permission.MANAGE_SPEND)
    if spend_import.organisation_id != member.organisation.pk:
        raise PermissionRefused("No such import.")
    locked = SpendImport.objects.select_for_update().select_related("organisation").get(pk=spend_import.pk)
    return locked


@transaction.atomic
def spend_import_retry(*, actor: User, member: Member, spend_import: SpendImport) -> SpendImport:
    """Queue again an import that stopped (or failed) while its uploaded file is still kept."""
    spend_import = _own(member, spend_import)
    stopped = spend_import_is_stale(spend_import)
    if not (stopped or spend_import.status == ImportStatus.FAILED):
        raise ApplicationError("Only an import that stopped or failed can be tried again.")
    if not _upload_waiting(spend_import):
        raise ApplicationError("The uploaded file is no longer kept: upload it again.")
    transaction.on_commit(lambda: _debris_remove(spend_import))
    reason = _stopped_reason(spend_import) if stopped else spend_import.error
    _requeue(
        actor=actor, spend_import=spend_import, reason=f"Tried again by {actor.full_name or actor.email}: {reason}"
    )
    return spend_import


@transaction.atomic
def spend_import_cancel(*, actor: User, member: Member, spend_import: SpendImport) -> SpendImport:
    """Stop an import that is waiting, queued or stopped (or discard a failed one's kept upload): it is
    failed as cancelled, and its files are removed. A running import that still beats is not cancelled."""
    spend_import = _own(member, spend_import)
    waiting = spend_import.status in (ImportStatus.QUEUED, ImportStatus.AWAITING_MAPPING)
    failed_with_upload = spend_import.status == ImportStatus.FAILED and bool(spend_import.upload_path)
    if not (waiting or failed_with_upload or spend_import_is_stale(spend_import)):
        raise ApplicationError("This import cannot be cancelled: it is running, or it has finished.")
    # The files go once the cancellation is committed (a rolled-back one keeps them).
    upload = spend_import.upload_path

    def files_remove() -> None:
        _debris_remove(spend_import)
        _remove_upload(upload)

    transaction.on_commit(files_remove)
    spend_import.upload_path = ""
    message = f"cancelled by {actor.full_name or actor.email}."
    _fail(actor=actor, spend_import=spend_import, message=message, action=AuditAction.SPEND_IMPORT_CANCELLED)
    return spend_import
