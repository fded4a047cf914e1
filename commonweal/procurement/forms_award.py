"""The award form: which lot, and, when the published rules leave a tie for first, which tender and why."""

from typing import Any

from django import forms

from commonweal.frontend.forms import GovukForm

from .models import Bid


class AwardForm(GovukForm):
    """One lot's award. `tied` are the tenders tied for first place, if the ranking has no winner."""

    lot = forms.IntegerField(widget=forms.HiddenInput)
    bid = forms.TypedChoiceField(
        label="Which tender is awarded the contract?",
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        help_text="The published tie-break rules cannot separate these tenders: choose one and give your reason.",
    )
    reason = forms.CharField(
        label="Reason for the award",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Recorded with the award and shown in the evaluation report.",
    )

    def __init__(self, *args: Any, lot_number: int, tied: list[Bid], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "award")
        kwargs.setdefault("auto_id", f"lot{lot_number}-%s")
        super().__init__(*args, **kwargs)
        self.fields["lot"].initial = lot_number
        if tied:
            bid_field = self.fields["bid"]
            assert isinstance(bid_field, forms.TypedChoiceField)
            bid_field.choices = [(bid.pk, bid.supplier.name) for bid in tied]
            self.fields["reason"].label = "Why this tender is chosen"
            self.fields["reason"].help_text = "Required. Recorded with the award and shown in the evaluation report."
        else:
            del self.fields["bid"]
            self.fields["reason"].label = "Reason for the award (optional)"
            self.fields["reason"].help_text = (
                "If you leave it blank, the reason recorded is that the tender ranked first under the published "
                "methodology, with its total points."
            )
        self._bound_fields_cache.clear()  # GovukForm built them before the labels were set
        self.widget_attrs_apply()
