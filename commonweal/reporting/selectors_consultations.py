"""Reads for consultations: the lead's list and pages, what the public may read (only opened
consultations of the organisation named), and results by ward and option with small numbers hidden."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from commonweal.frameworks.models import Outcome, VersionStatus
from commonweal.spend.places import place_name
from commonweal.tenancy.selectors import Member

from . import hub
from .models import Consultation, ConsultationOption, ConsultationResponse
from .selectors_budget import suppression_threshold


def consultation_list(*, member: Member) -> QuerySet[Consultation]:
    return Consultation.objects.filter(organisation=member.organisation)


def consultation_get(*, member: Member, pk: int) -> Consultation:
    consultation = consultation_list(member=member).filter(pk=pk).first()
    if consultation is None:
        raise Http404("No such consultation.")
    return consultation


def outcome_choice_list(*, member: Member) -> QuerySet[Outcome]:
    """Outcomes of the organisation's own published framework versions, to link an option to."""
    return (
        Outcome.objects.filter(version__organisation=member.organisation, version__status=VersionStatus.PUBLISHED)
        .select_related("version__framework")
        .order_by("version__framework__title", "-version__number", "code")
    )


def public_consultation_list(*, slug: str) -> QuerySet[Consultation]:
    """Consultations the organisation has opened to the public (never a draft)."""
    return Consultation.objects.filter(organisation__slug=slug, published_at__isnull=False).select_related(
        "organisation"
    )


def public_consultation_get(*, slug: str, pk: int) -> Consultation:
    consultation = public_consultation_list(slug=slug).filter(pk=pk).first()
    if consultation is None:
        raise Http404("No such consultation.")
    return consultation


def place_labels(consultation: Consultation) -> dict[str, str]:
    """Names for the consultation's wards and districts (the shipped ward and district lists)."""
    return {code: place_name(code) or code for code in consultation.place_codes}


def _place_text(code: str, labels: dict[str, str]) -> str:
    if not code:
        return "Did not say"
    name = labels.get(code, code)
    return code if name == code else f"{name} ({code})"


@dataclass(frozen=True)
class Results:
    """Responses by ward (rows) and option (columns), small counts hidden column by column."""

    options: list[ConsultationOption]
    rows: list[dict[str, Any]]  # label, cells (one a column)
    totals: list[dict[str, Any]]
    responses: int
    responses_text: str
    threshold: int


def consultation_results(*, consultation: Consultation) -> Results:
    threshold = suppression_threshold()
    options = list(consultation.options.all())
    labels = place_labels(consultation)
    chosen: Counter[tuple[str, int]] = Counter(
        ConsultationResponse.objects.filter(consultation=consultation).values_list("place_code", "options")
    )
    places = sorted(
        {place for place, _ in chosen} | set(consultation.place_codes),
        key=lambda code: (code == "", labels.get(code, code)),
    )
    columns = []
    totals = []
    for option in options:
        values = [Decimal(chosen[(place, option.pk)]) for place in places]
        cells, total = hub.column_cells(values, unit="count", threshold=threshold)
        columns.append(cells)
        totals.append(total)
    rows = [
        {
            "label": _place_text(place, labels),
            "cells": [column[index] for column in columns],
        }
        for index, place in enumerate(places)
    ]
    count = consultation.responses.count()
    shown = hub.count_cell(Decimal(count), unit="count", threshold=threshold)
    return Results(
        options=options,
        rows=rows,
        totals=totals,
        responses=count,
        responses_text=shown["text"] or str(count),
        threshold=threshold,
    )
