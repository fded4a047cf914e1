"""The buyer's side of clarification questions, under /o/<org>/procurements/."""

from django.urls import path

from . import views_clarifications

urlpatterns = [
    path("<int:pk>/clarifications/", views_clarifications.clarification_list, name="clarification-list"),
    path("clarifications/<int:pk>/answer/", views_clarifications.clarification_answer, name="clarification-answer"),
]
