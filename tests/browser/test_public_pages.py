"""Pages anyone can see pass axe; the skip link works from the keyboard; the strict CSP breaks nothing."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from commonweal.demo.services import DemoLoadResult

from .support import assert_accessible, error_summary_items, follow, sign_in, submit

PUBLIC_PAGES = [
    ("/", "Social value, end to end"),
    ("/account/sign-in/", "Sign in"),
    ("/account/password-reset/", "Reset your password"),
    ("/accessibility/", "Accessibility statement for Commonweal"),
    ("/cookies/", "Cookies"),
    ("/api/v1/", "Commonweal API"),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_pages_pass_axe(page: Page) -> None:
    for path, heading in PUBLIC_PAGES:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("link", name="Sign in", exact=True).first).to_be_visible()
        assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_missing_page_shows_the_styled_404(page: Page) -> None:
    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page).to_have_title("Page not found – Commonweal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="Go to the start page")).to_have_attribute("href", "/")
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_password_reset_by_email(page: Page, demo: DemoLoadResult) -> None:
    page.goto("/account/sign-in/")
    follow(page, page.get_by_role("link", name="I have forgotten my password"))
    expect(page).to_have_title("Reset your password – Commonweal")
    assert_accessible(page)

    submit(page, "Send the link")
    # Django's default wording; the GOV.UK style would be "Enter your email address".
    assert error_summary_items(page) == [("This field is required.", "#id_email")]
    assert_accessible(page)

    page.get_by_label("Email address").fill("lead@northfield.example")
    submit(page, "Send the link")
    expect(page).to_have_url(re.compile(r"/account/password-reset/sent/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    resets = [message for message in mail.outbox if "/account/password-reset/" in str(message.body)]
    assert len(resets) == 1
    assert resets[0].to == ["lead@northfield.example"]
    link = re.search(r"https?://\S+/account/password-reset/\S+/", str(resets[0].body))
    assert link is not None
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("a-brand-new-passphrase-2026")
    page.get_by_label("New password confirmation").fill("a-brand-new-passphrase-2026")
    submit(page, "Save the new password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    assert_accessible(page)

    sign_in(page, "lead@northfield.example", password="a-brand-new-passphrase-2026")
    expect(page).to_have_title("Northfield Borough Council – Commonweal")
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page: Page) -> None:
    page.goto("/")
    assert_accessible(page)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    expect(page).to_have_url(re.compile(r"#main-content$"))
    # The next Tab goes to the first link in the content, not back to the header.
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_real_content_security_policy(
    browser: Browser, live_server: LiveServer, demo: DemoLoadResult
) -> None:
    """Without bypass_csp: the nonce'd inline script and GOV.UK Frontend's module both run, unblocked."""
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        blocked: list[str] = []
        page.on("console", lambda message: blocked.append(message.text) if message.type == "error" else None)
        response = page.goto("/")
        assert response is not None
        assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
        expect(page.locator("body")).to_have_class("govuk-template__body js-enabled govuk-frontend-supported")
        # GOV.UK Frontend's skip link module ran: it makes the target focusable when the link is used.
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("#main-content")).to_be_focused()
        assert blocked == []
    finally:
        context.close()
