"""Two-factor sign-in in the browser: a council officer sets up an authenticator app (with and without
JavaScript), signs in again with a recovery code, and the lead sees who has not set it up; every page
passes axe and reflows at 320 px."""

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from commonweal.demo.services import DemoLoadResult

from .support import (
    assert_accessible,
    authenticator_code,
    error_summary_items,
    follow,
    key_from_text,
    submit,
    table_rows,
)

LEAD = "lead@northfield.example"


def password_sign_in(page: Page, email: str) -> None:
    page.goto("/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("demo-password-2026")
    submit(page, "Sign in")


def check(page: Page) -> None:
    assert_accessible(page)


def set_up_authenticator(page: Page) -> list[str]:
    """On the set-up page: a wrong code first, then the right one; the recovery codes shown."""
    expect(page).to_have_title("Set up two-factor sign-in – Commonweal")
    expect(page.locator(".app-qr-code svg")).to_be_visible()
    check(page)
    key = key_from_text(page.locator("#set-up-key").inner_text())

    page.get_by_label("Code from your authenticator app").fill("12345")
    submit(page, "Continue")
    assert [text for text, _ in error_summary_items(page)] == [
        "Enter the 6-digit code your authenticator app shows now"
    ]
    check(page)
    # The key did not change with the error: the app already holds it.
    assert key_from_text(page.locator("#set-up-key").inner_text()) == key

    page.get_by_label("Code from your authenticator app").fill(authenticator_code(key))
    submit(page, "Continue")
    expect(page).to_have_title("Save your recovery codes – Commonweal")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is set up")
    check(page)
    codes = [code.strip() for code in page.locator("#recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    return codes


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_officer_sets_up_two_factor_then_signs_in_with_a_recovery_code(
    page: Page, live_server: LiveServer, demo: DemoLoadResult
) -> None:
    password_sign_in(page, LEAD)
    codes = set_up_authenticator(page)
    follow(page, page.get_by_role("link", name="Continue"))
    expect(page).to_have_url(f"{live_server.url}/o/northfield/")

    # The lead sees who in the council has not set it up: everyone but the lead.
    page.goto("/o/northfield/people/two-factor/")
    expect(page).to_have_title("Two-factor sign-in – Northfield Borough Council – Commonweal")
    rows = table_rows(page.locator("table"))
    assert [row[1] for row in rows if row[3] == "Set up"] == [LEAD]
    assert sorted(row[1] for row in rows if row[3] == "Not set up") == [
        "broker@northfield.example",
        "councillor@northfield.example",
        "manager@northfield.example",
    ]
    expect(page.locator("#missing-count")).to_have_text("3 of 4 people have not set it up.")
    check(page)

    submit(page, "Sign out")
    password_sign_in(page, LEAD)
    expect(page).to_have_title("Enter your security code – Commonweal")
    check(page)
    page.get_by_label("Security code").fill("000 000")
    submit(page, "Continue")
    assert [text for text, _ in error_summary_items(page)] == [
        "Enter the code your authenticator app shows now, or one of your recovery codes"
    ]
    check(page)
    page.get_by_label("Security code").fill(codes[0])
    submit(page, "Continue")
    expect(page).to_have_url(f"{live_server.url}/o/northfield/")
    expect(page.get_by_role("main")).to_contain_text("You used a recovery code. You have 9 left.")
    assert_accessible(page)  # the dashboard (its reflow is the dashboard's own tests' concern)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_factor_set_up_works_without_javascript(
    nojs_page: Page, live_server: LiveServer, demo: DemoLoadResult
) -> None:
    page = nojs_page
    password_sign_in(page, "coordinator@anchors.example")
    set_up_authenticator(page)
    follow(page, page.get_by_role("link", name="Continue"))
    expect(page).to_have_url(f"{live_server.url}/o/northfield-anchors/")
