"""The annual impact report's pages, under /o/<org>/reports/."""

from django.urls import path

from . import views_report

urlpatterns = [
    path("reports/", views_report.report_list, name="report-list"),
    path("reports/new/", views_report.report_create, name="report-create"),
    path("reports/<int:pk>/", views_report.report_detail, name="report-detail"),
    path("reports/<int:pk>/edit/", views_report.report_edit, name="report-edit"),
    path("reports/<int:pk>/sections/add/", views_report.section_add, name="report-section-add"),
    path("reports/<int:pk>/case-studies/", views_report.report_case_studies, name="report-case-studies"),
    path("reports/<int:pk>/preview/", views_report.report_preview, name="report-preview"),
    path("reports/<int:pk>/preview.pdf", views_report.report_preview_pdf, name="report-preview-pdf"),
    path("reports/<int:pk>/submit/", views_report.report_submit, name="report-submit"),
    path("reports/<int:pk>/sign-off/", views_report.report_sign_off, name="report-sign-off"),
    path("reports/<int:pk>/return-to-draft/", views_report.report_return_to_draft, name="report-return"),
    path("reports/<int:pk>/publish/", views_report.report_publish, name="report-publish"),
    path("reports/sections/<int:pk>/edit/", views_report.section_edit, name="report-section-edit"),
    path("reports/sections/<int:pk>/remove/", views_report.section_remove, name="report-section-remove"),
    path("reports/sections/<int:pk>/move/", views_report.section_move, name="report-section-move"),
    path("reports/versions/<int:pk>/", views_report.version_detail, name="version-detail"),
    path("reports/versions/<int:pk>/report.pdf", views_report.version_pdf, name="version-pdf"),
    path("reports/versions/<int:pk>/figures.csv", views_report.version_csv, name="version-csv"),
    path("reports/versions/<int:pk>/figures.xlsx", views_report.version_xlsx, name="version-xlsx"),
    path("reports/versions/<int:pk>/report.json", views_report.version_json, name="version-json"),
]
