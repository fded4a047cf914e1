"""Open data writes and exports: importing Contracts Finder OCDS notices as procurements, awards and
agreements, and exporting a procurement as an OCDS 1.1 release package (docs/procurement-open-data.md).

An import is atomic per release and idempotent: each release lands whole or not at all (a rejected
one is listed with its reason and costs its file's other releases nothing), releases of one procurement
are applied in `date` order whatever order the files come in, and a procurement is matched by its
ocid, an award by its OCDS award id, so importing the same file again adds and changes nothing.

A buyer's import (`ocds_import`) takes the member and asks for `Permission.PLAN_PROCUREMENTS`; the
command line acts as `Member.system(buyer)`. The operator's import of every buyer's notices
(`ocds_import_any_buyer`, the command line without `--organisation`) finds or creates each buyer, and
asks the same permission of the system member of each buyer it writes for.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.delivery.models import Agreement, CommitmentState
from commonweal.delivery.services_agreements import agreement_create
from commonweal.frameworks.models import FrameworkVersion, UnitKind, VersionStatus
from commonweal.spend.names import normalise_name
from commonweal.tenancy.models import Organisation, OrganisationKind
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from . import ocds
from .models import Award, CriterionKind, Lot, Procurement, ProcurementSource, ProcurementState
from .selectors import bid_list_for_buyer

DEFAULT_OCID_PREFIX = "ocds-commonweal"
IMPORT_LOT_TITLE = "Lot 1"
REFERENCE_MAX = 60
PROCUREMENT_FIELDS = [
    "title",
    "description",
    "estimated_value",
    "category",
    "duration_months",
    "state",
    "publication_at",
    "clarification_deadline",
    "tender_deadline",
    "published_at",
    "awarded_at",
    "currency",
    "cpv_codes",
]
CANCELLED_STATUSES = {"cancelled", "unsuccessful", "withdrawn"}
FLAG_FIELDS = ["is_sme", "is_vcse", "companies_house_number", "charity_number"]


@dataclass
class ImportSummary:
    """What an import did, file by file added up; `rejected` names every release (or file) refused."""

    files_read: int = 0
    files_imported: int = 0  # files of which at least one release was imported
    releases_read: int = 0
    releases_imported: int = 0
    procurements_created: int = 0
    procurements_updated: int = 0
    procurements_unchanged: int = 0
    awards_created: int = 0
    agreements_created: int = 0
    suppliers_created: int = 0
    suppliers_updated: int = 0
    buyers_created: int = 0
    rejected: list[ocds.Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    COUNTS = (
        "releases_read",
        "releases_imported",
        "procurements_created",
        "procurements_updated",
        "procurements_unchanged",
        "awards_created",
        "agreements_created",
        "suppliers_created",
        "suppliers_updated",
        "buyers_created",
    )
    CHANGES = (
        "procurements_created",
        "procurements_updated",
        "awards_created",
        "agreements_created",
        "suppliers_created",
        "suppliers_updated",
        "buyers_created",
    )

    @property
    def changed(self) -> bool:
        """Whether the import wrote anything: a re-import of what is known already changes nothing."""
        return any(getattr(self, name) for name in self.CHANGES)

    def rejected_text(self) -> str:
        """ "2 releases rejected", "1 release and 1 file rejected"; "" when nothing was."""
        files = sum(1 for rejection in self.rejected if rejection.position is None)
        releases = len(self.rejected) - files
        parts = [f"{releases} release{'s' if releases != 1 else ''}"] if releases else []
        parts += [f"{files} file{'s' if files != 1 else ''}"] if files else []
        return " and ".join(parts) + " rejected" if parts else ""

    def rows(self) -> list[tuple[str, int]]:
        """The counts in words, for the page."""
        return [
            ("Files read", self.files_read),
            ("Releases read", self.releases_read),
            ("Releases imported", self.releases_imported),
            ("Releases rejected", sum(1 for r in self.rejected if r.position is not None)),
            ("Procurements created", self.procurements_created),
            ("Procurements updated", self.procurements_updated),
            ("Procurements unchanged", self.procurements_unchanged),
            ("Awards created", self.awards_created),
            ("Agreements created", self.agreements_created),
            ("Suppliers created", self.suppliers_created),
            ("Suppliers' flags updated", self.suppliers_updated),
            ("Buyers created", self.buyers_created),
        ]

    def add(self, other: "ImportSummary") -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.notes.extend(other.notes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files_read": self.files_read,
            "files_imported": self.files_imported,
            **{name: getattr(self, name) for name in self.COUNTS},
            "changed": self.changed,
            "rejected": [
                {"file": r.file, "release": r.position, "release_id": r.release_id, "reason": r.reason}
                for r in self.rejected
            ],
            "notes": self.notes,
        }


class _Refused(Exception):
    def __init__(self, notice: ocds.Notice, reason: str) -> None:
        super().__init__(reason)
        self.notice = notice
        self.reason = reason


def ocid_prefix() -> str:
    return str(settings.OCDS_OCID_PREFIX or DEFAULT_OCID_PREFIX)


def import_reference(ocid: str) -> str:
    """The procurement reference of an imported notice: its ocid, shortened (keeping it unique) if long."""
    if len(ocid) <= REFERENCE_MAX:
        return ocid
    digest = hashlib.sha256(ocid.encode()).hexdigest()[:8]
    return f"{ocid[: REFERENCE_MAX - 9]}-{digest}"


class _Run:
    """What one import run has looked up already (organisations by identifier and by name)."""

    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self.suppliers_by_name: dict[str, Organisation] | None = None
        self.suppliers_by_identifier: dict[tuple[str, str], Organisation] = {}
        self.buyers_by_name: dict[str, Organisation] | None = None
        self.versions: dict[int, FrameworkVersion | None] = {}

    def supplier_index(self) -> dict[str, Organisation]:
        if self.suppliers_by_name is None:
            self.suppliers_by_name = {}
            for organisation in Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).order_by("pk"):
                self.suppliers_by_name.setdefault(normalise_name(organisation.name), organisation)
        return self.suppliers_by_name

    def buyer_index(self) -> dict[str, Organisation]:
        if self.buyers_by_name is None:
            self.buyers_by_name = {}
            for organisation in Organisation.objects.filter(kind=OrganisationKind.PUBLIC_BODY).order_by("pk"):
                self.buyers_by_name.setdefault(normalise_name(organisation.name), organisation)
        return self.buyers_by_name

    def framework_version(self, buyer: Organisation) -> FrameworkVersion | None:
        """The buyer's most recently published framework version, which imported agreements use."""
        if buyer.pk not in self.versions:
            self.versions[buyer.pk] = (
                FrameworkVersion.objects.filter(organisation=buyer, status=VersionStatus.PUBLISHED)
                .order_by("-published_at", "-pk")
                .first()
            )
        return self.versions[buyer.pk]


