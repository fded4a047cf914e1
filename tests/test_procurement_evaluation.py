"""Evaluating tenders: evaluators, conflict declarations, independent scores, moderation, flags and the
overview, through the services and the pages."""

import json
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.procurement import services_evaluation
from commonweal.procurement.models import (
    Bid,
    ConflictDeclaration,
    EvaluatorAssignment,
    Flag,
    FlagDecision,
    FlagKind,
    ModeratedScore,
    Score,
)
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.permissions import PermissionRefused
from commonweal.tenancy.selectors import Member, member_access

from . import factories
from .procurement_support import ProcurementWorld, bid_make, deadline_pass, declare, procurement_published

PROCUREMENT_ROUTES = ["evaluators", "declaration", "scoring", "moderation", "flags", "evaluation"]
BID_ROUTES = ["bid-detail", "score", "moderate"]


@dataclass
class Panel:
    buyer: Organisation
    officer: Any
    first: Any
    second: Any
    contract_manager: Any
    world: ProcurementWorld
    bids: list[Bid]

    def member(self, user: Any) -> Member:
        return member_access(user=user, slug=self.buyer.slug)


def panel_make(*, deadline_passed: bool = True, **fields: Any) -> Panel:
    buyer = factories.OrganisationFactory.create(name="Northfield Council", slug="northfield-eval")
    officer = factories.member_user(buyer, Role.PROCUREMENT_OFFICER)
    first = factories.member_user(buyer, Role.EVALUATOR)
    second = factories.member_user(buyer, Role.EVALUATOR)
    contract_manager = factories.member_user(buyer, Role.CONTRACT_MANAGER)
    world = procurement_published(buyer, deadline_passed=False, **fields)
    bids = [
        bid_make(world, factories.SupplierFactory.create(name=name), price=price)
        for name, price in (
            ("Alder Grounds Ltd", "200000"),
            ("Birch Services Ltd", "180000"),
            ("Cedar Care CIC", "240000"),
        )
    ]
    if deadline_passed:
        deadline_pass(world.procurement)
    return Panel(buyer, officer, first, second, contract_manager, world, bids)


def assign_everyone(panel: Panel, *people: Any) -> None:
    services_evaluation.evaluators_set(
        actor=panel.officer,
        member=panel.member(panel.officer),
        procurement=panel.world.procurement,
        chosen={criterion.pk: {person.pk for person in people} for criterion in panel.world.scored},
    )


def score_all(panel: Panel, person: Any, scores: dict[str, str], bid: Bid, note: str = "Reasons") -> None:
    by_code = {criterion.code: criterion for criterion in panel.world.scored}
    services_evaluation.scores_record(
        actor=person,
        member=panel.member(person),
        bid=bid,
        scores={by_code[code].pk: (Decimal(value), f"{note} for {code}") for code, value in scores.items()},
    )


def url(panel: Panel, name: str, pk: int, org: str | None = None) -> str:
    return reverse(f"procurement:{name}", kwargs={"org": org or panel.buyer.slug, "pk": pk})


@pytest.fixture
def panel(db: None) -> Panel:
    return panel_make()


# --- Sealed bids -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_before_the_deadline_no_evaluation_page_shows_any_bid(client: Client) -> None:
    panel = panel_make(deadline_passed=False)
    declare(panel.world.procurement, panel.officer)
    assign_everyone(panel, panel.officer)
    client.force_login(panel.officer)
    for name in PROCUREMENT_ROUTES:
        response = client.get(url(panel, name, panel.world.procurement.pk))
        assert response.status_code == 200, name
        text = response.content.decode()
        for supplier in ("Alder Grounds", "Birch Services", "Cedar Care", "200,000"):
            assert supplier not in text, f"{name} shows {supplier}"
        assert "Bids are sealed until the tender deadline" in text, name
    for name in BID_ROUTES:
        assert client.get(url(panel, name, panel.bids[0].pk)).status_code == 404, name
    assert not AuditEvent.objects.filter(action="bid.opened").exists()
    officer = panel.member(panel.officer)
    assert services_evaluation.flags_refresh(actor=None, member=officer, procurement=panel.world.procurement) == []
    with pytest.raises(ApplicationError, match="sealed until the tender deadline"):
        score_all(panel, panel.officer, {"Q1": "3"}, panel.bids[0])


