"""API: planning a procurement — the procurement and its timetable, lots, the social value ask (with its
reasons and changes), the impact assessment, criteria, scoring scales, publishing and cancelling. Thin:
find the member, parse, call the selector or service the planning pages call (`selectors_planning`,
`services_planning`), serialise. Its routes are included by api/urls.py under /api/v1/.

The buyer's people read (`READ_PUBLIC_BODY`); procurement officers and social value leads change
(`PLAN_PROCUREMENTS`). Once published, the methodology is frozen: a change answers 409."""

from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.core.errors import ApplicationError, StateConflict
from commonweal.frameworks.models import ContractCategory, OfferKind, ReportingFrequency, SupplierSize
from commonweal.frameworks.proportionality import ask_adjust
from commonweal.frameworks.selectors_priorities import priority_outcome_list
from commonweal.procurement import selectors_planning, services_planning
from commonweal.procurement.models import (
    Criterion,
    CriterionKind,
    PriceMethod,
    Procedure,
    Procurement,
    ProcurementState,
    ScoringScale,
    TenderingPeriodReduction,
)
from commonweal.procurement.rules import TIMETABLE, ask_from_dict
from commonweal.procurement.services_planning import CriterionInput, ImpactInput, ProcurementInput
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from .pagination import LIST_PARAMETERS, list_response
from .schema import conflict
from .serializers import BoundedDateTimeField

PARSERS = [JSONParser, MultiPartParser, FormParser]
FROZEN_409 = conflict("the procurement is published, awarded or cancelled, so its plan cannot change")


# --- Shapes ----------------------------------------------------------------------------------------


class LotOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class LotInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    estimated_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )


class CriterionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    code = serializers.CharField()
    title = serializers.CharField()
    question = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    scale = serializers.IntegerField(source="scale_id", allow_null=True)
    minimum_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    word_limit = serializers.IntegerField(allow_null=True)
    outcome_code = serializers.CharField()


class CriterionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    code = serializers.CharField(max_length=20, allow_blank=True)
    title = serializers.CharField(max_length=300, allow_blank=True)
    question = serializers.CharField(required=False, allow_blank=True, default="")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Per cent of the total score.")
    scale = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The id of one of your scales; none for price."
    )
    minimum_score = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    word_limit = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100_000)
    outcome_code = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)


class ImpactOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    outcome_code = serializers.CharField()
    outcome_title = serializers.CharField()
    positive_effects = serializers.CharField()
    negative_effects = serializers.CharField()
    mitigations = serializers.CharField()
    by_specification = serializers.BooleanField()
    by_lotting = serializers.BooleanField()
    by_questions = serializers.BooleanField()


class ImpactInputSerializer(serializers.Serializer):
    outcome_code = serializers.CharField(max_length=30, help_text="An outcome of the procurement's framework version.")
    positive_effects = serializers.CharField(required=False, allow_blank=True, default="")
    negative_effects = serializers.CharField(required=False, allow_blank=True, default="")
    mitigations = serializers.CharField(required=False, allow_blank=True, default="")
    by_specification = serializers.BooleanField(required=False, default=False)
    by_lotting = serializers.BooleanField(required=False, default=False)
    by_questions = serializers.BooleanField(required=False, default=False)


class ProcurementOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    core_deliverables = serializers.CharField()
    state = serializers.ChoiceField(choices=ProcurementState.choices)
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    category = serializers.ChoiceField(choices=ContractCategory.choices)
    duration_months = serializers.IntegerField()
    framework_version = serializers.IntegerField(source="framework_version_id", allow_null=True)
    value_set = serializers.IntegerField(source="value_set_id", allow_null=True)
    procedure = serializers.ChoiceField(choices=Procedure.choices)
    tendering_period_reduction = serializers.ChoiceField(choices=TenderingPeriodReduction.choices)
    price_method = serializers.ChoiceField(choices=PriceMethod.choices)
    abnormally_low_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    social_value_share_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    min_social_value_weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    offer_kind = serializers.ChoiceField(choices=OfferKind.choices)
    reporting_frequency = serializers.ChoiceField(choices=ReportingFrequency.choices)
    publication_at = serializers.DateTimeField(allow_null=True)
    clarification_deadline = serializers.DateTimeField(allow_null=True)
    tender_deadline = serializers.DateTimeField(allow_null=True)
    evaluation_at = serializers.DateTimeField(allow_null=True)
    award_at = serializers.DateTimeField(allow_null=True)
    standstill_end_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    awarded_at = serializers.DateTimeField(allow_null=True)


