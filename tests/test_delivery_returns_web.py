"""Delivery returns through Django's test client and the JSON API: the pages for draft, submit, lock, review,
answer and bulk upload, and the same cycle over /api/v1/."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from commonweal.core.models import AuditEvent
from commonweal.delivery import services_returns
from commonweal.delivery.models import DeliveryReturn, LineStatus, ReturnLine, ReturnState
from commonweal.delivery.services_returns import LineInput

from .conftest import Tenant
from .delivery_agreements_support import periods_made
from .factories import api_token, evidence_file


@pytest.fixture(autouse=True)
def _periods(request: pytest.FixtureRequest) -> None:
    """Each tenant's agreement has its reporting periods, as it would had the service created it."""
    for name in ("tenant_a", "tenant_b"):
        if name in request.fixturenames:
            periods_made(request.getfixturevalue(name).agreement)


def page(client, user, name: str, **kwargs):
    client.force_login(user)
    return reverse(f"delivery:{name}", kwargs=kwargs)


def text(response) -> str:
    return response.content.decode()


def api(user) -> APIClient:
    token = api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def submitted_line(tenant: Tenant, quantity: str = "10.5", **line: str) -> ReturnLine:
    periods = periods_made(tenant.agreement)
    c1 = tenant.commitments[0]
    delivery_return = services_returns.return_save(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        agreement=tenant.agreement,
        period=periods[0],
        lines={c1.pk: LineInput(quantity=Decimal(quantity), **line)},
        narrative="Apprentices on site",
        submit=True,
    )
    return delivery_return.lines.get()


# --- Pages -----------------------------------------------------------------------------------------


