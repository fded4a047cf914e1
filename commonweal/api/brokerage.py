"""API: the community wish list. A community organisation's own needs; a supplier's pledges; and a wish
list's figures for its brokers and officers (the same rows as the CSV and XLSX downloads). Quantities and
money are decimal strings, dates ISO. Routes included by api/urls.py."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.brokerage import downloads, selectors_needs
from commonweal.tenancy.permissions import Permission, member_require

from .pagination import LIST_PARAMETERS, list_response


class NeedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    title = serializers.CharField()
    host = serializers.CharField(source="host.slug", help_text="The wish list's organisation (short name).")
    kind = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    unit = serializers.CharField()
    estimate = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    place_code = serializers.CharField(help_text="ONS GSS code of the ward or district.")
    beneficiary_group = serializers.CharField(allow_blank=True)
    expires_on = serializers.DateField()
    state = serializers.CharField(
        help_text="draft, submitted, returned, approved, published, pledged, delivered, confirmed, withdrawn "
        "or expired."
    )
    state_reason = serializers.CharField(allow_blank=True)


class PledgeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField(help_text="The evidence reference its return line carries.")
    need = serializers.CharField(source="need.reference")
    need_title = serializers.CharField(source="need.title")
    agreement = serializers.CharField(source="commitment.agreement.reference")
    measure_code = serializers.CharField(source="commitment.measure.code")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    state = serializers.CharField(help_text="pledged, delivered, confirmed or withdrawn.")
    delivered_on = serializers.DateField(allow_null=True)
    received_quantity = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    received_on = serializers.DateField(allow_null=True)
    line_status = serializers.CharField(
        source="line.status", allow_null=True, default=None, help_text="The claimed line's status, once confirmed."
    )


class FigureRowSerializer(serializers.Serializer):
    section = serializers.CharField(help_text="needs, days, place, outcome or commitment.")
    name = serializers.CharField()
    code = serializers.CharField(allow_blank=True)
    count = serializers.CharField(allow_blank=True)
    hours = serializers.CharField(allow_blank=True)
    pounds = serializers.CharField(allow_blank=True)
    target = serializers.CharField(allow_blank=True)
    through_wish_list = serializers.CharField(allow_blank=True)
    verified = serializers.CharField(allow_blank=True)
    pledges = serializers.CharField(allow_blank=True)


class NeedListApi(APIView):
    @extend_schema(
        responses=NeedSerializer(many=True), parameters=LIST_PARAMETERS, summary="A community organisation's needs"
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.POST_NEEDS)
        return list_response(request, selectors_needs.own_need_list(member=member).order_by("pk"), NeedSerializer)


class PledgeListApi(APIView):
    @extend_schema(
        responses=PledgeSerializer(many=True), parameters=LIST_PARAMETERS, summary="A supplier's pledges to needs"
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.PLEDGE)
        return list_response(request, selectors_needs.own_pledge_list(member=member).order_by("pk"), PledgeSerializer)


class WishListFiguresApi(APIView):
    @extend_schema(
        responses=FigureRowSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="A wish list's figures, as the CSV carries them",
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_BROKERAGE_FIGURES)
        rows = downloads.figures_rows(selectors_needs.figures_for(member=member))
        return list_response(
            request, [{key: str(value) for key, value in row.items()} for row in rows], FigureRowSerializer
        )


urlpatterns = [
    path("organisations/<slug:org>/needs/", NeedListApi.as_view(), name="need-list"),
    path("organisations/<slug:org>/pledges/", PledgeListApi.as_view(), name="pledge-list"),
    path("organisations/<slug:org>/wish-list/figures/", WishListFiguresApi.as_view(), name="wish-list-figures"),
]
