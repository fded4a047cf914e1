"""Forms for importing spend files: the upload, and confirming which column holds what."""

from typing import Any

import django_filters
from django import forms
from django.conf import settings

from commonweal.core.errors import ApplicationError
from commonweal.core.uploads import FileType, size_label, upload_check
from commonweal.frontend.forms import GovukForm
from commonweal.frontend.listing import ListFilters, search_filter, sort_filter

from . import reading
from .models import ImportStatus
from .rules import DEFAULT_SOURCE

ZIP = (b"PK\x03\x04",)
SPEND_FILE_TYPES: dict[str, FileType] = {
    ".csv": FileType("text/csv"),
    ".txt": FileType("text/plain"),
    ".zip": FileType("application/zip", ZIP),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
}
PREFIX = "column_"
FIELD_LABELS: dict[str, str] = {
    "payment_date": "Payment date",
    "amount": "Amount",
    "supplier_name": "Supplier name",
    "transaction_ref": "Transaction reference",
    "body": "Paying body",
    "service_area": "Service area",
    "expense_type": "Expense type",
    "category_code": "Category code",
    "description": "Description",
    "supplier_postcode": "Supplier postcode",
    "companies_house_number": "Companies House number",
    "vat_number": "VAT number",
    "charity_number": "Charity number",
    "irrecoverable_vat": "Irrecoverable VAT",
    reading.FALLBACK_DATE: "Date to use when the payment date is missing",
}


class SpendUploadForm(GovukForm):
    spend_file = forms.FileField(
        label="Spend file",
        help_text=f"A CSV, XLSX, or a ZIP holding one CSV, smaller than {size_label(settings.SPEND_UPLOAD_MAX_BYTES)}.",
        error_messages={"required": "Select a spend file", "empty": "The selected file is empty"},
    )
    spend_source = forms.CharField(
        label="Where the file comes from",
        max_length=200,
        required=False,
        initial=DEFAULT_SOURCE,
        help_text="For example “Supplier payments over £500”. Once you confirm the columns of a file, the next "
        "file from the same source with the same columns imports without asking.",
    )

    no_header = forms.BooleanField(
        label="The file has no header row: its first line is a payment",
        required=False,
        help_text="You will then say which column holds what from the file’s first rows.",
    )

    def clean_spend_file(self) -> Any:
        upload = self.cleaned_data["spend_file"]
        try:
            upload_check(upload, types=SPEND_FILE_TYPES, max_bytes=settings.SPEND_UPLOAD_MAX_BYTES, field="spend_file")
        except ApplicationError as error:
            raise forms.ValidationError(error.field_errors["spend_file"]) from None
        return upload

    def clean_spend_source(self) -> str:
        return (self.cleaned_data.get("spend_source") or "").strip() or DEFAULT_SOURCE


class SpendMappingForm(GovukForm):
    """One select per canonical field (named `column_<field>`), listing the file's columns; the detected
    column is preselected."""

    def __init__(self, *args: Any, columns: list[str], initial_mapping: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not in this file"), *[(name, name.strip()) for name in columns]]
        for name, meaning in reading.MAPPING_FIELDS.items():
            required = name in reading.REQUIRED_MAPPING
            self.fields[PREFIX + name] = forms.ChoiceField(
                label=FIELD_LABELS[name],
                choices=choices,
                required=required,
                initial=initial_mapping.get(name, ""),
                help_text=meaning + ("" if required else " (optional)."),
                error_messages={
                    "required": f"Select the column that holds the {FIELD_LABELS[name].lower()}",
                    "invalid_choice": "Select one of the file’s columns",
                },
            )
        self.widget_attrs_apply()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen: dict[str, str] = {}
        for name in reading.MAPPING_FIELDS:
            column = cleaned.get(PREFIX + name)
            if not column:
                continue
            if column in seen:
                self.add_error(
                    PREFIX + name, f"“{column.strip()}” is already chosen for the {FIELD_LABELS[seen[column]].lower()}"
                )
            else:
                seen[column] = name
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[PREFIX + name]
            for name in reading.MAPPING_FIELDS
            if self.cleaned_data.get(PREFIX + name)
        }


class ImportFilters(ListFilters):
    """The spend imports: search by file or source name, status, and the sort order (newest first)."""

    search = search_filter("Search", "original_name", "source__name")
    status = django_filters.ChoiceFilter(label="Status", choices=ImportStatus.choices, empty_label="Any status")
    sort = sort_filter(
        [("-created_at", "Newest first"), ("created_at", "Oldest first"), ("-rows_rejected", "Most rows rejected")],
        default="-created_at",
    )
