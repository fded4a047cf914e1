"""The public network pages, under /networks/<network>/ (anyone, once the network has published a report)."""

from django.urls import path

from . import views_public as views

app_name = "network-public"
urlpatterns = [
    path("<slug:org>/", views.network_page, name="page"),
    path("<slug:org>/reports/<int:pk>/", views.report_page, name="report"),
    path("<slug:org>/reports/<int:pk>/report.pdf", views.report_pdf, name="report-pdf"),
    path("<slug:org>/reports/<int:pk>/figures.csv", views.report_csv, name="report-csv"),
    path("<slug:org>/reports/<int:pk>/report.json", views.report_json, name="report-json"),
]
