"""URL wiring: pages, the API under /api/v1/, and the styled error handlers."""

from django.urls import include, path

urlpatterns = [
    path("", include("commonweal.frontend.urls")),
    path("account/", include("commonweal.accounts.urls")),
    path("notifications/", include("commonweal.notifications.urls")),
    path("o/<slug:org>/", include("commonweal.delivery.urls")),
    path("o/<slug:org>/", include("commonweal.frameworks.urls")),
    path("o/<slug:org>/", include("commonweal.procurement.urls")),
    path("o/<slug:org>/", include("commonweal.reporting.urls")),
    path("o/<slug:org>/", include("commonweal.accounts.urls_members")),
    path("o/<slug:org>/spend/", include("commonweal.spend.urls")),
    path("o/<slug:org>/", include("commonweal.networks.urls")),
    path("o/<slug:org>/", include("commonweal.brokerage.urls")),
    path("plan/", include("commonweal.frameworks.public_urls")),
    path("public/", include("commonweal.reporting.public_urls")),
    path("networks/", include("commonweal.networks.public_urls")),
    path("wish-list/", include("commonweal.brokerage.public_urls")),
    path("api/v1/", include("commonweal.api.urls")),
]

handler403 = "commonweal.frontend.views.forbidden"
handler404 = "commonweal.frontend.views.not_found"
handler500 = "commonweal.frontend.views.server_error"
