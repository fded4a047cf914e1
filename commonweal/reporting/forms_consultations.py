"""Forms for consultations: the lead's set-up pages, the public response form and paper responses. The
rules (dates, consent, spam resistance) live in services_consultations; forms parse input."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from commonweal.core.formatting import money
from commonweal.frontend.forms import GovukDateField, GovukForm
from commonweal.spend.places import PlaceNotFound, place_find

from .models import Consultation
from .services_consultations import AGE_BANDS


class ConsultationForm(GovukForm):
    title = forms.CharField(label="Title", max_length=200)
    summary = forms.CharField(
        label="What you are asking, and why", widget=forms.Textarea(attrs={"rows": 5}), help_text="In plain English."
    )
    place_codes = forms.CharField(
        label="Wards or areas asked",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One ward or district a line, like Altrincham, Trafford (or its ONS code). Respondents choose "
        "one of them.",
    )
    opens_on = GovukDateField(label="Opens on", required=True)
    closes_on = GovukDateField(label="Closes on", required=True)

    def clean_place_codes(self) -> list[str]:
        """Each line a place by name or code, as its GSS code; every line that names no place is an error."""
        codes, problems = [], []
        for number, line in enumerate(self.cleaned_data.get("place_codes", "").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                codes.append(place_find(line))
            except PlaceNotFound as error:
                problems.append(f"Line {number}: {error}")
        if problems:
            raise forms.ValidationError(problems)
        return list(dict.fromkeys(codes))


def outcome_label(outcome: Any) -> str:
    return f"{outcome.code} {outcome.title} ({outcome.version.framework.title}, version {outcome.version.number})"


class OutcomeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return outcome_label(obj)


class OptionForm(GovukForm):
    title = forms.CharField(label="Option", max_length=200)
    description = forms.CharField(label="What it would do", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    cost = forms.DecimalField(label="What it would cost, in pounds", min_value=0, decimal_places=2, max_digits=14)
    outcome = OutcomeChoice(label="The outcome it serves", queryset=None, required=False)

    def __init__(self, *args: Any, outcomes: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["outcome"]
        assert isinstance(field, OutcomeChoice)
        field.queryset = outcomes


class YouSaidWeDidForm(GovukForm):
    text = forms.CharField(
        label="You said, we did",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What residents told you, and what the council did because of it.",
    )


class OptionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} (costs {money(obj.cost)})"


class ResponseForm(GovukForm):
    options = OptionChoices(
        label="Which of these should we do?",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose all that you support.",
        required=False,
    )
    place_code = forms.ChoiceField(label="Where do you live?", required=False, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Anything else you want to tell us (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    age_band = forms.ChoiceField(
        label="Your age (optional)",
        required=False,
        choices=[("", "I would rather not answer"), *((band, band.capitalize()) for band in AGE_BANDS)],
        widget=forms.RadioSelect,
    )
    demographics_consent = forms.BooleanField(
        label="I agree to the council keeping my age band to check it heard from all ages", required=False
    )

    def __init__(self, *args: Any, consultation: Consultation, labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = self.fields["options"]
        assert isinstance(options, OptionChoices)
        options.queryset = consultation.options.all()
        place = self.fields["place_code"]
        assert isinstance(place, forms.ChoiceField)
        place.choices = [
            *((code, labels.get(code, code)) for code in consultation.place_codes),
            ("", "Somewhere else, or I would rather not say"),
        ]


class PublicResponseForm(ResponseForm):
    website = forms.CharField(
        label="Leave this box empty",
        required=False,
        help_text="This box is here to catch automated spam.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class PaperResponseForm(ResponseForm):
    received_on = GovukDateField(label="Date the response was received", required=True)