# --- Declarations ------------------------------------------------------------------------------------------


def test_without_a_declaration_a_bid_page_asks_for_one_first(panel: Panel, client: Client) -> None:
    assign_everyone(panel, panel.first)
    client.force_login(panel.first)
    for name in ("bid-detail", "score"):
        target = url(panel, name, panel.bids[0].pk)
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"] == f"{url(panel, 'declaration', panel.world.procurement.pk)}?next={target}"
    scoring = client.get(url(panel, "scoring", panel.world.procurement.pk)).content.decode()
    assert "You must declare any conflict of interest before you see a bid" in scoring
    assert "Alder Grounds" not in scoring
    assert not AuditEvent.objects.filter(action="bid.opened").exists()

    target = url(panel, "score", panel.bids[0].pk)
    response = client.post(
        url(panel, "declaration", panel.world.procurement.pk), {"eval_conflict": "no", "next": target}
    )
    assert response.status_code == 302 and response["Location"] == target
    page = client.get(target)
    assert page.status_code == 200
    assert "Alder Grounds Ltd answers Q1." in page.content.decode()
    assert AuditEvent.objects.filter(action="bid.opened", object_id=str(panel.bids[0].pk)).count() == 1


def test_a_conflict_needs_details_and_then_bars_the_person_from_every_bid(panel: Panel, client: Client) -> None:
    assign_everyone(panel, panel.first)
    client.force_login(panel.first)
    declaration_url = url(panel, "declaration", panel.world.procurement.pk)
    refused = client.post(declaration_url, {"eval_conflict": "yes", "eval_details": "  "})
    assert refused.status_code == 200
    assert "Describe the conflict of interest" in refused.content.decode()
    assert refused.content.decode().count("<title>Error: ") == 1
    assert not ConflictDeclaration.objects.exists()

    client.post(declaration_url, {"eval_conflict": "yes", "eval_details": "My brother runs Cedar Care CIC"})
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.evaluator, declaration.has_conflict) == (panel.first, True)
    event = AuditEvent.objects.get(action="procurement.conflict_declared")
    assert event.after == {
        "evaluator": str(panel.first),
        "has_conflict": True,
        "details": "My brother runs Cedar Care CIC",
    }

    for name in ("bid-detail", "score"):
        response = client.get(url(panel, name, panel.bids[2].pk))
        assert response.status_code == 403
        assert "You may not see these bids" in response.content.decode()
        assert "Cedar Care CIC answers" not in response.content.decode()
    with pytest.raises(ApplicationError, match="declared a conflict of interest"):
        score_all(panel, panel.first, {"Q1": "3"}, panel.bids[0])

    # The officer sees it on the evaluators page.
    client.force_login(panel.officer)
    page = client.get(url(panel, "evaluators", panel.world.procurement.pk)).content.decode()
    assert "Conflict of interest" in page and "My brother runs Cedar Care CIC" in page


def test_a_declaration_cannot_be_changed(panel: Panel, client: Client) -> None:
    member = panel.member(panel.first)
    services_evaluation.declaration_make(
        actor=panel.first, member=member, procurement=panel.world.procurement, has_conflict=False, details=""
    )
    with pytest.raises(ApplicationError, match="cannot be changed"):
        services_evaluation.declaration_make(
            actor=panel.first, member=member, procurement=panel.world.procurement, has_conflict=True, details="Oops"
        )
    client.force_login(panel.first)
    response = client.post(
        url(panel, "declaration", panel.world.procurement.pk), {"eval_conflict": "yes", "eval_details": "Changed"}
    )
    assert response.status_code == 302
    assert list(ConflictDeclaration.objects.values_list("has_conflict", "details")) == [(False, "")]
    assert AuditEvent.objects.filter(action="procurement.conflict_declared").count() == 1


def test_a_contract_manager_who_does_not_evaluate_cannot_declare_or_reach_the_pages(
    panel: Panel, client: Client
) -> None:
    with pytest.raises(PermissionRefused):
        services_evaluation.declaration_make(
            actor=panel.contract_manager,
            member=panel.member(panel.contract_manager),
            procurement=panel.world.procurement,
            has_conflict=False,
            details="",
        )
    client.force_login(panel.contract_manager)
    for name in PROCUREMENT_ROUTES:
        assert client.get(url(panel, name, panel.world.procurement.pk)).status_code == 404, name


