"""`commonweal db_worker`: django-tasks-db's worker, which first puts right what stopped half way
(`commonweal.core.recovery`) and names itself by host and process so the next worker can tell it ended."""

from argparse import ArgumentParser
from typing import Any

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from commonweal.core.recovery import recovery_run
from commonweal.core.services_tasks import worker_id


class Command(WorkerCommand):
    help = "Run the task worker, after recovering tasks a stopped worker or command left half done"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id(get_random_string(12)))

    def handle(self, *args: Any, **options: Any) -> None:
        for line in recovery_run():
            self.stdout.write(line)
        super().handle(*args, **options)
