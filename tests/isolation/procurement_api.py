"""Tenant isolation registrations for the procurement API (commonweal/api/procurement_*.py).

Each tenant gets, through the services, API-1 (a draft ready to publish, on its agreement's framework
version, with an impact row and a custom scale), API-2 (open for tenders on that version, with lots 1–3:
its supplier's complete draft bid on lot 1, a submitted bid on lot 2, lot 3 free, and a clarification
question), API-3 (past its deadline: the supplier's bid scored by the manager, who declared no conflict and
is assigned to every criterion, and a low rival bid flagged), API-4 (past its deadline, nobody assigned or
declared) and API-5 (awarded, for the assessment summary). Every route here is given its object by route
name. The manager is also the social value lead (see tests/test_tenant_isolation.py), so plans and
evaluates.

Opportunities are public notices, open to every supplier by design: their routes are NOT_TENANT_SCOPED and
an opportunity's page is given API-1, a draft, which is a 404 to every supplier (the point the walk can
check). Owner POSTs the shared form data cannot fill are registered with the refusal they get and in
POST_WRITES_NOTHING: the ask (the data changes parts without reasons: 400), an attachment (the shared
`file` is a YAML file: 400), a criterion (the shared `kind` is an agreement's: 400), moderation and the
award (the shared `criterion` and `lot` are another procurement's: 400), and recording flags (already
recorded: 200, nothing new). tests/test_api_procurement_lifecycle.py makes each of these succeed.
"""

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commonweal.frameworks.models import Outcome
from commonweal.procurement import (
    rules,
    services_bidding,
    services_clarifications,
    services_evaluation,
    services_planning,
)
from commonweal.procurement.models import (
    Award,
    Bid,
    Clarification,
    Criterion,
    CriterionKind,
    Flag,
    ImpactItem,
    Lot,
    ModeratedScore,
    Procurement,
    ScoringScale,
)
from commonweal.procurement.services_planning import ImpactInput, ProcurementInput
from tests.conftest import Tenant
from tests.factories import SupplierFactory
from tests.procurement_support import bid_make, declare, procurement_published

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
A_TITLE = "Tenant A API procurement: Westgate verges"
A_METHOD = "Tenant A API bid: the Westgate crew method"
A_QUESTION = "Tenant A API question: are the Westgate verges included?"
A_JUSTIFICATION = "Tenant A API justification: the Westgate plan"
A_RIVAL = "Tenant A API rival Verges Ltd"
LEAK_MARKERS = [A_TITLE, A_METHOD, A_QUESTION, A_JUSTIFICATION, A_RIVAL]
SECOND_OUTCOME = "API.2"

NOT_TENANT_SCOPED: dict[str, str] = {
    "api:opportunity-list": "the published procurements: public notices every supplier may read",
    "api:opportunity-detail": "a published procurement is a public notice (a draft, registered here, is a 404)",
}

DRAFT_ROUTES = [
    "api:procurement-detail",
    "api:procurement-ask",
    "api:procurement-publish",
    "api:procurement-cancel",
    "api:procurement-lot-list",
    "api:procurement-impact-list",
    "api:procurement-criterion-list",
    "api:opportunity-detail",
]
BID_ROUTES = ["api:bid-detail", "api:bid-commitment-add", "api:bid-attachment-add", "api:bid-submit"]
SCORED_PROCUREMENT_ROUTES = [
    "api:tender-list",
    "api:procurement-flags",
    "api:procurement-evaluation",
    "api:procurement-awards",
    "api:evaluation-report",
]
TENDER_ROUTES = ["api:tender-detail", "api:tender-scores", "api:tender-moderation"]
FRESH_PROCUREMENT_ROUTES = ["api:procurement-evaluators", "api:procurement-declaration"]

