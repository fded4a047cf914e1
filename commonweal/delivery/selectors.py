"""Reads for delivery. Every selector takes the member it reads for; other tenants' rows are never seen."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from commonweal.core.models import AuditEvent, AuditEventQuerySet
from commonweal.tenancy.selectors import Member

from .models import Agreement, DeliveryReturn, Evidence, ReturnLine, ReturnState


def _visible_to(member: Member) -> Q:
    """Agreements the member's organisation owns (as buyer) or is a party to (as supplier)."""
    return Q(organisation=member.organisation) | Q(supplier=member.organisation)


def agreement_list(*, member: Member) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(_visible_to(member))
        .select_related("organisation", "supplier", "framework_version__framework")
        .order_by("reference")
    )


def agreement_get(*, member: Member, pk: int) -> Agreement:
    try:
        return agreement_list(member=member).get(pk=pk)
    except Agreement.DoesNotExist:
        raise Http404("No such agreement.") from None


def return_list(*, member: Member, agreement: Agreement) -> QuerySet[DeliveryReturn]:
    """The agreement's returns: all of them to its supplier, the submitted ones to its buyer."""
    agreement = agreement_get(member=member, pk=agreement.pk)
    returns = DeliveryReturn.objects.filter(agreement=agreement)
    if agreement.supplier_id != member.organisation.pk:
        returns = returns.filter(state=ReturnState.SUBMITTED)
    return returns.select_related("submitted_by", "period").prefetch_related(
        "lines__commitment__measure", "lines__evidence", "lines__events__actor", "evidence", "case_studies"
    )


def _line_visible(member: Member, prefix: str = "") -> Q:
    """A supplier sees its returns' rows; the buyer sees them once the return is submitted (drafts are private)."""
    return Q(**{f"{prefix}delivery_return__agreement__supplier": member.organisation}) | Q(
        **{
            f"{prefix}delivery_return__agreement__organisation": member.organisation,
            f"{prefix}delivery_return__state": ReturnState.SUBMITTED,
        }
    )


def return_line_get(*, member: Member, pk: int) -> ReturnLine:
    try:
        return ReturnLine.objects.select_related(
            "delivery_return__agreement__organisation",
            "delivery_return__period",
            "commitment__measure",
            "reviewed_by",
        ).get(_line_visible(member), pk=pk)
    except ReturnLine.DoesNotExist:
        raise Http404("No such return line.") from None


def evidence_get(*, member: Member, pk: int) -> Evidence:
    try:
        return Evidence.objects.select_related("delivery_return__agreement").get(_line_visible(member), pk=pk)
    except Evidence.DoesNotExist:
        raise Http404("No such evidence.") from None


def audit_event_list(*, member: Member, agreement: Agreement) -> AuditEventQuerySet:
    agreement = agreement_get(member=member, pk=agreement.pk)
    events = AuditEvent.objects.for_trail(agreement).select_related("actor")
    if agreement.supplier_id != member.organisation.pk:
        # A draft is the supplier's own: its saves (narrative, figures, file names) stay out of the buyer's view.
        events = events.exclude(action="return.save_draft")
    return events


def return_section(*, member: Member, agreement: Agreement) -> dict[str, Any]:
    """What the agreement page's returns section shows (see selectors_returns)."""
    from .selectors_returns import return_section as section  # selectors_returns reads agreements from here

    return section(member=member, agreement=agreement)