class ProcurementDetailSerializer(ProcurementOutputSerializer):
    lots = LotOutputSerializer(many=True, source="lots.all")
    criteria = CriterionOutputSerializer(many=True, source="criteria.all")
    impacts = ImpactOutputSerializer(many=True, source="impacts.all")
    publish_problems = serializers.SerializerMethodField(
        help_text="What stops the procurement being published now, in words (empty: it can be)."
    )

    def get_publish_problems(self, procurement: Procurement) -> list[str]:
        if procurement.state != ProcurementState.DRAFT:
            return []
        return selectors_planning.publish_problems(procurement)


class ProcurementInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, allow_blank=True)
    reference = serializers.CharField(max_length=60, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    core_deliverables = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="What the contract itself must deliver, one per line."
    )
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="In pounds, excluding VAT.")
    category = serializers.ChoiceField(choices=ContractCategory.choices)
    duration_months = serializers.IntegerField(min_value=0, max_value=1200)
    supplier_size = serializers.ChoiceField(choices=SupplierSize.choices, default=SupplierSize.ANY)
    framework_version = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The id of a published version of your framework."
    )
    value_set = serializers.IntegerField(required=False, allow_null=True, default=None)
    price_method = serializers.ChoiceField(choices=PriceMethod.choices, default=PriceMethod.LOWEST_OVER_BID)
    abnormally_low_percent = serializers.DecimalField(max_digits=5, decimal_places=2, default=Decimal("80"))
    social_value_share_percent = serializers.DecimalField(max_digits=5, decimal_places=2, default=Decimal("20"))
    procedure = serializers.ChoiceField(choices=Procedure.choices, default=Procedure.OPEN)
    tendering_period_reduction = serializers.ChoiceField(
        choices=TenderingPeriodReduction.choices, default=TenderingPeriodReduction.NONE, allow_blank=True
    )
    publication_at = BoundedDateTimeField(required=False, allow_null=True, default=None)
    clarification_deadline = BoundedDateTimeField(required=False, allow_null=True, default=None)
    tender_deadline = BoundedDateTimeField(required=False, allow_null=True, default=None)
    evaluation_at = BoundedDateTimeField(required=False, allow_null=True, default=None)
    award_at = BoundedDateTimeField(required=False, allow_null=True, default=None)
    standstill_end_at = BoundedDateTimeField(required=False, allow_null=True, default=None)


class ProcurementAskChangeSerializer(serializers.Serializer):
    part = serializers.CharField()
    proposed = serializers.CharField()
    adjusted = serializers.CharField()
    reason = serializers.CharField()


class ProcurementAskRowSerializer(serializers.Serializer):
    part = serializers.CharField()
    title = serializers.CharField()
    proposed = serializers.CharField(help_text="What the policy band proposes.")
    reason = serializers.CharField(help_text="Why the policy proposes it.")
    adjustable = serializers.BooleanField()
    change = ProcurementAskChangeSerializer(allow_null=True, help_text="The officer's change, with its reason, if any.")


class ProcurementAskSerializer(serializers.Serializer):
    fitted = serializers.BooleanField(help_text="Whether a policy band fitted the procurement.")
    message = serializers.CharField(help_text="Why no band fitted (empty when one did).")
    band = serializers.CharField()
    rows = ProcurementAskRowSerializer(many=True)
    min_social_value_weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    offer_kind = serializers.CharField()
    reporting_frequency = serializers.CharField()


