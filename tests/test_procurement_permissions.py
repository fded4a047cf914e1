"""Every writing service of procurement asks for its permission first: a member without it is refused
(`PermissionRefused`, a 404) and nothing is written, not a row and not an audit event."""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.http import Http404
from django.utils import timezone

from commonweal.core.models import AuditEvent
from commonweal.frameworks.proportionality import AdjustedAsk
from commonweal.procurement import (
    services_award,
    services_bidding,
    services_clarifications,
    services_evaluation,
    services_opendata,
    services_planning,
)
from commonweal.procurement.models import BidAttachment, Clarification, Flag, FlagKind, ImpactItem
from commonweal.procurement.services_planning import CriterionInput, ImpactInput, ProcurementInput
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .procurement_support import ProcurementWorld, bid_make, procurement_published


@dataclass
class World:
    buyer: Organisation
    supplier: Organisation
    world: ProcurementWorld
    officer: Any
    bid: Any
    flag: Flag
    clarification: Clarification
    impact: ImpactItem
    attachment: BidAttachment

    def member(self, organisation: Organisation, role: str) -> Member:
        user = factories.member_user(organisation, role)
        return member_access(user=user, slug=organisation.slug)


@pytest.fixture
def w(db: None) -> World:
    buyer = factories.OrganisationFactory.create(name="Permission Council", slug="permission-council")
    supplier = factories.SupplierFactory.create(name="Permission Supplies Ltd")
    world = procurement_published(buyer, deadline_passed=True)
    officer = factories.member_user(buyer, Role.PROCUREMENT_OFFICER)
    bid = bid_make(world, supplier, price="200000")
    flag = Flag.objects.create(organisation=buyer, bid=bid, kind=FlagKind.ABNORMALLY_LOW_PRICE, detail="Low")
    clarification = Clarification.objects.create(
        organisation=buyer, procurement=world.procurement, supplier=supplier, asked_by=officer, question="When?"
    )
    impact = ImpactItem.objects.create(
        organisation=buyer, procurement=world.procurement, outcome_code="T.1", outcome_title="Jobs", position=1
    )
    attachment = BidAttachment.objects.create(
        organisation=buyer,
        bid=bid,
        file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan"),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=13,
        uploaded_by=officer,
    )
    return World(buyer, supplier, world, officer, bid, flag, clarification, impact, attachment)


def _procurement_input(w: World) -> ProcurementInput:
    return ProcurementInput(
        title="Refused",
        reference="REFUSED-1",
        description="",
        core_deliverables="",
        estimated_value=Decimal("1000"),
        category="services",
        duration_months=12,
        framework_version=None,
        value_set=None,
        price_method="lowest_over_bid",
        abnormally_low_percent=Decimal("80"),
        social_value_share_percent=Decimal("20"),
        timetable={},
    )


def _criterion_input(w: World) -> CriterionInput:
    return CriterionInput("quality", "Q9", "Refused", "", Decimal("5"), w.world.scale, None, None, "")


IMPACT = ImpactInput("T.1", "More jobs", "", "", False, False, True)
ADJUSTED = cast(AdjustedAsk, object())  # never read: the permission is refused first

