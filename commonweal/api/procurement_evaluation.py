"""API: evaluating tenders — evaluators, conflict declarations, the tenders (sealed until the deadline),
independent scores, moderation, flags and their decisions, and the evaluation's progress and ranking.
Thin: find the member, parse, call the selector or service the evaluation pages call (`selectors`,
`selectors_evaluation`, `services_evaluation`, `ranking`), serialise. Its routes are included by
api/urls.py under /api/v1/.

The sealed-bid rule holds here as on the pages, through the same selectors: before the tender deadline a
tender is a 404 to everyone at the buyer and the tender list is empty; after it, a person must declare
first (409 until they have) and one who declared a conflict is refused (403). Opening a tender is recorded
in the audit log (`selectors.bid_open_for_buyer`). The buyer's evaluating people (`EVALUATE`) declare,
read and score; planners (`PLAN_PROCUREMENTS`) assign evaluators, moderate and decide flags."""

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.core.errors import ApplicationError, StateConflict
from commonweal.procurement import ranking, selectors, selectors_evaluation, services_evaluation
from commonweal.procurement.models import Bid, FlagDecision, FlagKind
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from .pagination import LIST_PARAMETERS, list_response
from .schema import conflict

PARSERS = [JSONParser, MultiPartParser, FormParser]
CLOSED_409 = conflict("the lot is awarded or the procurement closed, or a score awaits others")
DECLARE_FIRST = "Declare any conflict of interest before you see a bid."
GATE_RESPONSES: dict[int, Any] = {
    **conflict("you have not declared yet: declare any conflict of interest before you see a tender"),
    403: OpenApiResponse(description="You declared a conflict of interest: you may not see this procurement's bids."),
}


# --- Shapes ----------------------------------------------------------------------------------------


class AssignmentSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion.pk")
    code = serializers.CharField(source="criterion.code")
    evaluators = serializers.ListField(child=serializers.EmailField())


class EvaluatorsInputSerializer(serializers.Serializer):
    assignments = serializers.JSONField(
        help_text="For each quality and social value criterion (by id), the emails of the people who score it, "
        'e.g. {"41": ["asha@example.org"]}. Criteria not named keep their evaluators.',
    )

    def validate_assignments(self, value: Any) -> dict[str, list[str]]:
        if not isinstance(value, dict) or not all(
            isinstance(emails, list) and all(isinstance(email, str) for email in emails) for emails in value.values()
        ):
            raise serializers.ValidationError("Give a list of emails for each criterion id.")
        return value


class EvaluatorsOutputSerializer(serializers.Serializer):
    assignments = AssignmentSerializer(many=True)
    changes = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class DeclarationSerializer(serializers.Serializer):
    declared = serializers.BooleanField(help_text="Whether you have declared for this procurement yet.")
    has_conflict = serializers.BooleanField(allow_null=True)
    details = serializers.CharField(allow_null=True)
    declared_at = serializers.DateTimeField(allow_null=True)


def _declaration(declaration: Any) -> dict[str, Any]:
    if declaration is None:
        return {"declared": False, "has_conflict": None, "details": None, "declared_at": None}
    return {
        "declared": True,
        "has_conflict": declaration.has_conflict,
        "details": declaration.details,
        "declared_at": declaration.created_at,
    }


class DeclarationInputSerializer(serializers.Serializer):
    has_conflict = serializers.BooleanField()
    details = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Who or what, and how you are connected."
    )


class TenderSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    supplier = serializers.CharField(source="supplier.name")
    lot = serializers.IntegerField(source="lot.number")
    price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)


class TenderResponseSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion.pk")
    code = serializers.CharField(source="criterion.code")
    text = serializers.CharField()


class TenderCommitmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    measure_code = serializers.CharField(source="measure.code")
    measure_title = serializers.CharField(source="measure.title")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    due_date = serializers.DateField()
    place_code = serializers.CharField()
    beneficiary_group = serializers.CharField()
    description = serializers.CharField()


class TenderAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    criterion = serializers.IntegerField(source="criterion_id", allow_null=True)
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()


class TenderDetailSerializer(TenderSerializer):
    method_statement = serializers.CharField()
    responses = TenderResponseSerializer(many=True, source="responses.all")
    commitments = TenderCommitmentSerializer(many=True, source="commitments.all")
    attachments = TenderAttachmentSerializer(many=True, source="attachments.all")


class ScoreInputSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    justification = serializers.CharField(allow_blank=True)


class ScoresInputSerializer(serializers.Serializer):
    scores = serializers.JSONField(
        help_text='Your score and its justification, by criterion id: {"41": {"score": "4", "justification": "…"}}.'
    )

    def validate_scores(self, value: Any) -> dict[int, tuple[Decimal | None, str]]:
        if not isinstance(value, dict):
            raise serializers.ValidationError("Give a score and justification for each criterion id.")
        scores: dict[int, tuple[Decimal | None, str]] = {}
        for key, item in value.items():
            entry = ScoreInputSerializer(data=item)
            if not str(key).isdigit() or not isinstance(item, dict) or not entry.is_valid():
                raise serializers.ValidationError(f"Criterion {key}: give a score (a number) and a justification.")
            scores[int(key)] = (entry.validated_data["score"], entry.validated_data["justification"])
        return scores


class ScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    code = serializers.CharField(source="criterion.code")
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    justification = serializers.CharField()


class SheetScoreSerializer(serializers.Serializer):
    evaluator = serializers.CharField(source="evaluator.email")
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    justification = serializers.CharField()


class ModeratedSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    rationale = serializers.CharField()
    moderated_by = serializers.CharField(source="moderated_by.email")


class SheetSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion.pk")
    code = serializers.CharField(source="criterion.code")
    scores = SheetScoreSerializer(many=True)
    waiting_for = serializers.SerializerMethodField()
    moderated = ModeratedSerializer(allow_null=True)

    def get_waiting_for(self, sheet: Any) -> list[str]:
        return [person.email for person in sheet.missing]


class ModerationInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(min_value=0, help_text="The id of a quality or social value criterion.")
    score = serializers.DecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="A level of the criterion's scale."
    )
    rationale = serializers.CharField(allow_blank=True)


class FlagSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    tender = serializers.IntegerField(source="bid_id")
    supplier = serializers.CharField(source="bid.supplier.name")
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    commitment = serializers.IntegerField(source="commitment_id", allow_null=True)
    detail = serializers.CharField()
    decision = serializers.ChoiceField(choices=FlagDecision.choices)
    decision_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


class FlagDecisionInputSerializer(serializers.Serializer):
    flag_decision = serializers.ChoiceField(
        choices=[FlagDecision.ACCEPTED, FlagDecision.COMMITMENT_NOT_COUNTED, FlagDecision.TENDER_EXCLUDED],
        help_text="commitment_not_counted only for a commitment that restates a core deliverable.",
    )
    decision_reason = serializers.CharField(allow_blank=True)


class LotResultSerializer(serializers.Serializer):
    bidder = serializers.CharField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2)
    points = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=2))
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    rank = serializers.IntegerField(allow_null=True)
    disqualified = serializers.ListField(child=serializers.CharField())


class LotEvaluationSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    tenders = serializers.IntegerField()
    scores_done = serializers.IntegerField()
    scores_expected = serializers.IntegerField()
    moderated_done = serializers.IntegerField()
    moderated_expected = serializers.IntegerField()
    flags_pending = serializers.IntegerField()
    ranking = LotResultSerializer(many=True, allow_null=True)
    winner = serializers.CharField(allow_null=True)
    winner_without_social_value = serializers.CharField(allow_null=True)
    social_value_changed_winner = serializers.BooleanField(allow_null=True)


# --- The gate to a tender (as the pages' `_bid_gate`) ----------------------------------------------------


