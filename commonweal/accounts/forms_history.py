"""The filters of the organisation's history."""

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from commonweal.core.models import AuditEvent
from commonweal.frontend.forms import GovukDateField
from commonweal.frontend.listing import ListFilters, search_filter, sort_filter

from .selectors_history import history_areas, history_people


class _DayFilter(django_filters.Filter):
    field_class = GovukDateField


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class HistoryFilters(ListFilters):
    search = search_filter("Search", "object_label", "actor_label")
    area = django_filters.ChoiceFilter(label="Area", empty_label="Every area", method="area_filter")
    person = django_filters.ChoiceFilter(label="Who", field_name="actor_label", empty_label="Anyone")
    since = _DayFilter(label="From", method="since_filter")
    until = _DayFilter(label="To", method="until_filter")
    sort = sort_filter([("-created_at", "Newest first"), ("created_at", "Oldest first")], default="-created_at")

    def __init__(self, *args: Any, member: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["area"].extra["choices"] = history_areas()
        self.filters["person"].extra["choices"] = history_people(member=member)

    def area_filter(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        return queryset.filter(action__startswith=f"{value}.")

    def since_filter(self, queryset: QuerySet[AuditEvent], name: str, value: date) -> QuerySet[AuditEvent]:
        return queryset.filter(created_at__gte=_start_of(value))

    def until_filter(self, queryset: QuerySet[AuditEvent], name: str, value: date) -> QuerySet[AuditEvent]:
        return queryset.filter(created_at__lt=_start_of(value + timedelta(days=1)))
