"""Each role's home page is its to-do list: what is waiting for the member, counted, each with a link to
the exact place; and, for community organisations and networks, what they can do today.

The readers below each belong to a domain app (`<app>/selectors_worklist.py`) and return
`core.worklist.WorkItem`s. To add an app's work to home pages, write its reader and add it to the list
for the kinds of organisation it serves: `BUYER_SOURCES` for public bodies, `SUPPLIER_SOURCES`,
`COMMUNITY_SOURCES` and `NETWORK_SOURCES`. Every reader runs a fixed number of queries, so the home page
does too (tests/test_home_worklist.py counts them).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone

from commonweal.core.worklist import WorkItem
from commonweal.delivery import selectors_worklist as delivery
from commonweal.delivery.selectors_agreements import agreement_list
from commonweal.procurement import selectors_worklist as procurement
from commonweal.reporting import selectors_worklist as reporting
from commonweal.spend import selectors_worklist as spend
from commonweal.tenancy.models import OrganisationKind
from commonweal.tenancy.permissions import Permission
from commonweal.tenancy.selectors import Member


@dataclass(frozen=True)
class Moment:
    today: date
    now: datetime


WorkSource = Callable[[Member, Moment], list[WorkItem]]


def _url(name: str, member: Member) -> str:
    return reverse(name, kwargs={"org": member.organisation.slug})


def _people(member: Member, _moment: Moment) -> list[WorkItem]:
    if not member.may(Permission.REVIEW_MEMBERS):
        return []
    return [
        WorkItem(
            "people",
            "See who in your organisation has set up two-factor sign-in",
            _url("members:two-factor", member),
        )
    ]


def _agreements_with_you(member: Member, _moment: Moment) -> list[WorkItem]:
    count = agreement_list(member=member).count()
    hint = (
        f"{count} agreement{'s' if count != 1 else ''} or grant{'s' if count != 1 else ''} name you"
        if count
        else "None yet: a public body adds you when it awards you a contract or a grant"
    )
    return [
        WorkItem(
            "agreements",
            "Read the agreements and grants you are a party to",
            _url("delivery:agreement-list", member),
            hint=hint,
        )
    ]


BUYER_SOURCES: list[WorkSource] = [
    lambda member, moment: delivery.buyer_items(member=member, today=moment.today),
    lambda member, moment: procurement.buyer_items(member=member, now=moment.now),
    lambda member, moment: spend.buyer_items(member=member),
    lambda member, moment: reporting.buyer_items(member=member),
]
SUPPLIER_SOURCES: list[WorkSource] = [
    lambda member, moment: delivery.supplier_items(member=member, today=moment.today),
    lambda member, moment: procurement.supplier_items(member=member, now=moment.now),
]
# Community organisations and networks: what they can do today. Brokerage (needs and pledges) and
# network pages add their readers here.
COMMUNITY_SOURCES: list[WorkSource] = [_agreements_with_you, _people]
NETWORK_SOURCES: list[WorkSource] = [_agreements_with_you, _people]

SOURCES_BY_KIND: dict[str, list[WorkSource]] = {
    OrganisationKind.PUBLIC_BODY: BUYER_SOURCES,
    OrganisationKind.SUPPLIER: SUPPLIER_SOURCES,
    OrganisationKind.COMMUNITY: COMMUNITY_SOURCES,
    OrganisationKind.NETWORK: NETWORK_SOURCES,
}


@dataclass(frozen=True)
class Worklist:
    items: list[WorkItem]

    @property
    def pending(self) -> list[WorkItem]:
        """Kinds of work with something waiting, in the order their apps list them."""
        return [item for item in self.items if item.is_pending]

    @property
    def clear(self) -> list[WorkItem]:
        """Kinds of work with nothing waiting today."""
        return [item for item in self.items if not item.is_action and not item.is_pending]

    @property
    def actions(self) -> list[WorkItem]:
        return [item for item in self.items if item.is_action]

    def item(self, key: str) -> WorkItem:
        """The item `key` (KeyError if the member's list has no such kind of work)."""
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)


def worklist(*, member: Member, today: date | None = None, now: datetime | None = None) -> Worklist:
    """The member's to-do list for their organisation's kind and their roles."""
    now = now or timezone.now()
    moment = Moment(today=today or timezone.localdate(now), now=now)
    items: list[WorkItem] = []
    for source in SOURCES_BY_KIND.get(member.organisation.kind, []):
        items.extend(source(member, moment))
    return Worklist(items=items)
