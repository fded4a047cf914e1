"""Demo procurements for the fictional Northfield Borough Council, made through the same services as
the pages: one open for tenders (with a supplier's draft bid) and one whose tenders are in, ready
for its evaluators to score.

The demo's only shortcut: after the three tenders of the second procurement are submitted, its
timetable is moved back so the deadline has passed (publishing refuses a deadline in the past), so
that evaluation can be tried straight away.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.accounts.services import user_create
from commonweal.frameworks.models import FrameworkVersion, Measure, ValueSet
from commonweal.frameworks.services_value_sets import value_set_create, value_set_entry_set
from commonweal.tenancy.models import Organisation, OrganisationKind, Role
from commonweal.tenancy.selectors import member_access
from commonweal.tenancy.services import membership_grant, organisation_create

from . import services_bidding, services_evaluation, services_planning
from .models import Procurement
from .rules import contract_period, scored_criteria
from .services_bidding import CommitmentInput

VALUE_SET_CODE = "northfield-demo-values"
# Illustrative figures for the demo only: a council enters its own, with their sources. £ per unit of the
# measure: a local FTE-year (JOBS.1.1) and £1 of local spend (ECON.1.1) are local economic value; an
# apprenticeship week, a placement and a volunteering hour are additional social value (the measures say so).
DEMO_VALUES = {"JOBS.1.1": "14000", "JOBS.1.2": "300", "JOBS.2.1": "1200", "ECON.1.1": "1", "COMM.1.1": "25"}


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    organisation: str
    role: str


PEOPLE = [
    DemoPerson("procurement@northfield.example", "Dana Clarke", "northfield", Role.PROCUREMENT_OFFICER),
    DemoPerson("evaluator@northfield.example", "Ravi Patel", "northfield", Role.EVALUATOR),
    DemoPerson("supplier@oakfield.example", "Maya Osei", "oakfield", Role.SUPPLIER_CONTACT),
]


def _london(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _timetable(deadline: date) -> dict[str, datetime]:
    return {
        "publication_at": _london(deadline - timedelta(days=28), 9),
        "clarification_deadline": _london(deadline - timedelta(days=7)),
        "tender_deadline": _london(deadline),
        "evaluation_at": _london(deadline + timedelta(days=3), 9),
        "award_at": _london(deadline + timedelta(days=21), 9),
        "standstill_end_at": _london(deadline + timedelta(days=35), 23),
    }


def _people(password: str) -> dict[str, User]:
    oakfield = Organisation.objects.filter(slug="oakfield").first()
    if oakfield is None:
        oakfield = organisation_create(
            actor=None, name="Oakfield Community Interest Company", slug="oakfield", kind=OrganisationKind.SUPPLIER
        )
        Organisation.objects.filter(pk=oakfield.pk).update(is_sme=True, is_vcse=True)
    users = {}
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = user_create(email=person.email, full_name=person.name, password=password)
        membership_grant(
            actor=None, organisation=Organisation.objects.get(slug=person.organisation), user=user, role=person.role
        )
        users[person.email] = user
    return users


def demo_value_set(lead: Any, buyer: Organisation) -> ValueSet:
    """The demo value set (made through the value set services if missing). Each value is £ per unit of
    the measure; whether that is local economic value or additional social value is the measure's (in the
    starter framework local jobs, JOBS.1.1, and local spend, ECON.1.1, are local economic value)."""
    existing = ValueSet.objects.filter(organisation=buyer, code=VALUE_SET_CODE).first()
    if existing is not None:
        return existing
    member = member_access(user=lead, slug=buyer.slug)
    value_set = value_set_create(
        actor=lead,
        member=member,
        code=VALUE_SET_CODE,
        title="Northfield demo values",
        source="Illustrative figures for the demo; not from a published source",
        licence="Demo data, no licence needed",
        base_year=2025,
        valid_from=date(2025, 4, 1),
    )
    for code, value in DEMO_VALUES.items():
        value_set_entry_set(
            actor=lead,
            member=member,
            value_set=value_set,
            measure_code=code,
            value_per_unit=Decimal(value),
            source="Illustrative figure for the demo",
            base_year=2025,
            deadweight=Decimal("0.2"),
        )
    return value_set


def _procurement(
    *, officer: Any, buyer: Organisation, version: FrameworkVersion, value_set: ValueSet, **fields: Any
) -> Procurement:
    member = member_access(user=officer, slug=buyer.slug)
    data = services_planning.ProcurementInput(
        framework_version=version,
        value_set=value_set,
        price_method="lowest_over_bid",
        abnormally_low_percent=Decimal("80"),
        social_value_share_percent=Decimal("20"),
        **fields,
    )
    procurement = services_planning.procurement_create(actor=officer, member=member, data=data)
    return services_planning.procurement_publish(actor=officer, member=member, procurement=procurement)


def _bid(procurement: Procurement, user: Any, supplier: str, *, price: str, quantity: str, submit: bool) -> None:
    member = member_access(user=user, slug=supplier)
    lot = procurement.lots.get(number=1)
    bid = services_bidding.bid_start(actor=user, member=member, procurement=procurement, lot=lot)
    start, end = contract_period(procurement)
    measure = Measure.objects.get(version=procurement.framework_version, code="JOBS.1.1")
    services_bidding.bid_save(
        actor=user,
        member=member,
        bid=bid,
        price=Decimal(price),
        responses={
            criterion.pk: f"{member.organisation.name}'s answer: a named team, a weekly plan and monthly reports."
            for criterion in scored_criteria(procurement)
        },
        method_statement=(
            f"{member.organisation.name} will recruit from Northfield through the council's job brokerage "
            "and report each hire with its start date and ward."
        ),
        new_commitment=CommitmentInput(
            measure=measure,
            quantity=Decimal(quantity),
            due_date=min(end, start + timedelta(days=730)),
            place_code="E08000009",
            beneficiary_group="People out of work for a year or more",
            description="Local people employed on the contract for at least a year.",
        ),
    )
    if submit:
        services_bidding.bid_submit(actor=user, member=member, bid=bid)


def procurement_demo_load(*, buyer: Organisation, version: FrameworkVersion, lead: Any, password: str) -> list[str]:
    """Create the demo procurements if they are missing; what was created, in words."""
    created: list[str] = []
    if Procurement.objects.filter(organisation=buyer, reference__in=["NBC-2026-050", "NBC-2026-044"]).exists():
        return created
    users = _people(password)
    officer = users["procurement@northfield.example"]
    value_set = demo_value_set(lead, buyer)
    today = timezone.localdate()
    common = {"core_deliverables": "", "category": "services", "duration_months": 36}
    open_procurement = _procurement(
        officer=officer,
        buyer=buyer,
        version=version,
        value_set=value_set,
        title="Parks and open spaces grounds maintenance, 2027 to 2030",
        reference="NBC-2026-050",
        description="Grass cutting, planting and litter picking in Northfield's 42 parks and open spaces.",
        estimated_value=Decimal("1200000.00"),
        timetable=_timetable(today + timedelta(days=26)),  # published two days ago
        **{**common, "core_deliverables": "Grass cutting in every park\nLitter picking in open spaces"},
    )
    created.append("procurement NBC-2026-050, open for tenders")
    _bid(
        open_procurement,
        users_get("supplier@greenway.example"),
        "greenway",
        price="1150000",
        quantity="3",
        submit=False,
    )
    created.append("a draft bid from Greenway Facilities")

    closed = _procurement(
        officer=officer,
        buyer=buyer,
        version=version,
        value_set=value_set,
        title="Community meals service",
        reference="NBC-2026-044",
        description="Hot meals delivered to older residents at home, seven days a week.",
        estimated_value=Decimal("640000.00"),
        timetable=_timetable(today + timedelta(days=10)),
        **common,
    )
    for email, slug, price, quantity in [
        ("supplier@brightside.example", "brightside", "612000", "2"),
        ("supplier@greenway.example", "greenway", "598000", "3"),
        ("supplier@oakfield.example", "oakfield", "575000", "5"),
    ]:
        _bid(closed, users_get(email), slug, price=price, quantity=quantity, submit=True)
    shift = timedelta(days=12)
    moments = {name: getattr(closed, name) - shift for name in _timetable(today)}
    assert closed.published_at is not None  # just published
    Procurement.objects.filter(pk=closed.pk).update(**moments, published_at=closed.published_at - shift)
    closed.refresh_from_db()
    officer_member = member_access(user=officer, slug=buyer.slug)
    evaluators = {users["evaluator@northfield.example"].pk, lead.pk}
    services_evaluation.evaluators_set(
        actor=officer,
        member=officer_member,
        procurement=closed,
        chosen={criterion.pk: evaluators for criterion in scored_criteria(closed)},
    )
    for user in (officer, lead):
        services_evaluation.declaration_make(
            actor=user,
            member=member_access(user=user, slug=buyer.slug),
            procurement=closed,
            has_conflict=False,
            details="",
        )
    created.append("procurement NBC-2026-044 with three tenders in, ready to score")
    return created


def users_get(email: str) -> User:
    return User.objects.get(email=email)
