"""The demo council's public hub: every page passes axe, reflows at 320 px, has a meta description and works
without JavaScript; the social value lead writes a page, publishes and takes a story down."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from commonweal.accounts.models import User
from commonweal.demo.services import DemoLoadResult
from commonweal.reporting import services_consultations
from commonweal.reporting.models import Consultation
from commonweal.tenancy.selectors import member_access

from .support import assert_accessible, error_summary_items, follow, sign_in, submit, table_rows

SECTIONS = [
    ("What we ask", "What we ask of suppliers"),
    ("What was promised", "What was promised"),
    ("What was delivered", "What was delivered"),
    ("Where", "Where social value went"),
    ("Stories", "Stories"),
    ("Annual reports", "Annual social value reports"),
    ("How contracts are performing", "How contracts are performing"),
    ("Open data", "Open data"),
]


def check(page: Page) -> None:
    assert_accessible(page)
    description = page.locator('meta[name="description"]').get_attribute("content") or ""
    assert len(description) > 40, f"{page.url}: meta description {description!r}"


def walk_the_hub(page: Page) -> None:
    response = page.goto("/public/northfield/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Social value: what our spending does for the area")
    check(page)
    for link, heading in SECTIONS:
        page.goto("/public/northfield/")
        follow(page, page.get_by_role("main").get_by_role("link", name=link, exact=True).first)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check(page)
    page.goto("/public/northfield/what-we-ask/")
    follow(page, page.get_by_role("link", name="Guidance for suppliers"))
    expect(page.get_by_role("heading", level=2).first).to_have_text("Before you bid")
    check(page)
    page.goto("/public/northfield/stories/")
    follow(page, page.get_by_role("link", name="Back to work in the control room"))
    expect(page.get_by_text("Told with the consent of the people in it")).to_be_visible()
    check(page)
    page.goto("/public/northfield/reports/")
    follow(page, page.get_by_role("link", name="Social value impact report 2025/26"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Social value impact report 2025/26")
    check(page)
    page.goto("/public/northfield/where/")
    expect(page.locator("svg.app-hub-map path")).to_have_count(21)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_hub_page_passes_axe_reflows_and_has_a_description(page: Page, demo: DemoLoadResult) -> None:
    walk_the_hub(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_hub_works_without_javascript(nojs_page: Page, demo: DemoLoadResult) -> None:
    walk_the_hub(nojs_page)
    assert "js-enabled" not in (nojs_page.locator("body").get_attribute("class") or "")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_lead_writes_a_page_publishes_and_takes_a_story_down(page: Page, demo: DemoLoadResult) -> None:
    sign_in(page, "lead@northfield.example")
    follow(page, page.get_by_role("link", name="Public hub for residents"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Public hub")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Write a page"))
    assert_accessible(page)
    page.get_by_label("Title").fill("How to register as a supplier")
    page.get_by_label("Address").fill("register")
    page.get_by_label("Policy").check()
    page.get_by_label("Summary").fill("The steps a firm takes to register and bid for Northfield contracts.")
    page.get_by_label("Text").fill("## Register\n\nFill in the form.")
    page.get_by_label("Publish this page with the hub").check()
    submit(page, "Save the page")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is saved")
    submit(page, "Publish the hub now")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("publication 2")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="take down An apprentice on the tools"))
    assert_accessible(page)
    page.get_by_label("Why it is being taken down").fill("The apprentice asked us to.")
    submit(page, "Take the story down")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is taken down")
    page.goto("/public/northfield/stories/")
    expect(page.get_by_role("link", name="An apprentice on the tools")).to_have_count(0)
    page.goto("/public/northfield/what-we-ask/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text("How to register as a supplier")
    check(page)


def open_consultation() -> Consultation:
    lead = User.objects.get(email="lead@northfield.example")
    member = member_access(user=lead, slug="northfield")
    consultation = services_consultations.consultation_create(
        actor=lead,
        member=member,
        title="What should the new leisure centre contract do?",
        summary="Tell us which of these matters most to you.",
        place_codes=["E05015239", "E05015241"],
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 12, 31),
    )
    for title in ("Swimming lessons for schools", "Jobs for local people"):
        services_consultations.option_add(
            actor=lead, member=member, consultation=consultation, title=title, description="", cost=Decimal("20000"),
            outcome=None,
        )  # fmt: skip
    return services_consultations.consultation_open(actor=lead, member=member, consultation=consultation)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_resident_responds_without_javascript_and_reads_the_results(nojs_page: Page, demo: DemoLoadResult) -> None:
    page = nojs_page
    consultation = open_consultation()
    page.goto("/public/northfield/have-your-say/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Have your say")
    check(page)
    follow(page, page.get_by_role("link", name="What should the new leisure centre contract do?"))
    check(page)
    submit(page, "Send your response")
    assert [text for text, _ in error_summary_items(page)] == ["Choose at least one option"]
    check(page)
    page.get_by_label("Jobs for local people").check()
    page.get_by_label("Bowdon").check()
    submit(page, "Send your response")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    check(page)
    assert [option.title for option in consultation.responses.get().options.all()] == ["Jobs for local people"]

    page.goto("/public/northfield/have-your-say/")
    follow(page, page.get_by_role("link", name="See the results of What should our contracts do for the town centre?"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Results: What should our contracts do for the town centre?"
    )
    check(page)
    rows = table_rows(page.locator("table"))
    assert rows[0] == ["Altrincham (E05015239)", "14", "12", "fewer than 10"]
    expect(page.get_by_text("We now ask every town centre contract")).to_be_visible()