# --- Evaluators --------------------------------------------------------------------------------------------


def test_the_officer_assigns_evaluators_per_criterion_on_the_page(panel: Panel, client: Client) -> None:
    q1, q2, sv1 = panel.world.scored
    client.force_login(panel.officer)
    page = client.get(url(panel, "evaluators", panel.world.procurement.pk)).content.decode()
    assert panel.first.email in page and panel.contract_manager.email not in page  # only people who may evaluate
    response = client.post(
        url(panel, "evaluators", panel.world.procurement.pk),
        {f"eval_assign_{q1.pk}": [panel.first.pk, panel.second.pk], f"eval_assign_{sv1.pk}": [panel.second.pk]},
    )
    assert response.status_code == 302
    assert sorted(EvaluatorAssignment.objects.values_list("criterion__code", "evaluator__email")) == sorted(
        [("Q1", panel.first.email), ("Q1", panel.second.email), ("SV1", panel.second.email)]
    )
    event = AuditEvent.objects.get(action="procurement.evaluators_changed")
    assert event.after["changes"] == {
        "Q1": [f"+ {panel.first}", f"+ {panel.second}"],
        "SV1": [f"+ {panel.second}"],
    }
    refused = client.post(
        url(panel, "evaluators", panel.world.procurement.pk), {f"eval_assign_{q2.pk}": [panel.contract_manager.pk]}
    )
    assert "Choose only the people listed" in refused.content.decode()


def test_someone_who_has_scored_a_criterion_cannot_be_taken_off_it(panel: Panel) -> None:
    assign_everyone(panel, panel.first, panel.second)
    declare(panel.world.procurement, panel.first)
    score_all(panel, panel.first, {"Q1": "3"}, panel.bids[0])
    with pytest.raises(ApplicationError, match="has already scored it") as refused:
        assign_everyone(panel, panel.second)
    assert set(refused.value.field_errors) == {f"eval_assign_{panel.world.quality[0].pk}"}
    # Taking off someone who has not scored (e.g. after declaring a conflict) is allowed.
    q2 = panel.world.quality[1]
    services_evaluation.evaluators_set(
        actor=panel.officer,
        member=panel.member(panel.officer),
        procurement=panel.world.procurement,
        chosen={q2.pk: {panel.first.pk}},
    )
    assert list(EvaluatorAssignment.objects.filter(criterion=q2).values_list("evaluator", flat=True)) == [
        panel.first.pk
    ]


# --- Independent scores ------------------------------------------------------------------------------------


def test_an_evaluator_scores_only_their_criteria_with_a_level_and_a_justification(panel: Panel, client: Client) -> None:
    q1, q2, sv1 = panel.world.scored
    services_evaluation.evaluators_set(
        actor=panel.officer,
        member=panel.member(panel.officer),
        procurement=panel.world.procurement,
        chosen={q1.pk: {panel.first.pk}, q2.pk: {panel.second.pk}, sv1.pk: {panel.first.pk}},
    )
    declare(panel.world.procurement, panel.first)
    with pytest.raises(ApplicationError, match="not assigned to score this criterion"):
        score_all(panel, panel.first, {"Q2": "3"}, panel.bids[0])
    with pytest.raises(ApplicationError) as refused:
        services_evaluation.scores_record(
            actor=panel.first,
            member=panel.member(panel.first),
            bid=panel.bids[0],
            scores={q1.pk: (Decimal("2.5"), "Half way"), sv1.pk: (Decimal("4"), "  ")},
        )
    assert refused.value.field_errors == {
        f"eval_score_{q1.pk}": "The score for Q1 must be one of the levels of its scale: 0, 1, 2, 3, 4, 5",
        f"eval_justification_{sv1.pk}": "Give the reasons for your score for SV1",
    }
    assert not Score.objects.exists()

    client.force_login(panel.first)
    page = client.get(url(panel, "score", panel.bids[0].pk)).content.decode()
    assert "Q1 Delivery approach" in page and "SV1 Local employment" in page
    assert "Q2 Staffing" not in page  # not theirs
    assert "Exceeds the requirement, with detail, evidence and added value." in page  # the descriptors
    assert "JOBS.1 Local people employed" in page  # commitments for a social value criterion
    # ... read before the scores are saved: they come before the form's button.
    assert page.index("Social value commitments") < page.index("Save my scores")
    response = client.post(
        url(panel, "score", panel.bids[0].pk),
        {
            f"eval_score_{q1.pk}": "4",
            f"eval_justification_{q1.pk}": "Clear plan",
            f"eval_score_{sv1.pk}": "5",
            f"eval_justification_{sv1.pk}": "Strong local offer",
            f"eval_score_{q2.pk}": "0",
            f"eval_justification_{q2.pk}": "Not mine",
        },
    )
    assert response.status_code == 302
    assert sorted(Score.objects.values_list("criterion__code", "score", "justification")) == [
        ("Q1", Decimal("4.00"), "Clear plan"),
        ("SV1", Decimal("5.00"), "Strong local offer"),
    ]
    event = AuditEvent.objects.get(action="bid.scored")
    assert event.after["Q1"] == {"score": "4.00", "justification": "Clear plan"}


