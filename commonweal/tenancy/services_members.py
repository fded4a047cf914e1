"""Writes for an organisation's people, by its lead (`Permission.MANAGE_MEMBERS`): add a person with a
role (their account is made if they have none) and remove a role. An organisation always keeps one lead:
the last role that holds the permission cannot be removed, so nobody locks the organisation out."""

from django.db import transaction

from commonweal.accounts.models import User
from commonweal.accounts.services import user_create
from commonweal.core.audit import audit_record
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction

from .models import ROLES_BY_KIND, Membership
from .permissions import RULES, Permission, permission_require
from .selectors import Member


@transaction.atomic
def member_add(*, actor: User | None, member: Member, email: str, full_name: str, role: str) -> Membership:
    """Give the person with `email` `role` at the member's organisation, making their account if they have
    none (they choose a password with "I have forgotten my password"). Adding a role held already is
    refused, so a second call cannot pass for a first."""
    permission_require(member, Permission.MANAGE_MEMBERS)
    organisation = member.organisation
    email = email.strip().lower()
    errors: dict[str, str] = {}
    if "@" not in email:
        errors["email"] = "Enter an email address, like name@example.org"
    if role not in ROLES_BY_KIND[organisation.kind]:
        allowed = ", ".join(sorted(ROLES_BY_KIND[organisation.kind]))
        errors["role"] = f"Choose a role this organisation has: {allowed}"
    if errors:
        raise ApplicationError("The person could not be added.", field_errors=errors)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        if not full_name.strip():
            raise ApplicationError(
                "The person could not be added.",
                field_errors={"full_name": "Enter the person's full name: they have no account yet"},
            )
        user = user_create(email=email, full_name=" ".join(full_name.split()))
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise ApplicationError(
            "The person could not be added.", field_errors={"role": f"{email} already has this role here"}
        )
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.MEMBERSHIP_GRANTED,
        target=membership,
        trail=organisation,
        after={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def member_remove(*, actor: User | None, member: Member, membership: Membership) -> None:
    """Take a role away from a person of the member's organisation (their account stays)."""
    permission_require(member, Permission.MANAGE_MEMBERS)
    if membership.organisation_id != member.organisation.pk:
        raise ApplicationError("There is no such person here.")
    # Lock the organisation's lead roles so two removals at once cannot both leave none.
    lead_roles = RULES[Permission.MANAGE_MEMBERS].roles or frozenset()
    leads = list(Membership.objects.select_for_update().filter(organisation=member.organisation, role__in=lead_roles))
    if membership.role in lead_roles and [lead.pk for lead in leads] == [membership.pk]:
        raise ApplicationError(
            "This is the organisation's last lead: add another lead before removing this one.",
            field_errors={"membership": "The organisation's last lead cannot be removed"},
        )
    audit_record(
        actor=actor,
        organisation=member.organisation,
        action=AuditAction.MEMBERSHIP_REVOKED,
        target=membership,
        trail=member.organisation,
        before={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()