PK_MODELS: dict[str, Any] = {
    **{name: Procurement for name in [*DRAFT_ROUTES, *SCORED_PROCUREMENT_ROUTES, *FRESH_PROCUREMENT_ROUTES]},
    "api:clarification-list": Procurement,
    "api:procurement-lot-detail": Lot,
    "api:procurement-impact-detail": ImpactItem,
    "api:procurement-criterion-detail": Criterion,
    "api:scale-detail": ScoringScale,
    **{name: Bid for name in [*BID_ROUTES, "api:bid-reopen", *TENDER_ROUTES, "api:assessment-summary"]},
    "api:clarification-answer": Clarification,
    "api:flag-decision": Flag,
}
BUYER_ROUTES = [
    *[name for name in PK_MODELS if name not in (*BID_ROUTES, "api:bid-reopen", "api:assessment-summary")],
    "api:procurement-list",
    "api:scale-list",
]
BUYER_ROUTES.remove("api:opportunity-detail")
SUPPLIER_ROUTES = [*BID_ROUTES, "api:bid-reopen", "api:bid-list", "api:question-ask"]

# The buyer's routes are a 404 to a supplier; a supplier's bids are a 404 to the buyer. A draft is no
# opportunity: a 404 to everyone. A route that answers only POST is not read here.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    **{name: {"supplier": 404} for name in BUYER_ROUTES},
    **{name: {"manager": 404} for name in SUPPLIER_ROUTES},
    "api:opportunity-detail": {"manager": 404, "supplier": 404},
    "api:opportunity-list": {"manager": 404},
}

OWNER_POST: dict[str, tuple[str, int]] = {
    "api:procurement-list": ("manager", 201),
    "api:procurement-ask": ("manager", 400),
    "api:procurement-publish": ("manager", 200),
    "api:procurement-cancel": ("manager", 200),
    "api:procurement-lot-list": ("manager", 201),
    "api:procurement-impact-list": ("manager", 201),
    "api:procurement-criterion-list": ("manager", 400),
    "api:scale-list": ("manager", 201),
    "api:question-ask": ("supplier", 201),
    "api:bid-list": ("supplier", 201),
    "api:bid-commitment-add": ("supplier", 201),
    "api:bid-attachment-add": ("supplier", 400),
    "api:bid-submit": ("supplier", 200),
    "api:bid-reopen": ("supplier", 200),
    "api:clarification-answer": ("manager", 200),
    "api:procurement-evaluators": ("manager", 200),
    "api:procurement-declaration": ("manager", 201),
    "api:tender-scores": ("manager", 200),
    "api:tender-moderation": ("manager", 400),
    "api:procurement-flags": ("manager", 200),
    "api:flag-decision": ("manager", 200),
    "api:procurement-awards": ("manager", 400),
}
POST_WRITES_NOTHING: dict[str, str] = {
    "api:procurement-ask": "the shared data changes parts of the proposal without reasons: refused",
    "api:procurement-criterion-list": "the shared `kind` is an agreement's kind, not a criterion's: refused",
    "api:bid-attachment-add": "the shared `file` is a YAML file, not a tender document: refused",
    "api:tender-moderation": "the shared `criterion` is another procurement's: refused",
    "api:procurement-awards": "the shared `lot` is no lot number of this procurement: refused",
    "api:procurement-flags": "the world recorded the flags already: recording them again adds none",
}


def _moment(days: int) -> Any:
    return timezone.now().replace(microsecond=0) + timedelta(days=days)


def _draft(tenant: Tenant, title: str) -> dict[str, int]:
    member = tenant.manager_member()
    version = tenant.agreement.framework_version
    first = Outcome.objects.filter(version=version).order_by("pk").first()
    assert first is not None
    second = Outcome.objects.create(
        organisation=tenant.buyer, version=version, theme=first.theme, code=SECOND_OUTCOME, title="API outcome"
    )
    procurement = services_planning.procurement_create(
        actor=tenant.manager,
        member=member,
        data=ProcurementInput(
            title=title,
            reference=f"{tenant.buyer.slug}-api-1",
            description="Verges upkeep",
            core_deliverables="Verge cutting",
            estimated_value=Decimal("250000"),
            category="services",
            duration_months=36,
            framework_version=version,
            value_set=None,
            price_method="lowest_over_bid",
            abnormally_low_percent=Decimal("80"),
            social_value_share_percent=Decimal("20"),
            timetable={
                "publication_at": _moment(1),
                "clarification_deadline": _moment(15),
                "tender_deadline": _moment(35),
                "evaluation_at": _moment(36),
                "award_at": _moment(40),
                "standstill_end_at": _moment(60),
            },
        ),
    )
    services_planning.impact_add(
        actor=tenant.manager,
        member=member,
        procurement=procurement,
        data=ImpactInput(second.code, f"{title}: positive effects", "", "", False, False, True),
    )
    item = procurement.impacts.get()
    scale = services_planning.scale_create(
        actor=tenant.manager,
        member=member,
        code="api-scale",
        title=f"{title}: scale",
        source="Tenant wording",
        levels_text="0 | Fail | No\n1 | Pass | Yes",
    )
    return {
        **{name: procurement.pk for name in DRAFT_ROUTES},
        "api:procurement-lot-detail": procurement.lots.get().pk,
        "api:procurement-impact-detail": item.pk,
        "api:procurement-criterion-detail": Criterion.objects.get(procurement=procurement, code="Q1").pk,
        "api:scale-detail": scale.pk,
    }


