"""API: the supplier side of a procurement — opportunities, clarification questions, bids with their
responses, commitments and attachments, submitting and reopening — and the buyer's answers to
clarification questions. Thin: find the member, parse, call the selector or service the bidding pages
call (`selectors`, `selectors_bidding`, `selectors_clarifications`, `services_bidding`,
`services_clarifications`), serialise. Its routes are included by api/urls.py under /api/v1/.

A published procurement is a public notice: every supplier's people (`BID`) read it, ask and bid. A bid is
its supplier's alone: nobody at the buyer reaches it here (the buyer's people read tenders, once the
sealed-bid rule allows, through `procurement_evaluation.py`). Once the tender deadline has passed no bid
can be started, changed, submitted or reopened: 409."""

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.core.errors import ApplicationError
from commonweal.frameworks.models import OfferKind
from commonweal.procurement import (
    selectors,
    selectors_bidding,
    selectors_clarifications,
    selectors_planning,
    services_bidding,
    services_clarifications,
)
from commonweal.procurement.models import Bid, BidState, Clarification, CriterionKind, Procurement
from commonweal.procurement.rules import scored_criteria
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from .pagination import LIST_PARAMETERS, list_response
from .schema import conflict
from .serializers import BoundedDateField

PARSERS = [JSONParser, MultiPartParser, FormParser]
DEADLINE_409 = conflict("the tender deadline has passed, or the bid is not in the state the change needs")


# --- Shapes ----------------------------------------------------------------------------------------


class OpportunitySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    buyer = serializers.CharField(source="organisation.slug")
    buyer_name = serializers.CharField(source="organisation.name")
    reference = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    category = serializers.CharField()
    duration_months = serializers.IntegerField()
    offer_kind = serializers.ChoiceField(choices=OfferKind.choices)
    publication_at = serializers.DateTimeField(allow_null=True)
    clarification_deadline = serializers.DateTimeField(allow_null=True)
    tender_deadline = serializers.DateTimeField(allow_null=True)
    open_for_bids = serializers.SerializerMethodField()

    def get_open_for_bids(self, procurement: Procurement) -> bool:
        return selectors.open_for_bids(procurement)


class OpportunityLotSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="lot.pk")
    number = serializers.IntegerField(source="lot.number")
    title = serializers.CharField(source="lot.title")
    description = serializers.CharField(source="lot.description")
    your_bid = serializers.IntegerField(source="bid.pk", allow_null=True, default=None)


class OpportunityCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    code = serializers.CharField()
    title = serializers.CharField()
    question = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    word_limit = serializers.IntegerField(allow_null=True)
    minimum_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)


class MeasureChoiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()


class PublishedClarificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    question = serializers.CharField(source="published_question")
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)


class OwnQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    question = serializers.CharField()
    published_question = serializers.CharField()
    answer = serializers.CharField()
    asked_at = serializers.DateTimeField(source="created_at")
    answered_at = serializers.DateTimeField(allow_null=True)


class OpportunityDetailSerializer(OpportunitySerializer):
    lots = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()
    measures = serializers.SerializerMethodField()
    clarifications = serializers.SerializerMethodField()
    your_questions = serializers.SerializerMethodField()

    def _member(self) -> Member:
        return self.context["member"]

    def get_lots(self, procurement: Procurement) -> list[dict[str, Any]]:
        rows = selectors_bidding.lot_rows(member=self._member(), procurement=procurement)
        return OpportunityLotSerializer(rows, many=True).data  # type: ignore[return-value]

    def get_criteria(self, procurement: Procurement) -> list[dict[str, Any]]:
        criteria = [c for branch in selectors_planning.methodology(procurement).branches for c in branch.criteria]
        return OpportunityCriterionSerializer(criteria, many=True).data  # type: ignore[return-value]

    def get_measures(self, procurement: Procurement) -> list[dict[str, Any]]:
        return MeasureChoiceSerializer(selectors_bidding.measure_list(procurement), many=True).data  # type: ignore[return-value]

    def get_clarifications(self, procurement: Procurement) -> list[dict[str, Any]]:
        published = selectors_clarifications.clarifications_published(procurement=procurement)
        return PublishedClarificationSerializer(published, many=True).data  # type: ignore[return-value]

    def get_your_questions(self, procurement: Procurement) -> list[dict[str, Any]]:
        asked = selectors_clarifications.clarifications_asked_by(member=self._member(), procurement=procurement)
        return OwnQuestionSerializer(asked, many=True).data  # type: ignore[return-value]


