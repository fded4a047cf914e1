"""Forms for framework versions: forking, drafting, editing items, publishing, sharing and comparing.
Forms parse input; the rules (unique codes, drafts only, who may edit) live in the services."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from commonweal.frontend.forms import GovukForm
from commonweal.tenancy.models import Organisation

from .models import FrameworkVersion, Outcome, Theme, UnitKind, ValueType

CODE_HINT = "Letters, numbers, full stops and hyphens, like JOBS.1.3. The code stays the same in later versions."
KEPT_CODE_HINT = (
    "Value sets and priorities find items by code, so the code cannot change. To use a new code, "
    "remove this item and add a new one."
)


def _choose(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> forms.ChoiceField:
    """Set the choices of a choice field that depend on the request; returns the field."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices
    return field


def _text(label: str, *, max_length: int, hint: str = "", width: str = "", required: bool = False) -> forms.CharField:
    attrs = {"class": width} if width else {}
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=hint,
        widget=forms.TextInput(attrs=attrs),
        error_messages={"max_length": f"{label} must be {max_length} characters or fewer"},
    )


def _area(label: str, *, hint: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, required=False, help_text=hint, widget=forms.Textarea(attrs={"rows": rows}))


class ForkForm(GovukForm):
    code = _text(
        "Code",
        max_length=60,
        hint="A short name for your copy, unique in your organisation: letters, numbers and hyphens, like "
        "local-framework.",
        width="govuk-input--width-20",
    )
    title = _text("Title", max_length=200, hint="What your organisation will call this framework.")


class TemplateUseForm(ForkForm):
    template = forms.ChoiceField(
        label="Template", widget=forms.RadioSelect, error_messages={"required": "Choose a template"}
    )

    def __init__(self, *args: Any, templates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _choose(self, "template", [(t.key, t.title) for t in templates])
        field.error_messages["invalid_choice"] = "Choose one of the templates listed"
        self.order_fields(["template", "code", "title"])
        self.widget_attrs_apply()


class ThemeForm(GovukForm):
    code = _text("Code", max_length=30, hint=CODE_HINT, width="govuk-input--width-10")
    title = _text("Title", max_length=300)
    description = _area("Description (optional)")

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]


class OutcomeForm(ThemeForm):
    theme = forms.TypedChoiceField(label="Theme", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, themes: QuerySet[Theme] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if themes is None:
            del self.fields["theme"]
        else:
            field = _choose(self, "theme", [(theme.pk, f"{theme.code} {theme.title}") for theme in themes])
            field.help_text = "To move the outcome, choose another theme."
            field.error_messages["invalid_choice"] = "Choose a theme from the list"
            self.order_fields(["code", "title", "theme", "description"])
        self.widget_attrs_apply()

    def chosen_theme(self, themes: QuerySet[Theme]) -> Theme | None:
        pk = self.cleaned_data.get("theme")
        return themes.get(pk=pk) if pk else None


class MeasureForm(GovukForm):
    code = _text("Code", max_length=30, hint=CODE_HINT, width="govuk-input--width-10")
    title = _text("Title", max_length=300, hint="What is counted, like “Local people employed on the contract”.")
    outcome = forms.TypedChoiceField(label="Outcome", required=False, coerce=int, empty_value=None)
    unit = forms.ChoiceField(
        label="Unit",
        choices=[("", "Choose a unit"), *UnitKind.choices],
        help_text="What one unit of this measure is.",
        error_messages={"required": "Choose a unit", "invalid_choice": "Choose a unit from the list"},
    )
    value_type = forms.ChoiceField(
        label="What kind of value does it count?",
        choices=ValueType.choices,
        widget=forms.RadioSelect,
        initial=ValueType.ADDITIONAL_SOCIAL,
        help_text="Local economic value (local spend, local jobs) is always reported apart from additional "
        "social value, never added to it.",
        error_messages={
            "required": "Choose local economic value or additional social value",
            "invalid_choice": "Choose local economic value or additional social value",
        },
    )
    description = _area("Description (optional)")
    counting_rule = _area(
        "Counting rule (optional)", hint="How to count, like “each full-time equivalent job for each year employed”."
    )
    evidence_required = _area(
        "Evidence required (optional)", hint="What a supplier must provide for a quantity to be verified."
    )

    def __init__(self, *args: Any, outcomes: QuerySet[Outcome] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if outcomes is None:
            del self.fields["outcome"]
        else:
            del self.fields["code"]
            field = _choose(self, "outcome", [(o.pk, f"{o.code} {o.title}") for o in outcomes])
            field.help_text = "To move the measure, choose another outcome."
            field.error_messages["invalid_choice"] = "Choose an outcome from the list"
        self.widget_attrs_apply()

    def chosen_outcome(self, outcomes: QuerySet[Outcome]) -> Outcome | None:
        pk = self.cleaned_data.get("outcome")
        return outcomes.get(pk=pk) if pk else None

    def measure_values(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name]
            for name in ("title", "unit", "value_type", "description", "counting_rule", "evidence_required")
        }


class ConfirmForm(GovukForm):
    """A confirmation page's form: the button is the answer."""


class PublishForm(GovukForm):
    notes = forms.CharField(
        label="What changed in this version?",
        required=False,
        help_text="Shown beside the version, so people using the framework can see why it changed.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ShareForm(GovukForm):
    network = forms.TypedChoiceField(
        label="Which network do you want to share it with?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a network", "invalid_choice": "Choose one of your networks"},
    )

    def __init__(self, *args: Any, networks: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "network", [(network.pk, network.name) for network in networks])
        self.widget_attrs_apply()


class DiffForm(GovukForm):
    old = forms.TypedChoiceField(label="Compare version", coerce=int)
    new = forms.TypedChoiceField(label="with version", coerce=int)

    def __init__(self, *args: Any, versions: QuerySet[FrameworkVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(v.pk, f"Version {v.number} ({v.get_status_display().lower()})") for v in versions]
        for name in ("old", "new"):
            field = _choose(self, name, choices)
            field.error_messages["invalid_choice"] = "Choose a version of this framework"
            field.error_messages["required"] = "Choose a version"
        self.widget_attrs_apply()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("old") is not None and cleaned.get("old") == cleaned.get("new"):
            self.add_error("new", "Choose two different versions")
        return cleaned
