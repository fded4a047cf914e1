"""Background work for notifications: each email goes out from the task worker, not the web request."""

from django_tasks import task

from . import services


@task()
def notification_email_task(*, notification_id: int) -> bool:
    """Email one notification (once: a second run finds it sent)."""
    return services.notification_email_send(notification_id=notification_id)
