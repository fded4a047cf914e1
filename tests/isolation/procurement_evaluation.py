"""Tenant isolation registrations for evaluating tenders (commonweal/procurement/urls_evaluation.py).

Tenant A's objects: EVAL-A-001, past its deadline, with a bid of tenant A's supplier and a much lower
rival bid (flagged abnormally low); tenant A's manager (a social value lead in the isolation world) has
declared no conflict, is assigned to every scored criterion and has scored the supplier's bid on each, so
that the scoring and moderation pages and POSTs succeed. The procurement registered is EVAL-A-002, on
which the manager has neither declared nor been assigned, so that declaring and assigning succeed.

Pages of the procurement (evaluators, declaration, scoring, ...) answer 200 for any procurement of the
buyer, whatever its state, so another area's registered Procurement serves as well.
"""

from decimal import Decimal
from typing import Any

from django.db import models

from commonweal.procurement import services_evaluation
from commonweal.procurement.models import Bid, Criterion, CriterionKind, Flag, Procurement
from tests.conftest import Tenant
from tests.factories import SupplierFactory
from tests.procurement_support import bid_make, declare, procurement_published

A_JUSTIFICATION = "Tenant A evaluator justification: the Southgate depot plan"
A_RIVAL = "Tenant A rival bidder Evaluation Ltd"

LEAK_MARKERS = [A_JUSTIFICATION, A_RIVAL]

PROCUREMENT_ROUTES = ["evaluators", "declaration", "scoring", "moderation", "flags", "evaluation"]
BID_ROUTES = ["bid-detail", "score", "moderate"]

PK_MODELS: dict[str, type[models.Model]] = {
    **{f"procurement:{name}": Procurement for name in PROCUREMENT_ROUTES},
    **{f"procurement:{name}": Bid for name in BID_ROUTES},
    "procurement:flag-decide": Flag,
}

# The buyer's pages: a supplier has no procurements to evaluate.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {name: {"supplier": 404} for name in PK_MODELS}

OWNER_POST: dict[str, tuple[str, int]] = {
    "procurement:evaluators": ("manager", 302),
    "procurement:declaration": ("manager", 302),
    "procurement:score": ("manager", 302),
    "procurement:moderate": ("manager", 302),
    "procurement:flag-decide": ("manager", 302),
    "procurement:flags": ("manager", 302),
}
POST_WRITES_NOTHING: dict[str, str] = {
    "procurement:flags": "the world recorded tenant A's flags already: recording them again changes nothing",
}


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    manager = a.manager_member()
    world = procurement_published(a.buyer, reference="EVAL-A-001", deadline_passed=True)
    bid = bid_make(world, a.supplier, price="200000")
    bid_make(world, SupplierFactory.create(name=A_RIVAL), price="50000")
    procurement = world.procurement
    declare(procurement, a.manager)
    services_evaluation.evaluators_set(
        actor=a.manager,
        member=manager,
        procurement=procurement,
        chosen={criterion.pk: {a.manager.pk} for criterion in world.scored},
    )
    services_evaluation.scores_record(
        actor=a.manager,
        member=manager,
        bid=Bid.objects.get(pk=bid.pk),
        scores={criterion.pk: (Decimal("3"), A_JUSTIFICATION) for criterion in world.scored},
    )
    services_evaluation.flags_refresh(actor=a.manager, member=manager, procurement=procurement)
    flag = Flag.objects.filter(bid__procurement=procurement).order_by("pk").first()
    assert flag is not None
    second = procurement_published(a.buyer, reference="EVAL-A-002", deadline_passed=True)
    # The flags page records flags on POST: it is the procurement whose bids tenant A's manager may open.
    return {Procurement: second.procurement.pk, Bid: bid.pk, Flag: flag.pk, "procurement:flags": procurement.pk}


def post_data(tenant: Tenant) -> dict[str, Any]:
    criteria = Criterion.objects.filter(organisation=tenant.buyer).exclude(kind=CriterionKind.PRICE)
    scored = criteria.filter(procurement__reference="EVAL-A-001")
    first = scored.order_by("position", "pk").first()
    return {
        **{f"eval_assign_{criterion.pk}": [tenant.manager.pk] for criterion in criteria},
        "eval_conflict": "no",
        **{f"eval_score_{criterion.pk}": "4" for criterion in scored},
        **{f"eval_justification_{criterion.pk}": "Tenant scoring justification" for criterion in scored},
        "eval_criterion": first.pk if first is not None else "",
        "eval_consensus": "4",
        "eval_rationale": "Tenant consensus rationale",
        "eval_decision": "accepted",
        "eval_reason": "Tenant reason: the supplier explained its price",
    }
