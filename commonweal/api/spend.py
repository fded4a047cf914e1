"""API: spend. The spend summary of a public body: headline totals, classification shares, influenceable
spend, financial years and top suppliers, the figures `commonweal spend summary --json` prints. Money and
percentages are decimal strings. Its routes are included by api/urls.py under /api/v1/."""

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.api.serializers import BoundedDateField
from commonweal.spend.analytics import LABEL_STATES, LABELS, SpendFilter
from commonweal.spend.summary import spend_summary, summary_data
from commonweal.tenancy.permissions import Permission, member_require

LABEL_HELP = "yes, no or unknown (suppliers whose label is not known, redacted payments included)"


class SpendSummaryQuerySerializer(serializers.Serializer):
    date_from = BoundedDateField(required=False, help_text="Payments made on or after this date (2024-04-01).")
    date_to = BoundedDateField(required=False, help_text="Payments made on or before this date.")
    service_area = serializers.CharField(required=False, allow_blank=True, help_text="Exactly this service area.")
    expense_type = serializers.CharField(required=False, allow_blank=True, help_text="Exactly this expense type.")
    local = serializers.ChoiceField(choices=LABEL_STATES, required=False, help_text=f"Local suppliers: {LABEL_HELP}.")
    sme = serializers.ChoiceField(choices=LABEL_STATES, required=False, help_text=f"SMEs: {LABEL_HELP}.")
    vcse = serializers.ChoiceField(choices=LABEL_STATES, required=False, help_text=f"VCSEs: {LABEL_HELP}.")
    living_wage = serializers.ChoiceField(
        choices=LABEL_STATES, required=False, help_text=f"Real Living Wage employers: {LABEL_HELP}."
    )
    include_not_influenceable = serializers.BooleanField(
        required=False, default=True, help_text="false leaves out spend the spend policy says cannot be influenced."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError({"date_to": "date_to must be the same as or after date_from."})
        return attrs

    def spend_filter(self) -> SpendFilter:
        data = self.validated_data
        return SpendFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            service_area=data.get("service_area", ""),
            expense_type=data.get("expense_type", ""),
            include_not_influenceable=data.get("include_not_influenceable", True),
            **{label: data.get(label) for label in LABELS},
        )


class FilterSerializer(serializers.Serializer):
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    service_area = serializers.CharField(allow_null=True)
    expense_type = serializers.CharField(allow_null=True)
    local = serializers.CharField(allow_null=True)
    sme = serializers.CharField(allow_null=True)
    vcse = serializers.CharField(allow_null=True)
    living_wage = serializers.CharField(allow_null=True)
    include_not_influenceable = serializers.BooleanField()
    description = serializers.ListField(child=serializers.CharField(), help_text="The filter in words.")


class SpendTotalsSerializer(serializers.Serializer):
    total = serializers.CharField(help_text="Net spend in pounds: credits (negative amounts) are counted.")
    payments = serializers.IntegerField()
    credits = serializers.CharField(help_text="The sum of the negative amounts.")
    credit_payments = serializers.IntegerField()
    redacted = serializers.CharField(help_text="Redacted payments: counted in totals, never classified.")
    redacted_payments = serializers.IntegerField()
    redacted_percent = serializers.CharField(allow_null=True)
    suppliers = serializers.IntegerField(help_text="Distinct supplier names, normalised.")
    first_payment_date = serializers.DateField(allow_null=True)
    last_payment_date = serializers.DateField(allow_null=True)


class ClassShareSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="local, sme, vcse or living_wage")  # type: ignore[assignment]  # a field called "label", not Field.label
    title = serializers.CharField()
    amount = serializers.CharField(help_text="Spend with suppliers that are.")
    not_amount = serializers.CharField(help_text="Spend with suppliers that are not.")
    unknown = serializers.CharField(help_text="Spend whose label is not known, redacted payments included.")
    redacted = serializers.CharField()
    percent_of_classified = serializers.CharField(allow_null=True, help_text="null when classified spend is £0.")
    percent_of_all = serializers.CharField(allow_null=True)
    unknown_percent = serializers.CharField(allow_null=True)


class RuleSpendSerializer(serializers.Serializer):
    rule = serializers.CharField()
    amount = serializers.CharField()
    payments = serializers.IntegerField()


class InfluenceSerializer(serializers.Serializer):
    influenceable = serializers.CharField()
    not_influenceable = serializers.CharField()
    influenceable_percent = serializers.CharField(allow_null=True)
    rules = RuleSpendSerializer(many=True, help_text="Each payment counted against the first rule it matches.")
    ignored_rules = serializers.ListField(child=serializers.CharField())


class FinancialYearSerializer(serializers.Serializer):
    year = serializers.CharField(help_text="April to March, e.g. 2024-25.")
    amount = serializers.CharField()
    payments = serializers.IntegerField()
    local = serializers.CharField()
    not_local = serializers.CharField()
    local_unknown = serializers.CharField()


class TopSupplierSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    supplier_id = serializers.IntegerField(allow_null=True, help_text="null: the name is not in the registry.")
    name = serializers.CharField()
    amount = serializers.CharField()
    payments = serializers.IntegerField()
    local = serializers.BooleanField(allow_null=True)
    sme = serializers.BooleanField(allow_null=True)
    vcse = serializers.BooleanField(allow_null=True)
    living_wage = serializers.BooleanField(allow_null=True)
    district_code = serializers.CharField()


class SpendSummarySerializer(serializers.Serializer):
    organisation = serializers.CharField()
    filter = FilterSerializer()
    totals = SpendTotalsSerializer()
    classification = ClassShareSerializer(many=True)
    influenceable = InfluenceSerializer()
    financial_years = FinancialYearSerializer(many=True)
    top_suppliers = TopSupplierSerializer(many=True)


class SpendSummaryApi(APIView):
    @extend_schema(
        parameters=[SpendSummaryQuerySerializer],
        responses=SpendSummarySerializer,
        summary="Where a public body's money goes: totals, shares, influenceable spend and top suppliers",
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        query = SpendSummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = spend_summary(organisation=member.organisation, spend_filter=query.spend_filter())
        return Response(summary_data(summary))


urlpatterns = [
    path("organisations/<slug:org>/spend/summary/", SpendSummaryApi.as_view(), name="spend-summary"),
]
