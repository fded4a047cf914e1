"""The budget's figures are kept between requests (`selectors_budget.budget_get`, `figures_store.py`). Every save
or delete of a row they are worked out from moves the organisation's `FiguresVersion` on, in the same
transaction, so the next request works them out again. Receivers are connected in `apps.ready`.

Writes that bypass model signals (`QuerySet.update`, `bulk_create`) must call `figures_changed` themselves."""

from typing import Any

from django.db.models import F, Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from commonweal.delivery.models import Agreement, Commitment, DeliveryReturn, Evidence, ReturnLine, Substitution
from commonweal.frameworks.models import ValueSet, ValueSetEntry
from commonweal.procurement.models import Procurement
from commonweal.tenancy.models import Department, DepartmentSpendLabel

from . import figures_store
from .models import BudgetLine, FiguresVersion, FinancialYear

# Every model whose rows the figures read, each carrying the organisation the figures belong to.
SOURCES: tuple[type[Model], ...] = (
    Agreement,
    Commitment,
    DeliveryReturn,
    ReturnLine,
    Evidence,
    Substitution,
    Procurement,
    ValueSet,
    ValueSetEntry,
    Department,
    DepartmentSpendLabel,
    FinancialYear,
    BudgetLine,
)


def figures_changed(organisation_id: int) -> None:
    """Move the organisation's figures version on (creating it the first time), and have the worker work the
    open years out again once the change commits."""
    if not FiguresVersion.objects.filter(organisation_id=organisation_id).update(number=F("number") + 1):
        FiguresVersion.objects.get_or_create(organisation_id=organisation_id, defaults={"number": 1})
    figures_store.refresh_schedule(organisation_id)


def _changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    organisation_id = getattr(instance, "organisation_id", None)
    if organisation_id is not None:
        figures_changed(organisation_id)


def _evidence_linked(sender: type[Model], instance: Model, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(sender, instance)


def connect() -> None:
    for model in SOURCES:
        post_save.connect(_changed, sender=model, dispatch_uid=f"figures-{model._meta.label}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"figures-{model._meta.label}-delete")
    m2m_changed.connect(_evidence_linked, sender=ReturnLine.evidence.through, dispatch_uid="figures-evidence-links")
