"""Every list the API answers comes a page at a time, filtered and ordered the same way everywhere.

Paging: `?limit=` (default 100, at most 500) and `?offset=`, or `?page=` (from 1) and `?page_size=` (the
same bounds). The body stays the list itself, so clients that read a short list need no change; the total
is in the `X-Total-Count` header and the neighbouring pages in the `Link` header (RFC 8288, `rel="next"`
and `rel="prev"`), as GitHub's API does. Links keep the style the request used.

Filtering and ordering: every plain field of a list's items (text, number, date, yes/no; not nested
objects or lists) is a filter, `?state=draft`, and a key for `?ordering=title` or `?ordering=-created_at`
(several, comma-separated). A field the database holds is filtered by django-filter and ordered by the
database; a field worked out in Python is filtered and ordered in Python. `list_fields` says which fields
a serializer offers, and the schema (`schema.ListAutoSchema`) documents the same ones, so an endpoint that
answers with `list_response` gets all of this without declaring anything."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination, _positive_int
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.utils.urls import remove_query_param, replace_query_param

LIST_PAGE_SIZE = 100
LIST_PAGE_SIZE_MAX = 500
# Far past any list's end; keeps the offset a 64-bit integer whatever page is asked for.
LIST_PAGE_MAX = 2**31
ORDERING = "ordering"
PAGING_NAMES = frozenset({"limit", "offset", "page", "page_size", ORDERING, "format"})
INTEGER_BOUNDS = {"minimum": -(2**63), "maximum": 2**63 - 1}


class ListPagination(LimitOffsetPagination):
    default_limit = LIST_PAGE_SIZE
    max_limit = LIST_PAGE_SIZE_MAX
    page_query_param = "page"
    page_size_query_param = "page_size"

    def _page_style(self, request: Request) -> bool:
        params = request.query_params
        return (
            self.limit_query_param not in params
            and self.offset_query_param not in params
            and (self.page_query_param in params or self.page_size_query_param in params)
        )

    def get_limit(self, request: Request) -> int | None:
        if self.limit_query_param not in request.query_params and self.page_size_query_param in request.query_params:
            try:
                return _positive_int(
                    request.query_params[self.page_size_query_param], strict=True, cutoff=self.max_limit
                )
            except (KeyError, ValueError):
                return self.default_limit
        return super().get_limit(request)

    def get_offset(self, request: Request) -> int:
        if self.offset_query_param not in request.query_params and self.page_query_param in request.query_params:
            try:
                page = _positive_int(request.query_params[self.page_query_param], strict=True, cutoff=LIST_PAGE_MAX)
            except (KeyError, ValueError):
                page = 1
            return (page - 1) * (self.get_limit(request) or self.default_limit)
        return min(super().get_offset(request), LIST_PAGE_MAX * LIST_PAGE_SIZE_MAX)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self.page_style = self._page_style(request)
        return super().paginate_queryset(queryset, request, view)

    def _page_link(self, number: int) -> str:
        assert self.request is not None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.page_size_query_param, self.limit)
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_next_link(self) -> str | None:
        if not getattr(self, "page_style", False):
            return super().get_next_link()
        offset, limit, count = self.offset or 0, self.limit or LIST_PAGE_SIZE, self.count or 0
        if offset + limit >= count:
            return None
        return self._page_link(offset // limit + 2)

    def get_previous_link(self) -> str | None:
        if not getattr(self, "page_style", False):
            return super().get_previous_link()
        offset, limit = self.offset or 0, self.limit or LIST_PAGE_SIZE
        if offset <= 0:
            return None
        return self._page_link(max(1, offset // limit))


# Serializer fields a list can be filtered and ordered by, and the schema type of their query parameter.
_SCALAR_TYPES: tuple[tuple[type[serializers.Field], str], ...] = (
    (serializers.BooleanField, "boolean"),
    (serializers.IntegerField, "integer"),
    (serializers.DecimalField, "string"),
    (serializers.DateTimeField, "string"),
    (serializers.DateField, "string"),
    (serializers.CharField, "string"),
    (serializers.ChoiceField, "string"),
)


def list_fields(serializer_class: type[BaseSerializer[Any]]) -> dict[str, str]:
    """The fields of `serializer_class` a list of it can be filtered and ordered by: name → schema type."""
    key: Any = serializer_class
    return _list_fields(key)


@cache
def _list_fields(serializer_class: Any) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, field in serializer_class().fields.items():
        if isinstance(field, serializers.SerializerMethodField | BaseSerializer) or field.source == "*":
            continue
        if name in PAGING_NAMES or field.write_only:
            continue
        for kind, schema_type in _SCALAR_TYPES:
            if isinstance(field, kind):
                fields[name] = schema_type
                break
    return fields


def _orm_path(model: type[Model], source_attrs: list[str]) -> str | None:
    """The database lookup for a serializer field's source, or None when it is not a stored column."""
    current: type[Model] = model
    for position, attr in enumerate(source_attrs):
        if attr == "pk":
            attr = current._meta.pk.name
        try:
            model_field = current._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        last = position == len(source_attrs) - 1
        if model_field.is_relation:
            if last or model_field.many_to_many or model_field.one_to_many:
                return None
            current = model_field.related_model  # type: ignore[assignment]
        elif not last or not model_field.concrete:
            return None
    return "__".join(source_attrs)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return "" if value is None else str(value)


def _wanted(raw: str, schema_type: str) -> str:
    if schema_type == "boolean":
        lowered = raw.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return "true"
        if lowered in {"false", "0", "no"}:
            return "false"
        raise ValidationError({"filter": "Use true or false"})
    if schema_type == "integer":
        try:
            return str(int(raw))
        except ValueError:
            raise ValidationError({"filter": "Enter a whole number"}) from None
    return raw


