"""Networks: the member's pages under /o/<org>/networks/ and the coordinator's under /o/<network>/network/."""

from django.urls import path

from . import views_dashboard as coordinator
from . import views_membership as membership

app_name = "networks"
urlpatterns = [
    path("networks/", membership.network_list, name="member-list"),
    path("networks/<int:pk>/", membership.membership_detail, name="membership-detail"),
    path("networks/<int:pk>/answer/", membership.membership_answer, name="membership-answer"),
    path("networks/<int:pk>/sharing/", membership.membership_sharing, name="membership-sharing"),
    path("networks/<int:pk>/submit/", membership.figure_submit, name="figure-submit"),
    path("networks/<int:pk>/pledge/", membership.pledge_set, name="pledge-set"),
    path("networks/programmes/<int:pk>/", membership.participant_record, name="participant-record"),
    path("network/", coordinator.dashboard, name="dashboard"),
    path("network/invite/", coordinator.member_invite, name="member-invite"),
    path("network/metrics/new/", coordinator.metric_create, name="metric-create"),
    path("network/metrics/<int:pk>/", coordinator.metric_detail, name="metric-detail"),
    path("network/programmes/new/", coordinator.programme_create, name="programme-create"),
    path("network/reports/", coordinator.report_list, name="report-list"),
    path("network/reports/<int:pk>/", coordinator.report_detail, name="report-detail"),
    path("network/reports/<int:pk>/report.pdf", coordinator.report_pdf, name="report-pdf"),
    path("network/reports/<int:pk>/figures.csv", coordinator.report_csv, name="report-csv"),
    path("network/reports/<int:pk>/figures.xlsx", coordinator.report_xlsx, name="report-xlsx"),
    path("network/reports/<int:pk>/report.json", coordinator.report_json, name="report-json"),
]
