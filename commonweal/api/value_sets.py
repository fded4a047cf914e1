"""API for value sets: list and read them with their figures, and value quantities of measures (a
calculation: nothing is stored). Figures are decimal strings; totals are rounded once, to pennies."""

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.core.errors import ApplicationError
from commonweal.frameworks import selectors_value_sets as selectors
from commonweal.frameworks.models import Measure
from commonweal.frameworks.valuation import FIRST_BASE_YEAR, LAST_BASE_YEAR, Valuation, ValueTotals
from commonweal.tenancy.permissions import member_require

from .pagination import LIST_PARAMETERS, list_response

MAX_QUANTITY = Decimal("1e12")  # as a commitment's target: 14 digits, 2 after the point


class ValueSetEntrySerializer(serializers.Serializer):
    measure_code = serializers.CharField()
    value_per_unit = serializers.DecimalField(max_digits=14, decimal_places=4)
    source = serializers.CharField()  # type: ignore[assignment]  # a field called "source", not Field.source
    base_year = serializers.IntegerField()
    deadweight = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="A fraction from 0 to 1.")
    attribution = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="A fraction from 0 to 1.")
    displacement = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="A fraction from 0 to 1.")
    drop_off = serializers.DecimalField(
        max_digits=5, decimal_places=4, help_text="A fraction from 0 to 1, lost each year after the first."
    )
    duration_years = serializers.IntegerField()


class ValueSetSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field called "source", not Field.source
    licence = serializers.CharField()
    base_year = serializers.IntegerField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class ValueSetDetailSerializer(ValueSetSerializer):
    entries = ValueSetEntrySerializer(many=True, source="entries.all")


class ValuationInputSerializer(serializers.Serializer):
    value_set = serializers.IntegerField(help_text="The id of one of your organisation's value sets.")
    price_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=FIRST_BASE_YEAR, max_value=LAST_BASE_YEAR
    )
    deflator = serializers.IntegerField(
        required=False, allow_null=True, help_text="The id of one of your organisation's deflator series."
    )
    lines = serializers.JSONField(
        help_text='A list of {"measure_code": "JOBS.1.1", "quantity": "12.5"}. Lines of the same measure are added.'
    )

    def validate_lines(self, value: Any) -> list[tuple[str, Decimal]]:
        if isinstance(value, str):  # a multipart form carries the list as a JSON string
            try:
                value = json.loads(value)
            except ValueError:
                raise serializers.ValidationError("Give the lines as a JSON list.") from None
        if not isinstance(value, list) or not value:
            raise serializers.ValidationError('Give at least one line, like {"measure_code": "X", "quantity": "1"}.')
        lines = []
        for number, line in enumerate(value, start=1):
            if not isinstance(line, dict) or not isinstance(line.get("measure_code"), str):
                raise serializers.ValidationError(f"Line {number}: give a measure_code and a quantity.")
            raw = line.get("quantity")
            try:
                quantity = Decimal(str(raw)) if isinstance(raw, str | int | float) and raw != "" else None
            except InvalidOperation:
                quantity = None
            if quantity is None or not quantity.is_finite():
                raise serializers.ValidationError(f"Line {number}: “{raw}” is not a number.")
            if quantity < 0:
                raise serializers.ValidationError(f"Line {number}: the quantity must be 0 or more.")
            if quantity >= MAX_QUANTITY or quantity != quantity.quantize(Decimal("0.01")):
                raise serializers.ValidationError(
                    f"Line {number}: the quantity must be less than 1,000,000,000,000, "
                    "with no more than 2 decimal places."
                )
            lines.append((line["measure_code"], quantity))
        return lines


class TotalsSerializer(serializers.Serializer):
    gross = serializers.CharField()
    net = serializers.CharField()


class ValuedLineSerializer(serializers.Serializer):
    measure_code = serializers.CharField()
    value_type = serializers.CharField()
    quantity = serializers.CharField()
    value_per_unit = serializers.CharField()
    base_year = serializers.IntegerField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field called "source", not Field.source
    rebase_factor = serializers.CharField(help_text="index[price year] ÷ index[base year], to 10 decimal places.")
    duration_years = serializers.IntegerField()
    deadweight = serializers.CharField()
    displacement = serializers.CharField()
    attribution = serializers.CharField()
    drop_off = serializers.CharField()
    gross = serializers.CharField(help_text="Rounded to pennies for display; totals add the unrounded figures.")
    net = serializers.CharField()