def _open(tenant: Tenant, method: str, question: str) -> dict[str, int]:
    member = tenant.supplier_member()
    world = procurement_published(tenant.buyer, reference=f"{tenant.buyer.slug}-api-2")
    procurement = world.procurement
    procurement.framework_version = tenant.agreement.framework_version
    procurement.save(update_fields=["framework_version"])
    lots = [world.lot] + [
        Lot.objects.create(organisation=tenant.buyer, procurement=procurement, number=number, title=f"Lot {number}")
        for number in (2, 3)
    ]
    bids = []
    for lot in lots[:2]:
        bid = services_bidding.bid_start(actor=tenant.supplier_user, member=member, procurement=procurement, lot=lot)
        services_bidding.bid_save(
            actor=tenant.supplier_user,
            member=member,
            bid=bid,
            price=Decimal("180000"),
            responses={criterion.pk: method for criterion in world.scored},
            method_statement=method,
            new_commitment=services_bidding.CommitmentInput(
                measure=tenant.commitments[0].measure,
                quantity=Decimal("3"),
                due_date=rules.contract_period(procurement)[1],
            ),
            attachments={world.quality[0].pk: SimpleUploadedFile("api-method.pdf", PDF)},
        )
        bids.append(bid)
    services_bidding.bid_submit(actor=tenant.supplier_user, member=member, bid=bids[1])
    clarification = services_clarifications.clarification_ask(
        actor=tenant.supplier_user, member=member, procurement=procurement, question=question
    )
    return {
        **{name: bids[0].pk for name in BID_ROUTES},
        "api:bid-reopen": bids[1].pk,
        "api:clarification-list": procurement.pk,
        "api:clarification-answer": clarification.pk,
        "open_lot": lots[2].pk,
        "open_procurement": procurement.pk,
        "attachment_criterion": world.quality[0].pk,
    }


def _scored(tenant: Tenant, justification: str, rival: str) -> dict[str, int]:
    manager = tenant.manager_member()
    world = procurement_published(tenant.buyer, reference=f"{tenant.buyer.slug}-api-3", deadline_passed=True)
    bid = bid_make(world, tenant.supplier, price="200000")
    bid_make(world, SupplierFactory.create(name=rival), price="50000")
    procurement = world.procurement
    declare(procurement, tenant.manager)
    services_evaluation.evaluators_set(
        actor=tenant.manager,
        member=manager,
        procurement=procurement,
        chosen={criterion.pk: {tenant.manager.pk} for criterion in world.scored},
    )
    services_evaluation.scores_record(
        actor=tenant.manager,
        member=manager,
        bid=Bid.objects.get(pk=bid.pk),
        scores={criterion.pk: (Decimal("3"), justification) for criterion in world.scored},
    )
    services_evaluation.flags_refresh(actor=tenant.manager, member=manager, procurement=procurement)
    flag = Flag.objects.filter(bid__procurement=procurement).order_by("pk").first()
    assert flag is not None
    fresh = procurement_published(tenant.buyer, reference=f"{tenant.buyer.slug}-api-4", deadline_passed=True)
    return {
        **{name: procurement.pk for name in SCORED_PROCUREMENT_ROUTES},
        **{name: bid.pk for name in TENDER_ROUTES},
        **{name: fresh.procurement.pk for name in FRESH_PROCUREMENT_ROUTES},
        "api:flag-decision": flag.pk,
    }


