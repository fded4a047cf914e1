"""Spend pages: the dashboard with its downloads, and LM3 surveys (under /o/<org>/spend/, namespace “spend”)."""

from django.urls import path

from . import views_dashboard, views_lm3

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("download/", views_dashboard.dashboard_download, name="dashboard-download"),
    path("lm3/", views_lm3.lm3_survey_list, name="lm3-list"),
    path("lm3/new/", views_lm3.lm3_survey_create, name="lm3-create"),
    path("lm3/<int:pk>/", views_lm3.lm3_survey_detail, name="lm3-detail"),
    path("lm3/<int:pk>/answers/new/", views_lm3.lm3_response_add, name="lm3-response-add"),
    path("lm3/<int:pk>/answers/upload/", views_lm3.lm3_responses_upload, name="lm3-upload"),
    path("lm3/answers/<int:pk>/remove/", views_lm3.lm3_response_remove, name="lm3-response-remove"),
]
