"""Two-factor sign-in: setting up an authenticator app, entering a code after the password, and, for an
organisation's lead, who in the organisation has not set it up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import default_key

from commonweal.core.errors import ApplicationError
from commonweal.core.http import SignedInRequest
from commonweal.tenancy.permissions import Permission, member_require

from .forms_two_factor import SecurityCodeForm, SetUpCodeForm
from .selectors_two_factor import (
    authenticator_set_up_for,
    members_two_factor,
    recovery_codes_left,
    two_factor_required_here,
)
from .services_two_factor import two_factor_check, two_factor_set_up
from .two_factor import has_two_factor, two_factor_enforced_for

SET_UP_KEY = "two_factor_set_up_key"  # the key being set up, kept in the session until it is confirmed


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_set_up_view(request: SignedInRequest) -> HttpResponse:
    user = request.user
    if has_two_factor(user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:two-factor-verify")
    key = request.session.get(SET_UP_KEY)
    if not key:
        key = request.session[SET_UP_KEY] = default_key()
    form = SetUpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor_set_up(actor=user, key=key, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            del request.session[SET_UP_KEY]
            otp_login(request, user.totpdevice_set.get())  # type: ignore[attr-defined]
            return render(
                request, "accounts/two_factor_recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
    context = {
        "form": form,
        "set_up": authenticator_set_up_for(user=user, key=key),
        "required": two_factor_enforced_for(user),
        "already": has_two_factor(user),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_set_up.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: SignedInRequest) -> HttpResponse:
    user = request.user
    if not has_two_factor(user):
        return redirect("accounts:two-factor-set-up")
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor_check(actor=user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            otp_login(request, device)
            left = recovery_codes_left(user=user)
            if isinstance(device, StaticDevice):
                messages.warning(request, f"You used a recovery code. You have {left} left.")
            return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/two_factor_verify.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def members_two_factor_view(request: SignedInRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.REVIEW_MEMBERS)
    rows = members_two_factor(member=member)
    context = {
        "member": member,
        "organisation": member.organisation,
        "rows": rows,
        "missing": sum(1 for row in rows if not row.has_two_factor),
        "required": two_factor_required_here(member=member),
    }
    return render(request, "accounts/members_two_factor.html", context)