def test_an_evaluator_never_sees_another_evaluators_scores(panel: Panel, client: Client) -> None:
    assign_everyone(panel, panel.first, panel.second)
    declare(panel.world.procurement, panel.first)
    declare(panel.world.procurement, panel.second)
    score_all(panel, panel.first, {"Q1": "1", "Q2": "1", "SV1": "1"}, panel.bids[0], note="FIRST-SECRET")
    client.force_login(panel.second)
    for target in (
        url(panel, "scoring", panel.world.procurement.pk),
        url(panel, "score", panel.bids[0].pk),
        url(panel, "bid-detail", panel.bids[0].pk),
    ):
        text = client.get(target).content.decode()
        assert "FIRST-SECRET" not in text, target
        assert "Your score: 1" not in text, target
    assert "Not scored" in client.get(url(panel, "scoring", panel.world.procurement.pk)).content.decode()


# --- Moderation --------------------------------------------------------------------------------------------


def test_moderation_waits_for_every_evaluator_then_records_and_revises(panel: Panel, client: Client) -> None:
    assign_everyone(panel, panel.first, panel.second)
    for person in (panel.first, panel.second, panel.officer):
        declare(panel.world.procurement, person)
    q1 = panel.world.quality[0]
    officer = panel.member(panel.officer)
    score_all(panel, panel.first, {"Q1": "3"}, panel.bids[0])
    with pytest.raises(ApplicationError, match=f"Waiting for: {panel.second}"):
        services_evaluation.moderation_record(
            actor=panel.officer, member=officer, bid=panel.bids[0], criterion=q1, score=Decimal("3"), rationale="Agreed"
        )
    client.force_login(panel.officer)
    page = client.get(url(panel, "moderate", panel.bids[0].pk)).content.decode()
    assert f"Waiting for: {panel.second}" in page

    score_all(panel, panel.second, {"Q1": "5"}, panel.bids[0])
    page = client.get(url(panel, "moderate", panel.bids[0].pk)).content.decode()
    assert "Reasons for Q1" in page  # both justifications side by side
    refused = client.post(url(panel, "moderate", panel.bids[0].pk), {"eval_criterion": q1.pk, "eval_consensus": "4"})
    assert "Give the rationale for the consensus score for Q1" in refused.content.decode()
    response = client.post(
        url(panel, "moderate", panel.bids[0].pk),
        {"eval_criterion": q1.pk, "eval_consensus": "4", "eval_rationale": "Between the two; plan is clear"},
    )
    assert response.status_code == 302
    assert ModeratedScore.objects.get().score == Decimal("4")

    # An evaluator's score is frozen once moderated; the moderator may revise, keeping history.
    with pytest.raises(ApplicationError, match="Q1 has been moderated"):
        score_all(panel, panel.first, {"Q1": "4"}, panel.bids[0])
    services_evaluation.moderation_record(
        actor=panel.officer, member=officer, bid=panel.bids[0], criterion=q1, score=Decimal("3"), rationale="Revised"
    )
    revised = AuditEvent.objects.get(action="bid.moderation_revised")
    assert revised.before["score"] == "4.00" and revised.after["score"] == "3.00"
    assert ModeratedScore.objects.get().rationale == "Revised"


