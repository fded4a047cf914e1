"""Forms for priorities, the proportionality policy, the proposed ask and the plan on a page.
Forms parse input; the rules (valid GSS codes, bands in order, the weighting floor) live in services
and in the proportionality module."""

from collections.abc import Sequence
from typing import Any

from django import forms

from commonweal.core.errors import ApplicationError
from commonweal.core.formatting import percent
from commonweal.frontend.forms import GovukForm, PlaceField
from commonweal.spend.places import place_text

from .models import ContractCategory, OfferKind, ProportionalityBand, ReportingFrequency, SupplierSize
from .proportionality import ADJUSTABLE_PARTS, Ask, PriorityOutcome
from .selectors_priorities import OutcomeWeightRow
from .services_priorities import BAND_FIELDS, WeightInput

YES_NO = [("yes", "Yes"), ("no", "No")]


def _decimal(
    label: str, *, required: bool = True, hint: str = "", what: str = "", width: str = "govuk-input--width-10"
) -> forms.DecimalField:
    what = what or label.lower()
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=hint,
        max_digits=14,
        decimal_places=2,
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"Enter the {what} as a number, like 10 or 207720",
            "max_decimal_places": f"Enter the {what} with no more than 2 decimal places",
            "max_digits": f"Enter a smaller {what}",
            "max_whole_digits": f"Enter a smaller {what}",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": width}),
    )


def _whole(label: str, *, required: bool = True, hint: str = "", what: str = "") -> forms.IntegerField:
    what = what or label.lower()
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=hint,
        error_messages={"required": f"Enter the {what}", "invalid": f"Enter the {what} as a whole number, like 12"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )


def _yes_no(label: str, *, hint: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=hint,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": f"Choose yes or no: {label.lower()}", "invalid_choice": "Choose yes or no"},
    )


def _choice(label: str, choices: Any, *, what: str, radios: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect if radios else forms.Select,
        error_messages={"required": f"Choose {what}", "invalid_choice": f"Choose {what} from the list"},
    )


class OutcomeWeightsForm(GovukForm):
    """A weight and a reason for each outcome of a framework's latest published version."""

    def __init__(
        self, *args: Any, rows: list[OutcomeWeightRow], consultations: Sequence[tuple[int, str]] = (), **kwargs: Any
    ) -> None:
        self.rows = rows
        self.consultations = list(consultations)
        super().__init__(*args, **kwargs)
        for row in rows:
            outcome = row.outcome
            self.fields[self.weight_name(row)] = _decimal(
                f"Weight for {outcome.code} {outcome.title}",
                required=False,
                what="weight",
                width="govuk-input--width-5",
                hint="Higher matters more; leave blank if this outcome is not a priority.",
            )
            self.fields[self.reason_name(row)] = forms.CharField(
                label=f"Why {outcome.code} has this weight",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            if self.consultations:
                self.fields[self.consultation_name(row)] = forms.TypedChoiceField(
                    label=f"Residents' consultation behind {outcome.code}'s weight (optional)",
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[("", "None"), *self.consultations],
                )
            if row.priority is not None:
                self.initial.setdefault(self.weight_name(row), row.priority.weight.normalize())
                self.initial.setdefault(self.reason_name(row), row.priority.reason)
                self.initial.setdefault(self.consultation_name(row), row.priority.consultation_id)
        self.widget_attrs_apply()

    @staticmethod
    def weight_name(row: OutcomeWeightRow) -> str:
        return f"weight_{row.outcome.pk}"

    @staticmethod
    def reason_name(row: OutcomeWeightRow) -> str:
        return f"reason_{row.outcome.pk}"

    @staticmethod
    def consultation_name(row: OutcomeWeightRow) -> str:
        return f"consultation_{row.outcome.pk}"

    def field_pairs(self) -> list[tuple[OutcomeWeightRow, forms.BoundField, forms.BoundField, Any]]:
        """Each outcome's weight, reason and (when the organisation has consultations) consultation fields."""
        return [
            (
                row,
                self[self.weight_name(row)],
                self[self.reason_name(row)],
                self[self.consultation_name(row)] if self.consultations else None,
            )
            for row in self.rows
        ]

    def weights(self) -> dict[str, WeightInput]:
        return {
            row.outcome.code: WeightInput(
                weight=self.cleaned_data.get(self.weight_name(row)),
                reason=self.cleaned_data.get(self.reason_name(row)) or "",
                consultation_id=self.cleaned_data.get(self.consultation_name(row)),
            )
            for row in self.rows
        }

    def add_application_error(self, error: ApplicationError) -> None:
        """The service names fields by outcome code (weight-JOBS.1); this form by outcome id."""
        names = {}
        for row in self.rows:
            names[f"weight-{row.outcome.code}"] = self.weight_name(row)
            names[f"reason-{row.outcome.code}"] = self.reason_name(row)
            names[f"consultation-{row.outcome.code}"] = self.consultation_name(row)
        renamed = {names.get(field, field): message for field, message in error.field_errors.items()}
        super().add_application_error(ApplicationError(error.message, field_errors=renamed))


class FocusAreaForm(GovukForm):
    gss_code = PlaceField(label="Ward or district")
    name = forms.CharField(
        label="Name of the area (optional)",
        required=False,
        max_length=300,
        help_text="Leave it blank to use the ward's or district's own name.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("gss_code") and not (data.get("name") or "").strip():
            data["name"] = place_text(data["gss_code"])
        return data

    reason = forms.CharField(
        label="Why this area",
        required=False,
        help_text="For example, what the index of deprivation shows.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PriorityGroupForm(GovukForm):
    name = forms.CharField(label="Group", required=False, max_length=300, help_text="For example, care leavers.")
    description = forms.CharField(
        label="Description",
        required=False,
        help_text="Who is in the group and why they come first.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BandForm(GovukForm):
    name = forms.CharField(label="Name", max_length=300, error_messages={"required": "Enter a name for the band"})
    category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=[("", "Any category"), *ContractCategory.choices],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose goods, services, works or any"},
    )
    min_value = _decimal(
        "Lowest contract value (£)", what="lowest contract value", hint="The band starts at this value."
    )
    max_value = _decimal(
        "Value the band stops at (£)",
        required=False,
        what="value the band stops at",
        hint="Contracts of this value or more are not in the band. Leave blank for no upper limit.",
    )
    min_months = _whole(
        "Shortest duration (months)", required=False, what="shortest duration", hint="Leave blank for no minimum."
    )
    max_months = _whole(
        "Longest duration (months)",
        required=False,
        what="longest duration",
        hint="Contracts of exactly this duration are in the band. Leave blank for no maximum.",
    )
    supplier_size = _choice("Supplier size", SupplierSize.choices, what="the supplier size the band is for")
    min_weighting_percent = _decimal(
        "Minimum social value weighting (%)",
        what="minimum weighting",
        hint="A percentage of the total score, from 0 to 100.",
        width="govuk-input--width-4",
    )
    outcomes_to_ask = _whole("Outcomes to ask for", what="number of outcomes to ask for")
    offer_kind = _choice("Kind of offer", OfferKind.choices, what="the kind of offer")
    delivery_plan_required = _yes_no("Is a delivery plan required?")
    reporting_frequency = _choice(
        "Reporting", ReportingFrequency.choices, what="how often the supplier reports", radios=False
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        help_text="Where each number comes from. One line per part, starting “Value:”, “Weighting:”, “Outcomes:”, "
        "“Offer:”, “Delivery plan:” or “Reporting:”: each line is shown as the reason for that part when an ask "
        "is proposed. Say “local policy choice” where a number is your own.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, band: ProportionalityBand | None = None, **kwargs: Any) -> None:
        if band is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(band, name) for name in BAND_FIELDS},
                    "delivery_plan_required": "yes" if band.delivery_plan_required else "no",
                },
            )
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in BAND_FIELDS}
        data["category"] = data["category"] or ""
        return data


