"""Value set pages: value sets and their figures, deflator series, and the calculator that turns
quantities into gross and net £ with the value set and price year it used."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require

from . import selectors_value_sets as selectors
from . import services_value_sets as services
from .forms_value_sets import (
    CalculatorChoiceForm,
    DeflatorPointsForm,
    DeflatorSeriesForm,
    QuantitiesForm,
    ValueSetEntryForm,
    ValueSetForm,
)
from .models import Measure, ValueType
from .valuation import Valuation


def _value_set_url(org: str, pk: int) -> str:
    return reverse("frameworks:value-set-detail", kwargs={"org": org, "pk": pk})


@login_required
def value_set_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    return render(
        request,
        "frameworks/value_sets/value_set_list.html",
        {
            "member": member,
            "value_sets": selectors.value_set_list(member=member),
            "deflators": selectors.deflator_series_list(member=member),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_set_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    form = ValueSetForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.value_set_create(actor=member.user, member=member, **form.cleaned_data),
        message=lambda value_set: f"The value set {value_set.title} has been created.",
        success_url=lambda value_set: _value_set_url(org, value_set.pk),
        template="frameworks/value_sets/value_set_form.html",
        context={"member": member},
    )


@login_required
def value_set_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    value_set = selectors.value_set_get(member=member, pk=pk)
    return render(
        request,
        "frameworks/value_sets/value_set_detail.html",
        {
            "member": member,
            "value_set": value_set,
            "rows": selectors.value_set_entry_rows(member=member, value_set=value_set),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_set_update(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    value_set = selectors.value_set_get(member=member, pk=pk)
    form = ValueSetForm(request.POST or None, initial=ValueSetForm.initial_for(value_set))
    return form_page(
        request,
        form,
        save=lambda: services.value_set_update(
            actor=member.user, member=member, value_set=value_set, **form.cleaned_data
        ),
        message="The value set has been saved.",
        success_url=_value_set_url(org, value_set.pk),
        template="frameworks/value_sets/value_set_form.html",
        context={"member": member, "value_set": value_set},
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_set_entry_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    value_set = selectors.value_set_get(member=member, pk=pk)
    measures = selectors.published_measure_list(member=member)
    form = ValueSetEntryForm(
        request.POST or None,
        measures=measures,
        initial={"base_year": value_set.base_year, "duration_years": 1},
    )
    return form_page(
        request,
        form,
        save=lambda: services.value_set_entry_set(
            actor=member.user,
            member=member,
            value_set=value_set,
            measure_code=form.cleaned_data["measure_code"],
            **form.service_arguments(),
        ),
        message=lambda entry: f"The value for {entry.measure_code} has been saved.",
        success_url=_value_set_url(org, value_set.pk),
        template="frameworks/value_sets/entry_form.html",
        context={"member": member, "value_set": value_set, "has_measures": bool(measures)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_set_entry_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    entry = selectors.value_set_entry_get(member=member, pk=pk)
    value_set = entry.value_set
    form = ValueSetEntryForm(request.POST or None, measures=None, initial=ValueSetEntryForm.initial_for(entry))
    return form_page(
        request,
        form,
        save=lambda: services.value_set_entry_set(
            actor=member.user,
            member=member,
            value_set=value_set,
            measure_code=entry.measure_code,
            **form.service_arguments(),
        ),
        message=f"The value for {entry.measure_code} has been saved.",
        success_url=_value_set_url(org, value_set.pk),
        template="frameworks/value_sets/entry_form.html",
        context={
            "member": member,
            "value_set": value_set,
            "entry": entry,
            "measure": selectors.measures_by_code(member=member).get(entry.measure_code),
            "has_measures": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_set_entry_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    entry = selectors.value_set_entry_get(member=member, pk=pk)
    value_set = entry.value_set
    error = None
    if request.method == "POST":
        try:
            services.value_set_entry_remove(actor=member.user, member=member, entry=entry)
        except ApplicationError as refused:
            error = refused.message
        else:
            messages.success(request, f"The value for {entry.measure_code} has been removed.")
            return redirect("frameworks:value-set-detail", org=org, pk=value_set.pk)
    return render(
        request,
        "frameworks/value_sets/entry_remove.html",
        {
            "member": member,
            "entry": entry,
            "figures": selectors.value_entry_of(entry),
            "value_set": value_set,
            "error": error,
        },
    )


@login_required
def deflator_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    return render(
        request,
        "frameworks/value_sets/deflator_list.html",
        {"member": member, "deflators": selectors.deflator_series_list(member=member)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def deflator_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    form = DeflatorSeriesForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda: services.deflator_series_create(actor=member.user, member=member, **form.cleaned_data),
        message=lambda series: f"The deflator series {series.title} has been created.",
        success_url=lambda series: reverse("frameworks:deflator-detail", kwargs={"org": org, "pk": series.pk}),
        template="frameworks/value_sets/deflator_form.html",
        context={"member": member},
    )


@login_required
def deflator_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    series = selectors.deflator_series_get(member=member, pk=pk)
    return render(
        request,
        "frameworks/value_sets/deflator_detail.html",
        {"member": member, "series": series, "points": series.points.order_by("year")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def deflator_points(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    series = selectors.deflator_series_get(member=member, pk=pk)
    form = DeflatorPointsForm(
        request.POST or None, initial={"points": selectors.deflator_points_text(member=member, series=series)}
    )
    return form_page(
        request,
        form,
        save=lambda: services.deflator_points_set(
            actor=member.user, member=member, series=series, points=form.cleaned_data["points"]
        ),
        message="The index has been saved.",
        success_url=reverse("frameworks:deflator-detail", kwargs={"org": org, "pk": series.pk}),
        template="frameworks/value_sets/deflator_points_form.html",
        context={"member": member, "series": series},
    )


def _results(valuation: Valuation, measures: list[Measure]) -> dict[str, object]:
    """The valuation laid out for the page: one section per value type, each line with its measure."""
    by_code = {measure.code: measure for measure in measures}
    sections = [
        {
            "title": value_type.label,
            "rows": [(line, by_code.get(line.measure_code)) for line in valuation.lines_of(value_type)],
            "totals": totals,
        }
        for value_type, totals in [
            (ValueType.LOCAL_ECONOMIC, valuation.local_economic),
            (ValueType.ADDITIONAL_SOCIAL, valuation.additional_social),
        ]
    ]
    not_valued = [(line, by_code.get(line.measure_code)) for line in valuation.not_valued]
    return {"valuation": valuation, "sections": sections, "not_valued": not_valued}


@login_required
@require_http_methods(["GET", "POST"])
def valuation_calculator(request: HttpRequest, org: str) -> HttpResponse:
    """Choices by GET (value set, price year, deflator); quantities by POST, which carries the choices
    in hidden fields. Stores nothing."""
    member = member_require(user=request.user, slug=org)
    choices = request.POST if request.method == "POST" else request.GET
    choice_form = CalculatorChoiceForm(
        choices if "value_set" in choices else None,
        value_sets=list(selectors.value_set_list(member=member)),
        deflators=list(selectors.deflator_series_list(member=member)),
    )
    context: dict[str, object] = {"member": member, "choice_form": choice_form, "form": choice_form}
    if choice_form.is_bound and choice_form.is_valid():
        value_set = choice_form.chosen_value_set()
        measures = selectors.published_measure_list(member=member)
        form = QuantitiesForm(
            request.POST if request.method == "POST" else None,
            measures=measures,
            valued_codes=set(value_set.entries.values_list("measure_code", flat=True)),
        )
        context.update({"value_set": value_set, "deflator": choice_form.chosen_deflator(), "quantities_form": form})
        context["form"] = form
        valuation: Valuation | None = None
        if form.is_bound and form.is_valid():
            try:
                valuation = selectors.valuation_for(
                    member=member,
                    value_set=value_set,
                    lines=form.lines(),
                    price_year=choice_form.cleaned_data["price_year"],
                    deflator_series=choice_form.chosen_deflator(),
                )
            except ApplicationError as error:
                choice_form.add_application_error(error)
                context["form"] = choice_form
        if valuation is not None:
            context.update(_results(valuation, measures))
    return render(request, "frameworks/value_sets/calculator.html", context)
