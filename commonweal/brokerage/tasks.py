"""Background work for the wish list: the weekly digest of matching needs (and `commonweal brokerage digest`),
and closing needs past their expiry date."""

from datetime import date

from django.utils import timezone
from django_tasks import task

from commonweal.tenancy.selectors import Member

from . import selectors_needs, services_digest, services_needs


def digests_run(*, today: date) -> list[services_digest.DigestOutcome]:
    """Send each supplier with unmet commitments its digest, each as `Member.system(supplier)`, so a run acts
    for one organisation at a time and for no other."""
    return [
        services_digest.digest_send(member=Member.system(supplier), today=today)
        for supplier in selectors_needs.digest_supplier_list()
    ]


def expiry_run(*, today: date) -> int:
    """Close the needs past their expiry date on every wish list, each as `Member.system(host)`."""
    return sum(
        len(services_needs.needs_expire(member=Member.system(host), today=today))
        for host in selectors_needs.expired_host_list(today=today)
    )


@task()
def digests_send(*, today: str = "") -> dict[str, int]:
    """Run the digest for `today` (an ISO date; the worker's today in Europe/London if empty)."""
    outcomes = digests_run(today=date.fromisoformat(today) if today else timezone.localdate())
    return {
        state: sum(1 for o in outcomes if o.state == state) for state in ("sent", "already_sent", "nothing_to_send")
    }


@task()
def needs_expire(*, today: str = "") -> dict[str, int]:
    return {"closed": expiry_run(today=date.fromisoformat(today) if today else timezone.localdate())}
