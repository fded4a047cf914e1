"""Two-factor sign-in, held for every request: someone signed in with a password but not yet with a code
reaches only the pages that finish signing in (or sign out). Nothing else is open to them, so a new page
cannot forget the rule. The API answers such a session with a JSON 403; API tokens are created from a
session that has finished signing in, so a request with a token is not held here."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import has_two_factor, two_factor_enforced_for

OPEN_WHILE_SIGNING_IN = frozenset(
    {"accounts:sign-out", "accounts:two-factor-verify", "accounts:two-factor-set-up", "accounts:sign-in"}
)
API_PATH_PREFIX = "/api/"
FINISH_SIGNING_IN = "Finish signing in with your security code before using the API from the browser."


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        user: Any = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_WHILE_SIGNING_IN:
            return None
        if has_two_factor(user):
            target = "accounts:two-factor-verify"
        elif two_factor_enforced_for(user):
            target = "accounts:two-factor-set-up"
        else:
            return None
        if request.path.startswith(API_PATH_PREFIX):
            return JsonResponse({"detail": FINISH_SIGNING_IN}, status=403)
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse(target) + (f"?{query}" if query else ""))
