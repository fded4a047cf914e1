"""Public pages of frameworks (no sign-in): the plan on a page, once an organisation publishes it."""

from django.urls import path

from . import views_priorities as views

app_name = "plans"
urlpatterns = [
    path("<slug:org>/", views.plan_public, name="plan"),
    path("<slug:org>.pdf", views.plan_public_pdf, name="plan-pdf"),
]
