"""Building wish-list worlds for tests: a council (the host) with a broker, a community organisation with a
contact and checked eligibility, and needs taken through their states by the services themselves."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.brokerage import services_needs, services_pledges
from commonweal.brokerage.models import Need, Pledge
from commonweal.brokerage.services_needs import Decision, NeedInput
from commonweal.delivery.models import Commitment
from commonweal.tenancy.models import Organisation, OrganisationKind, Role
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .conftest import Tenant

PLACE = "Altrincham, Trafford"
PLACE_CODE = "E05015239"


@dataclass
class WishWorld:
    tenant: Tenant
    community: Organisation
    contact: User
    broker: User

    def contact_member(self) -> Member:
        return member_access(user=self.contact, slug=self.community.slug)

    def broker_member(self) -> Member:
        return member_access(user=self.broker, slug=self.tenant.buyer.slug)


def wish_world(tenant: Tenant, label: str, *, broker: User | None = None) -> WishWorld:
    community = factories.OrganisationFactory.create(
        name=f"{label} Community Trust",
        slug=f"{label.lower().replace(' ', '-')}-trust",
        kind=OrganisationKind.COMMUNITY,
    )
    contact = factories.member_user(community, Role.COMMUNITY_CONTACT)
    if broker is None:
        broker = factories.member_user(tenant.buyer, Role.BROKER)
    else:
        factories.MembershipFactory.create(user=broker, organisation=tenant.buyer, role=Role.BROKER)
    world = WishWorld(tenant, community, contact, broker)
    services_needs.eligibility_give(
        actor=contact, member=world.contact_member(), evidence_kind="charity_number", evidence_reference="1234567"
    )
    return world


def need_input(
    world: WishWorld, *, title: str = "Volunteers for the food bank", quantity: str = "40", **changes: object
) -> NeedInput:
    values: dict[str, object] = {
        "host": world.tenant.buyer,
        "title": title,
        "description": "Help sorting and handing out food on Saturdays.",
        "kind": "volunteer_time",
        "quantity": Decimal(quantity),
        "unit": "hours",
        "estimate": Decimal("600.00"),
        "outcomes": [],
        "place": PLACE,
        "beneficiary_group": "Families on low incomes",
        "expires_on": timezone.localdate() + timedelta(days=90),
    }
    values.update(changes)
    return NeedInput(**values)  # type: ignore[arg-type]


def need_draft(world: WishWorld, **changes: Any) -> Need:
    return services_needs.need_save(
        actor=world.contact, member=world.contact_member(), data=need_input(world, **changes)
    )


def need_published(world: WishWorld, **changes: Any) -> Need:
    need = need_draft(world, **changes)
    services_needs.need_submit(actor=world.contact, member=world.contact_member(), need=need)
    broker = world.broker_member()
    services_needs.need_moderate(
        actor=world.broker, member=broker, need=need, decision=Decision("approve", eligibility_checked=True)
    )
    return services_needs.need_moderate(actor=world.broker, member=broker, need=need, decision=Decision("publish"))


def pledge_made(world: WishWorld, need: Need, commitment: Commitment, quantity: str = "40") -> Pledge:
    tenant = world.tenant
    return services_pledges.pledge_make(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        need=need,
        commitment=commitment,
        quantity=Decimal(quantity),
    )


def pledge_confirmed(world: WishWorld, pledge: Pledge, received: str, on: date | None = None) -> Pledge:
    tenant = world.tenant
    day = on or timezone.localdate()
    services_pledges.pledge_deliver(
        actor=tenant.supplier_user, member=tenant.supplier_member(), pledge=pledge, delivered_on=day
    )
    return services_pledges.pledge_confirm(
        actor=world.contact,
        member=world.contact_member(),
        pledge=pledge,
        received_quantity=Decimal(received),
        received_on=day,
        feedback="The Saturday sessions ran in full.",
    )
