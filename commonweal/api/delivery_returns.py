"""API: an agreement's returns (list, or save and submit one), reporting periods, one return (read, change
a draft, submit, add evidence or a case study), the review of a line and the supplier's answer to a
query, and many returns from one CSV. Thin: find the member, parse, call a
selector or service, serialise. Its routes are included by api/urls.py under /api/v1/.

The supplier's contacts (`SUBMIT_RETURNS`) change, submit and answer; anyone of either party reads what the
selectors let them (a draft is the supplier's own). Reading the periods writes nothing: they are made with
the agreement."""

from collections.abc import Mapping
from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.core.errors import ApplicationError
from commonweal.delivery import selectors_agreements, selectors_returns, services_returns
from commonweal.delivery.models import DeliveryReturn
from commonweal.delivery.services_returns import BulkReturnError, CaseStudyInput, LineInput
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import serializers as s
from .pagination import LIST_PARAMETERS, list_response

PARSERS = [MultiPartParser, FormParser, JSONParser]


def line_inputs(data: Mapping[str, Any], current: DeliveryReturn | None = None) -> dict[int, LineInput]:
    """Quantities and references by commitment id. Changing a draft, what a request leaves out stays."""
    quantities: dict[int, Any] = data.get("quantities", {})
    references: dict[int, dict[str, str]] = data.get("references", {})
    existing = {line.commitment_id: line for line in current.lines.all()} if current is not None else {}
    lines = {}
    for commitment_id in set(quantities) | set(references):
        line = existing.get(commitment_id)
        given = references.get(commitment_id, {})

        def kept(name: str, line: Any = line, given: dict[str, str] = given) -> str:
            return given.get(name, getattr(line, name) if line is not None else "")

        lines[commitment_id] = LineInput(
            quantity=quantities[commitment_id]
            if commitment_id in quantities
            else (line.quantity if line is not None else None),
            evidence_reference=kept("evidence_reference"),
            beneficiary_reference=kept("beneficiary_reference"),
            note=kept("note"),
        )
    return lines


def case_study_inputs(items: list[Mapping[str, Any]]) -> list[CaseStudyInput]:
    return [
        CaseStudyInput(
            title=item["title"],
            story=item["story"],
            consent_given_by=item.get("consent_given_by", ""),
            consent_date=item.get("consent_date"),
            commitment_id=item.get("commitment"),
        )
        for item in items
    ]


def _return_data(member: Member, delivery_return: DeliveryReturn) -> dict[str, Any]:
    view = selectors_returns.return_view(member=member, delivery_return=delivery_return)
    return s.DeliveryReturnSerializer(view.delivery_return).data


class ReturnListApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        responses=s.DeliveryReturnSerializer(many=True), parameters=LIST_PARAMETERS, summary="Returns on an agreement"
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        agreement = selectors_agreements.agreement_get(member=member, pk=pk)
        returns = selectors_returns.return_list(member=member, agreement=agreement)
        return list_response(request, returns, s.DeliveryReturnSerializer)

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
            lines=line_inputs(data),
            narrative=data["narrative"],
            evidence=data.get("evidence", []),
            case_studies=case_study_inputs(data.get("case_studies", [])),
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


