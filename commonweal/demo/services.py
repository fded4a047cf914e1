"""Loading the demo data: organisations, people, a framework, agreements, a reviewed return, procurements
and spend."""

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from commonweal.accounts.models import User
from commonweal.accounts.services import user_create
from commonweal.delivery.models import Agreement
from commonweal.delivery.services_agreements import agreement_create, commitment_create
from commonweal.delivery.services_returns import return_line_review, return_submit
from commonweal.frameworks.models import Measure
from commonweal.frameworks.services_interchange import framework_load
from commonweal.frameworks.services_priorities import demo_priorities_load
from commonweal.procurement.demo import PEOPLE, procurement_demo_load
from commonweal.spend.demo import spend_demo_load
from commonweal.tenancy.models import Organisation
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

    for item in data["agreements"]:
        buyer = organisations[item["buyer"]]
        if Agreement.objects.filter(organisation=buyer, reference=item["reference"]).exists():
            continue
        _agreement_load(item, buyer=buyer, organisations=organisations, users=users)
        result.created.append(f"agreement {item['reference']}")
    result.created.extend(
        demo_priorities_load(actor=users["lead@northfield.example"], member=Member.system(organisations["northfield"]))
    )
    if procurement:
        lead = users["lead@northfield.example"]
        result.created.extend(
            procurement_demo_load(
                buyer=organisations["northfield"],
                version=framework_load(actor=lead, member=Member.system(organisations["northfield"])),
                lead=lead,
                password=DEMO_PASSWORD,
            )
        )
        result.accounts.extend((p.email, Organisation.objects.get(slug=p.organisation).name, p.role) for p in PEOPLE)
    if spend:
        payments = spend_demo_load(organisation=organisations["northfield"], actor=users["lead@northfield.example"])
        if payments:
            result.created.append(f"spend file of {payments} payments")
    return result


def _agreement_load(
    item: dict[str, Any],
    *,
    buyer: Organisation,
    organisations: dict[str, Organisation],
    users: dict[str, User],
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
