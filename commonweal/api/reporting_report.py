"""API: the annual impact report. The organisation's reports (one a financial year) with their standing and
published versions; a report as it would publish now (the draft, figures worked out live); and a published
version exactly as published (from its snapshot). Every figure names the state it counts and gross or net;
local economic value is never added to additional social value. Money and quantities are decimal strings.
Readable by every member of the public body, as the pages are. Routes included by api/urls.py."""

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.reporting import annual_files, selectors_report
from commonweal.tenancy.permissions import Permission, member_require

from .pagination import LIST_PARAMETERS, list_response


class VersionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    change_note = serializers.CharField()


class ReportSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    year = serializers.IntegerField(source="year.start_year", help_text="The year the financial year starts in.")
    year_label = serializers.CharField(source="year.label")
    title = serializers.CharField()
    state = serializers.CharField(help_text="draft, awaiting_sign_off, signed_off or published.")
    versions = VersionSummarySerializer(many=True, source="versions.all")


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    heading = serializers.CharField()
    caption = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
        help_text="Numbers as decimal strings; a suppressed count as its text (“fewer than 10”).",
    )


class HistorySerializer(serializers.Serializer):
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    change_note = serializers.CharField(allow_blank=True)


class ReportContentSerializer(serializers.Serializer):
    standing = serializers.CharField(help_text="draft or published.")
    version = serializers.IntegerField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    published_by = serializers.CharField(allow_null=True)
    signed_off_by = serializers.CharField(allow_null=True)
    change_note = serializers.CharField(allow_blank=True)
    history = HistorySerializer(many=True)
    tables = TableSerializer(many=True, help_text="Every table of figures, as the CSV and XLSX carry them.")
    content = serializers.DictField(
        help_text="The whole report: title, summary, sections, case studies, methodology and the budget's "
        "figures (the snapshot a published version keeps)."
    )


def _data(view: annual_files.ReportView) -> dict[str, Any]:
    return annual_files.report_data(view)


class ReportListApi(APIView):
    @extend_schema(
        responses=ReportSummarySerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="Annual impact reports, newest year first",
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        return list_response(request, selectors_report.report_list(member=member), ReportSummarySerializer)


class ReportDetailApi(APIView):
    @extend_schema(responses=ReportContentSerializer, summary="A report as it would publish now (the draft)")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        report = selectors_report.report_get(member=member, pk=pk)
        return Response(_data(selectors_report.report_view(member=member, report=report)))


class ReportVersionApi(APIView):
    @extend_schema(responses=ReportContentSerializer, summary="A published version, exactly as published")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        version = selectors_report.version_get(member=member, pk=pk)
        return Response(_data(selectors_report.version_view(member=member, version=version)))


urlpatterns = [
    path("organisations/<slug:org>/reports/", ReportListApi.as_view(), name="report-list"),
    path("organisations/<slug:org>/reports/<int:pk>/", ReportDetailApi.as_view(), name="report-detail"),
    path("organisations/<slug:org>/report-versions/<int:pk>/", ReportVersionApi.as_view(), name="report-version"),
]