Call = Callable[[World, Member], Any]
PLANNING: dict[str, Call] = {
    "procurement_create": lambda w, m: services_planning.procurement_create(
        actor=None, member=m, data=_procurement_input(w)
    ),
    "procurement_update": lambda w, m: services_planning.procurement_update(
        actor=None, member=m, procurement=w.world.procurement, data=_procurement_input(w)
    ),
    "ask_save": lambda w, m: services_planning.ask_save(
        actor=None, member=m, procurement=w.world.procurement, adjusted=ADJUSTED
    ),
    "scales_ensure": lambda w, m: services_planning.scales_ensure(actor=None, member=m),
    "scale_create": lambda w, m: services_planning.scale_create(
        actor=None, member=m, code="refused", title="Refused", source="Tests", levels_text="0 | No | No\n1 | Yes | Yes"
    ),
    "lot_add": lambda w, m: services_planning.lot_add(
        actor=None, member=m, procurement=w.world.procurement, title="Refused", description="", estimated_value=None
    ),
    "lot_update": lambda w, m: services_planning.lot_update(
        actor=None, member=m, lot=w.world.lot, title="Refused", description="", estimated_value=None
    ),
    "lot_remove": lambda w, m: services_planning.lot_remove(actor=None, member=m, lot=w.world.lot),
    "impact_add": lambda w, m: services_planning.impact_add(
        actor=None, member=m, procurement=w.world.procurement, data=IMPACT
    ),
    "impact_update": lambda w, m: services_planning.impact_update(actor=None, member=m, item=w.impact, data=IMPACT),
    "impact_remove": lambda w, m: services_planning.impact_remove(actor=None, member=m, item=w.impact),
    "criterion_add": lambda w, m: services_planning.criterion_add(
        actor=None, member=m, procurement=w.world.procurement, data=_criterion_input(w)
    ),
    "criterion_update": lambda w, m: services_planning.criterion_update(
        actor=None, member=m, criterion=w.world.quality[0], data=_criterion_input(w)
    ),
    "criterion_remove": lambda w, m: services_planning.criterion_remove(
        actor=None, member=m, criterion=w.world.quality[0]
    ),
    "procurement_publish": lambda w, m: services_planning.procurement_publish(
        actor=None, member=m, procurement=w.world.procurement
    ),
    "procurement_cancel": lambda w, m: services_planning.procurement_cancel(
        actor=None, member=m, procurement=w.world.procurement, reason="Refused"
    ),
    "clarification_answer": lambda w, m: services_clarifications.clarification_answer(
        actor=None, member=m, clarification=w.clarification, published_question="When?", answer="Never"
    ),
    "evaluators_set": lambda w, m: services_evaluation.evaluators_set(
        actor=None, member=m, procurement=w.world.procurement, chosen={w.world.quality[0].pk: {w.officer.pk}}
    ),
    "moderation_record": lambda w, m: services_evaluation.moderation_record(
        actor=m.user, member=m, bid=w.bid, criterion=w.world.quality[0], score=Decimal("3"), rationale="Refused"
    ),
    "flags_refresh": lambda w, m: services_evaluation.flags_refresh(
        actor=None, member=m, procurement=w.world.procurement
    ),
    "flag_decide": lambda w, m: services_evaluation.flag_decide(
        actor=m.user, member=m, flag=w.flag, decision="accepted", reason="Refused"
    ),
    "lot_award_make": lambda w, m: services_award.lot_award_make(
        actor=None, member=m, procurement=w.world.procurement, lot=w.world.lot
    ),
    "ocds_import": lambda w, m: services_opendata.ocds_import(actor=None, member=m, files=[("x.json", b"{}")]),
}
EVALUATING: dict[str, Call] = {
    "declaration_make": lambda w, m: services_evaluation.declaration_make(
        actor=m.user, member=m, procurement=w.world.procurement, has_conflict=False, details=""
    ),
    "scores_record": lambda w, m: services_evaluation.scores_record(
        actor=m.user, member=m, bid=w.bid, scores={w.world.quality[0].pk: (Decimal("3"), "Refused")}
    ),
    "attachment_opened_record": lambda w, m: services_bidding.attachment_opened_record(
        actor=m.user, member=m, attachment=w.attachment
    ),
}
BIDDING: dict[str, Call] = {
    "clarification_ask": lambda w, m: services_clarifications.clarification_ask(
        actor=m.user, member=m, procurement=w.world.procurement, question="Refused?"
    ),
    "bid_start": lambda w, m: services_bidding.bid_start(
        actor=m.user, member=m, procurement=w.world.procurement, lot=w.world.lot
    ),
    "bid_save": lambda w, m: services_bidding.bid_save(
        actor=m.user, member=m, bid=w.bid, price=Decimal("1"), responses={}, method_statement="Refused"
    ),
    "bid_submit": lambda w, m: services_bidding.bid_submit(actor=m.user, member=m, bid=w.bid),
    "bid_reopen": lambda w, m: services_bidding.bid_reopen(actor=m.user, member=m, bid=w.bid),
}

