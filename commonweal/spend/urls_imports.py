"""Spend pages: imports. Included at /o/<org>/spend/imports/ in the "spend" namespace."""

from django.urls import path

from . import views_imports as views

urlpatterns = [
    path("", views.import_list, name="import-list"),
    path("upload/", views.import_upload, name="import-upload"),
    path("<int:pk>/", views.import_detail, name="import-detail"),
    path("<int:pk>/columns/", views.import_mapping, name="import-mapping"),
    path("<int:pk>/retry/", views.import_retry, name="import-retry"),
    path("<int:pk>/cancel/", views.import_cancel, name="import-cancel"),
    path("<int:pk>/rejected-rows.csv", views.import_rejects_csv, name="import-rejects-csv"),
]
