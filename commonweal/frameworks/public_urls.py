"""Public pages of frameworks (no sign-in): the plan on a page, once an organisation publishes it."""

from django.urls import URLPattern

app_name = "plans"
urlpatterns: list[URLPattern] = []
