"""Spend pages: suppliers."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
