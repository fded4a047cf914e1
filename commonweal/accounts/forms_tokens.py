"""The form that creates an API token: its name, what it may do, and how long it lasts."""

from django import forms

from commonweal.frontend.forms import GovukForm

from .models import ApiTokenScope
from .services import API_TOKEN_LIFETIMES_DAYS


class ApiTokenForm(GovukForm):
    name = forms.CharField(
        label="Name",
        help_text="What the token is for, so you can tell it apart, like “Power BI report”.",
        max_length=100,
        error_messages={"required": "Enter a name for the token, like “Power BI report”"},
    )
    scope = forms.ChoiceField(
        label="What may it do?",
        choices=[
            (ApiTokenScope.READ, "Read only: it can read data but not change anything"),
            (ApiTokenScope.READ_WRITE, "Read and write: it can also submit returns and review them"),
        ],
        initial=ApiTokenScope.READ,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the token may do"},
    )
    lifetime_days = forms.TypedChoiceField(
        label="How long should it last?",
        choices=[(days, f"{days} days") for days in API_TOKEN_LIFETIMES_DAYS],
        coerce=int,
        initial=90,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how long the token lasts"},
    )
