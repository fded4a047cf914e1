"""Delivery returns through the services: periods, drafts, submission and locking, review and answers,
counting each reference once, the bulk CSV, and the claimed, evidenced and verified totals in each state."""

import datetime
import importlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery import selectors_returns, services_returns
from commonweal.delivery.models import (
    Agreement,
    CaseStudy,
    Commitment,
    CommitmentState,
    DeliveryReturn,
    Evidence,
    LineStatus,
    ReportingPeriod,
    ReturnFrequency,
    ReturnLine,
    ReturnLineEvent,
    ReturnState,
)
from commonweal.delivery.periods import period_plan
from commonweal.delivery.services_returns import BulkReturnError, CaseStudyInput, LineInput
from commonweal.frameworks.models import UnitKind
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member

from . import factories
from .conftest import Tenant
from .factories import evidence_file


def periods(tenant: Tenant, agreement: Agreement | None = None) -> list[ReportingPeriod]:
    """The agreement's periods, made as creating it through the service makes them (factories do not)."""
    agreement = agreement or tenant.agreement
    return services_returns.periods_ensure(
        actor=None, member=Member.system(agreement.organisation), agreement=agreement
    )


def save(
    tenant: Tenant,
    period: ReportingPeriod,
    lines: dict[Commitment, LineInput],
    *,
    narrative: str = "Placements this quarter",
    submit: bool = False,
    agreement: Agreement | None = None,
    **more: object,
) -> DeliveryReturn:
    return services_returns.return_save(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        agreement=agreement or tenant.agreement,
        period=period,
        lines={commitment.pk: line for commitment, line in lines.items()},
        narrative=narrative,
        submit=submit,
        **more,  # type: ignore[arg-type]
    )


def review(tenant: Tenant, line: ReturnLine, decision: str, reason: str = "") -> ReturnLine:
    return services_returns.return_line_review(
        actor=tenant.manager, member=tenant.manager_member(), line=line, decision=decision, reason=reason
    )


def answer(tenant: Tenant, line: ReturnLine, text: str, **changes: object) -> ReturnLine:
    return services_returns.return_line_answer(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        line=line,
        answer=text,
        **changes,  # type: ignore[arg-type]
    )


def totals(commitment: Commitment) -> tuple[Decimal, Decimal, Decimal]:
    """Claimed, evidenced and verified quantities of a commitment."""
    lines = ReturnLine.objects.filter(commitment=commitment)
    return (lines.claimed().total_quantity(), lines.evidenced().total_quantity(), lines.verified().total_quantity())


def q(value: str) -> LineInput:
    return LineInput(quantity=Decimal(value))


def second_agreement(tenant: Tenant, *, supplier=None, start: datetime.date | None = None) -> Agreement:
    """Another agreement of the tenant's buyer on the same framework version, with one commitment."""
    agreement = factories.AgreementFactory.create(
        organisation=tenant.buyer,
        supplier=supplier or tenant.supplier,
        framework_version=tenant.agreement.framework_version,
        start_date=start or datetime.date(2026, 1, 1),
    )
    factories.CommitmentFactory.create(agreement=agreement)
    return agreement


# --- Periods ---------------------------------------------------------------------------------------


def test_quarters_are_aligned_to_the_agreement_start_with_labels_and_due_dates(tenant_a):
    agreement = tenant_a.agreement
    agreement.start_date, agreement.end_date = datetime.date(2026, 4, 1), datetime.date(2027, 9, 30)
    agreement.save()
    made = periods(tenant_a)
    assert [(p.label, p.start_date, p.end_date, p.return_due_date) for p in made[:2]] == [
        (
            "Quarter 1 (April to June 2026)",
            datetime.date(2026, 4, 1),
            datetime.date(2026, 6, 30),
            datetime.date(2026, 7, 14),
        ),
        (
            "Quarter 2 (July to September 2026)",
            datetime.date(2026, 7, 1),
            datetime.date(2026, 9, 30),
            datetime.date(2026, 10, 14),
        ),
    ]
    assert [p.label for p in made[2:]] == [
        "Quarter 3 (October to December 2026)",
        "Quarter 4 (January to March 2027)",
        "Quarter 5 (April to June 2027)",
        "Quarter 6 (July to September 2027)",
    ]
    # Idempotent: running it again makes nothing new and changes nothing.
    again = periods(tenant_a)
    assert [(p.pk, p.label) for p in again] == [(p.pk, p.label) for p in made]