def _tender_gate(member: Member, pk: int) -> Bid:
    """The tender, unopened, if the member may open it: 404 before the deadline or for anyone the rule keeps
    out, 409 before the member has declared, 403 for a member who declared a conflict."""
    bid = selectors_evaluation.bid_reach(member=member, pk=pk)
    declaration = selectors_evaluation.declaration_get(procurement=bid.procurement, user=member.user)
    if declaration is None:
        raise StateConflict(DECLARE_FIRST)
    if declaration.has_conflict:
        raise PermissionDenied("You declared a conflict of interest for this procurement: you may not see its bids.")
    return bid


def _assignments(procurement: Any) -> list[dict[str, Any]]:
    assigned = selectors_evaluation.assignments(procurement)
    return [
        {
            "criterion": criterion,
            "evaluators": [
                person.email for person in selectors_evaluation.people_named(assigned.get(criterion.pk, set()))
            ],
        }
        for criterion in selectors_evaluation.scored_criteria(procurement)
    ]


# --- Evaluators and declarations -------------------------------------------------------------------------


class EvaluatorsApi(APIView):
    parser_classes = PARSERS

    @extend_schema(responses=EvaluatorsOutputSerializer, summary="Who scores each quality and social value criterion")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_evaluation.evaluation_procurement_get(member=member, pk=pk)
        return Response(EvaluatorsOutputSerializer({"assignments": _assignments(procurement)}).data)

    @extend_schema(
        request=EvaluatorsInputSerializer,
        responses={200: EvaluatorsOutputSerializer, **conflict("the procurement is awarded or cancelled")},
        examples=[
            OpenApiExample(
                "Two evaluators on Q1",
                value={"assignments": {"41": ["asha@example.org", "ben@example.org"]}},
                request_only=True,
            )
        ],
        summary="Assign evaluators (the buyer's planners): one who has scored cannot be taken off a criterion",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_evaluation.evaluation_procurement_get(member=member, pk=pk)
        payload = EvaluatorsInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        people = {person.email.lower(): person.pk for person in selectors_evaluation.assignable_people(procurement)}
        chosen: dict[int, set[int]] = {}
        errors: dict[str, str] = {}
        for key, emails in payload.validated_data["assignments"].items():
            unknown = [email for email in emails if email.lower() not in people]
            if not key.isdigit() or unknown:
                errors[f"assignments.{key}"] = (
                    f"Not people of yours who may evaluate: {', '.join(unknown)}" if unknown else "Key by criterion id"
                )
                continue
            chosen[int(key)] = {people[email.lower()] for email in emails}
        if errors:
            raise ApplicationError("The evaluators could not be changed.", field_errors=errors)
        changes = services_evaluation.evaluators_set(
            actor=member.user, member=member, procurement=procurement, chosen=chosen
        )
        return Response(EvaluatorsOutputSerializer({"assignments": _assignments(procurement), "changes": changes}).data)


class DeclarationApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses={200: DeclarationSerializer},
        summary="Your declaration of conflicts of interest for the procurement, if you have made it",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.EVALUATE)
        procurement = selectors_evaluation.evaluation_procurement_get(member=member, pk=pk)
        declaration = selectors_evaluation.declaration_get(procurement=procurement, user=member.user)
        return Response(DeclarationSerializer(_declaration(declaration)).data)

    @extend_schema(
        request=DeclarationInputSerializer,
        responses={201: DeclarationSerializer, **conflict("you have declared already: a declaration cannot change")},
        examples=[OpenApiExample("No conflict", value={"has_conflict": False}, request_only=True)],
        summary="Declare any conflict of interest, once, before you see a tender",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.EVALUATE)
        procurement = selectors_evaluation.evaluation_procurement_get(member=member, pk=pk)
        payload = DeclarationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        declaration = services_evaluation.declaration_make(
            actor=member.user, member=member, procurement=procurement, **payload.validated_data
        )
        return Response(DeclarationSerializer(_declaration(declaration)).data, status=status.HTTP_201_CREATED)