class PlanPublicationForm(GovukForm):
    summary = forms.CharField(
        label="Summary",
        required=False,
        help_text="A short introduction shown at the top of the plan, 600 characters at most so the plan fits on "
        "one page.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class AskForm(GovukForm):
    """A planned procurement, to propose the social value ask for it."""

    value = _decimal(
        "Estimated contract value (£)",
        what="contract value",
        hint="The whole-life value including VAT, as for procurement thresholds. For example, 250000.",
        width="govuk-input--width-10",
    )
    category = _choice("Category", ContractCategory.choices, what="goods, services or works")
    months = _whole("Duration (months)", what="duration", hint="How long the contract runs, including extensions.")
    supplier_size = _choice(
        "Expected supplier",
        SupplierSize.choices,
        what="the expected supplier size",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        help_text="What is being bought. Outcomes whose titles share words with it are suggested first.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier_size"].initial = SupplierSize.ANY
        self.fields[
            "supplier_size"
        ].help_text = "Choose “Any size” if you do not know. SMEs and VCSEs may get a lighter ask."
        self.widget_attrs_apply()


class AskAdjustForm(GovukForm):
    """The officer's changes to a proposed ask, each with a reason. Field names are the parts of an ask."""

    weighting = _decimal("Minimum social value weighting (%)", what="weighting", width="govuk-input--width-4")
    weighting_reason = forms.CharField(label="Why you changed the weighting", required=False)
    outcomes = forms.MultipleChoiceField(
        label="Outcomes to ask for",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose outcomes from the list"},
    )
    outcomes_reason = forms.CharField(label="Why you changed the outcomes", required=False)
    offer = _choice("Kind of offer", OfferKind.choices, what="the kind of offer")
    offer_reason = forms.CharField(label="Why you changed the kind of offer", required=False)
    delivery_plan = _yes_no("Is a delivery plan required?")
    delivery_plan_reason = forms.CharField(label="Why you changed the delivery plan", required=False)
    reporting = _choice("Reporting", ReportingFrequency.choices, what="how often the supplier reports", radios=False)
    reporting_reason = forms.CharField(label="Why you changed the reporting", required=False)

    def __init__(self, *args: Any, proposal: Ask, choices: list[PriorityOutcome], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "weighting": proposal.min_weighting_percent.normalize(),
                "outcomes": list(proposal.outcome_keys),
                "offer": proposal.offer_kind,
                "delivery_plan": "yes" if proposal.delivery_plan_required else "no",
                "reporting": proposal.reporting_frequency,
            },
        )
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.choices = {outcome.key: outcome for outcome in choices}
        outcomes = self.fields["outcomes"]
        assert isinstance(outcomes, forms.MultipleChoiceField)
        outcomes.choices = [(o.key, f"{o.label} (weight {o.weight.normalize():f})") for o in choices]
        self.fields[
            "weighting"
        ].help_text = (
            f"At least {percent(proposal.min_weighting_percent)}, the minimum band “{proposal.band_name}” sets."
        )
        self.widget_attrs_apply()

    def widget_attrs_apply(self) -> None:
        super().widget_attrs_apply()
        if "outcomes" in self.fields:  # GovukForm does not style a list of checkboxes: this form does
            self.fields["outcomes"].widget.attrs["class"] = "govuk-checkboxes__input"
            self.fields["outcomes"].widget.attrs.pop("aria-describedby", None)

    def reasons(self) -> dict[str, str]:
        return {part: self.cleaned_data.get(f"{part}_reason") or "" for part in ADJUSTABLE_PARTS}
