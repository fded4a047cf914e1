"""Background work for reporting: a published version's PDF is made by the task worker, once, so that
downloading it serves a stored file (tens of seconds of layout for a large council's report); and the
open years' budget figures are worked out again after each change, so the pages read stored figures."""

from django_tasks import task

from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from . import selectors_budget, services_report
from .models import FiguresVersion, FinancialYear, ReportVersion


@task()
def version_pdf_task(*, organisation_id: int, version_id: int) -> None:
    organisation = Organisation.objects.get(pk=organisation_id)
    version = ReportVersion.objects.get(organisation=organisation, pk=version_id)
    services_report.version_pdf_store(member=Member.system(organisation), version=version)


@task()
def figures_refresh_task(*, organisation_id: int) -> None:
    """Work the organisation's open years' figures out again and store them (`figures_store.py`), so the
    budget pages after a change read them instead of waiting. Later changes queue a task of their own."""
    FiguresVersion.objects.filter(organisation_id=organisation_id).update(refresh_queued=False)
    for year in FinancialYear.objects.filter(organisation_id=organisation_id, frozen__isnull=True).select_related(
        "organisation", "value_set"
    ):
        selectors_budget.figures_current(year=year)
