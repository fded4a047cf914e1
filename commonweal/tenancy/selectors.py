"""Reads about organisations and memberships; `member_access` is how every page finds its tenant."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404

from .models import Membership, Organisation
from .permissions import Permission, has_permission

if TYPE_CHECKING:
    from commonweal.accounts.models import User


@dataclass(frozen=True)
class Member:
    """A signed-in user acting for one organisation, with the roles they hold there.

    What the roles allow is decided in `permissions.py`; the `can_*` properties read those rules for
    templates, which cannot call functions with arguments.
    """

    user: "User | None"
    organisation: Organisation
    roles: frozenset[str]
    is_system: bool = False  # the command line or a task, acting with the operator's authority

    @classmethod
    def system(cls, organisation: Organisation) -> "Member":
        """The command line and tasks: every permission, for this organisation only."""
        return cls(user=None, organisation=organisation, roles=frozenset(), is_system=True)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def may(self, permission: Permission) -> bool:
        return has_permission(self, permission)

    @property
    def can_manage_contracts(self) -> bool:
        return self.may(Permission.MANAGE_CONTRACTS)

    @property
    def can_manage_frameworks(self) -> bool:
        return self.may(Permission.MANAGE_FRAMEWORKS)

    @property
    def can_plan_procurements(self) -> bool:
        return self.may(Permission.PLAN_PROCUREMENTS)

    @property
    def can_evaluate(self) -> bool:
        return self.may(Permission.EVALUATE)

    @property
    def can_bid(self) -> bool:
        return self.may(Permission.BID)

    @property
    def can_manage_spend(self) -> bool:
        return self.may(Permission.MANAGE_SPEND)

    @property
    def can_read_spend(self) -> bool:
        return self.may(Permission.READ_PUBLIC_BODY)

    @property
    def can_submit_returns(self) -> bool:
        return self.may(Permission.SUBMIT_RETURNS)

    @property
    def can_manage_reports(self) -> bool:
        return self.may(Permission.MANAGE_REPORTS)

    @property
    def can_sign_off_reports(self) -> bool:
        return self.may(Permission.SIGN_OFF_REPORTS)

    @property
    def can_manage_network(self) -> bool:
        return self.may(Permission.MANAGE_NETWORK)

    @property
    def can_review_members(self) -> bool:
        return self.may(Permission.REVIEW_MEMBERS)

    @property
    def can_post_needs(self) -> bool:
        return self.may(Permission.POST_NEEDS)

    @property
    def can_broker_needs(self) -> bool:
        return self.may(Permission.BROKER_NEEDS)

    @property
    def can_read_brokerage_figures(self) -> bool:
        return self.may(Permission.READ_BROKERAGE_FIGURES)

    @property
    def can_pledge(self) -> bool:
        return self.may(Permission.PLEDGE)


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


def membership_list(*, member: Member) -> QuerySet[Membership]:
    """The people of the member's organisation, each role a row, by name."""
    return (
        Membership.objects.filter(organisation=member.organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email", "role", "pk")
    )


def membership_get(*, member: Member, pk: int) -> Membership:
    """One role held at the member's organisation; another organisation's is a 404."""
    membership = membership_list(member=member).filter(pk=pk).first()
    if membership is None:
        raise Http404("No such person.")
    return membership
