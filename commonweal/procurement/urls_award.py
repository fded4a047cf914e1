"""The award, assessment summaries and the evaluation report, under /o/<org>/procurements/."""

from django.urls import path

from . import views_award

urlpatterns = [
    path("<int:pk>/award/", views_award.award, name="award"),
    path("<int:pk>/report/", views_award.evaluation_report, name="evaluation-report"),
    path("<int:pk>/report.pdf", views_award.evaluation_report_pdf, name="evaluation-report-pdf"),
    path("bids/<int:pk>/summary/", views_award.assessment_summary, name="assessment-summary"),
    path("bids/<int:pk>/summary.pdf", views_award.assessment_summary_pdf, name="assessment-summary-pdf"),
]