class NotValuedLineSerializer(serializers.Serializer):
    measure_code = serializers.CharField()
    value_type = serializers.CharField()
    quantity = serializers.CharField()


class ValuationSerializer(serializers.Serializer):
    value_set = ValueSetSerializer()
    price_year = serializers.IntegerField(allow_null=True)
    price_basis = serializers.CharField()
    deflator = serializers.DictField(allow_null=True)
    lines = ValuedLineSerializer(many=True)
    not_valued = NotValuedLineSerializer(many=True)
    local_economic_value = TotalsSerializer()
    additional_social_value = TotalsSerializer()


def _totals(totals: ValueTotals) -> dict[str, str]:
    return {"gross": str(totals.gross), "net": str(totals.net)}


def valuation_data(valuation: Valuation, value_set: Any, deflator: Any) -> dict[str, Any]:
    """The valuation as JSON-ready data: every figure a decimal string."""
    return {
        "value_set": ValueSetSerializer(value_set).data,
        "price_year": valuation.price_year,
        "price_basis": valuation.price_basis,
        "deflator": (
            {"id": deflator.pk, "code": deflator.code, "title": deflator.title, "source": deflator.source}
            if deflator is not None
            else None
        ),
        "lines": [
            {
                "measure_code": line.measure_code,
                "value_type": line.value_type,
                "quantity": str(line.quantity),
                "value_per_unit": str(line.entry.value_per_unit),
                "base_year": line.entry.base_year,
                "source": line.entry.source,
                "rebase_factor": str(line.rebase_factor.quantize(Decimal("1e-10"))),
                "duration_years": line.entry.duration_years,
                "deadweight": str(line.entry.deadweight),
                "displacement": str(line.entry.displacement),
                "attribution": str(line.entry.attribution),
                "drop_off": str(line.entry.drop_off),
                "gross": str(line.gross_pennies),
                "net": str(line.net_pennies),
            }
            for line in valuation.lines
        ],
        "not_valued": [
            {"measure_code": line.measure_code, "value_type": line.value_type, "quantity": str(line.quantity)}
            for line in valuation.not_valued
        ],
        "local_economic_value": _totals(valuation.local_economic),
        "additional_social_value": _totals(valuation.additional_social),
    }


class ValueSetListApi(APIView):
    @extend_schema(
        responses=ValueSetSerializer(many=True), parameters=LIST_PARAMETERS, summary="Your organisation's value sets"
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org)
        return list_response(request, selectors.value_set_list(member=member), ValueSetSerializer)


class ValueSetDetailApi(APIView):
    @extend_schema(responses=ValueSetDetailSerializer, summary="A value set with its values")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        return Response(ValueSetDetailSerializer(selectors.value_set_get(member=member, pk=pk)).data)


class ValuationApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=ValuationInputSerializer,
        responses=ValuationSerializer,
        summary="Value quantities of measures with a value set (nothing is stored)",
    )
    def post(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org)
        payload = ValuationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        value_set = selectors.value_set_get(member=member, pk=data["value_set"])
        deflator = None
        if data.get("deflator") is not None:
            deflator = selectors.deflator_series_get(member=member, pk=data["deflator"])
        measures = selectors.measures_by_code(member=member)
        lines: list[tuple[Measure, Decimal]] = []
        for number, (code, quantity) in enumerate(data["lines"], start=1):
            if code not in measures:
                raise ApplicationError(
                    f"Line {number}: your organisation has no published measure with the code {code}.",
                    field_errors={"lines": f"Line {number}: no published measure has the code {code}"},
                )
            lines.append((measures[code], quantity))
        valuation = selectors.valuation_for(
            member=member,
            value_set=value_set,
            lines=lines,
            price_year=data.get("price_year"),
            deflator_series=deflator,
        )
        return Response(valuation_data(valuation, value_set, deflator))