# --- Tenders, scores and moderation ----------------------------------------------------------------------


class TenderListApi(APIView):
    @extend_schema(
        responses=TenderSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="The submitted tenders: empty before the tender deadline and until you have declared no conflict",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.EVALUATE)
        procurement = selectors_evaluation.evaluation_procurement_get(member=member, pk=pk)
        return list_response(
            request, selectors.bid_list_for_buyer(member=member, procurement=procurement), TenderSerializer
        )


class TenderDetailApi(APIView):
    @extend_schema(
        responses={200: TenderDetailSerializer, **GATE_RESPONSES},
        summary="Open a tender: its price, responses, commitments and attachments (recorded in the audit log); "
        "404 before the tender deadline",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.EVALUATE)
        reached = _tender_gate(member, pk)
        return Response(TenderDetailSerializer(selectors.bid_open_for_buyer(member=member, pk=reached.pk)).data)


class TenderScoresApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses={200: ScoreSerializer(many=True), **GATE_RESPONSES},
        parameters=LIST_PARAMETERS,
        summary="Your own scores of a tender",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.EVALUATE)
        bid = _tender_gate(member, pk)
        own = selectors_evaluation.own_scores(member=member, bid=bid)
        return list_response(request, list(own.values()), ScoreSerializer)

    @extend_schema(
        request=ScoresInputSerializer,
        responses={200: ScoreSerializer(many=True), **GATE_RESPONSES, **CLOSED_409},
        examples=[
            OpenApiExample(
                "Two criteria",
                value={
                    "scores": {
                        "41": {"score": "4", "justification": "A full plan with named crews"},
                        "43": {"score": "5", "justification": "Twelve local jobs, costed"},
                    }
                },
                request_only=True,
            )
        ],
        summary="Record or change your scores, each a level of the criterion's scale with a justification",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.EVALUATE)
        bid = _tender_gate(member, pk)
        payload = ScoresInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        scores = payload.validated_data["scores"]
        saved = services_evaluation.scores_record(actor=member.user, member=member, bid=bid, scores=scores)
        return Response(ScoreSerializer(saved, many=True).data)


class TenderModerationApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses={200: SheetSerializer(many=True), **GATE_RESPONSES},
        parameters=LIST_PARAMETERS,
        summary="Each criterion's independent scores of a tender, who is still to score, and the consensus",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        bid = _tender_gate(member, pk)
        return list_response(request, selectors_evaluation.moderation_sheets(bid), SheetSerializer)

    @extend_schema(
        request=ModerationInputSerializer,
        responses={200: SheetSerializer, **GATE_RESPONSES, **CLOSED_409},
        examples=[
            OpenApiExample(
                "Consensus on Q1",
                value={"criterion": 41, "score": "4", "rationale": "The panel agreed the plan is complete"},
                request_only=True,
            )
        ],
        summary="Record (or revise, until the award) the consensus score once every evaluator has scored",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        bid = _tender_gate(member, pk)
        payload = ModerationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        criterion = selectors_evaluation.scored_criteria(bid.procurement).filter(pk=data["criterion"]).first()
        if criterion is None:
            raise ApplicationError(
                "The consensus score could not be saved.",
                field_errors={"criterion": "Choose a quality or social value criterion of this procurement"},
            )
        services_evaluation.moderation_record(
            actor=member.user,
            member=member,
            bid=bid,
            criterion=criterion,
            score=data["score"],
            rationale=data["rationale"],
        )
        return Response(SheetSerializer(selectors_evaluation.moderation_sheet(bid=bid, criterion=criterion)).data)


# --- Flags -------------------------------------------------------------------------------------------------


class FlagListApi(APIView):
    @extend_schema(
        responses=FlagSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="The recorded flags with their decisions (empty until you may open the tenders)",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_evaluation.evaluation_procurement_get(member=member, pk=pk)
        return list_response(
            request, selectors_evaluation.flag_list(member=member, procurement=procurement), FlagSerializer
        )

    @extend_schema(
        request=None,
        responses={200: FlagSerializer(many=True)},
        summary="Record the flags the rules raise that are not recorded yet; answers those newly recorded",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_evaluation.evaluation_procurement_get(member=member, pk=pk)
        if not selectors.may_open_bids(member=member, procurement=procurement):
            raise Http404("Declare that you have no conflict of interest before you record flags.")
        created = services_evaluation.flags_refresh(actor=member.user, member=member, procurement=procurement)
        return Response(FlagSerializer(created, many=True).data)


class FlagDecisionApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=FlagDecisionInputSerializer,
        responses={200: FlagSerializer, **CLOSED_409},
        examples=[
            OpenApiExample(
                "The price is explained",
                value={"flag_decision": "accepted", "decision_reason": "Birch runs the depot next door."},
                request_only=True,
            )
        ],
        summary="Record (or revise, before the award) the decision on a flag, with its reason",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        flag = selectors_evaluation.flag_get(member=member, pk=pk)
        payload = FlagDecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        flag = services_evaluation.flag_decide(
            actor=member.user,
            member=member,
            flag=flag,
            decision=payload.validated_data["flag_decision"],
            reason=payload.validated_data["decision_reason"],
        )
        return Response(FlagSerializer(flag).data)


# --- Progress and ranking --------------------------------------------------------------------------------


class EvaluationApi(APIView):
    @extend_schema(
        responses=LotEvaluationSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="Each lot's progress (counts only; nothing before the deadline) and, once moderation is complete "
        "and you may open the tenders, its ranking",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.EVALUATE)
        procurement = selectors_evaluation.evaluation_procurement_get(member=member, pk=pk)
        may_open = selectors.may_open_bids(member=member, procurement=procurement)
        lots = []
        for row in selectors_evaluation.progress(procurement, member=member):
            result = None
            if may_open and row.moderation_complete and ranking.evaluation_complete(procurement, row.lot):
                result = ranking.evaluation_result(procurement, row.lot)
            lots.append(
                {
                    "lot": row.lot.number,
                    "tenders": row.bids,
                    "scores_done": row.scores_done,
                    "scores_expected": row.scores_expected,
                    "moderated_done": row.moderated_done,
                    "moderated_expected": row.moderated_expected,
                    "flags_pending": row.flags_pending,
                    "ranking": list(result.bids) if result else None,
                    "winner": result.winner if result else None,
                    "winner_without_social_value": result.winner_without_social_value if result else None,
                    "social_value_changed_winner": result.social_value_changed_winner if result else None,
                }
            )
        return list_response(request, lots, LotEvaluationSerializer)


P = "organisations/<slug:org>/"
urlpatterns: list[URLPattern] = [
    path(P + "procurements/<int:pk>/evaluators/", EvaluatorsApi.as_view(), name="procurement-evaluators"),
    path(P + "procurements/<int:pk>/declaration/", DeclarationApi.as_view(), name="procurement-declaration"),
    path(P + "procurements/<int:pk>/tenders/", TenderListApi.as_view(), name="tender-list"),
    path(P + "tenders/<int:pk>/", TenderDetailApi.as_view(), name="tender-detail"),
    path(P + "tenders/<int:pk>/scores/", TenderScoresApi.as_view(), name="tender-scores"),
    path(P + "tenders/<int:pk>/moderation/", TenderModerationApi.as_view(), name="tender-moderation"),
    path(P + "procurements/<int:pk>/flags/", FlagListApi.as_view(), name="procurement-flags"),
    path(P + "flags/<int:pk>/decision/", FlagDecisionApi.as_view(), name="flag-decision"),
    path(P + "procurements/<int:pk>/evaluation/", EvaluationApi.as_view(), name="procurement-evaluation"),
]
