"""Spend pages: the supplier registry, classification, the spend policy, the Living Wage list and flags."""

from django.urls import path

from . import views_suppliers as views

urlpatterns = [
    path("", views.supplier_list, name="supplier-list"),
    path("classify/", views.supplier_classify, name="supplier-classify"),
    path("<int:pk>/", views.supplier_detail, name="supplier-detail"),
    path("<int:pk>/override/", views.supplier_override, name="supplier-override"),
    path("<int:pk>/override/remove/", views.supplier_override_remove, name="supplier-override-remove"),
    path("policy/", views.policy, name="policy"),
    path("living-wage/", views.living_wage, name="living-wage"),
    path("flags/", views.flags, name="flags"),
    path("classification-sheet/", views.classification_sheet, name="supplier-classify-file"),
    path("classification-sheet/template.csv", views.classification_sheet_template, name="supplier-classify-template"),
]
