"""Every list the API answers comes a page at a time: `?limit=` (default 100, at most 500) and `?offset=`.

The body stays the list itself, so clients that read a short list need no change; the total is in the
`X-Total-Count` header and the neighbouring pages in the `Link` header (RFC 8288, `rel="next"` and
`rel="prev"`), as GitHub's API does."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

LIST_PAGE_SIZE = 100
LIST_PAGE_SIZE_MAX = 500


class ListPagination(LimitOffsetPagination):
    default_limit = LIST_PAGE_SIZE
    max_limit = LIST_PAGE_SIZE_MAX


def list_response(
    request: Request,
    items: QuerySet[Any] | Sequence[Any],
    serializer_class: type[BaseSerializer[Any]],
    *,
    context: dict[str, Any] | None = None,
) -> Response:
    """One page of `items`, serialised, with its total and links to the pages either side."""
    paginator = ListPagination()
    page = paginator.paginate_queryset(items, request) or []  # type: ignore[arg-type]
    return paged_response(paginator, serializer_class(page, many=True, context=context or {}).data)


def paged_response(paginator: ListPagination, data: Any) -> Response:
    """`data` (the page `paginator` cut) with the total and the links to the pages either side."""
    response = Response(data)
    response["X-Total-Count"] = str(paginator.count)
    links = [
        f'<{url}>; rel="{rel}"'
        for url, rel in ((paginator.get_next_link(), "next"), (paginator.get_previous_link(), "prev"))
        if url
    ]
    if links:
        response["Link"] = ", ".join(links)
    return response


LIST_PARAMETERS = [
    OpenApiParameter(
        "limit",
        OpenApiTypes.INT,
        description=f"How many to answer (default {LIST_PAGE_SIZE}, at most {LIST_PAGE_SIZE_MAX}).",
    ),
    OpenApiParameter("offset", OpenApiTypes.INT, description="How many to skip first (default 0)."),
    OpenApiParameter(
        "X-Total-Count",
        OpenApiTypes.INT,
        location=OpenApiParameter.HEADER,
        response=[200],
        description="How many there are in all.",
    ),
    OpenApiParameter(
        "Link",
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=[200],
        description='The next and previous pages, as <URL>; rel="next", <URL>; rel="prev".',
    ),
]
