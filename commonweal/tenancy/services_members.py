"""Writes for an organisation's people, by its lead (`Permission.MANAGE_MEMBERS`): add a person with a
role (their account is made if they have none) and remove a role. An organisation always keeps one lead:
the last role that holds the permission cannot be removed, so nobody locks the organisation out."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from commonweal.accounts.models import User
from commonweal.accounts.services import user_create
from commonweal.accounts.tasks import email_send
from commonweal.core.audit import audit_record
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction

from .models import ROLES_BY_KIND, Membership, Role
from .permissions import RULES, Permission, permission_require
from .selectors import Member


@transaction.atomic
def member_add(*, actor: User | None, member: Member, email: str, full_name: str, role: str) -> Membership:
    """Give the person with `email` `role` at the member's organisation, making their account if they have
    none, and email them the invitation (with a link to choose their password when the account is new).
    Adding a role held already is refused, so a second call cannot pass for a first."""
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
    new_account = user is None
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
    subject, body = _invitation(membership, new_account=new_account)
    transaction.on_commit(lambda: email_send.enqueue(to=user.email, subject=subject, body=body))
    return membership


def _invitation(membership: Membership, *, new_account: bool) -> tuple[str, str]:
    """The invitation email: who added them, where and as what, and how to sign in (a new account chooses its
    password through the password reset link, which works once and for PASSWORD_RESET_TIMEOUT seconds)."""
    user, organisation = membership.user, membership.organisation
    site = settings.SITE_URL.rstrip("/")
    role = Role(membership.role).label.lower()
    lines = [f"Hello {user.full_name},", "", f"You have been added to {organisation.name} as {role}."]
    if new_account:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = site + reverse("accounts:password-reset-confirm", kwargs={"uidb64": uid, "token": token})
        days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
        lines += ["", f"Choose your password to sign in (the link works once, for {days} days):", link]
    else:
        lines += ["", "Sign in as usual to see it: " + site + reverse("accounts:sign-in")]
    lines += ["", f"If you did not expect this, tell {organisation.name}: nothing else has been changed.", ""]
    return f"{settings.SERVICE_NAME}: you have been added to {organisation.name}", "\n".join(lines)


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
