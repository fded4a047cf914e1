"""A supplier or a community organisation registering itself to bid: its organisation, its first person and
their membership, at once."""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.models import Organisation, OrganisationKind, Role
from commonweal.tenancy.services import membership_grant, organisation_create

from .models import User

# 8 digits (England and Wales), or 2 letters and 6 digits (e.g. SC Scotland, NI Northern Ireland, OC LLPs).
COMPANIES_HOUSE_NUMBER = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")
SLUG_MAX = Organisation._meta.get_field("slug").max_length or 60


def companies_house_number_clean(value: str) -> str:
    """“sc 123456” → “SC123456”; raise ApplicationError if it is not a Companies House number."""
    number = re.sub(r"\s+", "", value).upper()
    if number and not COMPANIES_HOUSE_NUMBER.match(number):
        message = "Enter a Companies House number of 8 characters, like 01234567 or SC123456"
        raise ApplicationError(message + ".", field_errors={"companies_house_number": message})
    return number


def organisation_slug_unique(name: str) -> str:
    """A short name for the organisation's web address, made unique with -2, -3 … if it is taken."""
    base = slugify(name)[: SLUG_MAX - 4].strip("-") or "supplier"
    slug, number = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def supplier_register(
    *,
    organisation_name: str,
    companies_house_number: str,
    is_sme: bool | None,
    is_vcse: bool | None,
    full_name: str,
    email: str,
    password: str,
    kind: str = OrganisationKind.SUPPLIER,
) -> tuple[User, Organisation]:
    """Create a supplier organisation, its first user and their supplier contact membership. The new
    user is the actor of every event: nobody else is involved.

    Self-registration is the one write that takes no `member` and requires no permission: the person
    registering belongs to no organisation yet, and the membership this creates is their first."""
    organisation_name, full_name, email = organisation_name.strip(), full_name.strip(), email.strip().lower()
    errors: dict[str, str] = {}
    if not organisation_name:
        errors["organisation_name"] = "Enter your organisation’s name"
    if not full_name:
        errors["full_name"] = "Enter your full name"
    if not email:
        errors["email"] = "Enter your email address"
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = "An account with this email address already exists: sign in, or reset your password"
    try:
        number = companies_house_number_clean(companies_house_number)
    except ApplicationError as error:
        errors.update(error.field_errors)
        number = ""
    try:
        password_validation.validate_password(password, User(email=email, full_name=full_name))
    except ValidationError as error:
        errors["password"] = " ".join(error.messages)
    if kind not in (OrganisationKind.SUPPLIER, OrganisationKind.COMMUNITY):
        errors["organisation_kind"] = "Choose a business or a voluntary or community organisation"
    if errors:
        raise ApplicationError("Your organisation could not be registered.", field_errors=errors)

    user = User.objects.create_user(email, password, full_name=full_name)
    organisation = organisation_create(
        actor=user,
        name=organisation_name,
        slug=organisation_slug_unique(organisation_name),
        kind=kind,
    )
    audit_record(
        actor=user,
        organisation=organisation,
        action=AuditAction.USER_REGISTERED,
        target=user,
        after={"email": user.email},
    )
    organisation.companies_house_number = number
    organisation.is_sme = is_sme
    organisation.is_vcse = is_vcse
    organisation.save(update_fields=["companies_house_number", "is_sme", "is_vcse", "updated_at"])
    audit_record(
        actor=user,
        organisation=organisation,
        action=AuditAction.ORGANISATION_REGISTERED,
        target=organisation,
        after=snapshot(organisation, ["companies_house_number", "is_sme", "is_vcse"]),
    )
    role = Role.COMMUNITY_CONTACT if kind == OrganisationKind.COMMUNITY else Role.SUPPLIER_CONTACT
    membership_grant(actor=user, organisation=organisation, user=user, role=role)
    return user, organisation
