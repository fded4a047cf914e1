"""Lists that scale: filters (django-filter), a sort order and pages, all carried in the query string, so a
list works without JavaScript and a filtered, sorted page can be bookmarked or shared.

A list page builds its `FilterSet` (fields that matter for that list, and a `sort` ordering filter) over
the member's own queryset, and renders `frontend/_filter_panel.html` beside its table and
`govuk/pagination.html` below it."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import django_filters
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from .forms import GovukForm

PER_PAGE = 25


class ListFilters(django_filters.FilterSet):
    """A list's filters, drawn as a GOV.UK form. Subclasses declare their filters and `sort`."""

    class Meta:
        form = GovukForm
        fields: list[str] = []


def search_filter(label: str, *lookups: str) -> django_filters.CharFilter:
    """One search box matching any of `lookups` (each an `icontains` on a field path)."""

    def search(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        from django.db.models import Q

        words = value.split()
        for word in words:
            match = Q()
            for lookup in lookups:
                match |= Q(**{f"{lookup}__icontains": word})
            queryset = queryset.filter(match)
        return queryset.distinct() if any("__" in lookup for lookup in lookups) else queryset

    return django_filters.CharFilter(label=label, method=search)


def sort_filter(choices: list[tuple[str, str]], *, default: str) -> django_filters.OrderingFilter:
    """The list's sort order: (field path with "-" for descending, label) pairs; `default` when none chosen."""
    fields = {key.lstrip("-"): key.lstrip("-") for key, _ in choices}

    class Sort(django_filters.OrderingFilter):
        def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
            chosen = [key for key in (value or []) if key in dict(choices)] or [default]
            return qs.order_by(*chosen, "pk")

    return Sort(
        label="Sort by",
        fields=fields,
        choices=choices,
        empty_label=None,
        null_label=None,
    )


@dataclass(frozen=True)
class Listing:
    filters: ListFilters
    page: Page
    query_string: str  # the filters and the sort, without the page number, for the pagination links
    is_filtered: bool
    clear_query: str  # the query string that clears every filter (defaults included)

    @property
    def count(self) -> int:
        return self.page.paginator.count


def listing(
    request: HttpRequest,
    filters_class: type[ListFilters],
    queryset: QuerySet[Any],
    *,
    per_page: int = PER_PAGE,
    defaults: dict[str, str] | None = None,
    **options: Any,
) -> Listing:
    """The page of `queryset` that `request`'s query string asks for, filtered and sorted. `defaults` apply
    to filters the query string does not mention (an empty value is a choice: "any"); `options` go to the
    filters (the member, say, for choices drawn from their own organisation)."""
    data = request.GET.copy()
    data.pop("page", None)
    for name, value in (defaults or {}).items():
        data.setdefault(name, value)
    filters = filters_class(data, queryset=queryset, **options)
    objects = filters.qs
    if not objects.query.order_by:
        objects = objects.order_by("pk")
    page = Paginator(objects, per_page).get_page(request.GET.get("page"))
    chosen = {key for key, value in data.lists() if any(v.strip() for v in value) and key != "sort"}
    cleared = urlencode({name: "" for name in defaults or {}})
    return Listing(
        filters=filters, page=page, query_string=data.urlencode(), is_filtered=bool(chosen), clear_query=cleared
    )
