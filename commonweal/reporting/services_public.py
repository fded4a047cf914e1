"""Writes for the public hub: the "what we ask" pages, stories (case studies offered with the supplier's
consent, with an image and an optional video link), publishing the hub as a snapshot, withdrawing it,
and taking a story down (which publishes the hub again at once without it).

Every write needs MANAGE_REPORTS (a social value lead) and is audited."""

from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.core.uploads import EVIDENCE_TYPES, upload_check
from commonweal.delivery.models import CaseStudy
from commonweal.tenancy.permissions import permission_require
from commonweal.tenancy.selectors import Member

from .access import WRITE, own_require
from .models import Publication, PublicPage, Story
from .selectors_public import hub_snapshot, story_candidate_list

PAGE_FIELDS = ["kind", "slug", "title", "summary", "body", "position", "ready"]
IMAGE_TYPES = {ext: kind for ext, kind in EVIDENCE_TYPES.items() if ext in (".png", ".jpg", ".jpeg")}


def _person(actor: User | None, doing: str) -> User:
    if actor is None or not actor.pk:
        raise ApplicationError(f"A person {doing}: the command line cannot.")
    return actor


@transaction.atomic
def page_save(
    *,
    actor: User | None,
    member: Member,
    page: PublicPage | None = None,
    kind: str,
    slug: str,
    title: str,
    summary: str,
    body: str,
    position: int = 0,
    ready: bool = False,
) -> PublicPage:
    """Create a page (page=None) or change one. Nothing is public until the hub is next published."""
    permission_require(member, WRITE)
    if page is not None:
        own_require(member, page)
    if not title.strip() or not body.strip() or not summary.strip():
        raise ApplicationError(
            "A page needs a title, a summary and some text.",
            field_errors={"title": "Enter a title"} if not title.strip() else {},
        )
    before = snapshot(page, PAGE_FIELDS) if page is not None else None
    target = page or PublicPage(organisation=member.organisation)
    target.kind, target.slug, target.title = kind, slug.strip(), title.strip()
    target.summary, target.body, target.position, target.ready = summary.strip(), body, position, ready
    taken = PublicPage.objects.filter(organisation=member.organisation, slug=target.slug).exclude(pk=target.pk)
    if taken.exists():
        message = f"Another page has the address “{target.slug}”: choose another"
        raise ApplicationError(message + ".", field_errors={"slug": message})
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as error:
        raise ApplicationError(
            "Another page has that address: choose another.", field_errors={"slug": "Choose another address"}
        ) from error
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.PUBLIC_PAGE_UPDATED if page is not None else AuditAction.PUBLIC_PAGE_CREATED,
        target=target,
        before=before,
        after=snapshot(target, PAGE_FIELDS),
    )
    return target


@transaction.atomic
def page_remove(*, actor: User | None, member: Member, page: PublicPage) -> None:
    """Remove a page; a hub already published keeps it until it is published again."""
    permission_require(member, WRITE)
    own_require(member, page)
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.PUBLIC_PAGE_REMOVED,
        target=page,
        before=snapshot(page, PAGE_FIELDS),
    )
    page.delete()


@transaction.atomic
def story_create(
    *,
    actor: User | None,
    member: Member,
    case_study: CaseStudy,
    supplier_consent_given_by: str,
    supplier_consent_date: date,
    image: UploadedFile | None = None,
    image_alt: str = "",
    video_url: str = "",
) -> Story:
    """Offer a case study to residents: it needs the participant's consent (on the case study), the
    supplier's consent (who and when), and alt text for an image. It is public from the next publication."""
    permission_require(member, WRITE)
    person = _person(actor, "offers a story")
    if not story_candidate_list(member=member).filter(pk=case_study.pk).exists():
        raise ApplicationError(
            "Only case studies on submitted returns of your agreements, with consent to publish recorded and "
            "not already a story, can be published.",
            field_errors={"case_study": "Choose a case study with consent recorded"},
        )
    if not supplier_consent_given_by.strip():
        message = "Enter who at the supplier agreed to publishing the story"
        raise ApplicationError(message + ".", field_errors={"supplier_consent_given_by": message})
    if supplier_consent_date > timezone.localdate():
        message = "The supplier's consent date must be today or in the past"
        raise ApplicationError(message + ".", field_errors={"supplier_consent_date": message})
    if image is not None:
        upload_check(image, types=IMAGE_TYPES, max_bytes=settings.STORY_IMAGE_MAX_BYTES, field="image")
        if not image_alt.strip():
            message = "Describe the image for people who cannot see it"
            raise ApplicationError(message + ".", field_errors={"image_alt": message})
    story = Story(
        organisation=member.organisation,
        case_study=case_study,
        supplier_consent_given_by=supplier_consent_given_by.strip(),
        supplier_consent_date=supplier_consent_date,
        image_alt=image_alt.strip() if image is not None else "",
        video_url=video_url.strip(),
        created_by=person,
    )
    if image is not None:
        story.image.save(image.name or "image", image, save=False)
    story.save()
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.STORY_CREATED,
        target=story,
        after={
            "case_study": case_study.pk,
            "supplier_consent_given_by": story.supplier_consent_given_by,
            "supplier_consent_date": supplier_consent_date.isoformat(),
            "image": bool(story.image),
            "video_url": story.video_url,
        },
    )
    return story


