"""Loading the demo data: organisations, people, a framework, departments, agreements with reviewed returns,
procurements, spend, and the social value budget of two financial years.

Everything is made through the domain services, with two exceptions:

- the demo's returns on a finished agreement are submitted and reviewed through the services, and then the
  moments they record (submitted, reviewed) are moved back to the days the demo file gives, so that a
  year that has ended has its returns within it (as `procurement/demo.py` moves a timetable back); the
  audit log keeps the real moments;
- departments, financial years and budget lines, which have no services yet, are written with the ORM
  in `reporting_rows_orm_load` (to be switched to the reporting services once they exist).
"""

import os
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from commonweal.accounts.models import User
from commonweal.accounts.services import user_create
from commonweal.brokerage.demo import wish_list_demo_load
from commonweal.delivery.models import Agreement, CaseStudy, DeliveryReturn, ReturnLine, ReturnLineEvent
from commonweal.delivery.selectors_status import rating_proposal
from commonweal.delivery.services_agreements import agreement_create, agreement_update, commitment_create
from commonweal.delivery.services_returns import CaseStudyInput, return_line_review, return_submit
from commonweal.delivery.services_status import assessment_confirm
from commonweal.frameworks.models import FrameworkVersion, Measure, OutcomePriority, ValueSet
from commonweal.frameworks.services_interchange import framework_load
from commonweal.frameworks.services_priorities import WeightInput, demo_priorities_load, outcome_priorities_set
from commonweal.networks.demo import network_demo_load
from commonweal.procurement.demo import PEOPLE, demo_value_set, procurement_demo_load
from commonweal.procurement.models import Procurement
from commonweal.reporting import services_consultations, services_panels, services_public, services_report
from commonweal.reporting.models import BudgetLine, Consultation, FinancialYear, ImpactReport, Panel, Publication
from commonweal.reporting.signals import figures_changed
from commonweal.spend.demo import spend_demo_load
from commonweal.tenancy.models import Department, Organisation
from commonweal.tenancy.selectors import Member, member_access
from commonweal.tenancy.services import membership_grant, organisation_create

DEMO_FILE = Path(__file__).parent / "data" / "demo.yaml"
DEMO_PASSWORD = os.environ.get("COMMONWEAL_DEMO_PASSWORD", "demo-password-2026")
# A one-page PDF, so the demo return carries evidence that opens.
DEMO_EVIDENCE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class DemoLoadResult:
    created: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # email, organisation, role


