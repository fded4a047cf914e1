"""Helpers for the browser tests: the axe-core check, screenshots, signing in and form submission."""

import base64
import re
import time
import weakref
from pathlib import Path
from typing import Any

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Locator, Page, Response, Route, expect

from commonweal.demo.services import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent
AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SHOTS_DIR = Path("/tmp/commonweal-shots")
_shot_names: set[str] = set()
# Contexts opened with JavaScript turned off (see conftest); axe cannot run inside their pages.
JAVASCRIPT_OFF: "weakref.WeakSet[BrowserContext]" = weakref.WeakSet()

_AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
}"""


def screenshot(page: Page) -> Path:
    """Save a full-page screenshot named after the page title, once per distinct title in a run."""
    name = re.sub(r"[^a-z0-9]+", "-", page.title().lower()).strip("-") or "untitled"
    path = SHOTS_DIR / f"{name}.png"
    if name not in _shot_names:
        _shot_names.add(name)
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Page) -> None:
    """Run axe-core against the page's WCAG 2.2 A and AA rules; fail listing every violation. Then check the
    page reflows: at 320 CSS px wide it must not scroll sideways (WCAG 1.4.10).

    Also screenshots the page (once per distinct title) into SHOTS_DIR, so pages can be looked at.
    axe is evaluated by the test, not loaded by the page, so the strict CSP is no obstacle (with bypass_csp).
    """
    page.wait_for_load_state("load")
    screenshot(page)
    if page.context in JAVASCRIPT_OFF:
        violations = _axe_without_javascript(page)
    else:
        violations = _axe(page)
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["targets"]) for v in violations
    )
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n{report}"
    _assert_reflows(page)


NARROW_WIDTH = 320  # CSS px: WCAG 1.4.10 reflow


def _assert_reflows(page: Page) -> None:
    """At 320 CSS px wide the page must not scroll sideways (wide tables scroll inside their own box)."""
    size = page.viewport_size
    page.set_viewport_size({"width": NARROW_WIDTH, "height": 900})
    try:
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {NARROW_WIDTH}px wide"
    finally:
        if size is not None:
            page.set_viewport_size(size)


def _axe(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN, AXE_TAGS)
    return violations


def _axe_without_javascript(page: Page) -> list[dict[str, Any]]:
    """Check a page shown with JavaScript off: axe needs timers, which never fire in such a page.

    The page's DOM, which no script has touched, is served again at the same address, with its scripts
    removed, to a scratch JavaScript-enabled context; the same stylesheets load, and axe runs there.
    """
    html: str = page.evaluate(
        """() => {
          const root = document.documentElement.cloneNode(true);
          root.querySelectorAll("script").forEach((script) => script.remove());
          return "<!DOCTYPE html>" + root.outerHTML;
        }"""
    )
    url = page.url.split("#")[0]
    browser = page.context.browser
    assert browser is not None
    scratch = browser.new_context(bypass_csp=True, viewport=page.viewport_size)
    try:

        def serve(route: Route) -> None:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        scratch.route(url, serve)
        copy = scratch.new_page()
        copy.goto(url)
        return _axe(copy)
    finally:
        scratch.close()


def follow(page: Page, target: Locator) -> Response:
    """Click a link or button, wait for the page it leads to to load, and return its response."""
    with page.expect_navigation() as navigation:
        target.click()
    response = navigation.value
    assert response is not None
    return response


def submit(page: Page, button: str) -> Response:
    return follow(page, page.get_by_role("button", name=button, exact=True))


TOTP_STEP_SECONDS = 30
SET_UP_TITLE = "Set up two-factor sign-in – Commonweal"
VERIFY_TITLE = "Enter your security code – Commonweal"


def authenticator_code(key: str, *, after_step: int = -1) -> str:
    """What an authenticator app holding `key` (hex) shows: the code of the current 30-second step, or of
    the next one if the current one was used (`after_step`), waiting if even that is too far ahead."""
    step = max(int(time.time()) // TOTP_STEP_SECONDS, after_step + 1)
    while step > int(time.time()) // TOTP_STEP_SECONDS + 1:  # the service accepts one step either side
        time.sleep(1)
    totp = TOTP(bytes.fromhex(key))
    totp.time = step * TOTP_STEP_SECONDS
    return f"{totp.token():06d}"


def key_from_text(text: str) -> str:
    """The hex key from the set-up page's text key (base32 in groups of four)."""
    compact = "".join(text.split())
    return base64.b32decode(compact + "=" * (-len(compact) % 8)).hex()


def finish_two_factor(page: Page, email: str) -> Response | None:
    """If the service asks, set up an authenticator app (reading the key the page gives as text) or enter
    the code of the one already set up, as the person would; None if it did not ask."""
    if page.title() == SET_UP_TITLE:
        key = key_from_text(page.locator("#set-up-key").inner_text())
        page.get_by_label("Code from your authenticator app").fill(authenticator_code(key))
        submit(page, "Continue")
        expect(page).to_have_title("Save your recovery codes – Commonweal")
        return follow(page, page.get_by_role("link", name="Continue"))
    if page.title() == VERIFY_TITLE:
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        page.get_by_label("Security code").fill(authenticator_code(device.key, after_step=device.last_t))
        return submit(page, "Continue")
    return None


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> Response:
    """Sign in from the sign-in page (checked with axe) and land on wherever the service sends you: people
    in public bodies and networks also set up or use two-factor sign-in on the way."""
    page.goto("/account/sign-in/")
    expect(page).to_have_title("Sign in – Commonweal")
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    response = submit(page, "Sign in")
    return finish_two_factor(page, email) or response


def sign_out(page: Page) -> None:
    submit(page, "Sign out")
    expect(page).to_have_title("Social value, end to end – Commonweal")
    assert_accessible(page)


def error_summary_items(page: Page) -> list[tuple[str, str]]:
    """(text, href) of each link in the GOV.UK error summary; fails if the summary is missing."""
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: "))
    items = []
    for link in summary.locator(".govuk-error-summary__list a").all():
        href = link.get_attribute("href") or ""
        assert href.startswith("#"), href
        # Each link leads to the field with the problem.
        expect(page.locator(href)).to_have_count(1)
        items.append((link.inner_text().strip(), href))
    return items


def table_rows(table: Locator) -> list[list[str]]:
    """The text of every body row's cells (header cells included), stripped."""
    return [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()] for row in table.locator("tbody tr").all()
    ]
