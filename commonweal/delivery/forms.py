"""Forms for submitting and reviewing delivery returns. Rules live in services; forms parse input."""

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings

from commonweal.core.uploads import EVIDENCE_TYPES, describe_types, size_label
from commonweal.frontend.forms import GovukForm
from commonweal.frontend.templatetags.govuk import quantity

from .models import Commitment, LineStatus


def quantity_field_name(commitment: Commitment) -> str:
    return f"quantity_{commitment.pk}"


class ReturnForm(GovukForm):
    narrative = forms.CharField(
        label="What was delivered",
        required=False,
        help_text="Describe what you delivered in this period, for whom and where.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence = forms.FileField(label="Evidence", required=False)

    def __init__(self, *args: Any, commitments: list[Commitment], **kwargs: Any) -> None:
        self.commitments = commitments
        super().__init__(*args, **kwargs)
        self.fields[
            "evidence"
        ].help_text = (
            f"A {describe_types(EVIDENCE_TYPES)} file, smaller than {size_label(settings.EVIDENCE_MAX_BYTES)}."
        )
        quantity_fields = {}
        for commitment in commitments:
            measure = commitment.measure
            quantity_fields[quantity_field_name(commitment)] = forms.DecimalField(
                label=f"{measure.title} ({measure.get_unit_display()})",
                required=False,
                max_digits=14,
                decimal_places=2,
                help_text=f"Target {quantity(commitment.target_quantity, measure.unit)} "
                f"by {commitment.due_date:%-d %B %Y}. Leave blank if you have nothing to report.",
                error_messages={
                    "invalid": "Enter the quantity as a number, like 12 or 3.5",
                    "max_decimal_places": "Enter the quantity with no more than 2 decimal places",
                    "max_digits": "Enter a smaller quantity",
                    "max_whole_digits": "Enter a smaller quantity",
                },
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
            )
        # Quantities first, in due-date order, then the narrative and evidence.
        self.fields = {**quantity_fields, **self.fields}
        self.widget_attrs_apply()

    def quantities(self) -> dict[int, Decimal | None]:
        return {c.pk: self.cleaned_data.get(quantity_field_name(c)) for c in self.commitments}


class ReviewForm(GovukForm):
    decision = forms.ChoiceField(
        label="Do you accept this quantity?",
        choices=[
            (LineStatus.VERIFIED, "Verify: the evidence supports it"),
            (LineStatus.REJECTED, "Reject it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose verify or reject"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        help_text="Required if you reject the line. The supplier will see it.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