def test_the_migration_makes_periods_for_agreements_that_have_none(tenant_a, tenant_b):
    """Pages only read periods: agreements from before periods were made with them get them here."""
    migration = importlib.import_module("commonweal.delivery.migrations.0003_reporting_periods_for_every_agreement")
    kept = [(p.pk, p.label) for p in periods(tenant_b)]
    migration.periods_make(django_apps, None)
    made = ReportingPeriod.objects.filter(agreement=tenant_a.agreement).order_by("start_date")
    assert [(p.label, p.start_date, p.end_date, p.return_due_date) for p in made] == [
        (plan.label, plan.start_date, plan.end_date, plan.return_due_date) for plan in period_plan(tenant_a.agreement)
    ]
    assert made.first().organisation == tenant_a.buyer  # type: ignore[union-attr]
    assert [(p.pk, p.label) for p in ReportingPeriod.objects.filter(agreement=tenant_b.agreement)] == kept


def test_other_frequencies_and_a_last_period_cut_at_the_end_date(tenant_a):
    agreement = tenant_a.agreement
    agreement.start_date, agreement.end_date = datetime.date(2026, 1, 15), datetime.date(2026, 4, 30)
    agreement.return_frequency, agreement.return_due_days = ReturnFrequency.MONTHLY, 10
    labels = [(p.label, p.end_date, p.return_due_date) for p in period_plan(agreement)]
    assert labels == [
        ("Month 1 (15 January to 14 February 2026)", datetime.date(2026, 2, 14), datetime.date(2026, 2, 24)),
        ("Month 2 (15 February to 14 March 2026)", datetime.date(2026, 3, 14), datetime.date(2026, 3, 24)),
        ("Month 3 (15 March to 14 April 2026)", datetime.date(2026, 4, 14), datetime.date(2026, 4, 24)),
        ("Month 4 (15 to 30 April 2026)", datetime.date(2026, 4, 30), datetime.date(2026, 5, 10)),
    ]
    agreement.start_date, agreement.end_date = datetime.date(2025, 10, 1), datetime.date(2027, 3, 31)
    agreement.return_frequency = ReturnFrequency.ANNUAL
    assert [p.label for p in period_plan(agreement)] == [
        "Year 1 (October 2025 to September 2026)",
        "Year 2 (October 2026 to March 2027)",
    ]
    agreement.return_frequency = ReturnFrequency.HALF_YEARLY
    assert [p.label for p in period_plan(agreement)][:1] == ["Half-year 1 (October 2025 to March 2026)"]


# --- Drafts, submission, locking -------------------------------------------------------------------


def test_draft_edit_submit_then_locked(tenant_a):
    c1, c2, c3 = tenant_a.commitments
    q1 = periods(tenant_a)[0]
    draft = save(tenant_a, q1, {c1: q("4"), c2: q("2.5")}, narrative="")
    assert draft.state == ReturnState.DRAFT and draft.submitted_at is None
    # A draft is not a claim.
    assert totals(c1) == (Decimal("0"), Decimal("0"), Decimal("0"))

    edited = save(tenant_a, q1, {c1: q("5"), c2: LineInput(quantity=None), c3: q("1")}, narrative="Five hires")
    assert edited.pk == draft.pk  # one return per period
    assert sorted(edited.lines.values_list("commitment_id", "quantity")) == [
        (c1.pk, Decimal("5.00")),
        (c3.pk, Decimal("1.00")),
    ]

    submitted = services_returns.return_draft_submit(
        actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), delivery_return=edited
    )
    assert submitted.state == ReturnState.SUBMITTED and submitted.submitted_at is not None
    assert totals(c1) == (Decimal("5"), Decimal("0"), Decimal("0"))

    events = AuditEvent.objects.for_trail(tenant_a.agreement).order_by("pk")
    assert [e.action for e in events] == [
        AuditAction.RETURN_DRAFT_SAVED,
        AuditAction.RETURN_DRAFT_SAVED,
        AuditAction.RETURN_SUBMITTED,
    ]
    last = events.last()
    assert last is not None
    assert last.after["lines"] == {c1.measure.code: "5.00", c3.measure.code: "1.00"}

    audit_before = AuditEvent.objects.count()
    with pytest.raises(
        ApplicationError, match=r"The return for Quarter 1 \(January to March 2026\) was submitted on .* is locked"
    ):
        save(tenant_a, q1, {c1: q("50")}, narrative="Changed my mind")
    with pytest.raises(ApplicationError, match="is locked"):
        services_returns.return_draft_submit(
            actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), delivery_return=submitted
        )
    assert ReturnLine.objects.get(delivery_return=submitted, commitment=c1).quantity == Decimal("5.00")
    assert AuditEvent.objects.count() == audit_before


