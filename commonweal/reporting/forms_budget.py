"""Forms for departments, financial years and budget lines. Forms parse input (labels from lines of text,
numbers, choices among the organisation's own); the rules live in services_budget."""

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings

from commonweal.core.uploads import size_label
from commonweal.frameworks.models import Measure
from commonweal.frameworks.selectors_value_sets import value_set_label
from commonweal.frontend.forms import GovukForm
from commonweal.tenancy.models import Department, SpendLabelKind
from commonweal.tenancy.selectors import Member

from . import selectors_budget
from .models import BudgetLine, FinancialYear, MoneyBasis


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _labels_field(label: str, hint: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=hint, widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})
    )


class _ValueSetChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return value_set_label(obj)


def _value_set_field(label: str, hint: str, empty: str) -> _ValueSetChoice:
    return _ValueSetChoice(
        queryset=None,
        label=label,
        required=False,
        help_text=hint,
        empty_label=empty,
        error_messages={"invalid_choice": "Choose one of your organisation’s value sets"},
    )


def _target_field(label: str, hint: str, what: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=hint,
        error_messages={
            "invalid": f"Enter the {what} as a number, like 12 or 3.5",
            "max_decimal_places": f"Enter the {what} with no more than 2 decimal places",
            "max_digits": f"The {what} is too large",
            "max_whole_digits": f"The {what} is too large",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )


class DepartmentForm(GovukForm):
    name = forms.CharField(
        label="Name",
        required=False,
        help_text="As people in your organisation call it, for example Highways and Transport.",
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    service_areas = _labels_field(
        "Service areas in your spend files (optional)",
        "One a line, written as they appear in the service area column of your published spend. "
        "A service area belongs to one department.",
    )
    cost_centres = _labels_field(
        "Cost centres in your spend files (optional)",
        "One a line, for example CC-4120. A cost centre belongs to one department.",
    )

    @classmethod
    def initial_for(cls, department: Department) -> dict[str, Any]:
        labels: dict[str, list[str]] = {kind: [] for kind in SpendLabelKind.values}
        for label in department.spend_labels.all():
            labels[label.kind].append(label.label)
        return {
            "name": department.name,
            "service_areas": "\n".join(sorted(labels[SpendLabelKind.SERVICE_AREA])),
            "cost_centres": "\n".join(sorted(labels[SpendLabelKind.COST_CENTRE])),
        }

    def service_arguments(self) -> dict[str, Any]:
        return {
            "name": self.cleaned_data["name"],
            "service_areas": _lines(self.cleaned_data["service_areas"]),
            "cost_centres": _lines(self.cleaned_data["cost_centres"]),
        }


class YearForm(GovukForm):
    start_year = forms.IntegerField(
        label="The year it starts in",
        required=False,
        help_text="A financial year runs from 1 April to 31 March: enter 2026 for 2026/27.",
        error_messages={"invalid": "Enter the year as 4 digits, like 2026"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )
    value_set = _value_set_field(
        "Value set (optional)",
        "Turns the year’s quantities into gross and net £. Without one, the year’s figures have no £.",
        "None",
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        value_set = self.fields["value_set"]
        assert isinstance(value_set, forms.ModelChoiceField)
        value_set.queryset = selectors_budget.value_set_choice_list(member=member)
        self.widget_attrs_apply()


class YearValueSetForm(YearForm):
    @classmethod
    def initial_for(cls, year: FinancialYear) -> dict[str, Any]:
        return {"value_set": year.value_set_id}

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, member=member, **kwargs)
        del self.fields["start_year"]


class BudgetLineForm(GovukForm):
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        queryset=None,
        label="Department",
        required=False,
        empty_label="Choose a department",
        error_messages={"invalid_choice": "Choose one of your organisation’s departments"},
    )
    measure_code = forms.ChoiceField(
        label="Measure",
        required=False,
        help_text="From your organisation’s published frameworks.",
        error_messages={"invalid_choice": "Choose one of the listed measures"},
    )
    target_quantity = _target_field(
        "Quantity of the measure",
        "In the measure’s unit, for example 12 apprenticeships. Leave blank if you set an amount in pounds.",
        "quantity",
    )
    target_amount = _target_field(
        "Or an amount in pounds (£)",
        "The money equivalent to aim for, for example 250000. Leave blank if you set a quantity.",
        "amount",
    )
    amount_basis = forms.ChoiceField(
        label="Is the amount gross or net? (for an amount only)",
        required=False,
        choices=MoneyBasis.choices,
        widget=forms.RadioSelect,
        help_text="Net is what is left once deadweight, attribution, displacement and drop-off are taken off.",
    )
    value_set = _value_set_field(
        "Value set (for an amount only)",
        "The value set that turns quantities of the measure into pounds.",
        "None",
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        help_text="Why this figure, or where it comes from.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, member: Member, measures: list[Measure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        assert isinstance(department, forms.ModelChoiceField)
        department.queryset = selectors_budget.department_list(member=member)
        value_set = self.fields["value_set"]
        assert isinstance(value_set, forms.ModelChoiceField)
        value_set.queryset = selectors_budget.value_set_choice_list(member=member)
        measure = self.fields["measure_code"]
        assert isinstance(measure, forms.ChoiceField)
        measure.choices = [("", "Choose a measure")] + [
            (item.code, f"{item.code} {item.title} ({item.get_unit_display()})") for item in measures
        ]
        self.widget_attrs_apply()

    @classmethod
    def initial_for(cls, line: BudgetLine) -> dict[str, Any]:
        return {
            "department": line.department_id,
            "measure_code": line.measure.code,
            "target_quantity": line.target_quantity,
            "target_amount": line.target_amount,
            "amount_basis": line.amount_basis,
            "value_set": line.value_set_id,
            "note": line.note,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        quantity: Decimal | None = data["target_quantity"]
        amount: Decimal | None = data["target_amount"]
        return {
            "department": data["department"],
            "measure_code": data["measure_code"],
            "target_quantity": quantity,
            "target_amount": amount,
            "amount_basis": data["amount_basis"],
            "value_set": data["value_set"],
            "note": data["note"],
        }


class BudgetLinesUploadForm(GovukForm):
    lines_file = forms.FileField(label="Budget lines file", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lines_file"].help_text = (
            f"An XLSX file (the first sheet is read), smaller than {size_label(settings.EVIDENCE_MAX_BYTES)}, "
            "with the columns of the download: department, measure code, quantity, amount, basis, value set code "
            "and note."
        )
        self.widget_attrs_apply()
