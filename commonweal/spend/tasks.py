"""Background work for spend: an uploaded file is imported by the task worker, not the web request.

A task takes ids and acts as `Member.system(organisation)`, on behalf of the person who uploaded the
file (the actor its audit events name).
"""

from django_tasks import task

from commonweal.accounts.models import User
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from . import services_imports


@task()
def spend_import_task(*, organisation_id: int, import_id: int, actor_id: int | None = None) -> None:
    organisation = Organisation.objects.get(pk=organisation_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    services_imports.spend_import_run(actor=actor, member=Member.system(organisation), import_id=import_id)