def test_a_draft_checks_types_only_and_a_submission_checks_everything(tenant_a):
    c1 = tenant_a.commitments[0]
    q1 = periods(tenant_a)[0]
    with pytest.raises(ApplicationError) as refused:
        save(tenant_a, q1, {c1: q("1.234")}, narrative="")
    assert refused.value.field_errors == {f"quantity_{c1.pk}": "Enter the quantity with no more than 2 decimal places"}
    assert not DeliveryReturn.objects.exists()

    draft = save(tenant_a, q1, {c1: q("3")}, narrative="")
    with pytest.raises(ApplicationError) as refused:
        services_returns.return_draft_submit(
            actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), delivery_return=draft
        )
    assert refused.value.field_errors == {"narrative": "Describe what was delivered in this period"}
    draft.refresh_from_db()
    assert draft.state == ReturnState.DRAFT

    empty = save(tenant_a, periods(tenant_a)[1], {}, narrative="Nothing yet")
    with pytest.raises(ApplicationError) as refused:
        services_returns.return_draft_submit(
            actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), delivery_return=empty
        )
    assert "Enter a quantity for at least one commitment" in refused.value.field_errors.values()


def test_a_period_that_has_not_started_cannot_be_submitted(tenant_a):
    c1 = tenant_a.commitments[0]
    future = [p for p in periods(tenant_a) if p.start_date > timezone.localdate()]
    assert future, "the factory agreement runs to the end of 2027"
    with pytest.raises(ApplicationError) as refused:
        save(tenant_a, future[0], {c1: q("1")}, submit=True)
    assert refused.value.field_errors == {"period": "You can report on a period once it has started"}
    assert not DeliveryReturn.objects.exists()


def test_submitting_after_the_due_date_is_allowed_but_marked_late(tenant_a):
    c1 = tenant_a.commitments[0]
    today = timezone.localdate()
    late_period = periods(tenant_a)[0]  # January to March 2026, due 14 April 2026
    assert late_period.return_due_date < today
    late = save(tenant_a, late_period, {c1: q("1")}, submit=True)
    assert selectors_returns.is_late(late) is True

    current = second_agreement(tenant_a, start=today - datetime.timedelta(days=10))
    period = periods(tenant_a, current)[0]
    on_time = save(tenant_a, period, {current.commitments.get(): q("1")}, submit=True, agreement=current)
    assert selectors_returns.is_late(on_time) is False
    rows = {
        row.period.pk: row.status
        for row in selectors_returns.period_rows(member=tenant_a.manager_member(), agreement=tenant_a.agreement)
    }
    assert rows[late_period.pk] == "Submitted late"
    assert rows[periods(tenant_a)[1].pk] == "Overdue"


def test_a_case_study_needs_consent_and_is_kept_with_it(tenant_a):
    c1 = tenant_a.commitments[0]
    q1 = periods(tenant_a)[0]
    no_consent = CaseStudyInput(title="Amira's story", story="She found work.", consent_given_by="", consent_date=None)
    with pytest.raises(ApplicationError) as refused:
        save(tenant_a, q1, {c1: q("1")}, case_studies=[no_consent])
    assert refused.value.field_errors == {
        "case_study_consent_given_by": "Enter who gave consent to publish the case study",
        "case_study_consent_date": "Enter the date consent was given",
    }
    assert not DeliveryReturn.objects.exists() and not CaseStudy.objects.exists()

    with_consent = CaseStudyInput(
        title="Amira's story",
        story="She found work.",
        consent_given_by="Amira",
        consent_date=datetime.date(2026, 3, 2),
        commitment_id=c1.pk,
    )
    draft = save(tenant_a, q1, {c1: q("1")}, case_studies=[with_consent])
    case = draft.case_studies.get()
    assert (case.title, case.consent_given_by, case.consent_date, case.commitment) == (
        "Amira's story",
        "Amira",
        datetime.date(2026, 3, 2),
        c1,
    )


