"""The public hub: publishing is explicit and snapshotted, nothing unpublished, unconsented or below the
suppression threshold is shown or downloadable, a story taken down leaves at once (audited), and the open
data (CSV, JSON, OCDS with delivered KPIs, performance notices, Atom) says the same as the pages.

The world is the hand-computed year of tests/reporting_report_support.py (Handshire), plus a commitment in a
Trafford ward and one for Trafford as a whole, so the place table and the map have something to show:

- HWY-1: JOBS 12 due 31 January 2026, 10 verified (met: no, 10 < 12; past due, so partly met); SPEND 50,000
  due 31 March 2026, 30,000 claimed and nothing verified (not met);
- HSG-1: JOBS 8 due 30 September 2025, 6 verified (partly met), 2 rejected; JOBS 5 due 28 February 2025,
  5 verified (met);
- WARD-1: JOBS 4 in Altrincham ward (E05015239), 3 verified; JOBS 20 for Trafford (E08000009), 20 verified.
"""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.delivery import services_status
from commonweal.delivery.models import CaseStudy, DeliveryReturn, LineStatus, ReturnLine, ReturnState
from commonweal.frameworks.models import Measure
from commonweal.procurement.ocds import json_loads, package_problems
from commonweal.reporting import hub, services_public, services_report
from commonweal.reporting.models import Publication, Story
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member

from . import factories
from .conftest import built_once
from .reporting_report_support import Year, year_build

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
TODAY = date(2026, 12, 6)


def _ward_agreement(year: Year) -> None:
    jobs = Measure.objects.get(version=year.highways.framework_version, code="JOBS")
    ward = factories.AgreementFactory.create(
        organisation=year.buyer,
        supplier=year.supplier,
        framework_version=year.highways.framework_version,
        reference="WARD-1",
        title="Ward youth work",
    )
    altrincham = factories.CommitmentFactory.create(
        agreement=ward, measure=jobs, target_quantity=Decimal("4"), due_date=date(2026, 3, 31), place_code="E05015239"
    )
    trafford = factories.CommitmentFactory.create(
        agreement=ward, measure=jobs, target_quantity=Decimal("20"), due_date=date(2026, 3, 31), place_code="E08000009"
    )
    delivery_return = DeliveryReturn.objects.create(
        organisation=year.buyer,
        agreement=ward,
        state=ReturnState.SUBMITTED,
        submitted_by=year.supplier_user,
        narrative="Done.",
    )
    for commitment, quantity in ((altrincham, "3"), (trafford, "20")):
        ReturnLine.objects.create(
            organisation=year.buyer,
            delivery_return=delivery_return,
            commitment=commitment,
            quantity=Decimal(quantity),
            status=LineStatus.VERIFIED,
        )


def _build() -> tuple[Year, Year]:
    handshire = year_build("handshire")
    _ward_agreement(handshire)
    other = year_build("otherton")
    Organisation.objects.filter(pk=other.buyer.pk).update(name="Otherton Council")
    other.housing.title = "Otherton secret repairs"
    other.housing.save()
    return handshire, other


@pytest.fixture(scope="module")
def world_once(django_db_blocker: DjangoDbBlocker) -> Iterator[tuple[Year, Year]]:
    yield from built_once(django_db_blocker, _build)


@pytest.fixture
def year(world_once: tuple[Year, Year], db: None) -> Year:
    return world_once[0]


@pytest.fixture
def other(world_once: tuple[Year, Year], db: None) -> Year:
    return world_once[1]


def lead_of(year: Year) -> Member:
    return year.member(year.lead)


def publish(year: Year) -> Publication:
    return services_public.hub_publish(actor=year.lead, member=lead_of(year))


def story_of(year: Year, case: CaseStudy | None = None, **extra: Any) -> Story:
    return services_public.story_create(
        actor=year.lead,
        member=lead_of(year),
        case_study=case or year.case_study,
        supplier_consent_given_by="Director, Roadworks Partnership",
        supplier_consent_date=date(2025, 11, 2),
        **extra,
    )


def page(client: Client, name: str, org: str = "handshire", **kwargs: object) -> str:
    response = client.get(reverse(f"hub:{name}", kwargs={"org": org, **kwargs}))
    assert response.status_code == 200, f"{name}: {response.status_code}"
    return response.content.decode()


def commitments_by(snapshot: dict[str, Any], reference: str) -> list[dict[str, Any]]:
    return next(contract for contract in snapshot["contracts"] if contract["reference"] == reference)["commitments"]


# --- Publishing ---------------------------------------------------------------------------------------------