def _slug_unique(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "organisation"
    slug, number = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _organisation_create(run: _Run, party: ocds.Party, kind: str) -> Organisation:
    organisation = Organisation.objects.create(
        name=party.name[:200],
        slug=_slug_unique(party.name),
        kind=kind,
        companies_house_number=party.companies_house_number if kind == OrganisationKind.SUPPLIER else "",
        charity_number=party.charity_number[:20] if kind == OrganisationKind.SUPPLIER else "",
        is_sme=party.sme if kind == OrganisationKind.SUPPLIER else None,
        is_vcse=party.vcse if kind == OrganisationKind.SUPPLIER else None,
    )
    audit_record(
        actor=run.actor,
        organisation=organisation,
        action=AuditAction.ORGANISATION_IMPORTED_FROM_OCDS,
        target=organisation,
        after=snapshot(organisation, ["name", "slug", "kind", *FLAG_FIELDS]),
    )
    return organisation


def _supplier_find(run: _Run, party: ocds.Party) -> Organisation | None:
    suppliers = Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).order_by("pk")
    if party.companies_house_number:
        found = suppliers.filter(companies_house_number=party.companies_house_number).first()
        if found is not None:
            return found
    if party.charity_number:
        found = suppliers.filter(charity_number=party.charity_number).first()
        if found is not None:
            return found
    if party.identifier_scheme and party.identifier_id:
        found = run.suppliers_by_identifier.get((party.identifier_scheme, party.identifier_id))
        if found is not None:
            return found
    found = run.supplier_index().get(normalise_name(party.name))
    if found is not None and party.companies_house_number and found.companies_house_number:
        return None  # the same name, but another company
    return found