def test_a_conflicted_evaluator_is_not_waited_for(panel: Panel) -> None:
    assign_everyone(panel, panel.first, panel.second)
    declare(panel.world.procurement, panel.first)
    declare(panel.world.procurement, panel.second, conflict=True, details="Works for Alder")
    declare(panel.world.procurement, panel.officer)
    score_all(panel, panel.first, {"Q1": "3"}, panel.bids[0])
    moderated = services_evaluation.moderation_record(
        actor=panel.officer,
        member=panel.member(panel.officer),
        bid=panel.bids[0],
        criterion=panel.world.quality[0],
        score=Decimal("3"),
        rationale="One evaluator",
    )
    assert moderated.score == Decimal("3")


def test_a_moderator_with_a_conflict_is_refused(panel: Panel) -> None:
    assign_everyone(panel, panel.first)
    declare(panel.world.procurement, panel.first)
    declare(panel.world.procurement, panel.officer, conflict=True, details="Shareholder")
    score_all(panel, panel.first, {"Q1": "3"}, panel.bids[0])
    with pytest.raises(ApplicationError, match="conflict of interest"):
        services_evaluation.moderation_record(
            actor=panel.officer,
            member=panel.member(panel.officer),
            bid=panel.bids[0],
            criterion=panel.world.quality[0],
            score=Decimal("3"),
            rationale="x",
        )


# --- Flags -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_flags_are_recorded_once_with_their_figures_and_need_a_reasoned_decision(client: Client) -> None:
    panel = panel_make(deadline_passed=False)
    # A fourth, very low bid whose commitment restates a core deliverable.
    low = bid_make(panel.world, factories.SupplierFactory.create(name="Damson Ltd"), price="100000")
    commitment = low.commitments.get()
    commitment.description = "Grass cutting in every park, done by local people"
    commitment.save()
    deadline_pass(panel.world.procurement)
    declare(panel.world.procurement, panel.officer)
    # Average (200,000 + 180,000 + 240,000 + 100,000) ÷ 4 = 180,000; 100,000 ÷ 180,000 = 55.56% < 80%.
    created = services_evaluation.flags_refresh(
        actor=panel.officer, member=panel.member(panel.officer), procurement=panel.world.procurement
    )
    assert sorted((f.bid.supplier.name, f.kind, f.detail) for f in created) == [
        (
            "Damson Ltd",
            FlagKind.ABNORMALLY_LOW_PRICE,
            "£100,000.00 is 55.56% of the average £180,000.00; the threshold is 80%",
        ),
        (
            "Damson Ltd",
            FlagKind.RESTATES_CORE_DELIVERABLE,
            "Restates the core deliverable “Grass cutting in every park”: 3 of its 3 significant words are in the "
            "commitment (grass, cutting, park)",
        ),
    ]
    assert (
        services_evaluation.flags_refresh(
            actor=panel.officer, member=panel.member(panel.officer), procurement=panel.world.procurement
        )
        == []
    )
    assert Flag.objects.count() == 2
    assert AuditEvent.objects.filter(action="bid.flagged").count() == 2

    client.force_login(panel.officer)
    page = client.get(url(panel, "flags", panel.world.procurement.pk)).content.decode()
    assert "£100,000.00 is 55.56% of the average £180,000.00; the threshold is 80%" in page
    assert "This procurement has no value set" in page
    assert Flag.objects.count() == 2

    low_price = Flag.objects.get(kind=FlagKind.ABNORMALLY_LOW_PRICE)
    decide = url(panel, "flag-decide", low_price.pk)
    assert "asked to explain the price" in client.get(decide).content.decode()
    refused = client.post(decide, {"eval_decision": FlagDecision.TENDER_EXCLUDED, "eval_reason": ""})
    assert "Give the reason for the decision" in refused.content.decode()
    refused = client.post(decide, {"eval_decision": FlagDecision.COMMITMENT_NOT_COUNTED, "eval_reason": "x"})
    assert "Choose one of the decisions listed" in refused.content.decode()
    low_price.refresh_from_db()
    assert low_price.decision == FlagDecision.PENDING
    response = client.post(
        decide, {"eval_decision": FlagDecision.TENDER_EXCLUDED, "eval_reason": "Asked on 3 March; no credible answer"}
    )
    assert response.status_code == 302
    low_price.refresh_from_db()
    assert (low_price.decision, low_price.decision_reason, low_price.decided_by) == (
        FlagDecision.TENDER_EXCLUDED,
        "Asked on 3 March; no credible answer",
        panel.officer,
    )
    event = AuditEvent.objects.get(action="bid.flag_decided")
    assert event.before["decision"] == "pending" and event.after["decision"] == "tender_excluded"

    restating = Flag.objects.get(kind=FlagKind.RESTATES_CORE_DELIVERABLE)
    services_evaluation.flag_decide(
        actor=panel.officer,
        member=panel.member(panel.officer),
        flag=restating,
        decision=FlagDecision.COMMITMENT_NOT_COUNTED,
        reason="It is the contract itself",
    )
    assert Flag.objects.get(pk=restating.pk).decision == FlagDecision.COMMITMENT_NOT_COUNTED


