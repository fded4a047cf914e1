"""Forms for membership: the coordinator's invitation, the member's answer and its sharing choice."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from commonweal.frontend.forms import GovukForm

from .models import Sharing


class InviteForm(GovukForm):
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Public body to invite",
        queryset=None,
        error_messages={
            "required": "Choose a public body to invite",
            "invalid_choice": "Choose a public body from the list",
        },
    )

    def __init__(self, *args: Any, organisations: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations


class AnswerForm(GovukForm):
    answer = forms.ChoiceField(
        label="Do you want to join the network?",
        choices=[("accept", "Yes, join the network"), ("decline", "No, decline the invitation")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to join the network"},
    )


class SharingForm(GovukForm):
    sharing = forms.ChoiceField(
        label="What may the network see?",
        choices=Sharing.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the network may see"},
        help_text="Choosing nothing after sharing withdraws: later figures leave you out; reports already "
        "published keep your figures and say you have withdrawn.",
    )
    named_in_benchmarks = forms.BooleanField(
        label="Name us in the network's benchmarking table (otherwise we are shown as an anonymous member)",
        required=False,
    )
