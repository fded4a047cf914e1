"""The limit on failed sign-ins: per email address and client address, per client address across email
addresses, not extended by attempts made while locked out, and the email address in any case."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from commonweal.tenancy.models import Role

from . import factories
from .conftest import Tenant
from .factories import PASSWORD

SIGN_IN = "accounts:sign-in"


def attempt(client: Client, email: str, password: str) -> int:
    return client.post(reverse(SIGN_IN), {"username": email, "password": password}).status_code


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_the_email_address_signs_in_whatever_its_case(client: Client, tenant_a: Tenant) -> None:
    email = tenant_a.supplier_user.email
    assert attempt(client, email.upper(), PASSWORD) == 302
    assert signed_in_user_id(client) == str(tenant_a.supplier_user.pk)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_failures_in_different_cases_count_against_one_email_address(client: Client, tenant_a: Tenant) -> None:
    email = tenant_a.supplier_user.email
    for typed in (email.upper(), email.title()):
        assert attempt(client, typed, "wrong-password") == 200
    assert attempt(client, email, "wrong-password") == 429  # the third failure locks
    assert attempt(client, email.upper(), PASSWORD) == 429
    assert signed_in_user_id(client) is None
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [email]


@override_settings(AXES_FAILURE_LIMIT=5, SIGN_IN_ADDRESS_FAILURE_LIMIT=4)
def test_one_client_address_trying_many_accounts_is_locked_out(client: Client, tenant_a: Tenant) -> None:
    # Password spraying: one wrong password for each of four accounts, from one address.
    for number in range(4):
        assert attempt(client, f"person{number}@sprayed.example", "Summer2026!") == 200
    # The address is now locked, even for an account it has not tried, with the right password.
    assert attempt(client, tenant_a.supplier_user.email, PASSWORD) == 429
    assert signed_in_user_id(client) is None
    # Another address is not locked.
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert attempt(other, tenant_a.supplier_user.email, PASSWORD) == 302


@override_settings(AXES_FAILURE_LIMIT=2)
def test_attempts_while_locked_out_do_not_extend_the_lock(client: Client, tenant_a: Tenant) -> None:
    email = tenant_a.supplier_user.email
    assert attempt(client, email, "wrong-1") == 200
    assert attempt(client, email, "wrong-2") == 429
    locked = AccessAttempt.objects.get(username=email)
    for number in range(5):
        assert attempt(client, email, f"still-wrong-{number}") == 429
    again = AccessAttempt.objects.get(username=email)
    assert (again.failures_since_start, again.attempt_time) == (2, locked.attempt_time)

    # Once the cool-off has passed since the last counted failure, the right password gets in.
    AccessAttempt.objects.filter(pk=again.pk).update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(client, email, PASSWORD) == 302
    assert signed_in_user_id(client) == str(tenant_a.supplier_user.pk)


@override_settings(AXES_FAILURE_LIMIT=2)
def test_a_locked_email_address_does_not_lock_other_people_at_the_same_address(
    client: Client, tenant_a: Tenant
) -> None:
    other = factories.member_user(tenant_a.supplier, Role.SUPPLIER_CONTACT)
    for _ in range(2):
        attempt(client, tenant_a.supplier_user.email, "wrong")
    assert attempt(client, tenant_a.supplier_user.email, PASSWORD) == 429
    assert attempt(client, other.email, PASSWORD) == 302
