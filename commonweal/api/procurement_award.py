"""API: the award of a lot (which creates the contract and carries the winning tender's counted commitments
into it), each bidder's assessment summary and the evaluation report. Thin: find the member, parse, call
the selector or service the award pages call (`selectors_award`, `services_award`), serialise. Its routes
are included by api/urls.py under /api/v1/.

The award is the planners' (`PLAN_PROCUREMENTS`); the report is for the buyer's evaluating people
(`EVALUATE`), and shows tenders only to those the sealed-bid rule lets open them; an assessment summary
is for the buyer's people who may open the tender and for the bidder it is about, once the lot is
awarded. The contract's commitments are then read at `agreements/{id}/commitments/`."""

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.core.errors import ApplicationError
from commonweal.procurement import selectors_award, services_award
from commonweal.procurement.models import CriterionKind, FlagDecision, FlagKind
from commonweal.tenancy.permissions import Permission, member_require

from .pagination import LIST_PARAMETERS, list_response
from .schema import conflict

PARSERS = [JSONParser, MultiPartParser, FormParser]


# --- Shapes ----------------------------------------------------------------------------------------


class RankedSerializer(serializers.Serializer):
    bidder = serializers.CharField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2)
    points = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2), help_text="By criterion code."
    )
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    rank = serializers.IntegerField(allow_null=True)
    disqualified = serializers.ListField(child=serializers.CharField())


class AwardMadeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    lot = serializers.IntegerField(source="lot.number")
    tender = serializers.IntegerField(source="bid_id", allow_null=True)
    supplier = serializers.CharField(source="supplier.name")
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField()
    awarded_at = serializers.DateTimeField()
    agreement = serializers.IntegerField(source="agreement_id", allow_null=True, help_text="The contract's id.")
    agreement_reference = serializers.CharField(source="agreement.reference", allow_null=True, default=None)


class LotAwardSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot.number")
    problems = serializers.ListField(child=serializers.CharField(), help_text="Every reason it cannot be awarded now.")
    winner = serializers.IntegerField(source="winner.pk", allow_null=True, default=None, help_text="The tender's id.")
    tied = serializers.SerializerMethodField(help_text="Tenders tied for first that the rules cannot separate.")
    ranking = serializers.SerializerMethodField()
    award = AwardMadeSerializer(allow_null=True)

    def get_tied(self, entry: selectors_award.LotAward) -> list[int]:
        return [bid.pk for bid in entry.tied]

    def get_ranking(self, entry: selectors_award.LotAward) -> list[dict[str, Any]]:
        return RankedSerializer(list(entry.result.bids) if entry.result else [], many=True).data  # type: ignore[return-value]


class AwardInputSerializer(serializers.Serializer):
    lot = serializers.IntegerField(min_value=0, max_value=100_000, help_text="The lot's number.")
    tender = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, help_text="Only to break a tie the rules leave."
    )
    award_reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why, when choosing between tied tenders."
    )


class SummaryRowSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    title = serializers.CharField(source="criterion.title")
    kind = serializers.ChoiceField(source="criterion.kind", choices=CriterionKind.choices)
    max_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    rationale = serializers.CharField()
    points = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    winner_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    winner_rationale = serializers.CharField()
    winner_points = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class SummarySerializer(serializers.Serializer):
    procurement = serializers.CharField(source="procurement.reference")
    tender = serializers.IntegerField(source="bid.pk")
    bidder = serializers.CharField(source="bid.supplier.name")
    awarded = serializers.BooleanField()
    is_winner = serializers.BooleanField()
    winner = serializers.CharField(source="winner.bidder", allow_null=True, default=None)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, source="own.total", allow_null=True, default=None)
    rank = serializers.IntegerField(source="own.rank", allow_null=True, default=None)
    winner_total = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="winner.total", allow_null=True, default=None
    )
    tenders = serializers.IntegerField(help_text="How many tenders were ranked (others are never named).")
    rows = SummaryRowSerializer(many=True)


class ReportCriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    title = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)


class ReportEvaluatorSerializer(serializers.Serializer):
    name = serializers.CharField()
    criteria = serializers.ListField(child=serializers.CharField())
    declared = serializers.BooleanField(source="declaration", default=False)
    has_conflict = serializers.BooleanField(source="declaration.has_conflict", allow_null=True, default=None)


class ReportScoreSerializer(serializers.Serializer):
    evaluator = serializers.CharField()
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    justification = serializers.CharField()


class ReportCriterionScoresSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    individual = ReportScoreSerializer(many=True)
    moderated = serializers.DecimalField(
        max_digits=7, decimal_places=2, source="moderated.score", allow_null=True, default=None
    )
    rationale = serializers.CharField(source="moderated.rationale", allow_null=True, default=None)


class ReportFlagSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    detail = serializers.CharField()
    decision = serializers.ChoiceField(choices=FlagDecision.choices)
    decision_reason = serializers.CharField()


