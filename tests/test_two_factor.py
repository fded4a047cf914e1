"""Two-factor sign-in: who must set it up, setting up an authenticator app, signing in with its code or a
single-use recovery code, suppliers turning it on, and an organisation's lead seeing who has not."""

import re
import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from commonweal.accounts.models import User
from commonweal.accounts.two_factor import key_as_text
from commonweal.accounts.views_two_factor import SET_UP_KEY
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.tenancy.models import OrganisationKind, Role

from . import factories
from .conftest import Tenant
from .factories import PASSWORD

SET_UP = reverse("accounts:two-factor-set-up")
VERIFY = reverse("accounts:two-factor-verify")
STEP_SECONDS = 30


def code_for(key: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app holding `key` shows now (or that many 30-second steps later)."""
    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time() + steps_ahead * STEP_SECONDS
    return f"{totp.token():06d}"


def password_sign_in(client: Client, user: User, next_url: str = "") -> str:
    """Sign in with the password only; the address the service sends the person to."""
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("accounts:sign-in"), data, follow=True)
    return response.redirect_chain[-1][0]


def set_up(client: Client) -> tuple[str, list[str]]:
    """Finish setting up from the set-up page; the key and the recovery codes shown."""
    client.get(SET_UP)
    key = client.session[SET_UP_KEY]
    response = client.post(SET_UP, {"code": code_for(key)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    return key, codes


def dashboard(tenant: Tenant) -> str:
    return reverse("delivery:dashboard", kwargs={"org": tenant.buyer.slug})


# --- Who must set it up -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK])
def test_a_public_body_or_network_member_is_taken_to_set_up_after_the_password(client: Client, db, kind) -> None:
    organisation = factories.OrganisationFactory.create(kind=kind)
    user = factories.member_user(organisation, Role.VIEWER)
    assert password_sign_in(client, user) == f"{SET_UP}?next=%2F"
    # Nothing else opens until it is set up: pages are sent to set-up, the API answers 403 in JSON.
    response = client.get(reverse("delivery:dashboard", kwargs={"org": organisation.slug}))
    assert response.status_code == 302
    assert response["Location"] == f"{SET_UP}?next=%2Fo%2F{organisation.slug}%2F"
    api = client.get(reverse("api:organisation-list"))
    assert api.status_code == 403
    assert api.json() == {"detail": "Finish signing in with your security code before using the API from the browser."}


def test_a_supplier_is_not_asked_to_set_it_up(client: Client, tenant_a: Tenant) -> None:
    landing = password_sign_in(client, tenant_a.supplier_user)
    assert landing == reverse("delivery:dashboard", kwargs={"org": tenant_a.supplier.slug})


@override_settings(TWO_FACTOR_ENFORCED=False)
def test_where_the_rule_is_off_a_public_body_member_without_an_app_signs_in_with_the_password(
    client: Client, tenant_a: Tenant
) -> None:
    assert password_sign_in(client, tenant_a.manager) == dashboard(tenant_a)


# --- Setting it up -----------------------------------------------------------------------------------


def test_the_set_up_page_shows_the_key_as_a_qr_code_and_as_text(client: Client, tenant_a: Tenant) -> None:
    password_sign_in(client, tenant_a.manager)
    response = client.get(SET_UP)
    page = response.content.decode()
    key = client.session[SET_UP_KEY]
    assert response.status_code == 200
    assert "<svg" in page and 'role="img"' in page
    assert f'<code id="set-up-key" class="app-token-key">{key_as_text(key)}</code>' in page
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", key_as_text(key))
    # The same key is kept while the page is reloaded, and nothing is stored until it is confirmed.
    client.get(SET_UP)
    assert client.session[SET_UP_KEY] == key
    assert not TOTPDevice.objects.exists()


def test_a_wrong_set_up_code_is_refused_and_stores_nothing(client: Client, tenant_a: Tenant) -> None:
    password_sign_in(client, tenant_a.manager)
    client.get(SET_UP)
    response = client.post(SET_UP, {"code": "000000" if code_for(client.session[SET_UP_KEY]) != "000000" else "1"})
    assert response.status_code == 400
    assert "Enter the 6-digit code your authenticator app shows now" in response.content.decode()
    assert not TOTPDevice.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_SET_UP).exists()
    assert client.get(dashboard(tenant_a)).status_code == 302


def test_setting_up_gives_ten_recovery_codes_opens_the_service_and_is_audited(client: Client, tenant_a: Tenant) -> None:
    password_sign_in(client, tenant_a.manager)
    key, codes = set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    device = TOTPDevice.objects.get(user=tenant_a.manager)
    assert (device.key, device.confirmed) == (key, True)
    assert sorted(StaticToken.objects.filter(device__user=tenant_a.manager).values_list("token", flat=True)) == sorted(
        codes
    )
    assert client.get(dashboard(tenant_a)).status_code == 200
    assert [event.action for event in AuditEvent.objects.filter(actor=tenant_a.manager).order_by("pk")] == [
        AuditAction.RECOVERY_CODES_CREATED,
        AuditAction.TWO_FACTOR_SET_UP,
    ]


# --- Signing in with a code ---------------------------------------------------------------------------


@pytest.fixture
def with_app(client: Client, tenant_a: Tenant) -> tuple[str, list[str]]:
    """Tenant A's manager has set up an app and signed out again."""
    password_sign_in(client, tenant_a.manager)
    key, codes = set_up(client)
    client.post(reverse("accounts:sign-out"))
    return key, codes


def test_a_person_with_an_app_is_asked_for_a_code_and_then_sent_on(
    client: Client, tenant_a: Tenant, with_app: tuple[str, list[str]]
) -> None:
    key, _ = with_app
    url = dashboard(tenant_a)
    assert password_sign_in(client, tenant_a.manager, next_url=url) == f"{VERIFY}?next=%2Fo%2Fcouncil-a%2F"
    assert client.get(url).status_code == 302
    response = client.post(VERIFY, {"code": code_for(key, steps_ahead=1), "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200


def test_a_wrong_code_or_a_used_one_is_refused(
    client: Client, tenant_a: Tenant, with_app: tuple[str, list[str]]
) -> None:
    key, _ = with_app
    password_sign_in(client, tenant_a.manager)
    wrong = client.post(VERIFY, {"code": "12345x"})
    assert wrong.status_code == 400
    assert "Enter the code your authenticator app shows now, or one of your recovery codes" in wrong.content.decode()
    # The code used to set the app up cannot be used again (a replayed code).
    replay = client.post(VERIFY, {"code": code_for(key)})
    assert replay.status_code == 400
    assert client.get(dashboard(tenant_a)).status_code == 302


def test_a_recovery_code_signs_in_once(client: Client, tenant_a: Tenant, with_app: tuple[str, list[str]]) -> None:
    _, codes = with_app
    password_sign_in(client, tenant_a.manager)
    typed = f" {codes[0][:4].upper()}-{codes[0][4:]} "  # as a person may type it
    response = client.post(VERIFY, {"code": typed}, follow=True)
    assert "You used a recovery code. You have 9 left." in response.content.decode()
    assert client.get(dashboard(tenant_a)).status_code == 200
    client.post(reverse("accounts:sign-out"))
    password_sign_in(client, tenant_a.manager)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 400


def test_a_password_alone_cannot_replace_the_app(
    client: Client, tenant_a: Tenant, with_app: tuple[str, list[str]]
) -> None:
    """Someone who has only the password cannot set up their own app in place of the person's."""
    key, _ = with_app
    password_sign_in(client, tenant_a.manager)
    assert client.get(SET_UP)["Location"] == VERIFY
    response = client.post(SET_UP, {"code": code_for(default_key())})
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert list(TOTPDevice.objects.filter(user=tenant_a.manager).values_list("key", flat=True)) == [key]


def test_the_code_page_does_not_send_anyone_to_another_site(
    client: Client, tenant_a: Tenant, with_app: tuple[str, list[str]]
) -> None:
    key, _ = with_app
    password_sign_in(client, tenant_a.manager)
    response = client.post(VERIFY, {"code": code_for(key, steps_ahead=1), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_supplier_who_turns_it_on_is_asked_for_a_code(client: Client, tenant_a: Tenant) -> None:
    password_sign_in(client, tenant_a.supplier_user)
    key, _ = set_up(client)
    client.post(reverse("accounts:sign-out"))
    assert password_sign_in(client, tenant_a.supplier_user).startswith(VERIFY)


@override_settings(TWO_FACTOR_ENFORCED=False)
def test_where_the_rule_is_off_a_person_with_an_app_is_still_asked_for_a_code(
    client: Client, tenant_a: Tenant, with_app: tuple[str, list[str]]
) -> None:
    assert password_sign_in(client, tenant_a.manager).startswith(VERIFY)


# --- The lead's page ----------------------------------------------------------------------------------


def test_the_lead_sees_who_has_not_set_it_up_first(client: Client, tenant_a: Tenant) -> None:
    lead = factories.member_user(tenant_a.buyer, Role.SOCIAL_VALUE_LEAD)
    lead.full_name = "Ada Lead"
    lead.save()
    TOTPDevice.objects.create(user=tenant_a.manager, name="Authenticator app", confirmed=True)
    TOTPDevice.objects.create(user=lead, name="Unconfirmed", confirmed=False)
    client.force_login(lead)
    page = reverse("members:two-factor", kwargs={"org": tenant_a.buyer.slug})
    assert f'href="{page}"' in client.get(dashboard(tenant_a)).content.decode()
    response = client.get(page)
    assert response.status_code == 200
    rows = [(row.email, row.has_two_factor) for row in response.context["rows"]]
    assert rows == [(lead.email, False), (tenant_a.manager.email, True)]
    assert "1 of 2 people have not set it up." in response.content.decode()


def test_a_member_who_is_not_the_lead_gets_a_404(client: Client, tenant_a: Tenant) -> None:
    viewer = factories.member_user(tenant_a.buyer, Role.VIEWER)
    client.force_login(viewer)
    page = reverse("members:two-factor", kwargs={"org": tenant_a.buyer.slug})
    assert page not in client.get(dashboard(tenant_a)).content.decode()
    assert client.get(page).status_code == 404


def test_force_login_in_tests_stands_for_a_finished_sign_in(client: Client, tenant_a: Tenant) -> None:
    """The suite's fixture marks force-logged-in sessions verified (tests/conftest.py); the rule is unchanged."""
    client.force_login(tenant_a.manager)
    assert client.get(dashboard(tenant_a)).status_code == 200
    assert not TOTPDevice.objects.filter(user=tenant_a.manager).exists()