class ReturnLinesReviewApi(APIView):
    @extend_schema(
        operation_id="organisations_return_lines_review_many",
        request=s.BulkReviewSerializer,
        responses=s.ReturnLineSerializer(many=True),
        summary="Verify, reject or query many lines in one call, all or nothing",
        description="Every line must be one of the organisation's, on a submitted return, awaiting verification "
        "or queried. If any line is not, nothing changes and the error names the line.",
    )
    def post(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
        payload = s.BulkReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lines = services_returns.return_lines_review(
            actor=member.user,
            member=member,
            line_ids=payload.validated_data["line_ids"],
            decision=payload.validated_data["decision"],
            reason=payload.validated_data["reason"],
        )
        reviewed = selectors_returns.return_lines_for_review(member=member, ids=[line.pk for line in lines])
        return Response(s.ReturnLineSerializer(reviewed, many=True).data)


class PeriodListApi(APIView):
    @extend_schema(
        responses=s.PeriodSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="An agreement's reporting periods and returns",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        agreement = selectors_agreements.agreement_get(member=member, pk=pk)
        rows = selectors_returns.period_rows(member=member, agreement=agreement)
        return list_response(request, rows, s.PeriodSerializer)


class ReturnDetailApi(APIView):
    parser_classes = PARSERS

    @extend_schema(responses=s.DeliveryReturnSerializer, summary="A return with its lines and conversations")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        delivery_return = selectors_returns.return_get(member=member, pk=pk)
        return Response(_return_data(member, delivery_return))

    @extend_schema(
        request={"application/json": s.ReturnUpdateSerializer, "multipart/form-data": s.ReturnUpdateSerializer},
        responses=s.DeliveryReturnSerializer,
        summary="Change a draft return (the supplier); a submitted return is locked",
    )
    def patch(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
        delivery_return = selectors_returns.return_get(member=member, pk=pk)
        payload = s.ReturnUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        delivery_return = services_returns.return_draft_change(
            actor=member.user,
            member=member,
            delivery_return=delivery_return,
            lines=line_inputs(data, delivery_return),
            narrative=data.get("narrative"),
            evidence=data.get("evidence", []),
            case_studies=case_study_inputs(data.get("case_studies", [])),
        )
        return Response(_return_data(member, delivery_return))


class ReturnSubmitApi(APIView):
    @extend_schema(request=None, responses=s.DeliveryReturnSerializer, summary="Submit a draft return as it stands")
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
        delivery_return = selectors_returns.return_get(member=member, pk=pk)
        delivery_return = services_returns.return_draft_submit(
            actor=member.user, member=member, delivery_return=delivery_return
        )
        return Response(_return_data(member, delivery_return))


class ReturnEvidenceApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.EvidenceUploadSerializer},
        responses={201: s.DeliveryReturnSerializer},
        summary="Add evidence files to a draft return, for some or all of its lines",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
        delivery_return = selectors_returns.return_get(member=member, pk=pk)
        payload = s.EvidenceUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        delivery_return = services_returns.return_draft_change(
            actor=member.user,
            member=member,
            delivery_return=delivery_return,
            evidence=payload.validated_data["evidence"],
            evidence_lines=payload.validated_data["commitments"],
        )
        return Response(_return_data(member, delivery_return), status=status.HTTP_201_CREATED)


class ReturnCaseStudyApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=s.CaseStudyCreateSerializer,
        responses={201: s.DeliveryReturnSerializer},
        summary="Add a case study to a draft return; consent is required",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
        delivery_return = selectors_returns.return_get(member=member, pk=pk)
        payload = s.CaseStudyCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        delivery_return = services_returns.return_draft_change(
            actor=member.user,
            member=member,
            delivery_return=delivery_return,
            case_studies=case_study_inputs([payload.validated_data]),
        )
        return Response(_return_data(member, delivery_return), status=status.HTTP_201_CREATED)


class ReturnLineAnswerApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request={"multipart/form-data": s.AnswerSerializer, "application/json": s.AnswerSerializer},
        responses=s.ReturnLineSerializer,
        summary="Answer a queried or rejected line and resubmit it (the supplier)",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
        line = selectors_returns.return_line_get(member=member, pk=pk)
        payload = s.AnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        line = services_returns.return_line_answer(
            actor=member.user,
            member=member,
            line=line,
            answer=data["answer"],
            quantity=data.get("quantity"),
            evidence_reference=data.get("evidence_reference"),
            beneficiary_reference=data.get("beneficiary_reference"),
            evidence=data.get("evidence", []),
        )
        return Response(s.ReturnLineSerializer(selectors_returns.return_line_get(member=member, pk=line.pk)).data)


class ReturnBulkApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.BulkReturnSerializer},
        responses={201: s.BulkSavedSerializer(many=True)},
        summary="Save or submit many returns, across agreements and buyers, from one CSV: all or nothing",
        description="A refused file answers 400 with errors keyed `line N` (the CSV line) and nothing saved.",
    )
    def post(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
        payload = s.BulkReturnSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            saved = services_returns.returns_import(
                actor=member.user,
                member=member,
                file=payload.validated_data["returns_csv"],
                submit=payload.validated_data["submit"],
            )
        except BulkReturnError as error:
            rows: dict[str, str] = {}
            for row in error.rows:
                key = f"line {row.line}"
                rows[key] = f"{rows[key]}; {row.message}" if key in rows else row.message
            raise ApplicationError(error.message, field_errors=rows) from None
        return Response(s.BulkSavedSerializer(saved, many=True).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("organisations/<slug:org>/agreements/<int:pk>/returns/", ReturnListApi.as_view(), name="return-list"),
    path(
        "organisations/<slug:org>/return-lines/<int:pk>/review/",
        ReturnLineReviewApi.as_view(),
        name="return-line-review",
    ),
    path(
        "organisations/<slug:org>/return-lines/review/",
        ReturnLinesReviewApi.as_view(),
        name="return-lines-review",
    ),
    path(
        "organisations/<slug:org>/agreements/<int:pk>/periods/",
        PeriodListApi.as_view(),
        name="period-list",
    ),
    path("organisations/<slug:org>/returns/<int:pk>/", ReturnDetailApi.as_view(), name="return-detail"),
    path("organisations/<slug:org>/returns/<int:pk>/submit/", ReturnSubmitApi.as_view(), name="return-submit"),
    path("organisations/<slug:org>/returns/<int:pk>/evidence/", ReturnEvidenceApi.as_view(), name="return-evidence"),
    path(
        "organisations/<slug:org>/returns/<int:pk>/case-studies/",
        ReturnCaseStudyApi.as_view(),
        name="return-case-study",
    ),
    path(
        "organisations/<slug:org>/return-lines/<int:pk>/answer/",
        ReturnLineAnswerApi.as_view(),
        name="return-line-answer",
    ),
    path("organisations/<slug:org>/returns/bulk/", ReturnBulkApi.as_view(), name="return-bulk"),
]
