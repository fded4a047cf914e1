"""The form of the OCDS import page: one or more release package files."""

from typing import Any

from django import forms
from django.conf import settings

from commonweal.core.errors import ApplicationError
from commonweal.core.uploads import FileType, upload_check
from commonweal.frontend.forms import GovukForm, MultipleFileField

OCDS_TYPES = {".json": FileType("application/json")}
MAX_FILES = 200
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # a Contracts Finder package is a few kilobytes; a bulk one a few MB


class OcdsImportForm(GovukForm):
    ocds_files = MultipleFileField(
        label="Upload OCDS files",
        required=False,
        help_text="One or more OCDS release packages (.json) from Contracts Finder, each a notice of your "
        "organisation. You can select several files at once.",
    )

    def clean_ocds_files(self) -> list[Any]:
        files = self.cleaned_data.get("ocds_files") or []
        if not files:
            raise forms.ValidationError("Select at least one OCDS file")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Select {MAX_FILES} files or fewer at a time")
        for upload in files:
            try:
                upload_check(
                    upload,
                    types=OCDS_TYPES,
                    max_bytes=getattr(settings, "OCDS_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES),
                    field="ocds_files",
                )
            except ApplicationError as error:
                message = error.field_errors.get("ocds_files", error.message)
                raise forms.ValidationError(f"{upload.name}: {message}") from None
        return files
