"""Done means, in the browser: a supplier user and a contract manager complete two quarterly cycles on one
agreement with a value set, including a rejection, a query answered and resubmitted, a refused double claim
and a substitution; after each step the totals on the agreement page and the dashboards are checked against
figures worked out by hand (tests/delivery_cycles_support.py); then overdue reminders go out, once each.
Every page visited is checked with axe-core."""

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from commonweal.core.formatting import percent, uk_date
from commonweal.delivery import tasks
from commonweal.delivery.models import Agreement, Commitment, DeliveryReturn, Evidence, ReportingPeriod
from commonweal.delivery.selectors_status import today_local
from tests.delivery_cycles_support import (
    ANSWER,
    ANSWERED_HOURS,
    BUYER,
    BUYER_NAME,
    DOUBLE_CLAIM,
    ESCALATION_DAYS,
    FINAL_PERCENT,
    HOURS,
    JOBS,
    MANAGER_EMAIL,
    MANAGER_NAME,
    OFFERED_PLACEMENTS,
    PASSWORD,
    PDF,
    PLACEMENTS,
    Q1_DRAFT,
    Q1_NARRATIVE,
    Q1_REFERENCES,
    Q1_SUBMITTED,
    Q2_NARRATIVE,
    Q2_REFERENCES,
    Q2_SUBMITTED,
    QUERY,
    REFERENCE,
    REJECT_REASON,
    RETURN_DUE_DAYS,
    STEPS,
    SUBSTITUTION_REASON,
    SUPPLIER,
    SUPPLIER_EMAIL,
    SUPPLIER_NAME,
    SUPPLIER_PERSON,
    TARGETS,
    TITLE,
    TITLES,
    UNITS,
    VALUE_SET_TITLE,
    VERDICT,
    WEEKS,
    World,
    dates_for,
    double_claim_message,
    periods_of,
    world_make,
)
from tests.delivery_status_helpers import today_fix

from .returns_support import return_submitted
from .support import SHOTS_DIR, assert_accessible, error_summary_items, follow, sign_in, sign_out, submit, table_rows

AGREEMENT_TITLE = f"{REFERENCE} {TITLE} – Commonweal"
ORIGINAL_TARGETS = {**TARGETS, PLACEMENTS: OFFERED_PLACEMENTS}
MONEY_STATES = {"committed": "Committed (targets in force)", "claimed": "Claimed", "verified": "Verified"}


@pytest.fixture
def world(transactional_db: None, live_server: LiveServer) -> World:
    return world_make()


def shown(quantity: str | Decimal) -> str:
    """A quantity as the pages show it: 3.5, 36, 104 (none of the scenario's reach a thousand)."""
    return f"{Decimal(quantity).normalize():f}"


def pounds(amount: str) -> str:
    return f"£{Decimal(amount):,.2f}"


def shot(page: Page, name: str) -> None:
    """A screenshot of the page in a named state (support.screenshot keeps only the first of each title)."""
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS_DIR / f"cycles-{name}.png"), full_page=True)


def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def table_captioned(page: Page, caption: str) -> Locator:
    return page.locator("table").filter(has=page.locator("caption", has_text=caption))


def agreement_figures(page: Page) -> dict[str, list[str]]:
    """Per measure title on the agreement page: target, target in force, claimed, evidenced, verified."""
    first = {row[0].split(" (")[0]: row for row in table_rows(table_captioned(page, "Claimed counts every"))}
    progress = {row[0]: row for row in table_rows(table_captioned(page, "Progress against the schedule"))}
    return {
        title: [row[2], progress[title][1].split("\n")[0], row[3], progress[title][3], row[4]]
        for title, row in first.items()
    }


def money_figures(page: Page) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in table_rows(table_captioned(page, "Gross and net"))}


def dashboard_figures(page: Page) -> dict[str, list[str]]:
    """Per measure code on the dashboard: target in force, claimed, evidenced, verified."""
    return {row[0].split(" ")[0]: row[2:] for row in table_rows(table_captioned(page, "Quantities by measure"))}


