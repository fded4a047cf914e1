"""Error paths in the browser: the return form and the review form refuse bad input the GOV.UK way."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commonweal.delivery.models import Commitment, DeliveryReturn, LineStatus, ReturnLine
from commonweal.demo.services import DemoLoadResult

from .support import assert_accessible, error_summary_items, follow, sign_in, submit

VOLUNTEERING = "Volunteering hours for community organisations"
LOCAL_JOBS = "Local people employed on the contract"


def commitment_field(measure_code: str) -> str:
    commitment = Commitment.objects.get(agreement__reference="NBC-2026-014", measure__code=measure_code)
    return f"#id_quantity_{commitment.pk}"


def open_return_form(page: Page) -> None:
    sign_in(page, "supplier@brightside.example")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="NBC-2026-014", exact=True))
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Submit a delivery return"))
    expect(page).to_have_title("Submit a delivery return – NBC-2026-014 – Commonweal")
    assert_accessible(page)


def inline_errors(page: Page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator(".govuk-error-message").all_text_contents()]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_return_form_errors(page: Page, demo: DemoLoadResult, tmp_path: Path) -> None:
    open_return_form(page)

    # Nothing entered: one error per missing part, each linked to its field.
    submit(page, "Continue")
    expect(page).to_have_title("Error: Submit a delivery return – NBC-2026-014 – Commonweal")
    first_commitment = Commitment.objects.filter(agreement__reference="NBC-2026-014").order_by("pk").first()
    assert first_commitment is not None
    assert error_summary_items(page) == [
        ("Enter a quantity for at least one commitment", f"#id_quantity_{first_commitment.pk}"),
        ("Describe what was delivered in this period", "#id_narrative"),
    ]
    assert inline_errors(page) == [
        "Error: Enter a quantity for at least one commitment",
        "Error: Describe what was delivered in this period",
    ]
    # Fields with errors say so to assistive technology.
    expect(page.locator("#id_narrative")).to_have_attribute("aria-describedby", "id_narrative-hint id_narrative-error")
    expect(page.locator("#id_narrative")).to_have_class("govuk-textarea govuk-textarea--error")
    # GOV.UK Frontend moves focus to the summary, and its links move focus to the field.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    page.locator(".govuk-error-summary").get_by_role("link", name="Describe what was delivered").click()
    expect(page.locator("#id_narrative")).to_be_focused()
    assert_accessible(page)

    evidence = tmp_path / "report.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%%EOF\n")

    # A quantity that is not a number; what was typed is kept so it can be corrected.
    page.locator(commitment_field("JOBS.1.1")).fill("two")
    page.get_by_label("What was delivered").fill("Two local people joined the site team.")
    page.get_by_label("Upload evidence files").set_input_files(evidence)
    submit(page, "Continue")
    assert error_summary_items(page) == [
        ("Enter the quantity as a number, like 12 or 3.5", commitment_field("JOBS.1.1"))
    ]
    assert inline_errors(page) == ["Error: Enter the quantity as a number, like 12 or 3.5"]
    expect(page.locator(commitment_field("JOBS.1.1"))).to_have_value("two")
    expect(page.locator(commitment_field("JOBS.1.1"))).to_have_class(re.compile(r"\bgovuk-input--error\b"))
    expect(page.get_by_label("What was delivered")).to_have_value("Two local people joined the site team.")
    assert_accessible(page)

    # A program is refused as evidence, whatever it claims to be.
    program = tmp_path / "report.exe"
    program.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)
    page.locator(commitment_field("JOBS.1.1")).fill("2")
    page.get_by_label("Upload evidence files").set_input_files(program)
    submit(page, "Continue")
    expected = "The selected file must be a CSV, DOCX, JPG, ODS, ODT, PDF, PNG, TXT or XLSX"
    assert error_summary_items(page) == [(expected, "#id_evidence")]
    assert inline_errors(page) == [f"Error: {expected}"]
    assert_accessible(page)

    # None of the refused submissions stored anything: only the demo's own two returns exist.
    assert DeliveryReturn.objects.filter(agreement__reference="NBC-2026-014").count() == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_review_form_errors(page: Page, demo: DemoLoadResult) -> None:
    pending = ReturnLine.objects.get(status=LineStatus.PENDING)
    assert pending.commitment.measure.code == "COMM.1.1"
    sign_in(page, "manager@northfield.example")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="NBC-2026-014", exact=True))
    assert_accessible(page)
    follow(page, page.get_by_role("link", name=f"Review {VOLUNTEERING}, 16"))
    expect(page).to_have_title("Review a return line – NBC-2026-014 – Commonweal")
    assert_accessible(page)

    # No decision chosen.
    submit(page, "Save the decision")
    assert error_summary_items(page) == [("Choose verify or reject, or query the line", "#id_decision_0")]
    assert inline_errors(page) == ["Error: Choose verify or reject, or query the line"]
    fieldset = page.get_by_role("group", name="Do you accept this quantity?")
    expect(fieldset).to_have_attribute("aria-describedby", "id_decision-error")
    page.locator(".govuk-error-summary").get_by_role("link", name="Choose verify or reject").click()
    expect(page.get_by_label("Verify: the evidence supports it")).to_be_focused()
    assert_accessible(page)

    # Rejected without a reason.
    page.get_by_label("Reject it").check()
    submit(page, "Save the decision")
    assert error_summary_items(page) == [("Enter the reason for rejecting this line", "#id_reason")]
    assert inline_errors(page) == ["Error: Enter the reason for rejecting this line"]
    expect(page.get_by_label("Reject it")).to_be_checked()
    assert_accessible(page)

    pending.refresh_from_db()
    assert pending.status == LineStatus.PENDING
    assert pending.reason == ""
