"""Delivery pages: agreements, their commitments (on a page or from a file) and substitutions."""

from django.urls import URLPattern, path

from . import views_agreements as views

urlpatterns: list[URLPattern] = [
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/new/", views.agreement_create, name="agreement-create"),
    path("agreements/<int:pk>/edit/", views.agreement_update, name="agreement-update"),
    path("agreements/<int:pk>/called-off/", views.agreement_called_off, name="agreement-called-off"),
    path("agreements/<int:pk>/commitments/", views.commitment_list, name="commitment-list"),
    path("agreements/<int:pk>/commitments/new/", views.commitment_create, name="commitment-create"),
    path("agreements/<int:pk>/commitments/import/", views.commitment_import, name="commitment-import"),
    path("commitments/<int:pk>/edit/", views.commitment_update, name="commitment-update"),
    path("commitments/<int:pk>/remove/", views.commitment_remove, name="commitment-remove"),
    path("commitments-template.csv", views.commitment_import_template, name="commitment-import-template"),
    path("agreements/<int:pk>/substitutions/new/", views.substitution_propose, name="substitution-propose"),
    path("substitutions/<int:pk>/", views.substitution_detail, name="substitution-detail"),
]
