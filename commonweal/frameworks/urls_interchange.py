"""Framework files: import, and a version's downloads. Included at /o/<org>/frameworks/ in the
"frameworks" namespace."""

from django.urls import path

from . import views_interchange as views

urlpatterns = [
    path("import/", views.framework_import, name="framework-import"),
    path("versions/<int:pk>/downloads/", views.version_downloads, name="version-downloads"),
    path("versions/<int:pk>/export.yaml", views.version_export_yaml, name="version-export-yaml"),
    path("versions/<int:pk>/export.json", views.version_export_json, name="version-export-json"),
    path("versions/<int:pk>/export.xlsx", views.version_export_xlsx, name="version-export-xlsx"),
    path("versions/<int:pk>/export.csv", views.version_export_csv, name="version-export-csv"),
    path("versions/<int:pk>/values.csv", views.version_export_values_csv, name="version-export-values-csv"),
]
