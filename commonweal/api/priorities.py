"""API for proportionality: propose the social value ask for a planned procurement (nothing is stored)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.frameworks.models import ContractCategory, SupplierSize
from commonweal.frameworks.proportionality import ask_as_dict
from commonweal.frameworks.selectors_priorities import ask_for
from commonweal.tenancy.permissions import member_require


class AskInputSerializer(serializers.Serializer):
    """The planned procurement. Values are checked by the proportionality rules, which answer 400 with a
    message per field, the same messages the pages and `commonweal ask` give."""

    value = serializers.CharField(help_text="Estimated contract value in pounds, VAT included, e.g. 250000.")
    category = serializers.CharField(help_text=f"One of: {', '.join(ContractCategory.values)}.")
    months = serializers.CharField(help_text="How long the contract runs, in whole months, e.g. 36.")
    supplier_size = serializers.CharField(
        required=False,
        default=SupplierSize.ANY,
        help_text=f"The expected supplier, one of: {', '.join(SupplierSize.values)} (any if not known).",
    )
    description = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="What is being bought; used to suggest outcomes."
    )


class AskBandSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()


class AskOutcomeSerializer(serializers.Serializer):
    framework = serializers.CharField(help_text="The framework's code.")
    code = serializers.CharField()
    title = serializers.CharField()
    weight = serializers.CharField(help_text="The organisation's weight on the outcome, as a decimal string.")
    matched_words = serializers.ListField(
        child=serializers.CharField(), help_text="Words of the title the description mentions."
    )


class AskReasonSerializer(serializers.Serializer):
    part = serializers.CharField(help_text="band, weighting, outcomes, offer, delivery_plan, reporting or kpis.")
    reason = serializers.CharField()


class AskSerializer(serializers.Serializer):
    """The shape of `ask_as_dict`, documented for the schema; decimals are strings."""

    value = serializers.CharField()
    category = serializers.CharField()
    months = serializers.IntegerField()
    supplier_size = serializers.CharField()
    description = serializers.CharField()
    band = AskBandSerializer()
    min_weighting_percent = serializers.CharField()
    outcomes_to_ask = serializers.IntegerField()
    outcomes_suggested = AskOutcomeSerializer(many=True)
    offer_kind = serializers.CharField()
    delivery_plan_required = serializers.BooleanField()
    reporting_frequency = serializers.CharField()
    kpis_required = serializers.BooleanField()
    reasons = AskReasonSerializer(many=True)


class AskApi(APIView):
    @extend_schema(
        request=AskInputSerializer,
        responses=AskSerializer,
        summary="Propose the social value ask for a planned procurement",
        description="The organisation's proportionality policy proposes the ask, with the reason for each "
        "part. Nothing is stored.",
        examples=[
            OpenApiExample(
                "A services contract",
                value={"value": "250000", "category": "services", "months": "36", "supplier_size": "any"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org)
        payload = AskInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ask = ask_for(member=member, **payload.validated_data)
        return Response(ask_as_dict(ask))
