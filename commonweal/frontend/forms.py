"""Django forms rendered as GOV.UK Frontend components: labels, hints, error messages and classes, and the
fields every app shares (a GOV.UK date input, several files from one upload input)."""

from datetime import date
from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import ErrorDict

from commonweal.core.dates import date_window_error
from commonweal.core.errors import ApplicationError

WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "csvselect": "govuk-select",  # a list's sort order (django-filter)
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
    "radioselect": "govuk-radios__input",
    "checkbox": "govuk-checkboxes__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
}
# Radios and checkboxes show an error on their form group only (GOV.UK): their inputs get no error class.
ERROR_CLASSES = {
    "textarea": "govuk-textarea--error",
    "select": "govuk-select--error",
    "csvselect": "govuk-select--error",
    "clearablefile": "govuk-file-upload--error",
    "file": "govuk-file-upload--error",
    "radioselect": "",
    "checkbox": "",
    "checkboxselectmultiple": "",
}


# Classes this module sets (and resets as errors come and go); width and override classes a form sets stay.
MANAGED_CLASSES = set(WIDGET_CLASSES.values()) | set(ERROR_CLASSES.values()) | {"govuk-input", "govuk-input--error"}


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"


class GovukForm(forms.Form):
    """Adds GOV.UK classes and ARIA links to every widget, and takes errors from services."""

    _errors: ErrorDict | None
    _bound_fields_cache: dict[str, Any]

    def widget_attrs_apply(self) -> None:
        # Reads errors only once validation has run: reading `.errors` here would validate too early.
        errors: ErrorDict | dict[str, object] = self._errors or {}
        for name, field in self.fields.items():
            bound = self[name]
            kind = bound.widget_type
            css = [WIDGET_CLASSES.get(kind, "govuk-input")]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}-hint")
            if name in errors:
                css.append(ERROR_CLASSES.get(kind, "govuk-input--error"))
                described.append(f"{bound.auto_id}-error")
            existing = field.widget.attrs.get("class", "")
            kept = [c for c in existing.split() if c not in MANAGED_CLASSES]
            field.widget.attrs["class"] = " ".join(kept + [name for name in css if name])
            if described and kind not in ("radioselect",):
                field.widget.attrs["aria-describedby"] = " ".join(described)
        # A bound field copies its field's help text when first made: forget them, so that a hint a form
        # sets after this (the evidence files' types and size) is the one shown.
        self._bound_fields_cache.clear()

    def full_clean(self) -> None:
        super().full_clean()
        self.widget_attrs_apply()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.widget_attrs_apply()

    def add_application_error(self, error: ApplicationError) -> None:
        """Show a service's refusal on the form: per field where it names one, else on the whole form, with
        each of its problems that names no field of this form (a file's lines, say) on a line of its own."""
        placed = False
        for field, message in error.field_errors.items():
            if field in self.fields:
                self.add_error(field, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)
            for message in error.field_errors.values():
                self.add_error(None, message)
        self.widget_attrs_apply()


class DateWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes, sent as <name>_day, <name>_month, <name>_year."""

    template_name = "govuk/date_input_widget.html"

    def __init__(self) -> None:
        super().__init__({"day": forms.TextInput(), "month": forms.TextInput(), "year": forms.TextInput()})

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.Field):
    """A date from a GOV.UK date input, with the design system's error messages."""

    widget = DateWidget

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(label=label, template_name="govuk/date_input.html", **kwargs)

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        parts = [str(part or "").strip() for part in (value or [None, None, None])]
        day, month, year = parts
        name = str(self.label)
        if not any(parts):
            return None
        missing = [what for what, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            raise forms.ValidationError(f"{name} must include a {' and a '.join(missing)}")
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError(f"{name} must be a real date, in numbers, like 31 3 2027")
        if len(year) != 4:
            raise forms.ValidationError(f"{name}: enter the year as 4 digits, like 2027")
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"{name} must be a real date") from None
        if message := date_window_error(value, name=name):
            raise forms.ValidationError(message)
        return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; empty when none is chosen."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class PlaceField(forms.CharField):
    """A ward or district chosen by name, stored as its ONS GSS code. A plain text box that works without
    JavaScript (a name, "Ward, District", or a code); with it, suggestions appear as the person types
    (the accessible autocomplete, fed by /places/)."""

    default_help = "Type the ward and its district, like Altrincham, Trafford, or a district, like Trafford."

    def __init__(self, *, label: str, help_text: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        super().__init__(label=label, help_text=help_text or self.default_help, **kwargs)
        self.widget.attrs.update(
            {"class": "govuk-input--width-20", "spellcheck": "false", "data-module": "app-place-autocomplete"}
        )

    def to_python(self, value: Any) -> str:
        from commonweal.spend.places import PlaceNotFound, place_find

        text = super().to_python(value)
        if not text:
            return ""
        try:
            return place_find(text)
        except PlaceNotFound as error:
            raise forms.ValidationError(str(error)) from None

    def prepare_value(self, value: Any) -> Any:
        from commonweal.spend.places import GSS_DISTRICT, place_text

        text = str(value or "")
        return place_text(text) if GSS_DISTRICT.match(text.strip().upper()) else text