@transaction.atomic
def demo_load(*, path: Path = DEMO_FILE, spend: bool = True, procurement: bool = True) -> DemoLoadResult:
    """Create what the demo file describes and is missing; running it again creates nothing.

    `spend=False` leaves out the demo spend file, and `procurement=False` the demo procurements, for
    tests that set up their own."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = DemoLoadResult()
    organisations: dict[str, Organisation] = {}
    for item in data["organisations"]:
        organisation = Organisation.objects.filter(slug=item["slug"]).first()
        if organisation is None:
            organisation = organisation_create(actor=None, name=item["name"], slug=item["slug"], kind=item["kind"])
            if "is_sme" in item:
                Organisation.objects.filter(pk=organisation.pk).update(is_sme=item["is_sme"])
            result.created.append(f"organisation {organisation.slug}")
        organisations[item["slug"]] = organisation
    for network_slug, member_slugs in data.get("network_members", {}).items():
        for slug in member_slugs:
            organisations[slug].networks.add(organisations[network_slug])

    users: dict[str, User] = {}
    for item in data["users"]:
        user = User.objects.filter(email=item["email"]).first()
        if user is None:
            user = user_create(email=item["email"], full_name=item["name"], password=DEMO_PASSWORD)
            result.created.append(f"user {user.email}")
        membership_grant(actor=None, organisation=organisations[item["organisation"]], user=user, role=item["role"])
        users[item["email"]] = user
        result.accounts.append((user.email, organisations[item["organisation"]].name, item["role"]))

    lead = users["lead@northfield.example"]
    northfield = organisations["northfield"]
    version = framework_load(actor=lead, member=Member.system(northfield))
    demo_value_set(lead, northfield)
    if procurement:
        result.created.extend(
            procurement_demo_load(buyer=northfield, version=version, lead=lead, password=DEMO_PASSWORD)
        )
        result.accounts.extend((p.email, Organisation.objects.get(slug=p.organisation).name, p.role) for p in PEOPLE)
    departments = reporting_rows_orm_load(data, organisations=organisations, version=version, result=result)

    for item in data["agreements"]:
        buyer = organisations[item["buyer"]]
        existing = Agreement.objects.filter(organisation=buyer, reference=item["reference"]).first()
        department = departments[(buyer.slug, item["department"])] if item.get("department") else None
        if existing is None:
            _agreement_load(item, buyer=buyer, organisations=organisations, users=users, department=department)
            result.created.append(f"agreement {item['reference']}")
        elif existing.department_id is None and department is not None:
            # Loaded before agreements had departments: give it its department.
            manager = users[item["contract_manager"]]
            agreement_update(
                actor=manager,
                member=member_access(user=manager, slug=buyer.slug),
                agreement=existing,
                department=department,
            )
            result.created.append(f"department of agreement {item['reference']}")
    result.created.extend(demo_priorities_load(actor=lead, member=Member.system(northfield)))
    result.created.extend(impact_report_load(lead=lead, signer=users["councillor@northfield.example"]))
    result.created.extend(consultation_demo_load(lead=lead, version=version))
    result.created.extend(panel_demo_load(lead=lead, version=version, attending=[organisations["riverside-trust"]]))
    result.created.extend(hub_demo_load(lead=lead, manager=users["manager@northfield.example"]))
    result.created.extend(wish_list_demo_load(users=users, organisations=organisations, version=version))
    # Some rows above are written with QuerySet.update(), which model signals do not see.
    figures_changed(northfield.pk)
    if spend:
        payments = spend_demo_load(organisation=northfield, actor=lead)
        if payments:
            result.created.append(f"spend file of {payments} payments")
    result.created.extend(
        network_demo_load(
            network=organisations["northfield-anchors"],
            coordinator=users["coordinator@anchors.example"],
            leads={
                "northfield": lead,
                "northfield-nhs": users["lead@northfieldnhs.example"],
                "northfield-university": users["lead@northfield-university.example"],
            },
        )
    )
    return result


def reporting_rows_orm_load(
    data: dict[str, Any],
    *,
    organisations: dict[str, Organisation],
    version: FrameworkVersion,
    result: DemoLoadResult,
) -> dict[tuple[str, str], Department]:
    """Departments (and the demo procurements' departments), financial years and budget lines, written
    with the ORM because the reporting app has no services for them yet: switch each to its service
    (`reporting.services_budget`) when it exists. Creates only what is missing; changes nothing that
    exists (a year's value set, a line's target, a procurement that has a department). Returns the
    departments by (organisation slug, name)."""
    departments: dict[tuple[str, str], Department] = {}
    for slug, names in data.get("departments", {}).items():
        for name in names:
            department, created = Department.objects.get_or_create(organisation=organisations[slug], name=name)
            departments[(slug, name)] = department
            if created:
                result.created.append(f"department {slug}: {name}")
    northfield = organisations["northfield"]
    for reference, name in data.get("procurement_departments", {}).items():
        if Procurement.objects.filter(organisation=northfield, reference=reference, department__isnull=True).update(
            department=departments[("northfield", name)]
        ):
            result.created.append(f"department of procurement {reference}")
    years: dict[tuple[str, int], FinancialYear] = {}
    for item in data.get("financial_years", []):
        organisation = organisations[item["organisation"]]
        year, created = FinancialYear.objects.get_or_create(
            organisation=organisation,
            start_year=item["start_year"],
            defaults={"value_set": ValueSet.objects.get(organisation=organisation, code=item["value_set"])},
        )
        years[(organisation.slug, year.start_year)] = year
        if created:
            result.created.append(f"financial year {year.label}")
    measures = {measure.code: measure for measure in Measure.objects.filter(version=version)}
    for item in data.get("budget_lines", []):
        year = years[("northfield", item["year"])]
        target: dict[str, Any] = (
            {
                "target_amount": Decimal(item["amount"]),
                "amount_basis": item["basis"],
                "value_set": ValueSet.objects.get(organisation=northfield, code=item["value_set"]),
            }
            if "amount" in item
            else {"target_quantity": Decimal(item["quantity"])}
        )
        line, created = BudgetLine.objects.get_or_create(
            year=year,
            department=departments[("northfield", item["department"])],
            measure__code=item["measure"],
            defaults={
                "organisation": northfield,
                "measure": measures[item["measure"]],
                "note": item.get("note", ""),
                **target,
            },
        )
        if created:
            result.created.append(f"budget line {year.label} {item['department']}: {item['measure']}")
    return departments


REPORT_YEAR = 2025
REPORT_SECTIONS = (
    (
        "What we set out to do",
        "In 2025/26 each of our departments set a social value budget beside its financial budget: what it "
        "planned to achieve for Northfield through the contracts it let. This report sets what was delivered "
        "against that plan.",
    ),
    (
        "Our CCTV network and control room",
        "Pennine Vision Systems, a small firm from the region, upgraded the borough's CCTV network. Beside the "
        "work itself it spent £10,000 with local firms, created two full-time posts for local people and gave "
        "39 weeks of apprenticeships. Every figure was checked against evidence before it was counted.",
    ),
)


def impact_report_load(*, lead: User, signer: User) -> list[str]:
    """The demo council's 2025/26 impact report, written by the lead, signed off by a councillor (a viewer)
    and published, through the reporting services. Nothing when it exists already."""
    year = FinancialYear.objects.filter(organisation__slug="northfield", start_year=REPORT_YEAR).first()
    if year is None or ImpactReport.objects.filter(year=year).exists():
        return []
    member = member_access(user=lead, slug="northfield")
    report = services_report.report_create(
        actor=lead,
        member=member,
        year=year,
        title=f"Social value impact report {year.label}",
        summary="What Northfield Borough Council's spending achieved for the borough in 2025/26, beyond the "
        "work it paid for.",
    )
    for heading, body in REPORT_SECTIONS:
        services_report.section_add(actor=lead, member=member, report=report, heading=heading, body=body)
    services_report.report_submit(actor=lead, member=member, report=report)
    services_report.report_sign_off(actor=signer, member=member_access(user=signer, slug="northfield"), report=report)
    services_report.report_publish(actor=lead, member=member, report=report)
    return [f"published impact report {year.label}"]


HUB_PAGES = (
    (
        "guidance",
        "guidance-for-suppliers",
        "Guidance for suppliers",
        "How to make social value commitments in a Northfield tender, and how to report what you deliver.",
        "## Before you bid\n\nRead our **plan on a page**: it says which outcomes matter most to Northfield and "
        "how much social value we ask for, by the size of the contract.\n\n## In your bid\n\n"
        "- Promise quantities you can deliver, in the units we measure\n- Say where and for whom\n"
        "- Do not count work the contract already pays for\n\n## After the award\n\nReport each quarter "
        "with evidence. We count only what our contract managers have checked.",
    ),
    (
        "policy",
        "social-value-policy",
        "Our social value policy",
        "Why Northfield Borough Council asks for social value, and the rules it follows when it counts it.",
        "We spend about £200 million a year with firms and charities. We want that money to do more for "
        "Northfield: local jobs, local spending and help for community groups.\n\nWe show what was claimed "
        "and what was checked apart, and we never add local spending to other social value.",
    ),
)


DEMO_CONSULTATION_WARDS = {  # ward: responses choosing each option, in the order of DEMO_OPTIONS
    "E05015239": (14, 12, 3),  # Altrincham
    "E05015240": (11, 10, 12),  # Ashton upon Mersey
    "E05015241": (4, 10, 11),  # Bowdon
    "E05015242": (15, 13, 10),  # Broadheath
}
DEMO_OPTIONS = (
    ("Apprenticeships for young people", "JOBS.1.2", "40000", "Ask builders to take on apprentices from the borough."),
    ("Help for community groups", "COMM.1.1", "15000", "Ask suppliers' staff to volunteer with local groups."),
    ("Buying from local firms", "ECON.1.1", "25000", "Ask suppliers to buy materials and services nearby."),
)


def panel_demo_load(*, lead: User, version: FrameworkVersion, attending: list[Organisation]) -> list[str]:
    """A VCSE forum with one meeting and two needs raised at it, one of them passed on. Nothing when the
    council has a panel already."""
    member = member_access(user=lead, slug="northfield")
    if Panel.objects.filter(organisation=member.organisation).exists():
        return []
    panel = services_panels.panel_create(
        actor=lead,
        member=member,
        name="Northfield VCSE Forum",
        kind="vcse_forum",
        purpose="Voluntary and community groups tell the council what they need from its contracts.",
    )
    meeting = services_panels.meeting_record(
        actor=lead,
        member=member,
        panel=panel,
        held_on=date(2026, 2, 3),
        place="Northfield Town Hall",
        notes="Winter pressures on food and warm spaces; young people's routes into work.",
        attending=attending,
        other_attendees="Northfield Food Network\nBowdon Youth Club",
    )
    services_panels.need_record(
        actor=lead,
        member=member,
        meeting=meeting,
        description="A van one day a week to collect surplus food",
        kind="materials",
        raised_by=attending[0],
        outcomes=[],
        place_code="E05015239",
    )
    passed_on = services_panels.need_record(
        actor=lead,
        member=member,
        meeting=meeting,
        description="Work placements for young people leaving care",
        kind="jobs",
        raised_by=None,
        outcomes=[Measure.objects.get(version=version, code="JOBS.1.2").outcome],
        place_code="",
    )
    services_panels.need_state_set(
        actor=lead,
        member=member,
        need=passed_on,
        state="passed_on",
        note="Passed on to Brightside Construction, who take on apprentices.",
    )
    return ["panel with a meeting and two needs"]


def consultation_demo_load(*, lead: User, version: FrameworkVersion) -> list[str]:
    """A closed consultation with results and "you said, we did": paper responses from four wards (one
    ward's small count shows the suppression). Nothing when the council has a consultation already."""
    member = member_access(user=lead, slug="northfield")
    if Consultation.objects.filter(organisation=member.organisation).exists():
        return []
    consultation = services_consultations.consultation_create(
        actor=lead,
        member=member,
        title="What should our contracts do for the town centre?",
        summary="We are about to let three big contracts for the town centre. We can ask the firms that win "
        "them to do more for the area. Tell us which of these matters most to you.",
        place_codes=list(DEMO_CONSULTATION_WARDS),
        opens_on=date(2026, 1, 5),
        closes_on=date(2026, 2, 15),
    )
    options = [
        services_consultations.option_add(
            actor=lead,
            member=member,
            consultation=consultation,
            title=title,
            description=description,
            cost=Decimal(cost),
            outcome=Measure.objects.get(version=version, code=code).outcome,
        )
        for title, code, cost, description in DEMO_OPTIONS
    ]
    services_consultations.consultation_open(actor=lead, member=member, consultation=consultation)
    for ward, counts in DEMO_CONSULTATION_WARDS.items():
        for option, count in zip(options, counts, strict=True):
            for number in range(count):
                services_consultations.response_enter_paper(
                    actor=lead,
                    member=member,
                    consultation=consultation,
                    options=[option],
                    place_code=ward,
                    comment="",
                    received_on=date(2026, 1, 5 + number % 28),
                    demographics={},
                    demographics_consent=False,
                )
    services_consultations.you_said_we_did_write(
        actor=lead,
        member=member,
        consultation=consultation,
        text="You said apprenticeships for young people mattered most, with help for community groups close "
        "behind.\nWe now ask every town centre contract over £1 million for apprenticeships, and we give more "
        "marks to bids that offer staff time to community groups.",
    )
    # The weight on the outcome residents chose first now cites the consultation, so the plan says so.
    cited = Measure.objects.get(version=version, code=DEMO_OPTIONS[0][1]).outcome.code
    priorities = OutcomePriority.objects.filter(organisation=member.organisation, framework=version.framework)
    if priorities.filter(outcome_code=cited).exists():
        outcome_priorities_set(
            actor=lead,
            member=member,
            framework=version.framework,
            weights={
                priority.outcome_code: WeightInput(
                    weight=priority.weight,
                    reason=priority.reason,
                    consultation_id=consultation.pk if priority.outcome_code == cited else priority.consultation_id,
                )
                for priority in priorities
            },
        )
    return ["closed consultation with results"]


def hub_demo_load(*, lead: User, manager: User) -> list[str]:
    """The demo council's public hub: two pages, the CCTV contract's two stories with the supplier's
    consent, its confirmed performance rating, published. Nothing when the hub is published already."""
    if Publication.objects.filter(organisation__slug="northfield").exists():
        return []
    member = member_access(user=lead, slug="northfield")
    for kind, slug, title, summary, body in HUB_PAGES:
        services_public.page_save(
            actor=lead, member=member, kind=kind, slug=slug, title=title, summary=summary, body=body, ready=True
        )
    for case in CaseStudy.objects.filter(organisation=member.organisation).order_by("pk"):
        services_public.story_create(
            actor=lead,
            member=member,
            case_study=case,
            supplier_consent_given_by="Director, Pennine Vision Systems Ltd",
            supplier_consent_date=case.consent_date,
        )
    agreement = Agreement.objects.filter(organisation=member.organisation, reference="NBC-2025-118").first()
    if agreement is not None and not agreement.assessments.exists():
        manager_member = member_access(user=manager, slug="northfield")
        proposal = rating_proposal(member=manager_member, agreement=agreement, today=agreement.end_date)
        assessment_confirm(
            actor=manager,
            member=manager_member,
            agreement=agreement,
            rating=proposal.rating,
            reason="",
            today=agreement.end_date,
        )
    services_public.hub_publish(actor=lead, member=member, note="The first public hub")
    return ["published the public hub"]


def _london(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _return_backdate(delivery_return: DeliveryReturn, *, submitted_on: date, reviewed_on: date | None) -> None:
    """Move the moments a demo return records back to the days the demo file gives (see the module's
    docstring): submitted at 10am, reviewed at 3pm."""
    submitted, reviewed = _london(submitted_on, 10), _london(reviewed_on or submitted_on, 15)
    DeliveryReturn.objects.filter(pk=delivery_return.pk).update(
        submitted_at=submitted, created_at=submitted, updated_at=submitted
    )
    delivery_return.evidence.update(created_at=submitted, updated_at=submitted)
    lines = ReturnLine.objects.filter(delivery_return=delivery_return)
    lines.filter(reviewed_at__isnull=True).update(created_at=submitted, updated_at=submitted)
    lines.filter(reviewed_at__isnull=False).update(created_at=submitted, updated_at=reviewed, reviewed_at=reviewed)
    ReturnLineEvent.objects.filter(line__delivery_return=delivery_return).update(created_at=reviewed)


def _agreement_load(
    item: dict[str, Any],
    *,
    buyer: Organisation,
    organisations: dict[str, Organisation],
    users: dict[str, User],
    department: Department | None,
) -> None:
    manager = users[item["contract_manager"]]
    version = framework_load(actor=manager, member=Member.system(buyer))
    manager_member = member_access(user=manager, slug=buyer.slug)
    agreement = agreement_create(
        actor=manager,
        member=manager_member,
        supplier=organisations[item["supplier"]],
        reference=item["reference"],
        title=item["title"],
        value=Decimal(item["value"]),
        start_date=item["start_date"],
        end_date=item["end_date"],
        framework_version=version,
        contract_manager=manager,
        department=department,
        value_set=ValueSet.objects.get(organisation=buyer, code=item["value_set"]) if item.get("value_set") else None,
    )
    commitments = {}
    for entry in item["commitments"]:
        measure = Measure.objects.get(version=version, code=entry["measure"])
        commitments[entry["measure"]] = commitment_create(
            actor=manager,
            member=manager_member,
            agreement=agreement,
            measure=measure,
            target_quantity=Decimal(entry["target"]),
            due_date=entry["due_date"],
            place_code=entry.get("place_code", ""),
            beneficiary_group=entry.get("beneficiary_group", ""),
        )
    for entry in item.get("returns", []):
        supplier_user = users[entry["submitted_by"]]
        delivery_return = return_submit(
            actor=supplier_user,
            member=member_access(user=supplier_user, slug=agreement.supplier.slug),
            agreement=agreement,
            quantities={commitments[code].pk: Decimal(line["quantity"]) for code, line in entry["lines"].items()},
            narrative=entry["narrative"],
            evidence=SimpleUploadedFile("site-report.pdf", DEMO_EVIDENCE, content_type="application/pdf"),
            period=agreement.periods.get(start_date=entry["period"]) if "period" in entry else None,
            case_studies=[
                CaseStudyInput(
                    title=case["title"],
                    story=case["story"].strip(),
                    consent_given_by=case["consent_given_by"],
                    consent_date=case["consent_date"],
                    commitment_id=commitments[case["measure"]].pk,
                )
                for case in entry.get("case_studies", [])
            ],
        )
        for line in delivery_return.lines.select_related("commitment__measure"):
            review = entry["lines"][line.commitment.measure.code]
            if review.get("review"):
                return_line_review(
                    actor=manager,
                    member=manager_member,
                    line=line,
                    decision=review["review"],
                    reason=review.get("reason", ""),
                )
        if "submitted_on" in entry:
            _return_backdate(delivery_return, submitted_on=entry["submitted_on"], reviewed_on=entry.get("reviewed_on"))