def test_several_evidence_files_each_linked_to_chosen_lines(tenant_a):
    c1, c2, _ = tenant_a.commitments
    q1 = periods(tenant_a)[0]
    draft = save(
        tenant_a,
        q1,
        {c1: q("4"), c2: q("3")},
        evidence=[evidence_file("timesheets.pdf"), evidence_file("register.csv", b"name,weeks\nA,4\n")],
        evidence_lines=[c1.pk],
    )
    line1, line2 = draft.lines.get(commitment=c1), draft.lines.get(commitment=c2)
    assert sorted(line1.evidence.values_list("original_name", flat=True)) == ["register.csv", "timesheets.pdf"]
    assert not line2.evidence.exists()
    # Link one of the files to the second line too, and remove the other from the draft.
    timesheets = draft.evidence.get(original_name="timesheets.pdf")
    register = draft.evidence.get(original_name="register.csv")
    save(
        tenant_a,
        q1,
        {c1: q("4"), c2: q("3")},
        line_evidence={c1.pk: [timesheets.pk, register.pk], c2.pk: [timesheets.pk]},
        evidence_remove=[register.pk],
        submit=True,
    )
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["timesheets.pdf"]
    assert totals(c1) == (Decimal("4"), Decimal("4"), Decimal("0"))
    assert totals(c2) == (Decimal("3"), Decimal("3"), Decimal("0"))


def test_a_refused_submission_leaves_no_file_behind(tenant_a, settings):
    c1 = tenant_a.commitments[0]
    q1 = periods(tenant_a)[0]
    root = Path(settings.MEDIA_ROOT) / "evidence"

    def files() -> int:
        return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0

    before = files()
    with pytest.raises(ApplicationError):
        save(tenant_a, q1, {c1: q("1")}, narrative=" ", evidence=[evidence_file()], submit=True)
    assert not Evidence.objects.exists()
    assert files() == before


def test_only_active_commitments_take_new_claims(tenant_a):
    c1 = tenant_a.commitments[0]
    Commitment.objects.filter(pk=c1.pk).update(state=CommitmentState.SUBSTITUTED)
    with pytest.raises(ApplicationError) as refused:
        save(tenant_a, periods(tenant_a)[0], {c1: q("1")}, submit=True)
    assert refused.value.field_errors == {
        f"quantity_{c1.pk}": "This commitment has been replaced by a substitution and takes no new claims"
    }


# --- Review and answers, with the totals in every state -------------------------------------------


def test_query_answer_resubmit_verify_with_totals_in_each_state(tenant_a):
    c1, c2, _ = tenant_a.commitments
    submitted = save(
        tenant_a,
        periods(tenant_a)[0],
        {c1: q("10.5"), c2: q("2")},
        evidence=[evidence_file()],
        evidence_lines=[c2.pk],
        submit=True,
    )
    line = submitted.lines.get(commitment=c1)
    assert totals(c1) == (Decimal("10.5"), Decimal("0"), Decimal("0"))  # claimed, not evidenced

    with pytest.raises(ApplicationError) as refused:
        review(tenant_a, line, LineStatus.QUERIED, " ")
    assert refused.value.field_errors == {"reason": "Enter the question for the supplier"}
    review(tenant_a, line, LineStatus.QUERIED, "The timesheets cover only 8 weeks.")
    line.refresh_from_db()
    assert (line.status, line.reason) == (LineStatus.QUERIED, "The timesheets cover only 8 weeks.")
    assert totals(c1) == (Decimal("10.5"), Decimal("0"), Decimal("0"))  # a queried line is still claimed

    with pytest.raises(ApplicationError) as refused:
        answer(tenant_a, line, "  ")
    assert refused.value.field_errors == {"answer": "Enter your answer to the contract manager"}
    answer(
        tenant_a,
        line,
        "Corrected to 8 weeks; timesheets attached.",
        quantity=Decimal("8"),
        evidence=[evidence_file("ts.pdf")],
    )
    line.refresh_from_db()
    assert (line.status, line.quantity, line.reason) == (LineStatus.PENDING, Decimal("8.00"), "")
    assert totals(c1) == (Decimal("8"), Decimal("8"), Decimal("0"))  # now evidenced

    review(tenant_a, line, LineStatus.VERIFIED)
    assert totals(c1) == (Decimal("8"), Decimal("8"), Decimal("8"))
    events = list(
        ReturnLineEvent.objects.filter(line=line).values_list("kind", "text", "quantity_before", "quantity_after")
    )
    assert events == [
        ("query", "The timesheets cover only 8 weeks.", None, None),
        ("answer", "Corrected to 8 weeks; timesheets attached.", Decimal("10.50"), Decimal("8.00")),
        ("verify", "", None, None),
    ]
    actions = [e.action for e in AuditEvent.objects.for_trail(tenant_a.agreement).order_by("pk")]
    assert actions == [
        AuditAction.RETURN_SUBMITTED,
        AuditAction.RETURN_LINE_QUERIED,
        AuditAction.RETURN_LINE_ANSWERED,
        AuditAction.RETURN_LINE_VERIFIED,
    ]
    with pytest.raises(ApplicationError, match="already been reviewed: it is verified"):
        review(tenant_a, line, LineStatus.REJECTED, "No")


