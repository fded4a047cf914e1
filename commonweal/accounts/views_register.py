"""Supplier registration: an organisation and its first person register together to bid."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from commonweal.core.errors import ApplicationError

from .forms_register import RegisterForm
from .services_register import supplier_register


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("frontend:home")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, organisation = supplier_register(**form.service_arguments())  # type: ignore[arg-type]
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, f"{organisation.name} is registered and you are signed in. Find an opportunity to bid for."
            )
            return redirect("procurement:opportunity-list", org=organisation.slug)
    return render(request, "accounts/register.html", {"form": form})
