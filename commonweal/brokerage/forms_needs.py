"""Forms for the wish list: a need, eligibility, moderation, closing, introductions, the policy, offers, a pledge,
delivery and confirmation. Forms parse input; the rules live in the services."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from commonweal.frontend.forms import GovukDateField, GovukForm
from commonweal.reporting.models import NeedKind

from .models import EligibilityEvidence


def _decimal(label: str, hint: str = "", *, required: bool = True) -> forms.DecimalField:
    what = label.split(" (")[0].lower()
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        help_text=hint,
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"Enter the {what} as a number, like 12 or 3.5",
            "max_decimal_places": f"Enter the {what} with no more than 2 decimal places",
            "max_digits": f"Enter a smaller {what}",
            "max_whole_digits": f"Enter a smaller {what}",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )


class NamedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class OutcomeChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.title} ({obj.version.organisation.name})"


class NeedForm(GovukForm):
    host = NamedChoice(
        label="Wish list",
        queryset=None,
        empty_label="Choose a wish list",
        help_text="The council, network or local infrastructure body whose wish list the need goes on.",
        error_messages={"required": "Choose the wish list to post the need to"},
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title for the need"})
    description = forms.CharField(
        label="What is needed and who it helps",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Describe what is needed and who it helps"},
    )
    kind = forms.ChoiceField(
        label="Kind of need",
        choices=NeedKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of need"},
    )
    quantity = _decimal("Quantity", "How much is needed, like 40.")
    unit = forms.CharField(
        label="Unit",
        max_length=60,
        help_text="What the quantity counts, like hours, laptops or pounds.",
        error_messages={"required": "Enter what the quantity counts, like hours or laptops"},
    )
    estimate = _decimal(
        "Estimated value in pounds (optional)", "What meeting the need is worth, if you know.", required=False
    )
    outcomes = OutcomeChoices(
        label="Outcomes it serves (optional)", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    place = forms.CharField(
        label="Place",
        max_length=100,
        help_text="The ward or district by name, like Altrincham, Trafford.",
        error_messages={"required": "Enter the ward or district the need is in, like Altrincham, Trafford"},
    )
    beneficiary_group = forms.CharField(
        label="Who benefits (optional)",
        max_length=200,
        required=False,
        help_text="Like young carers, or older people living alone.",
    )
    expires_on = GovukDateField(label="Expiry date", required=True, help_text="For example, 31 3 2027.")

    def __init__(self, *args: Any, hosts: QuerySet[Any], outcomes: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        host = self.fields["host"]
        assert isinstance(host, NamedChoice)
        host.queryset = hosts
        chosen = self.fields["outcomes"]
        assert isinstance(chosen, OutcomeChoices)
        chosen.queryset = outcomes


class EligibilityForm(GovukForm):
    evidence_kind = forms.ChoiceField(
        label="Evidence that your organisation may post needs",
        choices=EligibilityEvidence.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the evidence that your organisation may post needs"},
    )
    evidence_reference = forms.CharField(
        label="Number or where it can be seen",
        max_length=200,
        help_text="The charity or company number, or where the constitution or letter is kept.",
        error_messages={"required": "Enter the number, or say where the document or letter can be seen"},
    )


class SubmitForm(GovukForm):
    """No fields: the button says it all."""


class WithdrawForm(GovukForm):
    reason = forms.CharField(label="Why (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ModerateForm(GovukForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("return", "Return to the organisation with a reason")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or return"},
    )
    eligibility_checked = forms.BooleanField(
        label="I have checked the organisation's eligibility evidence", required=False
    )
    reason = forms.CharField(label="Reason for returning", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PublishForm(GovukForm):
    """No fields: publishing puts an approved need on the public wish list."""


class CloseForm(GovukForm):
    close_reason = forms.CharField(
        label="Why the need is closed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the need is closed"},
    )


class IntroduceForm(GovukForm):
    supplier = NamedChoice(
        label="Supplier to introduce",
        queryset=None,
        empty_label="Choose a supplier",
        error_messages={"required": "Choose the supplier to introduce"},
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, suppliers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["supplier"]
        assert isinstance(field, NamedChoice)
        field.queryset = suppliers


class PolicyForm(GovukForm):
    live_needs_limit = forms.IntegerField(
        label="Live needs one organisation may have",
        min_value=1,
        max_value=50,
        error_messages={
            "required": "Enter a whole number from 1 to 50",
            "invalid": "Enter a whole number from 1 to 50",
            "min_value": "Enter a whole number from 1 to 50",
            "max_value": "Enter a whole number from 1 to 50",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )


class OfferForm(GovukForm):
    host = NamedChoice(
        label="Wish list",
        queryset=None,
        empty_label="Choose a wish list",
        error_messages={"required": "Choose the wish list to offer it on"},
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title for the offer"})
    description = forms.CharField(
        label="What you offer",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe what you offer"},
    )
    kind = forms.ChoiceField(
        label="Kind of offer",
        choices=NeedKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of offer"},
    )
    quantity = _decimal("Quantity")
    unit = forms.CharField(
        label="Unit",
        max_length=60,
        help_text="Like volunteer days or placements.",
        error_messages={"required": "Enter what the quantity counts, like volunteer days"},
    )
    place = forms.CharField(
        label="Place (optional)", max_length=100, required=False, help_text="A ward or district by name."
    )

    def __init__(self, *args: Any, hosts: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        host = self.fields["host"]
        assert isinstance(host, NamedChoice)
        host.queryset = hosts


class TakeUpForm(GovukForm):
    """No fields: the button takes the offer up."""


class CommitmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        agreement = obj.agreement
        target = f"{obj.target_quantity.normalize():f}"
        return f"{agreement.reference} ({agreement.organisation.name}): {obj.measure.title}, target {target}"


class PledgeForm(GovukForm):
    commitment = CommitmentChoice(
        label="Commitment it counts against",
        queryset=None,
        empty_label="Choose a commitment",
        help_text="Once the recipient confirms delivery, what they received is claimed on your return for it.",
        error_messages={"required": "Choose the commitment the pledge counts against"},
    )
    quantity = _decimal("Quantity you pledge")
    note = forms.CharField(
        label="Note to the organisation (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, commitments: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["commitment"]
        assert isinstance(field, CommitmentChoice)
        field.queryset = commitments


class DeliverForm(GovukForm):
    delivered_on = GovukDateField(label="Date delivered", required=True, help_text="For example, 3 12 2026.")


class PledgeWithdrawForm(GovukForm):
    withdraw_reason = forms.CharField(
        label="Why you withdraw the pledge",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you withdraw the pledge"},
    )


class ConfirmForm(GovukForm):
    received_quantity = _decimal("Quantity received")
    received_on = GovukDateField(label="Date received", required=True, help_text="For example, 3 12 2026.")
    feedback = forms.CharField(
        label="Feedback (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A few words on what it made possible.",
    )
