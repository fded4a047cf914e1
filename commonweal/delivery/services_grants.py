"""360Giving grants in and out (docs/grants-360giving.md): importing grant data as agreements of kind
grant, and exporting a public body's grant agreements as a 360Giving package.

An import is atomic and idempotent: every grant of every file is read and checked against the 360Giving
1.4.3 schema first, and if any is rejected nothing is written (each rejection names its file, line or row
and reason); a grant is matched by its identifier, so importing the same files again changes nothing.
"""

import calendar
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.frameworks.models import FrameworkVersion, VersionStatus
from commonweal.spend.classification import charity_number_clean, company_number_clean
from commonweal.tenancy.models import Organisation, OrganisationKind
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from . import grants360
from .models import Agreement, AgreementKind, Grant
from .services_agreements import agreement_create, agreement_update

REFERENCE_MAX = 60
GRANT_FIELDS = [
    "description",
    "award_date",
    "duration_months",
    "programme_code",
    "programme_title",
    "location_codes",
    "recipient_identifier",
    "funder_identifier",
    "funder_name",
]
RECIPIENT_KINDS = (OrganisationKind.SUPPLIER, OrganisationKind.COMMUNITY)
DEFAULT_PREFIX = "360G-commonweal"


@dataclass
class GrantsImportSummary:
    files_read: int = 0
    grants_read: int = 0
    grants_created: int = 0
    grants_updated: int = 0
    grants_unchanged: int = 0
    recipients_created: int = 0
    amount: Decimal = Decimal("0.00")  # the total awarded of the grants read (imported only when nothing is rejected)
    rejected: list[grants360.GrantRejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.grants_created or self.grants_updated or self.recipients_created)

    def rows(self) -> list[tuple[str, Any]]:
        return [
            ("Files read", self.files_read),
            ("Grants read", self.grants_read),
            ("Grants created", self.grants_created),
            ("Grants updated", self.grants_updated),
            ("Grants unchanged", self.grants_unchanged),
            ("Recipients created", self.recipients_created),
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "files_read": self.files_read,
            "grants_read": self.grants_read,
            "grants_created": self.grants_created,
            "grants_updated": self.grants_updated,
            "grants_unchanged": self.grants_unchanged,
            "recipients_created": self.recipients_created,
            "amount": str(self.amount),
            "changed": self.changed,
            "rejected": [
                {"file": r.file, "where": r.where, "identifier": r.identifier, "reason": r.reason}
                for r in self.rejected
            ],
            "notes": self.notes,
        }


class _Refused(Exception):
    def __init__(self, grant: grants360.Grant, file: str, reason: str) -> None:
        super().__init__(reason)
        self.rejection = grants360.GrantRejection(file, grant.where, grant.identifier, reason)


def grant_reference(identifier: str) -> str:
    """The agreement reference of a grant: its identifier, shortened (keeping it unique) if long."""
    if len(identifier) <= REFERENCE_MAX:
        return identifier
    return f"{identifier[: REFERENCE_MAX - 9]}-{hashlib.sha256(identifier.encode()).hexdigest()[:8]}"


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def grant_dates(grant: grants360.Grant) -> tuple[date, date]:
    """The agreement's dates: the planned dates; else from the planned start (or the award date) for the
    planned duration, ending the day before; else the award date alone."""
    start = grant.planned_start or grant.award_date
    if grant.planned_end is not None and grant.planned_end >= start:
        return start, grant.planned_end
    if grant.duration_months:
        return start, _add_months(start, grant.duration_months) - timedelta(days=1)
    return start, start


