"""Background work for spend: an uploaded file is imported by the task worker, not the web request."""

from django_tasks import task

from . import services_imports


@task()
def spend_import_task(*, import_id: int) -> None:
    services_imports.spend_import_run(import_id=import_id)
