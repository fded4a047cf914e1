"""Writes for organisations and memberships."""

from typing import Any

from django.db import transaction

from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError

from .models import ROLES_BY_KIND, Membership, Organisation


@transaction.atomic
def organisation_create(*, actor: Any, name: str, slug: str, kind: str) -> Organisation:
    if Organisation.objects.filter(slug=slug).exists():
        raise ApplicationError(f"An organisation with the short name “{slug}” already exists.")
    organisation = Organisation.objects.create(name=name, slug=slug, kind=kind)
    audit_record(
        actor=actor,
        organisation=organisation,
        action="organisation.create",
        target=organisation,
        after=snapshot(organisation, ["name", "slug", "kind"]),
    )
    return organisation


@transaction.atomic
def membership_grant(*, actor: Any, organisation: Organisation, user: Any, role: str) -> Membership:
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise ApplicationError(f"A {organisation.get_kind_display().lower()} cannot grant the role “{role}”.")
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        audit_record(
            actor=actor,
            organisation=organisation,
            action="membership.grant",
            target=membership,
            trail=organisation,
            after={"user": user.email, "role": role},
        )
    return membership
