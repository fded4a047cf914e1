"""Who may do what: the named permissions that every view gate and every writing service require.

This module is the one place a role is turned into a right. A view asks for a permission when it finds
the member (`member_require`); a service asks again for the same permission (`permission_require`)
before it writes, so no caller can use a service without its check. A refusal is a 404, never a 403,
so nobody learns that a page or object exists in an organisation where they may not see it.

The command line and scheduled tasks act with the server operator's authority: `Member.system(...)`
holds every permission for one organisation, and for that organisation only.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.http import Http404

from .models import OrganisationKind, Role

if TYPE_CHECKING:
    from .selectors import Member


class Permission(StrEnum):
    READ_PUBLIC_BODY = "read_public_body"
    MANAGE_FRAMEWORKS = "manage_frameworks"
    PLAN_PROCUREMENTS = "plan_procurements"
    EVALUATE = "evaluate"
    MANAGE_CONTRACTS = "manage_contracts"
    MANAGE_SPEND = "manage_spend"
    BID = "bid"
    SUBMIT_RETURNS = "submit_returns"
    MANAGE_REPORTS = "manage_reports"
    SIGN_OFF_REPORTS = "sign_off_reports"
    REVIEW_MEMBERS = "review_members"
    MANAGE_MEMBERS = "manage_members"
    READ_NETWORK = "read_network"
    MANAGE_NETWORK = "manage_network"
    POST_NEEDS = "post_needs"
    BROKER_NEEDS = "broker_needs"
    READ_BROKERAGE_FIGURES = "read_brokerage_figures"
    PLEDGE = "pledge"


@dataclass(frozen=True)
class Rule:
    kinds: frozenset[str]  # the organisation kinds it applies to
    roles: frozenset[str] | None  # the roles that hold it there; None: every member
    refusal: str  # why a member without it is refused (said to developers and in logs, never to users)


def _rule(kinds: Iterable[str], roles: Iterable[str] | None, refusal: str) -> Rule:
    return Rule(frozenset(kinds), None if roles is None else frozenset(roles), refusal)


BUYER = (OrganisationKind.PUBLIC_BODY,)
SUPPLIER = (OrganisationKind.SUPPLIER,)
# Whoever holds an agreement reports on it: a supplier, or a community organisation holding a grant.
COUNTERPARTY = (OrganisationKind.SUPPLIER, OrganisationKind.COMMUNITY)
# Wish lists are run by a council, a network or a local infrastructure body (a community organisation).
WISH_LIST_HOSTS = (OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK, OrganisationKind.COMMUNITY)

RULES: dict[Permission, Rule] = {
    Permission.READ_PUBLIC_BODY: _rule(
        BUYER, None, "Only a public body's people read its procurements, spend and frameworks."
    ),
    Permission.MANAGE_FRAMEWORKS: _rule(
        BUYER,
        [Role.SOCIAL_VALUE_LEAD],
        "Only a social value lead changes frameworks, value sets, priorities and the proportionality policy.",
    ),
    Permission.PLAN_PROCUREMENTS: _rule(
        BUYER,
        [Role.SOCIAL_VALUE_LEAD, Role.PROCUREMENT_OFFICER],
        "Only procurement officers and social value leads plan procurements.",
    ),
    Permission.EVALUATE: _rule(
        BUYER,
        [Role.EVALUATOR, Role.PROCUREMENT_OFFICER, Role.SOCIAL_VALUE_LEAD],
        "Only evaluators, procurement officers and social value leads may be assigned to score tenders.",
    ),
    Permission.MANAGE_CONTRACTS: _rule(
        BUYER,
        [Role.CONTRACT_MANAGER, Role.SOCIAL_VALUE_LEAD],
        "Only the buyer's contract managers and social value leads manage agreements and review returns.",
    ),
    Permission.MANAGE_SPEND: _rule(
        BUYER,
        [Role.SOCIAL_VALUE_LEAD, Role.PROCUREMENT_OFFICER],
        "Only a social value lead or procurement officer imports spend and changes supplier classifications.",
    ),
    Permission.MANAGE_REPORTS: _rule(
        BUYER,
        [Role.SOCIAL_VALUE_LEAD],
        "Only a social value lead keeps departments, financial years, the budget and the impact report.",
    ),
    Permission.SIGN_OFF_REPORTS: _rule(
        BUYER,
        [Role.SOCIAL_VALUE_LEAD, Role.VIEWER],
        "Only a social value lead or a viewer (a councillor or executive) signs off an impact report.",
    ),
    Permission.REVIEW_MEMBERS: _rule(
        [OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK, *SUPPLIER, OrganisationKind.COMMUNITY],
        [Role.SOCIAL_VALUE_LEAD, Role.NETWORK_COORDINATOR, Role.SUPPLIER_CONTACT, Role.COMMUNITY_CONTACT],
        "Only an organisation's lead (a social value lead, network coordinator or contact) sees who has set up "
        "two-factor sign-in.",
    ),
    Permission.MANAGE_MEMBERS: _rule(
        [OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK, *SUPPLIER, OrganisationKind.COMMUNITY],
        [Role.SOCIAL_VALUE_LEAD, Role.NETWORK_COORDINATOR, Role.SUPPLIER_CONTACT, Role.COMMUNITY_CONTACT],
        "Only an organisation's lead (a social value lead, network coordinator or contact) adds people with "
        "roles and removes them.",
    ),
    Permission.READ_NETWORK: _rule(
        [OrganisationKind.NETWORK], None, "Only a network's own people read its dashboard and reports."
    ),
    Permission.MANAGE_NETWORK: _rule(
        [OrganisationKind.NETWORK],
        [Role.NETWORK_COORDINATOR],
        "Only a network's coordinator invites members, defines shared metrics and publishes its reports.",
    ),
    Permission.BID: _rule(
        COUNTERPARTY,
        [Role.SUPPLIER_CONTACT, Role.COMMUNITY_CONTACT],
        "Only the contacts of suppliers and community organisations see opportunities and bid.",
    ),
    Permission.SUBMIT_RETURNS: _rule(
        COUNTERPARTY,
        [Role.SUPPLIER_CONTACT, Role.COMMUNITY_CONTACT],
        "Only the contacts of the agreement's supplier or grant holder report delivery.",
    ),
    Permission.POST_NEEDS: _rule(
        [OrganisationKind.COMMUNITY],
        [Role.COMMUNITY_CONTACT],
        "Only a community organisation's contacts post needs to a wish list and confirm what they received.",
    ),
    Permission.BROKER_NEEDS: _rule(
        WISH_LIST_HOSTS, [Role.BROKER], "Only a broker moderates a wish list, introduces parties and closes needs."
    ),
    Permission.READ_BROKERAGE_FIGURES: _rule(
        WISH_LIST_HOSTS,
        [Role.BROKER, Role.SOCIAL_VALUE_LEAD, Role.CONTRACT_MANAGER, Role.VIEWER, Role.NETWORK_COORDINATOR],
        "Only a wish list's brokers, and the council's or network's officers, read its figures.",
    ),
    Permission.PLEDGE: _rule(
        SUPPLIER, [Role.SUPPLIER_CONTACT], "Only suppliers' contacts pledge to needs and post offers."
    ),
}


class PermissionRefused(Http404):
    """A member lacks a permission: answered as a 404 by pages and the API alike."""


def has_permission(member: "Member", permission: Permission) -> bool:
    rule = RULES[permission]
    if member.organisation.kind not in rule.kinds:
        return False
    if member.is_system or rule.roles is None:
        return True
    return bool(member.roles & rule.roles)


def permission_require(member: "Member", permission: Permission) -> None:
    """Refuse (404) unless `member` holds `permission`: the first line of every writing service."""
    if not has_permission(member, permission):
        raise PermissionRefused(RULES[permission].refusal)


def member_require(*, user: Any, slug: str, permission: Permission | None = None) -> "Member":
    """The view gate: the user's membership of `slug`, holding `permission` if one is named; else 404."""
    from .selectors import member_access  # selectors import this module for `Member.can_*`

    member = member_access(user=user, slug=slug)
    if permission is not None:
        permission_require(member, permission)
    return member
