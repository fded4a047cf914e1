"""360Giving routes under /o/<org>/grants/ (namespace `delivery`): the import page and the download."""

from django.urls import URLPattern, path

from . import views_grants as views

urlpatterns: list[URLPattern] = [
    path("grants/import/", views.grants_import_page, name="grants-import"),
    path("grants/360giving.json", views.grants_export_download, name="grants-export"),
]