class QuestionInputSerializer(serializers.Serializer):
    opportunity = serializers.IntegerField(min_value=0, help_text="The id of the opportunity (procurement).")
    question = serializers.CharField(allow_blank=True)


class ResponseSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion.pk")
    code = serializers.CharField(source="criterion.code")
    text = serializers.CharField()
    words = serializers.IntegerField()
    word_limit = serializers.IntegerField(source="criterion.word_limit", allow_null=True)


class BidCommitmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    measure_code = serializers.CharField(source="measure.code")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    due_date = serializers.DateField()
    place_code = serializers.CharField()
    beneficiary_group = serializers.CharField()
    description = serializers.CharField()


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    criterion = serializers.IntegerField(source="criterion_id", allow_null=True)
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class BidSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    procurement = serializers.IntegerField(source="procurement_id")
    procurement_reference = serializers.CharField(source="procurement.reference")
    lot = serializers.IntegerField(source="lot.number")
    state = serializers.ChoiceField(choices=BidState.choices)
    price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    method_statement = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class BidDetailSerializer(BidSerializer):
    responses = serializers.SerializerMethodField()
    commitments = BidCommitmentSerializer(many=True, source="commitments.all")
    attachments = AttachmentSerializer(many=True, source="attachments.all")
    problems = serializers.SerializerMethodField(
        help_text="What stops a draft being submitted, by field (empty: it can be submitted)."
    )

    def get_responses(self, bid: Bid) -> list[dict[str, Any]]:
        return ResponseSerializer(selectors_bidding.response_rows(bid), many=True).data  # type: ignore[return-value]

    def get_problems(self, bid: Bid) -> dict[str, str]:
        return services_bidding.bid_problems(bid) if bid.state == BidState.DRAFT else {}


class BidStartSerializer(serializers.Serializer):
    lot = serializers.IntegerField(min_value=0, help_text="The id of a lot of a published opportunity.")


class BidUpdateSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    method_statement = serializers.CharField(required=False, allow_blank=True)
    responses = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Your response to each quality and social value criterion, by criterion id.",
    )
    remove_commitments = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False)
    remove_attachments = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False)


class BidCommitmentInputSerializer(serializers.Serializer):
    measure_code = serializers.CharField(max_length=60, help_text="A measure of the procurement's framework.")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    due_date = BoundedDateField(help_text="By when it will have been delivered: within the contract.")
    place_code = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    beneficiary_group = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class AttachmentInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(min_value=0, help_text="The id of the criterion the file answers.")
    file = serializers.FileField(help_text="A PDF, DOCX, XLSX, ODT or ODS file.")


class ClarificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    supplier = serializers.CharField(source="supplier.name")
    question = serializers.CharField()
    published_question = serializers.CharField()
    answer = serializers.CharField()
    asked_at = serializers.DateTimeField(source="created_at")
    answered_at = serializers.DateTimeField(allow_null=True)


class AnswerInputSerializer(serializers.Serializer):
    published_question = serializers.CharField(
        allow_blank=True, help_text="The question as it will be published, without who asked."
    )
    answer = serializers.CharField(allow_blank=True)


# --- Helpers -----------------------------------------------------------------------------------------


def _bid_data(member: Member, pk: int) -> dict[str, Any]:
    return BidDetailSerializer(selectors.bid_get_for_supplier(member=member, pk=pk)).data


def _bid_save(member: Member, bid: Bid, **changes: Any) -> Bid:
    """Save a draft through the service the bid page calls, keeping what `changes` does not name."""
    texts = {response.criterion_id: response.text for response in bid.responses.all()}
    return services_bidding.bid_save(
        actor=member.user,
        member=member,
        bid=bid,
        price=changes.pop("price", bid.price),
        method_statement=changes.pop("method_statement", bid.method_statement),
        responses=changes.pop("responses", texts),
        **changes,
    )


def _criterion_ids(responses: dict[str, str]) -> dict[int, str]:
    try:
        return {int(key): text for key, text in responses.items()}
    except ValueError:
        raise ApplicationError(
            "There is a problem with the bid.", field_errors={"responses": "Key each response by its criterion's id"}
        ) from None


# --- Opportunities and questions ------------------------------------------------------------------------


class OpportunityListApi(APIView):
    @extend_schema(
        responses=OpportunitySerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="Published procurements open to suppliers (a supplier's people)",
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.BID)
        found = selectors.opportunity_list(member=member).order_by("tender_deadline", "pk")
        return list_response(request, found, OpportunitySerializer)


