"""Spend pages: the dashboard with its downloads (under /o/<org>/spend/, namespace “spend”)."""

from django.urls import path

from . import views_dashboard as views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("download/", views.dashboard_download, name="dashboard-download"),
]
