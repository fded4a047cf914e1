"""Reads for clarifications: the answers published to every bidder (never who asked), a supplier's own
questions, and the buyer's planners' view of every question with who asked."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from commonweal.tenancy.permissions import Permission
from commonweal.tenancy.selectors import Member

from .models import Clarification, Procurement


def clarifications_published(*, procurement: Procurement) -> QuerySet[Clarification]:
    """Answered questions, as the buyer worded them; never who asked."""
    return procurement.clarifications.exclude(answer="").order_by("answered_at", "id")


def clarifications_asked_by(*, member: Member, procurement: Procurement) -> QuerySet[Clarification]:
    return procurement.clarifications.filter(supplier=member.organisation).order_by("created_at", "id")


def clarification_deadline_passed(procurement: Procurement) -> bool:
    deadline = procurement.clarification_deadline
    return deadline is not None and timezone.now() >= deadline


def clarification_list_for_buyer(*, member: Member, procurement: Procurement) -> QuerySet[Clarification]:
    """Every question on the buyer's procurement, with who asked (for the buyer's people only)."""
    if not member.may(Permission.PLAN_PROCUREMENTS) or procurement.organisation_id != member.organisation.pk:
        raise Http404("No such procurement.")
    return procurement.clarifications.select_related("supplier", "asked_by", "answered_by").order_by("created_at", "id")


def clarification_get_for_buyer(*, member: Member, pk: int) -> Clarification:
    if not member.may(Permission.PLAN_PROCUREMENTS):
        raise Http404("No such clarification.")
    try:
        return Clarification.objects.select_related("procurement", "supplier", "asked_by").get(
            pk=pk, organisation=member.organisation
        )
    except Clarification.DoesNotExist:
        raise Http404("No such clarification.") from None


def clarifications_awaiting_answer(procurement: Procurement) -> int:
    return procurement.clarifications.filter(answer="").count()