def _supplier_flags_update(run: _Run, supplier: Organisation, party: ocds.Party, counts: ImportSummary) -> None:
    """Set what the party says and the organisation does not know yet; a null never clears a known value."""
    before = snapshot(supplier, FLAG_FIELDS)
    if party.sme is not None:
        supplier.is_sme = party.sme
    if party.vcse is not None:
        supplier.is_vcse = party.vcse
    if party.companies_house_number and not supplier.companies_house_number:
        supplier.companies_house_number = party.companies_house_number
    if party.charity_number and not supplier.charity_number:
        supplier.charity_number = party.charity_number[:20]
    after = snapshot(supplier, FLAG_FIELDS)
    if after != before:
        counts.suppliers_updated += 1
        supplier.save(update_fields=[*FLAG_FIELDS, "updated_at"])
        audit_record(
            actor=run.actor,
            organisation=supplier,
            action=AuditAction.ORGANISATION_FLAGS_IMPORTED_FROM_OCDS,
            target=supplier,
            before=before,
            after=after,
        )


def _supplier(run: _Run, party: ocds.Party, counts: ImportSummary) -> Organisation:
    supplier = _supplier_find(run, party)
    if supplier is None:
        supplier = _organisation_create(run, party, OrganisationKind.SUPPLIER)
        counts.suppliers_created += 1
        run.supplier_index().setdefault(normalise_name(supplier.name), supplier)
    else:
        _supplier_flags_update(run, supplier, party, counts)
    if party.identifier_scheme and party.identifier_id:
        run.suppliers_by_identifier[(party.identifier_scheme, party.identifier_id)] = supplier
    return supplier


def _buyer(run: _Run, notice: ocds.Notice, counts: ImportSummary) -> Organisation:
    key = normalise_name(notice.buyer.name)
    buyer = run.buyer_index().get(key)
    if buyer is None:
        buyer = _organisation_create(run, notice.buyer, OrganisationKind.PUBLIC_BODY)
        run.buyer_index()[key] = buyer
        counts.buyers_created += 1
    return buyer


def buyer_is(notice: ocds.Notice, organisation: Organisation) -> bool:
    """Whether the notice's buyer is `organisation`, by normalised name (all a notice reliably gives)."""
    return normalise_name(notice.buyer.name) == normalise_name(organisation.name)


def _state(notice: ocds.Notice) -> str:
    if any(award.status not in CANCELLED_STATUSES for award in notice.awards):
        return ProcurementState.AWARDED
    if notice.tender_status in CANCELLED_STATUSES:
        return ProcurementState.CANCELLED
    return ProcurementState.PUBLISHED


def _notice_values(notice: ocds.Notice) -> dict[str, Any]:
    """The procurement's fields as the notice gives them; None where it says nothing."""
    starts = [award.start_date for award in notice.awards if award.start_date] + [notice.contract_start]
    ends = [award.end_date for award in notice.awards if award.end_date] + [notice.contract_end]
    start = notice.contract_start or min((day for day in starts if day), default=None)
    end = notice.contract_end or max((day for day in ends if day), default=None)
    award_dates = [
        award.awarded_at for award in notice.awards if award.awarded_at and award.status not in CANCELLED_STATUSES
    ]
    return {
        "title": notice.title[:300],
        "description": notice.description or None,
        "estimated_value": notice.value,
        "category": notice.category,
        "duration_months": ocds.duration_months(start, end) or None,
        "state": _state(notice),
        "publication_at": notice.tender_start,
        "clarification_deadline": notice.enquiry_end,
        "tender_deadline": notice.tender_end,
        "published_at": notice.tender_start,
        "awarded_at": min(award_dates) if award_dates else None,
        "currency": notice.currency,
        "cpv_codes": list(notice.cpv_codes) or None,
    }


def _is_older(notice: ocds.Notice, procurement: Procurement) -> bool:
    """Whether a release predates one applied already (releases are applied in `date` order, so an older
    one arriving later only fills what is not known yet)."""
    applied = procurement.ocds_released_at
    return applied is not None and notice.released_at is not None and notice.released_at < applied


def _is_known(value: Any) -> bool:
    return value not in (None, "", 0, [])


