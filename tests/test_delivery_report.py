"""Delivery reports: rows per measure (proposed against achieved, % and money), `commonweal delivery report`
as JSON and CSV, the printable page and the PDF with case studies."""

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from commonweal.core.pdf import refuse_fetch
from commonweal.delivery import reports
from commonweal.delivery.models import Agreement

from . import factories
from .conftest import Tenant
from .delivery_status_helpers import (
    HOURS,
    JOBS,
    MID,
    SPEND,
    case_study_make,
    return_make,
    returns_in_every_state,
    today_fix,
    value_set_make,
)
from .pdf_support import assert_tagged

STORY = "Amira joined as an apprentice electrician after a year out of work; she now wires the library's new wing."


@pytest.fixture
def reported(tenant_a: Tenant) -> Tenant:
    """Tenant A's returns in every state, valued with a value set that has figures for jobs and local spend,
    and a case study on a submitted return (and one on a draft, which is not published)."""
    tenant = returns_in_every_state(tenant_a)
    jobs, spend, _ = tenant.commitments
    tenant.agreement.value_set = value_set_make(
        tenant,
        {jobs.measure: {"value_per_unit": "100", "deadweight": "0.1"}, spend.measure: {"value_per_unit": "0.5"}},
    )
    tenant.agreement.save(update_fields=["value_set"])
    submitted = tenant.agreement.returns.get(narrative="First quarter")
    case_study_make(submitted, jobs, "A first job in two years", STORY)
    draft = tenant.agreement.returns.get(narrative="Not sent yet")
    case_study_make(draft, None, "Draft story", "Not yet sent to the council.")
    return tenant


EXPECTED_ROWS = [
    {
        "agreement_reference": "A-001",
        "agreement_title": "",  # filled in by the test
        "buyer": "Council A",
        "supplier": "Supplier A Ltd",
        "measure_code": "COMM.1",
        "measure_title": HOURS,
        "unit": "hours",
        "value_type": "Additional social value",
        "proposed_quantity": "10.00",
        "target_in_force": "10.00",
        "claimed_quantity": "1.00",
        "evidenced_quantity": "0.00",
        "verified_quantity": "0.00",
        "percent_delivered": "0.0",
        "status": "Behind",
        "value_set": "Local values (local-values)",
        "committed_gross": "",
        "committed_net": "",
        "claimed_gross": "",
        "claimed_net": "",
        "verified_gross": "",
        "verified_net": "",
    },
    {
        "agreement_reference": "A-001",
        "agreement_title": "",
        "buyer": "Council A",
        "supplier": "Supplier A Ltd",
        "measure_code": "ECON.1",
        "measure_title": SPEND,
        "unit": "£",
        "value_type": "Local economic value",
        "proposed_quantity": "10.00",
        "target_in_force": "10.00",
        "claimed_quantity": "6.00",
        "evidenced_quantity": "0.00",
        "verified_quantity": "6.00",
        "percent_delivered": "60.0",
        "status": "On track",
        "value_set": "Local values (local-values)",
        "committed_gross": "5.00",
        "committed_net": "5.00",
        "claimed_gross": "3.00",
        "claimed_net": "3.00",
        "verified_gross": "3.00",
        "verified_net": "3.00",
    },
    {
        "agreement_reference": "A-001",
        "agreement_title": "",
        "buyer": "Council A",
        "supplier": "Supplier A Ltd",
        "measure_code": "JOBS.1",
        "measure_title": JOBS,
        "unit": "number",
        "value_type": "Additional social value",
        "proposed_quantity": "10.00",
        "target_in_force": "10.00",
        "claimed_quantity": "6.00",
        "evidenced_quantity": "6.00",
        "verified_quantity": "4.00",
        "percent_delivered": "40.0",
        "status": "At risk",
        "value_set": "Local values (local-values)",
        "committed_gross": "1000.00",
        "committed_net": "900.00",
        "claimed_gross": "600.00",
        "claimed_net": "540.00",
        "verified_gross": "400.00",
        "verified_net": "360.00",
    },
]


