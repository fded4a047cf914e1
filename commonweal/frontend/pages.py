"""The one shape of a page that changes something: show a form, call a service, say so, move on.

A view finds the member (with the permission it needs) and the object, builds the form, and hands the
rest to `form_page`: on a valid POST it calls `save`; a service's `ApplicationError` goes back on the
form; success flashes a message and redirects. A GET, or a POST with errors, renders the template.
"""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from commonweal.core.errors import ApplicationError

from .forms import GovukForm

T = TypeVar("T")


def form_page(
    request: HttpRequest,
    form: GovukForm,
    *,
    save: Callable[[], T],
    message: str | Callable[[T], str],
    success_url: str | Callable[[T], str],
    template: str,
    context: Mapping[str, Any],
) -> HttpResponse:
    """Render `template` with `form`, or on a valid POST call `save` and redirect to `success_url`.

    `save` calls one service with the form's cleaned data and returns what it made (or None);
    `message` and `success_url` may be functions of that result.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save()
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, message(result) if callable(message) else message)
            return HttpResponseRedirect(success_url(result) if callable(success_url) else success_url)
    return render(request, template, {**context, "form": form})
