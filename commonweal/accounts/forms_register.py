"""The supplier registration form. The rules (unique email, Companies House number, password
strength) are checked in services_register, which names the field of each problem."""

from django import forms

from commonweal.frontend.forms import GovukForm

from .forms import PASSWORD_HINT

YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "I do not know")]
ANSWERS = {"yes": True, "no": False, "unknown": None}


class RegisterForm(GovukForm):
    organisation_name = forms.CharField(
        label="Your organisation’s name",
        max_length=200,
        help_text="As registered, e.g. Brightside Building Services Ltd.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": "Enter your organisation’s name"},
    )
    organisation_kind = forms.ChoiceField(
        label="What kind of organisation is it?",
        choices=[
            ("supplier", "A business that supplies goods, works or services"),
            ("community", "A voluntary or community organisation: a charity, community group or social enterprise"),
        ],
        required=False,
        initial="supplier",
        help_text="Either can bid for opportunities. A community organisation can also post needs to a wish list "
        "and report on its grants.",
        widget=forms.RadioSelect,
    )
    companies_house_number = forms.CharField(
        label="Companies House number (optional)",
        required=False,
        max_length=12,
        help_text="8 characters, like 01234567 or SC123456. Leave it empty if you are not a registered company.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    is_sme = forms.ChoiceField(
        label="Is your organisation a small or medium-sized enterprise (SME)?",
        help_text="Fewer than 250 staff, and a turnover of no more than £44 million or a balance sheet of no more "
        "than £38 million.",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether your organisation is an SME"},
    )
    is_vcse = forms.ChoiceField(
        label="Is your organisation a voluntary, community or social enterprise (VCSE)?",
        help_text="For example a charity, a community interest company or a co-operative.",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether your organisation is a VCSE"},
    )
    full_name = forms.CharField(
        label="Your full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": "Enter your full name"},
    )
    email = forms.EmailField(
        label="Your email address",
        help_text="You sign in with it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    password = forms.CharField(
        label="Create a password",
        help_text=PASSWORD_HINT,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Create a password"},
    )

    def service_arguments(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "organisation_name": data["organisation_name"],
            "kind": data.get("organisation_kind") or "supplier",
            "companies_house_number": data["companies_house_number"],
            "is_sme": ANSWERS[data["is_sme"]],
            "is_vcse": ANSWERS[data["is_vcse"]],
            "full_name": data["full_name"],
            "email": data["email"],
            "password": data["password"],
        }
