"""The JSON API with token authentication: reads, return submission, line review and the OpenAPI schema."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from commonweal.accounts.models import User
from commonweal.accounts.services import api_token_revoke
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery import services_returns
from commonweal.delivery.models import Commitment, DeliveryReturn, Evidence, LineStatus, ReturnLine
from commonweal.tenancy.models import Role

from . import factories
from .conftest import Tenant
from .factories import PDF_BYTES, api_token, evidence_file

SUBMIT_ERROR = "There is a problem with the return."


def invalid(field: str, message: str) -> dict[str, Any]:
    """The API's shape for a request that fails validation."""
    return {"detail": "There is a problem with the request.", "errors": {field: message}}


def api_client(user: User) -> APIClient:
    token = api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def returns_url(tenant: Tenant, slug: str | None = None) -> str:
    return reverse("api:return-list", kwargs={"org": slug or tenant.supplier.slug, "pk": tenant.agreement.pk})


def review_url(tenant: Tenant, line: ReturnLine) -> str:
    return reverse("api:return-line-review", kwargs={"org": tenant.buyer.slug, "pk": line.pk})


def submit_by_service(tenant: Tenant, quantities: dict[int, Decimal]) -> DeliveryReturn:
    return services_returns.return_submit(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        agreement=tenant.agreement,
        quantities=quantities,
        narrative="Placed apprentices",
        evidence=evidence_file(),
    )


def review_by_service(tenant: Tenant, line: ReturnLine, decision: str, reason: str = "") -> ReturnLine:
    return services_returns.return_line_review(
        actor=tenant.manager, member=tenant.manager_member(), line=line, decision=decision, reason=reason
    )


def line_for(delivery_return: DeliveryReturn, commitment_pk: int) -> ReturnLine:
    return delivery_return.lines.get(commitment_id=commitment_pk)


def evidence_files_on_disk() -> int:
    root = Path(settings.MEDIA_ROOT) / "evidence"
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


def stored() -> dict[str, int]:
    return {
        "returns": DeliveryReturn.objects.count(),
        "lines": ReturnLine.objects.count(),
        "evidence": Evidence.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "evidence files": evidence_files_on_disk(),
    }


# --- Reads -----------------------------------------------------------------------------------------


def test_organisation_list_returns_exactly_the_callers_organisations(tenant_a: Tenant, tenant_b: Tenant) -> None:
    supplier = api_client(tenant_a.supplier_user).get(reverse("api:organisation-list"))
    assert supplier.status_code == 200
    assert supplier.json() == [{"slug": "supplier-a", "name": "Supplier A Ltd", "kind": "supplier"}]

    factories.MembershipFactory(user=tenant_a.manager, organisation=tenant_b.buyer, role=Role.VIEWER)
    manager = api_client(tenant_a.manager).get(reverse("api:organisation-list"))
    assert manager.json() == [
        {"slug": "council-a", "name": "Council A", "kind": "public_body"},
        {"slug": "council-b", "name": "Council B", "kind": "public_body"},
    ]


