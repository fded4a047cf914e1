"""Where a member stands on an agreement: the object rules pages, selectors and services share.

What a role allows is a permission (`tenancy/permissions.py`). Whether the member's organisation is the
agreement's buyer or its supplier is a fact about the agreement, which no role grants: it is said here.
"""

from commonweal.accounts.models import User
from commonweal.core.errors import ApplicationError
from commonweal.tenancy.permissions import Permission, PermissionRefused
from commonweal.tenancy.selectors import Member

from .models import Agreement


def is_buyer_of(member: Member, agreement: Agreement) -> bool:
    return agreement.organisation_id == member.organisation.pk


def is_supplier_of(member: Member, agreement: Agreement) -> bool:
    return agreement.supplier_id == member.organisation.pk


def may_manage(member: Member, agreement: Agreement) -> bool:
    """The member manages the agreement: a contract manager (or social value lead) of its buyer."""
    return member.may(Permission.MANAGE_CONTRACTS) and is_buyer_of(member, agreement)


def may_report(member: Member, agreement: Agreement) -> bool:
    """The member reports delivery on the agreement: a contact of its supplier."""
    return member.may(Permission.SUBMIT_RETURNS) and is_supplier_of(member, agreement)


def person_require(actor: User | None, doing: str) -> User:
    """The person acting, where what they do is recorded against a person (a system member has none)."""
    if actor is None:
        raise ApplicationError(f"Only a person {doing}.")
    return actor


def buyer_require(member: Member, agreement: Agreement) -> None:
    """Refuse (404) unless the member's organisation is the agreement's buyer."""
    if not is_buyer_of(member, agreement):
        raise PermissionRefused("Only the agreement's buyer changes it, reviews its returns and rates it.")


def supplier_require(member: Member, agreement: Agreement) -> None:
    """Refuse (404) unless the member's organisation is the agreement's supplier."""
    if not is_supplier_of(member, agreement):
        raise PermissionRefused("Only the agreement's supplier reports on it and proposes substitutions.")
