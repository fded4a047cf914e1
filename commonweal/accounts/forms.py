"""Sign-in and password forms, rendered the GOV.UK way."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from commonweal.frontend.forms import GovukForm

from .tasks import email_send

PASSWORD_HINT = "At least 12 characters. Not one you use elsewhere, and not only numbers."


class SignInForm(GovukForm, AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"})
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account has been switched off",
    }


class PasswordResetRequestForm(GovukForm, PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Queue the email for the task worker instead of sending it inside the request."""
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_send.enqueue(to=to_email, subject=subject, body=body)


class NewPasswordForm(GovukForm, SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One plain hint, as on registration, rather than a list built from every password validator.
        self.fields["new_password1"].help_text = PASSWORD_HINT
