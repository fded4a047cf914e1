"""Supplier registration: an organisation, its first person and their membership, audited, signed in."""

import pytest
from django.test import Client
from django.urls import reverse

from commonweal.accounts.models import User
from commonweal.accounts.services_register import companies_house_number_clean, organisation_slug_unique
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.tenancy.models import Membership, Organisation, OrganisationKind, Role

from . import factories

URL = "/account/register/"


def form(**overrides: str) -> dict[str, str]:
    return {
        "organisation_name": "Brightside Building Services Ltd",
        "companies_house_number": "01234567",
        "is_sme": "yes",
        "is_vcse": "unknown",
        "full_name": "Asha Patel",
        "email": "Asha@Brightside.example",
        "password": "correct horse battery staple",
        **overrides,
    }


def test_the_route_is_named() -> None:
    assert reverse("accounts:register") == URL


@pytest.mark.django_db
def test_registering_creates_the_supplier_user_and_membership_and_signs_in(client: Client) -> None:
    response = client.post(URL, form())
    organisation = Organisation.objects.get(name="Brightside Building Services Ltd")
    assert response.status_code == 302
    assert response["Location"] == reverse("procurement:opportunity-list", kwargs={"org": organisation.slug})
    assert organisation.slug == "brightside-building-services-ltd"
    assert organisation.kind == OrganisationKind.SUPPLIER
    assert (organisation.companies_house_number, organisation.is_sme, organisation.is_vcse) == ("01234567", True, None)
    user = User.objects.get(email="asha@brightside.example")
    assert user.full_name == "Asha Patel" and user.check_password("correct horse battery staple")
    assert list(Membership.objects.filter(user=user).values_list("organisation__slug", "role")) == [
        (organisation.slug, Role.SUPPLIER_CONTACT)
    ]
    assert set(AuditEvent.objects.filter(organisation=organisation).values_list("action", flat=True)) == {
        "organisation.created",
        "user.registered",
        "organisation.registered",
        "membership.granted",
    }
    assert set(AuditEvent.objects.values_list("actor", flat=True)) == {user.pk}
    # Signed in, and a supplier contact: the opportunities page opens.
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_signed_in_people_are_redirected(client: Client) -> None:
    client.force_login(factories.UserFactory.create())
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == reverse("frontend:home")


@pytest.mark.django_db
def test_every_problem_is_shown_and_nothing_is_stored(client: Client) -> None:
    factories.UserFactory.create(email="taken@example.com")
    response = client.post(
        URL, form(email="TAKEN@example.com", companies_house_number="1234", password="12345678", is_sme="")
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in text
    assert "Say whether your organisation is an SME" in text
    assert not Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).exists()
    response = client.post(URL, form(email="TAKEN@example.com", companies_house_number="1234", password="12345678"))
    text = response.content.decode()
    assert "An account with this email address already exists" in text
    assert "Enter a Companies House number of 8 characters, like 01234567 or SC123456" in text
    assert "This password is too short" in text
    assert not Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_slugs_are_made_unique() -> None:
    factories.SupplierFactory.create(slug="acme-ltd")
    factories.SupplierFactory.create(slug="acme-ltd-2")
    assert organisation_slug_unique("ACME Ltd") == "acme-ltd-3"
    assert organisation_slug_unique("!!!") == "supplier"


def test_companies_house_numbers() -> None:
    assert companies_house_number_clean("sc 123456") == "SC123456"
    assert companies_house_number_clean("") == ""
    for bad in ("1234567", "123456789", "S1234567", "SC12345X"):
        with pytest.raises(ApplicationError):
            companies_house_number_clean(bad)


@pytest.mark.django_db
def test_the_sign_in_page_links_to_registration(client: Client) -> None:
    text = client.get(reverse("accounts:sign-in")).content.decode()
    assert f'href="{URL}"' in text and "Register your organisation to bid" in text


@pytest.mark.django_db
def test_a_community_organisation_registers_to_bid_and_sees_opportunities(client: Client) -> None:
    response = client.post(
        URL,
        form(
            organisation_name="Canal Side Community Kitchen",
            organisation_kind="community",
            companies_house_number="",
            is_vcse="yes",
            email="cook@canalside.example",
        ),
    )
    organisation = Organisation.objects.get(name="Canal Side Community Kitchen")
    assert (organisation.kind, organisation.is_vcse) == (OrganisationKind.COMMUNITY, True)
    assert response["Location"] == reverse("procurement:opportunity-list", kwargs={"org": organisation.slug})
    user = User.objects.get(email="cook@canalside.example")
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [Role.COMMUNITY_CONTACT]
    assert client.get(response["Location"]).status_code == 200
    # And it posts needs to wish lists as well.
    assert client.get(reverse("brokerage:need-list", kwargs={"org": organisation.slug})).status_code == 200
