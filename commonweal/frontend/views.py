"""Pages that belong to no domain: the start page, the accessibility statement, cookies, and errors."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from commonweal.tenancy.selectors import organisation_list_for_user


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


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render(
        request,
        "frontend/error.html",
        {"status": 403, "title": "You do not have access to this page"},
        status=403,
    )


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render(request, "frontend/error.html", {"status": 404, "title": "Page not found"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors' database reads: the fault may be the database.
    from django.template import loader

    template = loader.get_template("frontend/500.html")
    return HttpResponse(template.render({"request": request}), status=500)
