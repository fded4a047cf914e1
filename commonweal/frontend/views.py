"""Pages that belong to no domain: the start page, the accessibility statement, cookies, and errors."""

import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from commonweal.tenancy.selectors import organisation_list_for_user

from .middleware import unavailable_response


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        organisations = list(organisation_list_for_user(user=request.user))
        if len(organisations) == 1:
            return redirect("delivery:dashboard", org=organisations[0].slug)
        return render(request, "frontend/choose_organisation.html", {"organisations": organisations})
    return render(request, "frontend/home.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/accessibility.html")


def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/cookies.html")


# The API answers every error in its one JSON shape (commonweal/api/errors.py), even when Django, not the
# API's own views, answers: a URL that matches no route (a malformed id), or a fault.
API_PATH_PREFIX = "/api/"
API_ERRORS = {
    403: "You do not have permission to perform this action.",
    404: "No such resource.",
    500: "Something went wrong on our side. Try again later.",
}


def _api_error(request: HttpRequest, status: int) -> JsonResponse | None:
    if not request.path.startswith(API_PATH_PREFIX):
        return None
    return JsonResponse({"detail": API_ERRORS[status]}, status=status)


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    api = _api_error(request, 403)
    if api is not None:
        return api
    return render(
        request,
        "frontend/error.html",
        {"status": 403, "title": "You do not have access to this page"},
        status=403,
    )


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    api = _api_error(request, 404)
    if api is not None:
        return api
    return render(request, "frontend/error.html", {"status": 404, "title": "Page not found"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # A fault reaching the database from a middleware (sessions, two-factor) never reaches a view's
    # process_exception: the database being unreachable is still a 503, not a 500.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return unavailable_response(request)
    api = _api_error(request, 500)
    if api is not None:
        return api
    # Rendered without context processors' database reads: the fault may be the database.
    from django.template import loader

    template = loader.get_template("frontend/500.html")
    return HttpResponse(template.render({"request": request}), status=500)
