"""Forms for the supplier pages: search, overrides, the spend policy, the Living Wage list and flags files.
Forms parse input; the rules (valid district codes, a reason for an override) live in the services."""

from typing import Any

from django import forms
from django.conf import settings

from commonweal.core.errors import ApplicationError
from commonweal.core.uploads import FileType, upload_check
from commonweal.frontend.forms import GovukForm

from .models import Label, SpendPolicy
from .rules import RULE_FIELDS, PolicyRule
from .selectors_suppliers import SUPPLIER_SORTS, VALUE_FILTERS

# A list of names may come as a CSV or as plain text, one name a line.
LIST_TYPES = {".csv": FileType("text/csv"), ".txt": FileType("text/plain")}
FLAGS_TYPES = {".json": FileType("application/json"), ".csv": FileType("text/csv")}
BLANK_RULE_ROWS = 2  # empty rows under the existing rules, to add new ones without JavaScript


class SupplierSearchForm(GovukForm):
    q = forms.CharField(label="Name contains", required=False, max_length=200)
    label = forms.ChoiceField(
        label="Classification", required=False, choices=[("", "Any classification"), *Label.choices]
    )
    value = forms.ChoiceField(
        label="Is", required=False, choices=[("", "Yes, no or not known"), *VALUE_FILTERS.items()]
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=list(SUPPLIER_SORTS.items()))

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"query": "", "label": "", "value": "", "sort": "spend"}
        return {
            "query": self.cleaned_data["q"],
            "label": self.cleaned_data["label"],
            "value": self.cleaned_data["value"],
            "sort": self.cleaned_data["sort"] or "spend",
        }


class OverrideForm(GovukForm):
    override_label = forms.ChoiceField(
        label="Classification",
        choices=Label.choices,
        error_messages={"required": "Choose the classification to override", "invalid_choice": "Choose from the list"},
    )
    override_value = forms.TypedChoiceField(
        label="Is this supplier one?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no", "invalid_choice": "Choose yes or no"},
    )
    override_reason = forms.CharField(
        label="Why",
        required=False,
        help_text="What you know that the data does not, for example “registered office moved to Sale in 2024”. "
        "Your override beats every derived label until you remove it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OverrideRemoveForm(forms.Form):
    remove_label = forms.ChoiceField(choices=Label.choices)


class PolicyForm(GovukForm):
    """The local districts, and rules for spend the organisation cannot influence (one row per rule)."""

    local_districts = forms.CharField(
        label="Local districts",
        required=False,
        help_text="The local authority districts that count as local, one per line: a 9-character ONS GSS code "
        "such as E08000009, or a district's name such as Trafford. A supplier is local when its postcode is "
        "in one of them. Leave empty and no supplier is classed local or not local.",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, policy: SpendPolicy, **kwargs: Any) -> None:
        rules = list(policy.not_influenceable_rules or [])
        initial = {"local_districts": "\n".join(policy.local_district_codes or [])}
        for index, rule in enumerate(rules):
            initial[f"rule_field_{index}"] = rule.get("field", "")
            initial[f"rule_contains_{index}"] = rule.get("contains", "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.rule_count = len(rules) + BLANK_RULE_ROWS
        if self.is_bound:  # rows sent back, including rows the person filled in
            sent = [key for key in self.data if key.startswith("rule_field_")]
            numbers = [int(key.rsplit("_", 1)[1]) for key in sent if key.rsplit("_", 1)[1].isdigit()]
            self.rule_count = max([self.rule_count, *(number + 1 for number in numbers)])
        for index in range(self.rule_count):
            self.fields[f"rule_field_{index}"] = forms.ChoiceField(
                label=f"Rule {index + 1}: field",
                required=False,
                choices=[("", "No rule"), *RULE_FIELDS.items()],
                error_messages={"invalid_choice": "Choose expense type, service area or supplier name"},
            )
            self.fields[f"rule_contains_{index}"] = forms.CharField(
                label=f"Rule {index + 1}: contains", required=False, max_length=200
            )
        self.widget_attrs_apply()

    def rule_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (index + 1, self[f"rule_field_{index}"], self[f"rule_contains_{index}"]) for index in range(self.rule_count)
        ]

    def district_entries(self) -> list[str]:
        text = self.cleaned_data.get("local_districts") or ""
        return [part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()]

    def rules(self) -> list[PolicyRule]:
        """The rules filled in; a row with neither a field nor text is no rule."""
        rules = []
        for index in range(self.rule_count):
            field = self.cleaned_data.get(f"rule_field_{index}") or ""
            contains = self.cleaned_data.get(f"rule_contains_{index}") or ""
            if field or contains.strip():
                rules.append(PolicyRule(field=field, contains=contains))
        return rules

    def add_application_error(self, error: ApplicationError) -> None:
        """The service numbers rules among those filled in; this form numbers rows. Map one to the other."""
        filled = [
            index
            for index in range(self.rule_count)
            if self.cleaned_data.get(f"rule_field_{index}")
            or (self.cleaned_data.get(f"rule_contains_{index}") or "").strip()
        ]
        renamed = {}
        for name, message in error.field_errors.items():
            prefix, _, number = name.rpartition("_")
            if prefix in ("rule_field", "rule_contains") and number.isdigit() and int(number) < len(filled):
                name = f"{prefix}_{filled[int(number)]}"
            renamed[name] = message
        super().add_application_error(ApplicationError(error.message, field_errors=renamed))


class _UploadForm(GovukForm):
    field_name = ""
    types: dict[str, FileType] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get(self.field_name)
        if upload is not None:
            try:
                upload_check(upload, types=self.types, max_bytes=settings.SPEND_UPLOAD_MAX_BYTES, field=self.field_name)
            except ApplicationError as error:
                self.add_error(self.field_name, error.field_errors.get(self.field_name, error.message))
        return cleaned


class LivingWageUploadForm(_UploadForm):
    field_name = "living_wage_file"
    types = LIST_TYPES
    living_wage_file = forms.FileField(
        label="Upload the employer list",
        help_text="A CSV file with one employer per row, in a column headed “Employer”, “Name” or “Organisation”, "
        "or a text file with one name a line. It replaces the list you have now.",
        error_messages={"required": "Select a CSV file of employer names"},
    )


class FlagsUploadForm(_UploadForm):
    field_name = "flags_file"
    types = FLAGS_TYPES
    flags_file = forms.FileField(
        label="Upload a file of supplier flags",
        help_text="An OCDS release or record package (JSON), 360Giving grants (JSON or CSV), or a size list (CSV "
        "with “name” and “size” columns: micro, small, medium or large).",
        error_messages={"required": "Select an OCDS, 360Giving or size list file"},
    )


class ClassificationSheetForm(_UploadForm):
    field_name = "sheet_file"
    types = {".csv": FileType("text/csv")}
    sheet_file = forms.FileField(
        label="Upload the classification sheet",
        help_text="A CSV file with a “supplier” column and any of “postcode”, “companies house number”, “sme”, "
        "“vcse” and “real living wage” (yes or no; leave a cell blank when you do not know).",
        error_messages={"required": "Select a CSV file of suppliers and what you know of them"},
    )
