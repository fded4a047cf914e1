"""The preferences form: for each kind of notification, an email straight away, a daily summary, or none
(a kind that cannot be turned off offers the first two only)."""

from typing import Any

from django import forms

from commonweal.frontend.forms import GovukForm

from .kinds import RULES, Kind, choices_for


class PreferencesForm(GovukForm):
    def __init__(self, *args: Any, initial_choices: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in initial_choices:  # the kinds that may come to this person
            rule = RULES[kind]
            label = Kind(kind).label
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=choices_for(kind),
                initial=initial_choices[kind],
                widget=forms.RadioSelect,
                help_text=f"Who gets it: {rule.audience.lower()}."
                + (" This one cannot be turned off." if rule.mandatory else ""),
                error_messages={"required": f"Choose how you want to hear that {label[0].lower()}{label[1:]}"},
            )
        self.widget_attrs_apply()
