"""Reporting pages, under /o/<org>/. Each area has its own URL module."""

from django.urls import include, path

app_name = "reporting"
urlpatterns = [
    path("", include("commonweal.reporting.urls_budget_admin")),
]
