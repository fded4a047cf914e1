"""Spend pages: LM3 surveys and their answers. Included at /o/<org>/spend/lm3/ in the "spend" namespace."""

from django.urls import path

from . import views_lm3 as views

urlpatterns = [
    path("", views.lm3_survey_list, name="lm3-list"),
    path("new/", views.lm3_survey_create, name="lm3-create"),
    path("<int:pk>/", views.lm3_survey_detail, name="lm3-detail"),
    path("<int:pk>/answers/new/", views.lm3_response_add, name="lm3-response-add"),
    path("<int:pk>/answers/upload/", views.lm3_responses_upload, name="lm3-upload"),
    path("answers/<int:pk>/remove/", views.lm3_response_remove, name="lm3-response-remove"),
]
