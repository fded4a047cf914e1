"""Two quarterly delivery cycles on one agreement, shared by the browser test and the API test: the people
and organisations (made through services), the agreement's dates relative to today, what each party enters,
and the totals expected after each step, worked out by hand below (not by the code under test)."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from commonweal.accounts.models import User
from commonweal.accounts.services import user_create
from commonweal.delivery.models import Agreement, ReportingPeriod
from commonweal.frameworks.models import FrameworkVersion, ValueSet
from commonweal.frameworks.services_interchange import framework_load
from commonweal.frameworks.services_value_sets import value_set_create, value_set_entry_set
from commonweal.tenancy.models import Organisation, OrganisationKind, Role
from commonweal.tenancy.selectors import member_access
from commonweal.tenancy.services import membership_grant, organisation_create

PASSWORD = "quarterly-cycles-2026"
BUYER = "eastbrook"
BUYER_NAME = "Eastbrook District Council"
SUPPLIER = "harbour-build"
SUPPLIER_NAME = "Harbour Build Ltd"
LEAD_EMAIL = "lead@eastbrook.example"
MANAGER_EMAIL = "manager@eastbrook.example"
MANAGER_NAME = "Ruth Adeyemi"
SUPPLIER_EMAIL = "returns@harbour-build.example"
SUPPLIER_PERSON = "Dev Patel"

REFERENCE = "EDC-2026-031"
TITLE = "Harbour Road depot rebuild"
VALUE = Decimal("1200000")
RETURN_DUE_DAYS = 31  # so that the first quarter's return is on time whatever day of the month the tests run
ESCALATION_DAYS = 10

# The measures of the starter framework the commitments use.
JOBS = "JOBS.1.1"  # full-time equivalents
WEEKS = "JOBS.1.2"  # apprenticeship weeks
HOURS = "COMM.1.1"  # volunteering hours: replaced by a substitution after quarter 1
PLACEMENTS = "JOBS.2.1"  # work experience placements: the replacement
TITLES = {
    JOBS: "Local people employed on the contract",
    WEEKS: "Apprenticeship weeks completed",
    HOURS: "Volunteering hours for community organisations",
    PLACEMENTS: "Work experience placements",
}
UNITS = {JOBS: "full-time equivalents", WEEKS: "weeks", HOURS: "hours", PLACEMENTS: "number"}
TARGETS = {JOBS: Decimal("6"), WEEKS: Decimal("104"), HOURS: Decimal("200")}
OFFERED_PLACEMENTS = Decimal("3")

# The value set: £ per unit, and the share kept after deadweight, attribution and displacement.
#   JOBS.1.1 £20,000 less 20% deadweight → £16,000 net; JOBS.1.2 £300 less 10% attribution → £270 net;
#   COMM.1.1 £15 (no adjustment); JOBS.2.1 £1,000 less 20% deadweight → £800 net. Local people employed
#   (JOBS.1.1) is local economic value in the starter framework; the others are additional social value.
VALUES = {  # £ per unit, deadweight, attribution
    JOBS: (Decimal("20000"), Decimal("0.2"), Decimal("0")),
    WEEKS: (Decimal("300"), Decimal("0"), Decimal("0.1")),
    HOURS: (Decimal("15"), Decimal("0"), Decimal("0")),
    PLACEMENTS: (Decimal("1000"), Decimal("0.2"), Decimal("0")),
}
VALUE_SET_TITLE = "Eastbrook social values"

# What the supplier reports and the manager decides.
Q1_NARRATIVE = "September to November: two local joiners hired; an apprentice started; staff volunteered."
Q1_DRAFT = {JOBS: "2", WEEKS: "20"}
Q1_SUBMITTED = {JOBS: "2", WEEKS: "26", HOURS: "40"}
Q1_REFERENCES = {
    JOBS: ("PAY-0001", "EMP-17"),
    WEEKS: ("TS-Q1-APP", "APP-03"),
    HOURS: ("VOL-0001", ""),
}
REJECT_REASON = "No timesheets are attached for the apprentice weeks: send them with the next return."
QUERY = "Which organisations were helped, and on which days?"
ANSWER = "Eastbrook Food Bank and the Riverside Community Trust; four of the forty hours were training, now removed."
ANSWERED_HOURS = "36"
SUBSTITUTION_REASON = "The staff volunteering scheme has closed; placements for local school leavers replace it."
Q2_NARRATIVE = "December to February: one more local hire, thirty apprentice weeks and a first placement."
Q2_SUBMITTED = {JOBS: "1.5", WEEKS: "30", PLACEMENTS: "1"}
Q2_REFERENCES = {
    JOBS: ("PAY-0002", "EMP-21"),
    WEEKS: ("TS-Q2-APP", "APP-03"),  # the same apprentice: weeks accrue, so the beneficiary may be claimed again
    PLACEMENTS: ("WEX-0001", "WEX-P1"),
}
DOUBLE_CLAIM = "PAY-0001"  # quarter 1's payroll reference, typed by mistake on quarter 2's weeks line
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def double_claim_message(q1_label: str) -> str:
    # Line 1 of quarter 1's return is the jobs line: lines are in commitment order (same due date, then id).
    return f"Evidence reference {DOUBLE_CLAIM} is already claimed on {REFERENCE}, {q1_label}, line 1"


# --- Dates -----------------------------------------------------------------------------------------


def _month_start(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Dates:
    """The agreement starts on the first day of the month three months ago, so its first quarter has ended
    and its second has started; it runs for two years, the commitments due on its last day."""

    start: date
    end: date

    @property
    def q1_end(self) -> date:
        return _month_start(self.start, 3) - timedelta(days=1)

    @property
    def q3_due(self) -> date:
        q3_end = _month_start(self.start, 9) - timedelta(days=1)
        return q3_end + timedelta(days=RETURN_DUE_DAYS)


def dates_for(today: date) -> Dates:
    start = _month_start(today, -3)
    end = date(start.year + 2, start.month, 1) - timedelta(days=1)
    assert calendar.monthrange(end.year, end.month)[1] == end.day
    return Dates(start=start, end=end)


def periods_of(agreement: Agreement) -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.filter(agreement=agreement).order_by("start_date"))


# --- The organisations and people ------------------------------------------------------------------


@dataclass
class World:
    buyer: Organisation
    supplier: Organisation
    lead: User
    manager: User
    supplier_user: User
    version: FrameworkVersion
    value_set: ValueSet


def world_make() -> World:
    """A council with a social value lead and a contract manager, a supplier with one contact, the starter
    framework and a value set: everything made through the services, nothing shared with the demo data."""
    buyer = organisation_create(actor=None, name=BUYER_NAME, slug=BUYER, kind=OrganisationKind.PUBLIC_BODY)
    supplier = organisation_create(actor=None, name=SUPPLIER_NAME, slug=SUPPLIER, kind=OrganisationKind.SUPPLIER)
    lead = user_create(email=LEAD_EMAIL, full_name="Amira Hassan", password=PASSWORD)
    manager = user_create(email=MANAGER_EMAIL, full_name=MANAGER_NAME, password=PASSWORD)
    supplier_user = user_create(email=SUPPLIER_EMAIL, full_name=SUPPLIER_PERSON, password=PASSWORD)
    membership_grant(actor=None, organisation=buyer, user=lead, role=Role.SOCIAL_VALUE_LEAD)
    membership_grant(actor=None, organisation=buyer, user=manager, role=Role.CONTRACT_MANAGER)
    membership_grant(actor=None, organisation=supplier, user=supplier_user, role=Role.SUPPLIER_CONTACT)
    lead_member = member_access(user=lead, slug=BUYER)
    version = framework_load(actor=lead, member=lead_member)
    value_set = value_set_create(
        actor=lead,
        member=lead_member,
        code="eastbrook-values",
        title=VALUE_SET_TITLE,
        source="Eastbrook social value team, from published proxies",
        licence="Open Government Licence v3.0",
        base_year=2024,
        valid_from=date(2024, 4, 1),
    )
    for code, (value_per_unit, deadweight, attribution) in VALUES.items():
        value_set_entry_set(
            actor=lead,
            member=lead_member,
            value_set=value_set,
            measure_code=code,
            value_per_unit=value_per_unit,
            deadweight=deadweight,
            attribution=attribution,
            source="Eastbrook proxy table",
            base_year=2024,
        )
    return World(buyer, supplier, lead, manager, supplier_user, version, value_set)


# --- What every total should be after each step, by hand -------------------------------------------


@dataclass(frozen=True)
class Expected:
    """Per measure code: (claimed, evidenced, verified) and the target in force; money equivalents, (gross,
    net), for each state: of additional social value, and of local economic value (the jobs only)."""

    quantities: dict[str, tuple[str, str, str]]
    in_force: dict[str, str]
    committed: tuple[str, str]
    claimed: tuple[str, str]
    verified: tuple[str, str]
    local_claimed: tuple[str, str]
    local_verified: tuple[str, str]
    local_committed: tuple[str, str] = ("120000.00", "96000.00")  # 6 jobs × £20,000, net × 0.8


BEFORE_SUBSTITUTION = {JOBS: "6", WEEKS: "104", HOURS: "200"}
AFTER_SUBSTITUTION = {JOBS: "6", WEEKS: "104", HOURS: "36", PLACEMENTS: "3"}
# Committed: 6 × £20,000 = £120,000 (net £96,000) of local economic value; of additional social value
# 104 × £300 = £31,200 (net £28,080) + 200 × £15 = £3,000.
COMMITTED_BEFORE = ("34200.00", "31080.00")
# After the substitution the hours commitment keeps what was verified (36 × £15 = £540) and 3 placements
# are added (£3,000, net £2,400): £31,200 + £540 + £3,000 gross; £28,080 + £540 + £2,400 net.
COMMITTED_AFTER = ("34740.00", "31020.00")
TWO_JOBS = ("40000.00", "32000.00")  # local economic value of 2 jobs: × £20,000, net × £16,000
JOBS_3_5 = ("70000.00", "56000.00")
NOTHING = ("0.00", "0.00")

STEPS: dict[str, Expected] = {
    # Commitments made; a draft saved: a draft is not a claim.
    "start": Expected(
        {JOBS: ("0", "0", "0"), WEEKS: ("0", "0", "0"), HOURS: ("0", "0", "0")},
        BEFORE_SUBSTITUTION,
        COMMITTED_BEFORE,
        NOTHING,
        NOTHING,
        NOTHING,
        NOTHING,
    ),
    # Quarter 1 submitted: the payroll file supports the jobs line, the volunteer log the hours line; the weeks
    # line has no file, so it is claimed but not evidenced. Claimed £: 2 × £20,000 = £40,000 (net £32,000)
    # local economic value; 26 × £300 + 40 × £15 = £8,400 gross, £7,020 + £600 = £7,620 net additional.
    "q1 submitted": Expected(
        {JOBS: ("2", "2", "0"), WEEKS: ("26", "0", "0"), HOURS: ("40", "40", "0")},
        BEFORE_SUBSTITUTION,
        COMMITTED_BEFORE,
        ("8400.00", "7620.00"),
        NOTHING,
        TWO_JOBS,
        NOTHING,
    ),
    # Jobs verified, weeks rejected (no longer claimed), hours queried (still claimed).
    "q1 reviewed": Expected(
        {JOBS: ("2", "2", "2"), WEEKS: ("0", "0", "0"), HOURS: ("40", "40", "0")},
        BEFORE_SUBSTITUTION,
        COMMITTED_BEFORE,
        ("600.00", "600.00"),
        NOTHING,
        TWO_JOBS,
        TWO_JOBS,
    ),
    # The supplier answers the query, revising 40 hours to 36: claimed £540 (and the jobs' £40,000).
    "q1 answered": Expected(
        {JOBS: ("2", "2", "2"), WEEKS: ("0", "0", "0"), HOURS: ("36", "36", "0")},
        BEFORE_SUBSTITUTION,
        COMMITTED_BEFORE,
        ("540.00", "540.00"),
        NOTHING,
        TWO_JOBS,
        TWO_JOBS,
    ),
    "q1 verified": Expected(
        {JOBS: ("2", "2", "2"), WEEKS: ("0", "0", "0"), HOURS: ("36", "36", "36")},
        BEFORE_SUBSTITUTION,
        COMMITTED_BEFORE,
        ("540.00", "540.00"),
        ("540.00", "540.00"),
        TWO_JOBS,
        TWO_JOBS,
    ),
    # The hours commitment is replaced by 3 placements: what was verified stays counted.
    "substituted": Expected(
        {JOBS: ("2", "2", "2"), WEEKS: ("0", "0", "0"), HOURS: ("36", "36", "36"), PLACEMENTS: ("0", "0", "0")},
        AFTER_SUBSTITUTION,
        COMMITTED_AFTER,
        ("540.00", "540.00"),
        ("540.00", "540.00"),
        TWO_JOBS,
        TWO_JOBS,
    ),
    # Quarter 2: the timesheets file supports jobs and weeks; the placement has no file yet. Claimed £:
    # 3.5 × £20,000 = £70,000 (net £56,000) local economic value; 30 × £300 + 36 × £15 + 1 × £1,000 = £10,540,
    # net £8,100 + £540 + £800 = £9,440 additional social value.
    "q2 submitted": Expected(
        {
            JOBS: ("3.5", "3.5", "2"),
            WEEKS: ("30", "30", "0"),
            HOURS: ("36", "36", "36"),
            PLACEMENTS: ("1", "0", "0"),
        },
        AFTER_SUBSTITUTION,
        COMMITTED_AFTER,
        ("10540.00", "9440.00"),
        ("540.00", "540.00"),
        JOBS_3_5,
        TWO_JOBS,
    ),
    # Jobs and weeks verified; the placement waits for its signed record. Verified £: £70,000 (net £56,000)
    # local economic value; £9,000 + £540 = £9,540, net £8,100 + £540 = £8,640 additional social value.
    "q2 reviewed": Expected(
        {
            JOBS: ("3.5", "3.5", "3.5"),
            WEEKS: ("30", "30", "30"),
            HOURS: ("36", "36", "36"),
            PLACEMENTS: ("1", "0", "0"),
        },
        AFTER_SUBSTITUTION,
        COMMITTED_AFTER,
        ("10540.00", "9440.00"),
        ("9540.00", "8640.00"),
        JOBS_3_5,
        JOBS_3_5,
    ),
}
# % delivered at the end (verified ÷ target in force, 1 place): 3.5/6, 30/104, 36/36, 0/3.
FINAL_PERCENT = {JOBS: "58.3", WEEKS: "28.8", HOURS: "100.0", PLACEMENTS: "0.0"}
# The substitution: 200 − 36 = 164 hours left, × £15 = £2,460 given up; 3 placements × £800 = £2,400 offered,
# 60 ÷ 2,460 = 2.4% less: within ±5%.
GIVEN_UP_NET = "2460.00"
OFFERED_NET = "2400.00"
VERDICT = "Equal net value within ±5%: the offer is worth 2.4% less."
