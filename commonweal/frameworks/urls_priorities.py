"""Priorities, the proportionality policy, the proposed ask and publishing the plan: /o/<org>/priorities/."""

from django.urls import path

from . import views_priorities as views

urlpatterns = [
    path("", views.priorities, name="priorities"),
    path("frameworks/<int:pk>/weights/", views.priority_weights, name="priority-weights"),
    path("focus-areas/", views.focus_areas, name="focus-areas"),
    path("focus-areas/<int:pk>/remove/", views.focus_area_remove, name="focus-area-remove"),
    path("groups/", views.priority_groups, name="priority-groups"),
    path("groups/<int:pk>/remove/", views.priority_group_remove, name="priority-group-remove"),
    path("policy/", views.policy, name="policy"),
    path("policy/load-default/", views.policy_load, name="policy-load"),
    path("policy/bands/<int:pk>/", views.band_edit, name="band-edit"),
    path("ask/", views.ask, name="ask"),
    path("plan/", views.plan_publication, name="plan-publication"),
]
