from django.urls import include, path

from . import views, views_returns

app_name = "delivery"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/returns/new/", views_returns.return_submit, name="return-submit"),
    path("returns/<int:pk>/", views_returns.return_detail, name="return-detail"),
    path("returns/<int:pk>/edit/", views_returns.return_edit, name="return-edit"),
    path("returns/bulk/", views_returns.returns_bulk, name="returns-bulk"),
    path("returns/bulk/template.csv", views_returns.returns_bulk_template, name="returns-bulk-template"),
    path("return-lines/<int:pk>/review/", views_returns.return_line_review, name="return-line-review"),
    path("return-lines/<int:pk>/answer/", views_returns.return_line_answer, name="return-line-answer"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("commitments.csv", views.commitment_export_csv, name="commitment-export"),
    # Agreements, commitments and substitutions; status, follow-up and reports.
    path("", include("commonweal.delivery.urls_agreements")),
    path("", include("commonweal.delivery.urls_status")),
]
