"""Delivery pages: the dashboard, overdue returns, performance ratings, reports and exports."""

from django.urls import path

from . import views_status

urlpatterns = [
    path("", views_status.dashboard, name="dashboard"),
    path("commitments.csv", views_status.commitment_export_csv, name="commitment-export"),
    path("overdue-returns/", views_status.overdue_returns, name="overdue-returns"),
    path("commitments/", views_status.commitment_overview, name="commitment-overview"),
    path("delivery-report.csv", views_status.report_csv, name="delivery-report-csv"),
    path("agreements/<int:pk>/rating/", views_status.agreement_rating, name="agreement-rating"),
    path("agreements/<int:pk>/report/", views_status.agreement_report, name="agreement-report"),
    path("agreements/<int:pk>/report.pdf", views_status.agreement_report_pdf, name="agreement-report-pdf"),
]
