"""A hand-computed year of delivery for the annual impact report's tests (2025/26: 1 April 2025 to
31 March 2026), valued with one value set.

Measures (one framework version): JOBS, people into work (count, additional social value), £1,000 a person
with 20% deadweight, so net £800; SPEND, local spend (£, local economic value), £1 a pound with 10%
deadweight, so net £0.90.

- HWY-1 (Highways, £200,000): JOBS target 12 due 31 January 2026 (10 claimed and verified); SPEND target
  50,000 due 31 March 2026 (30,000 claimed, not yet verified).
- HSG-1 (Housing, £100,000): JOBS target 8 due 30 September 2025 (6 claimed and verified; a further 2
  rejected); JOBS target 5 due 28 February 2025, last year (5 verified, submitted 1 March 2025).

So, for 2025/26:

| | committed | claimed | verified |
|---|---|---|---|
| JOBS (people) | 20 | 16 | 16 |
| SPEND (£) | 50,000 | 30,000 | 0 |
| Additional social value gross / net | £20,000 / £16,000 | £16,000 / £12,800 | £16,000 / £12,800 |
| Local economic value gross / net | £50,000 / £45,000 | £30,000 / £27,000 | £0 / £0 |

By department, verified additional social value: Highways £10,000 gross, £8,000 net; Housing £6,000 gross,
£4,800 net. Last year (2024/25): 5 people verified, £5,000 gross, £4,000 net (all Housing).
Budget line: Highways JOBS target 15: verified 10, variance −5, 66.7% verified.
Shares (commitments whenever due): HWY-1 claimed local economic value £30,000 gross of £200,000 = 15%,
£27,000 net = 13.5%; HSG-1 claimed additional social value £11,000 gross of £100,000 = 11%.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from commonweal.accounts.models import User
from commonweal.delivery.models import (
    Agreement,
    CaseStudy,
    Commitment,
    DeliveryReturn,
    LineStatus,
    ReturnLine,
    ReturnState,
)
from commonweal.frameworks.models import UnitKind, ValueSet, ValueType
from commonweal.reporting.models import BudgetLine, FinancialYear
from commonweal.tenancy.models import Department, Organisation, Role
from commonweal.tenancy.selectors import Member, member_access

from . import factories


@dataclass
class Year:
    buyer: Organisation
    supplier: Organisation
    lead: User
    second_lead: User
    viewer: User
    contract_manager: User
    supplier_user: User
    year: FinancialYear
    value_set: ValueSet
    highways: Agreement
    housing: Agreement
    spend_line: ReturnLine  # claimed, not yet verified
    case_study: CaseStudy
    unconsented_case_study: CaseStudy

    def member(self, user: User) -> Member:
        return member_access(user=user, slug=self.buyer.slug)


def _return(
    agreement: Agreement, supplier_user: User, when: datetime, lines: list[tuple[Commitment, str, str]]
) -> DeliveryReturn:
    delivery_return = DeliveryReturn.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        state=ReturnState.SUBMITTED,
        submitted_by=supplier_user,
        submitted_at=when,
        narrative="Delivered as planned.",
    )
    for commitment, quantity, status in lines:
        ReturnLine.objects.create(
            organisation=agreement.organisation,
            delivery_return=delivery_return,
            commitment=commitment,
            quantity=Decimal(quantity),
            status=status,
            reason="Not evidenced" if status == LineStatus.REJECTED else "",
        )
    return delivery_return


def year_build(slug: str = "handshire") -> Year:
    buyer = factories.OrganisationFactory.create(name="Handshire Council", slug=slug)
    supplier = factories.SupplierFactory.create(name="Roadworks Partnership Ltd", slug=f"{slug}-roadworks")
    lead = factories.member_user(buyer, Role.SOCIAL_VALUE_LEAD)
    second_lead = factories.member_user(buyer, Role.SOCIAL_VALUE_LEAD)
    viewer = factories.member_user(buyer, Role.VIEWER)
    contract_manager = factories.member_user(buyer, Role.CONTRACT_MANAGER)
    supplier_user = factories.member_user(supplier, Role.SUPPLIER_CONTACT)
    highways_department = Department.objects.create(organisation=buyer, name="Highways")
    housing_department = Department.objects.create(organisation=buyer, name="Housing")
    version = factories.FrameworkVersionFactory.create(organisation=buyer)
    jobs = factories.MeasureFactory.create(
        version=version,
        code="JOBS",
        title="People into work",
        unit=UnitKind.COUNT,
        value_type=ValueType.ADDITIONAL_SOCIAL,
    )
    spend = factories.MeasureFactory.create(
        version=version, code="SPEND", title="Local spend", unit=UnitKind.GBP, value_type=ValueType.LOCAL_ECONOMIC
    )
    value_set = factories.ValueSetFactory.create(
        organisation=buyer, code="hand-values", title="Handshire values", source="Handshire research, 2024"
    )
    factories.ValueSetEntryFactory.create(
        value_set=value_set, measure_code="JOBS", value_per_unit=Decimal("1000"), deadweight=Decimal("0.2")
    )
    factories.ValueSetEntryFactory.create(
        value_set=value_set, measure_code="SPEND", value_per_unit=Decimal("1"), deadweight=Decimal("0.1")
    )
    year = FinancialYear.objects.create(organisation=buyer, start_year=2025, value_set=value_set)
    common = {"organisation": buyer, "supplier": supplier, "framework_version": version}
    highways = factories.AgreementFactory.create(
        **common,
        reference="HWY-1",
        title="Highways maintenance",
        value=Decimal("200000"),
        start_date=date(2025, 4, 1),
        end_date=date(2027, 3, 31),
        department=highways_department,
    )
    housing = factories.AgreementFactory.create(
        **common,
        reference="HSG-1",
        title="Housing repairs",
        value=Decimal("100000"),
        start_date=date(2024, 4, 1),
        end_date=date(2026, 3, 31),
        department=housing_department,
    )
    highways_jobs = factories.CommitmentFactory.create(
        agreement=highways, measure=jobs, target_quantity=Decimal("12"), due_date=date(2026, 1, 31)
    )
    highways_spend = factories.CommitmentFactory.create(
        agreement=highways, measure=spend, target_quantity=Decimal("50000"), due_date=date(2026, 3, 31)
    )
    housing_jobs = factories.CommitmentFactory.create(
        agreement=housing, measure=jobs, target_quantity=Decimal("8"), due_date=date(2025, 9, 30)
    )
    housing_last_year = factories.CommitmentFactory.create(
        agreement=housing, measure=jobs, target_quantity=Decimal("5"), due_date=date(2025, 2, 28)
    )
    october = datetime(2025, 10, 15, 12, tzinfo=UTC)
    first = _return(
        highways,
        supplier_user,
        october,
        [(highways_jobs, "10", LineStatus.VERIFIED), (highways_spend, "30000", LineStatus.PENDING)],
    )
    housing_return = _return(housing, supplier_user, october, [(housing_jobs, "6", LineStatus.VERIFIED)])
    _return(housing, supplier_user, datetime(2025, 11, 20, 12, tzinfo=UTC), [(housing_jobs, "2", LineStatus.REJECTED)])
    _return(
        housing, supplier_user, datetime(2025, 3, 1, 12, tzinfo=UTC), [(housing_last_year, "5", LineStatus.VERIFIED)]
    )
    BudgetLine.objects.create(
        organisation=buyer, year=year, department=highways_department, measure=jobs, target_quantity=Decimal("15")
    )
    case_study = CaseStudy.objects.create(
        organisation=buyer,
        delivery_return=housing_return,
        commitment=housing_jobs,
        title="Amira's first job in twenty years",
        story="Amira joined the repairs team in October.\n\nShe now trains others.",
        consent_given_by="Amira",
        consent_date=date(2025, 11, 1),
    )
    unconsented = CaseStudy.objects.create(
        organisation=buyer,
        delivery_return=first,
        commitment=highways_jobs,
        title="A story nobody agreed to publish",
        story="Not to be published.",
        consent_given_by="",
        consent_date=date(2025, 11, 1),
    )
    spend_line = first.lines.get(commitment=highways_spend)
    return Year(
        buyer=buyer,
        supplier=supplier,
        lead=lead,
        second_lead=second_lead,
        viewer=viewer,
        contract_manager=contract_manager,
        supplier_user=supplier_user,
        year=year,
        value_set=value_set,
        highways=highways,
        housing=housing,
        spend_line=spend_line,
        case_study=case_study,
        unconsented_case_study=unconsented,
    )