class OpportunityDetailApi(APIView):
    @extend_schema(
        responses=OpportunityDetailSerializer,
        summary="An opportunity: its lots (with your bid on each), criteria, measures, published answers and your "
        "questions",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.BID)
        procurement = selectors.opportunity_get(member=member, pk=pk)
        return Response(OpportunityDetailSerializer(procurement, context={"member": member}).data)


class QuestionApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=QuestionInputSerializer,
        responses={201: OwnQuestionSerializer, **conflict("the clarification deadline has passed")},
        examples=[
            OpenApiExample(
                "Is the depot included?",
                value={"opportunity": 12, "question": "Is the Eastgate depot part of the contract?"},
                request_only=True,
            )
        ],
        summary="Ask the buyer a clarification question; its answer is published to every bidder",
    )
    def post(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.BID)
        payload = QuestionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        procurement = selectors.opportunity_get(member=member, pk=payload.validated_data["opportunity"])
        clarification = services_clarifications.clarification_ask(
            actor=member.user, member=member, procurement=procurement, question=payload.validated_data["question"]
        )
        return Response(OwnQuestionSerializer(clarification).data, status=status.HTTP_201_CREATED)


# --- Bids --------------------------------------------------------------------------------------------


class BidListApi(APIView):
    parser_classes = PARSERS

    @extend_schema(responses=BidSerializer(many=True), parameters=LIST_PARAMETERS, summary="Your bids, drafts included")
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.BID)
        bids = selectors.bid_list_for_supplier(member=member).order_by("-updated_at", "-pk")
        return list_response(request, bids, BidSerializer)

    @extend_schema(
        request=BidStartSerializer,
        responses={201: BidDetailSerializer, **DEADLINE_409},
        examples=[OpenApiExample("Bid for lot 1", value={"lot": 31}, request_only=True)],
        summary="Start a draft bid for a lot (or answer your existing bid for it)",
    )
    def post(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.BID)
        payload = BidStartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lot_pk = payload.validated_data["lot"]
        procurement = selectors.opportunity_list(member=member).filter(lots__pk=lot_pk).first()
        if procurement is None:
            raise ApplicationError(
                "There is a problem with the bid.", field_errors={"lot": "No published opportunity has this lot"}
            )
        lot = selectors_bidding.lot_get(procurement=procurement, pk=lot_pk)
        bid = services_bidding.bid_start(actor=member.user, member=member, procurement=procurement, lot=lot)
        return Response(_bid_data(member, bid.pk), status=status.HTTP_201_CREATED)


class BidDetailApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=BidDetailSerializer,
        summary="Your bid: price, responses, commitments, attachments and what stops it being submitted",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.BID)
        return Response(_bid_data(member, pk))

    @extend_schema(
        request=BidUpdateSerializer,
        responses={200: BidDetailSerializer, **DEADLINE_409},
        examples=[
            OpenApiExample(
                "Price and responses",
                value={
                    "price": "200000.00",
                    "method_statement": "We recruit through the council's job brokerage.",
                    "responses": {"41": "Crews based at the Eastgate depot…", "42": "Two crews, cross-trained…"},
                },
                request_only=True,
            )
        ],
        summary="Change a draft: the parts given; a draft may still be incomplete",
    )
    def patch(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.BID)
        bid = selectors.bid_get_for_supplier(member=member, pk=pk)
        payload = BidUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        if "responses" in changes:
            texts = {response.criterion_id: response.text for response in bid.responses.all()}
            changes["responses"] = {**texts, **_criterion_ids(changes["responses"])}
        _bid_save(member, bid, **changes)
        return Response(_bid_data(member, pk))


class BidCommitmentApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=BidCommitmentInputSerializer,
        responses={201: BidDetailSerializer, **DEADLINE_409},
        examples=[
            OpenApiExample(
                "Four local jobs",
                value={
                    "measure_code": "JOBS.1",
                    "quantity": "4",
                    "due_date": "2028-03-31",
                    "place_code": "E08000009",
                    "beneficiary_group": "Young people not in work",
                },
                request_only=True,
            )
        ],
        summary="Add a quantified social value commitment to a draft",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.BID)
        bid = selectors.bid_get_for_supplier(member=member, pk=pk)
        payload = BidCommitmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        measure = selectors_bidding.measure_list(bid.procurement).filter(code=data["measure_code"]).first()
        if measure is None:
            raise ApplicationError(
                "The commitment cannot be added.",
                field_errors={"measure_code": "Choose one of the measures of this procurement’s framework"},
            )
        commitment = services_bidding.CommitmentInput(
            measure=measure,
            quantity=data["quantity"],
            due_date=data["due_date"],
            place_code=data["place_code"],
            beneficiary_group=data["beneficiary_group"],
            description=data["description"],
        )
        _bid_save(member, bid, new_commitment=commitment)
        return Response(_bid_data(member, pk), status=status.HTTP_201_CREATED)


class BidAttachmentApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: BidDetailSerializer, **DEADLINE_409},
        summary="Attach a tender document to a draft's response to a criterion",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.BID)
        bid = selectors.bid_get_for_supplier(member=member, pk=pk)
        payload = AttachmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        criterion = payload.validated_data["criterion"]
        if criterion not in {c.pk for c in scored_criteria(bid.procurement)}:
            raise ApplicationError(
                "The file cannot be attached.",
                field_errors={"criterion": "Choose a quality or social value criterion of this procurement"},
            )
        _bid_save(member, bid, attachments={criterion: payload.validated_data["file"]})
        return Response(_bid_data(member, pk), status=status.HTTP_201_CREATED)


class BidSubmitApi(APIView):
    @extend_schema(
        request=None,
        responses={200: BidDetailSerializer, **DEADLINE_409},
        summary="Submit a draft as your tender: refused (400) with every problem while it is incomplete",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.BID)
        bid = selectors.bid_get_for_supplier(member=member, pk=pk)
        services_bidding.bid_submit(actor=member.user, member=member, bid=bid)
        return Response(_bid_data(member, pk))


class BidReopenApi(APIView):
    @extend_schema(
        request=None,
        responses={200: BidDetailSerializer, **DEADLINE_409},
        summary="Make a submitted bid a draft again, before the deadline; it is no tender until resubmitted",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.BID)
        bid = selectors.bid_get_for_supplier(member=member, pk=pk)
        services_bidding.bid_reopen(actor=member.user, member=member, bid=bid)
        return Response(_bid_data(member, pk))


# --- The buyer's clarifications ------------------------------------------------------------------------


class ClarificationListApi(APIView):
    @extend_schema(
        responses=ClarificationSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="Every clarification question on your procurement, with who asked (the buyer's planners)",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors.procurement_get(member=member, pk=pk)
        found = selectors_clarifications.clarification_list_for_buyer(member=member, procurement=procurement)
        return list_response(request, found, ClarificationSerializer)


class ClarificationAnswerApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=AnswerInputSerializer,
        responses=ClarificationSerializer,
        examples=[
            OpenApiExample(
                "Anonymous wording",
                value={
                    "published_question": "Is the Eastgate depot part of the contract?",
                    "answer": "No: the depot stays with the council.",
                },
                request_only=True,
            )
        ],
        summary="Publish a question, in wording that does not say who asked, with its answer to every bidder",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        clarification: Clarification = selectors_clarifications.clarification_get_for_buyer(member=member, pk=pk)
        payload = AnswerInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        clarification = services_clarifications.clarification_answer(
            actor=member.user, member=member, clarification=clarification, **payload.validated_data
        )
        return Response(ClarificationSerializer(clarification).data)


P = "organisations/<slug:org>/"
urlpatterns: list[URLPattern] = [
    path(P + "opportunities/", OpportunityListApi.as_view(), name="opportunity-list"),
    path(P + "opportunities/<int:pk>/", OpportunityDetailApi.as_view(), name="opportunity-detail"),
    path(P + "questions/", QuestionApi.as_view(), name="question-ask"),
    path(P + "bids/", BidListApi.as_view(), name="bid-list"),
    path(P + "bids/<int:pk>/", BidDetailApi.as_view(), name="bid-detail"),
    path(P + "bids/<int:pk>/commitments/", BidCommitmentApi.as_view(), name="bid-commitment-add"),
    path(P + "bids/<int:pk>/attachments/", BidAttachmentApi.as_view(), name="bid-attachment-add"),
    path(P + "bids/<int:pk>/submit/", BidSubmitApi.as_view(), name="bid-submit"),
    path(P + "bids/<int:pk>/reopen/", BidReopenApi.as_view(), name="bid-reopen"),
    path(P + "procurements/<int:pk>/clarifications/", ClarificationListApi.as_view(), name="clarification-list"),
    path(P + "clarifications/<int:pk>/answer/", ClarificationAnswerApi.as_view(), name="clarification-answer"),
]
