"""The application's URLs, and a bare Django page (no database, no template) for the load benchmark's ceiling."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello", content_type="text/plain")


urlpatterns = [
    path("benchmark-hello/", hello, name="benchmark-hello"),
    path("", include("config.urls")),
]

handler403 = "commonweal.frontend.views.forbidden"
handler404 = "commonweal.frontend.views.not_found"
handler500 = "commonweal.frontend.views.server_error"
