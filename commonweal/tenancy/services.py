"""Writes for organisations and memberships.

No page creates organisations or grants roles: these services are called with the server operator's
authority (the demo loader, the command line and tests), and by a supplier's self-registration, where
the new user creates the organisation they then join. So they take no `member` and require no
permission; a page that lets a member grant roles must add a named permission for it
(`tenancy/permissions.py`) and a service that requires it.
"""

from django.db import transaction

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction

from .models import ROLES_BY_KIND, Membership, Organisation


@transaction.atomic
def organisation_create(*, actor: User | None, name: str, slug: str, kind: str) -> Organisation:
    """A new organisation (system only, or a supplier registering itself: see the module's docstring)."""
    if Organisation.objects.filter(slug=slug).exists():
        raise ApplicationError(f"An organisation with the short name “{slug}” already exists.")
    organisation = Organisation.objects.create(name=name, slug=slug, kind=kind)
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.ORGANISATION_CREATED,
        target=organisation,
        after=snapshot(organisation, ["name", "slug", "kind"]),
    )
    return organisation


@transaction.atomic
def membership_grant(*, actor: User | None, organisation: Organisation, user: User, role: str) -> Membership:
    """Give `user` a role at `organisation` (system only, or the first contact of a supplier registering
    itself: see the module's docstring). Granting a role held already changes nothing."""
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise ApplicationError(f"A {organisation.get_kind_display().lower()} cannot grant the role “{role}”.")
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        audit_record(
            actor=actor,
            organisation=organisation,
            action=AuditAction.MEMBERSHIP_GRANTED,
            target=membership,
            trail=organisation,
            after={"user": user.email, "role": role},
        )
    return membership
