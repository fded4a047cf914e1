"""Notifications: one test per kind (who is told, the title and the exact page), the email with its links,
once only (an event handled twice, a command run twice), the daily digest, a person's choices and the
unsubscribe link, and the pages (each person sees their own only)."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery import services_agreements, services_returns
from commonweal.delivery.models import DeliveryReturn, LineStatus, ReportingPeriod, ReturnLine, SubstitutionState
from commonweal.notifications import links, services, services_events
from commonweal.notifications.kinds import Delivery, Kind
from commonweal.notifications.models import DigestSend, Notification, NotificationPreference
from commonweal.notifications.services_reminders import reminders_send
from commonweal.procurement import services_clarifications
from commonweal.procurement.models import Clarification, EvaluatorAssignment
from commonweal.spend import services_suppliers
from commonweal.spend.models import ImportStatus, SpendImport
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .conftest import Tenant
from .factories import evidence_file
from .procurement_support import bid_make, procurement_published
from .spend_import_support import spend_manager
from .test_procurement_award import Setup
from .test_spend_import_web import form_data, upload

OnCommit = Callable[..., Any]
MAPPING = {"payment_date": "When paid", "amount": "Value (GBP)", "supplier_name": "Payee", "transaction_ref": "Ref"}


def told(kind: str) -> list[tuple[str, str, str]]:
    """(recipient email, title, link) of each notification of `kind`, in the order made."""
    return [
        (n.recipient.email, n.title, n.link)
        for n in Notification.objects.filter(kind=kind).select_related("recipient").order_by("pk")
    ]


def submitted_return(tenant: Tenant) -> DeliveryReturn:
    period = services_returns.periods_ensure(
        actor=None, member=Member.system(tenant.buyer), agreement=tenant.agreement
    )[0]
    return services_returns.return_submit(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        agreement=tenant.agreement,
        quantities={commitment.pk: Decimal("2") for commitment in tenant.commitments},
        narrative="Two placements for each commitment",
        evidence=evidence_file(),
        period=period,
    )


def review(tenant: Tenant, line: ReturnLine, decision: str, reason: str) -> ReturnLine:
    return services_returns.return_line_review(
        actor=tenant.manager, member=tenant.manager_member(), line=line, decision=decision, reason=reason
    )


# --- One test per kind ------------------------------------------------------------------------------


def test_a_submitted_return_tells_the_contract_manager_by_email_with_the_review_link(
    tenant_a: Tenant, tenant_b: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        delivery_return = submitted_return(tenant_a)
    link = f"/o/council-a/returns/{delivery_return.pk}/"
    assert told(Kind.RETURN_SUBMITTED) == [
        (tenant_a.manager.email, "Delivery return submitted: A-001, Quarter 1 (January to March 2026)", link)
    ]
    notification = Notification.objects.get(kind=Kind.RETURN_SUBMITTED)
    assert notification.recipient == tenant_a.manager and notification.organisation == tenant_a.buyer
    assert notification.title.startswith("Delivery return submitted: A-001, ")
    assert "Supplier A Ltd has submitted its delivery return" in notification.body
    assert notification.emailed_at is not None
    (email,) = mail.outbox
    assert email.to == [tenant_a.manager.email] and email.subject == notification.title
    assert f"Open the page: {settings.SITE_URL}{link}\n" in email.body
    assert "/notifications/unsubscribe/" in email.body  # an optional kind
    assert isinstance(email, EmailMultiAlternatives) and link in str(email.alternatives[0][0])
    audit = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_SENT)
    assert audit.organisation == tenant_a.buyer and audit.after["to"] == tenant_a.manager.email


def test_a_rejected_line_tells_the_supplier_with_the_reason_and_the_answer_link(
    tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    delivery_return = submitted_return(tenant_a)
    line = delivery_return.lines.order_by("pk").first()
    assert line is not None
    with django_capture_on_commit_callbacks(execute=True):
        review(tenant_a, line, LineStatus.REJECTED, "The evidence is for another site")
    (row,) = told(Kind.LINE_REJECTED)
    assert row[0] == tenant_a.supplier_user.email
    assert row[1].startswith("A line of your delivery return was rejected: A-001, ")
    assert row[2] == f"/o/supplier-a/return-lines/{line.pk}/answer/"
    notification = Notification.objects.get(kind=Kind.LINE_REJECTED)
    assert notification.organisation == tenant_a.supplier
    assert "Reason: The evidence is for another site" in notification.body
    email = mail.outbox[-1]
    assert email.to == [tenant_a.supplier_user.email]
    assert "/notifications/unsubscribe/" not in email.body  # a kind that cannot be turned off


def test_a_queried_line_tells_the_supplier_and_a_second_query_tells_them_again(
    tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    delivery_return = submitted_return(tenant_a)
    line = delivery_return.lines.order_by("pk").first()
    assert line is not None
    with django_capture_on_commit_callbacks(execute=True):
        review(tenant_a, line, LineStatus.QUERIED, "Which site?")
    with django_capture_on_commit_callbacks(execute=True):
        services_returns.return_line_answer(
            actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), line=line, answer="Corby"
        )
    with django_capture_on_commit_callbacks(execute=True):
        review(tenant_a, line, LineStatus.QUERIED, "Which part of Corby?")
    rows = told(Kind.LINE_QUERIED)
    assert [email for email, _, _ in rows] == [tenant_a.supplier_user.email] * 2
    assert all(link == f"/o/supplier-a/return-lines/{line.pk}/answer/" for _, _, link in rows)
    bodies = list(Notification.objects.filter(kind=Kind.LINE_QUERIED).order_by("pk").values_list("body", flat=True))
    assert "Question: Which site?" in bodies[0] and "Question: Which part of Corby?" in bodies[1]


def test_an_answered_query_tells_the_contract_manager_with_the_review_link(
    tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    delivery_return = submitted_return(tenant_a)
    line = delivery_return.lines.order_by("pk").first()
    assert line is not None
    review(tenant_a, line, LineStatus.QUERIED, "Which site?")
    with django_capture_on_commit_callbacks(execute=True):
        services_returns.return_line_answer(
            actor=tenant_a.supplier_user, member=tenant_a.supplier_member(), line=line, answer="Corby"
        )
    (row,) = told(Kind.QUERY_ANSWERED)
    assert row[0] == tenant_a.manager.email
    assert row[1].startswith("A supplier answered about a return line: A-001, ")
    assert row[2] == f"/o/council-a/return-lines/{line.pk}/review/"


def test_the_named_contract_manager_alone_is_told_when_the_agreement_names_one(
    tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    named = factories.member_user(tenant_a.buyer, Role.CONTRACT_MANAGER)
    tenant_a.agreement.contract_manager = named
    tenant_a.agreement.save(update_fields=["contract_manager"])
    with django_capture_on_commit_callbacks(execute=True):
        submitted_return(tenant_a)
    assert [email for email, _, _ in told(Kind.RETURN_SUBMITTED)] == [named.email]


def test_a_proposed_substitution_tells_the_manager_and_its_decision_tells_the_supplier(
    tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        substitution = services_agreements.substitution_propose(
            actor=tenant_a.supplier_user,
            member=tenant_a.supplier_member(),
            commitment=tenant_a.commitments[0],
            proposed_measure=None,
            proposed_quantity=None,
            pledge="Forty hours of volunteering at the food bank",
            reason="The site closed early",
        )
    assert told(Kind.SUBSTITUTION_PROPOSED) == [
        (tenant_a.manager.email, "Substitution proposed: A-001", f"/o/council-a/substitutions/{substitution.pk}/")
    ]
    assert told(Kind.SUBSTITUTION_DECIDED) == []
    with django_capture_on_commit_callbacks(execute=True):
        services_agreements.substitution_decide(
            actor=tenant_a.manager,
            member=tenant_a.manager_member(),
            substitution=substitution,
            decision=SubstitutionState.REFUSED,
            reason="A pledge does not replace jobs",
        )
    assert told(Kind.SUBSTITUTION_DECIDED) == [
        (
            tenant_a.supplier_user.email,
            "Your substitution was refused: A-001",
            f"/o/supplier-a/substitutions/{substitution.pk}/",
        )
    ]
    assert "The reason: A pledge does not replace jobs" in Notification.objects.get(kind=Kind.SUBSTITUTION_DECIDED).body
    with django_capture_on_commit_callbacks(execute=True):
        approved = services_agreements.substitution_propose(
            actor=tenant_a.supplier_user,
            member=tenant_a.supplier_member(),
            commitment=tenant_a.commitments[1],
            proposed_measure=None,
            proposed_quantity=None,
            pledge="Twenty hours of mentoring",
            reason="The course was cancelled",
        )
        services_agreements.substitution_decide(
            actor=tenant_a.manager,
            member=tenant_a.manager_member(),
            substitution=approved,
            decision=SubstitutionState.APPROVED,
            reason="",
        )
    assert told(Kind.SUBSTITUTION_DECIDED)[1] == (
        tenant_a.supplier_user.email,
        "Your substitution was approved: A-001",
        f"/o/supplier-a/substitutions/{approved.pk}/",
    )


def test_an_answered_clarification_tells_every_bidder_apart_and_never_who_asked(
    tenant_a: Tenant, tenant_b: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    world = procurement_published(tenant_a.buyer)
    procurement = world.procurement
    drafting = factories.SupplierFactory.create(name="Drafting Ltd", slug="drafting")
    drafting_user = factories.member_user(drafting, Role.SUPPLIER_CONTACT)
    asker = factories.SupplierFactory.create(name="Asking Ltd", slug="asking")
    asker_user = factories.member_user(asker, Role.SUPPLIER_CONTACT)
    bid_make(world, tenant_a.supplier, price="200000", submitted=False)
    bid_make(world, drafting, price="210000", submitted=False)
    clarification = Clarification.objects.create(
        organisation=tenant_a.buyer,
        procurement=procurement,
        supplier=asker,
        asked_by=asker_user,
        question="Asking Ltd wants to know if our Corby depot counts as local?",
    )
    officer = factories.member_user(tenant_a.buyer, Role.PROCUREMENT_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        services_clarifications.clarification_answer(
            actor=officer,
            member=member_access(user=officer, slug=tenant_a.buyer.slug),
            clarification=clarification,
            published_question="Does a depot in the county count as local?",
            answer="Yes, if staff are employed there.",
        )
    rows = told(Kind.CLARIFICATION_ANSWERED)
    title = f"Clarification answered: PROC-001 {procurement.title}"
    assert sorted(rows) == sorted(
        (user.email, title, f"/o/{org.slug}/opportunities/{procurement.pk}/")
        for user, org in [(tenant_a.supplier_user, tenant_a.supplier), (drafting_user, drafting), (asker_user, asker)]
    )
    for notification in Notification.objects.filter(kind=Kind.CLARIFICATION_ANSWERED):
        assert notification.link == reverse(
            "procurement:opportunity-detail", kwargs={"org": notification.organisation.slug, "pk": procurement.pk}
        )
        assert "Does a depot in the county count as local?" in notification.body
        for secret in ("Asking Ltd", "Corby", "Drafting Ltd", "Supplier A Ltd"):
            assert secret not in notification.body
    assert tenant_b.supplier_user.email not in {row[0] for row in rows}
    for email in mail.outbox:
        assert len(email.to) == 1  # one email per person: no bidder sees another's address


def test_an_award_tells_each_bidder_their_own_result_with_their_assessment_summary(
    tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    setup = Setup(tenant_a)
    winner, loser, other = setup.bids()
    loser_user = factories.member_user(setup.loser_org, Role.SUPPLIER_CONTACT)
    other_user = factories.member_user(setup.other_org, Role.SUPPLIER_CONTACT)
    setup.moderate_all()
    with django_capture_on_commit_callbacks(execute=True):
        setup.award()
    rows = {row[0]: row for row in told(Kind.AWARD_DECIDED)}
    assert set(rows) == {tenant_a.supplier_user.email, loser_user.email, other_user.email}
    for user, org, bid in [
        (tenant_a.supplier_user, setup.winner_org, winner),
        (loser_user, setup.loser_org, loser),
        (other_user, setup.other_org, other),
    ]:
        assert rows[user.email][2] == f"/o/{org.slug}/procurements/bids/{bid.pk}/summary/"
        assert rows[user.email][1] == f"Award decided: PROC-001 {setup.procurement.title}, lot 1"
    bodies = {n.recipient.email: n.body for n in Notification.objects.filter(kind=Kind.AWARD_DECIDED)}
    assert "Your tender was successful." in bodies[tenant_a.supplier_user.email]
    assert "Your tender was not successful." in bodies[loser_user.email]
    for body in bodies.values():
        for name in ("Supplier A Ltd", "Loser One Ltd", "Other Loser Ltd", "200,000", "220,000"):
            assert name not in body


def _import_uploaded(client: Client, tenant: Tenant) -> SpendImport:
    client.post(
        reverse("spend:import-upload", kwargs={"org": tenant.buyer.slug}),
        {"spend_file": upload(), "spend_source": "Ledger"},
    )
    return SpendImport.objects.get()


def test_a_finished_spend_import_tells_the_person_who_uploaded_it(
    client: Client, tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    uploader = spend_manager(tenant_a.buyer)
    factories.member_user(tenant_a.buyer, Role.SOCIAL_VALUE_LEAD)  # another who may import: not told
    client.force_login(uploader)
    spend_import = _import_uploaded(client, tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("spend:import-mapping", kwargs={"org": tenant_a.buyer.slug, "pk": spend_import.pk}),
            form_data(MAPPING),
        )
    spend_import.refresh_from_db()
    assert spend_import.status == ImportStatus.SUCCEEDED
    assert told(Kind.SPEND_IMPORT_FINISHED) == [
        (uploader.email, "Your spend file is imported: april.csv", f"/o/council-a/spend/imports/{spend_import.pk}/")
    ]
    assert "2 payments" in Notification.objects.get().body


def test_a_failed_spend_import_tells_the_person_who_uploaded_it_why(
    client: Client, tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services_suppliers, "supplier_registry_update", broken)
    uploader = spend_manager(tenant_a.buyer)
    client.force_login(uploader)
    spend_import = _import_uploaded(client, tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("spend:import-mapping", kwargs={"org": tenant_a.buyer.slug, "pk": spend_import.pk}),
            form_data(MAPPING),
        )
    spend_import.refresh_from_db()
    assert spend_import.status == ImportStatus.FAILED
    assert told(Kind.SPEND_IMPORT_FAILED) == [
        (
            uploader.email,
            "Your spend file could not be imported: april.csv",
            f"/o/council-a/spend/imports/{spend_import.pk}/",
        )
    ]
    assert spend_import.error in Notification.objects.get().body


# --- Reminders from the clock -------------------------------------------------------------------------


def _periods(tenant: Tenant) -> list[ReportingPeriod]:
    return services_returns.periods_ensure(actor=None, member=Member.system(tenant.buyer), agreement=tenant.agreement)


def test_returns_due_in_7_days_and_overdue_tell_the_supplier_once(tenant_a: Tenant, tenant_b: Tenant) -> None:
    first, second, *_ = _periods(tenant_a)
    _periods(tenant_b)
    due_day = first.return_due_date - timedelta(days=5)

    result = reminders_send(today=due_day)

    assert told(Kind.RETURN_DUE) == [
        (
            tenant_a.supplier_user.email,
            f"Delivery return due in 5 days: A-001, {first.label}",
            f"/o/supplier-a/agreements/{tenant_a.agreement.pk}/returns/new/?period={first.pk}",
        ),
        (
            tenant_b.supplier_user.email,
            "Delivery return due in 5 days: B-001, " + first.label,
            told(Kind.RETURN_DUE)[1][2],
        ),
    ]
    assert told(Kind.RETURN_DUE)[1][2].startswith("/o/supplier-b/")
    assert (result.due, result.overdue) == (2, 0)
    assert reminders_send(today=due_day).due == 0  # a second run tells nobody

    overdue_day = first.return_due_date + timedelta(days=3)
    result = reminders_send(today=overdue_day)
    assert told(Kind.RETURN_OVERDUE)[0] == (
        tenant_a.supplier_user.email,
        f"Delivery return overdue: A-001, {first.label}",
        f"/o/supplier-a/agreements/{tenant_a.agreement.pk}/returns/new/?period={first.pk}",
    )
    assert (result.due, result.overdue) == (0, 2)
    count = Notification.objects.count()
    again = reminders_send(today=overdue_day)
    assert (again.due, again.overdue, again.deadlines) == (0, 0, 0)
    assert Notification.objects.count() == count == 4
    # Each supplier is told about its own agreement only, in its own organisation.
    for notification in Notification.objects.filter(recipient=tenant_b.supplier_user):
        assert "B-001" in notification.title and notification.organisation == tenant_b.supplier
    # Long overdue (past the window) is left to the delivery chasers.
    assert reminders_send(today=first.return_due_date + timedelta(days=40)).overdue == 0


def test_a_submitted_return_is_not_chased(tenant_a: Tenant) -> None:
    delivery_return = submitted_return(tenant_a)
    assert delivery_return.period is not None
    reminders_send(today=delivery_return.period.return_due_date - timedelta(days=2))
    assert not Notification.objects.filter(kind=Kind.RETURN_DUE, subject_id=str(delivery_return.period.pk)).exists()


def test_a_passed_tender_deadline_tells_the_evaluators_once(
    tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    world = procurement_published(tenant_a.buyer, deadline_passed=True)
    evaluator = factories.member_user(tenant_a.buyer, Role.EVALUATOR)
    second = factories.member_user(tenant_a.buyer, Role.EVALUATOR)
    factories.member_user(tenant_a.buyer, Role.EVALUATOR)  # not assigned: not told
    for criterion in world.scored:
        EvaluatorAssignment.objects.create(
            organisation=tenant_a.buyer, procurement=world.procurement, criterion=criterion, evaluator=evaluator
        )
    EvaluatorAssignment.objects.create(
        organisation=tenant_a.buyer, procurement=world.procurement, criterion=world.scored[0], evaluator=second
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications", "reminders")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications", "reminders")
    link = f"/o/council-a/procurements/{world.procurement.pk}/scoring/"
    title = f"Tenders are ready to evaluate: PROC-001 {world.procurement.title}"
    assert told(Kind.TENDER_DEADLINE_PASSED) == [(evaluator.email, title, link), (second.email, title, link)]
    assert len([email for email in mail.outbox if email.subject == title]) == 2


# --- Once only ------------------------------------------------------------------------------------------


def test_an_event_handled_twice_and_an_email_sent_twice_go_once(
    tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submitted_return(tenant_a)
    event = AuditEvent.objects.get(action=AuditAction.RETURN_SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services_events.event_notify(event.pk)
    assert Notification.objects.count() == 1
    notification = Notification.objects.get()
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_SENT).count() == 1


def test_a_rolled_back_change_tells_nobody(tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        services_returns.return_submit(
            actor=tenant_a.supplier_user,
            member=tenant_a.supplier_member(),
            agreement=tenant_a.agreement,
            quantities={tenant_a.commitments[0].pk: Decimal("-1")},
            narrative="",
        )
    assert not Notification.objects.exists() and not mail.outbox


# --- Choices, the digest and unsubscribing ----------------------------------------------------------


def test_a_digest_person_gets_one_email_a_day_with_everything(
    tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    services.preferences_set(actor=tenant_a.supplier_user, choices={Kind.LINE_QUERIED: Delivery.DIGEST})
    delivery_return = submitted_return(tenant_a)
    lines = list(delivery_return.lines.order_by("pk"))
    with django_capture_on_commit_callbacks(execute=True):
        review(tenant_a, lines[0], LineStatus.QUERIED, "Which site?")
        review(tenant_a, lines[1], LineStatus.QUERIED, "Which dates?")
    assert Notification.objects.filter(kind=Kind.LINE_QUERIED, delivery=Delivery.DIGEST).count() == 2
    assert not mail.outbox  # nothing straight away

    call_command("notifications", "digest", "--today", "2026-12-07")
    call_command("notifications", "digest", "--today", "2026-12-07")

    (email,) = mail.outbox
    assert email.to == [tenant_a.supplier_user.email]
    assert email.subject.endswith("your daily summary (2 new)")
    assert f"/o/supplier-a/return-lines/{lines[0].pk}/answer/" in email.body
    assert f"/o/supplier-a/return-lines/{lines[1].pk}/answer/" in email.body
    assert DigestSend.objects.get().items == 2
    assert Notification.objects.filter(digested_at__isnull=True).count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_DIGEST_SENT).count() == 1


def test_a_kind_turned_off_is_listed_but_not_emailed_and_a_mandatory_kind_cannot_be_turned_off(
    tenant_a: Tenant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    services.preferences_set(actor=tenant_a.manager, choices={Kind.RETURN_SUBMITTED: Delivery.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        submitted_return(tenant_a)
    assert Notification.objects.get().delivery == Delivery.OFF and not mail.outbox
    with pytest.raises(ApplicationError) as refused:
        services.preferences_set(actor=tenant_a.supplier_user, choices={Kind.LINE_REJECTED: Delivery.OFF})
    assert "cannot be turned off" in refused.value.field_errors[Kind.LINE_REJECTED]
    assert not NotificationPreference.objects.filter(user=tenant_a.supplier_user).exists()
    with pytest.raises(ApplicationError):
        services.preferences_set(actor=tenant_a.manager, choices={"made_up": Delivery.OFF})


def test_the_unsubscribe_link_asks_then_turns_that_kind_off(client: Client, tenant_a: Tenant) -> None:
    url = links.unsubscribe_path(tenant_a.manager, Kind.RETURN_SUBMITTED)
    page = client.get(url)
    assert page.status_code == 200 and "Stop these emails?" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # a GET changes nothing
    done = client.post(url)
    assert done.status_code == 200 and "Emails stopped" in done.content.decode()
    assert NotificationPreference.objects.get(user=tenant_a.manager).delivery == Delivery.OFF
    # A changed token, and a kind that cannot be turned off, change nothing.
    assert client.post(url[:-3] + "xx/").status_code == 400
    mandatory = links.unsubscribe_path(tenant_a.supplier_user, Kind.LINE_REJECTED)
    assert client.post(mandatory).status_code == 400
    assert not NotificationPreference.objects.filter(user=tenant_a.supplier_user).exists()


def test_the_preferences_page_saves_choices_and_refuses_off_for_a_mandatory_kind(
    client: Client, tenant_a: Tenant
) -> None:
    client.force_login(tenant_a.supplier_user)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert "A line of your return is rejected" in page and "This one cannot be turned off." in page
    assert "A delivery return is submitted" not in page  # a council's kind: never sent to a supplier
    client.force_login(tenant_a.manager)
    page = client.get(url).content.decode()
    assert "A delivery return is submitted" in page and "A line of your return is rejected" not in page
    client.force_login(tenant_a.supplier_user)
    choices = {kind: Delivery.IMMEDIATE for kind in Kind.values}
    bad = client.post(url, {**choices, Kind.LINE_REJECTED: Delivery.OFF})
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    assert not NotificationPreference.objects.exists()
    good = client.post(url, {**choices, Kind.RETURN_DUE: Delivery.DIGEST})
    assert good.status_code == 302
    assert NotificationPreference.objects.get(user=tenant_a.supplier_user, kind=Kind.RETURN_DUE).delivery == "digest"
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_PREFERENCES_CHANGED).count() == 1


# --- The list --------------------------------------------------------------------------------------------


def _notification(tenant: Tenant, user: Any, title: str) -> Notification:
    (made,) = services.notify(
        kind=Kind.RETURN_SUBMITTED,
        subject=tenant.agreement,
        recipients=[user],
        organisation=tenant.buyer,
        title=title,
        body="Body of " + title,
        link=f"/o/{tenant.buyer.slug}/agreements/{tenant.agreement.pk}/",
        key=title,
    )
    return made


def test_the_list_shows_a_person_their_own_the_header_counts_unread_and_mark_read_works(
    client: Client, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    mine = _notification(tenant_a, tenant_a.manager, "Tenant A's own notice")
    _notification(tenant_a, tenant_a.manager, "Tenant A's second notice")
    theirs = _notification(tenant_b, tenant_b.manager, "Tenant B's secret notice")
    client.force_login(tenant_a.manager)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Tenant A&#x27;s own notice" in page and "Tenant B" not in page
    assert "You have 2 unread." in page
    assert '2<span class="govuk-visually-hidden"> unread</span>' in page  # the header's count
    assert 'class="app-table-scroll" role="region"' in page

    # Someone else's notification: 404, and it stays unread.
    assert client.post(reverse("notifications:read", kwargs={"pk": theirs.pk})).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None

    opened = client.post(reverse("notifications:read", kwargs={"pk": mine.pk}), {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == mine.link
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert "You have 1 unread." in client.get(reverse("notifications:list")).content.decode()
    client.post(reverse("notifications:read-all"))
    assert Notification.objects.filter(recipient=tenant_a.manager, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_READ).count() == 2


def test_the_notification_pages_ask_to_sign_in(client: Client) -> None:
    for name in ("notifications:list", "notifications:preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_an_inactive_person_is_not_told(tenant_a: Tenant) -> None:
    tenant_a.manager.is_active = False
    tenant_a.manager.save(update_fields=["is_active"])
    assert (
        services.notify(
            kind=Kind.RETURN_SUBMITTED,
            subject=tenant_a.agreement,
            recipients=[tenant_a.manager],
            organisation=tenant_a.buyer,
            title="t",
            body="b",
            link="/",
        )
        == []
    )


# --- Committed, on PostgreSQL's row locks -----------------------------------------------------------------


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads at once (each with its own connection) and return their results. SQLite
    locks the whole file rather than rows, so there the calls run one after the other: the guards against
    doubles are the same, the race itself is only run on PostgreSQL."""
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        return [call() for call in calls]

    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_tell_each_supplier_once_committed() -> None:
    from .conftest import make_tenant

    tenant = make_tenant("A")
    second_supplier_contact = factories.member_user(tenant.supplier, Role.SUPPLIER_CONTACT)
    first, second, *_ = _periods(tenant)
    for today, kind, period in [
        (first.return_due_date - timedelta(days=3), Kind.RETURN_DUE, first),
        (first.return_due_date + timedelta(days=3), Kind.RETURN_OVERDUE, first),
    ]:
        run = partial(reminders_send, today=today)
        results = _together(run, run)
        told_now = [result.due + result.overdue for result in results]
        assert sorted(told_now) in ([0, 2], [1, 1])  # two contacts, each told by one of the runs
        rows = Notification.objects.filter(kind=kind, subject_id=str(period.pk))
        assert sorted(rows.values_list("recipient", flat=True)) == sorted(
            [tenant.supplier_user.pk, second_supplier_contact.pk]
        )
    assert not Notification.objects.filter(subject_id=str(second.pk)).exists()
    sent = [(email.to[0], email.subject) for email in mail.outbox]
    assert len(sent) == len(set(sent)) == Notification.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_submitted_return_tells_once_and_two_email_workers_send_once_committed() -> None:
    from .conftest import make_tenant

    tenant = make_tenant("A")
    submitted_return(tenant)  # committed: the notification is made after commit, its email sent by the task
    notification = Notification.objects.get(kind=Kind.RETURN_SUBMITTED)
    assert notification.emailed_at is not None and len(mail.outbox) == 1
    Notification.objects.filter(pk=notification.pk).update(emailed_at=None)  # as if not yet sent
    mail.outbox.clear()
    results = _together(
        lambda: services.notification_email_send(notification_id=notification.pk),
        lambda: services.notification_email_send(notification_id=notification.pk),
    )
    assert sorted(results) == [False, True] and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_send_one_email_committed() -> None:
    from .conftest import make_tenant

    tenant = make_tenant("A")
    services.preferences_set(actor=tenant.manager, choices={Kind.RETURN_SUBMITTED: Delivery.DIGEST})
    submitted_return(tenant)
    assert not mail.outbox
    day = date(2026, 12, 7)
    _together(lambda: services.digest_send(today=day), lambda: services.digest_send(today=day))
    assert len(mail.outbox) == 1 and DigestSend.objects.count() == 1
    assert Notification.objects.get().digested_at is not None
    assert timezone.now() >= Notification.objects.get().created_at
