"""Overdue returns: the list for buyer and supplier, reminders and escalations by email (each once), the
background task and `commonweal delivery remind`."""

import io
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse

from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery import services_status, tasks
from commonweal.delivery.models import ReminderKind, ReportingPeriod, ReturnReminder, ReturnState
from commonweal.delivery.selectors_status import overdue_return_list
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import Member

from . import factories
from .conftest import Tenant
from .delivery_status_helpers import period_make, return_make, schedule_agreement, today_fix

Q1 = "Quarter 1 (April to June 2026)"
Q2 = "Quarter 2 (July to September 2026)"
Q3 = "Quarter 3 (October to December 2026)"


@pytest.fixture
def quarters(tenant_a: Tenant) -> dict[str, ReportingPeriod]:
    """Tenant A's first three quarters: Q1's return submitted, Q2's missing, Q3's only a draft."""
    agreement = schedule_agreement(tenant_a, contract_manager=tenant_a.manager, escalation_days=14)
    periods = {
        Q1: period_make(agreement, Q1, date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 14)),
        Q2: period_make(agreement, Q2, date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 14)),
        Q3: period_make(agreement, Q3, date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 14)),
    }
    return_make(tenant_a, period=periods[Q1])
    return_make(tenant_a, period=periods[Q3], state=ReturnState.DRAFT)
    return periods


def chase(tenant: Tenant, today: date) -> services_status.ReminderResult:
    """Run the reminders for the tenant's buyer, as the command and the task do."""
    return services_status.overdue_reminders_send(actor=None, member=Member.system(tenant.buyer), today=today)


def labels(rows: list[Any]) -> list[tuple[str, int, bool]]:
    return [(row.period.label, row.days_overdue, row.draft_started) for row in rows]


def test_a_period_is_overdue_once_its_due_date_passes_without_a_submitted_return(
    tenant_a: Tenant, quarters: dict[str, ReportingPeriod]
) -> None:
    member = tenant_a.manager_member()
    assert labels(overdue_return_list(member=member, today=date(2026, 10, 14))) == []  # due today: not yet
    assert labels(overdue_return_list(member=member, today=date(2026, 10, 15))) == [(Q2, 1, False)]
    # A draft is not a return: Q3 is overdue too once its due date has passed. Only the supplier is
    # told a draft was started (drafts are private to it until submitted).
    assert labels(overdue_return_list(member=member, today=date(2027, 1, 20))) == [(Q2, 98, False), (Q3, 6, False)]
    assert labels(overdue_return_list(member=tenant_a.supplier_member(), today=date(2027, 1, 20))) == [
        (Q2, 98, False),
        (Q3, 6, True),
    ]


def test_other_tenants_see_none_of_tenant_a_overdue_returns(
    tenant_a: Tenant, tenant_b: Tenant, quarters: dict[str, ReportingPeriod]
) -> None:
    assert overdue_return_list(member=tenant_b.manager_member(), today=date(2027, 1, 20)) == []
    assert overdue_return_list(member=tenant_b.supplier_member(), today=date(2027, 1, 20)) == []


@pytest.mark.parametrize(
    ("role", "slug", "party"), [("manager", "council-a", "Supplier A Ltd"), ("supplier", "supplier-a", "Council A")]
)
def test_the_overdue_page_lists_them_for_buyer_and_supplier(
    client: Client,
    tenant_a: Tenant,
    quarters: dict[str, ReportingPeriod],
    monkeypatch: pytest.MonkeyPatch,
    role: str,
    slug: str,
    party: str,
) -> None:
    today_fix(monkeypatch, date(2026, 10, 20))
    client.force_login(tenant_a.manager if role == "manager" else tenant_a.supplier_user)
    response = client.get(reverse("delivery:overdue-returns", kwargs={"org": slug}))
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "1 overdue return, oldest first" in text
    assert f'A-001</a><br><span class="govuk-hint govuk-!-font-size-16">{tenant_a.agreement.title}</span>' in text
    assert f'<td class="govuk-table__cell">{party}</td>' in text
    assert "14 October 2026" in text
    assert '<td class="govuk-table__cell app-table-numeric">6</td>' in text
    assert "No reminder yet" in text and "Escalates on 28 October 2026" in text