def test_social_value_above_the_share_of_the_price_is_flagged_from_the_value_set(db: None) -> None:
    buyer = factories.OrganisationFactory.create()
    officer = factories.member_user(buyer, Role.PROCUREMENT_OFFICER)
    value_set = factories.ValueSetFactory.create(organisation=buyer)
    factories.ValueSetEntryFactory.create(value_set=value_set, measure_code="JOBS.1", value_per_unit=Decimal("1000"))
    world = procurement_published(buyer, value_set=value_set)
    # 60 local people employed × £1,000 = £60,000 net, 30% of £200,000 (above 20%).
    bid = bid_make(world, factories.SupplierFactory.create(), price="200000", commitments=((0, "60"),))
    deadline_pass(world.procurement)
    declare(world.procurement, officer)
    member = member_access(user=officer, slug=buyer.slug)
    created = services_evaluation.flags_refresh(actor=officer, member=member, procurement=world.procurement)
    assert [(f.bid, f.kind, f.detail) for f in created] == [
        (
            bid,
            FlagKind.SOCIAL_VALUE_SHARE,
            "Additional social value £60,000.00 is 30% of the price £200,000.00; the threshold is 20%",
        )
    ]


# --- The overview and the ranking --------------------------------------------------------------------------


def test_the_overview_shows_progress_and_once_moderated_the_ranking(panel: Panel, client: Client) -> None:
    assign_everyone(panel, panel.first, panel.second)
    for person in (panel.first, panel.second, panel.officer):
        declare(panel.world.procurement, person)
    client.force_login(panel.officer)
    page = client.get(url(panel, "evaluation", panel.world.procurement.pk)).content.decode()
    assert "0 of 18" in page  # 3 bids × 3 criteria × 2 evaluators
    assert "0 of 9" in page
    # Moderated scores (0–5): Alder 4/3/5, Birch 3/3/2, Cedar 5/5/5.
    moderated = {0: ("4", "3", "5"), 1: ("3", "3", "2"), 2: ("5", "5", "5")}
    for index, values in moderated.items():
        scores = dict(zip(("Q1", "Q2", "SV1"), values, strict=True))
        score_all(panel, panel.first, scores, panel.bids[index])
        score_all(panel, panel.second, scores, panel.bids[index])
        for criterion, value in zip(panel.world.scored, values, strict=True):
            services_evaluation.moderation_record(
                actor=panel.officer,
                member=panel.member(panel.officer),
                bid=panel.bids[index],
                criterion=criterion,
                score=Decimal(value),
                rationale="Agreed",
            )
    page = client.get(url(panel, "evaluation", panel.world.procurement.pk)).content.decode()
    assert "18 of 18" in page and "9 of 9" in page
    # Lowest ÷ bid, price 50%: Alder 50 × 180/200 = 45 + 16 + 12 + 10 = 83; Birch 50 + 12 + 12 + 4 = 78;
    # Cedar 37.5 + 20 + 20 + 10 = 87.5. Without social value (× 100/90): 81.11, 82.22, 86.11: Cedar still.
    assert "Most advantageous tender" in page
    assert "87.50" in page and "83.00" in page and "78.00" in page
    assert page.index("Cedar Care CIC") < page.index("Alder Grounds Ltd") < page.index("Birch Services Ltd")
    assert 'Social value changed the winner</dt><dd class="govuk-summary-list__value">No' in page


# --- Other organisations and suppliers ---------------------------------------------------------------------


