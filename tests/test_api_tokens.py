"""API tokens: named, with an expiry and a last-used time, read-only or read and write, each create and
revoke audited, revoked when the password is reset or changed; the page where a person manages them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from commonweal.accounts.models import ApiToken, ApiTokenScope
from commonweal.accounts.services import (
    REVOKED_BY_OWNER,
    REVOKED_BY_PASSWORD_CHANGE,
    api_token_create,
    api_token_digest,
    api_token_revoke,
)
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent

from .conftest import Tenant, make_tenant
from .factories import api_token

ORGANISATIONS = "api:organisation-list"


def api_get(key: str) -> int:
    return Client().get(reverse(ORGANISATIONS), headers={"Authorization": f"Token {key}"}).status_code


def returns_url(tenant: Tenant) -> str:
    return reverse("api:return-list", kwargs={"org": tenant.supplier.slug, "pk": tenant.agreement.pk})


# --- Creating and revoking ---------------------------------------------------------------------------


def test_a_created_token_is_named_expires_and_keeps_only_a_digest_of_its_key(tenant_a: Tenant) -> None:
    before = timezone.now()
    token, key = api_token_create(
        actor=tenant_a.manager, name="  Power BI report ", scope=ApiTokenScope.READ, lifetime_days=30
    )
    assert (token.name, token.scope, token.last_used_at, token.revoked_at) == ("Power BI report", "read", None, None)
    assert len(key) == 40
    assert token.key_digest == api_token_digest(key) != key
    assert token.key_prefix == key[:8]
    assert before + timedelta(days=30) <= token.expires_at <= timezone.now() + timedelta(days=30)
    event = AuditEvent.objects.get(action=AuditAction.API_TOKEN_CREATED)
    assert (event.actor, event.object_id) == (tenant_a.manager, str(token.pk))
    assert event.after["name"] == "Power BI report"
    assert event.after["scope"] == "read"
    assert key not in str(event.after)


@pytest.mark.parametrize(
    ("name", "scope", "days", "field"),
    [
        ("", "read", 30, "name"),
        ("Report", "admin", 30, "scope"),
        ("Report", "read", 3650, "lifetime_days"),
    ],
)
def test_a_bad_token_request_is_refused_and_creates_nothing(
    tenant_a: Tenant, name: str, scope: str, days: int, field: str
) -> None:
    with pytest.raises(ApplicationError) as raised:
        api_token_create(actor=tenant_a.manager, name=name, scope=scope, lifetime_days=days)
    assert list(raised.value.field_errors) == [field]
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_two_usable_tokens_cannot_share_a_name(tenant_a: Tenant) -> None:
    api_token_create(actor=tenant_a.manager, name="Report", scope="read", lifetime_days=30)
    with pytest.raises(ApplicationError, match="could not be created"):
        api_token_create(actor=tenant_a.manager, name="report", scope="read", lifetime_days=30)


def test_revoking_is_audited_and_stops_only_that_token(tenant_a: Tenant) -> None:
    kept, revoked = api_token(tenant_a.manager), api_token(tenant_a.manager)
    api_token_revoke(actor=tenant_a.manager, token_id=revoked.token.pk)
    assert (api_get(kept.key), api_get(revoked.key)) == (200, 401)
    revoked.token.refresh_from_db()
    assert revoked.token.revoked_reason == REVOKED_BY_OWNER
    event = AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED)
    assert (event.actor, event.object_id) == (tenant_a.manager, str(revoked.token.pk))


def test_nobody_revokes_another_persons_token(tenant_a: Tenant) -> None:
    theirs = api_token(tenant_a.supplier_user)
    with pytest.raises(ApplicationError):
        api_token_revoke(actor=tenant_a.manager, token_id=theirs.token.pk)
    assert api_get(theirs.key) == 200
    assert not AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED).exists()


# --- Using a token -----------------------------------------------------------------------------------


def test_an_expired_token_is_refused_with_a_reason(tenant_a: Tenant) -> None:
    issued = api_token(tenant_a.manager)
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(reverse(ORGANISATIONS), headers={"Authorization": f"Token {issued.key}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "This token has expired: create a new one on your API tokens page."}


def test_using_a_token_records_when_it_was_last_used(tenant_a: Tenant) -> None:
    issued = api_token(tenant_a.manager)
    assert issued.token.last_used_at is None
    before = timezone.now()
    assert api_get(issued.key) == 200
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None and issued.token.last_used_at >= before


def test_a_read_only_token_reads_but_gets_403_on_every_unsafe_method(tenant_a: Tenant) -> None:
    issued = api_token(tenant_a.supplier_user, scope=ApiTokenScope.READ)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    assert client.get(returns_url(tenant_a)).status_code == 200
    events = AuditEvent.objects.count()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(returns_url(tenant_a), {"narrative": "x"}, format="json")
        assert response.status_code == 403, method
        assert response.json() == {"detail": "This token may only read: create a read and write token to change data."}
    assert AuditEvent.objects.count() == events


def test_a_read_and_write_token_may_write(tenant_a: Tenant) -> None:
    issued = api_token(tenant_a.supplier_user, scope=ApiTokenScope.READ_WRITE)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    response = client.post(returns_url(tenant_a), {"narrative": "x"}, format="json")
    assert response.status_code == 400  # past the scope check: the return itself is incomplete
    assert "errors" in response.json()


# --- Password reset and change -----------------------------------------------------------------------


def test_a_password_reset_revokes_every_token_and_audits_it(client: Client, tenant_a: Tenant) -> None:
    first, second = api_token(tenant_a.manager), api_token(tenant_a.manager)
    others = api_token(tenant_a.supplier_user)
    client.post(reverse("accounts:password-reset"), {"email": tenant_a.manager.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/account/password-reset/" in line)
    confirm = client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    new_password = "a-much-longer-new-password-2026"
    client.post(confirm.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert (api_get(first.key), api_get(second.key), api_get(others.key)) == (401, 401, 200)
    assert set(ApiToken.objects.filter(user=tenant_a.manager).values_list("revoked_reason", flat=True)) == {
        REVOKED_BY_PASSWORD_CHANGE
    }
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED, actor=tenant_a.manager).count() == 2


def test_a_password_changed_any_other_way_revokes_the_tokens(tenant_a: Tenant) -> None:
    issued = api_token(tenant_a.manager)
    tenant_a.manager.set_password("another-long-password-2026")
    tenant_a.manager.save()
    assert api_get(issued.key) == 401


def test_saving_a_person_without_changing_the_password_keeps_the_tokens(tenant_a: Tenant) -> None:
    issued = api_token(tenant_a.manager)
    tenant_a.manager.full_name = "A new name"
    tenant_a.manager.save()
    assert api_get(issued.key) == 200


# --- The page -----------------------------------------------------------------------------------------


def test_the_page_creates_a_token_shows_its_key_once_and_lists_it(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.manager)
    url = reverse("accounts:api-tokens")
    response = client.post(url, {"name": "Nightly export", "scope": "read", "lifetime_days": "90"})
    assert response.status_code == 200
    key = response.context["key"]
    page = response.content.decode()
    assert f'<code id="api-token" class="app-token-key">{key}</code>' in page
    assert api_get(key) == 200
    again = client.get(url).content.decode()
    assert key not in again
    assert "Nightly export" in again and f"Starts {key[:8]}" in again and "Read only" in again


def test_the_page_refuses_a_token_without_a_name(client: Client, tenant_a: Tenant) -> None:
    client.force_login(tenant_a.manager)
    response = client.post(reverse("accounts:api-tokens"), {"name": "", "scope": "read", "lifetime_days": "90"})
    assert response.status_code == 400
    assert "Enter a name for the token" in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_the_page_revokes_a_token_and_another_persons_is_a_404(client: Client, tenant_a: Tenant) -> None:
    mine, theirs = api_token(tenant_a.manager, name="Mine"), api_token(tenant_a.supplier_user)
    client.force_login(tenant_a.manager)
    assert client.post(reverse("accounts:api-token-revoke", kwargs={"pk": theirs.token.pk})).status_code == 404
    response = client.post(reverse("accounts:api-token-revoke", kwargs={"pk": mine.token.pk}), follow=True)
    assert "Your token “Mine” has been revoked" in response.content.decode()
    assert (api_get(mine.key), api_get(theirs.key)) == (401, 200)


def test_the_page_needs_sign_in(client: Client, db: None) -> None:
    response = client.get(reverse("accounts:api-tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.django_db(transaction=True)
def test_token_pages_and_a_password_change_committed() -> None:
    """Through the page and a password change, committing for real (see tests/test_lock_paths.py)."""
    user = make_tenant("A").manager
    client = Client()
    client.force_login(user)
    created = client.post(reverse("accounts:api-tokens"), {"name": "One", "scope": "read", "lifetime_days": "30"})
    key = created.context["key"]
    second = api_token(user)
    token = ApiToken.objects.get(key_digest=api_token_digest(key))
    assert client.post(reverse("accounts:api-token-revoke", kwargs={"pk": token.pk})).status_code == 302
    user.set_password("a-new-and-long-password-2026")
    user.save()
    assert (api_get(key), api_get(second.key)) == (401, 401)
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED).count() == 2
