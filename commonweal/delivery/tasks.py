"""Background work for delivery: chasing overdue returns from the task worker (and `commonweal delivery remind`)."""

from datetime import date

from django_tasks import task

from commonweal.tenancy.selectors import Member

from . import selectors_status, services_status


def overdue_reminders_run(*, today: date) -> services_status.ReminderResult:
    """Chase overdue returns for every buyer that has one, each as `Member.system(buyer)`, so a run acts
    for one organisation at a time and for no other."""
    result = services_status.ReminderResult()
    for buyer in selectors_status.overdue_buyer_list(today=today):
        result.extend(services_status.overdue_reminders_send(actor=None, member=Member.system(buyer), today=today))
    return result


@task()
def overdue_reminders_send(*, today: str = "") -> dict[str, int]:
    """Run the reminder service for `today` (an ISO date; the worker's today in Europe/London if empty)."""
    result = overdue_reminders_run(today=date.fromisoformat(today) if today else selectors_status.today_local())
    return {"reminders": len(result.reminders), "escalations": len(result.escalations), "failed": len(result.failed)}
