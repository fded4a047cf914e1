"""API: delivery_agreements. Its routes are included by api/urls.py under /api/v1/."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
