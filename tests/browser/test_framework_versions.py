"""Framework versions in the browser: the social value lead forks a framework, edits a draft of the
framework agreement NBC-2026-014 uses, publishes version 2 and compares it with version 1, while the
agreement keeps its version-1 measures. Every page is checked with axe-core and photographed."""

import re

import pytest
from playwright.sync_api import Page, expect

from commonweal.demo.services import DemoLoadResult
from commonweal.frameworks import interchange
from commonweal.frameworks.models import Framework, Measure

from .support import SHOTS_DIR, assert_accessible, error_summary_items, follow, sign_in, submit, table_rows

LEAD = "lead@northfield.example"
MANAGER = "manager@northfield.example"
REFERENCE = "NBC-2026-014"
STARTER = "Starter social value framework"
OLD_OUTCOME = "More local people in good work"
NEW_OUTCOME = "More Northfield residents in secure, well-paid work"
NEW_MEASURE = "Care leavers employed on the contract"
FRAMEWORK_SHOTS = SHOTS_DIR / "frameworks"


def checked(page: Page, shot: str) -> None:
    """Check the page with axe-core and keep a screenshot of it under FRAMEWORK_SHOTS."""
    assert_accessible(page)
    FRAMEWORK_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(FRAMEWORK_SHOTS / f"{shot}.png"), full_page=True)


def open_frameworks(page: Page) -> None:
    follow(page, page.get_by_role("link", name="Frameworks", exact=True))
    expect(page).to_have_title("Frameworks – Northfield Borough Council – Commonweal")
    checked(page, "01-framework-list")


def fork_starter(page: Page) -> None:
    """From the frameworks page: fork the starter framework as “Northfield’s own framework”."""
    follow(page, page.get_by_role("link", name=STARTER))
    follow(page, page.get_by_role("link", name="Fork this framework"))
    expect(page).to_have_title(f"Fork {STARTER} – Commonweal")
    checked(page, "03-fork")
    # A code the organisation already uses is refused, on the field.
    page.get_by_label("Code", exact=True).fill("starter")
    page.get_by_label("Title", exact=True).fill("Northfield’s own framework")
    submit(page, "Fork the framework")
    assert error_summary_items(page) == [
        ("Your organisation already has a framework with the code starter", "#id_code")
    ]
    checked(page, "03-fork-error")
    page.get_by_label("Code", exact=True).fill("northfield-own")
    submit(page, "Fork the framework")


