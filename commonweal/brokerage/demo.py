"""Demo data for the wish list: Riverside Community Trust's needs on Northfield's wish list in several states,
and a pledge by Brightside Construction confirmed by Riverside and verified on NBC-2026-014. Written through
the services, as the people themselves would; nothing when Riverside has needs already."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.delivery.models import Commitment, LineStatus
from commonweal.delivery.services_returns import return_line_review
from commonweal.frameworks.models import FrameworkVersion, Measure
from commonweal.reporting.models import PanelNeed
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import member_access

from . import services_needs, services_pledges
from .models import Need
from .services_needs import Decision, NeedInput

PLACE = "Altrincham, Trafford"


def wish_list_demo_load(
    *, users: dict[str, User], organisations: dict[str, Organisation], version: FrameworkVersion
) -> list[str]:
    riverside = organisations["riverside-trust"]
    if Need.objects.filter(organisation=riverside).exists():
        return []
    northfield = organisations["northfield"]
    contact = users["community@riverside.example"]
    broker = users["broker@northfield.example"]
    supplier = users["supplier@brightside.example"]
    manager = users["manager@northfield.example"]
    community = member_access(user=contact, slug=riverside.slug)
    brokering = member_access(user=broker, slug=northfield.slug)
    expires = timezone.localdate() + timedelta(days=120)

    def outcome(code: str) -> list[object]:
        return [Measure.objects.get(version=version, code=code).outcome]

    def need(title: str, kind: str, quantity: str, unit: str, estimate: str | None, measure: str, text: str) -> Need:
        data = NeedInput(
            host=northfield,
            title=title,
            description=text,
            kind=kind,
            quantity=Decimal(quantity),
            unit=unit,
            estimate=Decimal(estimate) if estimate else None,
            outcomes=outcome(measure),  # type: ignore[arg-type]
            place=PLACE,
            beneficiary_group="Families on low incomes",
            expires_on=expires,
        )
        return services_needs.need_save(actor=contact, member=community, data=data)

    def published(item: Need) -> Need:
        services_needs.need_submit(actor=contact, member=community, need=item)
        services_needs.need_moderate(
            actor=broker, member=brokering, need=item, decision=Decision("approve", eligibility_checked=True)
        )
        return services_needs.need_moderate(actor=broker, member=brokering, need=item, decision=Decision("publish"))

    services_needs.eligibility_give(
        actor=contact, member=community, evidence_kind="charity_number", evidence_reference="1187654"
    )
    # Met through Brightside: pledged, delivered, confirmed and verified on NBC-2026-014.
    food_bank = published(
        need(
            "Volunteers for the Saturday food bank",
            "volunteer_time",
            "24",
            "hours",
            "360",
            "COMM.1.1",
            "Sorting donations and handing out food parcels on Saturday mornings, through the winter.",
        )
    )
    commitment = Commitment.objects.get(agreement__reference="NBC-2026-014", measure__code="COMM.1.1")
    brightside = member_access(user=supplier, slug="brightside")
    pledge = services_pledges.pledge_make(
        actor=supplier, member=brightside, need=food_bank, commitment=commitment, quantity=Decimal("24")
    )
    services_pledges.pledge_deliver(actor=supplier, member=brightside, pledge=pledge, delivered_on=timezone.localdate())
    pledge = services_pledges.pledge_confirm(
        actor=contact,
        member=community,
        pledge=pledge,
        received_quantity=Decimal("24"),
        received_on=timezone.localdate(),
        feedback="Four of the site team came for six Saturdays: every parcel went out on time.",
    )
    assert pledge.line is not None
    return_line_review(
        actor=manager,
        member=member_access(user=manager, slug=northfield.slug),
        line=pledge.line,
        decision=LineStatus.VERIFIED,
        reason="",
    )
    # Open on the wish list: the van first raised at the VCSE forum.
    van = published(
        need(
            "A van one day a week to collect surplus food",
            "materials",
            "20",
            "days",
            "1500",
            "COMM.1.1",
            "A van and driver one day a week to collect surplus food from supermarkets in the borough.",
        )
    )
    panel_need = PanelNeed.objects.filter(raised_by=riverside, description__startswith="A van").first()
    if panel_need is not None:
        Need.objects.filter(pk=van.pk).update(panel_need=panel_need)
    # Waiting for the broker.
    laptops = need(
        "Laptops for the homework club",
        "materials",
        "6",
        "laptops",
        "2400",
        "JOBS.1.2",
        "Children with no computer at home do their homework at the club after school.",
    )
    services_needs.need_submit(actor=contact, member=community, need=laptops)
    # Returned with a reason.
    room = need(
        "A room for a weekly job club",
        "space",
        "40",
        "hours",
        None,
        "JOBS.1.1",
        "A room with wifi for two hours a week.",
    )
    services_needs.need_submit(actor=contact, member=community, need=room)
    services_needs.need_moderate(
        actor=broker,
        member=brokering,
        need=room,
        decision=Decision("return", reason="Say which day suits, and whether the room must be accessible."),
    )
    # A draft Riverside has not submitted.
    need("Paint for the community hall", "materials", "30", "litres", "450", "COMM.1.1", "Repainting the main hall.")
    return ["wish list needs for Riverside Community Trust, with a pledge confirmed and verified"]
