"""Forms for joint programmes: setting one up with partners' shares, and a partner recording a stage."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import QuerySet

from commonweal.frontend.forms import GovukDateField, GovukForm

from .models import ProgrammeStage


class ProgrammeForm(GovukForm):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the programme's title"})
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, organisations: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        for organisation in self.organisations:
            self.fields[f"share_{organisation.pk}"] = forms.CharField(
                label=f"{organisation.name}: share of outcomes (%)", required=False, max_length=6
            )

    def shares(self) -> dict[Any, Decimal]:
        found = {}
        for organisation in self.organisations:
            text = (self.cleaned_data.get(f"share_{organisation.pk}") or "").strip().rstrip("%")
            if not text:
                continue
            try:
                found[organisation] = Decimal(text)
            except InvalidOperation:
                found[organisation] = Decimal(-1)
        return found


class ParticipantForm(GovukForm):
    participant_id = forms.CharField(
        label="Participant's pseudonymous id",
        max_length=100,
        help_text="The id your programme gives the person: never a name, date of birth or NI number.",
        error_messages={"required": "Enter the participant's pseudonymous id"},
    )
    stage = forms.ChoiceField(
        label="Stage reached",
        choices=ProgrammeStage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the stage reached"},
    )
    reached_on = GovukDateField(label="Date reached", required=True)
