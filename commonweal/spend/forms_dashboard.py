"""The dashboard's filter form (sent by GET, so a filtered view can be bookmarked and shared)."""

from typing import Any

from django import forms

from commonweal.frontend.forms import GovukForm

from .analytics import LABEL_TITLES, LABELS, NOT_GIVEN, SpendFilter

DATE_FORMATS = ["%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]
LABEL_CHOICES = {
    "local": [("", "Any supplier"), ("yes", "Local"), ("no", "Not local"), ("unknown", "Not known")],
    "sme": [("", "Any supplier"), ("yes", "SMEs"), ("no", "Not SMEs"), ("unknown", "Not known")],
    "vcse": [("", "Any supplier"), ("yes", "VCSEs"), ("no", "Not VCSEs"), ("unknown", "Not known")],
    "living_wage": [
        ("", "Any supplier"),
        ("yes", "Real Living Wage employers"),
        ("no", "Not Real Living Wage employers"),
        ("unknown", "Not known"),
    ],
}


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text="For example, 1/4/2024 or 1 April 2024.",
        input_formats=DATE_FORMATS,
        error_messages={"invalid": f"{label} must be a real date, like 1/4/2024"},
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}, format="%d/%m/%Y"),
    )


class SpendFilterForm(GovukForm):
    date_from = _date("Paid from")
    date_to = _date("Paid to")
    service_area = forms.ChoiceField(label="Service area", required=False)
    expense_type = forms.ChoiceField(label="Expense type", required=False)
    local = forms.ChoiceField(label="Local", required=False, choices=LABEL_CHOICES["local"])
    sme = forms.ChoiceField(label="SME", required=False, choices=LABEL_CHOICES["sme"])
    vcse = forms.ChoiceField(label=LABEL_TITLES["vcse"], required=False, choices=LABEL_CHOICES["vcse"])
    living_wage = forms.ChoiceField(label="Real Living Wage", required=False, choices=LABEL_CHOICES["living_wage"])
    influenceable_only = forms.BooleanField(
        label="Influenceable spend only",
        required=False,
        help_text="Leave out payments the spend policy says the organisation cannot influence.",
    )

    def __init__(self, *args: Any, choices: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, title in (("service_area", "Any service area"), ("expense_type", "Any expense type")):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                ("", title),
                *((value, value) for value in choices.get(name, [])),
                (NOT_GIVEN, "Not given"),
            ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "Paid to must be the same as or after paid from")
        return cleaned

    def spend_filter(self) -> SpendFilter:
        data = self.cleaned_data
        return SpendFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            service_area=data.get("service_area") or "",
            expense_type=data.get("expense_type") or "",
            include_not_influenceable=not data.get("influenceable_only"),
            **{label: data.get(label) or None for label in LABELS},
        )
