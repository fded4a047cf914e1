"""The browsable API reference (/api/v1/docs/): Swagger UI from this site's own static files, under the
site's strict Content-Security-Policy (not bypassed here), asking nothing of any other address.

Swagger UI is a third-party interface and is not held to axe here (nor in any crawl of the pages): the
GOV.UK guide at /api/v1/ and docs/api.md are the accessible description of the API."""

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Request, expect
from pytest_django.live_server_helper import LiveServer


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