def test_other_organisations_and_suppliers_get_404_everywhere(panel: Panel, client: Client) -> None:
    declare(panel.world.procurement, panel.officer)
    services_evaluation.flags_refresh(
        actor=None, member=Member.system(panel.buyer), procurement=panel.world.procurement
    )
    other = factories.OrganisationFactory.create()
    other_officer = factories.member_user(other, Role.PROCUREMENT_OFFICER)
    supplier_user = factories.member_user(panel.bids[0].supplier, Role.SUPPLIER_CONTACT)
    low = bid_make(panel.world, factories.SupplierFactory.create(), price="1000")
    services_evaluation.flags_refresh(
        actor=None, member=Member.system(panel.buyer), procurement=panel.world.procurement
    )
    flag = Flag.objects.get(bid=low)
    for user, org in (
        (other_officer, other.slug),
        (other_officer, panel.buyer.slug),
        (supplier_user, panel.bids[0].supplier.slug),
    ):
        client.force_login(user)
        for name in PROCUREMENT_ROUTES:
            for method in ("get", "post"):
                response = getattr(client, method)(url(panel, name, panel.world.procurement.pk, org))
                if response.status_code != 405:
                    assert response.status_code == 404, (name, method, org)
        for name in BID_ROUTES:
            assert client.get(url(panel, name, panel.bids[0].pk, org)).status_code == 404, (name, org)
        assert client.get(url(panel, "flag-decide", flag.pk, org)).status_code == 404


# --- Flags are recorded by writes, never by a page read ----------------------------------------------------


def _low_bid_panel() -> Panel:
    """A panel whose tenders are open, with a fourth bid the abnormally-low rule flags, nothing recorded."""
    panel = panel_make()
    bid_make(panel.world, factories.SupplierFactory.create(name="Damson Ltd"), price="100000")
    declare(panel.world.procurement, panel.officer)
    return panel


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["evaluation", "flags", "award"])
def test_a_get_of_the_overview_flags_or_award_page_writes_no_row_and_no_audit_event(client: Client, page: str) -> None:
    panel = _low_bid_panel()
    client.force_login(panel.officer)
    rows = (Flag.objects.count(), AuditEvent.objects.count())
    response = client.get(url(panel, page, panel.world.procurement.pk))
    assert response.status_code == 200
    assert (Flag.objects.count(), AuditEvent.objects.count()) == rows == (0, 0)
    text = response.content.decode()
    if page == "flags":
        assert "Flags not recorded yet" in text and "£100,000.00 is 55.56% of the average £180,000.00" in text
    if page == "evaluation":  # the flag the rules raise is counted as awaiting a decision, though not recorded
        assert 'Flags awaiting a decision</dt><dd class="govuk-summary-list__value">1</dd>' in text


@pytest.mark.django_db
def test_the_flags_page_records_the_flags_on_post_once(client: Client) -> None:
    panel = _low_bid_panel()
    client.force_login(panel.officer)
    address = url(panel, "flags", panel.world.procurement.pk)
    response = client.post(address)
    assert response.status_code == 302
    assert [(flag.bid.supplier.name, flag.kind) for flag in Flag.objects.all()] == [
        ("Damson Ltd", FlagKind.ABNORMALLY_LOW_PRICE)
    ]
    assert AuditEvent.objects.filter(action=AuditAction.BID_FLAGGED, actor=panel.officer).count() == 1
    client.post(address)
    assert Flag.objects.count() == 1
    page = client.get(address).content.decode()
    assert "Flags not recorded yet" not in page and "Awaiting a decision" in page
    # An evaluator reads the overview but neither sees nor records the planners' flags page.
    client.force_login(panel.first)
    assert client.post(address).status_code == 404


@pytest.mark.django_db
def test_open_tenders_records_the_flags_of_every_procurement_past_its_deadline_as_the_system() -> None:
    panel = _low_bid_panel()
    still_open = procurement_published(panel.buyer, reference="EVAL-OPEN")
    bid_make(still_open, factories.SupplierFactory.create(), price="1000")
    out = StringIO()
    call_command("procurement", "open-tenders", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {f"{panel.buyer.slug}/{panel.world.procurement.reference}": 1}
    flag = Flag.objects.get()
    assert (flag.bid.procurement, flag.kind) == (panel.world.procurement, FlagKind.ABNORMALLY_LOW_PRICE)
    event = AuditEvent.objects.get(action=AuditAction.BID_FLAGGED)
    assert (event.actor, event.actor_label) == (None, "system")
    out = StringIO()
    call_command("procurement", "open-tenders", stdout=out)
    assert "0 new flags recorded" in out.getvalue()
