"""Forms for the public hub's pages. The rules (consent, alt text, one story a case study) live in
services_public; forms parse input."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from commonweal.core.formatting import uk_date
from commonweal.frontend.forms import GovukDateField, GovukForm

from .models import PublicPageKind


class PageForm(GovukForm):
    title = forms.CharField(label="Title", max_length=200)
    slug = forms.SlugField(
        label="Address",
        max_length=60,
        help_text="The last part of the page's address: lower-case letters, numbers and hyphens, "
        "e.g. “guidance-for-suppliers”.",
    )
    kind = forms.ChoiceField(label="Kind of page", choices=PublicPageKind.choices, widget=forms.RadioSelect)
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        help_text="One or two sentences on what the page is for: search engines show it.",
    )
    body = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Leave a blank line between paragraphs. Start a line with “## ” for a heading and “- ” for a "
        "list item; **bold**; [a link](https://example.org).",
    )
    position = forms.IntegerField(label="Order", min_value=0, max_value=999, initial=0, help_text="Lower comes first.")
    ready = forms.BooleanField(
        label="Publish this page with the hub the next time the hub is published", required=False
    )


class CaseStudyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        agreement = obj.delivery_return.agreement
        return (
            f"{obj.title} – {agreement.reference}, {agreement.supplier.name} (consent given by "
            f"{obj.consent_given_by} on {uk_date(obj.consent_date)})"
        )


class StoryForm(GovukForm):
    case_study = CaseStudyChoice(label="Case study", queryset=None, empty_label=None, widget=forms.RadioSelect)
    supplier_consent_given_by = forms.CharField(
        label="Who at the supplier agreed to publishing it", max_length=200, help_text="Their name and role."
    )
    supplier_consent_date = GovukDateField(label="When the supplier agreed", required=True)
    image = forms.FileField(label="Image (optional)", required=False, help_text="A PNG or JPEG, 5 MB at most.")
    image_alt = forms.CharField(
        label="What the image shows",
        max_length=300,
        required=False,
        help_text="Needed with an image, for people who cannot see it.",
    )
    video_url = forms.URLField(label="Link to a video (optional)", required=False, assume_scheme="https")

    def __init__(self, *args: Any, case_studies: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case_study"]
        assert isinstance(field, CaseStudyChoice)
        field.queryset = case_studies


class TakeDownForm(GovukForm):
    reason = forms.CharField(label="Why it is being taken down", widget=forms.Textarea(attrs={"rows": 4}))


class PublishHubForm(GovukForm):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        help_text="What changed since the last publication: kept with this publication.",
    )
