"""The browsable API reference (/api/v1/docs/): Swagger UI from this site's own static files, under the
site's strict Content-Security-Policy (not bypassed here), asking nothing of any other address; and held to
axe and the 320 px reflow like every page, closed and with an operation open (its colours are darkened by
api/reference.css, and its unlabelled choices named by api/reference.js)."""

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect
from pytest_django.live_server_helper import LiveServer

from .support import assert_accessible


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_reference_renders_every_operation_under_the_strict_policy(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")  # the CSP applies
    page = context.new_page()
    problems: list[str] = []
    elsewhere: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    def on_request(request: Request) -> None:
        if not request.url.startswith(live_server.url) and not request.url.startswith("data:"):
            elsewhere.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", on_request)
    response = page.goto("/api/v1/docs/")
    assert response is not None and response.status == 200
    expect(page.get_by_text("Commonweal API", exact=False).first).to_be_visible()
    expect(page.get_by_text("Start a framework from a shipped template", exact=False).first).to_be_visible()
    expect(page.get_by_text("/api/v1/account/api-tokens/", exact=True).first).to_be_visible()
    context.close()
    assert not [problem for problem in problems if "Content Security Policy" in problem], problems
    assert not elsewhere, elsewhere


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_reference_passes_axe_and_fits_320_px_closed_and_with_an_operation_open(page: Page) -> None:
    page.goto("/api/v1/docs/")
    operation = page.get_by_text("/api/v1/account/api-tokens/", exact=True).first
    expect(operation).to_be_visible()
    assert_accessible(page)
    operation.click()
    expect(page.get_by_text("How many to answer", exact=False).first).to_be_visible()
    assert_accessible(page)
