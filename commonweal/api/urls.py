from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import frameworks, priorities, value_sets, views

app_name = "api"
urlpatterns = [
    path("", views.api_docs, name="docs"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The browsable reference: Swagger UI from drf-spectacular-sidecar's static files, its script served
    # from here too (no inline script), reading the schema above.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/reference.html"),
        name="reference",
    ),
    path("organisations/", views.OrganisationListApi.as_view(), name="organisation-list"),
    path("organisations/<slug:org>/value-sets/", value_sets.ValueSetListApi.as_view(), name="value-set-list"),
    path(
        "organisations/<slug:org>/value-sets/<int:pk>/",
        value_sets.ValueSetDetailApi.as_view(),
        name="value-set-detail",
    ),
    path("organisations/<slug:org>/valuations/", value_sets.ValuationApi.as_view(), name="valuation"),
    path("organisations/<slug:org>/ask/", priorities.AskApi.as_view(), name="ask"),
    path("organisations/<slug:org>/frameworks/", frameworks.FrameworkListApi.as_view(), name="framework-list"),
    path(
        "organisations/<slug:org>/framework-versions/<int:pk>/",
        frameworks.FrameworkVersionDetailApi.as_view(),
        name="framework-version-detail",
    ),
    # Each area's routes, in its own module (same "api" namespace).
    path("", include("commonweal.api.delivery_returns")),
    path("", include("commonweal.api.delivery_agreements")),
    path("", include("commonweal.api.delivery_status")),
    path("", include("commonweal.api.spend")),
    path("", include("commonweal.api.reporting_budget")),
    path("", include("commonweal.api.reporting_report")),
    path("", include("commonweal.api.networks")),
    path("", include("commonweal.api.brokerage")),
    # Procurement: planning, bidding and clarifications, evaluation, the award and its reports.
    path("", include("commonweal.api.procurement_planning")),
    path("", include("commonweal.api.procurement_bidding")),
    path("", include("commonweal.api.procurement_evaluation")),
    path("", include("commonweal.api.procurement_award")),
    path("", include("commonweal.api.frameworks_manage")),
    path("", include("commonweal.api.accounts_tokens")),
    path("", include("commonweal.api.tenancy_members")),
]