def test_a_rejected_line_is_claimed_again_only_by_answering(tenant_a):
    c1 = tenant_a.commitments[0]
    submitted = save(tenant_a, periods(tenant_a)[0], {c1: q("6")}, evidence=[evidence_file()], submit=True)
    line = submitted.lines.get()
    review(tenant_a, line, LineStatus.REJECTED, "Two of these people live outside the borough.")
    assert totals(c1) == (Decimal("0"), Decimal("0"), Decimal("0"))
    answer(tenant_a, line, "Removed the two; four remain.", quantity=Decimal("4"))
    assert totals(c1) == (Decimal("4"), Decimal("4"), Decimal("0"))
    with pytest.raises(
        ApplicationError, match="Only a queried or rejected line can be answered: this line is awaiting"
    ):
        answer(tenant_a, line, "Again")


def test_only_the_buyer_reviews_and_only_the_supplier_answers(tenant_a, tenant_b):
    c1 = tenant_a.commitments[0]
    line = save(tenant_a, periods(tenant_a)[0], {c1: q("1")}, submit=True).lines.get()
    with pytest.raises(PermissionRefused):
        services_returns.return_line_review(
            actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), line=line, decision="queried", reason="?"
        )
    review(tenant_a, line, LineStatus.QUERIED, "Which site?")
    for user, member in [
        (tenant_a.manager, tenant_a.manager_member()),
        (tenant_b.supplier_user, tenant_b.supplier_member()),
    ]:
        with pytest.raises(PermissionRefused):
            services_returns.return_line_answer(actor=user, member=member, line=line, answer="Mine")
    line.refresh_from_db()
    assert line.status == LineStatus.QUERIED


def test_a_draft_line_cannot_be_reviewed(tenant_a):
    c1 = tenant_a.commitments[0]
    line = save(tenant_a, periods(tenant_a)[0], {c1: q("1")}).lines.get()
    with pytest.raises(ApplicationError, match="on a draft return"):
        review(tenant_a, line, LineStatus.VERIFIED)


# --- Counting once ---------------------------------------------------------------------------------


def test_a_second_claim_of_the_same_evidence_reference_is_refused_naming_the_first(tenant_a):
    c1, c2, _ = tenant_a.commitments
    q1, q2 = periods(tenant_a)[:2]
    save(tenant_a, q1, {c1: q("1"), c2: LineInput(quantity=Decimal("2"), evidence_reference="TS-0042")}, submit=True)
    audit_before = AuditEvent.objects.count()
    # Case and spaces do not make a new reference, on any agreement of the same buyer.
    other = second_agreement(tenant_a)
    with pytest.raises(ApplicationError) as refused:
        save(
            tenant_a,
            periods(tenant_a, other)[0],
            {other.commitments.get(): LineInput(quantity=Decimal("1"), evidence_reference=" ts- 0042 ")},
            submit=True,
            agreement=other,
        )
    commitment = other.commitments.get()
    assert refused.value.field_errors == {
        f"evidence_reference_{commitment.pk}": (
            "Evidence reference ts- 0042 is already claimed on A-001, Quarter 1 (January to March 2026), line 2"
        )
    }
    assert not DeliveryReturn.objects.filter(agreement=other).exists()
    assert AuditEvent.objects.count() == audit_before
    # The same reference twice in one return is refused too.
    with pytest.raises(ApplicationError) as refused:
        save(
            tenant_a,
            q2,
            {
                c1: LineInput(quantity=Decimal("1"), evidence_reference="INV-9"),
                c2: LineInput(quantity=Decimal("1"), evidence_reference="inv-9"),
            },
            submit=True,
        )
    assert refused.value.field_errors == {
        f"evidence_reference_{c2.pk}": "Evidence reference inv-9 is already given on line 1 of this return"
    }


