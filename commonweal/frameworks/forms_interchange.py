"""The form for importing a framework file. The form checks the upload; the file's content is read by
`interchange.document_parse` and the rules are kept by `services.framework_import`."""

from typing import Any

from django import forms

from commonweal.core.errors import ApplicationError
from commonweal.core.uploads import FileType, size_label, upload_check
from commonweal.frontend.forms import GovukForm

from .models import Framework

FRAMEWORK_FILE_TYPES: dict[str, FileType] = {
    ".yaml": FileType("application/yaml"),
    ".yml": FileType("application/yaml"),
    ".json": FileType("application/json"),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".csv": FileType("text/csv"),
}
# A framework of several thousand measures with its values is well under 1 MB in any of the formats.
FRAMEWORK_FILE_MAX_BYTES = 5 * 1024 * 1024
CODE_MAX = Framework._meta.get_field("code").max_length
TITLE_MAX = Framework._meta.get_field("title").max_length


class FrameworkImportForm(GovukForm):
    file = forms.FileField(
        label="Framework file",
        help_text=f"A YAML, JSON, XLSX or CSV file, smaller than {size_label(FRAMEWORK_FILE_MAX_BYTES)}, laid out "
        "as the guide below describes.",
        error_messages={"required": "Select a framework file", "empty": "The selected file is empty"},
    )
    code = forms.CharField(
        label="Code (optional)",
        required=False,
        max_length=CODE_MAX,
        error_messages={"max_length": f"Code must be {CODE_MAX} characters or fewer"},
        help_text="Leave blank to use the code in the file. Importing a file with the code of an existing "
        "framework adds a new version of it if anything changed.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )
    title = forms.CharField(
        label="Title (optional)",
        required=False,
        max_length=TITLE_MAX,
        error_messages={"max_length": f"Title must be {TITLE_MAX} characters or fewer"},
        help_text="Leave blank to use the title in the file.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            upload_check(upload, types=FRAMEWORK_FILE_TYPES, max_bytes=FRAMEWORK_FILE_MAX_BYTES, field="file")
        except ApplicationError as error:
            raise forms.ValidationError(error.field_errors["file"]) from None
        return upload
