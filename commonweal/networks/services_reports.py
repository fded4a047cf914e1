"""Publishing a quarterly network report: the coordinator publishes the quarter's figures as they stand,
kept exactly (a member that withdraws later is marked on it, its published figures stay)."""

from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .figures import network_figures
from .models import NetworkReport
from .rules import Quarter


@transaction.atomic
def report_publish(*, actor: User | None, member: Member, quarter: str, summary: str = "") -> NetworkReport:
    permission_require(member, Permission.MANAGE_NETWORK)
    network = member.organisation
    try:
        period = Quarter.parse(quarter)
    except ApplicationError as error:
        raise ApplicationError(error.message, field_errors={"quarter": error.message}) from None
    refusal = ""
    existing = NetworkReport.objects.filter(network=network, quarter=str(period)).first()
    if period.start > timezone.localdate():
        refusal = f"{period.label} has not started: publish a quarter once it has begun"
    elif existing is not None:
        refusal = (
            f"The report for {period.label} was published on {timezone.localtime(existing.published_at):%-d %B %Y}"
        )
    if refusal:
        raise ApplicationError(refusal, field_errors={"quarter": refusal})
    figures = network_figures(network=network, quarter=period).figures
    report = NetworkReport.objects.create(
        network=network,
        quarter=str(period),
        figures=figures,
        summary=summary.strip(),
        published_at=timezone.now(),
        published_by=actor if actor and actor.pk else None,
    )
    audit_record(
        actor=actor,
        organisation=network,
        action=AuditAction.NETWORK_REPORT_PUBLISHED,
        target=report,
        after={"quarter": str(period), "members_covered": figures["members_covered"]},
    )
    return report
