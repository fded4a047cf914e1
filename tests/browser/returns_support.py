"""The supplier's way from the return form to a submitted return: continue, check the answers, submit, see
the confirmation with its reference, and go back to the agreement."""

import re

from playwright.sync_api import Page, expect

from .support import assert_accessible, follow, submit

SUBMITTED = "Your return has been submitted for verification."


def return_submitted(page: Page, *, late: bool | None = None) -> str:
    """From a filled-in return form to the agreement page, through the check and confirmation pages, each
    checked with axe and at 320 px; the return's reference."""
    submit(page, "Continue")
    expect(page).to_have_title(re.compile(r"^Check your return before you submit it – "))
    assert_accessible(page)
    submit(page, "Submit the return")
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel).to_contain_text("Return submitted")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text(SUBMITTED)
    if late is True:
        expect(banner).to_contain_text("so it is marked late")
    elif late is False:
        expect(banner).not_to_contain_text("late")
    assert_accessible(page)
    reference = panel.locator("strong").inner_text()
    follow(page, page.get_by_role("link", name="Back to the agreement"))
    return reference
