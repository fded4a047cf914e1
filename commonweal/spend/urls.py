"""Spend analysis pages, under /o/<org>/spend/. Each area has its own URL module."""

from django.urls import include, path

app_name = "spend"
urlpatterns = [
    path("", include("commonweal.spend.urls_dashboard")),
    path("imports/", include("commonweal.spend.urls_imports")),
    path("suppliers/", include("commonweal.spend.urls_suppliers")),
    path("lm3/", include("commonweal.spend.urls_lm3")),
]
