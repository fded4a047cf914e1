"""The plan on a page in a real browser: the public page passes axe and links to its A4 PDF; the social
value lead's pages for priorities, the policy and a proposed ask pass axe too. The demo's priorities are
loaded with `demo_priorities_load`, which is idempotent, whether or not the demo loader calls it."""

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from commonweal.accounts.models import User
from commonweal.demo.services import DemoLoadResult
from commonweal.frameworks.services_priorities import demo_priorities_load, plan_publish, plan_unpublish
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from .support import assert_accessible, error_summary_items, follow, sign_in, submit

LEAD = "lead@northfield.example"


def demo_priorities() -> tuple[Organisation, User]:
    """The demo's priorities, policy and published plan (loading them again changes nothing)."""
    northfield = Organisation.objects.get(slug="northfield")
    lead = User.objects.get(email=LEAD)
    demo_priorities_load(actor=lead, member=Member.system(northfield))
    return northfield, lead


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_published_plan_passes_axe_and_links_to_a_pdf(
    page: Page, demo: DemoLoadResult, live_server: LiveServer
) -> None:
    northfield, lead = demo_priorities()
    plan_unpublish(actor=lead, member=Member.system(northfield))
    response = page.goto("/plan/northfield/")
    assert response is not None and response.status == 404
    plan_publish(
        actor=lead, member=Member.system(northfield), summary="Every contract should leave Northfield better off."
    )

    response = page.goto("/plan/northfield/")
    assert response is not None and response.status == 200
    expect(page).to_have_title("Social value plan – Northfield Borough Council – Commonweal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Our social value plan")
    expect(page.locator("main").get_by_role("heading", level=2)).to_have_text(
        ["Our priorities", "Places we focus on", "People we want to reach first", "What we ask of suppliers"]
    )
    expect(page.get_by_role("row", name="More local people in good work")).to_contain_text("5")
    expect(page.get_by_role("row", name="Services, £207,720.00 or more")).to_contain_text("at least 10%")
    assert_accessible(page)

    link = page.get_by_role("link", name="Download the plan on a page (PDF, A4)")
    href = link.get_attribute("href")
    assert href == "/plan/northfield.pdf"
    pdf = page.request.get(live_server.url + href)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_lead_edits_the_policy_and_proposes_and_adjusts_an_ask(page: Page, demo: DemoLoadResult) -> None:
    demo_priorities()
    sign_in(page, LEAD)
    page.goto("/o/northfield/priorities/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Priorities and proportionality")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="View the policy"))
    expect(page).to_have_title("Proportionality policy – Northfield Borough Council – Commonweal")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Edit band 7, Services at or above the threshold"))
    page.get_by_label("Minimum social value weighting (%)").fill("101")
    submit(page, "Save the band")
    assert error_summary_items(page) == [("The minimum weighting must be from 0 to 100", "#id_min_weighting_percent")]
    assert_accessible(page)

    page.goto("/o/northfield/priorities/ask/")
    assert_accessible(page)
    page.get_by_label("Estimated contract value (£)").fill("250000")
    page.get_by_label("Services").check()
    page.get_by_label("Duration (months)").fill("36")
    submit(page, "Propose the ask")
    expect(page.get_by_role("heading", name="The proposed ask")).to_be_visible()
    expect(page.get_by_text("This ask is not saved yet")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Minimum social value weighting (%)").fill("5")
    submit(page, "Show the adjusted ask")
    assert error_summary_items(page) == [
        (
            "The weighting must be at least 10%, the minimum band “Services at or above the threshold” sets",
            "#id_weighting",
        )
    ]
    assert_accessible(page)

    page.get_by_label("Minimum social value weighting (%)").fill("15")
    page.get_by_label("Why you changed the weighting").fill("Cabinet asked for 15% on care contracts")
    submit(page, "Show the adjusted ask")
    expect(page.get_by_role("heading", name="Your adjusted ask beside the proposal")).to_be_visible()
    expect(page.get_by_text("Reason: Cabinet asked for 15% on care contracts")).to_be_visible()
    assert_accessible(page)
