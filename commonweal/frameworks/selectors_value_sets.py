"""Reads for value sets, deflator series and valuations. A member sees only its own organisation's value
sets and series; every selector takes the member it reads for."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, QuerySet
from django.http import Http404

from commonweal.tenancy.selectors import Member

from .models import DeflatorSeries, Measure, ValueSet, ValueSetEntry, VersionStatus
from .valuation import ClaimLine, Deflator, Valuation, ValueEntry, valuate


@dataclass(frozen=True)
class EntryRow:
    """One figure of a value set, with the measure it values where the organisation has one by that code."""

    entry: ValueSetEntry
    measure: Measure | None
    figures: ValueEntry


def value_set_list(*, member: Member) -> QuerySet[ValueSet]:
    return (
        ValueSet.objects.filter(organisation=member.organisation)
        .annotate(entry_count=Count("entries"))
        .order_by("title", "code")
    )


def value_set_get(*, member: Member, pk: int) -> ValueSet:
    try:
        return ValueSet.objects.get(pk=pk, organisation=member.organisation)
    except ValueSet.DoesNotExist:
        raise Http404("No such value set.") from None


def value_set_entry_get(*, member: Member, pk: int) -> ValueSetEntry:
    try:
        return ValueSetEntry.objects.select_related("value_set").get(pk=pk, organisation=member.organisation)
    except ValueSetEntry.DoesNotExist:
        raise Http404("No such value.") from None


def value_entry_of(entry: ValueSetEntry) -> ValueEntry:
    """A stored figure as the calculation's input."""
    return ValueEntry(
        value_per_unit=entry.value_per_unit,
        base_year=entry.base_year,
        deadweight=entry.deadweight,
        attribution=entry.attribution,
        displacement=entry.displacement,
        drop_off=entry.drop_off,
        duration_years=entry.duration_years,
        source=entry.source,
    )


def value_set_entry_rows(*, member: Member, value_set: ValueSet) -> list[EntryRow]:
    value_set = value_set_get(member=member, pk=value_set.pk)
    measures = measures_by_code(member=member)
    return [
        EntryRow(entry=entry, measure=measures.get(entry.measure_code), figures=value_entry_of(entry))
        for entry in value_set.entries.order_by("measure_code")
    ]


def published_measure_list(*, member: Member) -> list[Measure]:
    """The organisation's measures in its published framework versions, one per code (from the most
    recently published version that has it), in code order."""
    measures = (
        Measure.objects.filter(organisation=member.organisation, version__status=VersionStatus.PUBLISHED)
        .select_related("version__framework")
        .order_by("code", F("version__published_at").desc(nulls_last=True), "-version__number", "-pk")
    )
    latest: dict[str, Measure] = {}
    for measure in measures:
        latest.setdefault(measure.code, measure)
    return list(latest.values())


def measures_by_code(*, member: Member) -> dict[str, Measure]:
    return {measure.code: measure for measure in published_measure_list(member=member)}


def deflator_series_list(*, member: Member) -> QuerySet[DeflatorSeries]:
    return (
        DeflatorSeries.objects.filter(organisation=member.organisation)
        .annotate(point_count=Count("points"))
        .order_by("title", "code")
    )


def deflator_series_get(*, member: Member, pk: int) -> DeflatorSeries:
    try:
        return DeflatorSeries.objects.get(pk=pk, organisation=member.organisation)
    except DeflatorSeries.DoesNotExist:
        raise Http404("No such deflator series.") from None


def deflator_points_text(*, member: Member, series: DeflatorSeries) -> str:
    """The series' points as the “year,index” lines its edit form takes."""
    series = deflator_series_get(member=member, pk=series.pk)
    return "\n".join(f"{point.year},{point.index.normalize():f}" for point in series.points.order_by("year"))


def value_set_label(value_set: ValueSet) -> str:
    return f"{value_set.title} ({value_set.code})"


def valuation_for(
    *,
    member: Member,
    value_set: ValueSet,
    lines: Iterable[tuple[Measure, Decimal]],
    price_year: int | None = None,
    deflator_series: DeflatorSeries | None = None,
) -> Valuation:
    """Value (measure, quantity) lines — a calculator's entries, or an agreement's commitments — with the
    value set's figures by measure code, re-based to `price_year` with `deflator_series` if given. The
    measure says whether its value is local economic value or additional social value."""
    value_set = value_set_get(member=member, pk=value_set.pk)
    deflator = None
    if deflator_series is not None:
        deflator_series = deflator_series_get(member=member, pk=deflator_series.pk)
        deflator = Deflator(
            title=deflator_series.title, index=dict(deflator_series.points.values_list("year", "index"))
        )
    claims = [
        ClaimLine(measure_code=measure.code, value_type=measure.value_type, quantity=quantity)
        for measure, quantity in lines
    ]
    entries = {entry.measure_code: value_entry_of(entry) for entry in value_set.entries.all()}
    return valuate(claims, entries, price_year=price_year, deflator=deflator, value_set=value_set_label(value_set))
