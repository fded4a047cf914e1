"""Place suggestions for the place fields: ward and district names are open data, so anyone may ask."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from commonweal.spend.places import place_search


@require_GET
def place_suggestions(request: HttpRequest) -> JsonResponse:
    """?q=altr → {"places": [{"code": "E05015239", "name": "Altrincham, Trafford"}]}, ten at most."""
    found = place_search(request.GET.get("q", "")[:100])
    return JsonResponse({"places": [{"code": code, "name": name} for code, name in found]})
