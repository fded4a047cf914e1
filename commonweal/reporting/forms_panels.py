"""Forms for panels: a panel, a meeting with who attended, a need raised there, and what became of it. The
rules (dates, attendance, places) live in services_panels; forms parse input."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from commonweal.frontend.forms import GovukDateField, GovukForm, PlaceField

from .forms_consultations import outcome_label
from .models import NeedKind, NeedState, PanelKind


class PanelForm(GovukForm):
    name = forms.CharField(label="Name", max_length=200)
    kind = forms.ChoiceField(label="Kind of panel", choices=PanelKind.choices, widget=forms.RadioSelect)
    purpose = forms.CharField(
        label="What it is for", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="In plain English."
    )


class OrganisationChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MeetingForm(GovukForm):
    held_on = GovukDateField(label="Date of the meeting", required=True)
    place = forms.CharField(label="Where it was held", max_length=200, required=False)
    notes = forms.CharField(label="Summary of the discussion", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    attending = OrganisationChoices(
        label="Organisations in Commonweal that attended",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_attendees = forms.CharField(
        label="Other organisations that attended",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Organisations not in Commonweal, one a line. Do not name private individuals.",
    )

    def __init__(self, *args: Any, organisations: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attending"]
        assert isinstance(field, OrganisationChoices)
        field.queryset = organisations


class OutcomeChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return outcome_label(obj)


class AttendeeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class NeedForm(GovukForm):
    description = forms.CharField(label="What is needed", widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label="Kind of need", choices=NeedKind.choices, widget=forms.RadioSelect)
    raised_by = AttendeeChoice(
        label="Raised by (optional)", queryset=None, required=False, empty_label="Not an organisation in Commonweal"
    )
    outcomes = OutcomeChoices(
        label="Outcomes it relates to (optional)", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    place_code = PlaceField(label="Ward or district (optional)")

    def __init__(self, *args: Any, attendees: QuerySet[Any], outcomes: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        raised_by = self.fields["raised_by"]
        assert isinstance(raised_by, AttendeeChoice)
        raised_by.queryset = attendees
        chosen = self.fields["outcomes"]
        assert isinstance(chosen, OutcomeChoices)
        chosen.queryset = outcomes


class NeedStateForm(GovukForm):
    state = forms.ChoiceField(label="What became of the need", choices=NeedState.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who it was passed on to, how it was met, or why it was closed.",
    )
