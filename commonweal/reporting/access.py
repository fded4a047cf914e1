"""Who may use reporting's pages and services: every member of the public body reads them, and changing
anything needs MANAGE_REPORTS (the social value lead); an object is changed only by its own organisation."""

from typing import Any

from django.http import HttpRequest

from commonweal.core.errors import ApplicationError
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

READ = Permission.READ_PUBLIC_BODY
WRITE = Permission.MANAGE_REPORTS


def page_member(request: HttpRequest, org: str) -> Member:
    """The member for a form page: reading it needs only membership, sending it needs WRITE."""
    return member_require(user=request.user, slug=org, permission=WRITE if request.method == "POST" else READ)


def own_require(member: Member, obj: Any) -> None:
    """Refuse an object of another organisation (the selectors' 404 is the first guard; this is the second)."""
    if obj.organisation_id != member.organisation.pk:
        raise ApplicationError("This belongs to another organisation.")