def test_nothing_is_public_until_the_hub_is_published(client: Client, year: Year) -> None:
    assert client.get(reverse("hub:home", kwargs={"org": "handshire"})).status_code == 404
    client.force_login(year.lead)
    assert client.get(reverse("hub:home", kwargs={"org": "handshire"})).status_code == 404


def test_publishing_keeps_a_snapshot_and_is_audited(client: Client, year: Year) -> None:
    publication = publish(year)
    assert publication.number == 1
    assert [contract["reference"] for contract in publication.snapshot["contracts"]] == ["HSG-1", "HWY-1", "WARD-1"]
    event = AuditEvent.objects.get(action="hub.published", object_id=str(publication.pk))
    assert event.after["contracts"] == ["HSG-1", "HWY-1", "WARD-1"]
    assert services_public.hub_publish(actor=year.lead, member=lead_of(year)).number == 2


def test_the_hub_shows_the_snapshot_not_what_changed_since(client: Client, year: Year) -> None:
    publish(year)
    services_public.page_save(
        actor=year.lead, member=lead_of(year), kind="guidance", slug="later", title="Written later",
        summary="Later.", body="Later words.", ready=True,
    )  # fmt: skip
    assert "Written later" not in page(client, "ask")
    assert client.get(reverse("hub:page", kwargs={"org": "handshire", "slug": "later"})).status_code == 404
    publish(year)
    assert "Written later" in page(client, "ask")


def test_a_draft_page_is_never_published(client: Client, year: Year) -> None:
    services_public.page_save(
        actor=year.lead, member=lead_of(year), kind="policy", slug="draft", title="Draft policy",
        summary="Not ready.", body="Draft words.", ready=False,
    )  # fmt: skip
    publish(year)
    assert "Draft policy" not in page(client, "ask")
    assert "Draft policy" not in client.get(reverse("hub:json", kwargs={"org": "handshire"})).content.decode()


def test_withdrawing_takes_every_public_page_down(client: Client, year: Year) -> None:
    publish(year)
    services_public.hub_withdraw(actor=year.lead, member=lead_of(year), note="Pausing")
    for name in ("home", "promised", "csv", "json", "ocds", "feed"):
        assert client.get(reverse(f"hub:{name}", kwargs={"org": "handshire"})).status_code == 404
    with pytest.raises(ApplicationError, match="not public"):
        services_public.hub_withdraw(actor=year.lead, member=lead_of(year))


def test_only_a_social_value_lead_publishes(year: Year) -> None:
    with pytest.raises(PermissionRefused):
        services_public.hub_publish(actor=year.viewer, member=year.member(year.viewer))
    assert not Publication.objects.filter(organisation=year.buyer).exists()


def test_the_lead_publishes_from_the_hub_page(client: Client, year: Year) -> None:
    client.force_login(year.lead)
    response = client.post(reverse("reporting:hub-admin", kwargs={"org": "handshire"}), {"hub-note": "First"})
    assert response.status_code == 302
    assert Publication.objects.get(organisation=year.buyer).note == "First"
    client.force_login(year.viewer)
    response = client.post(reverse("reporting:hub-admin", kwargs={"org": "handshire"}), {"hub-note": "Second"})
    assert response.status_code == 404
    assert Publication.objects.filter(organisation=year.buyer).count() == 1


# --- Pages: Markdown-lite, sanitised ----------------------------------------------------------------------