class ReportBidSerializer(serializers.Serializer):
    bidder = serializers.CharField(source="bid.supplier.name")
    price = serializers.DecimalField(max_digits=14, decimal_places=2, source="bid.price", allow_null=True)
    total = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="result.total", allow_null=True, default=None
    )
    rank = serializers.IntegerField(source="result.rank", allow_null=True, default=None)
    criteria = ReportCriterionScoresSerializer(many=True)
    flags = ReportFlagSerializer(many=True)


class ReportLotSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot.number")
    complete = serializers.BooleanField()
    winner = serializers.CharField(source="result.winner", allow_null=True, default=None)
    winner_without_social_value = serializers.CharField(
        source="result.winner_without_social_value", allow_null=True, default=None
    )
    social_value_changed_winner = serializers.BooleanField(
        source="result.social_value_changed_winner", allow_null=True, default=None
    )
    bids = ReportBidSerializer(many=True)
    award = AwardMadeSerializer(allow_null=True)


class EvaluationReportSerializer(serializers.Serializer):
    reference = serializers.CharField(source="procurement.reference")
    title = serializers.CharField(source="procurement.title")
    state = serializers.CharField(source="procurement.state")
    min_social_value_weight = serializers.DecimalField(max_digits=5, decimal_places=2, source="ask.min_weight")
    ask_band = serializers.CharField(source="ask.band")
    ask_changes = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), source="ask.changes"
    )
    criteria = ReportCriterionSerializer(many=True)
    evaluators = ReportEvaluatorSerializer(many=True)
    sealed = serializers.BooleanField(help_text="You may not open the tenders (yet): none appears.")
    lots = ReportLotSerializer(many=True)
    generated_at = serializers.DateTimeField()


# --- Views -------------------------------------------------------------------------------------------


class AwardApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=LotAwardSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="Each lot's ranking, proposed winner and every reason it cannot be awarded yet, or its award",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_award.planner_procurement_get(member=member, pk=pk)
        entries = selectors_award.award_page(member=member, procurement=procurement)
        return list_response(request, entries, LotAwardSerializer)

    @extend_schema(
        request=AwardInputSerializer,
        responses={
            201: AwardMadeSerializer,
            **conflict("moderation is not complete, a flag awaits a decision, or the lot is awarded already"),
        },
        examples=[OpenApiExample("Lot 1 to the most advantageous tender", value={"lot": 1}, request_only=True)],
        summary="Award a lot to its most advantageous tender: creates the contract with the tender's counted "
        "commitments",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_award.planner_procurement_get(member=member, pk=pk)
        payload = AwardInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        entries = {
            entry.lot.number: entry for entry in selectors_award.award_page(member=member, procurement=procurement)
        }
        entry = entries.get(data["lot"])
        if entry is None:
            raise ApplicationError("There is a problem with the award.", field_errors={"lot": "No lot has this number"})
        tender = data["tender"]
        chosen = next((bid for bid in [*entry.tied, *entry.bids] if bid.pk == tender), None)
        if tender is not None and chosen is None:
            raise ApplicationError(
                "There is a problem with the award.", field_errors={"tender": "Not a tender for this lot"}
            )
        award = services_award.lot_award_make(
            actor=member.user,
            member=member,
            procurement=procurement,
            lot=entry.lot,
            bid=chosen,
            reason=data["award_reason"],
        )
        return Response(AwardMadeSerializer(award).data, status=status.HTTP_201_CREATED)


class AssessmentSummaryApi(APIView):
    @extend_schema(
        responses=SummarySerializer,
        summary="A bidder's assessment summary against the winning tender: for the buyer once moderation is "
        "complete, for the bidder once the lot is awarded",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        bid = selectors_award.summary_bid_get(member=member, pk=pk)
        return Response(SummarySerializer(selectors_award.assessment_summary(bid=bid)).data)


class EvaluationReportApi(APIView):
    @extend_schema(
        responses=EvaluationReportSerializer,
        summary="The evaluation report: the ask, criteria, evaluators and declarations and, for those who may open "
        "the tenders, every score, moderation, flag, ranking and award",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.EVALUATE)
        procurement = selectors_award.report_procurement_get(member=member, pk=pk)
        return Response(
            EvaluationReportSerializer(selectors_award.evaluation_report(member=member, procurement=procurement)).data
        )


P = "organisations/<slug:org>/"
urlpatterns: list[URLPattern] = [
    path(P + "procurements/<int:pk>/awards/", AwardApi.as_view(), name="procurement-awards"),
    path(P + "procurements/<int:pk>/evaluation-report/", EvaluationReportApi.as_view(), name="evaluation-report"),
    path(P + "tenders/<int:pk>/assessment-summary/", AssessmentSummaryApi.as_view(), name="assessment-summary"),
]
