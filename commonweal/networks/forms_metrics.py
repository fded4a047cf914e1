"""Forms for shared metrics: defining one, a crosswalk, a member's quarterly figure and its pledge."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from commonweal.frameworks.models import ValueType
from commonweal.frontend.forms import GovukDateField, GovukForm

from .models import MetricKind, SpendShare


class MetricForm(GovukForm):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the metric's title"})
    code = forms.SlugField(
        label="Short code",
        max_length=40,
        help_text="Letters, numbers and hyphens, like local-spend.",
        error_messages={"required": "Enter a short code", "invalid": "Use only letters, numbers and hyphens"},
    )
    kind = forms.ChoiceField(
        label="Where its figures come from",
        choices=MetricKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the metric's figures come from"},
    )
    measure_code = forms.CharField(
        label="Shared measure code (delivery metrics)", max_length=40, required=False, help_text="For example JOBS.1.2."
    )
    spend_share = forms.ChoiceField(
        label="Share of spend (spend metrics)",
        choices=[("", "Not a spend metric"), *SpendShare.choices],
        required=False,
    )
    unit = forms.CharField(label="Unit", max_length=40, required=False, help_text="People, weeks, buildings.")
    value_type = forms.ChoiceField(
        label="Kind of value", choices=ValueType.choices, widget=forms.RadioSelect, initial=ValueType.ADDITIONAL_SOCIAL
    )
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CrosswalkForm(GovukForm):
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Member", queryset=None, error_messages={"required": "Choose the member whose code this is"}
    )
    measure_code = forms.CharField(
        label="The member's own measure code", max_length=40, error_messages={"required": "Enter the member's code"}
    )

    def __init__(self, *args: Any, organisations: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations


class _MetricChoice(GovukForm):
    metric: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Metric",
        queryset=None,
        error_messages={"required": "Choose a metric", "invalid_choice": "Choose a metric"},
    )

    def __init__(self, *args: Any, metrics: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["metric"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = metrics


class SubmissionForm(_MetricChoice):
    quarter = forms.CharField(
        label="Quarter",
        max_length=6,
        help_text="As a year and quarter, like 2026Q3 (July to September 2026).",
        error_messages={"required": "Enter the quarter, like 2026Q3"},
    )
    value = forms.DecimalField(
        label="Figure",
        max_digits=16,
        decimal_places=2,
        error_messages={"required": "Enter the figure", "invalid": "Enter the figure as a number, like 12 or 3.5"},
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PledgeForm(_MetricChoice):
    baseline = forms.DecimalField(
        label="Baseline",
        max_digits=16,
        decimal_places=2,
        error_messages={"required": "Enter the baseline", "invalid": "Enter the baseline as a number"},
    )
    target = forms.DecimalField(
        label="Target",
        max_digits=16,
        decimal_places=2,
        error_messages={"required": "Enter the target", "invalid": "Enter the target as a number"},
    )
    target_date = GovukDateField(label="Target date", required=True)
