"""API: agreements (list, read with progress, create, update), commitments (list, create, import) and
substitutions (list, propose, decide). Thin: find the member, parse, call a selector or service, serialise.

Anyone of the buyer or the supplier reads; the buyer's contract managers (`MANAGE_CONTRACTS`) change
agreements and commitments and decide on substitutions; the supplier's contacts (`SUBMIT_RETURNS`) propose
them. Anyone else gets a 404."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.core.errors import ApplicationError
from commonweal.delivery import selectors_agreements, selectors_status, services_agreements
from commonweal.delivery.models import (
    Agreement,
    AgreementKind,
    Commitment,
    ReturnFrequency,
    Substitution,
    SubstitutionState,
)
from commonweal.delivery.services_agreements import MilestoneInput
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import serializers as s
from .pagination import LIST_PARAMETERS, list_response
from .serializers import PLAIN_NUMBER

PARSERS = [JSONParser, MultiPartParser, FormParser]


# --- Shapes ----------------------------------------------------------------------------------------


class AgreementOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=AgreementKind.choices)
    reference = serializers.CharField()
    title = serializers.CharField()
    buyer = serializers.CharField(source="organisation.slug")
    supplier = serializers.CharField(source="supplier.slug")
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    called_off_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    department = serializers.CharField(source="department.name", allow_null=True, default=None)
    framework = serializers.CharField(source="framework_version.framework.code")
    framework_version = serializers.IntegerField(source="framework_version.number")
    framework_version_id = serializers.IntegerField()
    value_set = serializers.IntegerField(source="value_set_id", allow_null=True)
    return_frequency = serializers.ChoiceField(choices=ReturnFrequency.choices)
    return_due_days = serializers.IntegerField()
    escalation_days = serializers.IntegerField()
    contract_manager = serializers.EmailField(source="contract_manager.email", allow_null=True, default=None)


class AgreementInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AgreementKind.choices, default=AgreementKind.CONTRACT)
    reference = serializers.CharField(max_length=60)
    title = serializers.CharField(max_length=300)
    supplier = serializers.CharField(help_text="The short name (slug) of the supplier or grant recipient.")
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    start_date = s.BoundedDateField()
    end_date = s.BoundedDateField()
    department = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The name of one of your departments, or blank."
    )
    framework_version = serializers.IntegerField(help_text="The id of a published version of your framework.")
    value_set = serializers.IntegerField(required=False, allow_null=True, default=None)
    return_frequency = serializers.ChoiceField(choices=ReturnFrequency.choices, default=ReturnFrequency.QUARTERLY)
    return_due_days = serializers.IntegerField(default=14, min_value=0)
    escalation_days = serializers.IntegerField(default=14, min_value=0)
    contract_manager = serializers.EmailField(
        required=False, allow_null=True, default=None, help_text="The email of a contract manager of yours."
    )
    called_off_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )


class MilestoneSerializer(serializers.Serializer):
    due_date = s.BoundedDateField()
    cumulative_quantity = serializers.DecimalField(max_digits=14, decimal_places=2)


class CommitmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    measure_code = serializers.CharField(source="measure.code")
    measure_title = serializers.CharField(source="measure.title")
    unit = serializers.CharField(source="measure.unit")
    target_quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    effective_target = serializers.SerializerMethodField(
        help_text="The target delivery is measured against: pro-rated for call-offs, what was verified for a "
        "substituted commitment."
    )
    due_date = serializers.DateField()
    place_code = serializers.CharField()
    beneficiary_group = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field called "source", not Field.source
    state = serializers.CharField()
    milestones = MilestoneSerializer(many=True, source="milestones.all")

    def get_effective_target(self, commitment: Commitment) -> str:
        return str(selectors_agreements.effective_target(commitment))


class CommitmentInputSerializer(serializers.Serializer):
    measure_code = serializers.CharField(help_text="A measure of the agreement's framework version.")
    target_quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    due_date = s.BoundedDateField()
    place_code = serializers.CharField(required=False, allow_blank=True, default="", help_text="An ONS GSS code.")
    beneficiary_group = serializers.CharField(required=False, allow_blank=True, default="")
    milestones = serializers.JSONField(
        required=False,
        help_text='A list of {"due_date": "2027-03-31", "cumulative_quantity": "3"}, in date order.',
    )

    def validate_milestones(self, value: Any) -> list[MilestoneInput]:
        if isinstance(value, str):  # a multipart form carries the list as a JSON string
            try:
                value = json.loads(value) if value.strip() else []
            except ValueError:
                raise serializers.ValidationError("Give the milestones as a JSON list.") from None
        if not isinstance(value, list):
            raise serializers.ValidationError("Give the milestones as a list.")
        milestones = []
        for number, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                raise serializers.ValidationError(f"Milestone {number}: give a due_date and a cumulative_quantity.")
            try:
                when = date.fromisoformat(str(item.get("due_date")))
            except ValueError:
                raise serializers.ValidationError(
                    f"Milestone {number}: the due_date must be like 2027-03-31."
                ) from None
            quantity = str(item.get("cumulative_quantity", "")).strip()
            if isinstance(item.get("cumulative_quantity"), bool) or not PLAIN_NUMBER.fullmatch(quantity):
                raise serializers.ValidationError(f"Milestone {number}: the cumulative_quantity must be a number.")
            milestones.append(MilestoneInput(due_date=when, cumulative_quantity=Decimal(quantity)))
        return milestones


class ImportInputSerializer(serializers.Serializer):
    commitments_file = serializers.FileField(help_text="A CSV or XLSX file of commitments.")


class ImportResultSerializer(serializers.Serializer):
    created = CommitmentOutputSerializer(many=True)
    unchanged_lines = serializers.ListField(child=serializers.IntegerField(), source="unchanged")


class SubstitutionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    commitment = serializers.IntegerField(source="commitment_id")
    commitment_measure_code = serializers.CharField(source="commitment.measure.code")
    proposed_measure_code = serializers.CharField(source="proposed_measure.code", allow_null=True, default=None)
    proposed_quantity = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    pledge = serializers.CharField()
    reason = serializers.CharField()
    original_net_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    proposed_net_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    value_comparison = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=SubstitutionState.choices)
    proposed_by = serializers.EmailField(source="proposed_by.email")
    proposed_at = serializers.DateTimeField(source="created_at")
    decided_by = serializers.EmailField(source="decided_by.email", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    replacement = serializers.IntegerField(source="replacement_id", allow_null=True)

    def get_value_comparison(self, substitution: Substitution) -> str:
        return selectors_agreements.value_verdict(substitution.original_net_value, substitution.proposed_net_value)[1]


class SubstitutionInputSerializer(serializers.Serializer):
    commitment = serializers.IntegerField(help_text="The id of the commitment to replace.")
    proposed_measure_code = serializers.CharField(required=False, allow_blank=True, default="")
    proposed_quantity = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    pledge = serializers.CharField(required=False, allow_blank=True, default="")
    proposal_reason = serializers.CharField(allow_blank=True, help_text="Why the supplier proposes it.")


class DecisionInputSerializer(serializers.Serializer):
    substitution_decision = serializers.ChoiceField(choices=[SubstitutionState.APPROVED, SubstitutionState.REFUSED])
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required to refuse.")


# --- Resolving references --------------------------------------------------------------------------


def _agreement_arguments(member: Member, data: dict[str, Any]) -> dict[str, Any]:
    """Input fields as the services take them: slugs, ids and emails become the objects they name."""
    arguments = dict(data)
    errors: dict[str, str] = {}
    if "supplier" in data:
        arguments["supplier"] = selectors_agreements.party_by_slug(slug=data["supplier"])
        if arguments["supplier"] is None:
            errors["supplier"] = f"No supplier or community organisation has the short name “{data['supplier']}”"
    if "framework_version" in data:
        found = selectors_agreements.framework_version_choice_list(member=member).filter(pk=data["framework_version"])
        arguments["framework_version"] = found.first()
        if arguments["framework_version"] is None:
            errors["framework_version"] = "None of your published framework versions has this id"
    if data.get("value_set") is not None:
        arguments["value_set"] = (
            selectors_agreements.value_set_choice_list(member=member).filter(pk=data["value_set"]).first()
        )
        if arguments["value_set"] is None:
            errors["value_set"] = "None of your value sets has this id"
    if "department" in data:
        name = " ".join(data["department"].split())
        arguments["department"] = (
            selectors_agreements.department_choice_list(member=member).filter(name__iexact=name).first()
            if name
            else None
        )
        if name and arguments["department"] is None:
            errors["department"] = f"None of your departments is called “{name}”"
    if data.get("contract_manager"):
        arguments["contract_manager"] = (
            selectors_agreements.contract_manager_choice_list(member=member)
            .filter(email__iexact=data["contract_manager"])
            .first()
        )
        if arguments["contract_manager"] is None:
            errors["contract_manager"] = "Nobody with this email is a contract manager of yours"
    if errors:
        raise ApplicationError("There is a problem with the agreement.", field_errors=errors)
    return arguments


def _measure(agreement: Agreement, code: str, field: str) -> Any:
    measure = selectors_agreements.measure_list(agreement=agreement).filter(code=code).first()
    if measure is None:
        raise ApplicationError(
            f"“{code}” is not a measure of {agreement.framework_version}.",
            field_errors={field: "Not a measure of the agreement's framework version"},
        )
    return measure


# --- Views -----------------------------------------------------------------------------------------


class AgreementListApi(APIView):
    @extend_schema(
        responses=s.AgreementSerializer(many=True), parameters=LIST_PARAMETERS, summary="Agreements you own or supply"
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org)
        return list_response(request, selectors_agreements.agreement_list(member=member), s.AgreementSerializer)


class AgreementDetailApi(APIView):
    @extend_schema(responses=s.AgreementDetailSerializer, summary="An agreement with its commitments' progress")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        agreement = selectors_agreements.agreement_get(member=member, pk=pk)
        agreement.progress = selectors_status.commitment_progress_list(agreement=agreement)  # type: ignore[attr-defined]
        return Response(s.AgreementDetailSerializer(agreement).data)


class AgreementCreateApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=AgreementInputSerializer,
        responses={201: AgreementOutputSerializer},
        summary="Create an agreement (the buyer's contract manager)",
    )
    def post(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
        payload = AgreementInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        agreement = services_agreements.agreement_create(
            actor=member.user,
            member=member,
            **_agreement_arguments(member, payload.validated_data),
        )
        return Response(AgreementOutputSerializer(agreement).data, status=status.HTTP_201_CREATED)


class AgreementBulkInputSerializer(serializers.Serializer):
    agreements = serializers.JSONField(
        help_text=(
            f"A list of up to {services_agreements.AGREEMENTS_BULK_MAX} agreements, each with the fields of "
            "creating one (a JSON string in a form)."
        ),
    )


def _bulk_rows(member: Member, raw: Any) -> list[dict[str, Any] | ApplicationError]:
    """Each agreement's input as the service takes it, or the error its fields have."""
    if isinstance(raw, str):  # a form sends the list as JSON text
        try:
            raw = json.loads(raw)
        except ValueError:
            raise serializers.ValidationError({"agreements": "Send a list of agreements as JSON"}) from None
    if not isinstance(raw, list):
        raise serializers.ValidationError({"agreements": "Send a list of agreements"})
    rows: list[dict[str, Any] | ApplicationError] = []
    for item in raw:
        payload = AgreementInputSerializer(data=item if isinstance(item, dict) else {})
        if not payload.is_valid():
            rows.append(ApplicationError("", field_errors={k: str(v[0]) for k, v in payload.errors.items()}))
            continue
        try:
            rows.append(_agreement_arguments(member, payload.validated_data))
        except ApplicationError as error:
            rows.append(error)
    return rows


class AgreementBulkCreateApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=AgreementBulkInputSerializer,
        responses={201: AgreementOutputSerializer(many=True)},
        summary="Create many agreements at once, all or nothing (the buyer's contract manager)",
        description=(
            "Every agreement is checked; if any is refused, nothing is created and the 400 names each problem "
            "as `<position>.<field>` (`0.reference`, from 0)."
        ),
    )
    def post(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
        payload = AgreementBulkInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        agreements = services_agreements.agreements_create_bulk(
            actor=member.user, member=member, rows=_bulk_rows(member, payload.validated_data["agreements"])
        )
        return Response(AgreementOutputSerializer(agreements, many=True).data, status=status.HTTP_201_CREATED)


class AgreementUpdateApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=AgreementInputSerializer(partial=True),
        responses=AgreementOutputSerializer,
        summary="Change an agreement: the fields given (the buyer's contract manager)",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
        agreement = selectors_agreements.agreement_owned_get(member=member, pk=pk)
        payload = AgreementInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        given = {name: value for name, value in payload.validated_data.items() if name in payload.initial_data}
        agreement = services_agreements.agreement_update(
            actor=member.user, member=member, agreement=agreement, **_agreement_arguments(member, given)
        )
        return Response(AgreementOutputSerializer(agreement).data)


class CommitmentListApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=CommitmentOutputSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="An agreement's commitments",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        agreement = selectors_agreements.agreement_get(member=member, pk=pk)
        rows = selectors_agreements.commitment_rows(member=member, agreement=agreement)
        return list_response(request, [row.commitment for row in rows], CommitmentOutputSerializer)

    @extend_schema(
        request=CommitmentInputSerializer,
        responses={201: CommitmentOutputSerializer},
        summary="Add a commitment (the buyer's contract manager)",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
        agreement = selectors_agreements.agreement_owned_get(member=member, pk=pk)
        payload = CommitmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        commitment = services_agreements.commitment_create(
            actor=member.user,
            member=member,
            agreement=agreement,
            measure=_measure(agreement, data["measure_code"], "measure_code"),
            target_quantity=data["target_quantity"],
            due_date=data["due_date"],
            place_code=data["place_code"],
            beneficiary_group=data["beneficiary_group"],
            milestones=data.get("milestones") or [],
        )
        return Response(CommitmentOutputSerializer(commitment).data, status=status.HTTP_201_CREATED)


class CommitmentImportApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={201: ImportResultSerializer},
        summary="Import commitments from a CSV or XLSX file, all or none (the buyer's contract manager)",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
        agreement = selectors_agreements.agreement_owned_get(member=member, pk=pk)
        payload = ImportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = services_agreements.commitments_file_import(
            actor=member.user, member=member, agreement=agreement, file=payload.validated_data["commitments_file"]
        )
        return Response(ImportResultSerializer(result).data, status=status.HTTP_201_CREATED)


class SubstitutionListApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=SubstitutionOutputSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="An agreement's substitutions",
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        agreement = selectors_agreements.agreement_get(member=member, pk=pk)
        substitutions = selectors_agreements.substitution_list(member=member, agreement=agreement)
        return list_response(request, substitutions, SubstitutionOutputSerializer)

    @extend_schema(
        request=SubstitutionInputSerializer,
        responses={201: SubstitutionOutputSerializer},
        summary="Propose a substitution (the supplier)",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.SUBMIT_RETURNS)
        agreement = selectors_agreements.agreement_supplied_get(member=member, pk=pk)
        payload = SubstitutionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        commitment = selectors_agreements.commitment_get(member=member, pk=data["commitment"])
        if commitment.agreement_id != agreement.pk:
            raise ApplicationError(
                "The commitment is not part of this agreement.",
                field_errors={"commitment": "Not a commitment of this agreement"},
            )
        code = data["proposed_measure_code"].strip()
        substitution = services_agreements.substitution_propose(
            actor=member.user,
            member=member,
            commitment=commitment,
            proposed_measure=_measure(agreement, code, "proposed_measure_code") if code else None,
            proposed_quantity=data.get("proposed_quantity"),
            pledge=data["pledge"],
            reason=data["proposal_reason"],
        )
        return Response(SubstitutionOutputSerializer(substitution).data, status=status.HTTP_201_CREATED)


class SubstitutionDecideApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=DecisionInputSerializer,
        responses=SubstitutionOutputSerializer,
        summary="Approve or refuse a substitution (the buyer's contract manager)",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_CONTRACTS)
        substitution = selectors_agreements.substitution_get(member=member, pk=pk)
        payload = DecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        substitution = services_agreements.substitution_decide(
            actor=member.user,
            member=member,
            substitution=substitution,
            decision=payload.validated_data["substitution_decision"],
            reason=payload.validated_data["reason"],
        )
        return Response(SubstitutionOutputSerializer(substitution).data)


urlpatterns: list[URLPattern] = [
    path("organisations/<slug:org>/agreements/", AgreementListApi.as_view(), name="agreement-list"),
    path("organisations/<slug:org>/agreements/<int:pk>/", AgreementDetailApi.as_view(), name="agreement-detail"),
    path("organisations/<slug:org>/agreements/create/", AgreementCreateApi.as_view(), name="agreement-create"),
    path("organisations/<slug:org>/agreements/bulk/", AgreementBulkCreateApi.as_view(), name="agreement-bulk"),
    path(
        "organisations/<slug:org>/agreements/<int:pk>/update/",
        AgreementUpdateApi.as_view(),
        name="agreement-update",
    ),
    path(
        "organisations/<slug:org>/agreements/<int:pk>/commitments/",
        CommitmentListApi.as_view(),
        name="commitment-list",
    ),
    path(
        "organisations/<slug:org>/agreements/<int:pk>/commitments/import/",
        CommitmentImportApi.as_view(),
        name="commitment-import",
    ),
    path(
        "organisations/<slug:org>/agreements/<int:pk>/substitutions/",
        SubstitutionListApi.as_view(),
        name="substitution-list",
    ),
    path(
        "organisations/<slug:org>/substitutions/<int:pk>/decision/",
        SubstitutionDecideApi.as_view(),
        name="substitution-decide",
    ),
]
