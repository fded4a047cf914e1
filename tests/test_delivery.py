"""Delivery services and selectors: returns, verification, progress, totals and the audit trail."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery import selectors_agreements, selectors_status, services_agreements, services_returns
from commonweal.delivery.models import DeliveryReturn, Evidence, LineStatus, ReturnLine
from commonweal.delivery.status import CommitmentStatus, commitment_status
from commonweal.tenancy.models import Role
from commonweal.tenancy.permissions import PermissionRefused

from . import factories
from .factories import evidence_file


def submit(tenant, quantities, narrative="Two apprentices started on site.", evidence=None):
    return services_returns.return_submit(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        agreement=tenant.agreement,
        quantities=quantities,
        narrative=narrative,
        evidence=evidence if evidence is not None else evidence_file(),
    )


def nothing_stored() -> bool:
    return not DeliveryReturn.objects.exists() and not ReturnLine.objects.exists() and not Evidence.objects.exists()


def test_return_submit_stores_lines_narrative_and_evidence(tenant_a):
    c1, c2, c3 = tenant_a.commitments
    delivery_return = submit(tenant_a, {c1.pk: Decimal("4"), c2.pk: Decimal("2.50"), c3.pk: None})

    lines = {line.commitment_id: line for line in delivery_return.lines.all()}
    assert set(lines) == {c1.pk, c2.pk}
    assert lines[c1.pk].quantity == Decimal("4.00")
    assert lines[c2.pk].quantity == Decimal("2.50")
    assert all(line.status == LineStatus.PENDING for line in lines.values())
    assert delivery_return.narrative == "Two apprentices started on site."
    evidence = delivery_return.evidence.get()
    assert evidence.original_name == "evidence.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.startswith(f"evidence/{tenant_a.buyer.pk}/")
    assert "evidence.pdf" not in evidence.file.name  # stored under a generated name


def test_zero_is_a_valid_quantity(tenant_a):
    c1 = tenant_a.commitments[0]
    delivery_return = submit(tenant_a, {c1.pk: Decimal("0")})
    assert delivery_return.lines.get().quantity == Decimal("0")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (Decimal("-1"), "Quantity must be 0 or more"),
        (Decimal("-0.01"), "Quantity must be 0 or more"),
        (Decimal("1.234"), "Enter the quantity with no more than 2 decimal places"),
        (Decimal("1e12"), "Enter a smaller quantity"),
        (Decimal("NaN"), "Enter the quantity as a number, like 12 or 3.5"),
        (Decimal("Infinity"), "Enter the quantity as a number, like 12 or 3.5"),
    ],
)
def test_bad_quantity_is_refused_and_nothing_is_stored(tenant_a, quantity, message):
    c1 = tenant_a.commitments[0]
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        submit(tenant_a, {c1.pk: quantity})
    assert refused.value.field_errors == {f"quantity_{c1.pk}": message}
    assert nothing_stored()
    assert AuditEvent.objects.count() == audit_before


def test_a_return_with_no_quantities_is_refused(tenant_a):
    with pytest.raises(ApplicationError) as refused:
        submit(tenant_a, {c.pk: None for c in tenant_a.commitments})
    assert "Enter a quantity for at least one commitment" in refused.value.field_errors.values()
    assert nothing_stored()


def test_a_return_needs_a_narrative_but_evidence_is_optional(tenant_a):
    c1 = tenant_a.commitments[0]
    with pytest.raises(ApplicationError) as refused:
        services_returns.return_submit(
            actor=tenant_a.supplier_user,
            member=tenant_a.supplier_member(),
            agreement=tenant_a.agreement,
            quantities={c1.pk: Decimal("1")},
            narrative="   ",
            evidence=None,
        )
    assert refused.value.field_errors == {"narrative": "Describe what was delivered in this period"}
    assert nothing_stored()

    # Without evidence the return is submitted, and its line is claimed but not evidenced.
    delivery_return = services_returns.return_submit(
        actor=tenant_a.supplier_user,
        member=tenant_a.supplier_member(),
        agreement=tenant_a.agreement,
        quantities={c1.pk: Decimal("1")},
        narrative="One placement",
        evidence=None,
    )
    lines = ReturnLine.objects.filter(delivery_return=delivery_return)
    assert (lines.claimed().total_quantity(), lines.evidenced().total_quantity()) == (Decimal("1"), Decimal("0"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "virus.exe",
            b"MZ\x90\x00",
            "The selected file must be a CSV, DOCX, JPG, ODS, ODT, PDF, PNG, TXT or XLSX",
        ),
        ("report.pdf", b"MZ\x90\x00 not a pdf", "The selected file’s contents do not match its type (.pdf)"),
        ("photo.png", b"%PDF-1.4", "The selected file’s contents do not match its type (.png)"),
        ("notes.txt", b"binary\x00data", "The selected file’s contents do not match its type (.txt)"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_wrong_evidence_file_is_refused_and_nothing_is_stored(tenant_a, name, content, message):
    c1 = tenant_a.commitments[0]
    with pytest.raises(ApplicationError) as refused:
        submit(tenant_a, {c1.pk: Decimal("1")}, evidence=evidence_file(name, content))
    assert refused.value.field_errors == {"evidence": message}
    assert nothing_stored()


@override_settings(EVIDENCE_MAX_BYTES=1024)
def test_oversize_evidence_is_refused_with_the_limit(tenant_a):
    c1 = tenant_a.commitments[0]
    with pytest.raises(ApplicationError) as refused:
        submit(tenant_a, {c1.pk: Decimal("1")}, evidence=evidence_file("big.pdf", b"%PDF-" + b"x" * 1024))
    assert refused.value.field_errors == {"evidence": "The selected file must be smaller than 1 KB"}
    assert nothing_stored()


@override_settings(EVIDENCE_MAX_BYTES=10 * 1024 * 1024)
def test_oversize_message_names_megabytes(tenant_a):
    c1 = tenant_a.commitments[0]
    big = evidence_file("big.pdf", b"%PDF-" + b"x" * (10 * 1024 * 1024))
    with pytest.raises(ApplicationError) as refused:
        submit(tenant_a, {c1.pk: Decimal("1")}, evidence=big)
    assert refused.value.field_errors == {"evidence": "The selected file must be smaller than 10 MB"}


def test_a_commitment_of_another_agreement_is_refused(tenant_a, tenant_b):
    foreign = tenant_b.commitments[0]
    with pytest.raises(ApplicationError) as refused:
        submit(tenant_a, {foreign.pk: Decimal("1")})
    assert refused.value.field_errors == {f"quantity_{foreign.pk}": "This commitment is not part of the agreement"}
    assert nothing_stored()


def test_only_the_agreements_supplier_can_submit(tenant_a, tenant_b):
    c1 = tenant_a.commitments[0]
    for user, member in [
        (tenant_a.manager, tenant_a.manager_member()),  # the buyer
        (tenant_b.supplier_user, tenant_b.supplier_member()),  # another supplier
    ]:
        with pytest.raises(PermissionRefused):
            services_returns.return_submit(
                actor=user,
                member=member,
                agreement=tenant_a.agreement,
                quantities={c1.pk: Decimal("1")},
                narrative="x",
                evidence=evidence_file(),
            )
    assert nothing_stored()


def test_verify_and_reject_change_claimed_and_verified_totals(tenant_a):
    c1, c2, c3 = tenant_a.commitments
    first = submit(tenant_a, {c1.pk: Decimal("4"), c2.pk: Decimal("3")})
    submit(tenant_a, {c1.pk: Decimal("2.5")})
    line_c1, line_c2 = first.lines.order_by("commitment_id")
    services_returns.return_line_review(
        actor=tenant_a.manager, member=tenant_a.manager_member(), line=line_c1, decision="verified", reason=""
    )
    services_returns.return_line_review(
        actor=tenant_a.manager,
        member=tenant_a.manager_member(),
        line=line_c2,
        decision="rejected",
        reason="The timesheets do not cover these weeks.",
    )

    progress = {
        row.commitment.pk: row for row in selectors_status.commitment_progress_list(agreement=tenant_a.agreement)
    }
    assert (progress[c1.pk].target, progress[c1.pk].claimed, progress[c1.pk].verified) == (
        Decimal("10"),
        Decimal("6.5"),
        Decimal("4"),
    )
    # Verified 4 is ahead of what the schedule expects so far (due 2099): on track.
    assert progress[c1.pk].status == CommitmentStatus.ON_TRACK
    assert progress[c1.pk].percent_verified == Decimal("40")
    # A rejected quantity is no longer claimed.
    assert (progress[c2.pk].claimed, progress[c2.pk].verified) == (Decimal("0"), Decimal("0"))
    assert progress[c2.pk].status == CommitmentStatus.BEHIND
    line_c2.refresh_from_db()
    assert line_c2.reason == "The timesheets do not cover these weeks."
    assert line_c2.reviewed_by == tenant_a.manager


def test_rejecting_needs_a_reason_and_changes_nothing(tenant_a):
    c1 = tenant_a.commitments[0]
    line = submit(tenant_a, {c1.pk: Decimal("1")}).lines.get()
    with pytest.raises(ApplicationError) as refused:
        services_returns.return_line_review(
            actor=tenant_a.manager,
            member=tenant_a.manager_member(),
            line=line,
            decision="rejected",
            reason=" ",
        )
    assert refused.value.field_errors == {"reason": "Enter the reason for rejecting this line"}
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING


def test_a_line_is_reviewed_once(tenant_a):
    c1 = tenant_a.commitments[0]
    line = submit(tenant_a, {c1.pk: Decimal("1")}).lines.get()
    services_returns.return_line_review(
        actor=tenant_a.manager, member=tenant_a.manager_member(), line=line, decision="verified", reason=""
    )
    with pytest.raises(ApplicationError, match="already been reviewed: it is verified"):
        services_returns.return_line_review(
            actor=tenant_a.manager,
            member=tenant_a.manager_member(),
            line=line,
            decision="rejected",
            reason="No",
        )
    line.refresh_from_db()
    assert line.status == LineStatus.VERIFIED


def test_only_a_contract_manager_of_the_buyer_reviews(tenant_a, tenant_b):
    c1 = tenant_a.commitments[0]
    line = submit(tenant_a, {c1.pk: Decimal("1")}).lines.get()
    viewer = factories.member_user(tenant_a.buyer, Role.VIEWER)
    from commonweal.tenancy.selectors import member_access

    for user, member in [
        (tenant_a.supplier_user, tenant_a.supplier_member()),
        (viewer, member_access(user=viewer, slug=tenant_a.buyer.slug)),
        (tenant_b.manager, tenant_b.manager_member()),
    ]:
        with pytest.raises(PermissionRefused):
            services_returns.return_line_review(actor=user, member=member, line=line, decision="verified", reason="")
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING


@pytest.mark.parametrize(
    ("target", "verified", "claimed", "due", "expected"),
    [
        ("10", "10", "10", datetime.date(2026, 1, 1), CommitmentStatus.DELIVERED),
        ("10", "12", "12", datetime.date(2030, 1, 1), CommitmentStatus.DELIVERED),
        ("10", "9.99", "10", datetime.date(2026, 1, 1), CommitmentStatus.MISSED),
        ("10", "0", "5", datetime.date(2030, 1, 1), CommitmentStatus.AT_RISK),  # 5 expected, claimed, not verified
        ("10", "0", "0", datetime.date(2030, 1, 1), CommitmentStatus.BEHIND),
    ],
)
def test_commitment_status_rules(target, verified, claimed, due, expected):
    status = commitment_status(
        target=Decimal(target),
        verified=Decimal(verified),
        claimed=Decimal(claimed),
        expected=Decimal("5"),
        due_date=due,
        today=datetime.date(2026, 6, 1),
    )
    assert status == expected


def test_dashboard_totals_add_up_across_agreements_by_measure(tenant_a):
    c1 = tenant_a.commitments[0]
    second = factories.AgreementFactory.create(
        organisation=tenant_a.buyer,
        supplier=tenant_a.supplier,
        framework_version=tenant_a.agreement.framework_version,
    )
    factories.CommitmentFactory.create(agreement=second, measure=c1.measure, target_quantity=Decimal("5.5"))
    submit(tenant_a, {c1.pk: Decimal("3")})

    totals = {t.measure.pk: t for t in selectors_status.measure_total_list(member=tenant_a.manager_member())}
    assert (totals[c1.measure.pk].target, totals[c1.measure.pk].claimed, totals[c1.measure.pk].verified) == (
        Decimal("15.5"),
        Decimal("3"),
        Decimal("0"),
    )
    # The supplier sees the same agreements from its side.
    supplier_totals = {t.measure.pk: t for t in selectors_status.measure_total_list(member=tenant_a.supplier_member())}
    assert supplier_totals[c1.measure.pk].target == Decimal("15.5")


def test_selectors_never_return_another_tenants_agreement(tenant_a, tenant_b):
    assert list(selectors_agreements.agreement_list(member=tenant_b.manager_member())) == [tenant_b.agreement]
    assert list(selectors_agreements.agreement_list(member=tenant_b.supplier_member())) == [tenant_b.agreement]
    from django.http import Http404

    with pytest.raises(Http404):
        selectors_agreements.agreement_get(member=tenant_b.manager_member(), pk=tenant_a.agreement.pk)


def test_every_write_is_audited_with_before_and_after(tenant_a):
    c1 = tenant_a.commitments[0]
    delivery_return = submit(tenant_a, {c1.pk: Decimal("7")})
    line = delivery_return.lines.get()
    services_returns.return_line_review(
        actor=tenant_a.manager,
        member=tenant_a.manager_member(),
        line=line,
        decision="rejected",
        reason="No evidence",
    )
    events = list(selectors_agreements.audit_event_list(member=tenant_a.manager_member(), agreement=tenant_a.agreement))
    assert [e.action for e in events[:2]] == [AuditAction.RETURN_LINE_REJECTED, AuditAction.RETURN_SUBMITTED]
    reject, submitted = events[0], events[1]
    assert reject.actor == tenant_a.manager
    assert reject.before == {"quantity": "7.00", "status": "pending", "reason": ""}
    assert reject.after == {"quantity": "7.00", "status": "rejected", "reason": "No evidence"}
    assert [(k, b, a) for k, b, a in reject.changes] == [
        ("Reason", None, "No evidence"),  # a blank before reads as nothing
        ("Status", "pending", "rejected"),
    ]
    assert submitted.actor_label == tenant_a.supplier_user.email
    assert submitted.after["lines"] == {c1.measure.code: "7.00"}  # as stored, to two places
    assert submitted.organisation == tenant_a.buyer


def test_the_audit_log_cannot_be_changed_or_deleted(tenant_a):
    submit(tenant_a, {tenant_a.commitments[0].pk: Decimal("1")})
    event = AuditEvent.objects.get(action=AuditAction.RETURN_SUBMITTED)
    event.action = "tampered"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.RETURN_SUBMITTED


def test_agreement_create_checks_its_parties_and_dates(tenant_a):
    version = tenant_a.agreement.framework_version
    common = {
        "actor": tenant_a.manager,
        "member": tenant_a.manager_member(),
        "title": "Cleaning",
        "value": Decimal("1000"),
        "framework_version": version,
    }
    with pytest.raises(ApplicationError, match="is not a supplier"):
        services_agreements.agreement_create(
            supplier=tenant_a.buyer,
            reference="X-1",
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 12, 31),
            **common,
        )
    with pytest.raises(ApplicationError, match="end date must be on or after"):
        services_agreements.agreement_create(
            supplier=tenant_a.supplier,
            reference="X-2",
            start_date=datetime.date(2026, 12, 31),
            end_date=datetime.date(2026, 1, 1),
            **common,
        )
    with pytest.raises(ApplicationError, match="already exists"):
        services_agreements.agreement_create(
            supplier=tenant_a.supplier,
            reference=tenant_a.agreement.reference,
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 12, 31),
            **common,
        )
    agreement = services_agreements.agreement_create(
        supplier=tenant_a.supplier,
        reference="X-3",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        **common,
    )
    event = AuditEvent.objects.for_trail(agreement).get()
    assert event.after["reference"] == "X-3"
    assert event.after["value"] == "1000"


def test_commitment_must_use_the_agreements_framework_version(tenant_a, tenant_b):
    foreign_measure = tenant_b.commitments[0].measure
    with pytest.raises(ApplicationError, match="not in the framework version"):
        services_agreements.commitment_create(
            actor=tenant_a.manager,
            member=tenant_a.manager_member(),
            agreement=tenant_a.agreement,
            measure=foreign_measure,
            target_quantity=Decimal("1"),
            due_date=datetime.date(2027, 1, 1),
        )
    with pytest.raises(ApplicationError, match="more than 0"):
        services_agreements.commitment_create(
            actor=tenant_a.manager,
            member=tenant_a.manager_member(),
            agreement=tenant_a.agreement,
            measure=tenant_a.commitments[0].measure,
            target_quantity=Decimal("0"),
            due_date=datetime.date(2027, 1, 1),
        )


def test_the_audit_action_migration_renames_stored_events_into_the_past_tense_and_back(tenant_a):
    """Events stored before `AuditAction` keep their meaning: 0002 renames them, and reversing it restores them."""
    migration = importlib.import_module("commonweal.core.migrations.0002_audit_action_names")
    with override_settings(MIGRATION_MODULES={}):  # the suite runs without migrations: read them from disk
        historical = MigrationLoader(connection).project_state(("core", "0002_audit_action_names")).apps
    submit(tenant_a, {tenant_a.commitments[0].pk: Decimal("1")})
    event = AuditEvent.objects.get(action=AuditAction.RETURN_SUBMITTED)
    stored = historical.get_model("core", "AuditEvent").objects
    stored.filter(pk=event.pk).update(action="return.submit")  # as written before the enum

    migration.rename(historical, None)
    assert AuditEvent.objects.get(pk=event.pk).action == "return.submitted"
    migration.rename_back(historical, None)
    assert AuditEvent.objects.get(pk=event.pk).action == "return.submit"
    assert set(migration.RENAMED.values()) <= set(AuditAction.values)
    assert not set(migration.RENAMED) & set(AuditAction.values), "an old name is still in use"
