"""Reporting pages under /o/<org>/: each area's routes in its own module, in one "reporting" namespace."""

from django.urls import include, path

app_name = "reporting"
urlpatterns = [
    path("", include("commonweal.reporting.urls_budget")),
    path("", include("commonweal.reporting.urls_report")),
    path("", include("commonweal.reporting.urls_budget_admin")),
    path("", include("commonweal.reporting.urls_public")),
    path("", include("commonweal.reporting.urls_consultations")),
    path("", include("commonweal.reporting.urls_panels")),
]
