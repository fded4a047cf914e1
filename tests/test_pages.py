"""The delivery pages through Django's test client: what each role sees, and bad input on the forms."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from commonweal.core.models import AuditEvent
from commonweal.delivery import services_returns
from commonweal.delivery.models import DeliveryReturn, LineStatus, ReturnLine

from .delivery_agreements_support import periods_made
from .factories import PASSWORD, evidence_file


@pytest.fixture(autouse=True)
def _periods(request: pytest.FixtureRequest) -> None:
    """Each tenant's agreement has its reporting periods, as it would had the service created it."""
    for name in ("tenant_a", "tenant_b"):
        if name in request.fixturenames:
            periods_made(request.getfixturevalue(name).agreement)


def signed_in(client, user):
    client.force_login(user)
    return client


def return_url(tenant):
    return reverse("delivery:return-submit", kwargs={"org": tenant.supplier.slug, "pk": tenant.agreement.pk})


def test_supplier_submits_a_return_through_the_form(client, tenant_a):
    c1, c2, c3 = tenant_a.commitments
    response = signed_in(client, tenant_a.supplier_user).post(
        return_url(tenant_a),
        {
            f"quantity_{c1.pk}": "4",
            f"quantity_{c2.pk}": "1.5",
            f"quantity_{c3.pk}": "",
            "narrative": "Four local hires.",
            "evidence": evidence_file(),
        },
        follow=True,
    )
    delivery_return = DeliveryReturn.objects.get()
    # A submitted return lands on its confirmation, with its reference.
    assert response.redirect_chain[-1][0] == reverse(
        "delivery:return-confirmation", kwargs={"org": tenant_a.supplier.slug, "pk": delivery_return.pk}
    )
    assert "Your return has been submitted for verification." in response.content.decode()
    assert f"{tenant_a.agreement.reference}-R{delivery_return.pk}" in response.content.decode()
    assert sorted(delivery_return.lines.values_list("quantity", flat=True)) == [Decimal("1.50"), Decimal("4.00")]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("twelve", "Enter the quantity as a number, like 12 or 3.5"),
        ("-3", "Quantity must be 0 or more"),
        ("1.005", "Enter the quantity with no more than 2 decimal places"),
    ],
)
def test_bad_quantity_on_the_form_shows_the_error_and_stores_nothing(client, tenant_a, value, message):
    c1 = tenant_a.commitments[0]
    response = signed_in(client, tenant_a.supplier_user).post(
        return_url(tenant_a),
        {f"quantity_{c1.pk}": value, "narrative": "x", "evidence": evidence_file()},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'<a href="#id_quantity_{c1.pk}">{message}</a>' in page
    assert "<title>Error: " in page
    assert not DeliveryReturn.objects.exists()


def test_wrong_file_type_on_the_form_is_explained(client, tenant_a):
    c1 = tenant_a.commitments[0]
    response = signed_in(client, tenant_a.supplier_user).post(
        return_url(tenant_a),
        {f"quantity_{c1.pk}": "1", "narrative": "x", "evidence": evidence_file("tool.exe", b"MZ")},
    )
    page = response.content.decode()
    assert "The selected file must be a CSV, DOCX, JPG, ODS, ODT, PDF, PNG, TXT or XLSX" in page
    assert "govuk-file-upload--error" in page
    assert not DeliveryReturn.objects.exists()


@override_settings(EVIDENCE_MAX_BYTES=2048)
def test_oversize_file_on_the_form_is_explained(client, tenant_a):
    c1 = tenant_a.commitments[0]
    response = signed_in(client, tenant_a.supplier_user).post(
        return_url(tenant_a),
        {f"quantity_{c1.pk}": "1", "narrative": "x", "evidence": evidence_file("big.pdf", b"%PDF-" + b"0" * 4096)},
    )
    assert "The selected file must be smaller than 2 KB" in response.content.decode()
    assert not DeliveryReturn.objects.exists()


def test_the_buyer_cannot_open_the_return_form(client, tenant_a):
    response = signed_in(client, tenant_a.manager).get(
        reverse("delivery:return-submit", kwargs={"org": tenant_a.buyer.slug, "pk": tenant_a.agreement.pk})
    )
    assert response.status_code == 404


def test_manager_rejects_a_line_with_a_reason(client, tenant_a):
    c1 = tenant_a.commitments[0]
    services_returns.return_submit(
        actor=tenant_a.supplier_user,
        member=tenant_a.supplier_member(),
        agreement=tenant_a.agreement,
        quantities={c1.pk: Decimal("2")},
        narrative="x",
        evidence=evidence_file(),
    )
    line = ReturnLine.objects.get()
    url = reverse("delivery:return-line-review", kwargs={"org": tenant_a.buyer.slug, "pk": line.pk})
    client = signed_in(client, tenant_a.manager)

    missing_reason = client.post(url, {"decision": "rejected", "reason": ""})
    assert "Enter the reason for rejecting this line" in missing_reason.content.decode()
    no_decision = client.post(url, {"reason": ""})
    assert "Choose verify or reject" in no_decision.content.decode()
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING

    client.post(url, {"decision": "rejected", "reason": "Wrong period"})
    line.refresh_from_db()
    assert (line.status, line.reason) == (LineStatus.REJECTED, "Wrong period")
    page = client.get(
        reverse("delivery:agreement-detail", kwargs={"org": tenant_a.buyer.slug, "pk": tenant_a.agreement.pk})
    ).content.decode()
    assert "Wrong period" in page
    assert "Return line rejected" in page and "return_line.rejected" not in page


def test_the_supplier_cannot_review_its_own_line(client, tenant_a):
    c1 = tenant_a.commitments[0]
    services_returns.return_submit(
        actor=tenant_a.supplier_user,
        member=tenant_a.supplier_member(),
        agreement=tenant_a.agreement,
        quantities={c1.pk: Decimal("2")},
        narrative="x",
        evidence=evidence_file(),
    )
    line = ReturnLine.objects.get()
    before = AuditEvent.objects.count()
    response = signed_in(client, tenant_a.supplier_user).post(
        reverse("delivery:return-line-review", kwargs={"org": tenant_a.supplier.slug, "pk": line.pk}),
        {"decision": "verified"},
    )
    assert response.status_code == 404
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING
    assert AuditEvent.objects.count() == before


def test_evidence_downloads_for_both_parties_with_its_name(client, tenant_a):
    c1 = tenant_a.commitments[0]
    delivery_return = services_returns.return_submit(
        actor=tenant_a.supplier_user,
        member=tenant_a.supplier_member(),
        agreement=tenant_a.agreement,
        quantities={c1.pk: Decimal("2")},
        narrative="x",
        evidence=evidence_file("site report.pdf"),
    )
    evidence = delivery_return.evidence.get()
    for user, slug in [(tenant_a.supplier_user, tenant_a.supplier.slug), (tenant_a.manager, tenant_a.buyer.slug)]:
        response = signed_in(client, user).get(
            reverse("delivery:evidence-download", kwargs={"org": slug, "pk": evidence.pk})
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="site report.pdf"' in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")


def test_commitments_csv_download(client, tenant_a):
    response = signed_in(client, tenant_a.manager).get(
        reverse("delivery:commitment-export", kwargs={"org": tenant_a.buyer.slug})
    )
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("agreement_reference,agreement_title,buyer,supplier,measure_code")
    assert len(lines) == 4
    assert lines[1].startswith(f"{tenant_a.agreement.reference},")


def test_pages_need_sign_in(client, tenant_a):
    url = reverse("delivery:dashboard", kwargs={"org": tenant_a.buyer.slug})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:sign-in')}?next={url}"


def test_security_headers_are_sent(client):
    response = client.get(reverse("frontend:home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.content.decode()


def test_styled_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-template" in response.content.decode()


def test_sign_in_and_out(client, tenant_a):
    response = client.post(
        reverse("accounts:sign-in"), {"username": tenant_a.manager.email, "password": PASSWORD}, follow=True
    )
    # A public body's member who has not set up two-factor sign-in is taken to set it up (tests/test_two_factor.py).
    assert response.redirect_chain[-1][0] == reverse("accounts:two-factor-set-up") + "?next=%2F"
    response = client.post(reverse("accounts:sign-out"), follow=True)
    assert response.wsgi_request.user.is_anonymous


def test_wrong_password_shows_an_error(client, tenant_a):
    response = client.post(reverse("accounts:sign-in"), {"username": tenant_a.manager.email, "password": "nope"})
    assert "Enter a correct email address and password" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_sign_in_is_locked_after_repeated_failures(client, tenant_a):
    for _ in range(3):
        client.post(reverse("accounts:sign-in"), {"username": tenant_a.manager.email, "password": "wrong"})
    response = client.post(reverse("accounts:sign-in"), {"username": tenant_a.manager.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_password_reset_sends_an_email_with_a_working_link(client, tenant_a):
    response = client.post(reverse("accounts:password-reset"), {"email": tenant_a.manager.email}, follow=True)
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [tenant_a.manager.email]
    link = next(line for line in message.body.splitlines() if "/account/password-reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    confirm = client.get("/" + path, follow=True)
    assert "Choose a new password" in confirm.content.decode()
    new_password = "a-much-longer-new-password-2026"
    done = client.post(
        confirm.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}, follow=True
    )
    assert "Password changed" in done.content.decode()
    tenant_a.manager.refresh_from_db()
    assert tenant_a.manager.check_password(new_password)


def test_password_reset_for_an_unknown_address_sends_nothing_but_says_the_same(client, db):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_csv_download_neutralises_spreadsheet_formulas(client, tenant_a):
    tenant_a.agreement.title = '=HYPERLINK("http://evil.example")'
    tenant_a.agreement.save()
    response = signed_in(client, tenant_a.manager).get(
        reverse("delivery:commitment-export", kwargs={"org": tenant_a.buyer.slug})
    )
    row = response.content.decode().splitlines()[1]
    assert ',"\'=HYPERLINK(""http://evil.example"")",' in row
