"""In the browser: a supplier told that a return is due finds the count in the header, opens the list,
marks it read and chooses a daily summary; the list works without JavaScript. Every page passes axe and
reflows at 320 px."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from commonweal.delivery.models import Agreement, ReportingPeriod
from commonweal.delivery.selectors_status import today_local
from commonweal.demo.services import DemoLoadResult
from commonweal.notifications.kinds import Kind
from commonweal.notifications.models import Notification, NotificationPreference
from commonweal.notifications.services_reminders import reminders_send

from .support import assert_accessible, follow, sign_in, submit, table_rows

SUPPLIER = "supplier@brightside.example"
REFERENCE = "NBC-2026-014"
PERIOD = "Quarter due next week"


def due_next_week() -> Notification:
    """A period of the demo agreement due in 4 days, and the reminders run: the supplier is told."""
    agreement = Agreement.objects.get(reference=REFERENCE)
    due = today_local() + timedelta(days=4)
    ReportingPeriod.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        label=PERIOD,
        start_date=due - timedelta(days=44),
        end_date=due - timedelta(days=14),
        return_due_date=due,
    )
    reminders_send(today=today_local())
    return Notification.objects.get(kind=Kind.RETURN_DUE, title__endswith=PERIOD, recipient__email=SUPPLIER)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_list_mark_read_and_the_preferences(page: Page, demo: DemoLoadResult) -> None:
    notification = due_next_week()
    unread = Notification.objects.filter(recipient=notification.recipient, read_at__isnull=True).count()
    sign_in(page, SUPPLIER)
    header = page.get_by_role("navigation", name="Menu")
    expect(header.get_by_role("link", name=re.compile(rf"^Notifications {unread} unread"))).to_be_visible()

    follow(page, header.get_by_role("link", name=re.compile("^Notifications")))
    expect(page).to_have_title("Notifications – Commonweal")
    assert_accessible(page)
    rows = table_rows(page.get_by_role("table"))
    row = next(row for row in rows if row[0].startswith(notification.title))
    assert row[1] == "Brightside Construction Ltd" and row[3].startswith("Unread")

    table_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=notification.title))
    follow(page, table_row.get_by_role("button", name=re.compile("^Mark as read")))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Marked as read: {notification.title}")
    assert_accessible(page)
    notification.refresh_from_db()
    assert notification.read_at is not None

    follow(page, page.get_by_role("link", name="Choose which emails you get"))
    expect(page).to_have_title("Choose your emails – Commonweal")
    assert_accessible(page)
    rejected = page.get_by_role("group", name="A line of your return is rejected")
    expect(rejected.get_by_label("No email, only the list on the site")).to_have_count(0)  # cannot be turned off
    due = page.get_by_role("group", name="A delivery return is due in 7 days")
    due.get_by_label("One daily email with everything").check()
    submit(page, "Save my choices")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your choices are saved.")
    assert_accessible(page)
    preference = NotificationPreference.objects.get(user=notification.recipient, kind=Kind.RETURN_DUE)
    assert preference.delivery == "digest"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_list_works_without_javascript(nojs_page: Page, demo: DemoLoadResult) -> None:
    page = nojs_page
    notification = due_next_week()
    sign_in(page, SUPPLIER)
    page.goto("/notifications/")
    expect(page.get_by_role("link", name=notification.title)).to_be_visible()
    assert_accessible(page)
    submit(page, "Mark all as read")
    expect(page.get_by_text("You have none unread.")).to_be_visible()
    assert_accessible(page)
    assert not Notification.objects.filter(recipient=notification.recipient, read_at__isnull=True).exists()
