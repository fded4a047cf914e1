"""Open data routes under /o/<org>/procurements/ (namespace `procurement`)."""

from django.urls import URLPattern, path

from . import views_opendata as views

urlpatterns: list[URLPattern] = [
    path("import/", views.ocds_import_page, name="ocds-import"),
    path("<int:pk>/ocds.json", views.ocds_export_download, name="ocds-export"),
]