def test_another_suppliers_claim_is_refused_without_naming_it_and_another_buyer_is_separate(tenant_a, tenant_b):
    c1 = tenant_a.commitments[0]
    save(
        tenant_a, periods(tenant_a)[0], {c1: LineInput(quantity=Decimal("1"), evidence_reference="CERT-1")}, submit=True
    )
    rival = factories.SupplierFactory.create()
    rival_user = factories.member_user(rival, "supplier_contact")
    agreement = second_agreement(tenant_a, supplier=rival)
    from commonweal.tenancy.selectors import member_access

    with pytest.raises(ApplicationError) as refused:
        services_returns.return_save(
            actor=rival_user,
            member=member_access(user=rival_user, slug=rival.slug),
            agreement=agreement,
            period=periods(tenant_a, agreement)[0],
            lines={agreement.commitments.get().pk: LineInput(quantity=Decimal("1"), evidence_reference="CERT-1")},
            narrative="Ours",
            submit=True,
        )
    [message] = refused.value.field_errors.values()
    assert message == "Evidence reference CERT-1 is already claimed on another agreement with this buyer"
    assert "A-001" not in message
    # References are scoped per buyer: tenant B's buyer may see the same reference claimed.
    c_b = tenant_b.commitments[0]
    services_returns.return_save(
        actor=tenant_b.supplier_user,
        member=tenant_b.supplier_member(),
        agreement=tenant_b.agreement,
        period=periods(tenant_b)[0],
        lines={c_b.pk: LineInput(quantity=Decimal("1"), evidence_reference="CERT-1")},
        narrative="Theirs",
        submit=True,
    )


def test_a_beneficiary_counts_once_against_one_commitment(tenant_a):
    c1, c2, _ = tenant_a.commitments
    weeks = factories.CommitmentFactory.create(
        agreement=tenant_a.agreement,
        measure=factories.MeasureFactory.create(
            version=tenant_a.agreement.framework_version, organisation=tenant_a.buyer, unit=UnitKind.WEEKS
        ),
    )
    q1, q2, q3 = periods(tenant_a)[:3]
    save(
        tenant_a,
        q1,
        {
            c1: LineInput(quantity=Decimal("1"), beneficiary_reference="APP-7"),
            weeks: LineInput(quantity=Decimal("12"), beneficiary_reference="APP-8"),
        },
        submit=True,
    )
    # Another commitment: refused.
    with pytest.raises(ApplicationError) as refused:
        save(tenant_a, q2, {c2: LineInput(quantity=Decimal("1"), beneficiary_reference="app- 7")}, submit=True)
    assert refused.value.field_errors == {
        f"beneficiary_reference_{c2.pk}": "Beneficiary reference app- 7 is already claimed on A-001, Quarter 1 "
        "(January to March 2026), line 1, against another commitment"
    }
    # The same head-count commitment in a later period: a person counts once.
    with pytest.raises(ApplicationError) as refused:
        save(tenant_a, q2, {c1: LineInput(quantity=Decimal("1"), beneficiary_reference="APP-7")}, submit=True)
    assert refused.value.field_errors == {
        f"beneficiary_reference_{c1.pk}": "Beneficiary reference APP-7 is already claimed on A-001, Quarter 1 "
        "(January to March 2026), line 1, against this commitment, whose measure counts each beneficiary once"
    }
    # Weeks accrue per period: the same apprentice's weeks in the next quarter are a new claim.
    later = save(tenant_a, q3, {weeks: LineInput(quantity=Decimal("13"), beneficiary_reference="APP-8")}, submit=True)
    assert later.state == ReturnState.SUBMITTED


