"""Panels (VCSE forums, poverty truth commissions) for the social value lead, under /o/<org>/panels/."""

from django.urls import path

from . import views_panels as views

urlpatterns = [
    path("panels/", views.panel_list, name="panel-list"),
    path("panels/new/", views.panel_create, name="panel-create"),
    path("panels/<int:pk>/", views.panel_detail, name="panel-detail"),
    path("panels/meetings/<int:pk>/", views.meeting_detail, name="panel-meeting"),
    path("panels/needs/<int:pk>/", views.need_state, name="panel-need"),
]
