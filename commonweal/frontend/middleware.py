"""When the database cannot be reached, pages answer the service's own "unavailable" page and the API
answers JSON, both 503 with Retry-After, instead of a bare 500."""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"
UNAVAILABLE = "The service is unavailable: its database cannot be reached. Try again later."


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 answer: rendered without the database (no user, no session, no context processors)."""
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        response = HttpResponse(render_to_string("frontend/503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost or refused database connection (or a locked SQLite file) into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable answering %s %s: %s", request.method, request.path, exception)
        return unavailable_response(request)
