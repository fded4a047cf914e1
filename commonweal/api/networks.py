"""API: anchor networks. For the network's people: its figures for a quarter (worked out now, with the
agreement-level detail of members that share it) and its published quarterly reports (as published). For
a member: its networks and what it lets each see. Every figure says how many members it covers, which
states it counts, and whether it is local economic value or additional social value. Routes included by
api/urls.py."""

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.core.errors import ApplicationError
from commonweal.networks import report_files, selectors_membership, selectors_reports
from commonweal.networks.rules import Quarter
from commonweal.tenancy.permissions import Permission, member_require

from .pagination import LIST_PARAMETERS, list_response


class FiguresSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    members_total = serializers.IntegerField()
    members_covered = serializers.IntegerField()
    metrics = serializers.ListField(child=serializers.DictField())
    programmes = serializers.ListField(child=serializers.DictField())


class NetworkReportSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    quarter = serializers.CharField()
    published_at = serializers.DateTimeField()


class ReportSerializer(serializers.Serializer):
    network = serializers.CharField()
    quarter = serializers.CharField()
    published_at = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    withdrawn_since = serializers.ListField(child=serializers.DictField())
    figures = serializers.DictField()


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    network = serializers.CharField(source="network.slug")
    network_name = serializers.CharField(source="network.name")
    state = serializers.CharField()
    sharing = serializers.CharField(help_text="none, aggregates or detail.")
    named_in_benchmarks = serializers.BooleanField()


QUARTER = OpenApiParameter("quarter", OpenApiTypes.STR, description="The quarter, like 2026Q3 (default: this one).")


class NetworkFiguresApi(APIView):
    @extend_schema(responses=FiguresSerializer, parameters=[QUARTER], summary="The network's figures for a quarter")
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_NETWORK)
        text = request.query_params.get("quarter")
        try:
            quarter = Quarter.parse(text) if text else selectors_reports.quarter_current()
        except ApplicationError as error:
            return Response({"detail": error.message, "errors": {"quarter": error.message}}, status=400)
        return Response(selectors_reports.dashboard_figures(member=member, quarter=quarter).figures)


class NetworkReportListApi(APIView):
    @extend_schema(
        responses=NetworkReportSummarySerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="Published quarterly reports",
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_NETWORK)
        return list_response(request, selectors_reports.report_list(member=member), NetworkReportSummarySerializer)


class NetworkReportDetailApi(APIView):
    @extend_schema(responses=ReportSerializer, summary="A published quarterly report, exactly as published")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_NETWORK)
        view = selectors_reports.report_view(selectors_reports.report_get(member=member, pk=pk))
        data: dict[str, Any] = report_files.report_data(view)
        return Response(data)


class MembershipListApi(APIView):
    @extend_schema(
        responses=MembershipSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="The networks the organisation is invited to or belongs to",
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        return list_response(request, selectors_membership.membership_list(member=member), MembershipSerializer)


urlpatterns = [
    path("organisations/<slug:org>/network/figures/", NetworkFiguresApi.as_view(), name="network-figures"),
    path("organisations/<slug:org>/network/reports/", NetworkReportListApi.as_view(), name="network-report-list"),
    path(
        "organisations/<slug:org>/network/reports/<int:pk>/",
        NetworkReportDetailApi.as_view(),
        name="network-report-detail",
    ),
    path("organisations/<slug:org>/networks/", MembershipListApi.as_view(), name="network-membership-list"),
]