def _procurement(run: _Run, notice: ocds.Notice, buyer: Organisation, counts: ImportSummary) -> Procurement:
    values = _notice_values(notice)
    procurement = Procurement.objects.filter(organisation=buyer, ocid=notice.ocid).first()
    if procurement is None:
        reference = import_reference(notice.ocid)
        if Procurement.objects.filter(organisation=buyer, reference=reference).exists():
            raise _Refused(notice, f"{buyer.name} already has a procurement with the reference {reference}")
        procurement = Procurement.objects.create(
            organisation=buyer,
            reference=reference,
            ocid=notice.ocid,
            source=ProcurementSource.OCDS,
            created_by=run.actor if getattr(run.actor, "pk", None) else None,
            ocds_released_at=notice.released_at,
            **{
                **values,
                "description": values["description"] or "",
                "duration_months": values["duration_months"] or 0,
                "cpv_codes": values["cpv_codes"] or [],
            },
        )
        Lot.objects.create(
            organisation=buyer,
            procurement=procurement,
            number=1,
            title=IMPORT_LOT_TITLE,
            estimated_value=notice.value,
        )
        audit_record(
            actor=run.actor,
            organisation=buyer,
            action=AuditAction.PROCUREMENT_IMPORTED_FROM_OCDS,
            target=procurement,
            after={**snapshot(procurement, PROCUREMENT_FIELDS), "ocid": notice.ocid, "release": notice.release_id},
        )
        counts.procurements_created += 1
        return procurement
    before = snapshot(procurement, PROCUREMENT_FIELDS)
    older = _is_older(notice, procurement)
    for name, value in values.items():
        if value is None:
            continue  # a notice that says nothing never clears what is known
        if older and name != "awarded_at" and _is_known(getattr(procurement, name)):
            continue  # a later release gave this already
        if name == "state" and procurement.state == ProcurementState.AWARDED and value != ProcurementState.CANCELLED:
            continue  # an older tender notice imported after the award does not undo it
        if name == "awarded_at" and procurement.awarded_at is not None:
            value = min(value, procurement.awarded_at)
        setattr(procurement, name, value)
    after = snapshot(procurement, PROCUREMENT_FIELDS)
    newer = notice.released_at is not None and not older and procurement.ocds_released_at != notice.released_at
    if newer:
        procurement.ocds_released_at = notice.released_at
    if after == before:
        if newer:  # bookkeeping only: a newer release that changes no field is still "unchanged"
            procurement.save(update_fields=["ocds_released_at"])
        counts.procurements_unchanged += 1
        return procurement
    procurement.save()
    audit_record(
        actor=run.actor,
        organisation=buyer,
        action=AuditAction.PROCUREMENT_UPDATED_FROM_OCDS,
        target=procurement,
        before=before,
        after={**after, "release": notice.release_id},
    )
    counts.procurements_updated += 1
    return procurement


def _agreement_reference(procurement: Procurement, number: int) -> str:
    stem = procurement.reference[: REFERENCE_MAX - 6]
    while True:
        reference = f"{stem}-A{number}"
        if not Agreement.objects.filter(organisation=procurement.organisation, reference=reference).exists():
            return reference
        number += 1


def _agreement(
    run: _Run,
    notice: ocds.Notice,
    award: ocds.AwardNotice,
    row: Award,
    counts: ImportSummary,
) -> None:
    """The delivery agreement of an imported award, when everything it needs is known; else a note why not."""
    procurement = row.procurement
    what = f"{notice.ocid}, award {award.id} ({row.supplier.name})"
    if award.currency != ocds.CURRENCY:
        counts.notes.append(
            f"{what}: no agreement made: the award is in {award.currency}, and agreements are in pounds."
        )
        return
    version = run.framework_version(procurement.organisation)
    if version is None:
        counts.notes.append(f"{what}: no agreement made: {procurement.organisation.name} has no published framework.")
        return
    start = award.start_date or notice.contract_start
    end = award.end_date or notice.contract_end
    if start is None or end is None:
        counts.notes.append(f"{what}: no agreement made: the notice gives no contract period.")
        return
    try:
        agreement = agreement_create(
            actor=run.actor,
            # An imported award's contract is made with the buyer's authority (the import checked its own).
            member=Member.system(procurement.organisation),
            supplier=row.supplier,
            reference=_agreement_reference(procurement, procurement.awards.count()),
            title=procurement.title,
            value=row.value,
            start_date=start,
            end_date=end,
            framework_version=version,
        )
    except ApplicationError as error:
        counts.notes.append(f"{what}: no agreement made: {error.message}")
        return
    row.agreement = agreement
    row.save(update_fields=["agreement", "updated_at"])
    counts.agreements_created += 1


