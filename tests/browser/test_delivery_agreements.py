"""Agreements in the browser: the contract manager creates a call-off, adds and imports commitments,
records the spend called off; the supplier proposes a substitution and the manager approves it.
Every page is checked with axe."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commonweal.delivery.models import Agreement, Commitment, CommitmentState, Substitution
from commonweal.demo.services import DemoLoadResult
from commonweal.tenancy.models import Department

from .support import assert_accessible, error_summary_items, follow, sign_in, sign_out, submit, table_rows

MANAGER = "manager@northfield.example"
SUPPLIER = "supplier@brightside.example"
REFERENCE = "NBC-2026-400"


def fill_date(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agreement_commitments_and_a_substitution(page: Page, demo: DemoLoadResult, tmp_path: Path) -> None:
    sign_in(page, MANAGER)
    page.goto("/o/northfield/agreements/")
    follow(page, page.get_by_role("link", name="Create an agreement"))
    expect(page).to_have_title("Create an agreement – Commonweal")
    assert_accessible(page)

    page.get_by_label("Call-off under a framework").check()
    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_label("Title").fill("Highways minor works call-off")
    page.get_by_label("Supplier", exact=True).select_option(label="Brightside Construction Ltd")
    page.get_by_label("Value (£)").fill("800000")
    fill_date(page, "Start date", "1", "4", "2026")
    fill_date(page, "End date", "31", "2", "2028")  # not a real date
    version = Agreement.objects.get(reference="NBC-2026-014").framework_version
    page.get_by_label("Framework version").select_option(value=str(version.pk))
    page.get_by_label("Called-off value (£, call-offs only)").fill("200000")
    submit(page, "Create the agreement")
    assert error_summary_items(page) == [("End date must be a real date", "#id_agreement-end_date")]
    assert_accessible(page)
    fill_date(page, "End date", "31", "3", "2028")
    submit(page, "Create the agreement")
    expect(page).to_have_title(f"{REFERENCE} Highways minor works call-off – Commonweal")
    expect(page.get_by_text("£200,000.00 (25% of the value)")).to_be_visible()
    assert_accessible(page)

    # Commitments: one on the page, two from a file (after a file with a mistake is refused).
    follow(page, page.get_by_role("link", name="Add a commitment"))
    expect(page).to_have_title(f"Add a commitment – {REFERENCE} – Commonweal")
    assert_accessible(page)
    jobs = version.measures.get(code="JOBS.1.1")
    page.get_by_label("Measure").select_option(value=str(jobs.pk))
    page.get_by_label("Target quantity").fill("8")
    fill_date(page, "Due date", "31", "3", "2028")
    page.get_by_label("Place (optional)").fill("Atlantis")
    page.get_by_label("Milestones (optional)").fill("31/3/2027, 4")
    submit(page, "Save the commitment")
    assert error_summary_items(page)[0][0].startswith("No ward or district is called “Atlantis”")
    assert_accessible(page)
    # Places are chosen by name: the suggestions appear as the manager types, and the keyboard picks one.
    place = page.get_by_label("Place (optional)")
    place.fill("")
    place.press_sequentially("Altrinch")
    expect(page.get_by_role("option", name="Altrincham, Trafford")).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(place).to_have_value("Altrincham, Trafford")
    submit(page, "Save the commitment")
    expect(page).to_have_title(f"Commitments – {REFERENCE} – Commonweal")
    assert_accessible(page)
    assert Commitment.objects.filter(agreement__reference=REFERENCE, place_code="E05015239").exists()

    bad = tmp_path / "bad.csv"
    bad.write_text("measure code,target quantity,due date\nJOBS.1.2,52,2027-03-31\nNOPE,1,2027-03-31\n")
    good = tmp_path / "good.csv"
    good.write_text(
        "measure code,target quantity,due date,place code,beneficiary group\n"
        "JOBS.1.2,52,2027-03-31,E08000009,Care leavers\nCOMM.1.1,100,2028-03-31,,\n"
    )
    follow(page, page.get_by_role("link", name="Import commitments from a file"))
    expect(page).to_have_title(f"Import commitments – {REFERENCE} – Commonweal")
    assert_accessible(page)
    page.get_by_label("Commitments file").set_input_files(str(bad))
    submit(page, "Import the commitments")
    problems = page.locator("table").filter(has=page.locator("caption", has_text="Problems in the file"))
    assert table_rows(problems)[0][0] == "3"
    assert "measure code “NOPE” is not a measure" in table_rows(problems)[0][1]
    assert_accessible(page)
    page.get_by_label("Commitments file").set_input_files(str(good))
    submit(page, "Import the commitments")
    expect(page.get_by_text("2 commitments imported; 0 already there")).to_be_visible()
    agreement = Agreement.objects.get(reference=REFERENCE)
    assert agreement.commitments.count() == 3
    # The effective target is pro-rated: 52 × 25% = 13.
    listing = page.locator("table").filter(has=page.locator("caption", has_text="Commitments on"))
    rows = {row[0].split(" (")[0]: row for row in table_rows(listing)}
    assert rows["JOBS.1.2 Apprenticeship weeks completed"][3:5] == ["52", "13"]

    commitment = agreement.commitments.get(measure__code="COMM.1.1")
    follow(page, page.get_by_role("link", name=f"Change {commitment.measure.title}, due 31 March 2028"))
    expect(page).to_have_title(f"Change a commitment – {REFERENCE} – Commonweal")
    assert_accessible(page)
    page.get_by_label("Target quantity").fill("120")
    submit(page, "Save the commitment")
    follow(page, page.get_by_role("link", name=f"Remove {commitment.measure.title}, due 31 March 2028"))
    expect(page).to_have_title(f"Remove a commitment – {REFERENCE} – Commonweal")
    assert_accessible(page)
    submit(page, "Remove the commitment")
    assert not Commitment.objects.filter(pk=commitment.pk).exists()

    page.goto(f"/o/northfield/agreements/{agreement.pk}/called-off/")
    expect(page).to_have_title(f"Update the called-off value – {REFERENCE} – Commonweal")
    assert_accessible(page)
    page.get_by_label("Called-off value (£)").fill("400000")
    submit(page, "Save the called-off value")
    expect(page.get_by_text("£400,000.00 (50% of the value)")).to_be_visible()
    Department.objects.get_or_create(organisation=agreement.organisation, name="Highways")
    page.goto(f"/o/northfield/agreements/{agreement.pk}/edit/")
    expect(page).to_have_title(f"Change the agreement – {REFERENCE} – Commonweal")
    assert_accessible(page)
    page.get_by_label("Department (optional)").select_option(label="Highways")
    submit(page, "Save the agreement")
    agreement.refresh_from_db()
    assert agreement.department is not None and agreement.department.name == "Highways"
    sign_out(page)

    # The supplier proposes a pledge in place of the apprenticeship weeks.
    sign_in(page, SUPPLIER)
    page.goto(f"/o/brightside/agreements/{agreement.pk}/")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Propose a substitution"))
    expect(page).to_have_title(f"Propose a substitution – {REFERENCE} – Commonweal")
    assert_accessible(page)
    weeks = agreement.commitments.get(measure__code="JOBS.1.2")
    page.get_by_label("Commitment to replace").select_option(value=str(weeks.pk))
    page.get_by_label("Or a pledge to a community need").fill("Refit the Riverside Community Trust kitchen")
    page.get_by_label("Why you propose this").fill("The apprenticeship scheme closed in May.")
    submit(page, "Check the values")
    expect(
        page.get_by_text("This agreement has no value set, so no money comparison is possible").first
    ).to_be_visible()
    assert_accessible(page)
    submit(page, "Propose the substitution")
    expect(page).to_have_title(f"Substitution for Apprenticeship weeks completed – {REFERENCE} – Commonweal")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, MANAGER)
    substitution = Substitution.objects.get()
    page.goto(f"/o/northfield/substitutions/{substitution.pk}/")
    assert_accessible(page)
    page.get_by_label("Refuse it").check()
    submit(page, "Save the decision")
    assert error_summary_items(page) == [("Enter the reason for refusing the substitution", "#id_decision-reason")]
    assert_accessible(page)
    page.get_by_label("Approve the substitution").check()
    submit(page, "Save the decision")
    expect(page).to_have_title(f"{REFERENCE} Highways minor works call-off – Commonweal")
    history = page.locator("table").filter(has=page.locator("caption", has_text="Every substitution proposed"))
    assert table_rows(history)[0][1:] == [
        "Apprenticeship weeks completed",
        "Pledge: Refit the Riverside Community Trust kitchen",
        "–",
        "–",
        "Approved",
    ]
    assert_accessible(page)
    assert Commitment.objects.get(pk=substitution.commitment_id).state == CommitmentState.SUBSTITUTED
