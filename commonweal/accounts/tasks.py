"""Background work for accounts: emails go out from the task worker, not the web request."""

from django.core.mail import send_mail
from django_tasks import task


@task()
def email_send(*, to: str, subject: str, body: str) -> None:
    send_mail(subject, body, None, [to])
