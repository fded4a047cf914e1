"""API views: thin wrappers that find the member (with the permission a write needs), call a selector or
service, and serialise. A member without the permission gets a 404, as on the pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.core.errors import ApplicationError
from commonweal.delivery import selectors_agreements, selectors_returns, selectors_status, services_returns
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import organisation_list_for_user

from . import delivery_returns
from . import serializers as s


class OrganisationListApi(APIView):
    @extend_schema(responses=s.OrganisationSerializer(many=True), summary="Organisations you belong to")
    def get(self, request: Request) -> Response:
        return Response(s.OrganisationSerializer(organisation_list_for_user(user=request.user), many=True).data)


class DashboardApi(APIView):
    @extend_schema(responses=s.MeasureTotalSerializer(many=True), summary="Totals by measure")
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org)
        return Response(s.MeasureTotalSerializer(selectors_status.measure_total_list(member=member), many=True).data)


class AgreementListApi(APIView):
    @extend_schema(responses=s.AgreementSerializer(many=True), summary="Agreements you own or supply")
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org)
        return Response(s.AgreementSerializer(selectors_agreements.agreement_list(member=member), many=True).data)


class AgreementDetailApi(APIView):
    @extend_schema(responses=s.AgreementDetailSerializer, summary="An agreement with its commitments' progress")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        agreement = selectors_agreements.agreement_get(member=member, pk=pk)
        agreement.progress = selectors_status.commitment_progress_list(agreement=agreement)  # type: ignore[attr-defined]
        return Response(s.AgreementDetailSerializer(agreement).data)


class ReturnListApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=s.DeliveryReturnSerializer(many=True), summary="Returns on an agreement")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        agreement = selectors_agreements.agreement_get(member=member, pk=pk)
        returns = selectors_returns.return_list(member=member, agreement=agreement)
        return Response(s.DeliveryReturnSerializer(returns, many=True).data)

    @extend_schema(
        request={"multipart/form-data": s.ReturnSubmitSerializer},
        responses={201: s.DeliveryReturnSerializer},
        summary="Submit a delivery return, or save it as a draft (the supplier)",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
        agreement = selectors_agreements.agreement_supplied_get(member=member, pk=pk)
        payload = s.ReturnSubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        period = None
        if data.get("period") is not None:
            period = selectors_returns.period_get(member=member, agreement=agreement, pk=data["period"])
            if period is None:
                raise ApplicationError(
                    "Choose a period of this agreement.", field_errors={"period": "Choose a period of this agreement"}
                )
        delivery_return = services_returns.return_save(
            actor=member.user,
            member=member,
            agreement=agreement,
            period=period,
            lines=delivery_returns.line_inputs(data),
            narrative=data["narrative"],
            evidence=data.get("evidence", []),
            case_studies=delivery_returns.case_study_inputs(data.get("case_studies", [])),
            submit=data["submit"],
        )
        return Response(s.DeliveryReturnSerializer(delivery_return).data, status=status.HTTP_201_CREATED)


class ReturnLineReviewApi(APIView):
    @extend_schema(
        request=s.ReviewSerializer, responses=s.ReturnLineSerializer, summary="Verify, reject or query a line"
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
        line = selectors_returns.return_line_get(member=member, pk=pk)
        payload = s.ReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        line = services_returns.return_line_review(
            actor=member.user, member=member, line=line, **payload.validated_data
        )
        return Response(s.ReturnLineSerializer(line).data)


def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html")