def expected_rows(tenant: Tenant) -> list[dict[str, str]]:
    return [{**row, "agreement_title": tenant.agreement.title} for row in EXPECTED_ROWS]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("delivery", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_report_rows_per_measure(reported: Tenant) -> None:
    rows = reports.report_row_list(member=reported.manager_member(), today=MID)
    assert [row.as_dict() for row in rows] == expected_rows(reported)


def test_the_report_command_as_json_is_exact(reported: Tenant) -> None:
    output = run("report", "--organisation", "council-a", "--json", "--today", "2026-09-30")
    assert json.loads(output) == expected_rows(reported)


def test_the_report_command_as_csv_is_exact(reported: Tenant) -> None:
    output = run("report", "--organisation", "supplier-a", "--csv", "--today", "2026-09-30")
    lines = output.splitlines()
    assert lines[0] == ",".join(reports.REPORT_FIELDS)
    title = reported.agreement.title
    assert lines[1:] == [
        f"A-001,{title},Council A,Supplier A Ltd,COMM.1,{HOURS},hours,Additional social value,10.00,10.00,1.00,"
        "0.00,0.00,0.0,Behind,Local values (local-values),,,,,,",
        f"A-001,{title},Council A,Supplier A Ltd,ECON.1,{SPEND},£,Local economic value,10.00,10.00,6.00,0.00,"
        "6.00,60.0,On track,Local values (local-values),5.00,5.00,3.00,3.00,3.00,3.00",
        f"A-001,{title},Council A,Supplier A Ltd,JOBS.1,{JOBS},number,Additional social value,10.00,10.00,6.00,"
        "6.00,4.00,40.0,At risk,Local values (local-values),1000.00,900.00,600.00,540.00,400.00,360.00",
    ]
    assert list(csv.DictReader(io.StringIO(output))) == expected_rows(reported)


def test_the_report_command_takes_one_agreement(reported: Tenant) -> None:
    other = factories.AgreementFactory.create(
        organisation=reported.buyer,
        supplier=reported.supplier,
        reference="A-002",
        framework_version=reported.agreement.framework_version,
    )
    factories.CommitmentFactory.create(agreement=other, measure=reported.commitments[0].measure)
    everything = json.loads(run("report", "--organisation", "council-a", "--json"))
    assert [row["agreement_reference"] for row in everything] == ["A-001", "A-001", "A-001", "A-002"]
    assert everything[3]["value_set"] == "" and everything[3]["committed_gross"] == ""
    one = json.loads(run("report", "--organisation", "council-a", "--agreement", "A-002", "--json"))
    assert [(row["agreement_reference"], row["measure_code"], row["proposed_quantity"]) for row in one] == [
        ("A-002", "JOBS.1", "10.00")
    ]


def test_the_report_command_refuses_what_it_cannot_find(reported: Tenant, tenant_b: Tenant) -> None:
    with pytest.raises(CommandError, match="No organisation has the short name “nowhere”"):
        run("report", "--organisation", "nowhere", "--json")
    # Another tenant's agreement is not found, in the same words as one that does not exist.
    with pytest.raises(CommandError, match="Council B has no agreement with the reference “A-001”"):
        run("report", "--organisation", "council-b", "--agreement", "A-001", "--json")
    with pytest.raises(CommandError, match="one of the arguments --json --csv is required"):
        run("report", "--organisation", "council-a")


def test_the_delivery_report_csv_download_carries_the_same_rows(
    client: Client, reported: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_fix(monkeypatch, MID)
    client.force_login(reported.manager)
    response = client.get(reverse("delivery:delivery-report-csv", kwargs={"org": "council-a"}))
    assert response["Content-Disposition"] == 'attachment; filename="council-a-delivery-report.csv"'
    assert list(csv.DictReader(io.StringIO(response.content.decode()))) == expected_rows(reported)


def test_the_api_report_gives_the_same_rows(reported: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    from rest_framework.test import APIClient

    today_fix(monkeypatch, MID)
    client = APIClient()
    client.force_authenticate(reported.supplier_user)
    url = reverse("api:delivery-report", kwargs={"org": "supplier-a"})
    assert client.get(url, {"agreement": "A-001"}).json() == expected_rows(reported)
    missing = client.get(url, {"agreement": "NOPE"})
    assert missing.status_code == 404


def page_text(response: Any) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def test_the_report_page_shows_proposed_against_achieved_money_and_case_studies(
    client: Client, reported: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_fix(monkeypatch, MID)
    client.force_login(reported.supplier_user)
    url = reverse("delivery:agreement-report", kwargs={"org": "supplier-a", "pk": reported.agreement.pk})
    text = page_text(client.get(url))
    assert f"{JOBS} JOBS.1 number 10 6 4 40% At risk" in text
    assert f"{SPEND} ECON.1 £ £10.00 £6.00 £6.00 60% On track" in text
    assert f"{HOURS} COMM.1 hours 10 1 0 0% Behind" in text
    assert "Committed (targets in force) £1,000.00 £900.00 £5.00 £5.00" in text
    assert "Claimed £600.00 £540.00 £3.00 £3.00" in text
    assert "Verified £400.00 £360.00 £3.00 £3.00" in text
    assert f"{HOURS} Additional social value Not valued: the value set has no figure for COMM.1" in text
    assert "A first job in two years" in text and STORY.replace("'", "&#x27;") in text
    assert "Published with the consent of the apprentice, given on 1 September 2026." in text
    assert "Draft story" not in text


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_report_pdf_is_made_offline_and_carries_the_figures(
    client: Client, reported: Tenant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    today_fix(monkeypatch, MID)
    client.force_login(reported.manager)
    url = reverse("delivery:agreement-report-pdf", kwargs={"org": "council-a", "pk": reported.agreement.pk})
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="A-001-delivery-report.pdf"'
    assert response.content.startswith(b"%PDF-")
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert f"Social value delivery report: {reported.agreement.title}" in text
    assert "Figures on 30 September 2026." in text
    assert "Social value activity Unit Proposed Achieved Achieved % Status" in text
    assert f"{JOBS} number 10 6 4 40% At risk" in text
    assert "£1,000.00 £900.00 £5.00 £5.00" in text
    assert "Verified £400.00 £360.00 £3.00 £3.00" in text
    assert "A first job in two years" in text
    assert "Published with the consent of the apprentice, given on 1 September 2026." in text


def test_the_pdf_fetches_nothing(reported: Tenant) -> None:
    with pytest.raises(ValueError, match="A PDF fetches nothing: https://example.org/x.css was refused."):
        refuse_fetch("https://example.org/x.css")
    report = reports.agreement_report(member=reported.manager_member(), agreement=reported.agreement, today=MID)
    pdf = reports.report_pdf_render(report)
    assert pdf.startswith(b"%PDF-")
    agreement = reported.agreement
    assert_tagged(pdf, title=f"Delivery report – {agreement.reference} {agreement.title}")


def test_an_agreement_without_commitments_or_case_studies_says_so(client: Client, tenant_a: Tenant) -> None:
    empty = factories.AgreementFactory.create(
        organisation=tenant_a.buyer, supplier=tenant_a.supplier, framework_version=tenant_a.agreement.framework_version
    )
    return_make(tenant_a)
    client.force_login(tenant_a.manager)
    text = page_text(client.get(reverse("delivery:agreement-report", kwargs={"org": "council-a", "pk": empty.pk})))
    assert "This agreement has no commitments yet." in text
    assert "This agreement has no value set, so no money equivalents are shown." in text
    assert "No case studies have been submitted yet." in text
    assert Agreement.objects.filter(pk=empty.pk).exists()


def test_a_supplier_with_one_reference_from_two_buyers_gets_both_agreements(tenant_a: Tenant) -> None:
    other_buyer = factories.OrganisationFactory.create(name="Council C", slug="council-c")
    same_reference = factories.AgreementFactory.create(
        organisation=other_buyer, supplier=tenant_a.supplier, reference=tenant_a.agreement.reference
    )
    factories.CommitmentFactory.create(agreement=same_reference)
    rows = reports.report_row_list(member=tenant_a.supplier_member(), reference=tenant_a.agreement.reference)
    assert {row.agreement.pk for row in rows} == {tenant_a.agreement.pk, same_reference.pk}
    with pytest.raises(Http404):
        reports.report_row_list(member=tenant_a.supplier_member(), reference="NO-SUCH-REF")