def fork_something(page: Page) -> Framework:
    """Start the lead's own framework: from a shipped template if there is one, else a fork of the
    starter framework (the demo organisation's own)."""
    templates = interchange.template_list()
    if templates:
        follow(page, page.get_by_role("link", name="See the templates"))
        checked(page, "02-template-list")
        template = templates[0]
        follow(page, page.get_by_role("link", name=f"Use {template.title}"))
        expect(page.get_by_role("radio", name=template.title)).to_be_checked()
        checked(page, "03-template-use")
        page.get_by_label("Code", exact=True).fill("northfield-own")
        page.get_by_label("Title", exact=True).fill("Northfield’s own framework")
        submit(page, "Create the framework")
    else:
        fork_starter(page)
    expect(page).to_have_title("Northfield’s own framework – Frameworks – Commonweal")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Northfield’s own framework is your organisation’s own framework now."
    )
    checked(page, "04-fork-detail")
    return Framework.objects.get(organisation__slug="northfield", code="northfield-own")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_lead_forks_edits_publishes_and_compares_while_the_agreement_keeps_version_1(
    page: Page, demo: DemoLoadResult
) -> None:
    sign_in(page, LEAD)
    expect(page).to_have_title("Northfield Borough Council – Commonweal")
    assert_accessible(page)
    open_frameworks(page)

    fork = fork_something(page)
    assert fork.versions.get().number == 1
    versions = page.locator("table").filter(has=page.get_by_role("columnheader", name="What changed"))
    assert [row[:2] for row in table_rows(versions)] == [["Version 1", "Published"]]
    # Its version 1 shows each item's verification status and source, as the template shipped it.
    follow(page, page.get_by_role("link", name="Version 1", exact=True))
    expect(page.get_by_text("Published versions never change.")).to_be_visible()
    expect(
        page.locator(".govuk-tag").filter(has_text=re.compile("Verified|third-party|Unconfirmed|Written"))
    ).not_to_have_count(0)
    checked(page, "04-fork-version")

    # The framework agreement NBC-2026-014 uses: a new draft, version 2.
    follow(page, page.get_by_role("link", name="Frameworks", exact=True))
    checked(page, "01-framework-list")
    follow(page, page.get_by_role("link", name=STARTER))
    expect(page).to_have_title(f"{STARTER} – Frameworks – Commonweal")
    checked(page, "05-framework-detail")
    submit(page, "Create a new draft")
    expect(page).to_have_title(f"{STARTER}, version 2 – Frameworks – Commonweal")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Version 2 is a draft")
    checked(page, "06-draft")

    # Rename an outcome.
    follow(page, page.get_by_role("link", name="Rename or change outcome JOBS.1"))
    expect(page).to_have_title(f"Change outcome JOBS.1 – {STARTER}, version 2 – Commonweal")
    expect(page.get_by_label("Title", exact=True)).to_have_value(OLD_OUTCOME)
    checked(page, "07-outcome-edit")
    page.get_by_label("Title", exact=True).fill(NEW_OUTCOME)
    submit(page, "Save the outcome")
    expect(page.get_by_role("heading", name=f"Outcome JOBS.1: {NEW_OUTCOME}")).to_be_visible()

    # Add a measure: first with a code already in the version, then properly.
    follow(page, page.get_by_role("link", name="Add a measure to outcome JOBS.1"))
    expect(page).to_have_title(f"Add a measure – {STARTER}, version 2 – Commonweal")
    checked(page, "08-measure-add")
    page.get_by_label("Code", exact=True).fill("JOBS.1.1")
    page.get_by_label("Title", exact=True).fill(NEW_MEASURE)
    page.get_by_label("Unit", exact=True).select_option(label="full-time equivalents")
    page.get_by_label("Additional social value").check()
    page.get_by_label("Counting rule (optional)").fill("Each FTE held by a care leaver, for each year employed.")
    submit(page, "Add the measure")
    assert error_summary_items(page) == [("Version 2 already has a measure with the code JOBS.1.1", "#id_code")]
    checked(page, "08-measure-add-error")
    page.get_by_label("Code", exact=True).fill("JOBS.1.3")
    submit(page, "Add the measure")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Measure JOBS.1.3 added.")
    row = page.locator("tr", has=page.get_by_role("rowheader", name=NEW_MEASURE))
    assert table_rows(page.locator("table").filter(has=row))[-1][:4] == [
        "JOBS.1.3",
        NEW_MEASURE,
        "full-time equivalents",
        "Additional social value",
    ]
    expect(row).to_contain_text("Written by this organisation")
    checked(page, "09-draft-edited")

    # Publish version 2, with what changed.
    follow(page, page.get_by_role("link", name="Publish version 2"))
    expect(page).to_have_title(f"Publish version 2 – {STARTER} – Commonweal")
    checked(page, "10-publish")
    submit(page, "Publish version 2")
    assert error_summary_items(page) == [("Say what changed in this version", "#id_notes")]
    page.get_by_label("What changed in this version?").fill("Renamed JOBS.1; added JOBS.1.3 for care leavers.")
    submit(page, "Publish version 2")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Version 2 is published.")
    expect(page.get_by_text("Published versions never change.")).to_be_visible()
    checked(page, "11-published")

    # Compare the two versions.
    follow(page, page.get_by_role("link", name=STARTER))
    follow(page, page.get_by_role("link", name="Compare versions"))
    expect(page).to_have_title(f"Compare versions – {STARTER} – Commonweal")
    page.get_by_label("Compare version").select_option(label="Version 1 (published)")
    page.get_by_label("with version").select_option(label="Version 2 (published)")
    submit(page, "Compare")
    expect(page).to_have_url(re.compile(r"/compare/\?old=\d+&new=\d+$"))
    added = page.locator("table").filter(has=page.locator("caption", has_text="Items added in version 2"))
    assert table_rows(added) == [["Measure", "JOBS.1.3", NEW_MEASURE, "JOBS.1"]]
    changed = page.locator("table").filter(has=page.locator("caption", has_text="Items changed in version 2"))
    assert table_rows(changed) == [["Outcome", "JOBS.1", "Title", OLD_OUTCOME, NEW_OUTCOME]]
    expect(page.get_by_text("Nothing was removed.")).to_be_visible()
    checked(page, "12-diff")

    # Version 1 is as it was, and the agreement pinned to it still shows its version-1 measures.
    follow(page, page.get_by_role("link", name=STARTER))
    follow(page, page.get_by_role("link", name="Version 1", exact=True))
    expect(page.get_by_role("heading", name=f"Outcome JOBS.1: {OLD_OUTCOME}")).to_be_visible()
    expect(page.get_by_text(NEW_MEASURE)).to_have_count(0)
    checked(page, "13-version-1")
    page.goto("/o/northfield/")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name=REFERENCE, exact=True))
    expect(page).to_have_title(f"{REFERENCE} Northfield library refurbishment – Commonweal")
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"{STARTER}, version 1")
    commitments = page.locator("table").filter(has=page.locator("caption", has_text="Claimed counts every"))
    measures = sorted(row[0].split(" (")[0] for row in table_rows(commitments))
    v1_titles = Measure.objects.filter(
        version__framework__organisation__slug="northfield", version__framework__code="starter", version__number=1
    ).values_list("title", flat=True)
    assert measures == [
        "Apprenticeship weeks completed",
        "Local people employed on the contract",
        "Spend with local small businesses and social enterprises",
        "Volunteering hours for community organisations",
    ]
    assert set(measures) <= set(v1_titles)
    expect(page.get_by_text(NEW_MEASURE)).to_have_count(0)
    checked(page, "14-agreement")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_lead_removes_checks_and_shares_while_readers_cannot_edit(page: Page, demo: DemoLoadResult) -> None:
    sign_in(page, LEAD)
    open_frameworks(page)
    fork_starter(page)
    expect(page).to_have_title("Northfield’s own framework – Frameworks – Commonweal")
    expect(page.get_by_text(f"Forked from {STARTER}, version 1, of Northfield Borough Council")).to_be_visible()
    checked(page, "04-fork-of-starter")
    follow(page, page.get_by_role("link", name="Frameworks", exact=True))
    follow(page, page.get_by_role("link", name=STARTER))
    submit(page, "Create a new draft")
    checked(page, "06-draft")

    # Removing an outcome says what goes with it before anything is removed.
    follow(page, page.get_by_role("link", name="Remove outcome JOBS.2"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to remove outcome JOBS.2, “People gain skills for work”?"
    )
    expect(page.get_by_role("listitem").filter(has_text="measure JOBS.2.1 Work experience placements")).to_be_visible()
    checked(page, "15-outcome-remove")
    submit(page, "Remove the outcome")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Outcome JOBS.2 removed from version 2."
    )
    expect(page.get_by_text("Work experience placements")).to_have_count(0)

    # A measure with a unit the list does not offer is refused (a crafted form).
    follow(page, page.get_by_role("link", name="Change measure ENV.1.1"))
    checked(page, "16-measure-edit")
    page.locator("#id_unit").evaluate("select => { select.options[1].value = 'furlongs'; select.selectedIndex = 1; }")
    submit(page, "Save the measure")
    assert error_summary_items(page) == [("Choose a unit from the list", "#id_unit")]
    checked(page, "16-measure-edit-error")

    # Sharing with the demo network.
    page.goto("/o/northfield/frameworks/")
    follow(page, page.get_by_role("link", name=STARTER))
    follow(page, page.get_by_role("link", name="Share with a network"))
    checked(page, "17-share")
    page.get_by_label("Northfield Anchor Network").check()
    submit(page, "Share the framework")
    shares = page.locator("table").filter(has=page.get_by_role("columnheader", name="Network"))
    assert [row[0] for row in table_rows(shares)] == ["Northfield Anchor Network"]
    checked(page, "18-shared")
    follow(page, page.get_by_role("link", name="Stop sharing with Northfield Anchor Network"))
    checked(page, "19-unshare")
    submit(page, "Stop sharing")
    expect(page.get_by_text("This framework is not shared with any network.")).to_be_visible()
    follow(page, page.get_by_role("link", name="Share with a network"))
    page.get_by_label("Northfield Anchor Network").check()
    submit(page, "Share the framework")
    submit(page, "Sign out")

    # The contract manager reads the framework but has no buttons to change it.
    sign_in(page, MANAGER)
    page.goto("/o/northfield/frameworks/")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name=STARTER))
    expect(page.get_by_role("button", name="Create a new draft")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit the draft (version 2)")).to_have_count(0)
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Version 2", exact=True))
    expect(page.get_by_text("Only your organisation’s social value lead can change or publish it.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Change"))).to_have_count(0)
    assert_accessible(page)