# Who is refused: the buyer's people of other roles, and the supplier's contacts; a buyer's officer bids for no one.
BUYER_OTHER_ROLES = {
    "planning": (Role.EVALUATOR, Role.VIEWER),
    "evaluating": (Role.CONTRACT_MANAGER, Role.VIEWER),
    "bidding": (Role.PROCUREMENT_OFFICER, Role.VIEWER),
}
CASES = [
    *((name, call, "buyer", role) for name, call in PLANNING.items() for role in BUYER_OTHER_ROLES["planning"]),
    *((name, call, "supplier", Role.SUPPLIER_CONTACT) for name, call in PLANNING.items()),
    *((name, call, "buyer", role) for name, call in EVALUATING.items() for role in BUYER_OTHER_ROLES["evaluating"]),
    *((name, call, "supplier", Role.SUPPLIER_CONTACT) for name, call in EVALUATING.items()),
    *((name, call, "buyer", role) for name, call in BIDDING.items() for role in BUYER_OTHER_ROLES["bidding"]),
]


def _rows() -> dict[str, int]:
    """How many rows every model of procurement, delivery and the audit log holds."""
    models: list[type[Model]] = [
        *apps.get_app_config("procurement").get_models(),
        *apps.get_app_config("delivery").get_models(),
        AuditEvent,
    ]
    return {model._meta.label: model._default_manager.count() for model in models}


def test_every_writing_service_is_listed() -> None:
    """A new writing service must be added here, so that its refusal is proved too."""
    listed = set(PLANNING) | set(EVALUATING) | set(BIDDING)
    modules = (
        services_planning,
        services_bidding,
        services_clarifications,
        services_evaluation,
        services_award,
        services_opendata,
    )
    writers = {
        name
        for module in modules
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and function.__module__ == module.__name__
        and not name.startswith("_")
        and {"actor", "member"} <= set(inspect.signature(function).parameters)
    }
    assert writers == listed


@pytest.mark.parametrize(
    ("name", "call", "side", "role"), CASES, ids=[f"{name}-{side}-{role}" for name, _call, side, role in CASES]
)
def test_a_member_without_the_permission_is_refused_and_nothing_is_written(
    w: World, name: str, call: Call, side: str, role: str
) -> None:
    member = w.member(w.buyer if side == "buyer" else w.supplier, role)
    before = _rows()
    with pytest.raises(PermissionRefused):
        call(w, member)
    assert _rows() == before, name


def test_a_planner_of_another_organisation_cannot_write_to_this_ones_procurement(w: World) -> None:
    other = factories.OrganisationFactory.create(name="Other Council", slug="other-council")
    member = w.member(other, Role.PROCUREMENT_OFFICER)
    before = _rows()
    for name in ("lot_add", "procurement_cancel", "criterion_remove", "flags_refresh", "lot_award_make"):
        with pytest.raises(Http404):
            PLANNING[name](w, member)
    assert _rows() == before


def test_the_command_line_acts_as_the_system_member_of_one_buyer(w: World) -> None:
    w.world.procurement.tender_deadline = timezone.now() - timedelta(hours=1)
    w.world.procurement.save()
    created = services_evaluation.flags_refresh(
        actor=None, member=Member.system(w.buyer), procurement=w.world.procurement
    )
    assert [flag.bid for flag in created] == []  # the one flag the rules might raise is already recorded
    with pytest.raises(PermissionRefused):
        services_evaluation.flags_refresh(actor=None, member=Member.system(w.supplier), procurement=w.world.procurement)