def test_supplier_saves_a_draft_edits_it_submits_it_and_it_is_then_locked(client, tenant_a):
    c1, c2, _ = tenant_a.commitments
    new_url = page(client, tenant_a.supplier_user, "return-submit", org="supplier-a", pk=tenant_a.agreement.pk)
    form = text(client.get(new_url))
    assert "Which period is this return for?" in form
    assert "Quarter 1 (January to March 2026), due 14 April 2026" in form
    assert 'name="return_action" value="draft"' in form

    period = periods_made(tenant_a.agreement)[0]
    response = client.post(
        new_url,
        {
            "period": period.pk,
            f"quantity_{c1.pk}": "4",
            f"evidence_reference_{c1.pk}": "TS-1",
            f"quantity_{c2.pk}": "",
            "narrative": "",
            "evidence": [evidence_file("a.pdf"), evidence_file("b.pdf")],
            "evidence_lines": [str(c1.pk)],
            "case_study_title": "Amira",
            "case_study_story": "Now a qualified electrician.",
            "case_study_consent_given_by": "Amira",
            "case_study_consent_date": "2/3/2026",
            "return_action": "draft",
        },
    )
    draft = DeliveryReturn.objects.get()
    edit_url = reverse("delivery:return-edit", kwargs={"org": "supplier-a", "pk": draft.pk})
    assert response.status_code == 302 and response["Location"] == edit_url
    assert draft.state == ReturnState.DRAFT and draft.evidence.count() == 2 and draft.case_studies.count() == 1

    edit = text(client.get(edit_url))
    assert "Edit your draft return" in edit and 'value="TS-1"' in edit
    assert "Your draft return for Quarter 1 (January to March 2026) has been saved." in edit
    # The buyer does not see a draft.
    client.force_login(tenant_a.manager)
    assert client.get(reverse("delivery:return-detail", kwargs={"org": "council-a", "pk": draft.pk})).status_code == 404
    agreement_page = text(
        client.get(reverse("delivery:agreement-detail", kwargs={"org": "council-a", "pk": tenant_a.agreement.pk}))
    )
    assert "TS-1" not in agreement_page

    client.force_login(tenant_a.supplier_user)
    files = list(draft.evidence.values_list("pk", flat=True))
    response = client.post(
        edit_url,
        {
            f"quantity_{c1.pk}": "5",
            f"evidence_reference_{c1.pk}": "TS-1",
            f"quantity_{c2.pk}": "2",
            f"line_evidence_{c1.pk}": [str(files[0])],
            f"line_evidence_{c2.pk}": [str(files[1])],
            "narrative": "Five hires and two apprentices",
            "return_action": "submit",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ReturnState.SUBMITTED
    assert sorted(draft.lines.values_list("quantity", flat=True)) == [Decimal("2.00"), Decimal("5.00")]

    locked = client.get(edit_url)
    assert "is locked: it can no longer be changed" in text(locked)
    before = AuditEvent.objects.count()
    client.post(edit_url, {f"quantity_{c1.pk}": "50", "narrative": "More", "return_action": "submit"})
    assert draft.lines.get(commitment=c1).quantity == Decimal("5.00")
    assert AuditEvent.objects.count() == before

    detail = text(client.get(reverse("delivery:return-detail", kwargs={"org": "supplier-a", "pk": draft.pk})))
    assert "Submitted" in detail and "Late" in detail  # due 14 April 2026
    assert "Consent to publish given by Amira on 2 March 2026." in detail


def test_a_double_claim_is_refused_on_the_form_with_the_earlier_claim(client, tenant_a):
    submitted_line(tenant_a, evidence_reference="TS-77")
    c2 = tenant_a.commitments[1]
    url = page(client, tenant_a.supplier_user, "return-submit", org="supplier-a", pk=tenant_a.agreement.pk)
    response = client.post(url, {f"quantity_{c2.pk}": "1", f"evidence_reference_{c2.pk}": "ts-77", "narrative": "More"})
    assert response.status_code == 200
    assert (
        f'<a href="#id_evidence_reference_{c2.pk}">Evidence reference ts-77 is already claimed on A-001, '
        "Quarter 1 (January to March 2026), line 1</a>"
    ) in text(response)
    assert DeliveryReturn.objects.count() == 1


def test_a_refused_return_says_the_chosen_files_must_be_chosen_again(client, tenant_a):
    submitted_line(tenant_a, evidence_reference="TS-78")
    c2 = tenant_a.commitments[1]
    url = page(client, tenant_a.supplier_user, "return-submit", org="supplier-a", pk=tenant_a.agreement.pk)
    response = client.post(
        url,
        {
            f"quantity_{c2.pk}": "1",
            f"evidence_reference_{c2.pk}": "TS-78",
            "narrative": "More",
            "evidence": evidence_file("timesheet.pdf"),
        },
    )
    assert "The files you chose were not saved because there was a problem with the return." in text(response)
    assert DeliveryReturn.objects.count() == 1
    clean = client.get(url)
    assert "The files you chose were not saved" not in text(clean)


def test_a_case_study_without_consent_is_refused_on_the_form(client, tenant_a):
    c1 = tenant_a.commitments[0]
    url = page(client, tenant_a.supplier_user, "return-submit", org="supplier-a", pk=tenant_a.agreement.pk)
    response = client.post(
        url,
        {f"quantity_{c1.pk}": "1", "narrative": "x", "case_study_title": "A story", "case_study_story": "Told"},
    )
    assert "Enter who gave consent to publish the case study" in text(response)
    assert "Enter the date consent was given" in text(response)
    assert not DeliveryReturn.objects.exists()


def test_manager_queries_supplier_answers_manager_verifies(client, tenant_a):
    line = submitted_line(tenant_a)
    review_url = page(client, tenant_a.manager, "return-line-review", org="council-a", pk=line.pk)
    missing = client.post(review_url, {"decision": "queried", "reason": ""})
    assert "Enter the question for the supplier" in text(missing)
    client.post(review_url, {"decision": "queried", "reason": "Send the timesheets for weeks 9 and 10."})
    line.refresh_from_db()
    assert line.status == LineStatus.QUERIED
    agreement_url = reverse("delivery:agreement-detail", kwargs={"org": "supplier-a", "pk": tenant_a.agreement.pk})

    answer_url = page(client, tenant_a.supplier_user, "return-line-answer", org="supplier-a", pk=line.pk)
    on_agreement = text(client.get(agreement_url))
    assert "Queried" in on_agreement and answer_url in on_agreement
    assert "Send the timesheets for weeks 9 and 10." in on_agreement
    assert "Answer: " in text(client.get(answer_url))
    empty = client.post(answer_url, {"answer": " ", "quantity": "10.5"})
    assert "Enter your answer to the contract manager" in text(empty)
    response = client.post(
        answer_url,
        {"answer": "Attached; it was 9 weeks.", "quantity": "9", "evidence": evidence_file("weeks.pdf")},
        follow=True,
    )
    assert "Your answer has been sent and the line awaits verification again." in text(response)
    assert "quantity 10.5 → 9" in text(response)
    line.refresh_from_db()
    assert (line.status, line.quantity, line.evidence.count()) == (LineStatus.PENDING, Decimal("9.00"), 1)
    # Answering again is refused: the line awaits the manager.
    again = client.post(answer_url, {"answer": "More", "quantity": "9"})
    assert "Only a queried or rejected line can be answered" in text(again)

    review_url = page(client, tenant_a.manager, "return-line-review", org="council-a", pk=line.pk)
    review_page = text(client.get(review_url))
    assert "Attached; it was 9 weeks." in review_page and "weeks.pdf" in review_page
    client.post(review_url, {"decision": "verified", "reason": ""})
    line.refresh_from_db()
    assert line.status == LineStatus.VERIFIED


def test_bulk_upload_page_lists_rejected_rows_and_saves_nothing_then_accepts_a_good_file(client, tenant_a):
    c1 = tenant_a.commitments[0]
    url = page(client, tenant_a.supplier_user, "returns-bulk", org="supplier-a")
    assert "Download a template" in text(client.get(url))
    bad = f"agreement_reference,buyer,period,measure_code,quantity\nA-001,council-a,Quarter 1,{c1.measure.code},-2\n"
    response = client.post(url, {"returns_csv": evidence_file("returns.csv", bad.encode()), "bulk_action": "submit"})
    page_text = text(response)
    assert "The file was not imported: 1 row has a problem. Nothing was saved." in page_text
    assert "Quantity must be 0 or more (the quantity is “-2”)" in page_text
    assert not DeliveryReturn.objects.exists()

    good = bad.replace(",-2\n", ",2\n")
    response = client.post(
        url, {"returns_csv": evidence_file("returns.csv", good.encode()), "bulk_action": "submit"}, follow=True
    )
    assert "1 return submitted: A-001, Quarter 1 (January to March 2026)." in text(response)
    assert DeliveryReturn.objects.get().state == ReturnState.SUBMITTED


def test_bulk_template_downloads_the_suppliers_open_commitments(client, tenant_a, tenant_b):
    url = page(client, tenant_a.supplier_user, "returns-bulk-template", org="supplier-a")
    rows = text(client.get(url)).splitlines()
    assert rows[0] == (
        "agreement_reference,buyer,period,measure_code,quantity,evidence_reference,beneficiary_reference,note"
    )
    assert len(rows) == 4 and all(row.startswith("A-001,council-a,Quarter ") for row in rows[1:])
    client.force_login(tenant_a.manager)
    assert client.get(reverse("delivery:returns-bulk-template", kwargs={"org": "council-a"})).status_code == 404


# --- The API ---------------------------------------------------------------------------------------


def api_url(name: str, **kwargs: object) -> str:
    return reverse(f"api:{name}", kwargs=kwargs)


def test_api_periods_draft_update_submit_and_lock(tenant_a):
    c1, c2, _ = tenant_a.commitments
    supplier = api(tenant_a.supplier_user)
    listed = supplier.get(api_url("period-list", org="supplier-a", pk=tenant_a.agreement.pk))
    assert listed.status_code == 200
    first = listed.json()[0]
    assert (first["label"], first["return_due_date"], first["status"], first["delivery_return"]) == (
        "Quarter 1 (January to March 2026)",
        "2026-04-14",
        "Overdue",
        None,
    )

    created = supplier.post(
        api_url("return-list", org="supplier-a", pk=tenant_a.agreement.pk),
        {
            "period": str(first["id"]),
            "quantities": json.dumps({str(c1.pk): "3"}),
            "references": json.dumps({str(c1.pk): {"evidence_reference": "TS-5", "note": "Site A"}}),
            "narrative": "",
            "submit": "false",
        },
        format="multipart",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["period_label"], body["late"], body["submitted_at"]) == (
        "draft",
        "Quarter 1 (January to March 2026)",
        False,
        None,
    )
    assert [(line["quantity"], line["evidence_reference"], line["note"]) for line in body["lines"]] == [
        ("3.00", "TS-5", "Site A")
    ]
    detail_url = api_url("return-detail", org="supplier-a", pk=body["id"])
    # The buyer cannot read a draft.
    assert api(tenant_a.manager).get(api_url("return-detail", org="council-a", pk=body["id"])).status_code == 404

    patched = supplier.patch(detail_url, {"quantities": {str(c2.pk): "1.5"}, "narrative": "Three hires"}, format="json")
    assert patched.status_code == 200, patched.content
    assert [(line["commitment"], line["quantity"]) for line in patched.json()["lines"]] == [
        (c1.pk, "3.00"),
        (c2.pk, "1.50"),
    ]
    evidence = supplier.post(
        api_url("return-evidence", org="supplier-a", pk=body["id"]),
        {"evidence": evidence_file("ts.pdf"), "commitments": [c1.pk]},
        format="multipart",
    )
    assert evidence.status_code == 201, evidence.content
    lines = {line["commitment"]: line for line in evidence.json()["lines"]}
    assert len(lines[c1.pk]["evidence"]) == 1 and lines[c2.pk]["evidence"] == []
    case = supplier.post(
        api_url("return-case-study", org="supplier-a", pk=body["id"]),
        {"title": "Amira", "story": "Qualified.", "consent_given_by": "", "consent_date": None},
        format="json",
    )
    assert case.status_code == 400
    assert case.json()["errors"] == {
        "case_study_consent_given_by": "Enter who gave consent to publish the case study",
        "case_study_consent_date": "Enter the date consent was given",
    }

    submitted = supplier.post(api_url("return-submit", org="supplier-a", pk=body["id"]))
    assert submitted.status_code == 200, submitted.content
    assert (submitted.json()["state"], submitted.json()["late"]) == ("submitted", True)
    lines = {line["commitment"]: line for line in submitted.json()["lines"]}
    assert (lines[c1.pk]["evidenced"], lines[c2.pk]["evidenced"]) == (True, False)

    locked = supplier.patch(detail_url, {"narrative": "Changed"}, format="json")
    assert locked.status_code == 400
    assert "is locked" in locked.json()["detail"]


def test_api_query_answer_verify(tenant_a):
    line = submitted_line(tenant_a, quantity="6")
    manager, supplier = api(tenant_a.manager), api(tenant_a.supplier_user)
    review = api_url("return-line-review", org="council-a", pk=line.pk)
    missing = manager.post(review, {"decision": "queried"}, format="json")
    assert missing.json() == {
        "detail": "Ask the supplier a question",
        "errors": {"reason": "Enter the question for the supplier"},
    }
    queried = manager.post(review, {"decision": "queried", "reason": "Which site?"}, format="json")
    assert queried.json()["status"] == "queried"

    answered = supplier.post(
        api_url("return-line-answer", org="supplier-a", pk=line.pk),
        {"answer": "Northgate depot.", "quantity": "5"},
        format="json",
    )
    assert answered.status_code == 200, answered.content
    data = answered.json()
    assert (data["status"], data["quantity"]) == ("pending", "5.00")
    assert [(e["kind"], e["text"], e["quantity_before"], e["quantity_after"]) for e in data["events"]] == [
        ("query", "Which site?", None, None),
        ("answer", "Northgate depot.", "6.00", "5.00"),
    ]
    verified = manager.post(review, {"decision": "verified"}, format="json")
    assert verified.json()["status"] == "verified"
    # The manager cannot answer, and a verified line cannot be answered.
    refused = supplier.post(api_url("return-line-answer", org="supplier-a", pk=line.pk), {"answer": "x"}, format="json")
    assert refused.status_code == 400


def test_api_double_claim_and_bulk_errors_name_the_earlier_claim_and_the_line(tenant_a):
    submitted_line(tenant_a, evidence_reference="CERT-3")
    c2 = tenant_a.commitments[1]
    supplier = api(tenant_a.supplier_user)
    response = supplier.post(
        api_url("return-list", org="supplier-a", pk=tenant_a.agreement.pk),
        {
            "quantities": json.dumps({str(c2.pk): "1"}),
            "references": json.dumps({str(c2.pk): {"evidence_reference": "cert-3"}}),
            "narrative": "More",
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        f"evidence_reference_{c2.pk}": "Evidence reference cert-3 is already claimed on A-001, "
        "Quarter 1 (January to March 2026), line 1"
    }
    csv_text = (
        f"agreement_reference,buyer,period,measure_code,quantity\nA-001,council-a,Quarter 2,{c2.measure.code},x\n"
    )
    bulk = supplier.post(
        api_url("return-bulk", org="supplier-a"),
        {"returns_csv": evidence_file("r.csv", csv_text.encode())},
        format="multipart",
    )
    assert bulk.status_code == 400
    assert bulk.json() == {
        "detail": "The file was not imported: 1 row has a problem. Nothing was saved.",
        "errors": {"line 2": "Enter the quantity as a number, like 12 or 3.5 (the quantity is “x”)"},
    }
    good = supplier.post(
        api_url("return-bulk", org="supplier-a"),
        {"returns_csv": evidence_file("r.csv", csv_text.replace(",x\n", ",2\n").encode()), "submit": "false"},
        format="multipart",
    )
    assert good.status_code == 201
    assert good.json() == [
        {
            "agreement_reference": "A-001",
            "buyer": "Council A",
            "period": "Quarter 2 (April to June 2026)",
            "state": "draft",
            "lines": 1,
        }
    ]


@pytest.mark.parametrize("role", ["manager", "supplier"])
def test_api_period_list_is_the_same_for_both_parties(tenant_a, role):
    user = tenant_a.manager if role == "manager" else tenant_a.supplier_user
    slug = "council-a" if role == "manager" else "supplier-a"
    response = api(user).get(api_url("period-list", org=slug, pk=tenant_a.agreement.pk))
    assert [row["label"] for row in response.json()][:2] == [
        "Quarter 1 (January to March 2026)",
        "Quarter 2 (April to June 2026)",
    ]
    assert len(response.json()) == 8