def test_reminders_go_to_the_supplier_contacts_once_then_escalate_once(
    tenant_a: Tenant, quarters: dict[str, ReportingPeriod], settings: Any
) -> None:
    settings.SITE_URL = "https://social-value.example.gov.uk"
    colleague = factories.member_user(tenant_a.supplier, Role.SUPPLIER_CONTACT)
    supplier_emails = sorted([tenant_a.supplier_user.email, colleague.email])

    result = chase(tenant_a, date(2026, 10, 15))
    assert result.reminders == [("A-001", Q2, supplier_emails)]
    assert result.escalations == []
    assert len(mail.outbox) == 1
    reminder = mail.outbox[0]
    assert reminder.to == supplier_emails
    assert reminder.subject == f"Delivery return overdue: A-001, {Q2}"
    assert f"Your delivery return for A-001 {tenant_a.agreement.title} is overdue." in reminder.body
    assert "Return due: 14 October 2026 (1 day ago)" in reminder.body
    assert f"https://social-value.example.gov.uk/o/supplier-a/agreements/{tenant_a.agreement.pk}/" in reminder.body
    assert "within 14 days of its due date, Council A's contract manager will be told" in reminder.body

    # Once only: the next day's run sends nothing new.
    assert chase(tenant_a, date(2026, 10, 16)).reminders == []
    assert len(mail.outbox) == 1

    # 13 days overdue: not yet escalated; 14 days: escalated to the agreement's contract manager, once.
    assert chase(tenant_a, date(2026, 10, 27)).escalations == []
    result = chase(tenant_a, date(2026, 10, 28))
    assert result.escalations == [("A-001", Q2, [tenant_a.manager.email])]
    escalation = mail.outbox[1]
    assert escalation.to == [tenant_a.manager.email]
    assert escalation.subject == "Escalation: Supplier A Ltd has not sent its delivery return for A-001"
    assert "Return due: 14 October 2026 (14 days overdue)" in escalation.body
    assert "https://social-value.example.gov.uk/o/council-a/overdue-returns/" in escalation.body
    assert chase(tenant_a, date(2026, 11, 30)).escalations == []
    assert len(mail.outbox) == 2

    assert list(ReturnReminder.objects.values_list("period__label", "kind", "sent_to")) == [
        (Q2, ReminderKind.REMINDER, supplier_emails),
        (Q2, ReminderKind.ESCALATION, [tenant_a.manager.email]),
    ]
    assert list(AuditEvent.objects.filter(action__startswith="return.re").values_list("action", "actor_label")) == [
        (AuditAction.RETURN_REMINDER_SENT, "system")
    ]
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.RETURN_ESCALATION_SENT, trail_id=str(tenant_a.agreement.pk)
        ).count()
        == 1
    )


def test_escalation_days_come_from_the_agreement(tenant_a: Tenant, quarters: dict[str, ReportingPeriod]) -> None:
    tenant_a.agreement.escalation_days = 0
    tenant_a.agreement.save(update_fields=["escalation_days"])
    result = chase(tenant_a, date(2026, 10, 15))
    assert (len(result.reminders), len(result.escalations)) == (1, 1)


def test_without_a_named_contract_manager_the_buyer_contract_managers_are_told(
    tenant_a: Tenant, quarters: dict[str, ReportingPeriod]
) -> None:
    tenant_a.agreement.contract_manager = None
    tenant_a.agreement.save(update_fields=["contract_manager"])
    other = factories.member_user(tenant_a.buyer, Role.CONTRACT_MANAGER)
    factories.member_user(tenant_a.buyer, Role.VIEWER)  # not told
    result = chase(tenant_a, date(2026, 11, 1))
    assert result.escalations == [("A-001", Q2, sorted([tenant_a.manager.email, other.email]))]


