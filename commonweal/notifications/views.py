"""A person's notifications: their own list (newest first, unread marked), marking read, their choices of
email, and the unsubscribe link from an email. Nobody sees another person's notifications: every read is
filtered to the signed-in person, and another person's notification is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonweal.core.errors import ApplicationError
from commonweal.core.http import SignedInRequest
from commonweal.frontend.pages import form_page

from . import links, selectors, services
from .forms import PreferencesForm
from .kinds import Kind

PER_PAGE = 25


@login_required
@require_GET
def notification_list(request: SignedInRequest) -> HttpResponse:
    page = Paginator(selectors.notification_list(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "unread": selectors.unread_count(user=request.user)}
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notification_read(request: SignedInRequest, pk: int) -> HttpResponse:
    """Mark one read; with `open`, go on to the page it is about."""
    try:
        notification = services.notification_read(actor=request.user, notification_id=pk)
    except ApplicationError as error:  # not the person's own: as if it did not exist
        raise Http404(error.message) from error
    if request.POST.get("open") and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    messages.success(request, f"Marked as read: {notification.title}")
    return redirect("notifications:list")


@login_required
@require_POST
def notifications_read_all(request: SignedInRequest) -> HttpResponse:
    count = services.notifications_read_all(actor=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: SignedInRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, initial_choices=selectors.preferences_get(user=request.user))
    return form_page(
        request,
        form,
        save=lambda: services.preferences_set(actor=request.user, choices=form.cleaned_data),
        message="Your choices are saved.",
        success_url=links.preferences_path(),
        template="notifications/preferences.html",
        context={},
    )


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link at the foot of an optional email: a GET asks, a POST turns that kind of email off."""
    found = links.unsubscribe_read(token)
    kind = Kind(found[1]) if found and found[1] in Kind.values else None
    error = None if kind else "This link does not work. Sign in to choose which emails you get."
    done = False
    if request.method == "POST" and kind:
        try:
            services.unsubscribe(token=token)
        except ApplicationError as refusal:
            error = refusal.message
        else:
            done = True
    context = {"kind": kind, "error": error, "done": done}
    return render(request, "notifications/unsubscribe.html", context, status=400 if error else 200)