def _ordering_keys(request: Request, fields: Mapping[str, str]) -> list[tuple[str, bool]]:
    raw = request.query_params.get(ORDERING, "").strip()
    if not raw:
        return []
    keys = []
    for part in (part.strip() for part in raw.split(",")):
        name = part.removeprefix("-")
        if name not in fields:
            choices = ", ".join(sorted(fields)) or "none"
            raise ValidationError({ORDERING: f"“{name}” is not a field to order by: use one of {choices}"})
        keys.append((name, part.startswith("-")))
    return keys


def _filters(request: Request, fields: Mapping[str, str]) -> dict[str, str]:
    return {name: request.query_params[name] for name in fields if name in request.query_params}


def _database_list(
    items: QuerySet[Any], serializer: Any, filters: dict[str, str], ordering: list[tuple[str, bool]]
) -> QuerySet[Any] | None:
    """Filter and order in the database, or None when a field asked for is not a stored column."""
    paths = {}
    for name in {*filters, *(name for name, _ in ordering)}:
        path = _orm_path(items.model, serializer.fields[name].source_attrs)
        if path is None or items.query.combinator:
            return None
        paths[name] = path
    if filters:
        declared = {
            name: django_filters.FilterSet.filter_for_field(_final_field(items.model, paths[name]), paths[name])
            for name in filters
        }
        meta = type("Meta", (), {"model": items.model, "fields": []})
        filterset_class = type("ListFilterSet", (django_filters.FilterSet,), {**declared, "Meta": meta})
        filterset = filterset_class(filters, queryset=items)
        if not filterset.is_valid():
            raise ValidationError({name: str(messages[0]) for name, messages in filterset.errors.items()})
        items = filterset.qs
    if ordering:
        items = items.order_by(*[("-" if descending else "") + paths[name] for name, descending in ordering], "pk")
    return items


def _final_field(model: type[Model], path: str) -> Any:
    current: Any = model
    field: Any = None
    for attr in path.split("__"):
        field = current._meta.get_field(current._meta.pk.name if attr == "pk" else attr)
        current = field.related_model
    return field


def _python_list(
    items: Sequence[Any], serializer: Any, filters: dict[str, str], ordering: list[tuple[str, bool]]
) -> list[Any]:
    fields = serializer.fields
    kinds = list_fields(type(serializer))
    wanted = {name: _wanted(raw, kinds[name]) for name, raw in filters.items()}

    def value(item: Any, name: str) -> Any:
        try:
            return fields[name].get_attribute(item)
        except (AttributeError, KeyError):
            return None

    rows = [item for item in items if all(_text(value(item, name)) == raw for name, raw in wanted.items())]
    for name, descending in reversed(ordering):
        present = [row for row in rows if value(row, name) is not None]
        missing = [row for row in rows if value(row, name) is None]
        try:
            present.sort(key=lambda row: value(row, name), reverse=descending)
        except TypeError:
            present.sort(key=lambda row: _text(value(row, name)), reverse=descending)
        rows = present + missing
    return rows


def list_filter(
    request: Request, items: QuerySet[Any] | Sequence[Any], serializer_class: type[BaseSerializer[Any]]
) -> QuerySet[Any] | Sequence[Any]:
    """`items` filtered and ordered as the request asks (`?field=value`, `?ordering=`); a 400 names a
    field that cannot be used or a value of the wrong kind."""
    fields = list_fields(serializer_class)
    filters, ordering = _filters(request, fields), _ordering_keys(request, fields)
    if not filters and not ordering:
        return items
    serializer = serializer_class()
    if isinstance(items, QuerySet):
        filtered = _database_list(items, serializer, filters, ordering)
        if filtered is not None:
            return filtered
    return _python_list(list(items), serializer, filters, ordering)


def list_response(
    request: Request,
    items: QuerySet[Any] | Sequence[Any],
    serializer_class: type[BaseSerializer[Any]],
    *,
    context: dict[str, Any] | None = None,
) -> Response:
    """One page of `items`, filtered and ordered as asked, serialised, with its total and links to the
    pages either side."""
    items = list_filter(request, items, serializer_class)
    paginator = ListPagination()
    page = paginator.paginate_queryset(items, request) or []
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
        "page",
        OpenApiTypes.INT,
        description="Which page to answer, from 1 (instead of offset; page_size or limit sets its size).",
    ),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=f"How many on a page (default {LIST_PAGE_SIZE}, at most {LIST_PAGE_SIZE_MAX}).",
    ),
    OpenApiParameter(
        "X-Total-Count",
        OpenApiTypes.INT,
        location=OpenApiParameter.HEADER,
        response=[200],
        description="How many there are in all (after filtering).",
    ),
    OpenApiParameter(
        "Link",
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=[200],
        description='The next and previous pages, as <URL>; rel="next", <URL>; rel="prev".',
    ),
]


def list_filter_parameters(serializer_class: type[BaseSerializer[Any]]) -> list[dict[str, Any]]:
    """The OpenAPI query parameters `list_filter` reads for a list of `serializer_class`."""
    fields = list_fields(serializer_class)
    parameters: list[dict[str, Any]] = []
    if fields:
        parameters.append(
            {
                "in": "query",
                "name": ORDERING,
                "schema": {"type": "string", "enum": sorted([*fields, *(f"-{name}" for name in fields)])},
                "description": "Order by this field (a leading - for descending); several, comma-separated.",
            }
        )
    for name, schema_type in fields.items():
        schema: dict[str, Any] = {"type": schema_type}
        if schema_type == "integer":
            schema.update(INTEGER_BOUNDS)
        parameters.append(
            {"in": "query", "name": name, "schema": schema, "description": f"Only those whose {name} is this."}
        )
    return parameters
