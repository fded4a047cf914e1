"""The evaluation simulator, at /o/<org>/evaluation/simulate/."""

from django.urls import path

from . import views_simulate

urlpatterns = [
    path("", views_simulate.simulate, name="simulate"),
]
