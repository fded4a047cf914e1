"""Forms for the annual impact report's pages. Rules (one report a year, consent, sign-off by a second
person) live in services_report; forms parse input."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from commonweal.core.formatting import uk_date
from commonweal.delivery.models import CaseStudy
from commonweal.frontend.forms import GovukForm

from .models import FinancialYear


class YearChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.label} (1 April {obj.start_year} to 31 March {obj.start_year + 1})"


class CaseStudyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        agreement = obj.delivery_return.agreement
        return (
            f"{obj.title} – {agreement.reference}, {agreement.supplier.name} (consent given by "
            f"{obj.consent_given_by} on {uk_date(obj.consent_date)})"
        )


TITLE_HELP = "For example, “Social value impact report 2025/26”."
SUMMARY_HELP = "The opening words, in plain English: what the year achieved and for whom."


class ReportCreateForm(GovukForm):
    year = YearChoiceField(
        label="Financial year",
        queryset=FinancialYear.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text="One report a year. Add a year on the budget pages if it is not here.",
        error_messages={"required": "Choose the financial year", "invalid_choice": "Choose the financial year"},
    )
    title = forms.CharField(
        label="Title", max_length=200, help_text=TITLE_HELP, error_messages={"required": "Enter a title"}
    )
    summary = forms.CharField(
        label="Summary",
        required=False,
        help_text=SUMMARY_HELP,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, years: QuerySet[FinancialYear], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, YearChoiceField)
        field.queryset = years
        field.initial = years.values_list("pk", flat=True).first()  # the newest year without a report


class ReportEditForm(GovukForm):
    title = forms.CharField(
        label="Title", max_length=200, help_text=TITLE_HELP, error_messages={"required": "Enter a title"}
    )
    summary = forms.CharField(
        label="Summary", required=False, help_text=SUMMARY_HELP, widget=forms.Textarea(attrs={"rows": 6})
    )


class SectionForm(GovukForm):
    heading = forms.CharField(label="Heading", max_length=200, error_messages={"required": "Enter a heading"})
    body = forms.CharField(
        label="Text",
        help_text="Plain text; leave a blank line between paragraphs.",
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "Enter the text of the section"},
    )


class SectionMoveForm(GovukForm):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class CaseStudiesForm(GovukForm):
    case_studies = CaseStudyChoiceField(
        label="Case studies to publish",
        queryset=CaseStudy.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Only case studies on submitted returns whose consent to publish is recorded are listed. "
            "Choose none to publish the report without case studies."
        ),
    )

    def __init__(self, *args: Any, choices: QuerySet[CaseStudy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case_studies"]
        assert isinstance(field, CaseStudyChoiceField)
        field.queryset = choices


class ConfirmForm(GovukForm):
    """A button and nothing else: submitting for sign-off, signing off, going back to draft."""


class PublishForm(GovukForm):
    change_note = forms.CharField(
        label="What changed since the last version",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed from the second version on: readers see it beside the version.",
    )
