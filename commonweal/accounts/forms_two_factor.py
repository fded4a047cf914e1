"""Forms for two-factor sign-in: the code from an authenticator app (or a recovery code)."""

from django import forms

from commonweal.frontend.forms import GovukForm


class SetUpCodeForm(GovukForm):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 digits the app shows for this service, like 123456.",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": "Enter the 6-digit code your authenticator app shows now"},
    )


class SecurityCodeForm(GovukForm):
    code = forms.CharField(
        label="Security code",
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes.",
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
        error_messages={"required": "Enter the code your authenticator app shows now, or one of your recovery codes"},
    )
