"""Value set pages, under /o/<org>/value-sets/ (namespace “frameworks”)."""

from django.urls import path

from . import views_value_sets as views

urlpatterns = [
    path("", views.value_set_list, name="value-set-list"),
    path("new/", views.value_set_create, name="value-set-create"),
    path("<int:pk>/", views.value_set_detail, name="value-set-detail"),
    path("<int:pk>/edit/", views.value_set_update, name="value-set-update"),
    path("<int:pk>/values/new/", views.value_set_entry_add, name="value-set-entry-add"),
    path("values/<int:pk>/edit/", views.value_set_entry_edit, name="value-set-entry-edit"),
    path("values/<int:pk>/remove/", views.value_set_entry_remove, name="value-set-entry-remove"),
    path("deflators/", views.deflator_list, name="deflator-list"),
    path("deflators/new/", views.deflator_create, name="deflator-create"),
    path("deflators/<int:pk>/", views.deflator_detail, name="deflator-detail"),
    path("deflators/<int:pk>/index/", views.deflator_points, name="deflator-points"),
    path("calculator/", views.valuation_calculator, name="valuation-calculator"),
]
