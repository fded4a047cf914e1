"""The wish list end to end: Riverside posts a need, Northfield's broker approves and publishes it,
Brightside pledges against a commitment of NBC-2026-014 and delivers, Riverside confirms, the line appears
claimed on Brightside's return, the contract manager verifies it and the verified total rises by exactly the
confirmed quantity; counting the same pledge again is refused with a message naming it."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from commonweal.brokerage.models import Need, Pledge
from commonweal.demo.services import DemoLoadResult

from .support import assert_accessible, error_summary_items, follow, sign_in, sign_out, submit, table_rows

COMMUNITY = "community@riverside.example"
BROKER = "broker@northfield.example"
SUPPLIER = "supplier@brightside.example"
MANAGER = "manager@northfield.example"
REFERENCE = "NBC-2026-014"
APPRENTICE_WEEKS = "Apprenticeship weeks completed"
VOLUNTEERING = "Volunteering hours for community organisations"
TITLE = "Apprenticeship weeks for young people leaving care"


def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def commitment_figures(page: Page) -> dict[str, list[str]]:
    """Target, claimed and verified for each commitment of the agreement, keyed by measure title."""
    table = page.locator("table").filter(has=page.locator("caption", has_text="Claimed counts every"))
    return {row[0].split(" (")[0]: row[2:5] for row in table_rows(table)}


def open_agreement(page: Page) -> None:
    follow(page, page.get_by_role("link", name=REFERENCE, exact=True))
    expect(page).to_have_title(f"{REFERENCE} Northfield library refurbishment – Commonweal")
    assert_accessible(page)


def card_with(page: Page, text: str) -> Locator:
    return page.locator(".govuk-summary-card").filter(has_text=text).first


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_need_is_posted_pledged_confirmed_claimed_and_verified_once(page: Page, demo: DemoLoadResult) -> None:
    today = timezone.localdate()

    # Riverside posts a need and submits it.
    sign_in(page, COMMUNITY)
    expect(page).to_have_title("Riverside Community Trust – Commonweal")
    follow(page, page.get_by_role("link", name="Your needs: post a need and confirm what you received"))
    expect(page).to_have_title("Your needs – Riverside Community Trust – Commonweal")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Post a need"))
    assert_accessible(page)
    submit(page, "Save as a draft")
    assert ("Enter a title for the need", "#id_need-title") in error_summary_items(page)
    assert_accessible(page)
    page.get_by_label("Wish list").select_option(label="Northfield Borough Council")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("What is needed and who it helps").fill("Paid apprenticeship weeks on a building site.")
    page.get_by_label("Jobs and training").check()
    page.get_by_label("Quantity", exact=True).fill("8")
    page.get_by_label("Unit", exact=True).fill("weeks")
    page.get_by_label("Estimated value in pounds (optional)").fill("2400")
    page.get_by_label("JOBS.1 More local people in good work (Northfield Borough Council)").first.check()
    page.get_by_label("Place", exact=True).fill("Altrincham, Trafford")
    fill_date(page, "Expiry date", today + timedelta(days=60))
    submit(page, "Save as a draft")
    expect(page).to_have_title(f"{TITLE} – Riverside Community Trust – Commonweal")
    assert_accessible(page)
    submit(page, "Submit the need")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The need is submitted")
    need = Need.objects.get(title=TITLE)
    assert need.state == "submitted"
    sign_out(page)

    # Not on the public wish list until it is published.
    page.goto("/wish-list/northfield/")
    expect(page.get_by_text(TITLE)).to_have_count(0)
    assert_accessible(page)

    # Northfield's broker approves and publishes it.
    sign_in(page, BROKER)
    follow(page, page.get_by_role("link", name="Broker’s queue: needs to approve, publish and close"))
    expect(page).to_have_title("Broker’s queue – Northfield Borough Council – Commonweal")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name=TITLE))
    assert_accessible(page)
    page.get_by_label("Approve", exact=True).check()
    submit(page, "Save the decision")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The need is approved.")
    assert_accessible(page)
    submit(page, "Publish the need")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The need is published")
    follow(page, page.get_by_role("link", name="Broker’s queue"))
    follow(page, page.get_by_role("link", name="Wish list figures"))
    assert_accessible(page)
    sign_out(page)

    # Anyone can read it on the wish list, filtered by kind.
    page.goto("/wish-list/northfield/?kind=jobs")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name=TITLE))
    expect(page).to_have_title(f"{TITLE} – Northfield Borough Council wish list – Commonweal")
    assert_accessible(page)

    # Brightside finds it among the needs matching its commitments and pledges against apprenticeship weeks.
    sign_in(page, SUPPLIER)
    open_agreement(page)
    before = commitment_figures(page)
    page.goto("/o/brightside/")
    follow(page, page.get_by_role("link", name="Your pledges, and needs that match your commitments"))
    expect(page).to_have_title("Your pledges – Brightside Construction Ltd – Commonweal")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name=TITLE))
    assert_accessible(page)
    page.get_by_label("Commitment it counts against").select_option(
        label=f"{REFERENCE} (Northfield Borough Council): {APPRENTICE_WEEKS}, target 104"
    )
    page.get_by_label("Quantity you pledge").fill("9")
    submit(page, "Pledge")
    assert [text for text, _ in error_summary_items(page)] == [
        "You can pledge at most 8 weeks: that is what is left of this need"
    ]
    assert_accessible(page)
    page.get_by_label("Quantity you pledge").fill("8")
    submit(page, "Pledge")
    pledge = Pledge.objects.get(need=need)
    expect(page).to_have_title(f"Pledge {pledge.reference} – Brightside Construction Ltd – Commonweal")
    assert_accessible(page)
    fill_date(page, "Date delivered", today)
    submit(page, "Mark as delivered")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The pledge is marked delivered")
    assert_accessible(page)
    sign_out(page)

    # Riverside confirms what it received.
    sign_in(page, COMMUNITY)
    follow(page, page.get_by_role("link", name="Your needs: post a need and confirm what you received"))
    follow(page, page.get_by_role("link", name=TITLE))
    follow(page, page.get_by_role("link", name=f"Confirm what you received of {pledge.reference}"))
    assert_accessible(page)
    page.get_by_label("Quantity received").fill("6")
    fill_date(page, "Date received", today)
    page.get_by_label("Feedback (optional)").fill("Two young people started; both finished three weeks.")
    submit(page, "Confirm")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"pledge {pledge.reference} is confirmed"
    )
    assert_accessible(page)
    sign_out(page)

    # The manager sees the line claimed on Brightside's return, verifies it, and the total rises by exactly 6.
    sign_in(page, MANAGER)
    open_agreement(page)
    claimed = commitment_figures(page)
    assert claimed[APPRENTICE_WEEKS] == [
        before[APPRENTICE_WEEKS][0],
        str(int(before[APPRENTICE_WEEKS][1]) + 6),
        before[APPRENTICE_WEEKS][2],
    ]
    card = card_with(page, pledge.reference)
    follow(page, card.get_by_role("link", name=f"Review {APPRENTICE_WEEKS}, 6"))
    expect(page.locator(".govuk-summary-list")).to_contain_text(pledge.reference)
    assert_accessible(page)
    page.get_by_label("Verify: the evidence supports it").check()
    submit(page, "Save the decision")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The line is now verified.")
    after = commitment_figures(page)
    assert int(after[APPRENTICE_WEEKS][2]) - int(before[APPRENTICE_WEEKS][2]) == 6
    assert after[VOLUNTEERING] == before[VOLUNTEERING]
    assert_accessible(page)
    sign_out(page)

    # Counting the same pledge again, against another commitment, is refused with a message naming it.
    sign_in(page, SUPPLIER)
    open_agreement(page)
    follow(page, page.get_by_role("link", name="Submit a delivery return"))
    page.get_by_label(f"{VOLUNTEERING} (hours)").fill("6")
    page.get_by_label(f"Evidence reference for {VOLUNTEERING}").fill(pledge.reference)
    page.get_by_label("What was delivered").fill("Volunteering at Riverside.")
    submit(page, "Continue")
    messages = [text for text, _ in error_summary_items(page)]
    assert (
        f"Pledge {pledge.reference} counts once, against {REFERENCE} ({APPRENTICE_WEEKS}) only: it cannot be "
        "counted against another commitment"
    ) in messages
    assert_accessible(page)
    open_agreement(page)
    assert commitment_figures(page) == after


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_public_wish_list_filters_without_javascript_and_shows_nothing_unpublished(
    nojs_page: Page, demo: DemoLoadResult
) -> None:
    page = nojs_page
    page.goto("/wish-list/northfield/")
    expect(page).to_have_title("Community wish list – Northfield Borough Council – Commonweal")
    assert_accessible(page)
    # Published and still open: the van. Submitted, returned and draft needs are not shown; the food bank
    # need, met in full, is no longer open.
    expect(page.get_by_role("link", name="A van one day a week to collect surplus food")).to_be_visible()
    for hidden in (
        "Laptops for the homework club",
        "A room for a weekly job club",
        "Paint for the community hall",
        "Volunteers for the Saturday food bank",
    ):
        expect(page.get_by_text(hidden)).to_have_count(0)
    page.get_by_label("Kind").select_option(label="Volunteer time")
    submit(page, "Apply filters")
    expect(page.get_by_text("No open needs match the filters.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Kind").select_option(label="Any kind")
    page.get_by_label("Place").fill("Trafford")
    page.get_by_label("Size").select_option(label="£500 to £5,000")
    submit(page, "Apply filters")
    follow(page, page.get_by_role("link", name="A van one day a week to collect surplus food"))
    expect(page.locator(".govuk-summary-list")).to_contain_text("Altrincham, Trafford")
    assert_accessible(page)
    laptops = Need.objects.get(title="Laptops for the homework club")
    response = page.goto(f"/wish-list/northfield/needs/{laptops.pk}/")
    assert response is not None and response.status == 404
