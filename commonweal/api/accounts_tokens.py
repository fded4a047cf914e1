"""API for a person's own API tokens, once they have one: list them, create another (its key is in the
answer, once), revoke one. The rules are the token page's (`accounts/services.py`, docs/security.md):
a name, a scope, an expiry of 30, 90 or 365 days, only a digest kept, every create and revoke audited.
A read-only token cannot create or revoke (403, like every write), and a token can make another no
broader than itself: a read and write token is needed to create one."""

from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.accounts import selectors_tokens, services
from commonweal.accounts.models import ApiTokenScope, User

from .pagination import LIST_PARAMETERS, list_response

PARSERS = [JSONParser, MultiPartParser, FormParser]


def _person(request: Request) -> User:
    """The signed-in person (IsAuthenticated has let only people through)."""
    assert isinstance(request.user, User)
    return request.user


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    scope = serializers.ChoiceField(choices=ApiTokenScope.choices)
    key_prefix = serializers.CharField(help_text="The key's first eight characters, to tell tokens apart.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_reason = serializers.CharField()
    is_usable = serializers.BooleanField(help_text="Neither expired nor revoked.")


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(help_text="The key, shown this once: only its digest is kept.")


class ApiTokenInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, allow_blank=True)
    scope = serializers.ChoiceField(choices=ApiTokenScope.choices)
    lifetime_days = serializers.IntegerField(help_text="30, 90 or 365.", min_value=1, max_value=3650)


class ApiTokenListApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        responses=ApiTokenSerializer(many=True), parameters=LIST_PARAMETERS, summary="Your API tokens, newest first"
    )
    def get(self, request: Request) -> Response:
        return list_response(request, selectors_tokens.api_token_list(user=_person(request)), ApiTokenSerializer)

    @extend_schema(
        request=ApiTokenInputSerializer,
        responses={201: ApiTokenCreatedSerializer},
        summary="Create another API token of yours (a read and write token or a signed-in session)",
        examples=[
            OpenApiExample(
                "A read-only token for a dashboard",
                value={"name": "Power BI report", "scope": "read", "lifetime_days": 90},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        payload = ApiTokenInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        token, key = services.api_token_create(actor=_person(request), **payload.validated_data)
        token.key = key  # type: ignore[attr-defined]
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


class ApiTokenRevokeApi(APIView):
    @extend_schema(request=None, responses=ApiTokenSerializer, summary="Revoke one of your API tokens at once")
    def post(self, request: Request, pk: int) -> Response:
        if not selectors_tokens.api_token_list(user=_person(request)).filter(pk=pk).exists():
            raise Http404("No such token.")
        token = services.api_token_revoke(actor=_person(request), token_id=pk)
        return Response(ApiTokenSerializer(token).data)


urlpatterns: list[URLPattern] = [
    path("account/api-tokens/", ApiTokenListApi.as_view(), name="api-token-list"),
    path("account/api-tokens/<int:pk>/revoke/", ApiTokenRevokeApi.as_view(), name="api-token-revoke"),
]
