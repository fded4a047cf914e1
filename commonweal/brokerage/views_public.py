"""The public wish list of a council, network or local infrastructure body, and its need pages: no sign-in,
filters by theme, place, kind and size in a plain GET form, and nothing that has not been published."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from commonweal.reporting.models import NeedKind

from . import selectors_needs as selectors
from .rules import SIZE_BANDS, place_text


@require_GET
def wish_list(request: HttpRequest, org: str) -> HttpResponse:
    host = selectors.public_host_get(slug=org)
    filters = selectors.WishListFilters.from_query(request.GET)
    needs, place_message = selectors.public_need_list(host=host, filters=filters)
    return render(
        request,
        "brokerage/public_list.html",
        {
            "host": host,
            "filters": filters,
            "needs": [(need, place_text(need.place_code)) for need in needs],
            "place_message": place_message,
            "themes": selectors.theme_choice_list(host=host),
            "kinds": NeedKind.choices,
            "sizes": [(key, label) for key, label, _, _ in SIZE_BANDS],
            "filtered": any([filters.theme, filters.place, filters.kind, filters.size]),
        },
    )


@require_GET
def need_page(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    host = selectors.public_host_get(slug=org)
    need = selectors.public_need_get(host=host, pk=pk)
    return render(
        request,
        "brokerage/public_need.html",
        {
            "host": host,
            "need": need,
            "place": place_text(need.place_code),
            "remaining": need.remaining_quantity(),
            # The signed-in person's suppliers, to pledge from (the pledge page checks the role again).
            "pledgers": selectors.pledger_list(user=request.user),
        },
    )
