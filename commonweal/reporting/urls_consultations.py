"""Consultations for the social value lead, under /o/<org>/consultations/."""

from django.urls import path

from . import views_consultations as views

urlpatterns = [
    path("consultations/", views.consultation_list, name="consultation-list"),
    path("consultations/new/", views.consultation_create, name="consultation-create"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation-detail"),
    path("consultations/<int:pk>/open/", views.consultation_open, name="consultation-open"),
    path("consultations/<int:pk>/paper/", views.consultation_paper, name="consultation-paper"),
    path("consultations/<int:pk>/you-said-we-did/", views.consultation_you_said, name="consultation-you-said"),
]
