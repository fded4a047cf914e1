"""Background work goes through the real database task queue and the `db_worker` command."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_password_reset_email_is_queued_then_sent_by_the_worker(client, tenant_a):
    with override_settings(TASKS=DATABASE_TASKS):  # django-tasks resets its backends on this signal
        client.post(reverse("accounts:password-reset"), {"email": tenant_a.manager.email})
        assert mail.outbox == []  # not sent inside the request
        queued = DBTaskResult.objects.get()
        assert queued.status == "READY"

        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert [message.to for message in mail.outbox] == [[tenant_a.manager.email]]
    assert "Reset your" in mail.outbox[0].subject