def test_a_submitted_return_stops_the_chasing(tenant_a: Tenant, quarters: dict[str, ReportingPeriod]) -> None:
    return_make(tenant_a, period=quarters[Q2])
    assert chase(tenant_a, date(2026, 11, 1)).reminders == []
    assert mail.outbox == []


def test_a_chase_already_recorded_is_not_sent_again(tenant_a: Tenant, quarters: dict[str, ReportingPeriod]) -> None:
    # As if another run recorded it between this run's read and its write: the unique constraint holds.
    ReturnReminder.objects.create(organisation=tenant_a.buyer, period=quarters[Q2], kind=ReminderKind.REMINDER)
    assert not services_status._send_once(
        actor=None,
        period=quarters[Q2],
        kind=ReminderKind.REMINDER,
        recipients=["x@example.org"],
        today=date(2026, 10, 15),
    )
    assert mail.outbox == []
    assert ReturnReminder.objects.count() == 1


def test_a_failed_send_records_nothing_and_is_tried_again(
    tenant_a: Tenant, quarters: dict[str, ReportingPeriod], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("the mail server refused the connection")

    monkeypatch.setattr(services_status, "send_mail", refuse)
    result = chase(tenant_a, date(2026, 10, 15))
    assert result.reminders == []
    assert result.failed == [("A-001", Q2, "reminder not sent: the mail server refused the connection")]
    assert ReturnReminder.objects.count() == 0
    monkeypatch.undo()
    assert len(chase(tenant_a, date(2026, 10, 16)).reminders) == 1


def test_a_supplier_without_contacts_is_reported_not_emailed(
    tenant_a: Tenant, quarters: dict[str, ReportingPeriod]
) -> None:
    tenant_a.supplier.memberships.all().delete()
    result = chase(tenant_a, date(2026, 10, 15))
    assert result.without_recipients == [("A-001", Q2, "no supplier contact")]
    assert ReturnReminder.objects.count() == 0


def test_the_task_runs_the_reminders(tenant_a: Tenant, quarters: dict[str, ReportingPeriod]) -> None:
    result = tasks.overdue_reminders_send.enqueue(today="2026-10-28")
    assert result.return_value == {"reminders": 1, "escalations": 1, "failed": 0}
    assert [message.to for message in mail.outbox] == [[tenant_a.supplier_user.email], [tenant_a.manager.email]]


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_the_task_goes_through_the_database_queue_and_the_worker(tenant_a: Tenant) -> None:
    agreement = schedule_agreement(tenant_a)
    period_make(agreement, Q2, date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 14))
    with override_settings(TASKS=DATABASE_TASKS):
        tasks.overdue_reminders_send.enqueue(today="2026-10-15")
        assert mail.outbox == []
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    assert [message.subject for message in mail.outbox] == [f"Delivery return overdue: A-001, {Q2}"]


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("delivery", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_remind_command_runs_for_cron(tenant_a: Tenant, quarters: dict[str, ReportingPeriod]) -> None:
    out, err = run("remind", "--today", "2026-10-28")
    assert out == (
        f"Reminder: A-001, {Q2} → {tenant_a.supplier_user.email}\n"
        f"Escalation: A-001, {Q2} → {tenant_a.manager.email}\n"
        "1 reminder and 1 escalation sent for 28 October 2026.\n"
    )
    assert err == ""
    out, _ = run("remind", "--today", "2026-10-29")
    assert out == "0 reminders and 0 escalations sent for 29 October 2026.\n"


def test_the_remind_command_refuses_a_bad_date(db: None) -> None:
    with pytest.raises(CommandError, match="“28/10/2026” is not a date like 2026-07-15."):
        run("remind", "--today", "28/10/2026")
