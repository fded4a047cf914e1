from django.urls import include, path

from . import views

app_name = "delivery"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/returns/new/", views.return_submit, name="return-submit"),
    path("return-lines/<int:pk>/review/", views.return_line_review, name="return-line-review"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("commitments.csv", views.commitment_export_csv, name="commitment-export"),
    # Agreements, commitments and substitutions; status, follow-up and reports.
    path("", include("commonweal.delivery.urls_agreements")),
    path("", include("commonweal.delivery.urls_status")),
]
