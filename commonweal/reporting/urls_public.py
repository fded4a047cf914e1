"""The public hub's pages for the social value lead, under /o/<org>/hub/."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("hub/", views_public.hub_admin, name="hub-admin"),
    path("hub/pages/new/", views_public.page_create, name="hub-page-create"),
    path("hub/pages/<int:pk>/edit/", views_public.page_edit, name="hub-page-edit"),
    path("hub/pages/<int:pk>/remove/", views_public.page_remove, name="hub-page-remove"),
    path("hub/stories/new/", views_public.story_create, name="hub-story-create"),
    path("hub/stories/<int:pk>/take-down/", views_public.story_take_down, name="hub-story-take-down"),
]