def _slug_unique(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "organisation"
    slug, number = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _recipient(actor: User | None, grant: grants360.Grant, counts: GrantsImportSummary) -> Organisation:
    """By charity number, then Companies House number, then the published identifier; else a new
    community organisation (a VCSE: it received a grant)."""
    candidates = Organisation.objects.filter(kind__in=RECIPIENT_KINDS).order_by("pk")
    charity = charity_number_clean(grant.charity_number)
    company = company_number_clean(grant.company_number)
    found = None
    if charity:
        found = candidates.filter(charity_number=charity).first()
    if found is None and company:
        found = candidates.filter(companies_house_number=company).first()
    if found is None and grant.recipient_identifier:
        found = candidates.filter(org_identifier=grant.recipient_identifier).first()
    if found is not None:
        if grant.recipient_identifier and not found.org_identifier:
            found.org_identifier = grant.recipient_identifier[:200]
            found.save(update_fields=["org_identifier", "updated_at"])
        return found
    organisation = Organisation.objects.create(
        name=grant.recipient_name[:200],
        slug=_slug_unique(grant.recipient_name),
        kind=OrganisationKind.COMMUNITY,
        charity_number=charity,
        companies_house_number=company,
        org_identifier=grant.recipient_identifier[:200],
        is_vcse=True,
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.ORGANISATION_IMPORTED_FROM_360GIVING,
        target=organisation,
        after=snapshot(organisation, ["name", "slug", "kind", "charity_number", "companies_house_number"])
        | {"org_identifier": organisation.org_identifier, "grant": grant.identifier},
    )
    counts.recipients_created += 1
    return organisation


def _grant_values(grant: grants360.Grant) -> dict[str, Any]:
    return {
        "description": grant.description,
        "award_date": grant.award_date,
        "duration_months": grant.duration_months,
        "programme_code": grant.programme_code[:100],
        "programme_title": grant.programme_title[:300],
        "location_codes": list(grant.location_codes),
        "recipient_identifier": grant.recipient_identifier[:200],
        "funder_identifier": grant.funder_identifier[:200],
        "funder_name": grant.funder_name[:300],
    }


def _framework_version(organisation: Organisation) -> FrameworkVersion:
    version = (
        FrameworkVersion.objects.filter(organisation=organisation, status=VersionStatus.PUBLISHED)
        .order_by("-published_at", "-pk")
        .first()
    )
    if version is None:
        raise ApplicationError(
            f"{organisation.name} has no published framework: grant agreements need one, so publish a framework "
            "first. Nothing was imported."
        )
    return version


def _grant_write(
    *,
    actor: User | None,
    member: Member,
    file: str,
    grant: grants360.Grant,
    version: FrameworkVersion,
    counts: GrantsImportSummary,
) -> None:
    organisation = member.organisation
    start, end = grant_dates(grant)
    existing = Grant.objects.filter(organisation=organisation, identifier=grant.identifier).select_related("agreement")
    row = existing.first()
    recipient = _recipient(actor, grant, counts)
    values = _grant_values(grant)
    try:
        if row is None:
            agreement = agreement_create(
                actor=actor,
                member=member,
                supplier=recipient,
                reference=grant_reference(grant.identifier),
                title=grant.title[:300],
                value=grant.amount,
                start_date=start,
                end_date=end,
                framework_version=version,
                kind=AgreementKind.GRANT,
            )
            row = Grant.objects.create(
                organisation=organisation, agreement=agreement, identifier=grant.identifier, **values
            )
            audit_record(
                actor=actor,
                organisation=organisation,
                action=AuditAction.GRANT_IMPORTED,
                target=row,
                trail=agreement,
                after={**snapshot(row, GRANT_FIELDS), "identifier": grant.identifier, "file": file},
            )
            counts.grants_created += 1
            return
        agreement = row.agreement
        changes = {
            name: value
            for name, value in {
                "supplier": recipient,
                "title": grant.title[:300],
                "value": grant.amount,
                "start_date": start,
                "end_date": end,
            }.items()
            if getattr(agreement, name) != value
        }
        before = snapshot(row, GRANT_FIELDS)
        for name, value in values.items():
            setattr(row, name, value)
        after = snapshot(row, GRANT_FIELDS)
        if not changes and after == before:
            counts.grants_unchanged += 1
            return
        if changes:
            agreement_update(actor=actor, member=member, agreement=agreement, **changes)
        if after != before:
            row.save()
        audit_record(
            actor=actor,
            organisation=organisation,
            action=AuditAction.GRANT_UPDATED_FROM_360GIVING,
            target=row,
            trail=agreement,
            before=before,
            after={**after, "changed": sorted(changes), "file": file},
        )
        counts.grants_updated += 1
    except ApplicationError as error:
        raise _Refused(grant, file, error.message) from None


def grants_import(*, actor: User | None, member: Member, files: Sequence[tuple[str, bytes]]) -> GrantsImportSummary:
    """Import 360Giving files, each (name, content), as the member's organisation's grant agreements:
    all or nothing (see the module docs). An ApplicationError when the organisation cannot hold grants."""
    permission_require(member, Permission.MANAGE_CONTRACTS)
    summary = GrantsImportSummary(files_read=len(files))
    reads = [grants360.grants_read(content, file=name) for name, content in files]
    seen: dict[str, str] = {}
    for read in reads:
        summary.rejected.extend(read.rejections)
        summary.notes.extend(read.notes)
        for grant in read.grants:
            summary.grants_read += 1
            summary.amount += grant.amount
            if grant.identifier in seen:
                summary.rejected.append(
                    grants360.GrantRejection(
                        read.file, grant.where, grant.identifier, f"repeats the identifier of {seen[grant.identifier]}"
                    )
                )
            seen.setdefault(grant.identifier, f"{read.file}, {grant.where}")
    summary.grants_read += sum(1 for r in summary.rejected if r.where and "repeats the identifier" not in r.reason)
    if summary.rejected:
        return summary
    version = _framework_version(member.organisation)
    counts = GrantsImportSummary()
    try:
        with transaction.atomic():
            for read in reads:
                for grant in read.grants:
                    _grant_write(
                        actor=actor, member=member, file=read.file, grant=grant, version=version, counts=counts
                    )
    except _Refused as refused:
        summary.rejected.append(refused.rejection)
        return summary
    summary.grants_created = counts.grants_created
    summary.grants_updated = counts.grants_updated
    summary.grants_unchanged = counts.grants_unchanged
    summary.recipients_created = counts.recipients_created
    return summary


# --- Export ------------------------------------------------------------------------------------------


def grant_prefix() -> str:
    """The 360Giving identifier prefix for grants made here (a funder registers its own with 360Giving)."""
    return str(getattr(settings, "GRANT_ID_PREFIX", "") or DEFAULT_PREFIX)


def _org_id(organisation: Organisation) -> str:
    if organisation.org_identifier:
        return organisation.org_identifier
    if organisation.charity_number:
        return f"GB-CHC-{organisation.charity_number}"
    if organisation.companies_house_number:
        return f"GB-COH-{organisation.companies_house_number}"
    return f"{grant_prefix()}-org-{organisation.slug}"


def grants_export_data(*, member: Member) -> list[grants360.GrantOut]:
    """The organisation's grant agreements, imported or made here, oldest award first."""
    permission_require(member, Permission.READ_PUBLIC_BODY)
    organisation = member.organisation
    agreements = (
        Agreement.objects.filter(organisation=organisation, kind=AgreementKind.GRANT)
        .select_related("supplier")
        .order_by("start_date", "reference")
    )
    details = {row.agreement_id: row for row in Grant.objects.filter(organisation=organisation)}
    out = []
    for agreement in agreements:
        detail = details.get(agreement.pk)
        recipient = agreement.supplier
        out.append(
            grants360.GrantOut(
                identifier=detail.identifier
                if detail
                else f"{grant_prefix()}-{organisation.slug}-{agreement.reference}",
                title=agreement.title,
                description=detail.description if detail and detail.description else agreement.title,
                amount=agreement.value,
                award_date=detail.award_date if detail else agreement.start_date,
                start_date=agreement.start_date,
                end_date=agreement.end_date,
                duration_months=detail.duration_months if detail else None,
                recipient_identifier=(detail.recipient_identifier if detail else "") or _org_id(recipient),
                recipient_name=recipient.name,
                charity_number=recipient.charity_number,
                company_number=recipient.companies_house_number,
                programme_code=detail.programme_code if detail else "",
                programme_title=detail.programme_title if detail else "",
                location_codes=tuple(detail.location_codes) if detail else (),
                funder_identifier=(detail.funder_identifier if detail else "") or _org_id(organisation),
                funder_name=(detail.funder_name if detail else "") or organisation.name,
            )
        )
    return out


def grants_export(*, member: Member) -> dict[str, Any]:
    """The organisation's grant agreements as a 360Giving 1.4.3 package, validated; an ApplicationError
    naming every problem (by path) if it would not be valid, or when there is no grant. Writes nothing."""
    data = grants_export_data(member=member)
    if not data:
        raise ApplicationError(f"{member.organisation.name} has no grant agreements to export.")
    package = grants360.package_build(data)
    problems = grants360.package_problems(package)
    if problems:
        raise ApplicationError(
            "The 360Giving package would not be valid, so it was not written: " + "; ".join(problems)
        )
    return package
