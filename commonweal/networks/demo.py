"""The demo network: Northfield Anchor Network with three members (the council sharing agreement-level
detail, the NHS trust and the university their totals), three shared metrics (local spend from the
council's spend data, apprenticeship weeks from verified delivery on JOBS.1.2, and staff trained as
members submit it), pledges on the first two, a joint employment programme, and a published report for
January to March 2026. Everything is made through the services; loading it again makes nothing."""

import datetime
from decimal import Decimal

from commonweal.accounts.models import User
from commonweal.frameworks.models import ValueType
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import member_access

from . import services_membership, services_metrics, services_programmes, services_reports
from .models import MetricKind, NetworkMembership, NetworkReport, SpendShare

DEMO_QUARTER = "2026Q1"
# (organisation slug, sharing, named in benchmarking, staff trained in 2026Q1, pledges: local spend %, weeks)
MEMBERS = [
    ("northfield", "detail", True, "42", ("38", "45"), ("20", "60")),
    ("northfield-nhs", "aggregates", True, "118", ("22", "30"), ("5", "25")),
    ("northfield-university", "aggregates", False, "64", ("18", "25"), ("3", "15")),
]
# The employment pathway: (partner, pseudonymous id, stages reached with their dates).
PARTICIPANTS = [
    (
        "northfield",
        "NW-0001",
        [
            ("referral", "2026-01-12"),
            ("training", "2026-01-26"),
            ("interview", "2026-02-20"),
            ("offer", "2026-03-02"),
            ("start", "2026-03-16"),
        ],
    ),
    ("northfield", "NW-0002", [("referral", "2026-01-19"), ("training", "2026-02-02")]),
    (
        "northfield-nhs",
        "NW-0103",
        [("referral", "2026-02-03"), ("training", "2026-02-10"), ("interview", "2026-03-05"), ("offer", "2026-03-12")],
    ),
    ("northfield-university", "NW-0207", [("referral", "2026-02-16")]),
]


def network_demo_load(*, network: Organisation, coordinator: User, leads: dict[str, User]) -> list[str]:
    if NetworkReport.objects.filter(network=network, quarter=DEMO_QUARTER).exists():
        return []
    coordinating = member_access(user=coordinator, slug=network.slug)
    made = []
    for slug, sharing, named, _, _, _ in MEMBERS:
        organisation = Organisation.objects.get(slug=slug)
        lead = member_access(user=leads[slug], slug=slug)
        membership = NetworkMembership.objects.filter(network=network, organisation=organisation).first()
        if membership is None:
            membership = services_membership.member_invite(
                actor=coordinator, member=coordinating, organisation=organisation
            )
        if membership.state == "invited":
            services_membership.invitation_answer(actor=leads[slug], member=lead, membership=membership, accept=True)
        services_membership.sharing_set(
            actor=leads[slug], member=lead, membership=membership, sharing=sharing, named_in_benchmarks=named
        )
        made.append(f"network member {slug}")
    local = services_metrics.metric_create(
        actor=coordinator,
        member=coordinating,
        code="local-spend",
        title="Spend with local suppliers",
        kind=MetricKind.SPEND,
        unit="",
        spend_share=SpendShare.LOCAL,
        description="The share of each member's published spend paid to suppliers in its own area.",
    )
    people = services_metrics.metric_create(
        actor=coordinator,
        member=coordinating,
        code="apprenticeship-weeks",
        title="Apprenticeship weeks completed",
        kind=MetricKind.DELIVERY,
        unit="weeks",
        measure_code="JOBS.1.2",
        value_type=ValueType.ADDITIONAL_SOCIAL,
        description="Apprenticeship weeks completed through members' contracts (the starter framework's JOBS.1.2).",
    )
    trained = services_metrics.metric_create(
        actor=coordinator,
        member=coordinating,
        code="staff-trained",
        title="Staff trained in social value",
        kind=MetricKind.SUBMITTED,
        unit="people",
        value_type=ValueType.ADDITIONAL_SOCIAL,
    )
    for slug, _, _, staff, spend_pledge, people_pledge in MEMBERS:
        lead = member_access(user=leads[slug], slug=slug)
        services_metrics.figure_submit(
            actor=leads[slug], member=lead, metric=trained, quarter=DEMO_QUARTER, value=Decimal(staff)
        )
        for metric, (baseline, target) in ((local, spend_pledge), (people, people_pledge)):
            services_metrics.pledge_set(
                actor=leads[slug],
                member=lead,
                metric=metric,
                baseline=Decimal(baseline),
                target=Decimal(target),
                target_date=datetime.date(2028, 3, 31),
            )
    programme = services_programmes.programme_create(
        actor=coordinator,
        member=coordinating,
        title="Northfield Works employment pathway",
        description="Referral, training, interview, job offer, start and retention at 6 and 12 months.",
        shares={
            Organisation.objects.get(slug=s): Decimal(p)
            for s, p in (("northfield", "50"), ("northfield-nhs", "30"), ("northfield-university", "20"))
        },
    )
    for slug, participant, stages in PARTICIPANTS:
        partner = programme.partners.get(organisation__slug=slug)
        for stage, day in stages:
            services_programmes.participant_record(
                actor=leads[slug],
                member=member_access(user=leads[slug], slug=slug),
                partner=partner,
                participant_id=participant,
                stage=stage,
                reached_on=datetime.date.fromisoformat(day),
            )
    services_reports.report_publish(
        actor=coordinator,
        member=coordinating,
        quarter=DEMO_QUARTER,
        summary="Our first quarter reporting together: local spend, apprenticeship weeks and staff trained.",
    )
    made.append(f"network report {DEMO_QUARTER}")
    return made
