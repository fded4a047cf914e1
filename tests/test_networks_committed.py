"""The anchor networks' services that lock rows, committed for real (see tests/test_lock_paths.py). Apart
from test_networks.py, whose shared network is built once for the module: a committed test flushes the
database when it ends."""

import datetime
from decimal import Decimal

import pytest

from commonweal.networks import services_membership, services_programmes
from commonweal.networks.models import ProgrammeParticipant
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import member_access

from . import factories
from .networks_support import build


@pytest.mark.django_db(transaction=True)
def test_membership_and_programme_services_committed() -> None:
    """The locking membership and programme services, committed for real (tests/test_lock_paths.py)."""
    net = build()
    coordinator = net.coordinator_member()
    delta = factories.OrganisationFactory.create(name="Delta College", slug="delta-committed")
    lead = factories.member_user(delta, Role.SOCIAL_VALUE_LEAD)
    delta_lead = member_access(user=lead, slug=delta.slug)
    invited = services_membership.member_invite(actor=net.coordinator, member=coordinator, organisation=delta)
    services_membership.invitation_answer(actor=lead, member=delta_lead, membership=invited, accept=True)
    services_membership.sharing_set(
        actor=lead, member=delta_lead, membership=invited, sharing="aggregates", named_in_benchmarks=True
    )
    assert delta.networks.filter(pk=net.network.pk).exists()
    programme = services_programmes.programme_create(
        actor=net.coordinator,
        member=coordinator,
        title="Into work, committed",
        description="",
        shares={net.members["alpha"]: Decimal("100")},
    )
    partner = programme.partners.get(organisation=net.members["alpha"])
    services_programmes.participant_record(
        actor=net.leads["alpha"],
        member=net.lead_member("alpha"),
        partner=partner,
        participant_id="C-1",
        stage="referral",
        reached_on=datetime.date(2026, 7, 10),
    )
    assert ProgrammeParticipant.objects.filter(partner__programme=programme).count() == 1
