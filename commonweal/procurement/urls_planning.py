"""Planning pages, under /o/<org>/procurements/ (namespace `procurement`)."""

from django.urls import URLPattern, path

from . import views_planning as views

urlpatterns: list[URLPattern] = [
    path("", views.procurement_list, name="procurement-list"),
    path("new/", views.procurement_create, name="procurement-create"),
    path("<int:pk>/", views.procurement_detail, name="procurement-detail"),
    path("<int:pk>/edit/", views.procurement_edit, name="procurement-edit"),
    path("<int:pk>/ask/", views.procurement_ask, name="procurement-ask"),
    path("<int:pk>/lots/new/", views.lot_add, name="procurement-lot-add"),
    path("lots/<int:pk>/edit/", views.lot_edit, name="procurement-lot-edit"),
    path("lots/<int:pk>/remove/", views.lot_remove, name="procurement-lot-remove"),
    path("<int:pk>/impact/new/", views.impact_add, name="procurement-impact-add"),
    path("impact/<int:pk>/edit/", views.impact_edit, name="procurement-impact-edit"),
    path("impact/<int:pk>/remove/", views.impact_remove, name="procurement-impact-remove"),
    path("<int:pk>/criteria/new/", views.criterion_add, name="procurement-criterion-add"),
    path("criteria/<int:pk>/edit/", views.criterion_edit, name="procurement-criterion-edit"),
    path("criteria/<int:pk>/remove/", views.criterion_remove, name="procurement-criterion-remove"),
    path("<int:pk>/publish/", views.procurement_publish, name="procurement-publish"),
    path("<int:pk>/cancel/", views.procurement_cancel, name="procurement-cancel"),
    path("scales/", views.scale_list, name="procurement-scale-list"),
    path("scales/new/", views.scale_create, name="procurement-scale-create"),
    path("scales/<int:pk>/", views.scale_detail, name="procurement-scale-detail"),
]