class ProcurementAskInputSerializer(serializers.Serializer):
    min_weighting_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    outcomes = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=list,
        help_text='Outcome keys "framework:code" from your priorities.',
    )
    offer_kind = serializers.ChoiceField(choices=OfferKind.choices)
    delivery_plan_required = serializers.BooleanField()
    reporting_frequency = serializers.ChoiceField(choices=ReportingFrequency.choices)
    reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="The reason for each part that differs from the proposal, by part: weighting, outcomes, offer, "
        "delivery_plan, reporting.",
    )


class ScaleLevelSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    label = serializers.CharField()  # type: ignore[assignment]  # a field called "label", not Field.label
    descriptor = serializers.CharField()


class ScaleOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    title = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field called "source", not Field.source
    levels = ScaleLevelSerializer(many=True, source="levels.all")


class ScaleInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=60, allow_blank=True)
    title = serializers.CharField(max_length=200, allow_blank=True)
    source = serializers.CharField(max_length=500, allow_blank=True)  # type: ignore[assignment]
    levels = serializers.CharField(help_text='One level a line: "score | label | descriptor".')


class CancelInputSerializer(serializers.Serializer):
    cancel_reason = serializers.CharField(allow_blank=True, help_text="Why the procurement is cancelled.")


PROCUREMENT_EXAMPLE = OpenApiExample(
    "A grounds maintenance contract",
    value={
        "title": "Grounds maintenance",
        "reference": "PROC-001",
        "description": "Grounds maintenance of parks and open spaces.",
        "core_deliverables": "Grass cutting in every park\nLitter picking in open spaces",
        "estimated_value": "250000.00",
        "category": "services",
        "duration_months": 36,
        "framework_version": 7,
        "price_method": "lowest_over_bid",
        "abnormally_low_percent": "90",
        "tender_deadline": "2027-05-28T12:00:00+01:00",
    },
    request_only=True,
)


# --- Reading the input -----------------------------------------------------------------------------


def _procurement_input(member: Member, data: dict[str, Any]) -> ProcurementInput:
    errors: dict[str, str] = {}
    version = None
    if data.get("framework_version") is not None:
        version = (
            selectors_planning.framework_version_choices(member=member).filter(pk=data["framework_version"]).first()
        )
        if version is None:
            errors["framework_version"] = "None of your published framework versions has this id"
    value_set = None
    if data.get("value_set") is not None:
        value_set = selectors_planning.value_set_choices(member=member).filter(pk=data["value_set"]).first()
        if value_set is None:
            errors["value_set"] = "None of your value sets has this id"
    if errors:
        raise ApplicationError("There is a problem with the procurement.", field_errors=errors)
    return ProcurementInput(
        title=data["title"],
        reference=data["reference"],
        description=data["description"],
        core_deliverables=data["core_deliverables"],
        estimated_value=data["estimated_value"],
        category=data["category"],
        duration_months=data["duration_months"],
        framework_version=version,
        value_set=value_set,
        price_method=data["price_method"],
        abnormally_low_percent=data["abnormally_low_percent"],
        social_value_share_percent=data["social_value_share_percent"],
        timetable={name: data.get(name) for name in TIMETABLE},
        supplier_size=data["supplier_size"],
        procedure=data["procedure"],
        tendering_period_reduction=data["tendering_period_reduction"] or "",
    )


def _procurement_current(procurement: Procurement) -> dict[str, Any]:
    """The procurement as input, so that a PATCH changes only the fields it names."""
    return {
        "title": procurement.title,
        "reference": procurement.reference,
        "description": procurement.description,
        "core_deliverables": procurement.core_deliverables,
        "estimated_value": procurement.estimated_value,
        "category": procurement.category,
        "duration_months": procurement.duration_months,
        "supplier_size": (procurement.ask or {}).get("inputs", {}).get("supplier_size", SupplierSize.ANY),
        "framework_version": procurement.framework_version_id,
        "value_set": procurement.value_set_id,
        "price_method": procurement.price_method,
        "abnormally_low_percent": procurement.abnormally_low_percent,
        "social_value_share_percent": procurement.social_value_share_percent,
        "procedure": procurement.procedure,
        "tendering_period_reduction": procurement.tendering_period_reduction,
        **{name: getattr(procurement, name) for name in TIMETABLE},
    }