def test_an_answer_cannot_take_a_reference_already_claimed(tenant_a):
    c1, c2, _ = tenant_a.commitments
    first = save(
        tenant_a,
        periods(tenant_a)[0],
        {
            c1: LineInput(quantity=Decimal("1"), evidence_reference="TS-1"),
            c2: LineInput(quantity=Decimal("1"), evidence_reference="TS-2"),
        },
        submit=True,
    )
    line = first.lines.get(commitment=c2)
    review(tenant_a, line, LineStatus.QUERIED, "Which timesheet?")
    with pytest.raises(ApplicationError) as refused:
        answer(tenant_a, line, "This one", evidence_reference="ts-1")
    assert refused.value.field_errors == {
        "evidence_reference": "Evidence reference ts-1 is already claimed on A-001, Quarter 1 "
        "(January to March 2026), line 1"
    }
    line.refresh_from_db()
    assert (line.status, line.evidence_reference) == (LineStatus.QUERIED, "TS-2")


# --- Many returns from one CSV ---------------------------------------------------------------------


def csv_file(text: str, name: str = "returns.csv"):
    return evidence_file(name, text.encode())


def test_bulk_csv_makes_drafts_across_agreements_and_buyers(tenant_a):
    c1, c2, _ = tenant_a.commitments
    other_buyer = factories.OrganisationFactory.create(name="Riverside Council", slug="riverside")
    other = factories.AgreementFactory.create(organisation=other_buyer, supplier=tenant_a.supplier, reference="RC-9")
    other_commitment = factories.CommitmentFactory.create(agreement=other)
    text = (
        "Agreement reference,Buyer,Period,Measure code,Quantity,Evidence reference,Beneficiary reference,Note\n"
        f"A-001,council-a,Quarter 1,{c1.measure.code},4,TS-1,,First\n"
        f"A-001,Council A,2026-01-01,{c2.measure.code},2.5,,,\n"
        f"RC-9,Riverside Council,1/4/2026,{other_commitment.measure.code},7,,B-1,\n"
    )
    saved = services_returns.returns_import(
        actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), file=csv_file(text), submit=False
    )
    assert [(s.agreement_reference, s.period, s.state, s.lines) for s in saved] == [
        ("A-001", "Quarter 1 (January to March 2026)", "draft", 2),
        ("RC-9", "Quarter 2 (April to June 2026)", "draft", 1),
    ]
    draft = DeliveryReturn.objects.get(agreement=tenant_a.agreement)
    assert sorted(draft.lines.values_list("commitment_id", "quantity", "evidence_reference", "note")) == sorted(
        [(c1.pk, Decimal("4.00"), "TS-1", "First"), (c2.pk, Decimal("2.50"), "", "")]
    )
    # Importing the same file again as drafts changes the figures to the same values: still two drafts.
    services_returns.returns_import(
        actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), file=csv_file(text), submit=False
    )
    assert DeliveryReturn.objects.count() == 2 and ReturnLine.objects.count() == 3


def test_bulk_csv_submission_is_idempotent_and_locked_returns_are_not_changed(tenant_a):
    c1 = tenant_a.commitments[0]
    text = f"agreement_reference,buyer,period,measure_code,quantity\nA-001,council-a,Quarter 1,{c1.measure.code},4\n"
    member = tenant_a.supplier_member()
    saved = services_returns.returns_import(
        actor=tenant_a.supplier_user, member=member, file=csv_file(text), submit=True
    )
    assert [s.state for s in saved] == ["submitted"]
    again = services_returns.returns_import(
        actor=tenant_a.supplier_user, member=member, file=csv_file(text), submit=True
    )
    assert [s.state for s in again] == ["unchanged"]
    assert ReturnLine.objects.get().quantity == Decimal("4.00")
    changed = text.replace(",4\n", ",5\n")
    with pytest.raises(BulkReturnError) as refused:
        services_returns.returns_import(
            actor=tenant_a.supplier_user, member=member, file=csv_file(changed), submit=True
        )
    assert [(r.line, r.message) for r in refused.value.rows] == [
        (
            2,
            "The return for A-001, Quarter 1 (January to March 2026) has already been submitted and is locked: "
            "answer the contract manager's queries on its lines instead",
        )
    ]


