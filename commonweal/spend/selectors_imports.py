"""Reads about spend imports; each takes the member it reads for (404 for anyone who may not read spend)."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from . import files, importing, reading
from .models import ImportStatus, SpendImport

SUMMARY_REJECTS = 100


def _check_reader(member: Member) -> None:
    permission_require(member, Permission.READ_PUBLIC_BODY)


def spend_import_list(*, member: Member) -> QuerySet[SpendImport]:
    _check_reader(member)
    return SpendImport.objects.filter(organisation=member.organisation).select_related("source", "created_by")


def spend_import_get(*, member: Member, pk: int) -> SpendImport:
    _check_reader(member)
    try:
        return spend_import_list(member=member).get(pk=pk)
    except SpendImport.DoesNotExist:
        raise Http404("No such import.") from None


@dataclass(frozen=True)
class Reject:
    line: int
    reason: str
    raw: str


def spend_import_rejects(*, member: Member, spend_import: SpendImport, limit: int | None = None) -> list[Reject]:
    """The import's rejected rows in line order (the first `limit`, or all)."""
    _check_reader(member)
    if spend_import.organisation_id != member.organisation.pk or not spend_import.rejects_path:
        return []
    if not files.exists(spend_import.rejects_path):
        return []
    rows = importing.rejects_read(spend_import.rejects_path, limit=limit)
    return [Reject(line, reason, raw) for line, reason, raw in rows]


def spend_import_preview(*, member: Member, spend_import: SpendImport) -> reading.Sniffed:
    """How the waiting upload is written: its header and first rows, for confirming the columns."""
    _check_reader(member)
    if spend_import.status != ImportStatus.AWAITING_MAPPING or not spend_import.upload_path:
        raise Http404("This import is not waiting for its columns.")
    with files.local_copy(spend_import.upload_path) as path:
        return reading.sniff(path, header_line=spend_import.header_line)
