"""The organisation's history page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from commonweal.core.http import SignedInRequest
from commonweal.frontend.listing import listing
from commonweal.tenancy.permissions import Permission, member_require

from .forms_history import HistoryFilters
from .selectors_history import organisation_history


@login_required
@require_safe
def history_view(request: SignedInRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.REVIEW_MEMBERS)
    events = listing(request, HistoryFilters, organisation_history(member=member), per_page=50, member=member)
    return render(request, "accounts/history.html", {"member": member, "listing": events})