def _publish(*, actor: User | None, member: Member, note: str, withdrawn: bool = False) -> Publication:
    now = timezone.now()
    last = Publication.objects.filter(organisation=member.organisation).order_by("-number").first()
    previous = None if last is None or last.withdrawn else last.snapshot
    content = {} if withdrawn else hub_snapshot(organisation=member.organisation, now=now, previous=previous)
    number = (Publication.objects.filter(organisation=member.organisation).aggregate(top=Max("number"))["top"] or 0) + 1
    publication = Publication.objects.create(
        organisation=member.organisation,
        number=number,
        snapshot=content,
        note=note,
        withdrawn=withdrawn,
        published_at=now,
        published_by=actor if actor is not None and actor.pk else None,
    )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.HUB_WITHDRAWN if withdrawn else AuditAction.HUB_PUBLISHED,
        target=publication,
        after={
            "number": number,
            "note": note,
            "pages": [page["slug"] for page in content.get("pages", [])],
            "stories": [story["id"] for story in content.get("stories", [])],
            "reports": [report["id"] for report in content.get("reports", [])],
            "contracts": [contract["reference"] for contract in content.get("contracts", [])],
        },
    )
    return publication


@transaction.atomic
def hub_publish(*, actor: User | None, member: Member, note: str = "") -> Publication:
    """Publish the hub as it stands: a new snapshot, which the public pages read from now on."""
    permission_require(member, WRITE)
    return _publish(actor=actor, member=member, note=note.strip() or "Published")


@transaction.atomic
def hub_withdraw(*, actor: User | None, member: Member, note: str = "") -> Publication:
    """Take the whole hub down: its public pages answer 404 until it is published again."""
    permission_require(member, WRITE)
    last = Publication.objects.filter(organisation=member.organisation).order_by("-number").first()
    if last is None or last.withdrawn:
        raise ApplicationError("The hub is not public.")
    return _publish(actor=actor, member=member, note=note.strip() or "Withdrawn", withdrawn=True)


@transaction.atomic
def story_take_down(*, actor: User | None, member: Member, story: Story, reason: str) -> Story:
    """Take a story down, with the reason: it leaves the hub at once (the hub is published again without
    it, if it is public) and is never published again."""
    permission_require(member, WRITE)
    person = _person(actor, "takes a story down")
    own_require(member, story)
    if story.is_taken_down:
        raise ApplicationError("This story has already been taken down.")
    if not reason.strip():
        message = "Enter why the story is being taken down"
        raise ApplicationError(message + ".", field_errors={"reason": message})
    story.taken_down_at = timezone.now()
    story.taken_down_by = person
    story.taken_down_reason = reason.strip()
    story.save(update_fields=["taken_down_at", "taken_down_by", "taken_down_reason", "updated_at"])
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.STORY_TAKEN_DOWN,
        target=story,
        after={"reason": story.taken_down_reason},
    )
    last = Publication.objects.filter(organisation=member.organisation).order_by("-number").first()
    if last is not None and not last.withdrawn:
        _publish(
            actor=actor, member=member, note=f"Story “{story.case_study.title}” taken down: {story.taken_down_reason}"
        )
    return story
