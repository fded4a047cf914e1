"""The annual impact report: a hand-computed year (tests/reporting_report_support.py) on the preview page,
in the published version's CSV and in its PDF text; sign-off by a second person; publication as an
immutable version that new verified returns do not change; corrections as new versions; the rules of
the builder (consent, one report a year, reordering) and the audit log."""

import csv
import io
import json
import subprocess
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from unittest.mock import patch

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery import services_returns
from commonweal.delivery.models import CaseStudy, DeliveryReturn, LineStatus
from commonweal.reporting import annual, selectors_report, services_report
from commonweal.reporting.models import ImpactReport, ReportState, ReportVersion
from commonweal.tenancy.permissions import PermissionRefused

from .reporting_report_support import Year, year_build

pytestmark = pytest.mark.django_db

SECTION = "What the year achieved"
SECTION_TEXT = "Sixteen people found work through our contracts."


def draft(year: Year) -> ImpactReport:
    lead = year.member(year.lead)
    report = services_report.report_create(
        actor=year.lead, member=lead, year=year.year, title="Social value impact report 2025/26", summary="Our year."
    )
    services_report.section_add(actor=year.lead, member=lead, report=report, heading=SECTION, body=SECTION_TEXT)
    services_report.case_studies_choose(actor=year.lead, member=lead, report=report, case_studies=[year.case_study])
    return report


def published(year: Year) -> tuple[ImpactReport, ReportVersion]:
    report = draft(year)
    services_report.report_submit(actor=year.lead, member=year.member(year.lead), report=report)
    services_report.report_sign_off(actor=year.viewer, member=year.member(year.viewer), report=report)
    version = services_report.report_publish(actor=year.lead, member=year.member(year.lead), report=report)
    return report, version


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def figures(rows: list[dict[str, str]], table: str) -> dict[tuple[str, str], Decimal | str]:
    """The figures of one table by (row, column): numbers as Decimal, text (a suppressed cell) as it is."""

    def value(text: str) -> Decimal | str:
        try:
            return Decimal(text)
        except InvalidOperation:
            return text

    return {(row["row"], row["column"]): value(row["value"]) for row in rows if row["table"] == table}


# --- The figures, hand-computed ----------------------------------------------------------------------


