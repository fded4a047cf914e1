"""Background work for reporting: a published version's PDF is made by the task worker, once, so that
downloading it serves a stored file (tens of seconds of layout for a large council's report)."""

from django_tasks import task

from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from . import services_report
from .models import ReportVersion


@task()
def version_pdf_task(*, organisation_id: int, version_id: int) -> None:
    organisation = Organisation.objects.get(pk=organisation_id)
    version = ReportVersion.objects.get(organisation=organisation, pk=version_id)
    services_report.version_pdf_store(member=Member.system(organisation), version=version)