def _given(payload: serializers.Serializer) -> dict[str, Any]:
    """The validated fields the request actually named (a PATCH leaves the others as they are)."""
    return {name: value for name, value in payload.validated_data.items() if name in payload.initial_data}


def _criterion_input(member: Member, data: dict[str, Any]) -> CriterionInput:
    scale = None
    if data.get("scale") is not None:
        scale = selectors_planning.scale_list(member=member).filter(pk=data["scale"]).first()
        if scale is None:
            raise ApplicationError(
                "There is a problem with the criterion.", field_errors={"scale": "None of your scales has this id"}
            )
    return CriterionInput(
        kind=data["kind"],
        code=data["code"],
        title=data["title"],
        question=data.get("question", ""),
        weight=data["weight"],
        scale=scale,
        minimum_score=data.get("minimum_score"),
        word_limit=data.get("word_limit"),
        outcome_code=data.get("outcome_code", ""),
    )


def _criterion_current(criterion: Criterion) -> dict[str, Any]:
    return {
        "kind": criterion.kind,
        "code": criterion.code,
        "title": criterion.title,
        "question": criterion.question,
        "weight": criterion.weight,
        "scale": criterion.scale_id,
        "minimum_score": criterion.minimum_score,
        "word_limit": criterion.word_limit,
        "outcome_code": criterion.outcome_code,
    }


def _impact_input(data: dict[str, Any]) -> ImpactInput:
    return ImpactInput(
        outcome_code=data["outcome_code"],
        positive_effects=data.get("positive_effects", ""),
        negative_effects=data.get("negative_effects", ""),
        mitigations=data.get("mitigations", ""),
        by_specification=data.get("by_specification", False),
        by_lotting=data.get("by_lotting", False),
        by_questions=data.get("by_questions", False),
    )


def _detail(procurement: Procurement) -> dict[str, Any]:
    procurement.refresh_from_db()
    return ProcurementDetailSerializer(procurement).data


# --- Procurements ----------------------------------------------------------------------------------


class ProcurementListApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=ProcurementOutputSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="Your procurements, newest first",
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        return list_response(request, selectors_planning.procurement_list(member=member), ProcurementOutputSerializer)

    @extend_schema(
        request=ProcurementInputSerializer,
        responses={201: ProcurementDetailSerializer},
        examples=[PROCUREMENT_EXAMPLE],
        summary="Plan a procurement: a draft with Lot 1, the ask your policy proposes and a starting model",
    )
    def post(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        payload = ProcurementInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        procurement = services_planning.procurement_create(
            actor=member.user, member=member, data=_procurement_input(member, payload.validated_data)
        )
        return Response(_detail(procurement), status=status.HTTP_201_CREATED)


class ProcurementDetailApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=ProcurementDetailSerializer,
        summary="A procurement with its lots, criteria, impact assessment and what stops it being published",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        return Response(_detail(selectors_planning.procurement_get(member=member, pk=pk)))

    @extend_schema(
        request=ProcurementInputSerializer(partial=True),
        responses={200: ProcurementDetailSerializer, **FROZEN_409},
        examples=[OpenApiExample("A later deadline", value={"tender_deadline": "2027-06-04T12:00:00+01:00"})],
        summary="Change a draft's details and timetable: the fields given; a new value, category, duration, "
        "supplier size or description proposes the ask again",
    )
    def patch(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_planning.procurement_get(member=member, pk=pk)
        payload = ProcurementInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = {**_procurement_current(procurement), **_given(payload)}
        services_planning.procurement_update(
            actor=member.user, member=member, procurement=procurement, data=_procurement_input(member, data)
        )
        return Response(_detail(procurement))


class ProcurementAskApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=ProcurementAskSerializer, summary="The social value ask: the proposal, its reasons and changes"
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        procurement = selectors_planning.procurement_get(member=member, pk=pk)
        return Response(ProcurementAskSerializer(selectors_planning.ask_view(procurement)).data)

    @extend_schema(
        request=ProcurementAskInputSerializer,
        responses={
            200: ProcurementAskSerializer,
            **conflict("no policy band fitted, or the procurement is not a draft"),
        },
        examples=[
            OpenApiExample(
                "A higher weighting, with its reason",
                value={
                    "min_weighting_percent": "15",
                    "outcomes": ["cwb:T.1"],
                    "offer_kind": "quantified",
                    "delivery_plan_required": True,
                    "reporting_frequency": "quarterly",
                    "reasons": {"weighting": "Local employment is the council's first priority"},
                },
                request_only=True,
            )
        ],
        summary="Change the proposed ask; every part that differs from the proposal needs its reason",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_planning.procurement_get(member=member, pk=pk)
        payload = ProcurementAskInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if not selectors_planning.ask_view(procurement).fitted:
            raise StateConflict("No policy band fitted this procurement, so there is no proposal to change.")
        data = payload.validated_data
        choices = {outcome.key: outcome for outcome in priority_outcome_list(member=member)}
        adjusted = ask_adjust(
            proposal=ask_from_dict(procurement.ask["proposal"]),
            min_weighting_percent=data["min_weighting_percent"],
            outcome_keys=data["outcomes"],
            offer_kind=data["offer_kind"],
            delivery_plan_required=data["delivery_plan_required"],
            reporting_frequency=data["reporting_frequency"],
            reasons=data["reasons"],
            outcome_choices=choices,
        )
        procurement = services_planning.ask_save(
            actor=member.user, member=member, procurement=procurement, adjusted=adjusted
        )
        return Response(ProcurementAskSerializer(selectors_planning.ask_view(procurement)).data)


class ProcurementPublishApi(APIView):
    @extend_schema(
        request=None,
        responses={200: ProcurementDetailSerializer},
        summary="Publish a draft: refused (400) with every problem while weights, scales or the timetable are "
        "not ready; the methodology is frozen from then on",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_planning.procurement_get(member=member, pk=pk)
        procurement = services_planning.procurement_publish(actor=member.user, member=member, procurement=procurement)
        return Response(_detail(procurement))


class ProcurementCancelApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=CancelInputSerializer,
        responses={200: ProcurementDetailSerializer, **conflict("the procurement is awarded or cancelled already")},
        summary="Cancel a draft or published procurement, with the reason",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_planning.procurement_get(member=member, pk=pk)
        payload = CancelInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        procurement = services_planning.procurement_cancel(
            actor=member.user, member=member, procurement=procurement, reason=payload.validated_data["cancel_reason"]
        )
        return Response(_detail(procurement))


# --- Lots, impacts and criteria ----------------------------------------------------------------------


class LotListApi(APIView):
    parser_classes = PARSERS

    @extend_schema(responses=LotOutputSerializer(many=True), parameters=LIST_PARAMETERS, summary="A procurement's lots")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        procurement = selectors_planning.procurement_get(member=member, pk=pk)
        return list_response(request, procurement.lots.order_by("number"), LotOutputSerializer)

    @extend_schema(
        request=LotInputSerializer,
        responses={201: LotOutputSerializer, **FROZEN_409},
        examples=[OpenApiExample("North parks", value={"title": "North parks", "estimated_value": "120000"})],
        summary="Add a lot to a draft",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_planning.procurement_get(member=member, pk=pk)
        payload = LotInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lot = services_planning.lot_add(
            actor=member.user, member=member, procurement=procurement, **payload.validated_data
        )
        return Response(LotOutputSerializer(lot).data, status=status.HTTP_201_CREATED)


class LotDetailApi(APIView):
    parser_classes = PARSERS

    @extend_schema(responses=LotOutputSerializer, summary="A lot")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        return Response(LotOutputSerializer(selectors_planning.lot_get(member=member, pk=pk)).data)

    @extend_schema(
        request=LotInputSerializer(partial=True),
        responses={200: LotOutputSerializer, **FROZEN_409},
        summary="Change a draft's lot: the fields given",
    )
    def patch(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        lot = selectors_planning.lot_get(member=member, pk=pk)
        payload = LotInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        current = {"title": lot.title, "description": lot.description, "estimated_value": lot.estimated_value}
        lot = services_planning.lot_update(actor=member.user, member=member, lot=lot, **{**current, **_given(payload)})
        return Response(LotOutputSerializer(lot).data)

    @extend_schema(
        request=None,
        responses={204: None, **conflict("the procurement is not a draft")},
        summary="Remove a draft's lot (a procurement keeps at least one: removing the last is a 400)",
    )
    def delete(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        lot = selectors_planning.lot_get(member=member, pk=pk)
        services_planning.lot_remove(actor=member.user, member=member, lot=lot)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImpactListApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=ImpactOutputSerializer(many=True), parameters=LIST_PARAMETERS, summary="The impact assessment"
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        procurement = selectors_planning.procurement_get(member=member, pk=pk)
        return list_response(
            request, [row.item for row in selectors_planning.impact_rows(procurement)], ImpactOutputSerializer
        )

    @extend_schema(
        request=ImpactInputSerializer,
        responses={201: ImpactOutputSerializer, **FROZEN_409},
        examples=[
            OpenApiExample(
                "Local jobs",
                value={
                    "outcome_code": "T.1",
                    "positive_effects": "Local people employed on the contract",
                    "negative_effects": "Van journeys through residential streets",
                    "mitigations": "Depot within the borough",
                    "by_questions": True,
                },
                request_only=True,
            )
        ],
        summary="Add an outcome's row to a draft's impact assessment",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_planning.procurement_get(member=member, pk=pk)
        payload = ImpactInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services_planning.impact_add(
            actor=member.user, member=member, procurement=procurement, data=_impact_input(payload.validated_data)
        )
        return Response(ImpactOutputSerializer(item).data, status=status.HTTP_201_CREATED)


class ImpactDetailApi(APIView):
    parser_classes = PARSERS

    @extend_schema(responses=ImpactOutputSerializer, summary="A row of the impact assessment")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        return Response(ImpactOutputSerializer(selectors_planning.impact_get(member=member, pk=pk)).data)

    @extend_schema(
        request=ImpactInputSerializer(partial=True),
        responses={200: ImpactOutputSerializer, **FROZEN_409},
        summary="Change a row of a draft's impact assessment: the fields given",
    )
    def patch(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        item = selectors_planning.impact_get(member=member, pk=pk)
        payload = ImpactInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        current = ImpactInput(
            item.outcome_code,
            item.positive_effects,
            item.negative_effects,
            item.mitigations,
            item.by_specification,
            item.by_lotting,
            item.by_questions,
        )
        item = services_planning.impact_update(
            actor=member.user, member=member, item=item, data=replace(current, **_given(payload))
        )
        return Response(ImpactOutputSerializer(item).data)

    @extend_schema(
        request=None, responses={204: None, **FROZEN_409}, summary="Remove a row of a draft's impact assessment"
    )
    def delete(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        item = selectors_planning.impact_get(member=member, pk=pk)
        services_planning.impact_remove(actor=member.user, member=member, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CriterionListApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=CriterionOutputSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="The evaluation model's criteria, in order",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        procurement = selectors_planning.procurement_get(member=member, pk=pk)
        return list_response(request, procurement.criteria.order_by("position", "id"), CriterionOutputSerializer)

    @extend_schema(
        request=CriterionInputSerializer,
        responses={201: CriterionOutputSerializer, **FROZEN_409},
        examples=[
            OpenApiExample(
                "A quality criterion",
                value={"kind": "quality", "code": "Q2", "title": "Staffing", "weight": "20", "scale": 3},
                request_only=True,
            )
        ],
        summary="Add a criterion to a draft's model",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        procurement = selectors_planning.procurement_get(member=member, pk=pk)
        payload = CriterionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        criterion = services_planning.criterion_add(
            actor=member.user,
            member=member,
            procurement=procurement,
            data=_criterion_input(member, payload.validated_data),
        )
        return Response(CriterionOutputSerializer(criterion).data, status=status.HTTP_201_CREATED)


class CriterionDetailApi(APIView):
    parser_classes = PARSERS

    @extend_schema(responses=CriterionOutputSerializer, summary="A criterion")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        return Response(CriterionOutputSerializer(selectors_planning.criterion_get(member=member, pk=pk)).data)

    @extend_schema(
        request=CriterionInputSerializer(partial=True),
        responses={200: CriterionOutputSerializer, **FROZEN_409},
        examples=[OpenApiExample("A new weight", value={"weight": "50"}, request_only=True)],
        summary="Change a draft's criterion: the fields given",
    )
    def patch(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        criterion = selectors_planning.criterion_get(member=member, pk=pk)
        payload = CriterionInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = {**_criterion_current(criterion), **_given(payload)}
        criterion = services_planning.criterion_update(
            actor=member.user, member=member, criterion=criterion, data=_criterion_input(member, data)
        )
        return Response(CriterionOutputSerializer(criterion).data)

    @extend_schema(request=None, responses={204: None, **FROZEN_409}, summary="Remove a criterion from a draft's model")
    def delete(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        criterion = selectors_planning.criterion_get(member=member, pk=pk)
        services_planning.criterion_remove(actor=member.user, member=member, criterion=criterion)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Scoring scales ----------------------------------------------------------------------------------


class ScaleListApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=ScaleOutputSerializer(many=True), parameters=LIST_PARAMETERS, summary="Your scoring scales"
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        return list_response(request, selectors_planning.scale_list(member=member), ScaleOutputSerializer)

    @extend_schema(
        request=ScaleInputSerializer,
        responses={201: ScaleOutputSerializer},
        examples=[
            OpenApiExample(
                "Pass or fail",
                value={
                    "code": "pass-fail",
                    "title": "Pass or fail",
                    "source": "Council procurement rules, 2026",
                    "levels": "0 | Fail | Does not meet the requirement\n1 | Pass | Meets it",
                },
                request_only=True,
            )
        ],
        summary="Add a scoring scale of your own: levels with scores and descriptors, and where they come from",
    )
    def post(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
        payload = ScaleInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        scale = services_planning.scale_create(
            actor=member.user,
            member=member,
            code=data["code"],
            title=data["title"],
            source=data["source"],
            levels_text=data["levels"],
        )
        return Response(ScaleOutputSerializer(scale).data, status=status.HTTP_201_CREATED)


class ScaleDetailApi(APIView):
    @extend_schema(responses=ScaleOutputSerializer, summary="A scoring scale with its levels")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        scale: ScoringScale = selectors_planning.scale_get(member=member, pk=pk)
        return Response(ScaleOutputSerializer(scale).data)


P = "organisations/<slug:org>/"
urlpatterns: list[URLPattern] = [
    path(P + "procurements/", ProcurementListApi.as_view(), name="procurement-list"),
    path(P + "procurements/<int:pk>/", ProcurementDetailApi.as_view(), name="procurement-detail"),
    path(P + "procurements/<int:pk>/ask/", ProcurementAskApi.as_view(), name="procurement-ask"),
    path(P + "procurements/<int:pk>/publish/", ProcurementPublishApi.as_view(), name="procurement-publish"),
    path(P + "procurements/<int:pk>/cancel/", ProcurementCancelApi.as_view(), name="procurement-cancel"),
    path(P + "procurements/<int:pk>/lots/", LotListApi.as_view(), name="procurement-lot-list"),
    path(P + "lots/<int:pk>/", LotDetailApi.as_view(), name="procurement-lot-detail"),
    path(P + "procurements/<int:pk>/impacts/", ImpactListApi.as_view(), name="procurement-impact-list"),
    path(P + "impacts/<int:pk>/", ImpactDetailApi.as_view(), name="procurement-impact-detail"),
    path(P + "procurements/<int:pk>/criteria/", CriterionListApi.as_view(), name="procurement-criterion-list"),
    path(P + "criteria/<int:pk>/", CriterionDetailApi.as_view(), name="procurement-criterion-detail"),
    path(P + "scales/", ScaleListApi.as_view(), name="scale-list"),
    path(P + "scales/<int:pk>/", ScaleDetailApi.as_view(), name="scale-detail"),
]