def totals_check(page: Page, step: str, org: str, agreement: Agreement) -> None:
    """The dashboard's and the agreement page's totals are exactly the hand-worked figures of `step`; ends on
    the agreement page."""
    expected = STEPS[step]
    page.goto(f"/o/{org}/")
    expect(page).to_have_title(f"{BUYER_NAME if org == BUYER else SUPPLIER_NAME} – Commonweal")
    assert_accessible(page)
    assert dashboard_figures(page) == {
        code: [shown(expected.in_force[code]), *(shown(q) for q in quantities)]
        for code, quantities in expected.quantities.items()
    }, step

    page.goto(f"/o/{org}/agreements/{agreement.pk}/")
    expect(page).to_have_title(AGREEMENT_TITLE)
    assert_accessible(page)
    assert agreement_figures(page) == {
        TITLES[code]: [shown(ORIGINAL_TARGETS[code]), shown(expected.in_force[code]), *(shown(q) for q in quantities)]
        for code, quantities in expected.quantities.items()
    }, step
    money = {state: (*getattr(expected, state), *getattr(expected, f"local_{state}")) for state in MONEY_STATES}
    assert money_figures(page) == {
        MONEY_STATES[state]: [pounds(social_gross), pounds(social_net), pounds(local_gross), pounds(local_net)]
        for state, (social_gross, social_net, local_gross, local_net) in money.items()
    }, step


def open_agreement(page: Page) -> None:
    """From the dashboard, follow the agreement's link."""
    follow(page, page.get_by_role("link", name=REFERENCE, exact=True))
    expect(page).to_have_title(AGREEMENT_TITLE)
    assert_accessible(page)


def return_card(page: Page, period: ReportingPeriod) -> Locator:
    title = page.locator(".govuk-summary-card__title", has_text=period.label)
    return page.locator(".govuk-summary-card").filter(has=title)


def card_lines(card: Locator) -> list[list[str]]:
    """Quantity, status and evidenced of each line of a return card."""
    return [row[2:5] for row in table_rows(card.locator("table"))]


def quantity_label(code: str) -> str:
    return f"{TITLES[code]} ({UNITS[code]})"


def line_fill(page: Page, code: str, quantity: str, references: tuple[str, str]) -> None:
    page.get_by_label(quantity_label(code), exact=True).fill(quantity)
    page.get_by_label(f"Evidence reference for {TITLES[code]}", exact=True).fill(references[0])
    page.get_by_label(f"Beneficiary reference for {TITLES[code]}", exact=True).fill(references[1])


def files_support(page: Page, *codes: str) -> None:
    lines = page.get_by_role("group", name="Which lines do the new files support?")
    for code in codes:
        lines.get_by_label(TITLES[code], exact=True).check()


def review(page: Page, period: ReportingPeriod, code: str, quantity: str, decision: str, reason: str = "") -> None:
    card = return_card(page, period)
    follow(page, card.get_by_role("link", name=f"Review {TITLES[code]}, {shown(quantity)}", exact=True))
    expect(page).to_have_title(f"Review a return line – {REFERENCE} – Commonweal")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review: {TITLES[code]}")
    assert_accessible(page)
    page.get_by_label(decision).check()
    if reason:
        page.get_by_label("Reason or question").fill(reason)
    submit(page, "Save the decision")
    expect(page).to_have_title(AGREEMENT_TITLE)
    assert_accessible(page)


