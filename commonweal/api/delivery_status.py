"""API for how delivery stands: totals by measure (the dashboard), each commitment's status against its
schedule, forecast and money equivalents; overdue returns; the delivery report; and performance ratings
(read, propose, confirm; confirming needs MANAGE_CONTRACTS).
Quantities and money are decimal strings; every total says which state it counts."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.delivery import reports, selectors_status, services_status
from commonweal.delivery.models import PerformanceRating
from commonweal.delivery.selectors_agreements import agreement_get
from commonweal.tenancy.permissions import Permission, member_require

from . import serializers as s
from .pagination import LIST_PARAMETERS, ListPagination, list_response, paged_response


class ForecastSerializer(serializers.Serializer):
    quantity = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text="Null when there is not enough data."
    )
    target_date = serializers.DateField(allow_null=True, help_text="When the target is reached at this rate.")
    reason = serializers.CharField()


class CommitmentStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="commitment.pk")
    measure_code = serializers.CharField(source="commitment.measure.code")
    measure_title = serializers.CharField(source="commitment.measure.title")
    unit = serializers.CharField(source="commitment.measure.unit")
    due_date = serializers.DateField(source="commitment.due_date")
    state = serializers.CharField(source="commitment.state")
    target_quantity = serializers.DecimalField(max_digits=16, decimal_places=2, source="target")
    target_in_force = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        source="effective_target",
        help_text="Pro rata to the spend called off for call-offs; what was verified for a substituted commitment.",
    )
    claimed_quantity = serializers.DecimalField(max_digits=16, decimal_places=2, source="claimed")
    evidenced_quantity = serializers.DecimalField(max_digits=16, decimal_places=2, source="evidenced")
    verified_quantity = serializers.DecimalField(max_digits=16, decimal_places=2, source="verified")
    expected_to_date = serializers.DecimalField(max_digits=16, decimal_places=2, source="expected")
    percent_delivered = serializers.DecimalField(
        max_digits=8, decimal_places=1, source="percent_verified", allow_null=True, help_text="Verified ÷ target."
    )
    status = serializers.CharField(help_text="delivered, on_track, at_risk, behind, missed or substituted.")
    status_label = serializers.CharField()
    forecast = ForecastSerializer()


class MoneyTotalsSerializer(serializers.Serializer):
    gross = serializers.DecimalField(max_digits=18, decimal_places=2)
    net = serializers.DecimalField(max_digits=18, decimal_places=2)


class MoneyRowSerializer(serializers.Serializer):
    state = serializers.CharField(help_text="committed (targets in force), claimed or verified")
    additional_social = MoneyTotalsSerializer()
    local_economic = MoneyTotalsSerializer()


class MoneySerializer(serializers.Serializer):
    value_set = serializers.CharField(help_text="Empty when the agreement has no value set.")
    note = serializers.CharField()
    rows = MoneyRowSerializer(many=True)
    not_valued = serializers.ListField(child=serializers.CharField())


class AgreementStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="agreement.pk")
    reference = serializers.CharField(source="agreement.reference")
    as_at = serializers.DateField()
    status = serializers.CharField(allow_null=True, help_text="The worst of the active commitments' statuses.")
    commitments = CommitmentStatusSerializer(many=True)
    money = MoneySerializer()


class OverdueReturnSerializer(serializers.Serializer):
    agreement = serializers.IntegerField(source="agreement.pk")
    agreement_reference = serializers.CharField(source="agreement.reference")
    period = serializers.CharField(source="period.label")
    period_start = serializers.DateField(source="period.start_date")
    return_due_date = serializers.DateField(source="period.return_due_date")
    days_overdue = serializers.IntegerField()
    draft_started = serializers.BooleanField()
    reminded_at = serializers.DateTimeField(source="reminder.sent_at", allow_null=True, default=None)
    escalated_at = serializers.DateTimeField(source="escalation.sent_at", allow_null=True, default=None)


# The same row as `commonweal delivery report --json`: every value a string, "" for what is not there.
ReportRowSerializer: type[serializers.Serializer] = type(
    "ReportRowSerializer",
    (serializers.Serializer,),
    {name: serializers.CharField(allow_blank=True) for name in reports.REPORT_FIELDS},
)


class RatingReasonSerializer(serializers.Serializer):
    commitment = serializers.IntegerField(source="commitment_id")
    measure = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField(source="text")


class ProposalSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=PerformanceRating.choices)
    summary = serializers.CharField()
    reasons = RatingReasonSerializer(many=True)


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    as_at = serializers.DateField()
    proposed = serializers.ChoiceField(choices=PerformanceRating.choices)
    rating = serializers.ChoiceField(choices=PerformanceRating.choices)
    reason = serializers.CharField()
    confirmed_by = serializers.EmailField(source="confirmed_by.email")
    proposal_reasons = serializers.JSONField()


class RatingSerializer(serializers.Serializer):
    proposal = ProposalSerializer()
    assessments = AssessmentSerializer(many=True)


class AssessmentInputSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=PerformanceRating.choices)
    reason = serializers.CharField(
        allow_blank=True, required=False, default="", help_text="Required when the rating differs from the proposal."
    )


class DashboardApi(APIView):
    @extend_schema(
        responses=s.MeasureTotalSerializer(many=True), parameters=LIST_PARAMETERS, summary="Totals by measure"
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org)
        return list_response(request, selectors_status.measure_total_list(member=member), s.MeasureTotalSerializer)


class AgreementStatusApi(APIView):
    @extend_schema(responses=AgreementStatusSerializer, summary="An agreement's status, forecasts and money")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        agreement = agreement_get(member=member, pk=pk)
        section = selectors_status.commitment_section(member=member, agreement=agreement)
        progress = section["progress"]
        data = {
            "agreement": agreement,
            "as_at": progress[0].today if progress else selectors_status.today_local(),
            "status": section["agreement_status"].status,
            "commitments": progress,
            "money": section["money"],
        }
        return Response(AgreementStatusSerializer(data).data)


class OverdueReturnListApi(APIView):
    # Pages the periods before working out each row, so the rows' fields are not filters (see pagination.py).
    list_filtering = False

    @extend_schema(
        responses=OverdueReturnSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="Overdue returns, oldest first",
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org)
        paginator = ListPagination()
        periods = paginator.paginate_queryset(selectors_status.overdue_period_query(member=member), request) or []
        rows = selectors_status.overdue_return_rows(member=member, periods=periods)
        return paged_response(paginator, OverdueReturnSerializer(rows, many=True).data)


class DeliveryReportApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("agreement", str, description="One agreement's reference (default: all)."),
            *LIST_PARAMETERS,
        ],
        responses=ReportRowSerializer(many=True),
        summary="Proposed against achieved, by measure of each agreement, with money equivalents",
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org)
        reference = request.query_params.get("agreement")
        rows = reports.report_row_list(member=member, reference=reference or None)
        return list_response(request, [row.as_dict() for row in rows], ReportRowSerializer)


class AssessmentListApi(APIView):
    @extend_schema(responses=RatingSerializer, summary="The proposed performance rating and the ratings recorded")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        agreement = agreement_get(member=member, pk=pk)
        return Response(RatingSerializer(selectors_status.rating_section(member=member, agreement=agreement)).data)

    @extend_schema(
        request=AssessmentInputSerializer,
        responses={201: AssessmentSerializer},
        summary="Confirm the proposed rating, or override it with a reason (the buyer's contract manager)",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
        agreement = agreement_get(member=member, pk=pk)
        payload = AssessmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assessment = services_status.assessment_confirm(
            actor=member.user, member=member, agreement=agreement, **payload.validated_data
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("organisations/<slug:org>/dashboard/", DashboardApi.as_view(), name="dashboard"),
    path(
        "organisations/<slug:org>/agreements/<int:pk>/status/",
        AgreementStatusApi.as_view(),
        name="agreement-status",
    ),
    path(
        "organisations/<slug:org>/agreements/<int:pk>/assessments/",
        AssessmentListApi.as_view(),
        name="assessment-list",
    ),
    path("organisations/<slug:org>/overdue-returns/", OverdueReturnListApi.as_view(), name="overdue-returns"),
    path("organisations/<slug:org>/delivery-report/", DeliveryReportApi.as_view(), name="delivery-report"),
]
