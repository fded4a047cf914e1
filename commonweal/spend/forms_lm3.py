"""Forms for LM3 surveys: a survey's title and period, one answer, and a file of answers. Forms take
percentages and give services fractions; the rules live in services_lm3."""

from decimal import Decimal
from typing import Any

from django import forms

from commonweal.core.formatting import money
from commonweal.frontend.forms import GovukForm

from .analytics import SupplierReceipt
from .models import RespondentKind
from .rules import LM3_RESPONDENT_MAX, LM3_TITLE_MAX

DATE_FORMATS = ["%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]
HUNDRED = Decimal("100")
NOT_LISTED = ""


def _date(label: str, hint: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=hint,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": f"{label} must be a real date, like 1/4/2024"},
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}, format="%d/%m/%Y"),
    )


def _percent(label: str, hint: str) -> forms.DecimalField:
    short = label.removesuffix(" (%)")
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=hint,
        error_messages={
            "invalid": f"Enter {short[0].lower()}{short[1:]} as a percentage, like 20 or 12.5",
            # These messages take parameters, so a percent sign is written %%.
            "min_value": f"{short} must be from 0%% to 100%%",
            "max_value": f"{short} must be from 0%% to 100%%",
            "max_decimal_places": f"Enter {short[0].lower()}{short[1:]} with no more than 2 decimal places",
            "max_digits": f"{short} must be from 0%% to 100%%",
            "max_whole_digits": f"{short} must be from 0%% to 100%%",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )


class Lm3SurveyForm(GovukForm):
    title = forms.CharField(
        label="Title",
        required=False,
        max_length=LM3_TITLE_MAX,
        help_text="For example, Supplier survey 2024 to 2025.",
        error_messages={"max_length": f"The title must be {LM3_TITLE_MAX} characters or fewer"},
    )
    period_start = _date("Period starts", "The first day of the spend counted, for example 1/4/2024.")
    period_end = _date("Period ends", "The last day of the spend counted, for example 31/3/2025.")


class Lm3ResponseForm(GovukForm):
    respondent_kind = forms.ChoiceField(
        label="Who answered",
        required=False,
        choices=RespondentKind.choices,
        widget=forms.RadioSelect,
    )
    respondent_supplier = forms.ChoiceField(
        label="Local supplier",
        required=False,
        help_text="The local supplier that answered, or that the employee works for. Only suppliers classified "
        "local and paid in the survey’s period are listed.",
    )
    respondent = forms.CharField(
        label="Respondent",
        required=False,
        max_length=LM3_RESPONDENT_MAX,
        help_text="A name or reference for the person or business that answered.",
        error_messages={"max_length": f"Who answered must be {LM3_RESPONDENT_MAX} characters or fewer"},
    )
    local_supplier_percent = _percent(
        "Share of income spent with local suppliers (%)", "For a supplier’s answer. For example, 25."
    )
    local_staff_percent = _percent(
        "Share of income paid to local staff (%)", "For a supplier’s answer. Leave blank for 0%."
    )
    local_respend_percent = _percent(
        "Share of pay spent locally (%)", "For an employee’s answer: how much of their pay they spend in the area."
    )

    def __init__(self, *args: Any, suppliers: list[SupplierReceipt], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["respondent_supplier"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (NOT_LISTED, "Not in the list"),
            *((str(item.supplier_id), f"{item.name} ({money(item.amount)})") for item in suppliers),
        ]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        supplier = data.get("respondent_supplier")

        def share(name: str) -> Decimal | None:
            value = data.get(name)
            return None if value is None else value / HUNDRED

        return {
            "kind": data.get("respondent_kind") or "",
            "supplier_id": int(supplier) if supplier else None,
            "respondent": data.get("respondent") or "",
            "local_supplier_share": share("local_supplier_percent"),
            "local_staff_share": share("local_staff_percent"),
            "local_respend_share": share("local_respend_percent"),
        }


class Lm3UploadForm(GovukForm):
    responses_file = forms.FileField(
        label="Upload a CSV file of answers",
        required=False,
        help_text="A CSV file with the columns kind, supplier, respondent, local_supplier_percent, "
        "local_staff_percent and local_respend_percent.",
    )

    def clean_responses_file(self) -> Any:
        file = self.cleaned_data.get("responses_file")
        if file is None:
            raise forms.ValidationError("Select a CSV file")
        return file