def test_the_preview_page_shows_the_hand_computed_year() -> None:
    year = year_build()
    report = draft(year)
    response = signed_in(year.viewer).get(
        reverse("reporting:report-preview", kwargs={"org": year.buyer.slug, "pk": report.pk})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Draft preview: not signed off or published" in page
    view = response.context["view"]
    rows = {table.key: table.shown_rows for table in view.tables}
    texts = {key: [[text for text, _ in row] for row in table_rows] for key, table_rows in rows.items()}
    assert texts["additional-social"] == [
        ["Committed", "£20,000.00", "£16,000.00", "£5,000.00", "£4,000.00"],
        ["Claimed", "£16,000.00", "£12,800.00", "£5,000.00", "£4,000.00"],
        ["Evidenced", "£0.00", "£0.00", "£0.00", "£0.00"],
        ["Verified", "£16,000.00", "£12,800.00", "£5,000.00", "£4,000.00"],
    ]
    assert texts["local-economic"] == [
        ["Committed", "£50,000.00", "£45,000.00", "£0.00", "£0.00"],
        ["Claimed", "£30,000.00", "£27,000.00", "£0.00", "£0.00"],
        ["Evidenced", "£0.00", "£0.00", "£0.00", "£0.00"],
        ["Verified", "£0.00", "£0.00", "£0.00", "£0.00"],
    ]
    assert texts["departments"] == [
        [
            "Highways",
            "1",
            "£200,000.00",
            "£9,600.00",
            "£10,000.00",
            "£8,000.00",
            "£0.00",
            "£45,000.00",
            "£0.00",
            "£0.00",
            "£0.00",
        ],
        [
            "Housing",
            "1",
            "£100,000.00",
            "£6,400.00",
            "£6,000.00",
            "£4,800.00",
            "£4,000.00",
            "£0.00",
            "£0.00",
            "£0.00",
            "£0.00",
        ],
    ]
    assert texts["budget-lines"] == [
        ["Highways", "People into work (JOBS)", "number", "15", "0", "12", "10", "0", "10", "−5", "66.7%", "10", "0"]
    ]
    # Every figure on the page, with the chart before its table, each value type apart.
    for text in ("£12,800.00", "£27,000.00", "£45,000.00", "−5", "66.7%"):
        assert text in page
    assert page.count('role="img"') >= 3
    assert page.index('id="chart-additional-social"') < page.index("Additional social value, 2025/26 against")
    # The share of spend, and how it was reached.
    assert "£30,000.00 ÷ £200,000.00 = 15%" in page
    assert "£27,000.00 ÷ £200,000.00 = 13.5%" in page
    assert "£11,000.00 ÷ £100,000.00 = 11%" in page
    # The words, the consented case study, and the methodology from the value set and the rules.
    assert SECTION_TEXT in page and "Amira joined the repairs team" in page
    assert "A story nobody agreed to publish" not in page
    assert "Handshire research, 2024" in page and "Open Government Licence v3.0" in page
    assert "claimed = not rejected, on a submitted return" in page
    assert "verified = verified by the contract manager" in page


def test_the_published_csv_xlsx_json_and_pdf_carry_the_same_figures(tmp_path: Path) -> None:
    year = year_build()
    _, version = published(year)
    client = signed_in(year.contract_manager)  # any member of the organisation reads it
    kwargs = {"org": year.buyer.slug, "pk": version.pk}

    response = client.get(reverse("reporting:version-csv", kwargs=kwargs))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    social = figures(rows, "additional-social")
    assert social[("Committed", "2025/26 gross")] == Decimal("20000.00")
    assert social[("Verified", "2025/26 net")] == Decimal("12800.00")
    assert social[("Verified", "Last year net")] == Decimal("4000.00")
    local = figures(rows, "local-economic")
    assert local[("Claimed", "2025/26 gross")] == Decimal("30000.00")
    assert local[("Claimed", "2025/26 net")] == Decimal("27000.00")
    assert local[("Verified", "2025/26 gross")] == Decimal("0")
    departments = figures(rows, "departments")
    assert departments[("Highways", "Additional social value verified, net")] == Decimal("8000.00")
    assert departments[("Housing", "Additional social value verified, gross")] == Decimal("6000.00")
    assert departments[("Highways", "Local economic value committed, net")] == Decimal("45000.00")
    lines = figures(rows, "budget-lines")
    assert lines[("Highways", "Variance (verified − target)")] == Decimal("-5.00")
    assert lines[("Highways", "Verified as % of target")] == Decimal("66.7")
    shares = [row for row in rows if row["table"] == "shares" and row["row"] == "HWY-1 Highways maintenance"]
    assert {"column": "Gross as % of value", "value": "15.0"} in [
        {"column": row["column"], "value": row["value"]} for row in shares
    ]
    # No figure adds the two value types: no column names both, and no total of them.
    assert not any("social" in row["column"].lower() and "economic" in row["column"].lower() for row in rows)

    response = client.get(reverse("reporting:version-xlsx", kwargs=kwargs))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["additional-social"]
    assert [cell.value for cell in sheet[5]] == ["Verified", "16000.00", "12800.00", "5000.00", "4000.00"]

    response = client.get(reverse("reporting:version-json", kwargs=kwargs))
    data = json.loads(response.content)
    assert data["standing"] == "published" and data["version"] == 1
    assert data["signed_off_by"] == year.viewer.email
    assert data["content"]["budget"]["label"] == "2025/26"

    response = client.get(reverse("reporting:version-pdf", kwargs=kwargs))
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.getvalue())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for figure in ("£20,000.00", "£16,000.00", "£12,800.00", "£45,000.00", "£27,000.00", "£8,000.00", "£4,800.00"):
        assert figure in text, figure
    assert "Version 1, published" in text
    assert "DRAFT" not in text
    assert "Amira joined the repairs team" in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info
    assert "Title:           Social value impact report 2025/26 (version 1)" in info

    # Made once and kept: the next download serves the stored file, rendering nothing.
    version.refresh_from_db()
    assert version.pdf.name.startswith(f"reports/{year.buyer.pk}/")
    with patch.object(services_report.annual_files, "report_pdf", side_effect=AssertionError("rendered again")):
        again = client.get(reverse("reporting:version-pdf", kwargs=kwargs))
    assert again.getvalue() == pdf.read_bytes()


