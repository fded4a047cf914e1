"""Delivery pages under /o/<org>/: each area's routes in its own module, in one "delivery" namespace."""

from django.urls import include, path

app_name = "delivery"
urlpatterns = [
    path("", include("commonweal.delivery.urls_agreements")),
    path("", include("commonweal.delivery.urls_returns")),
    path("", include("commonweal.delivery.urls_status")),
    path("", include("commonweal.delivery.urls_grants")),
]