def test_bulk_csv_with_errors_names_each_line_and_saves_nothing(tenant_a, tenant_b):
    c1, c2, c3 = tenant_a.commitments
    save(tenant_a, periods(tenant_a)[1], {c1: LineInput(quantity=Decimal("1"), evidence_reference="TS-9")}, submit=True)
    text = (
        "agreement_reference,buyer,period,measure_code,quantity,evidence_reference\n"
        f"A-001,council-a,Quarter 1,{c1.measure.code},4,\n"  # line 2: fine on its own
        f"A-001,council-a,Quarter 1,{c2.measure.code},lots,\n"  # line 3
        f"B-001,council-b,Quarter 1,{c1.measure.code},1,\n"  # line 4: another supplier's agreement
        f"A-001,council-a,Quarter 99,{c1.measure.code},1,\n"  # line 5
        f"A-001,council-a,Quarter 1,NOPE,1,\n"  # line 6
        f"A-001,council-a,Quarter 1,{c1.measure.code},2,\n"  # line 7: the same line twice
        f"A-001,council-a,Quarter 1,{c3.measure.code},2,ts- 9\n"  # line 8: evidence already claimed
    )
    audit_before = AuditEvent.objects.count()
    with pytest.raises(BulkReturnError) as refused:
        services_returns.returns_import(
            actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), file=csv_file(text), submit=True
        )
    assert [(r.line, r.message) for r in refused.value.rows] == [
        (3, "Enter the quantity as a number, like 12 or 3.5 (the quantity is “lots”)"),
        (4, "You have no agreement B-001 with the buyer council-b"),
        (5, "A-001 has no period Quarter 99: give its start date (like 2026-04-01) or its label (like Quarter 1)"),
        (6, "A-001 has no active commitment to the measure NOPE"),
        (7, f"A-001, Quarter 1 (January to March 2026), {c1.measure.code} is already on line 2"),
        (8, "Evidence reference ts- 9 is already claimed on A-001, Quarter 2 (April to June 2026), line 1"),
    ]
    assert refused.value.message == "The file was not imported: 6 rows have a problem. Nothing was saved."
    assert DeliveryReturn.objects.count() == 1  # only the return made before the upload
    assert AuditEvent.objects.count() == audit_before


def test_bulk_csv_refuses_a_file_without_the_columns(tenant_a):
    with pytest.raises(ApplicationError) as refused:
        services_returns.returns_import(
            actor=tenant_a.supplier_user,
            member=tenant_a.supplier_member(),
            file=csv_file("reference,qty\nA-001,4\n"),
            submit=False,
        )
    assert refused.value.field_errors == {
        "returns_csv": "The file has no column agreement_reference, buyer, period, measure_code, quantity "
        "(download the template to see the columns)"
    }


def test_bulk_template_lists_open_commitments_for_the_current_period(tenant_a, tenant_b):
    rows = selectors_returns.bulk_template_rows(member=tenant_a.supplier_member(), today=datetime.date(2026, 5, 10))
    assert [(r["agreement_reference"], r["buyer"], r["period"], r["measure_code"]) for r in rows] == [
        ("A-001", "council-a", "Quarter 2 (April to June 2026)", c.measure.code) for c in tenant_a.commitments
    ]
    assert all(r["quantity"] == "" for r in rows)


def test_a_draft_from_before_periods_cannot_be_changed_and_stays_as_it_was(tenant_a: Tenant) -> None:
    old = DeliveryReturn.objects.create(
        organisation=tenant_a.buyer,
        agreement=tenant_a.agreement,
        period=None,
        state=ReturnState.DRAFT,
        submitted_by=tenant_a.supplier_user,
        narrative="Kept as it was",
    )
    first = tenant_a.commitments[0]
    with pytest.raises(ApplicationError, match="before reporting periods existed"):
        services_returns.return_draft_change(
            actor=tenant_a.supplier_user,
            member=tenant_a.supplier_member(),
            delivery_return=old,
            lines={first.pk: LineInput(quantity=Decimal("3"))},
            narrative="Changed",
        )
    old.refresh_from_db()
    assert old.narrative == "Kept as it was"
    assert DeliveryReturn.objects.filter(agreement=tenant_a.agreement).count() == 1
    assert not ReturnLine.objects.filter(commitment=first).exists()


@pytest.mark.django_db(transaction=True)
def test_query_answer_resubmit_verify_committed(tenant_a):
    """Query, answer, resubmit and verify, committed for real: on PostgreSQL this fails
    if a service locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    test_query_answer_resubmit_verify_with_totals_in_each_state(tenant_a)


@pytest.mark.django_db(transaction=True)
def test_bulk_csv_committed(tenant_a):
    """Returns from one CSV, committed for real: on PostgreSQL this fails
    if a service locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    test_bulk_csv_makes_drafts_across_agreements_and_buyers(tenant_a)
