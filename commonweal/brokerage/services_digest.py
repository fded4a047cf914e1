"""The weekly digest: each supplier with unmet commitments gets one email a week listing the open needs that
match them (outcomes it still owes, then place, then size). Sending twice in the same week sends once: each
week's digest is kept (`NeedDigest`), under a lock on the supplier's row. Run by `commonweal brokerage
digest` and the task in tasks.py, as `Member.system(supplier)`."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from commonweal.core.audit import audit_record
from commonweal.core.models import AuditAction
from commonweal.tenancy.models import Membership, Organisation, Role
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import NeedDigest
from .rules import place_text
from .selectors_needs import need_match_list


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class DigestOutcome:
    supplier: str
    state: str  # "sent", "already_sent" or "nothing_to_send"
    needs: int


@transaction.atomic
def digest_send(*, member: Member, today: date) -> DigestOutcome:
    """Send the supplier's digest for the week holding `today`, unless it went already or nothing matches."""
    permission_require(member, Permission.PLEDGE)
    supplier = Organisation.objects.select_for_update().get(pk=member.organisation.pk)
    monday = week_start(today)
    if NeedDigest.objects.filter(organisation=supplier, week_start=monday).exists():
        return DigestOutcome(supplier.name, "already_sent", 0)
    matches = need_match_list(member=member, limit=10)
    recipients = sorted(
        Membership.objects.filter(organisation=supplier, role=Role.SUPPLIER_CONTACT).values_list(
            "user__email", flat=True
        )
    )
    if not matches or not recipients:
        return DigestOutcome(supplier.name, "nothing_to_send", 0)
    body = render_to_string(
        "brokerage/email/digest.txt",
        {
            "supplier": supplier,
            "week": monday,
            "items": [(match, place_text(match.need.place_code)) for match in matches],
            "site": getattr(settings, "SITE_URL", ""),
        },
    )
    digest = NeedDigest.objects.create(
        organisation=supplier,
        week_start=monday,
        sent_to=recipients,
        needs=[match.need.reference for match in matches],
    )
    # Sent inside the transaction: if sending fails, nothing is recorded and the next run tries again.
    send_mail(f"Community needs that match your commitments: week of {monday:%-d %B %Y}", body, None, recipients)
    audit_record(
        actor=None,
        organisation=supplier,
        action=AuditAction.NEED_DIGEST_SENT,
        target=digest,
        after={"week_start": monday.isoformat(), "sent_to": recipients, "needs": digest.needs},
    )
    return DigestOutcome(supplier.name, "sent", len(matches))
