"""Writes for `Idempotency-Key`: claim a key for one call, keep the answer it got, or let it go.

A key is a person's own (two people may use the same key). It is claimed by inserting its row: the
database's unique constraint lets one of two racing calls in and shows the other the row, so a retried
call never runs twice. A key is kept for `KEY_LIFETIME`; a claim whose call never finished (its process
ended) is taken over after `ABANDONED_AFTER`."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyRecord

KEY_LIFETIME = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=10)
KEY_MAX_LENGTH = 255


def request_digest(*, method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Claim:
    """What claiming a key found: `record` is ours to run (`new`), or an earlier call's."""

    record: IdempotencyRecord
    new: bool


def _stale(record: IdempotencyRecord) -> bool:
    age = timezone.now() - record.created_at
    return age >= KEY_LIFETIME or (record.status_code is None and age >= ABANDONED_AFTER)


def idempotency_claim(*, user_id: int, key: str, method: str, path: str, digest: str) -> Claim:
    """Claim `key` for this call, or find the call that claimed it first."""
    for _ in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user_id=user_id, key=key, method=method, path=path, request_digest=digest, created_at=timezone.now()
                )
            # The person's keys past their lifetime go as a new one comes, so the table stays small.
            IdempotencyRecord.objects.filter(user_id=user_id, created_at__lt=timezone.now() - KEY_LIFETIME).delete()
            return Claim(record=record, new=True)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
            if existing is None:
                continue  # released between our insert and our read: try again
            if not _stale(existing):
                return Claim(record=existing, new=False)
            # An expired key, or a claim whose call never finished: release it (only if unchanged) and retry.
            IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
    existing = IdempotencyRecord.objects.get(user_id=user_id, key=key)
    return Claim(record=existing, new=False)


def idempotency_store(
    *, record: IdempotencyRecord, status_code: int, content_type: str, location: str, body: bytes
) -> None:
    """Keep the answer the call got, to answer the same again."""
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=status_code, content_type=content_type[:200], location=location[:2000], body=body
    )


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Let the key go (the call failed in a way worth trying again)."""
    IdempotencyRecord.objects.filter(pk=record.pk).delete()
