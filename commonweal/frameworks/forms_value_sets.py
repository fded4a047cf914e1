"""Forms for value sets, their figures, deflator series and the calculator. Forms parse input (and turn
percentages into fractions); the rules live in services_value_sets and valuation."""

from decimal import Decimal
from typing import Any

from django import forms

from commonweal.frontend.forms import GovukForm

from .models import DeflatorSeries, Measure, ValueSet, ValueSetEntry
from .valuation import FIRST_BASE_YEAR, HUNDRED, LAST_BASE_YEAR, as_percent

DATE_FORMATS = ["%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]
DATE_HINT = "For example, 1/4/2025 or 1 April 2025."
YEAR_ERRORS = {"invalid": "Enter the year as 4 digits, like 2024"}
ADJUSTMENTS = ["deadweight", "displacement", "attribution", "drop_off"]
ADJUSTMENT_HINTS = {
    "deadweight": "The share that would have happened anyway. Leave blank for 0%.",
    "displacement": "The share that only moved activity from elsewhere in the area. Leave blank for 0%.",
    "attribution": "The share owed to others’ work, not this contract. Leave blank for 0%.",
    "drop_off": "How much of the effect is lost each year after the first. Leave blank for 0%.",
}
ADJUSTMENT_LABELS = {
    "deadweight": "Deadweight (%)",
    "displacement": "Displacement (%)",
    "attribution": "Attribution (%)",
    "drop_off": "Drop-off each year (%)",
}


def _text(label: str, hint: str = "", width: str = "") -> forms.CharField:
    attrs = {"class": width} if width else {}
    return forms.CharField(label=label, required=False, help_text=hint, widget=forms.TextInput(attrs=attrs))


def _year(label: str, hint: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        help_text=hint,
        error_messages=YEAR_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )


def _date(label: str, hint: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=hint,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": "Enter a real date, like 1/4/2025"},
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}, format="%d/%m/%Y"),
    )


