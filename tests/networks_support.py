"""A hand-checked network of three members, for the network tests (figures worked out in the comments).

Network "Tees Anchors" (coordinator Jo). Members, all in 2026Q3 (July to September 2026):

- Alpha Council: shares detail, named. Jobs (JOBS.1): 5 verified (ref P-1) and 3 pending. Local spend
  600 of 1,000 (60%). Staff trained 10.
- Beta NHS Trust: aggregates only, anonymous. Jobs: 4 verified (ref " p-1": counted already), 2 verified.
  Local spend 250 of 1,000 (25%). Staff trained 20.
- Gamma University: aggregates only, anonymous. Jobs: 6 verified on its own code C-JOBS (a crosswalk).
  No spend data. Staff trained 30.

Jobs: claimed 5+3 + 2 + 6 = 16, verified 5 + 2 + 6 = 13; Beta's 4 is left out (one count). Benchmark
(verified): 2, 5, 6: median 5, quartiles 3.5 and 5.5. Local spend: 850 of 2,000 = 42.5% (2 members);
benchmark 25 and 60: median 42.5, quartiles 33.75 and 51.25. Alpha also paid 100 to its local supplier in
2026Q2 (100% local that quarter). Staff trained: 60 (3 members): median 20, quartiles 15 and 25.
Pledges on jobs: Alpha 0 → 10 (5 now: 50%), Beta 0 → 4 (2 now: 50%); together 7 of 14: 50%.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from commonweal.accounts.models import User
from commonweal.delivery.models import Agreement, Commitment, DeliveryReturn, LineStatus, ReturnLine, ReturnState
from commonweal.networks import services_membership, services_metrics
from commonweal.networks.models import MetricKind, NetworkMembership, SharedMetric, SpendShare
from commonweal.spend.models import Label
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .spend_analysis_data import supplier_add
from .spend_suppliers_support import import_with_payments, payment

LONDON = ZoneInfo("Europe/London")
Q3_DAY = datetime.date(2026, 8, 14)


@dataclass
class Net:
    network: Organisation
    coordinator: User
    members: dict[str, Organisation]  # alpha, beta, gamma
    leads: dict[str, User]
    memberships: dict[str, NetworkMembership]
    agreements: dict[str, Agreement]
    jobs: SharedMetric
    local: SharedMetric
    trained: SharedMetric

    def coordinator_member(self) -> Member:
        return member_access(user=self.coordinator, slug=self.network.slug)

    def lead_member(self, key: str) -> Member:
        return member_access(user=self.leads[key], slug=self.members[key].slug)


def line_add(
    commitment: Commitment,
    quantity: str,
    *,
    status: str = LineStatus.VERIFIED,
    beneficiary: str = "",
    evidence: str = "",
    at: datetime.datetime,
) -> ReturnLine:
    """A submitted return with one line (returns are made directly: their own services are tested elsewhere)."""
    agreement = commitment.agreement
    supplier_user = factories.member_user(agreement.supplier, Role.SUPPLIER_CONTACT)
    delivery_return = DeliveryReturn.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        state=ReturnState.SUBMITTED,
        submitted_by=supplier_user,
        submitted_at=at,
        narrative="Delivery this quarter",
    )
    return ReturnLine.objects.create(
        organisation=agreement.organisation,
        delivery_return=delivery_return,
        commitment=commitment,
        quantity=Decimal(quantity),
        status=status,
        beneficiary_reference=beneficiary,
        evidence_reference=evidence,
    )


def at(day: int, hour: int = 10, month: int = 8) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=LONDON)


def spend_add(organisation: Organisation, local: str, other: str, *, day: datetime.date = Q3_DAY) -> None:
    import_with_payments(
        organisation,
        [
            payment("Local Bakery", local, payment_date=day, transaction_ref=f"L-{day}"),
            payment("Far Away Ltd", other, payment_date=day, transaction_ref=f"F-{day}"),
        ],
    )


def build() -> Net:
    network = factories.NetworkFactory.create(name="Tees Anchors", slug="tees-anchors")
    coordinator = factories.member_user(network, Role.NETWORK_COORDINATOR)
    names = {"alpha": "Alpha Council", "beta": "Beta NHS Trust", "gamma": "Gamma University"}
    members: dict[str, Organisation] = {}
    leads: dict[str, User] = {}
    memberships: dict[str, NetworkMembership] = {}
    coordinating = member_access(user=coordinator, slug=network.slug)
    for key, name in names.items():
        members[key] = factories.OrganisationFactory.create(name=name, slug=key)
        leads[key] = factories.member_user(members[key], Role.SOCIAL_VALUE_LEAD)
        invited = services_membership.member_invite(actor=coordinator, member=coordinating, organisation=members[key])
        lead = member_access(user=leads[key], slug=key)
        services_membership.invitation_answer(actor=leads[key], member=lead, membership=invited, accept=True)
        memberships[key] = services_membership.sharing_set(
            actor=leads[key],
            member=lead,
            membership=invited,
            sharing="detail" if key == "alpha" else "aggregates",
            named_in_benchmarks=key == "alpha",
        )
    jobs = services_metrics.metric_create(
        actor=coordinator,
        member=coordinating,
        code="jobs",
        title="Local people into jobs",
        kind=MetricKind.DELIVERY,
        unit="people",
        measure_code="JOBS.1",
    )
    local = services_metrics.metric_create(
        actor=coordinator,
        member=coordinating,
        code="local-spend",
        title="Local spend",
        kind=MetricKind.SPEND,
        unit="",
        spend_share=SpendShare.LOCAL,
    )
    trained = services_metrics.metric_create(
        actor=coordinator,
        member=coordinating,
        code="trained",
        title="Staff trained",
        kind=MetricKind.SUBMITTED,
        unit="people",
    )
    services_metrics.crosswalk_add(
        actor=coordinator, member=coordinating, metric=jobs, organisation=members["gamma"], measure_code="C-JOBS"
    )
    agreements = {}
    codes = {"alpha": "JOBS.1", "beta": "JOBS.1", "gamma": "C-JOBS"}
    commitments = {}
    for key, organisation in members.items():
        agreement = factories.AgreementFactory.create(
            organisation=organisation, reference=f"{key.upper()}-SECRET-001", title=f"{names[key]} works"
        )
        agreements[key] = agreement
        measure = factories.MeasureFactory.create(
            version=agreement.framework_version, organisation=organisation, code=codes[key]
        )
        commitments[key] = [factories.CommitmentFactory.create(agreement=agreement, measure=measure) for _ in range(2)]
        other = factories.MeasureFactory.create(version=agreement.framework_version, organisation=organisation)
        # A line on a measure no metric counts: never in any figure.
        line_add(factories.CommitmentFactory.create(agreement=agreement, measure=other), "99", at=at(2))
    line_add(commitments["alpha"][0], "5", beneficiary="P-1", at=at(3))
    line_add(commitments["alpha"][1], "3", status=LineStatus.PENDING, at=at(4))
    line_add(commitments["beta"][0], "4", beneficiary=" p-1", at=at(5))
    line_add(commitments["beta"][1], "2", at=at(6))
    line_add(commitments["gamma"][0], "6", at=at(7))
    # A rejected line is no claim.
    line_add(commitments["gamma"][1], "50", status=LineStatus.REJECTED, at=at(8))
    for key in ("alpha", "beta"):
        supplier_add(members[key], "Local Bakery", {Label.LOCAL: True, Label.SME: True}, district_code="E06000002")
        supplier_add(members[key], "Far Away Ltd", {Label.LOCAL: False, Label.SME: False})
    spend_add(members["alpha"], "600.00", "400.00")
    spend_add(members["alpha"], "100.00", "0.00", day=datetime.date(2026, 5, 1))
    spend_add(members["beta"], "250.00", "750.00")
    for key, value in (("alpha", "10"), ("beta", "20"), ("gamma", "30")):
        services_metrics.figure_submit(
            actor=leads[key],
            member=member_access(user=leads[key], slug=key),
            metric=trained,
            quarter="2026Q3",
            value=Decimal(value),
        )
    for key, target in (("alpha", "10"), ("beta", "4")):
        services_metrics.pledge_set(
            actor=leads[key],
            member=member_access(user=leads[key], slug=key),
            metric=jobs,
            baseline=Decimal("0"),
            target=Decimal(target),
            target_date=datetime.date(2027, 3, 31),
        )
    return Net(network, coordinator, members, leads, memberships, agreements, jobs, local, trained)
