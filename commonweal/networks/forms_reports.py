"""Forms for reports: the coordinator publishes a quarter."""

from django import forms

from commonweal.frontend.forms import GovukForm


class PublishForm(GovukForm):
    quarter = forms.CharField(
        label="Quarter to publish",
        max_length=6,
        help_text="As a year and quarter, like 2026Q3.",
        error_messages={"required": "Enter the quarter, like 2026Q3"},
    )
    summary = forms.CharField(label="Summary (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