def _percent(field: str) -> forms.DecimalField:
    label = ADJUSTMENT_LABELS[field].removesuffix(" (%)").removesuffix(" each year")
    return forms.DecimalField(
        label=ADJUSTMENT_LABELS[field],
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=ADJUSTMENT_HINTS[field],
        error_messages={
            "invalid": f"Enter {label.lower()} as a percentage, like 20 or 12.5",
            # These messages take parameters, so a percent sign is written %%.
            "min_value": f"{label} must be between 0%% and 100%%",
            "max_value": f"{label} must be between 0%% and 100%%",
            "max_decimal_places": f"Enter {label.lower()} with no more than 2 decimal places",
            "max_digits": f"{label} must be between 0%% and 100%%",
            "max_whole_digits": f"{label} must be between 0%% and 100%%",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )


class ValueSetForm(GovukForm):
    title = _text("Title", "For example, Local jobs proxies 2024.")
    code = _text(
        "Code",
        "A short name used in files and the API: letters, numbers, hyphens and underscores.",
        "govuk-input--width-20",
    )
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source = _text("Source", "Where the values come from, for example a publication and its date.")
    licence = _text("Licence", "The licence you use the values under, for example Open Government Licence v3.0.")
    base_year = _year("Base year", "The price year the values are in, for example 2024.")
    valid_from = _date("Valid from", DATE_HINT)
    valid_to = _date("Valid to (optional)", DATE_HINT + " Leave blank if the values have no end date.")

    @classmethod
    def initial_for(cls, value_set: ValueSet) -> dict[str, Any]:
        return {name: getattr(value_set, name) for name in cls.base_fields}


class ValueSetEntryForm(GovukForm):
    """Adding a figure (choose the measure) or changing one (the measure is fixed)."""

    measure_code = forms.ChoiceField(
        label="Measure",
        required=False,
        help_text="If the value set already has a value for it, that value is replaced.",
    )
    value_per_unit = forms.DecimalField(
        label="Value of one unit (£)",
        required=False,
        max_digits=14,
        decimal_places=4,
        help_text="In pounds, in the prices of the base year, for example 12.50.",
        error_messages={
            "invalid": "Enter the value in pounds, like 12.50",
            "max_decimal_places": "Enter the value with no more than 4 decimal places",
            "max_digits": "Enter a smaller value",
            "max_whole_digits": "Enter a smaller value",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    source = _text("Source of this value", "The publication, table and page, so others can check it.")
    base_year = _year("Base year", "The price year this value is in.")
    deadweight = _percent("deadweight")
    displacement = _percent("displacement")
    attribution = _percent("attribution")
    drop_off = _percent("drop_off")
    duration_years = forms.IntegerField(
        label="Duration (years)",
        required=False,
        initial=1,
        help_text="How many years the effect is counted for. 1 counts it once.",
        error_messages={"invalid": "Enter the duration as a whole number of years, like 1 or 3"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )

    def __init__(self, *args: Any, measures: list[Measure] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if measures is None:
            del self.fields["measure_code"]
        else:
            field = self.fields["measure_code"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "Choose a measure")] + [
                (measure.code, f"{measure.code} {measure.title} ({measure.get_unit_display()})") for measure in measures
            ]
        self.widget_attrs_apply()

    @staticmethod
    def initial_for(entry: ValueSetEntry) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "value_per_unit": entry.value_per_unit.normalize() + 0,
            "source": entry.source,
            "base_year": entry.base_year,
            "duration_years": entry.duration_years,
        }
        for name in ADJUSTMENTS:
            initial[name] = as_percent(getattr(entry, name))
        return initial

    def clean_measure_code(self) -> str:
        code: str = self.cleaned_data.get("measure_code") or ""
        return code

    def service_arguments(self) -> dict[str, Any]:
        """What value_set_entry_set takes: percentages become fractions; a blank adjustment is 0."""
        data = self.cleaned_data
        arguments: dict[str, Any] = {
            "value_per_unit": data["value_per_unit"],
            "source": data["source"],
            "base_year": data["base_year"],
            "duration_years": data["duration_years"],
        }
        for name in ADJUSTMENTS:
            percent: Decimal | None = data[name]
            arguments[name] = (percent or Decimal(0)) / HUNDRED
        return arguments


POINTS_HINT = (
    "One year and its index on each line, separated by a comma, for example 2023,100.0. "
    "These replace every point of the series."
)


class DeflatorSeriesForm(GovukForm):
    title = _text("Title", "For example, GDP deflator at market prices, March 2025.")
    code = _text("Code", "Letters, numbers, hyphens and underscores.", "govuk-input--width-20")
    source = _text("Source", "Where the index comes from, for example the ONS or HM Treasury, and the release.")
    points = forms.CharField(
        label="Index by year", required=False, help_text=POINTS_HINT, widget=forms.Textarea(attrs={"rows": 10})
    )


class DeflatorPointsForm(GovukForm):
    points = forms.CharField(
        label="Index by year", required=False, help_text=POINTS_HINT, widget=forms.Textarea(attrs={"rows": 15})
    )


class CalculatorChoiceForm(GovukForm):
    """The calculator's choices, sent by GET so a calculation's settings can be linked to."""

    value_set = forms.ChoiceField(label="Value set", error_messages={"required": "Choose a value set"})
    price_year = _year("Price year (optional)", "Re-base every value to this year’s prices, for example 2025.")
    deflator = forms.ChoiceField(
        label="Deflator series (optional)",
        required=False,
        help_text="The price index used to re-base values from their base year to the price year.",
    )

    def __init__(self, *args: Any, value_sets: list[ValueSet], deflators: list[DeflatorSeries], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.value_sets = {str(value_set.pk): value_set for value_set in value_sets}
        self.deflators = {str(series.pk): series for series in deflators}
        value_set_field = self.fields["value_set"]
        deflator_field = self.fields["deflator"]
        assert isinstance(value_set_field, forms.ChoiceField) and isinstance(deflator_field, forms.ChoiceField)
        value_set_field.error_messages["invalid_choice"] = "Choose one of your organisation’s value sets"
        deflator_field.error_messages["invalid_choice"] = "Choose one of your organisation’s deflator series"
        value_set_field.choices = [("", "Choose a value set")] + [
            (pk, f"{value_set.title} ({value_set.base_year} prices)") for pk, value_set in self.value_sets.items()
        ]
        deflator_field.choices = [("", "None")] + [(pk, series.title) for pk, series in self.deflators.items()]
        self.widget_attrs_apply()

    def clean_price_year(self) -> int | None:
        year: int | None = self.cleaned_data.get("price_year")
        if year is not None and not FIRST_BASE_YEAR <= year <= LAST_BASE_YEAR:
            raise forms.ValidationError(f"The price year must be between {FIRST_BASE_YEAR} and {LAST_BASE_YEAR}")
        return year

    def chosen_value_set(self) -> ValueSet:
        return self.value_sets[self.cleaned_data["value_set"]]

    def chosen_deflator(self) -> DeflatorSeries | None:
        return self.deflators.get(self.cleaned_data.get("deflator") or "")


def quantity_field_name(measure: Measure) -> str:
    return f"quantity_{measure.pk}"


class QuantitiesForm(GovukForm):
    """A quantity for each of the organisation's measures; blank ones are left out."""

    def __init__(self, *args: Any, measures: list[Measure], valued_codes: set[str], **kwargs: Any) -> None:
        self.measures = measures
        super().__init__(*args, **kwargs)
        for measure in measures:
            valued = "" if measure.code in valued_codes else " This value set has no value for it."
            self.fields[quantity_field_name(measure)] = forms.DecimalField(
                label=f"{measure.code} {measure.title} ({measure.get_unit_display()})",
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                help_text=f"{measure.get_value_type_display()}.{valued}",
                error_messages={
                    "invalid": "Enter the quantity as a number, like 12 or 3.5",
                    "min_value": "Quantity must be 0 or more",
                    "max_decimal_places": "Enter the quantity with no more than 2 decimal places",
                    "max_digits": "Enter a smaller quantity",
                    "max_whole_digits": "Enter a smaller quantity",
                },
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
            )
        self.widget_attrs_apply()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            self.measures
            and not self.errors
            and all(cleaned.get(quantity_field_name(m)) is None for m in self.measures)
        ):
            self.add_error(quantity_field_name(self.measures[0]), "Enter a quantity for at least one measure")
        return cleaned

    def lines(self) -> list[tuple[Measure, Decimal]]:
        return [
            (measure, quantity)
            for measure in self.measures
            if (quantity := self.cleaned_data.get(quantity_field_name(measure))) is not None
        ]