def _awards(run: _Run, notice: ocds.Notice, procurement: Procurement, counts: ImportSummary) -> None:
    lot = procurement.lots.order_by("number").first()
    for award in notice.awards:
        if award.status in CANCELLED_STATUSES:
            counts.notes.append(f"{notice.ocid}, award {award.id}: not imported: its status is {award.status}.")
            continue
        awarded_at = award.awarded_at or notice.released_at
        if awarded_at is None:
            raise _Refused(notice, f"award {award.id} has no date, and neither has the release")
        shared = len(award.suppliers) > 1
        for share in award.suppliers:
            # One Award row per supplier; an award shared by several suppliers (a framework) gets one
            # row each, keyed by the award id and the party id.
            key = f"{award.id}#{share.party.id}" if shared else award.id
            if Award.objects.filter(procurement=procurement, ocds_award_id=key).exists():
                continue
            supplier = _supplier(run, share.party, counts)
            value = share.value if share.value is not None else award.value
            if value is None:
                counts.notes.append(
                    f"{notice.ocid}, award {award.id} ({supplier.name}): no value given: recorded as £0."
                )
                value = Decimal("0")
            elif shared and share.value is None:
                counts.notes.append(
                    f"{notice.ocid}, award {award.id} ({supplier.name}): one of {len(award.suppliers)} suppliers "
                    f"sharing {award.currency} {award.value:,}; each carries the whole value."
                )
            row = Award.objects.create(
                organisation=procurement.organisation,
                procurement=procurement,
                lot=lot,
                supplier=supplier,
                value=value,
                currency=award.currency,
                awarded_at=awarded_at,
                ocds_award_id=key[:200],
                reason=award.title or "Imported from an OCDS award notice.",
            )
            audit_record(
                actor=run.actor,
                organisation=procurement.organisation,
                action=AuditAction.AWARD_IMPORTED_FROM_OCDS,
                target=row,
                trail=procurement,
                after={
                    "supplier": supplier.name,
                    "value": str(value),
                    "currency": award.currency,
                    "ocds_award_id": row.ocds_award_id,
                    "awarded_at": awarded_at.isoformat(),
                },
            )
            counts.awards_created += 1
            _agreement(run, notice, award, row, counts)


def _release_import(run: _Run, notice: ocds.Notice, organisation: Organisation | None) -> ImportSummary:
    """One release, whole or not at all (a savepoint): raises _Refused, or ApplicationError, to roll it back."""
    counts = ImportSummary(releases_read=1, releases_imported=1)
    with transaction.atomic():
        buyer = organisation if organisation is not None else _buyer(run, notice, counts)
        # The operator writes for each buyer with the authority of that buyer's system member.
        permission_require(Member.system(buyer), Permission.PLAN_PROCUREMENTS)
        procurement = _procurement(run, notice, buyer, counts)
        _awards(run, notice, procurement, counts)
    return counts


def _in_date_order(reads: list[ocds.PackageRead]) -> list[tuple[str, ocds.Notice]]:
    """Every release of every file, oldest `date` first (a release without a date last, keeping the order
    of the files and of the releases within them): a procurement's releases are applied as published."""
    latest = datetime.max.replace(tzinfo=UTC)
    ordered = [
        (notice.released_at or latest, file_number, notice.position, read.file, notice)
        for file_number, read in enumerate(reads)
        for notice in read.notices
    ]
    ordered.sort(key=lambda entry: entry[:3])
    return [(file, notice) for *_, file, notice in ordered]


