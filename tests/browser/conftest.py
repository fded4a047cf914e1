"""Browser fixtures: one Debian Chromium per session, a fresh context per test, and the demo data."""

import copy
import os
import sqlite3
from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response, sync_playwright
from pytest_django.live_server_helper import LiveServer

from commonweal.demo.services import DemoLoadResult, demo_load

from .support import JAVASCRIPT_OFF

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

# Playwright's sync API keeps an asyncio loop registered as running on the main thread, so Django's
# "async unsafe" check would refuse the ORM calls the tests and fixtures make while it is open.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _context(browser: Browser, live_server: LiveServer, *, javascript: bool) -> BrowserContext:
    # bypass_csp lets the tests inject axe-core despite the site's strict Content-Security-Policy.
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, java_script_enabled=javascript, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    if not javascript:
        JAVASCRIPT_OFF.add(context)
    return context


# The demo database as the first test of this process loaded it, and what loading it said (SQLite only).
_demo_loaded: list[tuple[sqlite3.Connection, DemoLoadResult]] = []


@pytest.fixture
def demo(transactional_db: None, live_server: LiveServer) -> DemoLoadResult:
    """The demo organisations, people and agreements, loaded into the live server's database; the spend
    tests bring the payments they need (see test_spend_*), and the procurement tests their procurements.

    On SQLite (the browser tests' database, in memory and shared with the live server) the demo is loaded
    once per process and copied back whole before each later test with SQLite's backup API, which takes
    milliseconds where loading takes seconds. Each test still starts from exactly the loaded demo, and its
    writes are emptied away after it as before. The evidence files the demo stores stay in this run's
    media folder, so the copied rows find them."""
    if connection.vendor != "sqlite":
        return demo_load(spend=False, procurement=False)
    connection.ensure_connection()
    live = connection.connection
    if _demo_loaded:
        loaded, result = _demo_loaded[0]
        loaded.backup(live)
        # Emptying the tables after the last test made its content types again, under other ids.
        ContentType.objects.clear_cache()
        return copy.deepcopy(result)
    result = demo_load(spend=False, procurement=False)
    loaded = sqlite3.connect(":memory:", check_same_thread=False)
    live.backup(loaded)
    _demo_loaded.append((loaded, result))
    return copy.deepcopy(result)


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = _context(browser, live_server, javascript=True)
    yield context
    context.close()


def _watch(page: Page) -> list[str]:
    """Collect the page's script errors, console errors and failed subresource loads."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # The browser logs every 4xx page as a failed load; the tests check those statuses themselves.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status} for {response.url}")

    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", on_console)
    page.on("response", on_response)
    return problems


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    problems = _watch(page)
    yield page
    assert not problems, "\n".join(problems)


@pytest.fixture
def nojs_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A page in a context with JavaScript turned off, as some people browse."""
    context = _context(browser, live_server, javascript=False)
    page = context.new_page()
    problems = _watch(page)
    yield page
    context.close()
    assert not problems, "\n".join(problems)
