"""Reads for notifications: a person's own list and unread count, their choices, and who is told what.

Recipients are always people of the organisation the notification is for: a supplier's contacts for its
own tender or return, a buyer's contract managers or evaluators for its own agreement or procurement.
"""

from django.db.models import Q, QuerySet

from commonweal.accounts.models import User
from commonweal.delivery.models import Agreement
from commonweal.procurement.models import Bid, Clarification, EvaluatorAssignment, Procurement
from commonweal.tenancy.models import Organisation, Role

from .kinds import RULES, Delivery
from .models import Notification, NotificationPreference


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.for_recipient(user).select_related("organisation")


def unread_count(*, user: User) -> int:
    return Notification.objects.for_recipient(user).unread().count()


def preferences_get(*, user: User) -> dict[str, str]:
    """The person's choice for each kind that may come to them, by the kinds of organisation they belong
    to (every kind if none applies); straight away where they made no choice."""
    sides = set(Organisation.objects.filter(memberships__user=user).values_list("kind", flat=True))
    kinds = [kind for kind, rule in RULES.items() if rule.side in sides] or list(RULES)
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, Delivery.IMMEDIATE) for kind in kinds}


def contacts_of(organisation: Organisation, role: str) -> QuerySet[User]:
    return (
        User.objects.filter(memberships__organisation=organisation, memberships__role=role, is_active=True)
        .distinct()
        .order_by("pk")
    )


def supplier_contacts(supplier: Organisation) -> QuerySet[User]:
    return contacts_of(supplier, Role.SUPPLIER_CONTACT)


def contract_managers(agreement: Agreement) -> list[User]:
    """The agreement's named contract manager or, if none is named (or they have left), the buyer's."""
    manager = agreement.contract_manager
    if manager is not None and manager.is_active:
        return [manager]
    return list(contacts_of(agreement.organisation, Role.CONTRACT_MANAGER))


def bidding_suppliers(procurement: Procurement) -> QuerySet[Organisation]:
    """Every supplier with a tender (draft or submitted) for the procurement, or that asked a question."""
    bidders = Bid.objects.filter(procurement=procurement).values("supplier")
    askers = Clarification.objects.filter(procurement=procurement).values("supplier")
    return Organisation.objects.filter(Q(pk__in=bidders) | Q(pk__in=askers)).order_by("pk")


def evaluators(procurement: Procurement) -> QuerySet[User]:
    assigned = EvaluatorAssignment.objects.filter(procurement=procurement).values("evaluator")
    return User.objects.filter(pk__in=assigned, is_active=True).order_by("pk")
