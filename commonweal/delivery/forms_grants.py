"""The form of the 360Giving import page: one or more files of grants (JSON, CSV or XLSX)."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.functional import lazy

from commonweal.core.errors import ApplicationError
from commonweal.core.uploads import ZIP, FileType, describe_types, size_label, upload_check
from commonweal.frontend.forms import GovukForm, MultipleFileField, MultipleFileInput

GRANT_FILE_TYPES = {
    ".json": FileType("application/json"),
    ".csv": FileType("text/csv"),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
}
MAX_FILES = 50
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # Trafford's 555 grants are 0.9 MB as JSON, 0.3 MB as CSV


def grants_max_bytes() -> int:
    return int(getattr(settings, "GRANTS_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _hint() -> str:
    return (
        f"{describe_types(GRANT_FILE_TYPES)} files with the 360Giving column titles, or 360Giving JSON packages, "
        f"each smaller than {size_label(grants_max_bytes())}. You can select several files at once."
    )


class GrantsImportForm(GovukForm):
    grant_files = MultipleFileField(
        label="Upload 360Giving files",
        required=False,
        widget=MultipleFileInput(attrs={"accept": ",".join(GRANT_FILE_TYPES)}),
        help_text=lazy(_hint, str)(),  # read when shown, so it follows the setting
    )

    def clean_grant_files(self) -> list[Any]:
        files = self.cleaned_data.get("grant_files") or []
        if not files:
            raise forms.ValidationError("Select at least one 360Giving file")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Select {MAX_FILES} files or fewer at a time")
        for upload in files:
            try:
                upload_check(upload, types=GRANT_FILE_TYPES, max_bytes=grants_max_bytes(), field="grant_files")
            except ApplicationError as error:
                message = error.field_errors.get("grant_files", error.message)
                raise forms.ValidationError(f"{upload.name}: {message}") from None
        return files