def test_dashboard_totals_are_decimal_strings_after_a_return_and_one_verified_line(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    first, second, third = tenant_a.commitments
    delivery_return = submit_by_service(tenant_a, {first.pk: Decimal("4"), second.pk: Decimal("2.5")})
    review_by_service(tenant_a, line_for(delivery_return, first.pk), LineStatus.VERIFIED)

    def row(commitment: Any, claimed: str, verified: str) -> dict[str, str]:
        return {
            "measure_code": commitment.measure.code,
            "measure_title": commitment.measure.title,
            "unit": "count",
            "target_quantity": "10.00",
            "claimed_quantity": claimed,
            # The return's evidence file supports every line on it, so all that is claimed is evidenced.
            "evidenced_quantity": claimed,
            "verified_quantity": verified,
        }

    expected = {
        first.measure.code: row(first, "4.00", "4.00"),
        second.measure.code: row(second, "2.50", "0.00"),
        third.measure.code: row(third, "0.00", "0.00"),
    }
    for user, slug in [(tenant_a.manager, "council-a"), (tenant_a.supplier_user, "supplier-a")]:
        response = api_client(user).get(reverse("api:dashboard", kwargs={"org": slug}))
        assert response.status_code == 200
        assert {item["measure_code"]: item for item in response.json()} == expected
        assert len(response.json()) == 3

    other = api_client(tenant_b.manager).get(reverse("api:dashboard", kwargs={"org": "council-b"}))
    assert {item["measure_code"] for item in other.json()} == {c.measure.code for c in tenant_b.commitments}
    assert {item["claimed_quantity"] for item in other.json()} == {"0.00"}


def test_agreement_list_shows_the_agreement_to_buyer_and_supplier_with_its_fields(tenant_a: Tenant) -> None:
    agreement = tenant_a.agreement
    expected = [
        {
            "id": agreement.pk,
            "reference": "A-001",
            "title": agreement.title,
            "buyer": "council-a",
            "supplier": "supplier-a",
            "value": "100000.00",
            "start_date": "2026-01-01",
            "end_date": "2027-12-31",
            "framework": "test",
            "framework_version": agreement.framework_version.number,
        }
    ]
    for user, slug in [(tenant_a.manager, "council-a"), (tenant_a.supplier_user, "supplier-a")]:
        response = api_client(user).get(reverse("api:agreement-list", kwargs={"org": slug}))
        assert response.status_code == 200
        assert response.json() == expected


def test_agreement_detail_reports_each_commitment_target_claimed_verified_and_status(tenant_a: Tenant) -> None:
    first, second, third = tenant_a.commitments
    overdue = cast(
        Commitment,
        factories.CommitmentFactory(
            agreement=tenant_a.agreement, target_quantity=Decimal("5"), due_date=date(2020, 3, 31)
        ),
    )
    delivery_return = submit_by_service(
        tenant_a, {first.pk: Decimal("10"), second.pk: Decimal("2.5"), third.pk: Decimal("1")}
    )
    review_by_service(tenant_a, line_for(delivery_return, first.pk), LineStatus.VERIFIED)
    review_by_service(tenant_a, line_for(delivery_return, third.pk), LineStatus.REJECTED, "No register")

    response = api_client(tenant_a.manager).get(
        reverse("api:agreement-detail", kwargs={"org": "council-a", "pk": tenant_a.agreement.pk})
    )

    assert response.status_code == 200
    data = response.json()
    assert data["reference"] == "A-001"
    assert [
        (c["id"], c["due_date"], c["target_quantity"], c["claimed_quantity"], c["verified_quantity"], c["status"])
        for c in data["commitments"]
    ] == [
        (overdue.pk, "2020-03-31", "5.00", "0.00", "0.00", "missed"),
        (first.pk, "2099-12-31", "10.00", "10.00", "10.00", "delivered"),
        (second.pk, "2099-12-31", "10.00", "2.50", "0.00", "at_risk"),  # claimed, not verified
        (third.pk, "2099-12-31", "10.00", "0.00", "0.00", "behind"),  # the rejected claim no longer counts
    ]
    assert data["commitments"][1]["measure_code"] == first.measure.code
    assert data["commitments"][1]["measure_title"] == first.measure.title
    assert data["commitments"][1]["unit"] == "count"


def test_return_list_shows_lines_and_evidence_to_buyer_and_supplier(tenant_a: Tenant) -> None:
    first, second, _ = tenant_a.commitments
    delivery_return = submit_by_service(tenant_a, {first.pk: Decimal("4"), second.pk: Decimal("2.5")})
    evidence = delivery_return.evidence.get()
    lines = {line.commitment_id: line for line in delivery_return.lines.all()}
    expected = {
        "id": delivery_return.pk,
        "submitted_by": tenant_a.supplier_user.email,
        "narrative": "Placed apprentices",
        "period": delivery_return.period_id,
        "period_label": "Quarter 1 (January to March 2026)",
        "state": "submitted",
        "late": True,  # submitted after 14 April 2026, when the first quarter's return was due
        "lines": [
            {
                "id": lines[commitment.pk].pk,
                "commitment": commitment.pk,
                "quantity": quantity,
                "status": "pending",
                "reason": "",
                "evidence_reference": "",
                "beneficiary_reference": "",
                "note": "",
                "evidence": [evidence.pk],  # one file sent with a return supports each of its lines
                "evidenced": True,
                "events": [],
            }
            for commitment, quantity in [(first, "4.00"), (second, "2.50")]
        ],
        "evidence": [
            {"id": evidence.pk, "name": "evidence.pdf", "content_type": "application/pdf", "size": len(PDF_BYTES)}
        ],
        "case_studies": [],
    }
    for user, slug in [(tenant_a.manager, "council-a"), (tenant_a.supplier_user, "supplier-a")]:
        response = api_client(user).get(returns_url(tenant_a, slug))
        assert response.status_code == 200
        [item] = response.json()
        assert item.pop("submitted_at").startswith(f"{delivery_return.created_at.astimezone():%Y-%m-%d}")
        assert item == expected


# --- Submitting a return ---------------------------------------------------------------------------


def test_return_submission_by_multipart_returns_201_and_stores_the_values(tenant_a: Tenant) -> None:
    first, second, third = tenant_a.commitments
    before = stored()
    response = api_client(tenant_a.supplier_user).post(
        returns_url(tenant_a),
        {
            "quantities": json.dumps({str(first.pk): "4.5", str(second.pk): "0", str(third.pk): ""}),
            "narrative": "  Placed 4.5 FTE of apprentices at the depot  ",
            "evidence": evidence_file("register.pdf"),
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    delivery_return = DeliveryReturn.objects.get()
    data = response.json()
    assert data["id"] == delivery_return.pk
    assert data["narrative"] == "Placed 4.5 FTE of apprentices at the depot"
    assert data["submitted_by"] == tenant_a.supplier_user.email
    # Lines come in the order of their commitments' due dates, which the factory draws at random.
    assert sorted((line["commitment"], line["quantity"], line["status"]) for line in data["lines"]) == [
        (first.pk, "4.50", "pending"),
        (second.pk, "0.00", "pending"),
    ]
    evidence = Evidence.objects.get()
    assert data["evidence"] == [
        {"id": evidence.pk, "name": "register.pdf", "content_type": "application/pdf", "size": len(PDF_BYTES)}
    ]

    assert delivery_return.agreement == tenant_a.agreement
    assert delivery_return.submitted_by == tenant_a.supplier_user
    assert delivery_return.narrative == "Placed 4.5 FTE of apprentices at the depot"
    assert sorted(delivery_return.lines.values_list("commitment_id", "quantity", "status")) == [
        (first.pk, Decimal("4.50"), LineStatus.PENDING),
        (second.pk, Decimal("0.00"), LineStatus.PENDING),
    ]
    with evidence.file.open("rb") as stored_file:
        assert stored_file.read() == PDF_BYTES
    assert evidence.uploaded_by == tenant_a.supplier_user
    event = AuditEvent.objects.get(action=AuditAction.RETURN_SUBMITTED)
    # The audit log keeps the quantities as given ("4.5"), so compare them as numbers.
    assert {code: Decimal(quantity) for code, quantity in event.after["lines"].items()} == {
        first.measure.code: Decimal("4.5"),
        second.measure.code: Decimal("0"),
    }
    assert stored() == {
        **before,
        "returns": 1,
        "lines": 2,
        "evidence": 1,
        "audit events": before["audit events"] + 1,
        "evidence files": before["evidence files"] + 1,
    }


@dataclass(frozen=True)
class BadReturn:
    """A return submission with one thing wrong, and the 400 body that must explain it."""

    quantities: Callable[[Tenant, Tenant], object]
    expected: Callable[[Tenant, Tenant], object]
    narrative: str | None = "Placed apprentices"
    evidence: Callable[[], SimpleUploadedFile | None] = evidence_file
    settings: dict[str, Any] = field(default_factory=dict)


def first_quantity(value: str) -> Callable[[Tenant, Tenant], object]:
    return lambda a, b: json.dumps({str(a.commitments[0].pk): value})


def one_quantity(a: Tenant, b: Tenant) -> object:
    return json.dumps({str(a.commitments[0].pk): "3"})


def service_error(
    field_name: str | Callable[[Tenant, Tenant], str], message: str
) -> Callable[[Tenant, Tenant], object]:
    def expected(a: Tenant, b: Tenant) -> object:
        name = field_name(a, b) if callable(field_name) else field_name
        return {"detail": SUBMIT_ERROR, "errors": {name: message}}

    return expected


def first_quantity_field(a: Tenant, b: Tenant) -> str:
    return f"quantity_{a.commitments[0].pk}"


def not_a_number(value: str) -> Callable[[Tenant, Tenant], object]:
    return lambda a, b: invalid("quantities", f"Commitment {a.commitments[0].pk}: “{value}” is not a number.")


EVIDENCE_TYPES_MESSAGE = "The selected file must be a CSV, DOCX, JPG, ODS, ODT, PDF, PNG, TXT or XLSX"
BAD_RETURNS = {
    "negative quantity": BadReturn(
        first_quantity("-1"), service_error(first_quantity_field, "Quantity must be 0 or more")
    ),
    "non-numeric quantity": BadReturn(first_quantity("lots"), not_a_number("lots")),
    "NaN quantity": BadReturn(first_quantity("NaN"), not_a_number("NaN")),
    "quantity with three decimal places": BadReturn(
        first_quantity("1.234"),
        service_error(first_quantity_field, "Enter the quantity with no more than 2 decimal places"),
    ),
    "quantity too large to store": BadReturn(
        first_quantity("1000000000000"), service_error(first_quantity_field, "Enter a smaller quantity")
    ),
    "commitment from another agreement": BadReturn(
        lambda a, b: json.dumps({str(b.commitments[0].pk): "3"}),
        service_error(lambda a, b: f"quantity_{b.commitments[0].pk}", "This commitment is not part of the agreement"),
    ),
    "no quantity at all": BadReturn(
        lambda a, b: json.dumps({str(a.commitments[0].pk): ""}),
        service_error(
            lambda a, b: f"quantity_{min(c.pk for c in a.commitments)}", "Enter a quantity for at least one commitment"
        ),
    ),
    "quantities not JSON": BadReturn(
        lambda a, b: "{4.5", lambda a, b: invalid("quantities", "Value must be valid JSON.")
    ),
    "quantities a JSON list": BadReturn(
        lambda a, b: "[4.5]",
        lambda a, b: invalid("quantities", "Give quantities as an object of commitment id to quantity."),
    ),
    "quantities missing": BadReturn(lambda a, b: None, lambda a, b: invalid("quantities", "This field is required.")),
    "narrative missing": BadReturn(
        one_quantity, lambda a, b: invalid("narrative", "This field is required."), narrative=None
    ),
    "narrative only spaces": BadReturn(
        one_quantity, service_error("narrative", "Describe what was delivered in this period"), narrative="   "
    ),
    "evidence an .exe": BadReturn(
        one_quantity,
        service_error("evidence", EVIDENCE_TYPES_MESSAGE),
        evidence=lambda: evidence_file("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
    ),
    "evidence a .pdf whose bytes are not a PDF": BadReturn(
        one_quantity,
        service_error("evidence", "The selected file’s contents do not match its type (.pdf)"),
        evidence=lambda: evidence_file("report.pdf", b"MZ\x90\x00 this is a program"),
    ),
    "evidence empty": BadReturn(
        one_quantity,
        lambda a, b: invalid("evidence", "The submitted file is empty."),
        evidence=lambda: evidence_file(content=b""),
    ),
    "evidence larger than EVIDENCE_MAX_BYTES": BadReturn(
        one_quantity,
        service_error("evidence", "The selected file must be smaller than 1 MB"),
        evidence=lambda: evidence_file(content=PDF_BYTES + b"0" * (1024 * 1024)),
        settings={"EVIDENCE_MAX_BYTES": 1024 * 1024},
    ),
}


@pytest.mark.parametrize("case", BAD_RETURNS.values(), ids=BAD_RETURNS.keys())
def test_bad_return_submission_is_refused_with_400_and_a_clear_message_and_nothing_stored(
    tenant_a: Tenant, tenant_b: Tenant, case: BadReturn
) -> None:
    data: dict[str, Any] = {}
    quantities = case.quantities(tenant_a, tenant_b)
    if quantities is not None:
        data["quantities"] = quantities
    if case.narrative is not None:
        data["narrative"] = case.narrative
    evidence = case.evidence()
    if evidence is not None:
        data["evidence"] = evidence
    before = stored()

    with override_settings(**case.settings):
        response = api_client(tenant_a.supplier_user).post(returns_url(tenant_a), data, format="multipart")

    assert response.status_code == 400, response.content
    assert response.json() == case.expected(tenant_a, tenant_b)
    assert stored() == before


def test_quantities_sent_as_a_bad_json_string_in_a_json_body_are_refused(tenant_a: Tenant) -> None:
    before = stored()
    response = api_client(tenant_a.supplier_user).post(
        returns_url(tenant_a), {"quantities": "{4.5", "narrative": "Placed apprentices"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == invalid("quantities", "Give quantities as a JSON object.")
    assert stored() == before


def test_evidence_exactly_at_the_limit_is_accepted(tenant_a: Tenant) -> None:
    content = PDF_BYTES + b"0" * (1024 - len(PDF_BYTES))
    with override_settings(EVIDENCE_MAX_BYTES=1024):
        response = api_client(tenant_a.supplier_user).post(
            returns_url(tenant_a),
            {
                "quantities": json.dumps({str(tenant_a.commitments[0].pk): "1"}),
                "narrative": "One",
                "evidence": evidence_file(content=content),
            },
            format="multipart",
        )
    assert response.status_code == 201, response.content
    assert Evidence.objects.get().size == 1024


@pytest.mark.parametrize(
    ("who", "slug", "status", "detail"),
    [
        # The buyer's own slug: it may read the agreement, but submitting needs SUBMIT_RETURNS, a 404 too.
        ("manager", "council-a", 404, "No such resource."),
        ("manager", "supplier-a", 404, "No such organisation."),
    ],
)
def test_buyer_cannot_submit_a_return_and_nothing_is_stored(
    tenant_a: Tenant, who: str, slug: str, status: int, detail: str
) -> None:
    before = stored()
    response = api_client(tenant_a.manager).post(
        returns_url(tenant_a, slug),
        {
            "quantities": json.dumps({str(tenant_a.commitments[0].pk): "3"}),
            "narrative": "Placed apprentices",
            "evidence": evidence_file(),
        },
        format="multipart",
    )
    assert response.status_code == status
    assert response.json()["detail"] == detail
    assert stored() == before


# --- Reviewing a line ------------------------------------------------------------------------------


@pytest.fixture
def pending_line(tenant_a: Tenant) -> ReturnLine:
    first, second, _ = tenant_a.commitments
    delivery_return = submit_by_service(tenant_a, {first.pk: Decimal("4"), second.pk: Decimal("2.5")})
    return line_for(delivery_return, first.pk)


def test_review_verifies_a_line(tenant_a: Tenant, pending_line: ReturnLine) -> None:
    response = api_client(tenant_a.manager).post(
        review_url(tenant_a, pending_line), {"decision": "verified"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": pending_line.pk,
        "commitment": tenant_a.commitments[0].pk,
        "quantity": "4.00",
        "status": "verified",
        "reason": "",
        "evidence_reference": "",
        "beneficiary_reference": "",
        "note": "",
        "evidence": list(pending_line.evidence.values_list("pk", flat=True)),
        "evidenced": True,
        "events": [
            {
                "kind": "verify",
                "text": "",
                "quantity_before": None,
                "quantity_after": None,
                "actor": tenant_a.manager.email,
                "created_at": response.json()["events"][0]["created_at"],
            }
        ],
    }
    pending_line.refresh_from_db()
    assert pending_line.status == LineStatus.VERIFIED
    assert pending_line.reviewed_by == tenant_a.manager
    assert pending_line.reviewed_at is not None
    event = AuditEvent.objects.get(action=AuditAction.RETURN_LINE_VERIFIED)
    assert (event.before["status"], event.after["status"]) == ("pending", "verified")


def test_review_rejects_a_line_with_its_reason(tenant_a: Tenant, pending_line: ReturnLine) -> None:
    response = api_client(tenant_a.manager).post(
        review_url(tenant_a, pending_line),
        {"decision": "rejected", "reason": "  The register does not list these people  "},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    assert response.json()["reason"] == "The register does not list these people"
    pending_line.refresh_from_db()
    assert (pending_line.status, pending_line.reason) == (
        LineStatus.REJECTED,
        "The register does not list these people",
    )
    assert AuditEvent.objects.filter(action=AuditAction.RETURN_LINE_REJECTED).count() == 1


@pytest.mark.parametrize("reason", [None, "", "   "], ids=["reason missing", "reason empty", "reason spaces"])
def test_rejecting_without_a_reason_is_refused_with_400(
    tenant_a: Tenant, pending_line: ReturnLine, reason: str | None
) -> None:
    payload = {"decision": "rejected"} if reason is None else {"decision": "rejected", "reason": reason}
    audit_events = AuditEvent.objects.count()
    response = api_client(tenant_a.manager).post(review_url(tenant_a, pending_line), payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Give the reason for rejecting",
        "errors": {"reason": "Enter the reason for rejecting this line"},
    }
    pending_line.refresh_from_db()
    assert pending_line.status == LineStatus.PENDING
    assert AuditEvent.objects.count() == audit_events


def test_reviewing_a_line_twice_is_refused(tenant_a: Tenant, pending_line: ReturnLine) -> None:
    client = api_client(tenant_a.manager)
    assert client.post(review_url(tenant_a, pending_line), {"decision": "verified"}, format="json").status_code == 200
    audit_events = AuditEvent.objects.count()

    again = client.post(
        review_url(tenant_a, pending_line), {"decision": "rejected", "reason": "Changed my mind"}, format="json"
    )

    assert again.status_code == 400
    assert again.json() == {"detail": "This line has already been reviewed: it is verified.", "errors": {}}
    pending_line.refresh_from_db()
    assert (pending_line.status, pending_line.reason) == (LineStatus.VERIFIED, "")
    assert AuditEvent.objects.count() == audit_events


def test_review_with_an_unknown_decision_is_refused(tenant_a: Tenant, pending_line: ReturnLine) -> None:
    response = api_client(tenant_a.manager).post(
        review_url(tenant_a, pending_line), {"decision": "pending"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == invalid("decision", '"pending" is not a valid choice.')
    pending_line.refresh_from_db()
    assert pending_line.status == LineStatus.PENDING


def test_supplier_cannot_review_its_own_line(tenant_a: Tenant, pending_line: ReturnLine) -> None:
    url = reverse("api:return-line-review", kwargs={"org": "supplier-a", "pk": pending_line.pk})
    response = api_client(tenant_a.supplier_user).post(url, {"decision": "verified"}, format="json")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such resource."  # why is for the log, not the caller
    pending_line.refresh_from_db()
    assert pending_line.status == LineStatus.PENDING


# --- Authentication --------------------------------------------------------------------------------


def every_endpoint(tenant: Tenant, line: ReturnLine) -> list[tuple[str, str]]:
    org, pk = tenant.buyer.slug, tenant.agreement.pk
    return [
        ("get", reverse("api:organisation-list")),
        ("get", reverse("api:dashboard", kwargs={"org": org})),
        ("get", reverse("api:agreement-list", kwargs={"org": org})),
        ("get", reverse("api:agreement-detail", kwargs={"org": org, "pk": pk})),
        ("get", reverse("api:return-list", kwargs={"org": org, "pk": pk})),
        ("post", reverse("api:return-list", kwargs={"org": tenant.supplier.slug, "pk": pk})),
        ("post", reverse("api:return-line-review", kwargs={"org": org, "pk": line.pk})),
    ]


def test_requests_without_a_token_get_401_and_no_data(tenant_a: Tenant, pending_line: ReturnLine) -> None:
    before = stored()
    for method, url in every_endpoint(tenant_a, pending_line):
        response = getattr(APIClient(), method)(url, {"decision": "verified"} if method == "post" else None)
        assert response.status_code == 401, f"{method} {url}"
        assert response.json() == {"detail": "Authentication credentials were not provided."}
        assert response["WWW-Authenticate"] == "Token"
    assert stored() == before


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Token 0123456789abcdef0123456789abcdef01234567", "Invalid token."),
        ("Token", "Invalid token header. No credentials provided."),
        ("Token two parts", "Invalid token header. Token string should not contain spaces."),
    ],
)
def test_requests_with_an_invalid_token_get_401(
    tenant_a: Tenant, pending_line: ReturnLine, header: str, detail: str
) -> None:
    before = stored()
    for method, url in every_endpoint(tenant_a, pending_line):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = getattr(client, method)(url, {"decision": "verified"} if method == "post" else None)
        assert response.status_code == 401, f"{method} {url}"
        assert response.json() == {"detail": detail}
    assert stored() == before


def test_revoking_a_token_stops_it_at_once_and_leaves_the_others(tenant_a: Tenant) -> None:
    revoked = api_token(tenant_a.manager)
    new = api_token(tenant_a.manager).key
    api_token_revoke(actor=tenant_a.manager, token_id=revoked.token.pk)
    old = revoked.key
    url = reverse("api:organisation-list")
    assert Client().get(url, headers={"Authorization": f"Token {old}"}).status_code == 401
    response = Client().get(url, headers={"Authorization": f"Token {new}"})
    assert response.status_code == 200
    assert [organisation["slug"] for organisation in response.json()] == ["council-a"]


# --- The OpenAPI schema ----------------------------------------------------------------------------


def test_openapi_schema_is_valid_openapi_3_and_lists_every_endpoint(client: Client) -> None:
    default = client.get(reverse("api:schema"))
    assert default.status_code == 200
    assert default["Content-Type"].startswith("application/vnd.oai.openapi")
    schema = yaml.safe_load(default.content)
    as_json = client.get(reverse("api:schema"), {"format": "json"})
    assert as_json["Content-Type"] == "application/vnd.oai.openapi+json"
    assert json.loads(as_json.content) == schema

    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # against the OpenAPI 3 JSON Schema that drf-spectacular ships
    assert schema["info"]["title"] == "Commonweal API"
    # The delivery endpoints; tests/test_tenant_isolation.py checks the schema against the whole URL conf.
    assert {path: sorted(item) for path, item in schema["paths"].items()}.items() >= {
        "/api/v1/organisations/": ["get"],
        "/api/v1/organisations/{org}/dashboard/": ["get"],
        "/api/v1/organisations/{org}/agreements/": ["get"],
        "/api/v1/organisations/{org}/agreements/{id}/": ["get"],
        "/api/v1/organisations/{org}/agreements/{id}/returns/": ["get", "post"],
        "/api/v1/organisations/{org}/return-lines/{id}/review/": ["post"],
    }.items()
    submit = schema["paths"]["/api/v1/organisations/{org}/agreements/{id}/returns/"]["post"]
    assert list(submit["requestBody"]["content"]) == ["multipart/form-data"]
    assert "201" in submit["responses"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


@pytest.mark.parametrize("value", ["1_000", "١٢", "1e3", " ", "0x10"])
def test_quantities_must_be_plain_decimal_numbers(tenant_a: Tenant, value: str) -> None:
    before = stored()
    response = api_client(tenant_a.supplier_user).post(
        returns_url(tenant_a),
        {
            "quantities": json.dumps({str(tenant_a.commitments[0].pk): value}),
            "narrative": "x",
            "evidence": evidence_file(),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["quantities"].endswith("is not a number.")
    assert stored() == before