def test_a_published_version_does_not_change_when_new_returns_are_verified() -> None:
    year = year_build()
    report, version = published(year)
    before = ReportVersion.objects.get(pk=version.pk).snapshot
    manager = year.member(year.contract_manager)
    services_returns.return_line_review(
        actor=year.contract_manager, member=manager, line=year.spend_line, decision=LineStatus.VERIFIED, reason=""
    )
    lead = year.member(year.lead)
    # The draft's figures move on: the £30,000 of local spend is now verified …
    live = annual.figure_rows(selectors_report.report_view(member=lead, report=report).tables)
    assert figures(live, "local-economic")[("Verified", "2025/26 gross")] == Decimal("30000.00")
    # … and the published version keeps what it published.
    assert ReportVersion.objects.get(pk=version.pk).snapshot == before
    kept = annual.figure_rows(selectors_report.version_view(member=lead, version=version).tables)
    assert figures(kept, "local-economic")[("Verified", "2025/26 gross")] == Decimal("0")
    response = signed_in(year.viewer).get(
        reverse("reporting:version-csv", kwargs={"org": year.buyer.slug, "pk": version.pk})
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert figures(rows, "local-economic")[("Verified", "2025/26 gross")] == Decimal("0")


def test_what_is_published_is_what_was_signed_off_not_returns_verified_since() -> None:
    year = year_build()
    report = draft(year)
    lead = year.member(year.lead)
    services_report.report_submit(actor=year.lead, member=lead, report=report)
    services_report.report_sign_off(actor=year.viewer, member=year.member(year.viewer), report=report)
    # Between sign-off and publishing, the £30,000 of local spend is verified: nobody signed that off.
    services_returns.return_line_review(
        actor=year.contract_manager,
        member=year.member(year.contract_manager),
        line=year.spend_line,
        decision=LineStatus.VERIFIED,
        reason="",
    )
    version = services_report.report_publish(actor=year.lead, member=lead, report=report)
    kept = annual.figure_rows(selectors_report.version_view(member=lead, version=version).tables)
    assert figures(kept, "local-economic")[("Verified", "2025/26 gross")] == Decimal("0")
    report.refresh_from_db()
    assert version.snapshot == report.signed_off_content


def test_a_correction_is_a_new_version_with_a_note_of_what_changed() -> None:
    year = year_build()
    report, first = published(year)
    lead = year.member(year.lead)
    services_report.report_update(actor=year.lead, member=lead, report=report, title="Corrected title", summary="")
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT  # a change after publishing is a draft to sign off again
    services_report.report_submit(actor=year.lead, member=lead, report=report)
    services_report.report_sign_off(actor=year.second_lead, member=year.member(year.second_lead), report=report)
    with pytest.raises(ApplicationError) as refused:
        services_report.report_publish(actor=year.lead, member=lead, report=report)
    assert refused.value.field_errors == {"change_note": "Say what changed since version 1"}
    second = services_report.report_publish(actor=year.lead, member=lead, report=report, change_note="Title corrected.")
    assert (second.number, second.change_note) == (2, "Title corrected.")
    assert second.snapshot["title"] == "Corrected title"
    assert ReportVersion.objects.get(pk=first.pk).snapshot["title"] == "Social value impact report 2025/26"
    view = selectors_report.annual_view(member=lead, start_year=2025)
    assert view is not None and view.version == 2 and [note.number for note in view.history] == [2, 1]


# --- Sign-off ---------------------------------------------------------------------------------------


def test_the_person_who_submitted_cannot_sign_off() -> None:
    year = year_build()
    report = draft(year)
    lead = year.member(year.lead)
    services_report.report_submit(actor=year.lead, member=lead, report=report)
    with pytest.raises(ApplicationError, match="You submitted this report: a second person"):
        services_report.report_sign_off(actor=year.lead, member=lead, report=report)
    # The page refuses it too, on the form, and changes nothing.
    response = signed_in(year.lead).post(
        reverse("reporting:report-sign-off", kwargs={"org": year.buyer.slug, "pk": report.pk})
    )
    assert response.status_code == 200
    assert "You submitted this report: a second person" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.AWAITING_SIGN_OFF and report.signed_off_by is None
    assert not ReportVersion.objects.exists()


def test_only_a_lead_or_viewer_signs_off_and_only_a_signed_off_report_is_published() -> None:
    year = year_build()
    report = draft(year)
    lead = year.member(year.lead)
    with pytest.raises(ApplicationError, match="Only a signed-off report"):
        services_report.report_publish(actor=year.lead, member=lead, report=report)
    services_report.report_submit(actor=year.lead, member=lead, report=report)
    with pytest.raises(PermissionRefused):
        services_report.report_sign_off(
            actor=year.contract_manager, member=year.member(year.contract_manager), report=report
        )
    response = signed_in(year.contract_manager).post(
        reverse("reporting:report-sign-off", kwargs={"org": year.buyer.slug, "pk": report.pk})
    )
    assert response.status_code == 404
    # A viewer may sign off but not write.
    with pytest.raises(PermissionRefused):
        services_report.report_update(
            actor=year.viewer, member=year.member(year.viewer), report=report, title="X", summary=""
        )
    services_report.report_sign_off(actor=year.viewer, member=year.member(year.viewer), report=report)
    report.refresh_from_db()
    assert (report.state, report.signed_off_by) == (ReportState.SIGNED_OFF, year.viewer)


def test_a_change_after_sign_off_takes_the_report_back_to_draft() -> None:
    year = year_build()
    report = draft(year)
    lead = year.member(year.lead)
    services_report.report_submit(actor=year.lead, member=lead, report=report)
    services_report.report_sign_off(actor=year.viewer, member=year.member(year.viewer), report=report)
    section = report.sections.get()
    services_report.section_update(actor=year.lead, member=lead, section=section, heading=SECTION, body="New words.")
    report.refresh_from_db()
    assert (report.state, report.signed_off_by, report.submitted_by) == (ReportState.DRAFT, None, None)
    with pytest.raises(ApplicationError):
        services_report.report_publish(actor=year.lead, member=lead, report=report)


# --- The builder ------------------------------------------------------------------------------------


def test_one_report_a_year_and_only_consented_case_studies() -> None:
    year = year_build()
    report = draft(year)
    lead = year.member(year.lead)
    with pytest.raises(ApplicationError, match="2025/26 has a report already"):
        services_report.report_create(actor=year.lead, member=lead, year=year.year, title="Again", summary="")
    choices = list(selectors_report.case_study_choice_list(member=lead))
    assert choices == [year.case_study]
    with pytest.raises(ApplicationError, match="A story nobody agreed to publish"):
        services_report.case_studies_choose(
            actor=year.lead, member=lead, report=report, case_studies=[year.unconsented_case_study]
        )
    # A consented story of last year's return (submitted 1 March 2025) is not one of 2025/26's.
    last_year = CaseStudy.objects.create(
        organisation=year.buyer,
        delivery_return=DeliveryReturn.objects.get(agreement__organisation=year.buyer, submitted_at__month=3),
        title="Last year's story",
        story="From 2024/25.",
        consent_given_by="Sam",
        consent_date=date(2025, 3, 2),
    )
    assert last_year in selectors_report.case_study_choice_list(member=lead)
    assert list(selectors_report.case_study_choice_list(member=lead, year=year.year)) == [year.case_study]
    with pytest.raises(ApplicationError, match="in the 2025/26 report .*Last year's story"):
        services_report.case_studies_choose(actor=year.lead, member=lead, report=report, case_studies=[last_year])
    assert list(report.case_studies.all()) == [year.case_study]


def test_sections_are_added_moved_and_removed_in_order_through_the_pages() -> None:
    year = year_build()
    report = draft(year)
    client = signed_in(year.lead)
    org = year.buyer.slug
    response = client.post(
        reverse("reporting:report-section-add", kwargs={"org": org, "pk": report.pk}),
        {"heading": "Looking ahead", "body": "Next year we will do more."},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("reporting:report-section-add", kwargs={"org": org, "pk": report.pk}), {"heading": ""}
    )
    assert response.status_code == 200 and "Enter a heading" in response.content.decode()
    later = report.sections.get(heading="Looking ahead")
    client.post(reverse("reporting:report-section-move", kwargs={"org": org, "pk": later.pk}), {"direction": "up"})
    assert list(report.sections.values_list("heading", flat=True)) == ["Looking ahead", SECTION]
    first = report.sections.get(heading=SECTION)
    client.post(reverse("reporting:report-section-remove", kwargs={"org": org, "pk": first.pk}))
    assert list(report.sections.values_list("heading", "position")) == [("Looking ahead", 0)]
    # A viewer reads the builder but may not change it.
    viewer = signed_in(year.viewer)
    assert viewer.get(reverse("reporting:report-detail", kwargs={"org": org, "pk": report.pk})).status_code == 200
    response = viewer.post(
        reverse("reporting:report-section-add", kwargs={"org": org, "pk": report.pk}), {"heading": "X", "body": "Y"}
    )
    assert response.status_code == 404


def test_every_write_is_audited_on_the_report() -> None:
    year = year_build()
    report, _ = published(year)
    actions = set(AuditEvent.objects.for_trail(report).values_list("action", flat=True))
    assert actions >= {
        AuditAction.IMPACT_REPORT_CREATED,
        AuditAction.REPORT_SECTION_ADDED,
        AuditAction.IMPACT_REPORT_CASE_STUDIES_CHOSEN,
        AuditAction.IMPACT_REPORT_SUBMITTED,
        AuditAction.IMPACT_REPORT_SIGNED_OFF,
        AuditAction.IMPACT_REPORT_PUBLISHED,
    }
    published_event = AuditEvent.objects.get(action=AuditAction.IMPACT_REPORT_PUBLISHED)
    assert published_event.after["version"] == 1 and published_event.actor == year.lead


def test_the_year_with_no_value_set_says_so_and_shows_no_money() -> None:
    year = year_build()
    year.year.value_set = None
    year.year.save(update_fields=["value_set"])
    report = draft(year)
    view = selectors_report.report_view(member=year.member(year.lead), report=report)
    assert view.content.methodology.value_sets == ()
    assert "no £ figures" in view.content.budget.note
    assert view.content.budget.as_at == date(2026, 3, 31)


# --- The command line and the API ---------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_command_writes_the_draft_marked_as_a_draft_then_the_published_version(tmp_path: Path) -> None:
    year = year_build()
    report = draft(year)
    out = io.StringIO()
    path = tmp_path / "draft.pdf"
    call_command(
        "report", "annual", "--organisation", year.buyer.slug, "--year", "2025", "--pdf", str(path), stdout=out
    )
    assert out.getvalue().strip() == (
        f"Wrote the draft (not signed off or published) of “Social value impact report 2025/26” to {path}."
    )
    text = pdf_text(path)
    assert "DRAFT – not signed off or published" in text and "£12,800.00" in text

    services_report.report_submit(actor=year.lead, member=year.member(year.lead), report=report)
    services_report.report_sign_off(actor=year.viewer, member=year.member(year.viewer), report=report)
    services_report.report_publish(actor=year.lead, member=year.member(year.lead), report=report)
    path = tmp_path / "published.pdf"
    call_command(
        "report", "annual", "--organisation", year.buyer.slug, "--year", "2025", "--pdf", str(path), stdout=out
    )
    text = pdf_text(path)
    assert "Version 1, published" in text and "DRAFT" not in text and "£45,000.00" in text

    out = io.StringIO()
    call_command("report", "annual", "--organisation", year.buyer.slug, "--year", "2025", "--csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert figures(rows, "additional-social")[("Verified", "2025/26 net")] == Decimal("12800.00")


def test_the_command_refuses_an_unknown_organisation_or_a_year_without_a_report() -> None:
    year = year_build()
    with pytest.raises(CommandError, match="No organisation has the short name “nowhere”"):
        call_command("report", "annual", "--organisation", "nowhere", "--year", "2025", "--json")
    with pytest.raises(CommandError, match="Handshire Council has no impact report for 2026/27"):
        call_command("report", "annual", "--organisation", year.buyer.slug, "--year", "2026", "--json")


def test_the_api_lists_reports_and_gives_the_draft_and_the_published_version() -> None:
    year = year_build()
    report, version = published(year)
    client = signed_in(year.viewer)
    listed = client.get(reverse("api:report-list", kwargs={"org": year.buyer.slug})).json()
    assert [(item["year_label"], item["state"], [v["number"] for v in item["versions"]]) for item in listed] == [
        ("2025/26", "published", [1])
    ]
    kept = client.get(reverse("api:report-version", kwargs={"org": year.buyer.slug, "pk": version.pk})).json()
    assert kept["standing"] == "published" and kept["signed_off_by"] == year.viewer.email
    tables = {table["key"]: table for table in kept["tables"]}
    assert tables["local-economic"]["rows"][1] == ["Claimed", "30000.00", "27000.00", "0.00", "0.00"]
    live = client.get(reverse("api:report-detail", kwargs={"org": year.buyer.slug, "pk": report.pk})).json()
    assert live["standing"] == "draft" and live["version"] is None


@pytest.mark.django_db(transaction=True)
def test_the_report_cycle_through_the_pages_committed() -> None:
    """Every service that locks the report, each request in autocommit as in production (tests/test_lock_paths.py)."""
    year = year_build()
    org = year.buyer.slug
    lead, viewer = signed_in(year.lead), signed_in(year.viewer)
    response = lead.post(
        reverse("reporting:report-create", kwargs={"org": org}), {"year": year.year.pk, "title": "Committed report"}
    )
    assert response.status_code == 302, response.content
    report = ImpactReport.objects.get(year=year.year)
    kwargs = {"org": org, "pk": report.pk}
    lead.post(reverse("reporting:report-section-add", kwargs=kwargs), {"heading": "One", "body": "First."})
    lead.post(reverse("reporting:report-section-add", kwargs=kwargs), {"heading": "Two", "body": "Second."})
    second = report.sections.get(heading="Two")
    assert (
        lead.post(
            reverse("reporting:report-section-move", kwargs={"org": org, "pk": second.pk}), {"direction": "up"}
        ).status_code
        == 302
    )
    assert lead.post(reverse("reporting:report-submit", kwargs=kwargs)).status_code == 302
    assert viewer.post(reverse("reporting:report-return", kwargs=kwargs)).status_code == 302
    assert lead.post(reverse("reporting:report-submit", kwargs=kwargs)).status_code == 302
    assert viewer.post(reverse("reporting:report-sign-off", kwargs=kwargs)).status_code == 302
    assert (
        lead.post(
            reverse("reporting:report-edit", kwargs=kwargs), {"title": "Committed report", "summary": "Now."}
        ).status_code
        == 302
    )
    assert lead.post(reverse("reporting:report-submit", kwargs=kwargs)).status_code == 302
    assert viewer.post(reverse("reporting:report-sign-off", kwargs=kwargs)).status_code == 302
    assert lead.post(reverse("reporting:report-publish", kwargs=kwargs)).status_code == 302
    version = ReportVersion.objects.get(report=report)
    assert version.pdf.name.endswith(".pdf")  # the worker made the PDF once the version was committed
    with version.pdf.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert [section["heading"] for section in version.snapshot["sections"]] == ["Two", "One"]
    assert version.snapshot["summary"] == "Now." and version.signed_off_by == year.viewer


def test_the_page_shows_the_largest_agreements_shares_and_the_downloads_every_one() -> None:
    year = year_build()
    report = draft(year)
    view = selectors_report.report_view(member=year.member(year.lead), report=report)
    with patch.object(annual, "SHARES_SHOWN", 1):
        shown = annual.figure_tables(view.content, full=False)
    shares = next(table for table in shown if table.key == "shares")
    assert {row[0] for row in shares.rows} == {"HWY-1 Highways maintenance"}  # £200,000, the larger
    assert shares.note == "The 1 agreements of largest value, of 2: the CSV, XLSX and JSON downloads have every one."
    every = next(table for table in view.tables if table.key == "shares")
    assert {row[0] for row in every.rows} == {"HWY-1 Highways maintenance", "HSG-1 Housing repairs"}
