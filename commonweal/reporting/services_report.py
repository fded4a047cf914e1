"""Writes for the annual impact report: the draft (title, summary, narrative sections, case studies), its
sign-off and its publication as an immutable version.

The cycle: a social value lead writes the draft and submits it; a second person, a social value lead or
a viewer (a councillor or executive), who did not submit it, signs it off; the lead publishes it, which
keeps every figure, word and case study as they are then in a new `ReportVersion`. Any change to a report
that is waiting for sign-off, signed off or published takes it back to draft, so it must be signed off
again; a published version never changes, and a correction is a new version with a note of what changed.

Writing needs MANAGE_REPORTS; signing off needs SIGN_OFF_REPORTS; every write is audited.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.delivery.models import CaseStudy
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from . import annual_files
from .access import WRITE, own_require
from .models import FinancialYear, ImpactReport, ReportSection, ReportState, ReportVersion
from .selectors_report import case_study_choice_list, report_content, version_latest, version_view

REPORT_FIELDS = ["title", "summary", "state"]
SECTION_FIELDS = ["heading", "body", "position"]
SIGN_OFF = Permission.SIGN_OFF_REPORTS


def _person(actor: User | None, doing: str) -> User:
    if actor is None or not actor.pk:
        raise ApplicationError(f"A person {doing}: the command line cannot.")
    return actor


def _reopen(report: ImpactReport) -> list[str]:
    """A change to a report past draft takes it back to draft (the sign-off no longer holds)."""
    if report.state == ReportState.DRAFT:
        return []
    report.state = ReportState.DRAFT
    report.submitted_by = report.signed_off_by = None
    report.submitted_at = report.signed_off_at = None
    report.signed_off_content = None
    return ["state", "submitted_by", "submitted_at", "signed_off_by", "signed_off_at", "signed_off_content"]


def _touch(*, actor: User | None, member: Member, report: ImpactReport) -> None:
    """After a change to its content, take the report (as stored, not as the caller last read it) back to
    draft if it was past draft, and record that."""
    stored = ImpactReport.objects.select_for_update().get(pk=report.pk)
    before = snapshot(stored, REPORT_FIELDS)
    fields = _reopen(stored)
    if fields:
        stored.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=actor,
            organisation=member.organisation,
            action=AuditAction.IMPACT_REPORT_RETURNED_TO_DRAFT,
            target=stored,
            before=before,
            after=snapshot(stored, REPORT_FIELDS),
        )
    for name in ("state", "submitted_by", "submitted_at", "signed_off_by", "signed_off_at", "signed_off_content"):
        setattr(report, name, getattr(stored, name))


# --- The draft ----------------------------------------------------------------------------------------


def report_create(*, actor: User | None, member: Member, year: FinancialYear, title: str, summary: str) -> ImpactReport:
    permission_require(member, WRITE)
    own_require(member, year)
    title = title.strip()
    if not title:
        raise ApplicationError("Enter a title", field_errors={"title": "Enter a title"})
    try:
        with transaction.atomic():
            report = ImpactReport.objects.create(
                organisation=member.organisation,
                year=year,
                title=title,
                summary=summary.strip(),
                created_by=_person(actor, "starts a report"),
            )
            audit_record(
                actor=actor,
                organisation=member.organisation,
                action=AuditAction.IMPACT_REPORT_CREATED,
                target=report,
                after={**snapshot(report, REPORT_FIELDS), "year": year.label},
            )
    except IntegrityError:
        message = f"{year.label} has a report already: there is one report a year."
        raise ApplicationError(message, field_errors={"year": message}) from None
    return report


@transaction.atomic
def report_update(
    *, actor: User | None, member: Member, report: ImpactReport, title: str, summary: str
) -> ImpactReport:
    permission_require(member, WRITE)
    own_require(member, report)
    title = title.strip()
    if not title:
        raise ApplicationError("Enter a title", field_errors={"title": "Enter a title"})
    before = snapshot(report, REPORT_FIELDS)
    report.title, report.summary = title, summary.strip()
    report.save(update_fields=["title", "summary", "updated_at"])
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.IMPACT_REPORT_UPDATED,
        target=report,
        before=before,
        after=snapshot(report, REPORT_FIELDS),
    )
    _touch(actor=actor, member=member, report=report)
    return report


def _section_text(heading: str, body: str) -> tuple[str, str]:
    heading, body = heading.strip(), body.strip()
    errors = {}
    if not heading:
        errors["heading"] = "Enter a heading"
    if not body:
        errors["body"] = "Enter the text of the section"
    if errors:
        raise ApplicationError(next(iter(errors.values())), field_errors=errors)
    return heading, body


@transaction.atomic
def section_add(*, actor: User | None, member: Member, report: ImpactReport, heading: str, body: str) -> ReportSection:
    permission_require(member, WRITE)
    own_require(member, report)
    heading, body = _section_text(heading, body)
    last = report.sections.aggregate(last=Max("position"))["last"]
    section = ReportSection.objects.create(
        organisation=member.organisation,
        report=report,
        heading=heading,
        body=body,
        position=0 if last is None else last + 1,
    )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.REPORT_SECTION_ADDED,
        target=section,
        trail=report,
        after=snapshot(section, SECTION_FIELDS),
    )
    _touch(actor=actor, member=member, report=report)
    return section


@transaction.atomic
def section_update(
    *, actor: User | None, member: Member, section: ReportSection, heading: str, body: str
) -> ReportSection:
    permission_require(member, WRITE)
    own_require(member, section)
    heading, body = _section_text(heading, body)
    before = snapshot(section, SECTION_FIELDS)
    section.heading, section.body = heading, body
    section.save(update_fields=["heading", "body"])
    report = section.report
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.REPORT_SECTION_UPDATED,
        target=section,
        trail=report,
        before=before,
        after=snapshot(section, SECTION_FIELDS),
    )
    _touch(actor=actor, member=member, report=report)
    return section


@transaction.atomic
def section_remove(*, actor: User | None, member: Member, section: ReportSection) -> ImpactReport:
    permission_require(member, WRITE)
    own_require(member, section)
    report = section.report
    before = snapshot(section, SECTION_FIELDS)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.REPORT_SECTION_REMOVED,
        target=section,
        trail=report,
        before=before,
    )
    section.delete()
    _renumber(report)
    _touch(actor=actor, member=member, report=report)
    return report


def _renumber(report: ImpactReport) -> list[ReportSection]:
    sections = list(report.sections.order_by("position", "id"))
    for position, section in enumerate(sections):
        if section.position != position:
            section.position = position
            section.save(update_fields=["position"])
    return sections


@transaction.atomic
def section_move(*, actor: User | None, member: Member, section: ReportSection, direction: str) -> ReportSection:
    """Move a section one place up (earlier) or down (later); at either end it stays where it is."""
    permission_require(member, WRITE)
    own_require(member, section)
    if direction not in ("up", "down"):
        raise ApplicationError("Choose up or down.")
    report = section.report
    sections = _renumber(report)
    index = next(number for number, each in enumerate(sections) if each.pk == section.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(sections):
        return sections[index]
    moved, neighbour = sections[index], sections[other]
    before = snapshot(moved, SECTION_FIELDS)
    moved.position, neighbour.position = neighbour.position, moved.position
    moved.save(update_fields=["position"])
    neighbour.save(update_fields=["position"])
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.REPORT_SECTION_MOVED,
        target=moved,
        trail=report,
        before=before,
        after=snapshot(moved, SECTION_FIELDS),
    )
    _touch(actor=actor, member=member, report=report)
    return moved


@transaction.atomic
def case_studies_choose(
    *, actor: User | None, member: Member, report: ImpactReport, case_studies: Iterable[CaseStudy]
) -> ImpactReport:
    """The case studies the report publishes: only those of its year, on submitted returns, with consent
    recorded."""
    permission_require(member, WRITE)
    own_require(member, report)
    chosen = list(case_studies)
    allowed = set(case_study_choice_list(member=member, year=report.year).values_list("pk", flat=True))
    refused = [case.title for case in chosen if case.pk not in allowed]
    if refused:
        message = (
            f"These case studies cannot be published in the {report.year.label} report (not of that year, no "
            f"consent recorded, or not yours): {', '.join(refused)}"
        )
        raise ApplicationError(message, field_errors={"case_studies": message})
    before = sorted(report.case_studies.values_list("title", flat=True))
    report.case_studies.set(chosen)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.IMPACT_REPORT_CASE_STUDIES_CHOSEN,
        target=report,
        before={"case_studies": before},
        after={"case_studies": sorted(case.title for case in chosen)},
    )
    _touch(actor=actor, member=member, report=report)
    return report


# --- Sign-off and publication -------------------------------------------------------------------------


def _state_change(
    *, actor: User | None, member: Member, report: ImpactReport, action: AuditAction, before: dict[str, Any]
) -> None:
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=action,
        target=report,
        before=before,
        after=snapshot(report, REPORT_FIELDS),
    )


@transaction.atomic
def report_submit(*, actor: User | None, member: Member, report: ImpactReport) -> ImpactReport:
    """Ask for sign-off: the report waits for a second person."""
    permission_require(member, WRITE)
    own_require(member, report)
    report = ImpactReport.objects.select_for_update().get(pk=report.pk)
    if report.state != ReportState.DRAFT:
        raise ApplicationError(
            f"Only a draft is submitted for sign-off; this report is {report.get_state_display().lower()}."
        )
    before = snapshot(report, REPORT_FIELDS)
    report.state = ReportState.AWAITING_SIGN_OFF
    report.submitted_by = _person(actor, "submits a report")
    report.submitted_at = timezone.now()
    report.save(update_fields=["state", "submitted_by", "submitted_at", "updated_at"])
    _state_change(actor=actor, member=member, report=report, action=AuditAction.IMPACT_REPORT_SUBMITTED, before=before)
    return report


@transaction.atomic
def report_sign_off(
    *, actor: User | None, member: Member, report: ImpactReport, as_at: date | None = None
) -> ImpactReport:
    """A second person (a social value lead or a viewer, not the one who submitted it) signs it off: the
    report as it is now (figures as at `as_at`, by default today) is kept, and is what publishing publishes."""
    permission_require(member, SIGN_OFF)
    own_require(member, report)
    report = ImpactReport.objects.select_for_update().get(pk=report.pk)
    person = _person(actor, "signs a report off")
    if report.state != ReportState.AWAITING_SIGN_OFF:
        raise ApplicationError("Only a report waiting for sign-off can be signed off.")
    if report.submitted_by_id == person.pk:
        raise ApplicationError(
            "You submitted this report: a second person, a social value lead or a viewer, must sign it off."
        )
    before = snapshot(report, REPORT_FIELDS)
    report.state = ReportState.SIGNED_OFF
    report.signed_off_by = person
    report.signed_off_at = timezone.now()
    report.signed_off_content = report_content(member=member, report=report, as_at=as_at).as_dict()
    report.save(update_fields=["state", "signed_off_by", "signed_off_at", "signed_off_content", "updated_at"])
    _state_change(actor=actor, member=member, report=report, action=AuditAction.IMPACT_REPORT_SIGNED_OFF, before=before)
    return report


@transaction.atomic
def report_return_to_draft(*, actor: User | None, member: Member, report: ImpactReport) -> ImpactReport:
    """Take a report waiting for sign-off (or signed off) back to draft: the lead to change it, or the
    person asked to sign it off to send it back."""
    if not (member.may(WRITE) or member.may(SIGN_OFF)):
        permission_require(member, WRITE)
    own_require(member, report)
    report = ImpactReport.objects.select_for_update().get(pk=report.pk)
    if report.state not in (ReportState.AWAITING_SIGN_OFF, ReportState.SIGNED_OFF):
        raise ApplicationError("Only a report waiting for sign-off or signed off goes back to draft.")
    before = snapshot(report, REPORT_FIELDS)
    _reopen(report)
    report.save(
        update_fields=[
            "state",
            "submitted_by",
            "submitted_at",
            "signed_off_by",
            "signed_off_at",
            "signed_off_content",
            "updated_at",
        ]
    )
    _state_change(
        actor=actor, member=member, report=report, action=AuditAction.IMPACT_REPORT_RETURNED_TO_DRAFT, before=before
    )
    return report


@transaction.atomic
def report_publish(*, actor: User | None, member: Member, report: ImpactReport, change_note: str = "") -> ReportVersion:
    """Publish the signed-off report as a new version: its figures, words, case studies and methodology as
    they were signed off, kept unchanged for good. A version after the first says what changed."""
    permission_require(member, WRITE)
    own_require(member, report)
    report = ImpactReport.objects.select_for_update().get(pk=report.pk)
    person = _person(actor, "publishes a report")
    if report.state != ReportState.SIGNED_OFF or report.signed_off_by is None or report.signed_off_content is None:
        raise ApplicationError("Only a signed-off report can be published: submit it and have it signed off first.")
    latest = version_latest(member=member, report=report)
    number = 1 if latest is None else latest.number + 1
    change_note = change_note.strip()
    if number > 1 and not change_note:
        message = f"Say what changed since version {number - 1}"
        raise ApplicationError(message, field_errors={"change_note": message})
    content = report.signed_off_content  # what was signed off, not what the figures say now
    version = ReportVersion.objects.create(
        organisation=member.organisation,
        report=report,
        number=number,
        snapshot=content,
        change_note=change_note,
        published_by=person,
        signed_off_by=report.signed_off_by,
        published_at=timezone.now(),
    )
    before = snapshot(report, REPORT_FIELDS)
    report.state = ReportState.PUBLISHED
    report.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.IMPACT_REPORT_PUBLISHED,
        target=report,
        before=before,
        after={
            **snapshot(report, REPORT_FIELDS),
            "version": number,
            "change_note": change_note,
            "signed_off_by": report.signed_off_by.email,
        },
    )
    # The worker makes the PDF once, after the version is committed; a download before then makes it.
    from .tasks import version_pdf_task

    organisation_id, version_id = member.organisation.pk, version.pk
    transaction.on_commit(lambda: version_pdf_task.enqueue(organisation_id=organisation_id, version_id=version_id))
    return version


def version_pdf_store(*, member: Member, version: ReportVersion) -> ReportVersion:
    """The version with its PDF made and stored, once: a published version never changes, so neither does
    its PDF. Two makers at once both render, and the first to record its file wins; the other's is removed."""
    permission_require(member, Permission.READ_PUBLIC_BODY)
    version = ReportVersion.objects.get(organisation=member.organisation, pk=version.pk)
    if version.pdf:
        return version
    content = annual_files.report_pdf(version_view(member=member, version=version))
    field = version.pdf
    field.save("report.pdf", ContentFile(content), save=False)
    recorded = ReportVersion.objects.filter(pk=version.pk, pdf="").update(pdf=field.name)
    if not recorded:
        field.storage.delete(field.name)
        version.refresh_from_db(fields=["pdf"])
    return version
