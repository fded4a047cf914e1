"""API for the social value budget: a financial year's figures, as the page and the JSON download show
them (every quantity and £ a decimal string; every figure says which state it counts, gross or net)."""

from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.reporting.selectors_budget import budget_get, year_get
from commonweal.tenancy.permissions import Permission, member_require


class BudgetApi(APIView):
    @extend_schema(
        operation_id="budget_retrieve",
        responses={200: OpenApiTypes.OBJECT},
        description="The social value budget of the financial year starting in April of `year`: for each "
        "department its budget lines with planned, committed, claimed, evidenced and verified figures, "
        "variance, forecast and last year's; money by state with local economic value apart from additional "
        "social value, gross and net; breakdowns by place, group and deprivation decile (small counts "
        "suppressed); and each agreement's social value as a share of its value. A closed year answers "
        "with the figures frozen when it closed.",
    )
    def get(self, request: Request, org: str, year: int) -> Response:
        member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
        financial_year = year_get(member=member, start_year=year)
        if financial_year is None:
            raise Http404("No such financial year.")
        return Response(budget_get(member=member, year=financial_year, shares=True).as_dict())


urlpatterns = [
    path("organisations/<slug:org>/budget/<int:year>/", BudgetApi.as_view(), name="budget"),
]
