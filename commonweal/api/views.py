"""API views of the API itself: the organisations the caller belongs to, and the page describing the API.
Each domain area's endpoints are in their own module (`delivery_returns.py`, `value_sets.py`, ...)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.tenancy.selectors import organisation_list_for_user

from . import serializers as s
from .pagination import LIST_PARAMETERS, list_response


class OrganisationListApi(APIView):
    @extend_schema(
        responses=s.OrganisationSerializer(many=True), parameters=LIST_PARAMETERS, summary="Organisations you belong to"
    )
    def get(self, request: Request) -> Response:
        return list_response(request, organisation_list_for_user(user=request.user), s.OrganisationSerializer)


def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html")