def test_markdown_lite_escapes_everything_typed_and_allows_only_web_links() -> None:
    html = hub.markdown_lite(
        "## Before you bid\n\nRead **this** and [our plan](https://example.org/plan).\n\n"
        "- one\n- <script>alert(1)</script>\n\n[bad](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    assert '<h2 class="govuk-heading-m">Before you bid</h2>' in html
    assert '<strong>this</strong> and <a class="govuk-link" href="https://example.org/plan">our plan</a>' in html
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt;</li>" in html
    assert "[bad](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html and "<img" not in html


def test_two_pages_cannot_share_an_address(year: Year) -> None:
    fields: dict[str, Any] = {"kind": "guidance", "title": "Guide", "summary": "S.", "body": "B."}
    services_public.page_save(actor=year.lead, member=lead_of(year), slug="guide", **fields)
    with pytest.raises(ApplicationError) as refused:
        services_public.page_save(actor=year.lead, member=lead_of(year), slug="guide", **fields)
    assert refused.value.field_errors == {"slug": "Another page has the address “guide”: choose another"}


# --- Stories: consent, images, taking down ---------------------------------------------------------------------


def test_a_case_study_without_the_participants_consent_cannot_be_a_story(year: Year) -> None:
    with pytest.raises(ApplicationError, match="consent to publish recorded"):
        story_of(year, year.unconsented_case_study)


def test_a_story_needs_the_suppliers_consent_and_alt_text_for_its_image(year: Year) -> None:
    with pytest.raises(ApplicationError, match="who at the supplier"):
        services_public.story_create(
            actor=year.lead, member=lead_of(year), case_study=year.case_study,
            supplier_consent_given_by=" ", supplier_consent_date=date(2025, 11, 2),
        )  # fmt: skip
    with pytest.raises(ApplicationError, match="Describe the image"):
        story_of(year, image=SimpleUploadedFile("a.png", PNG, content_type="image/png"))
    with pytest.raises(ApplicationError, match="PNG"):
        story_of(year, image=SimpleUploadedFile("a.gif", b"GIF89a", content_type="image/gif"), image_alt="A gif")
    assert not year.case_study.__class__.objects.filter(public_story__isnull=False).exists()


def test_a_consented_story_is_public_with_its_image_and_video_link(client: Client, year: Year) -> None:
    story = story_of(
        year,
        image=SimpleUploadedFile("amira.png", PNG, content_type="image/png"),
        image_alt="Amira at the repairs depot",
        video_url="https://video.example/amira",
    )
    publish(year)
    text = page(client, "story", pk=story.pk)
    assert "Amira&#x27;s first job in twenty years" in text
    assert 'alt="Amira at the repairs depot"' in text
    assert 'href="https://video.example/amira"' in text
    assert "A story nobody agreed to publish" not in page(client, "stories")
    image = client.get(reverse("hub:story-image", kwargs={"org": "handshire", "pk": story.pk}))
    assert image.status_code == 200 and image.content == PNG and image["Content-Type"] == "image/png"


def test_taking_a_story_down_removes_it_at_once_and_is_audited(client: Client, year: Year) -> None:
    story = story_of(year, image=SimpleUploadedFile("amira.png", PNG, content_type="image/png"), image_alt="Amira")
    publish(year)
    services_public.story_take_down(actor=year.lead, member=lead_of(year), story=story, reason="Amira asked us to")
    for name, kwargs in (("story", {"pk": story.pk}), ("story-image", {"pk": story.pk})):
        assert client.get(reverse(f"hub:{name}", kwargs={"org": "handshire", **kwargs})).status_code == 404
    assert "first job" not in page(client, "stories")
    assert "first job" not in client.get(reverse("hub:feed", kwargs={"org": "handshire"})).content.decode()
    event = AuditEvent.objects.get(action="story.taken_down", object_id=str(story.pk))
    assert event.after == {"reason": "Amira asked us to"} and event.actor == year.lead
    latest = Publication.objects.filter(organisation=year.buyer).order_by("-number").first()
    assert latest is not None and latest.number == 2 and "taken down: Amira asked us to" in latest.note
    publish(year)  # and it never comes back
    assert client.get(reverse("hub:story", kwargs={"org": "handshire", "pk": story.pk})).status_code == 404
    with pytest.raises(ApplicationError, match="already been taken down"):
        services_public.story_take_down(actor=year.lead, member=lead_of(year), story=story, reason="Again")


def test_taking_a_story_down_needs_a_reason(year: Year) -> None:
    story = story_of(year)
    with pytest.raises(ApplicationError, match="why the story"):
        services_public.story_take_down(actor=year.lead, member=lead_of(year), story=story, reason="  ")


# --- What was promised and delivered, and small numbers -----------------------------------------------------


def test_promised_and_delivered_show_verified_and_claimed_apart_with_status(client: Client, year: Year) -> None:
    snapshot = publish(year).snapshot
    highways = {item["measure_code"]: item for item in commitments_by(snapshot, "HWY-1")}
    assert highways["JOBS"]["verified"] == {"value": "10.00", "text": ""}
    assert highways["JOBS"]["status"] == "partiallyMet"  # 10 of 12, due 31 January 2026
    assert highways["SPEND"]["claimed"] == {"value": "30000.00", "text": ""}
    assert highways["SPEND"]["verified"] == {"value": "0", "text": ""}
    assert highways["SPEND"]["status"] == "notMet"
    housing = commitments_by(snapshot, "HSG-1")
    assert [(item["target"], item["verified"], item["status"]) for item in housing] == [
        ("5.00", {"value": None, "text": "fewer than 10"}, "met"),
        ("8.00", {"value": None, "text": "fewer than 10"}, "partiallyMet"),
    ]
    text = page(client, "delivered")
    assert "Partly met" in text and "Not met" in text and "fewer than 10" in text


def test_small_counts_are_never_shown_or_downloadable(client: Client, year: Year) -> None:
    snapshot = publish(year).snapshot
    jobs = next(measure for measure in snapshot["where"] if measure["measure_code"] == "JOBS")
    rows = {row["code"]: row for row in jobs["rows"]}
    # Altrincham's 3 is below 10 and hidden; the next smallest verified (Trafford's 20) goes with it so
    # neither can be worked out from the total of 44 (21 across the area: 10 + 6 + 5).
    assert rows["E05015239"]["verified"] == {"value": None, "text": "fewer than 10"}
    assert rows["E05015239"]["label"] == "Altrincham (E05015239)"
    assert rows["E08000009"]["verified"] == {"value": None, "text": "fewer than 10"}
    assert rows["E08000009"]["label"] == "Trafford (E08000009)"
    assert rows[""]["verified"] == {"value": "21.00", "text": ""}
    assert jobs["totals"]["verified"] == {"value": "44.00", "text": ""}
    # And nothing else gives them back: Trafford's commitment and the JOBS totals over all contracts are hidden.
    trafford = next(item for item in commitments_by(snapshot, "WARD-1") if item["place_code"] == "E08000009")
    assert trafford["verified"] == trafford["claimed"] == {"value": None, "text": "fewer than 10"}
    totals = next(measure for measure in snapshot["delivered"] if measure["measure_code"] == "JOBS")
    assert totals["verified"] == {"value": None, "text": "fewer than 10"}
    assert rows["E05015239"]["committed"] == {"value": "4.00", "text": ""}  # a target is a contract term
    downloads = {name: client.get(reverse(f"hub:{name}", kwargs={"org": "handshire"})) for name in ("csv", "json")}
    for row in csv.DictReader(io.StringIO(downloads["csv"].content.decode())):
        if row["text"] == "fewer than 10":
            assert row["value"] == "", row
    assert '"3.00"' not in downloads["json"].content.decode()
    where = page(client, "where")
    cell = '<td class="govuk-table__cell govuk-table__cell--numeric">'
    assert f"Altrincham (E05015239)</th>{cell}4</td>{cell}fewer than 10</td>" in where
    assert f"Trafford (E08000009)</th>{cell}20</td>{cell}fewer than 10</td>" in where


def test_the_map_is_drawn_on_the_server_with_the_wards_shaded(client: Client, year: Year) -> None:
    snapshot = publish(year).snapshot
    svg = snapshot["map"]["svg"]
    assert svg.count("<path ") == 21  # Trafford's wards
    assert "<title>Altrincham (E05015239): delivery verified</title>" in svg
    assert 'role="img"' in svg
    text = page(client, "where")
    assert "Contains OS data" in text and "Altrincham (E05015239)" in text


def test_there_is_no_map_without_boundaries(settings: object, tmp_path: object, year: Year) -> None:
    settings.BOUNDARIES_DIR = tmp_path  # type: ignore[attr-defined]
    assert publish(year).snapshot["map"] is None


# --- Open data ------------------------------------------------------------------------------------------------


def test_the_ocds_releases_carry_delivered_quantities_and_status_and_validate(client: Client, year: Year) -> None:
    publish(year)
    response = client.get(reverse("hub:ocds", kwargs={"org": "handshire"}))
    package = json_loads(response.content.decode())
    assert package_problems(package) == []
    assert [release["tag"] for release in package["releases"]] == [["implementation"]] * 3
    highways = next(release for release in package["releases"] if release["ocid"].endswith("HWY-1"))
    milestones = {m["code"]: m for m in highways["contracts"][0]["milestones"]}
    assert milestones["JOBS"]["status"] == "partiallyMet"
    assert milestones["JOBS"]["socialValueCommitment"]["deliveredQuantity"] == Decimal("10")
    assert milestones["SPEND"]["status"] == "notMet"
    housing = next(release for release in package["releases"] if release["ocid"].endswith("HSG-1"))
    small = housing["contracts"][0]["milestones"][0]["socialValueCommitment"]
    assert "deliveredQuantity" not in small and small["deliveredQuantityText"] == "fewer than 10"


def test_a_performance_notice_record_for_each_confirmed_rating(client: Client, year: Year) -> None:
    services_status.assessment_confirm(
        actor=year.contract_manager,
        member=year.member(year.contract_manager),
        agreement=year.highways,
        rating="requires_improvement",
        reason="Local spend not yet evidenced",
        today=date(2026, 4, 1),
    )
    publish(year)
    notices = client.get(reverse("hub:performance-notices", kwargs={"org": "handshire"})).json()["notices"]
    assert [(n["noticeType"], n["contractReference"], n["rating"], n["assessmentDate"]) for n in notices] == [
        ("UK9", "HWY-1", "requires_improvement", "2026-04-01")
    ]
    assert "Requires improvement" in page(client, "performance")


def test_the_feed_lists_new_stories_and_reports(client: Client, year: Year) -> None:
    member = lead_of(year)
    report = services_report.report_create(
        actor=year.lead, member=member, year=year.year, title="Handshire impact 2025/26", summary="A good year."
    )
    services_report.report_submit(actor=year.lead, member=member, report=report)
    services_report.report_sign_off(actor=year.second_lead, member=year.member(year.second_lead), report=report)
    version = services_report.report_publish(actor=year.lead, member=member, report=report)
    story = story_of(year)
    publish(year)
    feed = ET.fromstring(client.get(reverse("hub:feed", kwargs={"org": "handshire"})).content)
    atom = "{http://www.w3.org/2005/Atom}"
    titles = sorted(entry.findtext(f"{atom}title") or "" for entry in feed.iter(f"{atom}entry"))
    assert titles == ["Report: Handshire impact 2025/26 (version 1)", "Story: Amira's first job in twenty years"]
    assert "Handshire impact 2025/26" in page(client, "report", pk=version.pk)
    assert story.pk in [item["id"] for item in json.loads(page(client, "json"))["stories"]]


def test_every_public_page_has_a_meta_description(client: Client, year: Year) -> None:
    story = story_of(year)
    services_public.page_save(
        actor=year.lead, member=lead_of(year), kind="guidance", slug="guide", title="Guide",
        summary="How to bid for Handshire contracts.", body="Words.", ready=True,
    )  # fmt: skip
    publish(year)
    routes: list[tuple[str, dict[str, Any]]] = [
        *(
            (name, {})
            for name in ("home", "ask", "promised", "delivered", "where", "stories", "reports", "performance", "data")
        ),
        ("page", {"slug": "guide"}),
        ("story", {"pk": story.pk}),
    ]
    for name, kwargs in routes:
        text = page(client, name, **kwargs)
        assert '<meta name="description" content="' in text and 'content=""' not in text, name
    assert '<meta name="description" content="How to bid for Handshire contracts.">' in page(
        client, "page", slug="guide"
    )


def test_one_hub_never_shows_another_organisations_data(client: Client, year: Year, other: Year) -> None:
    publish(year)
    publish(other)
    for name in ("home", "promised", "delivered", "where", "performance", "csv", "json", "ocds"):
        text = page(client, name)
        assert "Otherton" not in text and "otherton" not in text, name
    assert "Otherton secret repairs" in page(client, "promised", org="otherton")


# --- Plain English ------------------------------------------------------------------------------------------

PLAIN_ENGLISH_MINIMUM = 60  # Flesch reading ease: 60 to 70 is plain English, read easily by 13 to 15 year olds


def syllables(word: str) -> int:
    """Groups of vowels, less a silent final e: close enough for a score over many sentences."""
    word = word.lower()
    count = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


def reading_ease(text: str) -> float:
    sentences = max(len(re.findall(r"[.!?:](\s|$)", text)), 1)
    words = re.findall(r"[A-Za-z’']+", text)
    return 206.835 - 1.015 * len(words) / sentences - 84.6 * sum(map(syllables, words)) / len(words)


def fixed_text(html: str) -> str:
    """The paragraphs of the page's main content, without tags."""
    main = html.split('<main class="govuk-main-wrapper" id="main-content">', 1)[1].split("</main>", 1)[0]
    paragraphs = re.findall(r'<p class="govuk-body[^"]*">(.*?)</p>', main, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", "", paragraph) for paragraph in paragraphs)


def test_reading_ease_scores_simple_and_hard_text_apart() -> None:
    assert reading_ease("We paid firms to do work. They hired local people.") > 80
    assert (
        reading_ease("Notwithstanding contractual obligations, verification necessitates documentary substantiation.")
        < 0
    )


@pytest.mark.parametrize("name", ["home", "ask", "promised", "delivered", "where", "performance", "data"])
def test_the_fixed_texts_of_the_hub_are_plain_english(client: Client, year: Year, name: str) -> None:
    publish(year)
    score = reading_ease(fixed_text(page(client, name)))
    assert score >= PLAIN_ENGLISH_MINIMUM, f"{name}: Flesch reading ease {score:.0f}"
