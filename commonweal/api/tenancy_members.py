"""API for an organisation's people: every member reads who holds which role; its lead (a social value
lead, network coordinator or contact) adds a person with a role and removes a role. The rules are in
`tenancy/services_members.py`."""

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.tenancy import selectors, services_members
from commonweal.tenancy.models import Role
from commonweal.tenancy.permissions import Permission, member_require

from .pagination import LIST_PARAMETERS, list_response

PARSERS = [JSONParser, MultiPartParser, FormParser]


class PersonRoleSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    email = serializers.CharField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    role = serializers.ChoiceField(choices=Role.choices)
    since = serializers.DateTimeField(source="created_at")


class PersonAddInputSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    full_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Needed if they have no account."
    )
    role = serializers.ChoiceField(choices=Role.choices)


class MemberListApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=PersonRoleSerializer(many=True), parameters=LIST_PARAMETERS, summary="The organisation's people"
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org)
        return list_response(request, selectors.membership_list(member=member), PersonRoleSerializer)

    @extend_schema(
        request=PersonAddInputSerializer,
        responses={201: PersonRoleSerializer},
        summary="Add a person with a role (the organisation's lead)",
        examples=[
            OpenApiExample(
                "A new contract manager",
                value={"email": "sam@northfield.example", "full_name": "Sam Patel", "role": "contract_manager"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_MEMBERS)
        payload = PersonAddInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services_members.member_add(actor=member.user, member=member, **payload.validated_data)
        return Response(PersonRoleSerializer(membership).data, status=status.HTTP_201_CREATED)


class MemberRemoveApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Remove a person's role (the organisation's lead)")
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_MEMBERS)
        membership = selectors.membership_get(member=member, pk=pk)
        services_members.member_remove(actor=member.user, member=member, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns: list[URLPattern] = [
    path("organisations/<slug:org>/members/", MemberListApi.as_view(), name="member-list"),
    path("organisations/<slug:org>/members/<int:pk>/remove/", MemberRemoveApi.as_view(), name="member-remove"),
]
