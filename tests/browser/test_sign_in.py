"""Signing in as each demo role, and being locked out after too many wrong passwords."""

import pytest
import yaml
from django.conf import settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from commonweal.accounts.models import ApiToken, User
from commonweal.accounts.services import api_token_digest
from commonweal.demo.services import DEMO_FILE, DemoLoadResult
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.services import membership_grant

from .support import assert_accessible, follow, sign_in, submit, table_rows

DEMO = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
ORGANISATION_NAMES = {item["slug"]: item["name"] for item in DEMO["organisations"]}


def agreements_of(slug: str) -> list[str]:
    """References of the demo agreements the organisation buys or supplies, in reference order."""
    return sorted(item["reference"] for item in DEMO["agreements"] if slug in (item["buyer"], item["supplier"]))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("account", DEMO["users"], ids=lambda account: account["role"])
def test_each_demo_role_signs_in_to_their_dashboard(
    page: Page, live_server: LiveServer, demo: DemoLoadResult, account: dict[str, str]
) -> None:
    slug = account["organisation"]
    sign_in(page, account["email"])

    # Every demo account belongs to exactly one organisation, so home sends it straight to the dashboard.
    expect(page).to_have_url(f"{live_server.url}/o/{slug}/")
    expect(page).to_have_title(f"{ORGANISATION_NAMES[slug]} – Commonweal")
    expect(page.get_by_role("heading", level=1)).to_have_text(ORGANISATION_NAMES[slug])
    navigation = page.get_by_role("navigation", name="Menu")
    expect(navigation.get_by_role("link", name=ORGANISATION_NAMES[slug])).to_have_attribute("aria-current", "true")
    expect(navigation.get_by_role("button", name="Sign out")).to_be_visible()
    references = agreements_of(slug)
    if references:
        agreements = page.locator("table").filter(has=page.get_by_role("columnheader", name="Reference"))
        assert [row[0] for row in table_rows(agreements)] == references
    else:
        expect(page.get_by_text("There are no agreements yet.")).to_be_visible()
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_too_many_wrong_passwords_lock_the_address_out(page: Page, demo: DemoLoadResult) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    assert limit >= 2
    for attempt in range(1, limit + 1):
        response = sign_in(page, "manager@northfield.example", password=f"wrong-password-{attempt}")
        if attempt < limit:
            assert response.status == 200
            expect(page).to_have_title("Error: Sign in – Commonweal")
            expect(page.locator(".govuk-error-summary__list")).to_have_text(
                "Enter a correct email address and password"
            )
            assert_accessible(page)
    assert response.status == 429
    expect(page).to_have_title("Too many attempts to sign in – Commonweal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts to sign in")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    expect(page.get_by_role("main")).to_contain_text(
        f"you cannot sign in with this email address from this device for {minutes} minutes."
    )
    expect(page.get_by_role("link", name="reset your password")).to_have_attribute("href", "/account/password-reset/")
    assert_accessible(page)

    # Locked out, even the right password does not get in.
    assert sign_in(page, "manager@northfield.example").status == 429
    expect(page).to_have_title("Too many attempts to sign in – Commonweal")
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_other_signed_in_pages_pass_axe(page: Page, live_server: LiveServer, demo: DemoLoadResult) -> None:
    """Someone in two organisations chooses one; the agreement list and API token pages pass axe."""
    lead = User.objects.get(email="lead@northfield.example")
    membership_grant(
        actor=None,
        organisation=Organisation.objects.get(slug="riverside-trust"),
        user=lead,
        role=Role.COMMUNITY_CONTACT,
    )
    sign_in(page, lead.email)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page).to_have_title("Choose an organisation – Commonweal")
    choices = page.get_by_role("main").get_by_role("listitem")
    expect(choices).to_have_text(
        ["Northfield Borough Council (public body)", "Riverside Community Trust (community organisation)"]
    )
    assert_accessible(page)

    follow(page, page.get_by_role("main").get_by_role("link", name="Northfield Borough Council"))
    expect(page).to_have_url(f"{live_server.url}/o/northfield/")
    assert_accessible(page)
    page.goto("/o/northfield/agreements/")
    expect(page).to_have_title("Agreements – Northfield Borough Council – Commonweal")
    agreements = page.locator("table").filter(has=page.get_by_role("columnheader", name="Supplier"))
    assert [row[:3] for row in table_rows(agreements)] == [
        ["NBC-2025-118", "CCTV network and control room upgrade", "Pennine Vision Systems Ltd"],
        ["NBC-2025-203", "Grounds maintenance, parks and cemeteries", "Greenway Facilities Ltd"],
        ["NBC-2026-014", "Northfield library refurbishment", "Brightside Construction Ltd"],
    ]
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="API tokens"))
    expect(page).to_have_title("API tokens – Commonweal")
    expect(page.locator("#api-token")).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Name").fill("Power BI report")
    submit(page, "Create token")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your token “Power BI report” has been created."
    )
    token = page.locator("#api-token").inner_text()
    assert ApiToken.objects.get(user=lead).key_digest == api_token_digest(token)
    assert_accessible(page)
