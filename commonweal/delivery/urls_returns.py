"""Delivery pages: returns (one at a time or many by CSV), their review and answers, and evidence files."""

from django.urls import URLPattern, path

from . import views_returns as views

urlpatterns: list[URLPattern] = [
    path("agreements/<int:pk>/returns/new/", views.return_submit, name="return-submit"),
    path("returns/", views.return_list, name="return-list"),
    path("returns/<int:pk>/", views.return_detail, name="return-detail"),
    path("returns/<int:pk>/edit/", views.return_edit, name="return-edit"),
    path("returns/<int:pk>/check/", views.return_check, name="return-check"),
    path("returns/<int:pk>/submitted/", views.return_confirmation, name="return-confirmation"),
    path("returns/<int:pk>/review/", views.return_review, name="return-review"),
    path("returns/<int:pk>/verify-evidenced/", views.return_verify_evidenced, name="return-verify-evidenced"),
    path("returns/bulk/", views.returns_bulk, name="returns-bulk"),
    path("returns/bulk/template.csv", views.returns_bulk_template, name="returns-bulk-template"),
    path("return-lines/<int:pk>/review/", views.return_line_review, name="return-line-review"),
    path("return-lines/<int:pk>/answer/", views.return_line_answer, name="return-line-answer"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
]