def ocds_import(
    *,
    actor: User | None,
    member: Member,
    files: Sequence[tuple[str, bytes]],
    progress: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import OCDS release packages, each (name, content), as the member's organisation's notices:
    releases of any other buyer are rejected. Each release lands whole or not at all, in `date` order
    across the files; `progress(name)` is called as each file is done."""
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    return _files_import(actor=actor, files=files, organisation=member.organisation, progress=progress)


def ocds_import_any_buyer(
    *, files: Sequence[tuple[str, bytes]], progress: Callable[[str], None] | None = None
) -> ImportSummary:
    """The server operator's import from the command line, of any buyers' notices: each release's buyer
    is found by name or created, so no one organisation's member can act for the whole run; each buyer's
    notices are written as that buyer's system member (see `_file_import`). Audited as "system"."""
    return _files_import(actor=None, files=files, organisation=None, progress=progress)


def _files_import(
    *,
    actor: User | None,
    files: Sequence[tuple[str, bytes]],
    organisation: Organisation | None,
    progress: Callable[[str], None] | None,
) -> ImportSummary:
    summary = ImportSummary(files_read=len(files))
    run = _Run(actor)
    reads = []
    for name, content in files:
        read = ocds.package_read(content, file=name)
        summary.releases_read += len(read.notices) + sum(1 for r in read.rejections if r.position is not None)
        summary.rejected.extend(read.rejections)
        if organisation is not None:
            others = {notice.position for notice in read.notices if not buyer_is(notice, organisation)}
            summary.rejected += [
                ocds.Rejection(
                    name,
                    notice.position,
                    notice.release_id,
                    f"the buyer is {notice.buyer.name}, not {organisation.name}",
                )
                for notice in read.notices
                if notice.position in others
            ]
            read = ocds.PackageRead(name, tuple(n for n in read.notices if n.position not in others), read.rejections)
        reads.append(read)
    imported: set[str] = set()
    remaining = {read.file: len(read.notices) for read in reads}
    for file, notice in _in_date_order(reads):
        try:
            counts = _release_import(run, notice, organisation)
        except (_Refused, ApplicationError) as refused:
            reason = refused.reason if isinstance(refused, _Refused) else refused.message
            summary.rejected.append(ocds.Rejection(file, notice.position, notice.release_id, reason))
            run = _Run(actor)  # what the rolled-back release looked up is gone
        else:
            counts.releases_read = 0  # counted when the file was read
            summary.add(counts)
            imported.add(file)
        remaining[file] -= 1
        if remaining[file] == 0 and progress is not None:
            progress(file)
    for read in reads:
        if not read.notices and progress is not None:
            progress(read.file)
    summary.files_imported = len(imported)
    summary.rejected.sort(key=lambda r: ([read.file for read in reads].index(r.file), r.position or 0))
    return summary


# --- Export ----------------------------------------------------------------------------------------

TENDER_STATUSES = {
    ProcurementState.DRAFT: "planning",
    ProcurementState.PUBLISHED: "active",
    ProcurementState.AWARDED: "complete",
    ProcurementState.CANCELLED: "cancelled",
}


def procurement_ocid(procurement: Procurement) -> str:
    """An imported notice keeps its ocid; a procurement planned here gets `<prefix>-<org slug>-<reference>`."""
    if procurement.ocid:
        return procurement.ocid
    return f"{ocid_prefix()}-{procurement.organisation.slug}-{procurement.reference}"


def _party_id(organisation: Organisation) -> str:
    return f"{ocid_prefix()}-org-{organisation.slug}"


def _contract_status(agreement: Agreement, today: date) -> str:
    return "terminated" if agreement.end_date < today else "active"


def procurement_export_data(*, procurement: Procurement, member: Member | None) -> ocds.ProcurementOut:
    """The plain data of one procurement's release. Tenderers other than the winners come only through
    `bid_list_for_buyer` (the sealed-bid rule), so only for a member who may open the bids."""
    ocid = procurement_ocid(procurement)
    buyer = procurement.organisation
    awards = list(
        procurement.awards.select_related("supplier", "agreement", "lot").order_by("lot__number", "awarded_at", "pk")
    )
    bidders = (
        [bid.supplier for bid in bid_list_for_buyer(member=member, procurement=procurement)]
        if member is not None
        else []
    )
    suppliers: dict[int, Organisation] = {}
    for organisation in [*bidders, *(award.supplier for award in awards)]:
        suppliers.setdefault(organisation.pk, organisation)
    winners = {award.supplier_id for award in awards}
    parties = [ocds.PartyOut(id=_party_id(buyer), name=buyer.name, roles=("buyer",))]
    for organisation in suppliers.values():
        parties.append(
            ocds.PartyOut(
                id=_party_id(organisation),
                name=organisation.name,
                roles=("supplier", "tenderer") if organisation.pk in winners else ("tenderer",),
                companies_house_number=organisation.companies_house_number,
                charity_number=organisation.charity_number,
                sme=organisation.is_sme,
                vcse=organisation.is_vcse,
            )
        )
    lots = list(procurement.lots.order_by("number"))
    lot_ids = {lot.pk: f"{ocid}-lot-{lot.number}" for lot in lots}
    today = timezone.localdate()
    award_out = []
    contracts = []
    for award in awards:
        award_id = award.ocds_award_id or f"{ocid}-award-{award.pk}"
        award_out.append(
            ocds.AwardOut(
                id=award_id,
                status="active",
                date=award.awarded_at,
                value=award.value,
                supplier_ids=(_party_id(award.supplier),),
                lot_ids=(lot_ids[award.lot_id],) if award.lot_id in lot_ids else (),
                description=award.reason,
                currency=award.currency,
            )
        )
        agreement = award.agreement
        if agreement is None:
            continue
        commitments = agreement.commitments.filter(state=CommitmentState.ACTIVE).select_related("measure")
        kpis = tuple(
            ocds.KpiOut(
                id=f"{ocid}-commitment-{commitment.pk}",
                measure_code=commitment.measure.code,
                measure_title=commitment.measure.title,
                target_quantity=commitment.target_quantity,
                unit=commitment.measure.unit,
                unit_label=UnitKind(commitment.measure.unit).label
                if commitment.measure.unit in UnitKind.values
                else "",
                due_date=commitment.due_date,
                place_code=commitment.place_code,
                beneficiary_group=commitment.beneficiary_group,
            )
            for commitment in commitments.order_by("due_date", "pk")
        )
        contracts.append(
            ocds.ContractOut(
                id=f"{ocid}-contract-{agreement.reference}",
                award_id=award_id,
                title=agreement.title,
                status=_contract_status(agreement, today),
                value=agreement.value,
                start_date=agreement.start_date,
                end_date=agreement.end_date,
                kpis=kpis,
            )
        )
    criteria = tuple(
        ocds.CriterionOut(
            code=criterion.code,
            title=criterion.title,
            kind=criterion.kind,
            weight=criterion.weight,
            minimum_score=criterion.minimum_score,
        )
        for criterion in procurement.criteria.order_by("position", "pk")
    )
    price_method = (
        procurement.get_price_method_display().lower()
        if any(criterion.kind == CriterionKind.PRICE for criterion in criteria)
        else ""
    )
    return ocds.ProcurementOut(
        ocid=ocid,
        reference=procurement.reference,
        title=procurement.title,
        description=procurement.description,
        status=TENDER_STATUSES.get(ProcurementState(procurement.state), "planning"),
        value=procurement.estimated_value,
        category=procurement.category,
        buyer_id=_party_id(buyer),
        parties=tuple(parties),
        tenderer_ids=tuple(_party_id(organisation) for organisation in suppliers.values()),
        tender_start=procurement.publication_at,
        tender_end=procurement.tender_deadline,
        enquiry_end=procurement.clarification_deadline,
        award_start=procurement.evaluation_at,
        award_end=procurement.award_at,
        contract_months=procurement.duration_months,
        price_method=price_method,
        criteria=criteria,
        lots=tuple(
            ocds.LotOut(id=lot_ids[lot.pk], title=lot.title, description=lot.description, value=lot.estimated_value)
            for lot in lots
        ),
        awards=tuple(award_out),
        contracts=tuple(contracts),
        currency=procurement.currency,
        cpv_codes=tuple(procurement.cpv_codes or ()),
    )


def export_uri(procurement: Procurement) -> str:
    path = reverse("procurement:ocds-export", kwargs={"org": procurement.organisation.slug, "pk": procurement.pk})
    return settings.SITE_URL.rstrip("/") + path


def ocds_export(
    *, procurement: Procurement, member: Member | None, published: datetime | None = None
) -> dict[str, Any]:
    """The procurement as an OCDS 1.1 release package that validates against the 1.1.5 schema; an
    ApplicationError listing every schema problem (by path) if it would not. Writes nothing."""
    data = procurement_export_data(procurement=procurement, member=member)
    package = ocds.release_package(
        data,
        published=published or timezone.now(),
        uri=export_uri(procurement),
        publisher=procurement.organisation.name,
    )
    problems = ocds.package_problems(package)
    if problems:
        raise ApplicationError(
            "The release package would not be valid OCDS 1.1.5, so it was not written: " + "; ".join(problems)
        )
    return package
