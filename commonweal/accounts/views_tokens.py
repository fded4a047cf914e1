"""A person's API tokens: create a named token with a scope and an expiry, see when each was last used,
revoke one. Nobody sees another person's tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from commonweal.core.errors import ApplicationError
from commonweal.core.http import SignedInRequest

from .forms_tokens import ApiTokenForm
from .selectors_tokens import api_token_list
from .services import api_token_create, api_token_revoke


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: SignedInRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    key = None
    if request.method == "POST" and form.is_valid():
        try:
            token, key = api_token_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request, f"Your token “{token.name}” has been created. Copy it now: it will not be shown again."
            )
            form = ApiTokenForm()
    context = {"form": form, "key": key, "tokens": api_token_list(user=request.user)}
    return render(request, "accounts/api_tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def api_token_revoke_view(request: SignedInRequest, pk: int) -> HttpResponse:
    try:
        token = api_token_revoke(actor=request.user, token_id=pk)
    except ApplicationError as error:  # not the person's token: as if it did not exist
        raise Http404(error.message) from error
    messages.success(request, f"Your token “{token.name}” has been revoked: it no longer works.")
    return redirect("accounts:api-tokens")
