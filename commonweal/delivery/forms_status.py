"""Forms for following delivery up. Rules live in services; forms parse input."""

from typing import Any

from django import forms

from commonweal.frontend.forms import GovukForm

from .models import PerformanceRating


class AssessmentForm(GovukForm):
    rating = forms.ChoiceField(
        label="Rating",
        choices=PerformanceRating.choices,
        widget=forms.RadioSelect,
        help_text="The proposed rating is selected. Choose another to override it.",
        error_messages={"required": "Choose a rating", "invalid_choice": "Choose a rating"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        help_text="Required if you choose a rating other than the proposal. The supplier will see it.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, proposed: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"rating": proposed})
        super().__init__(*args, **kwargs)
