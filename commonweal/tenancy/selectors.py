"""Reads about organisations and memberships; `member_access` is how every page finds its tenant."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .models import Membership, Organisation, Role


@dataclass(frozen=True)
class Member:
    """A signed-in user acting for one organisation, with the roles they hold there."""

    user: Any
    organisation: Organisation
    roles: frozenset[str]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def can_manage_contracts(self) -> bool:
        return self.organisation.is_public_body and self.has_role(Role.CONTRACT_MANAGER, Role.SOCIAL_VALUE_LEAD)

    @property
    def can_manage_frameworks(self) -> bool:
        """Edit frameworks, value sets, priorities and the proportionality policy."""
        return self.organisation.is_public_body and self.has_role(Role.SOCIAL_VALUE_LEAD)

    @property
    def can_plan_procurements(self) -> bool:
        return self.organisation.is_public_body and self.has_role(Role.SOCIAL_VALUE_LEAD, Role.PROCUREMENT_OFFICER)

    @property
    def can_evaluate(self) -> bool:
        """May be assigned to score tenders (the assignment itself is per procurement and criterion)."""
        return self.organisation.is_public_body and self.has_role(
            Role.EVALUATOR, Role.PROCUREMENT_OFFICER, Role.SOCIAL_VALUE_LEAD
        )

    @property
    def can_bid(self) -> bool:
        return self.organisation.is_supplier and self.has_role(Role.SUPPLIER_CONTACT)

    @property
    def can_manage_spend(self) -> bool:
        """Import spend files, set the spend policy, correct supplier classifications."""
        return self.organisation.is_public_body and self.has_role(Role.SOCIAL_VALUE_LEAD, Role.PROCUREMENT_OFFICER)

    @property
    def can_read_spend(self) -> bool:
        return self.organisation.is_public_body

    @property
    def can_submit_returns(self) -> bool:
        return self.organisation.is_supplier and self.has_role(Role.SUPPLIER_CONTACT)


def organisation_list_for_user(*, user: Any) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


def member_access(*, user: Any, slug: str) -> Member:
    """The user's membership of the organisation `slug`; 404 (not 403) if they hold none."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such organisation.")
    roles = frozenset(Membership.objects.filter(user=user, organisation__slug=slug).values_list("role", flat=True))
    if not roles:
        raise Http404("No such organisation.")
    organisation = Organisation.objects.get(slug=slug)
    return Member(user=user, organisation=organisation, roles=roles)