def banner_says(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_quarterly_cycles_with_a_rejection_a_resubmission_and_a_substitution(
    page: Page, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dates = dates_for(today_local())
    files = {}
    for name in ["payroll-q1.pdf", "volunteer-log-q1.pdf", "food-bank-confirmation.pdf", "timesheets-q2.pdf"]:
        files[name] = tmp_path / name
        files[name].write_bytes(PDF)
    commitments_csv = tmp_path / "commitments.csv"
    commitments_csv.write_text(
        f"measure code,target quantity,due date\n{WEEKS},104,{dates.end.isoformat()}\n"
        f"{HOURS},200,{dates.end:%d/%m/%Y}\n",
        encoding="utf-8",
    )

    # --- The contract manager creates the agreement, with the value set, and its commitments. ---
    sign_in(page, MANAGER_EMAIL, PASSWORD)
    expect(page).to_have_title(f"{BUYER_NAME} – Commonweal")
    assert_accessible(page)
    expect(page.get_by_text("No commitments yet.")).to_be_visible()
    page.goto(f"/o/{BUYER}/agreements/")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Create an agreement"))
    expect(page).to_have_title("Create an agreement – Commonweal")
    assert_accessible(page)
    page.get_by_label("Reference", exact=True).fill(REFERENCE)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Or another organisation’s short name").fill(SUPPLIER)
    page.get_by_label("Value (£)").fill("1200000")
    fill_date(page, "Start date", dates.start)
    fill_date(page, "End date", dates.end)
    page.get_by_label("Framework version").select_option(value=str(world.version.pk))
    page.get_by_label("Value set (optional)").select_option(label=VALUE_SET_TITLE)
    page.get_by_label("Days to send each return").fill(str(RETURN_DUE_DAYS))
    page.get_by_label("Days overdue before escalating").fill(str(ESCALATION_DAYS))
    page.get_by_label("Contract manager (optional)").select_option(label=f"{MANAGER_NAME} ({MANAGER_EMAIL})")
    submit(page, "Create the agreement")
    expect(page).to_have_title(AGREEMENT_TITLE)
    banner_says(page, f"The agreement {REFERENCE} has been created. Add its commitments.")
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text(f"{VALUE_SET_TITLE} (2024 prices)")
    expect(summary).to_contain_text(f"Quarterly, each due {RETURN_DUE_DAYS} days after its period ends")
    assert_accessible(page)
    agreement = Agreement.objects.get(organisation=world.buyer, reference=REFERENCE)
    q1, q2, q3 = periods_of(agreement)[:3]
    assert (q1.start_date, q1.end_date, q3.return_due_date) == (dates.start, dates.q1_end, dates.q3_due)

    follow(page, page.get_by_role("link", name="Add a commitment"))
    expect(page).to_have_title(f"Add a commitment – {REFERENCE} – Commonweal")
    assert_accessible(page)
    page.get_by_label("Measure").select_option(label=f"{JOBS} {TITLES[JOBS]} ({UNITS[JOBS]})")
    page.get_by_label("Target quantity").fill("6")
    fill_date(page, "Due date", dates.end)
    submit(page, "Save the commitment")
    expect(page).to_have_title(f"Commitments – {REFERENCE} – Commonweal")
    banner_says(page, f"The commitment to {TITLES[JOBS]} has been added.")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Import commitments from a file"))
    expect(page).to_have_title(f"Import commitments – {REFERENCE} – Commonweal")
    assert_accessible(page)
    page.get_by_label("Commitments file").set_input_files(commitments_csv)
    submit(page, "Import the commitments")
    banner_says(page, "2 commitments imported; 0 already there and left as they were.")
    assert_accessible(page)
    ids = {c.measure.code: c.pk for c in Commitment.objects.filter(agreement=agreement).select_related("measure")}
    assert set(ids) == {JOBS, WEEKS, HOURS}
    totals_check(page, "start", BUYER, agreement)
    shot(page, "1-agreement-created")
    sign_out(page)

    # Nothing is overdue yet, so the reminders send nothing.
    assert tasks.overdue_reminders_send.enqueue().return_value == {"reminders": 0, "escalations": 0, "failed": 0}
    assert mail.outbox == []

    # --- Quarter 1: the supplier saves a draft with the payroll file for the jobs line. ---
    sign_in(page, SUPPLIER_EMAIL, PASSWORD)
    expect(page).to_have_title(f"{SUPPLIER_NAME} – Commonweal")
    assert_accessible(page)
    open_agreement(page)
    follow(page, page.get_by_role("link", name="Submit a delivery return"))
    expect(page).to_have_title(f"Submit a delivery return – {REFERENCE} – Commonweal")
    expect(page.get_by_label(f"{q1.label}, due {q1.return_due_date:%-d %B %Y}")).to_be_checked()
    assert_accessible(page)
    for code, quantity in Q1_DRAFT.items():
        line_fill(page, code, quantity, Q1_REFERENCES[code])
    page.get_by_label("What was delivered").fill(Q1_NARRATIVE)
    page.get_by_label("Upload evidence files").set_input_files(files["payroll-q1.pdf"])
    files_support(page, JOBS)
    submit(page, "Save as draft")
    expect(page).to_have_title(f"Edit your draft return – {REFERENCE} – Commonweal")
    banner_says(page, f"Your draft return for {q1.label} has been saved.")
    assert_accessible(page)
    # A draft is not a claim: every total is still 0.
    totals_check(page, "start", SUPPLIER, agreement)
    card = return_card(page, q1)
    expect(card.locator(".govuk-summary-card__title")).to_contain_text("draft")
    follow(page, card.get_by_role("link", name=f"Continue the draft for {q1.label}"))
    expect(page).to_have_title(f"Edit your draft return – {REFERENCE} – Commonweal")
    assert_accessible(page)

    # It edits the draft: more apprentice weeks, the volunteering hours with the volunteer log; then submits.
    payroll = page.get_by_role("group", name=re.compile(f"^Files that support this line ?: {TITLES[JOBS]}$"))
    expect(payroll.get_by_label("payroll-q1.pdf")).to_be_checked()
    assert Decimal(page.get_by_label(quantity_label(WEEKS), exact=True).input_value()) == Decimal(Q1_DRAFT[WEEKS])
    page.get_by_label(quantity_label(WEEKS), exact=True).fill(Q1_SUBMITTED[WEEKS])
    line_fill(page, HOURS, Q1_SUBMITTED[HOURS], Q1_REFERENCES[HOURS])
    page.get_by_label("Upload evidence files").set_input_files(files["volunteer-log-q1.pdf"])
    files_support(page, HOURS)
    return_submitted(page, late=False)
    expect(page).to_have_title(AGREEMENT_TITLE)
    assert_accessible(page)
    assert card_lines(return_card(page, q1)) == [
        ["2", "Awaiting verification", "Yes"],
        ["26", "Awaiting verification", "No"],
        ["40", "Awaiting verification", "Yes"],
    ]
    totals_check(page, "q1 submitted", SUPPLIER, agreement)
    sign_out(page)

    # --- The contract manager verifies one line, rejects one with a reason and queries one. ---
    sign_in(page, MANAGER_EMAIL, PASSWORD)
    assert_accessible(page)
    open_agreement(page)
    review(page, q1, JOBS, "2", "Verify: the evidence supports it")
    banner_says(page, "The line is now verified.")
    card = return_card(page, q1)
    follow(page, card.get_by_role("link", name=f"Review {TITLES[WEEKS]}, 26", exact=True))
    expect(page.locator(".govuk-summary-list")).to_contain_text("None: the line is claimed but not evidenced")
    assert_accessible(page)
    page.get_by_label("Reject it").check()
    submit(page, "Save the decision")
    assert error_summary_items(page) == [("Enter the reason for rejecting this line", "#id_reason")]
    assert_accessible(page)
    page.get_by_label("Reason or question").fill(REJECT_REASON)
    submit(page, "Save the decision")
    banner_says(page, "The line is now rejected.")
    assert_accessible(page)
    review(page, q1, HOURS, "40", "Query it: ask the supplier a question first", QUERY)
    banner_says(page, "The line is now queried.")
    totals_check(page, "q1 reviewed", BUYER, agreement)
    assert [row[1:3] for row in card_lines(return_card(page, q1))] == [
        ["Verified", "Yes"],
        ["Rejected", "No"],
        ["Queried", "Yes"],
    ]
    sign_out(page)

    # --- The supplier answers the query with a revised quantity and resubmits the line. ---
    sign_in(page, SUPPLIER_EMAIL, PASSWORD)
    assert_accessible(page)
    open_agreement(page)
    card = return_card(page, q1)
    expect(card).to_contain_text(QUERY)
    expect(card).to_contain_text(REJECT_REASON)
    follow(page, card.get_by_role("link", name=f"Answer {TITLES[HOURS]}, 40", exact=True))
    expect(page).to_have_title(f"Answer and resubmit a line – {REFERENCE} – Commonweal")
    assert_accessible(page)
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_label("Quantity (hours)").fill(ANSWERED_HOURS)
    page.get_by_label("Upload more evidence files").set_input_files(files["food-bank-confirmation.pdf"])
    submit(page, "Send the answer and resubmit the line")
    expect(page).to_have_title(f"Return for {q1.label} – {REFERENCE} – Commonweal")
    banner_says(page, "Your answer has been sent and the line awaits verification again.")
    expect(page.locator("main")).to_contain_text(f"{ANSWER} (quantity 40 → 36)")
    assert_accessible(page)
    totals_check(page, "q1 answered", SUPPLIER, agreement)
    sign_out(page)

    # --- The contract manager verifies the answered line. ---
    sign_in(page, MANAGER_EMAIL, PASSWORD)
    assert_accessible(page)
    open_agreement(page)
    review(page, q1, HOURS, ANSWERED_HOURS, "Verify: the evidence supports it")
    banner_says(page, "The line is now verified.")
    totals_check(page, "q1 verified", BUYER, agreement)
    conversation = return_card(page, q1).locator(".app-line-events").last
    expect(conversation.locator("li")).to_have_text(
        [
            re.compile(rf"^Queried by {MANAGER_NAME} on .*: {re.escape(QUERY)}$"),
            re.compile(rf"^Answered and resubmitted by {SUPPLIER_PERSON} on .*\(quantity 40 → 36\)$"),
            re.compile(rf"^Verified by {MANAGER_NAME} on "),
        ]
    )
    sign_out(page)

    # --- Substitution: the supplier proposes placements in place of what is left of the hours. ---
    sign_in(page, SUPPLIER_EMAIL, PASSWORD)
    assert_accessible(page)
    open_agreement(page)
    follow(page, page.get_by_role("link", name="Propose a substitution"))
    expect(page).to_have_title(f"Propose a substitution – {REFERENCE} – Commonweal")
    assert_accessible(page)
    page.get_by_label("Commitment to replace").select_option(
        label=f"{HOURS} {TITLES[HOURS]}: 200 by {dates.end:%-d %B %Y}"
    )
    page.get_by_label("Measure you offer instead").select_option(
        label=f"{PLACEMENTS} {TITLES[PLACEMENTS]} ({UNITS[PLACEMENTS]})"
    )
    page.get_by_label("Quantity you offer").fill(str(OFFERED_PLACEMENTS))
    page.get_by_label("Why you propose this").fill(SUBSTITUTION_REASON)
    submit(page, "Check the values")
    expect(page.get_by_text(f"Left to deliver on {TITLES[HOURS]}: 164 (hours).")).to_be_visible()
    compared = table_captioned(page, "Net value of what is given up")
    assert table_rows(compared) == [
        ["Given up: what is left to deliver", "£2,460.00"],
        ["Offered instead", "£2,400.00"],
    ]
    expect(page.locator(".govuk-inset-text")).to_have_text(VERDICT)
    assert_accessible(page)
    shot(page, "2-substitution-checked")
    submit(page, "Propose the substitution")
    expect(page).to_have_title(f"Substitution for {TITLES[HOURS]} – {REFERENCE} – Commonweal")
    banner_says(page, "Your substitution has been sent to the contract manager to decide.")
    assert_accessible(page)
    sign_out(page)

    # The manager approves it.
    sign_in(page, MANAGER_EMAIL, PASSWORD)
    assert_accessible(page)
    open_agreement(page)
    follow(page, page.get_by_role("link", name=re.compile(f"substitution for {TITLES[HOURS]}$")))
    expect(page).to_have_title(f"Substitution for {TITLES[HOURS]} – {REFERENCE} – Commonweal")
    assert_accessible(page)
    page.get_by_label("Approve the substitution").check()
    submit(page, "Save the decision")
    expect(page).to_have_title(AGREEMENT_TITLE)
    banner_says(page, "The substitution has been approved.")
    assert_accessible(page)
    ids[PLACEMENTS] = Commitment.objects.get(agreement=agreement, measure__code=PLACEMENTS).pk
    totals_check(page, "substituted", BUYER, agreement)
    statuses = {row[0].split(" (")[0]: row[5] for row in table_rows(table_captioned(page, "Claimed counts every"))}
    assert statuses[TITLES[HOURS]] == "Substituted"
    history = table_captioned(page, "Every substitution proposed")
    assert table_rows(history)[0][1:] == [
        TITLES[HOURS],
        f"{TITLES[PLACEMENTS]}: 3",
        "£2,460.00",
        "£2,400.00",
        "Approved",
    ]
    sign_out(page)

    # --- Quarter 2: the supplier reports against the replacement; a double claim is refused first. ---
    sign_in(page, SUPPLIER_EMAIL, PASSWORD)
    assert_accessible(page)
    open_agreement(page)
    follow(page, page.get_by_role("link", name="Submit a delivery return"))
    expect(page.get_by_label(f"{q2.label}, due {q2.return_due_date:%-d %B %Y}")).to_be_checked()
    # The replaced commitment takes no new claims, so it is not on the form.
    expect(page.get_by_label(quantity_label(HOURS), exact=True)).to_have_count(0)
    assert_accessible(page)
    for code, quantity in Q2_SUBMITTED.items():
        line_fill(page, code, quantity, Q2_REFERENCES[code])
    page.get_by_label(f"Evidence reference for {TITLES[WEEKS]}", exact=True).fill(DOUBLE_CLAIM)
    page.get_by_label("What was delivered").fill(Q2_NARRATIVE)
    page.get_by_label("Upload evidence files").set_input_files(files["timesheets-q2.pdf"])
    files_support(page, JOBS, WEEKS)
    returns_before, evidence_before = DeliveryReturn.objects.count(), Evidence.objects.count()
    submit(page, "Continue")
    assert error_summary_items(page) == [(double_claim_message(q1.label), f"#id_evidence_reference_{ids[WEEKS]}")]
    expect(page.locator(f"#id_evidence_reference_{ids[WEEKS]}-error")).to_contain_text(double_claim_message(q1.label))
    assert_accessible(page)
    shot(page, "3-double-claim-refused")
    assert (DeliveryReturn.objects.count(), Evidence.objects.count()) == (returns_before, evidence_before)

    page.get_by_label(f"Evidence reference for {TITLES[WEEKS]}", exact=True).fill(Q2_REFERENCES[WEEKS][0])
    page.get_by_label("Upload evidence files").set_input_files(files["timesheets-q2.pdf"])
    files_support(page, JOBS, WEEKS)
    return_submitted(page)
    expect(page).to_have_title(AGREEMENT_TITLE)
    assert_accessible(page)
    assert card_lines(return_card(page, q2)) == [
        ["1.5", "Awaiting verification", "Yes"],
        ["30", "Awaiting verification", "Yes"],
        ["1", "Awaiting verification", "No"],
    ]
    totals_check(page, "q2 submitted", SUPPLIER, agreement)
    sign_out(page)

    # --- The contract manager reviews quarter 2: jobs and weeks verified, the placement left waiting. ---
    sign_in(page, MANAGER_EMAIL, PASSWORD)
    assert_accessible(page)
    open_agreement(page)
    review(page, q2, JOBS, Q2_SUBMITTED[JOBS], "Verify: the evidence supports it")
    banner_says(page, "The line is now verified.")
    review(page, q2, WEEKS, Q2_SUBMITTED[WEEKS], "Verify: the evidence supports it")
    banner_says(page, "The line is now verified.")
    totals_check(page, "q2 reviewed", BUYER, agreement)
    progress = {row[0]: row[4] for row in table_rows(table_captioned(page, "Progress against the schedule"))}
    assert progress == {TITLES[code]: percent(Decimal(value)) for code, value in FINAL_PERCENT.items()}
    periods = {
        row[0]: " ".join(row[2].split())
        for row in table_rows(table_captioned(page, "Reporting periods and their returns"))
    }
    assert [periods[q1.label], periods[q2.label], periods[q3.label]] == [
        f"Submitted View the return for {q1.label}",
        f"Submitted View the return for {q2.label}",
        "Not started yet",
    ]
    shot(page, "4-agreement-after-two-quarters")
    page.goto(f"/o/{BUYER}/")
    assert_accessible(page)
    shot(page, "5-dashboard-after-two-quarters")
    sign_out(page)

    # --- Overdue reminders: quarter 3's return never comes. The reminders run (the background task) the day
    # after it is due, then daily: the supplier is reminded once, the contract manager told once after the
    # escalation days. ---
    runs = [(1, (1, 0)), (2, (0, 0)), (ESCALATION_DAYS - 1, (0, 0)), (ESCALATION_DAYS, (0, 1)), (30, (0, 0))]
    for days, (reminders, escalations) in runs:
        day = dates.q3_due + timedelta(days=days)
        result = tasks.overdue_reminders_send.enqueue(today=day.isoformat()).return_value
        assert result == {"reminders": reminders, "escalations": escalations, "failed": 0}, days
    overdue = ("Delivery return overdue", "Escalation:")
    reminder, escalation = [message for message in mail.outbox if message.subject.startswith(overdue)]
    assert (reminder.to, reminder.subject) == ([SUPPLIER_EMAIL], f"Delivery return overdue: {REFERENCE}, {q3.label}")
    assert f"Return due: {q3.return_due_date:%-d %B %Y} (1 day ago)" in reminder.body
    assert f"/o/{SUPPLIER}/agreements/{agreement.pk}/" in reminder.body
    assert (escalation.to, escalation.subject) == (
        [MANAGER_EMAIL],
        f"Escalation: {SUPPLIER_NAME} has not sent its delivery return for {REFERENCE}",
    )
    assert f"({ESCALATION_DAYS} days overdue)" in escalation.body
    assert f"/o/{BUYER}/overdue-returns/" in escalation.body

    # On the day of the escalation, the manager's dashboard links to the overdue return, chased twice.
    today_fix(monkeypatch, dates.q3_due + timedelta(days=ESCALATION_DAYS))
    sign_in(page, MANAGER_EMAIL, PASSWORD)
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="1 return overdue"))
    expect(page).to_have_title(f"Overdue returns – {BUYER_NAME} – Commonweal")
    [row] = table_rows(page.locator("table"))
    assert row[:5] == [
        f"{REFERENCE}\n{TITLE}",
        SUPPLIER_NAME,
        q3.label,
        uk_date(q3.return_due_date),
        str(ESCALATION_DAYS),
    ]
    assert re.fullmatch(r"Reminder sent \d{1,2} [A-Z][a-z]+ \d{4}\nEscalated \d{1,2} [A-Z][a-z]+ \d{4}", row[5]), row[5]
    assert_accessible(page)
    shot(page, "6-overdue-returns")