def _awarded(tenant: Tenant) -> dict[str, int]:
    world = procurement_published(tenant.buyer, reference=f"{tenant.buyer.slug}-api-5", deadline_passed=True)
    bid = bid_make(world, tenant.supplier, price="200000")
    declare(world.procurement, tenant.manager)
    for criterion in world.scored:
        ModeratedScore.objects.create(
            organisation=tenant.buyer,
            bid=bid,
            criterion=criterion,
            score=Decimal("4"),
            rationale="Tenant API consensus",
            moderated_by=tenant.manager,
        )
    Award.objects.create(
        organisation=tenant.buyer,
        procurement=world.procurement,
        lot=world.lot,
        bid=bid,
        supplier=tenant.supplier,
        value=Decimal("200000"),
        reason="Ranked first",
        awarded_by=tenant.manager,
        awarded_at=timezone.now(),
    )
    return {"api:assessment-summary": bid.pk}


def _objects(tenant: Tenant, *, title: str, method: str, question: str, justification: str, rival: str) -> Any:
    return {
        **_draft(tenant, title),
        **_open(tenant, method, question),
        **_scored(tenant, justification, rival),
        **_awarded(tenant),
    }


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    _objects(
        b,
        title="Tenant B API procurement",
        method="Tenant B API method",
        question="Tenant B API question?",
        justification="Tenant B API justification",
        rival="Tenant B API rival Ltd",
    )
    objects = _objects(
        a, title=A_TITLE, method=A_METHOD, question=A_QUESTION, justification=A_JUSTIFICATION, rival=A_RIVAL
    )
    return {key: value for key, value in objects.items() if key.startswith("api:")}


def post_data(tenant: Tenant) -> dict[str, Any]:
    """Fields the procurement API reads that no other area's data names. The shared `title`, `reference`,
    `description`, `category`, `framework_version`, `code`, `measure_code`, `due_date`, `place_code` and
    `answer` serve here too."""
    api_2 = Procurement.objects.filter(reference=f"{tenant.buyer.slug}-api-2").first()
    api_3 = Procurement.objects.filter(reference=f"{tenant.buyer.slug}-api-3").first()
    api_4 = Procurement.objects.filter(reference=f"{tenant.buyer.slug}-api-4").first()
    quality = ScoringScale.objects.filter(organisation=tenant.buyer, code="quality-0-5").values_list("pk", flat=True)
    scored = Criterion.objects.filter(procurement=api_3).exclude(kind=CriterionKind.PRICE) if api_3 else []
    fresh = Criterion.objects.filter(procurement=api_4).exclude(kind=CriterionKind.PRICE) if api_4 else []
    open_lot = Lot.objects.filter(procurement=api_2, number=3).values_list("pk", flat=True).first()
    first_q = Criterion.objects.filter(procurement=api_2, code="Q1").values_list("pk", flat=True).first()
    return {
        "estimated_value": "250000",
        "duration_months": "36",
        "cancel_reason": "Tenant reason to cancel, through the API",
        # The framework's first outcome, which the framework draft of api_conventions (a fork) has too: both
        # areas' API calls read this one `outcome_code`.
        "outcome_code": Outcome.objects.filter(version=tenant.agreement.framework_version)
        .exclude(code=SECOND_OUTCOME)
        .order_by("pk")
        .values_list("code", flat=True)
        .first()
        or "",
        "positive_effects": "Tenant positive effects, through the API",
        "weight": "5",
        "scale": quality[0] if quality else "",
        "levels": "0 | Fail | No\n1 | Pass | Yes",
        "opportunity": api_2.pk if api_2 else "",
        "question": "Tenant question through the API?",
        "lot": open_lot or "",
        "quantity": "3",
        "criterion": first_q or "",
        "published_question": "Is the depot included?",
        "assignments": json.dumps({str(c.pk): [tenant.manager.email] for c in fresh}),
        "has_conflict": "false",
        "scores": json.dumps({str(c.pk): {"score": "4", "justification": "Tenant API score"} for c in scored}),
        "score": "4",
        "flag_decision": "accepted",
        "decision_reason": "Tenant reason: the supplier explained its price",
    }
