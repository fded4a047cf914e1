"""Background work for delivery: chasing overdue returns from the task worker."""

from datetime import date

from django_tasks import task

from . import selectors_status, services_followup


@task()
def overdue_reminders_send(*, today: str = "") -> dict[str, int]:
    """Run the reminder service for `today` (an ISO date; the worker's today in Europe/London if empty)."""
    result = services_followup.overdue_reminders_send(
        today=date.fromisoformat(today) if today else selectors_status.today_local()
    )
    return {"reminders": len(result.reminders), "escalations": len(result.escalations), "failed": len(result.failed)}
