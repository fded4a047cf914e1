"""Procurement pages under /o/<org>/: the buyer's procurements and the suppliers' opportunities."""

from django.urls import include, path

app_name = "procurement"
urlpatterns = [
    path("procurements/", include("commonweal.procurement.urls_planning")),
    path("procurements/", include("commonweal.procurement.urls_clarifications")),
    path("procurements/", include("commonweal.procurement.urls_evaluation")),
    path("procurements/", include("commonweal.procurement.urls_award")),
    path("procurements/", include("commonweal.procurement.urls_opendata")),
    path("evaluation/simulate/", include("commonweal.procurement.urls_simulate")),
    path("opportunities/", include("commonweal.procurement.urls_bidding")),
]
