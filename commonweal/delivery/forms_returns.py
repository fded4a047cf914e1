"""Forms for delivery returns: the return, the review of a line, the answer to a query, the bulk CSV.
Rules live in services; forms parse input."""

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.html import format_html

from commonweal.core.uploads import EVIDENCE_TYPES, describe_types, size_label
from commonweal.frontend.forms import GovukForm, MultipleFileField
from commonweal.frontend.listing import ListFilters, search_filter, sort_filter
from commonweal.frontend.templatetags.govuk import quantity

from .models import (
    CaseStudy,
    Commitment,
    Evidence,
    LineStatus,
    ReportingPeriod,
    ReturnLine,
    ReturnState,
)
from .services_returns import CaseStudyInput, LineInput

QUANTITY_ERRORS = {
    "invalid": "Enter the quantity as a number, like 12 or 3.5",
    "max_decimal_places": "Enter the quantity with no more than 2 decimal places",
    "max_digits": "Enter a smaller quantity",
    "max_whole_digits": "Enter a smaller quantity",
}
DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d %m %Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]


def quantity_field_name(commitment: Commitment) -> str:
    return f"quantity_{commitment.pk}"


def evidence_help() -> str:
    return (
        f"Each file a {describe_types(EVIDENCE_TYPES)}, smaller than {size_label(settings.EVIDENCE_MAX_BYTES)}. "
        "You can select several files at once."
    )


def _quantity_field(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=help_text,
        error_messages=QUANTITY_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )


def _reference_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=100,
        help_text=help_text,
        error_messages={"max_length": "Enter a reference of 100 characters or fewer"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )


class ReturnsForm(GovukForm):
    """GOV.UK classes for the two widgets the shared renderer does not know: several files, and checkboxes."""

    def widget_attrs_apply(self) -> None:
        super().widget_attrs_apply()
        errors: Mapping[str, object] = self._errors or {}
        for name, field in self.fields.items():
            kind = self[name].widget_type
            if kind == "multiplefile":
                field.widget.attrs["class"] = "govuk-file-upload" + (
                    " govuk-file-upload--error" if name in errors else ""
                )
            elif kind == "checkboxselectmultiple":
                field.widget.attrs["class"] = "govuk-checkboxes__input"
                field.widget.attrs.pop("aria-describedby", None)


class ReturnForm(ReturnsForm):
    """A return for one period: per commitment a quantity, references and a note; the narrative; evidence
    files and which lines they support; and a case study, which needs consent to be kept."""

    narrative = forms.CharField(
        label="What was delivered",
        required=False,
        help_text="Describe what you delivered in this period, for whom and where.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence = MultipleFileField(label="Upload evidence files", required=False)
    case_study_title = forms.CharField(label="Title", required=False, max_length=200)
    case_study_story = forms.CharField(
        label="Story",
        required=False,
        help_text="What the delivery meant to the person or group, in their words where you can.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    case_study_consent_given_by = forms.CharField(
        label="Consent to publish given by",
        required=False,
        max_length=200,
        help_text="Who agreed that the story can be published, for example “the participant”.",
    )
    case_study_consent_date = forms.DateField(
        label="Date consent was given",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2026.",
        error_messages={"invalid": "Enter the date consent was given as a real date, like 27/3/2026"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )

    def __init__(
        self,
        *args: Any,
        commitments: Sequence[Commitment],
        periods: Sequence[ReportingPeriod] | None = None,
        evidence_files: Sequence[Evidence] = (),
        case_studies: Sequence[CaseStudy] = (),
        draft_lines: Mapping[int, ReturnLine] | None = None,
        **kwargs: Any,
    ) -> None:
        self.commitments = list(commitments)
        self.draft_lines = dict(draft_lines or {})
        self.evidence_files = list(evidence_files)
        self.existing_case_studies = list(case_studies)
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = evidence_help()
        commitment_choices = [(str(c.pk), c.measure.title) for c in self.commitments]
        file_choices = [(str(e.pk), e.original_name) for e in self.evidence_files]
        first: dict[str, forms.Field] = {}
        if periods is not None:
            first["period"] = forms.ChoiceField(
                label="Which period is this return for?",
                choices=[(str(p.pk), f"{p.label}, due {p.return_due_date:%-d %B %Y}") for p in periods],
                required=False,
                initial=str(periods[0].pk) if periods else None,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose a period that has no return yet"},
            )
        for commitment in self.commitments:
            measure = commitment.measure
            first[quantity_field_name(commitment)] = _quantity_field(
                f"{measure.title} ({measure.get_unit_display()})",
                f"Target {quantity(commitment.target_quantity, measure.unit)} by {commitment.due_date:%-d %B %Y}. "
                "Leave blank if you have nothing to report.",
            )
            first[f"evidence_reference_{commitment.pk}"] = _reference_field(
                format_html('Evidence reference<span class="govuk-visually-hidden"> for {}</span>', measure.title),
                "The number of the certificate, timesheet or invoice that proves this delivery. "
                "It can be claimed only once.",
            )
            first[f"beneficiary_reference_{commitment.pk}"] = _reference_field(
                format_html('Beneficiary reference<span class="govuk-visually-hidden"> for {}</span>', measure.title),
                "Your reference for the person or group who benefited (not their name).",
            )
            first[f"note_{commitment.pk}"] = forms.CharField(
                label=format_html('Note<span class="govuk-visually-hidden"> on {}</span>', measure.title),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            if file_choices:
                first[f"line_evidence_{commitment.pk}"] = forms.MultipleChoiceField(
                    label=format_html(
                        'Files that support this line<span class="govuk-visually-hidden">: {}</span>', measure.title
                    ),
                    choices=file_choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
        self.fields = {**first, **self.fields}
        self.fields["evidence_lines"] = forms.MultipleChoiceField(
            label="Which lines do the new files support?",
            help_text="Leave them all unticked if the files support every line you report.",
            choices=commitment_choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        if file_choices:
            self.fields["evidence_remove"] = forms.MultipleChoiceField(
                label="Remove files", choices=file_choices, required=False, widget=forms.CheckboxSelectMultiple
            )
        self.fields["case_study_commitment"] = forms.ChoiceField(
            label="Which commitment is it about? (optional)",
            choices=[("", "Not about one commitment"), *commitment_choices],
            required=False,
        )
        if self.existing_case_studies:
            self.fields["case_studies_remove"] = forms.MultipleChoiceField(
                label="Remove case studies",
                choices=[(str(c.pk), c.title) for c in self.existing_case_studies],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        if not self.is_bound:
            self._initial_from_lines()
        self.widget_attrs_apply()

    def _initial_from_lines(self) -> None:
        """Show what a draft holds."""
        for commitment in self.commitments:
            line = self.draft_lines.get(commitment.pk)
            if line is not None:
                # As typed: 20, not the stored 20.00.
                self.initial[quantity_field_name(commitment)] = format(line.quantity.normalize(), "f")
                self.initial[f"evidence_reference_{commitment.pk}"] = line.evidence_reference
                self.initial[f"beneficiary_reference_{commitment.pk}"] = line.beneficiary_reference
                self.initial[f"note_{commitment.pk}"] = line.note
                self.initial[f"line_evidence_{commitment.pk}"] = [str(e.pk) for e in line.evidence.all()]

    # --- Groups for the template ---

    def line_groups(self) -> Iterator[tuple[Commitment, list[forms.BoundField]]]:
        for commitment in self.commitments:
            names = [
                quantity_field_name(commitment),
                f"evidence_reference_{commitment.pk}",
                f"beneficiary_reference_{commitment.pk}",
                f"note_{commitment.pk}",
                f"line_evidence_{commitment.pk}",
            ]
            yield commitment, [self[name] for name in names if name in self.fields]

    def fields_named(self, *names: str) -> list[forms.BoundField]:
        return [self[name] for name in names if name in self.fields]

    def period_fields(self) -> list[forms.BoundField]:
        return self.fields_named("period")

    def narrative_fields(self) -> list[forms.BoundField]:
        return self.fields_named("narrative")

    def evidence_fields(self) -> list[forms.BoundField]:
        return self.fields_named("evidence", "evidence_lines", "evidence_remove")

    def case_study_fields(self) -> list[forms.BoundField]:
        return self.fields_named(
            "case_study_title",
            "case_study_story",
            "case_study_commitment",
            "case_study_consent_given_by",
            "case_study_consent_date",
            "case_studies_remove",
        )

    # --- Parsed input for the service ---

    def period_id(self) -> int | None:
        value = self.cleaned_data.get("period")
        return int(value) if value else None

    def lines(self) -> dict[int, LineInput]:
        data = self.cleaned_data
        return {
            c.pk: LineInput(
                quantity=data.get(quantity_field_name(c)),
                evidence_reference=data.get(f"evidence_reference_{c.pk}", ""),
                beneficiary_reference=data.get(f"beneficiary_reference_{c.pk}", ""),
                note=data.get(f"note_{c.pk}", ""),
            )
            for c in self.commitments
        }

    def quantities(self) -> dict[int, Decimal | None]:
        return {c.pk: self.cleaned_data.get(quantity_field_name(c)) for c in self.commitments}

    def line_evidence(self) -> dict[int, list[int]] | None:
        if not self.evidence_files:
            return None
        return {c.pk: [int(pk) for pk in self.cleaned_data.get(f"line_evidence_{c.pk}", [])] for c in self.commitments}

    def ids(self, name: str) -> list[int]:
        return [int(value) for value in self.cleaned_data.get(name) or []]

    def case_studies(self) -> list[CaseStudyInput]:
        data = self.cleaned_data
        given = [
            data.get("case_study_title", ""),
            data.get("case_study_story", ""),
            data.get("case_study_consent_given_by", ""),
        ]
        if not any(value.strip() for value in given) and data.get("case_study_consent_date") is None:
            return []
        commitment = data.get("case_study_commitment")
        return [
            CaseStudyInput(
                title=data.get("case_study_title", ""),
                story=data.get("case_study_story", ""),
                consent_given_by=data.get("case_study_consent_given_by", ""),
                consent_date=data.get("case_study_consent_date"),
                commitment_id=int(commitment) if commitment else None,
            )
        ]


class ReviewForm(GovukForm):
    decision = forms.ChoiceField(
        label="Do you accept this quantity?",
        choices=[
            (LineStatus.VERIFIED, "Verify: the evidence supports it"),
            (LineStatus.REJECTED, "Reject it"),
            (LineStatus.QUERIED, "Query it: ask the supplier a question first"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose verify or reject, or query the line"},
    )
    reason = forms.CharField(
        label="Reason or question",
        required=False,
        help_text="Required if you reject the line (the reason) or query it (your question). The supplier will see it.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReturnSubmitForm(GovukForm):
    """The check-your-answers page's button: nothing to fill in, the return is submitted as it stands."""


class VerifyEvidencedForm(GovukForm):
    """The confirmation of "verify all that are evidenced": the lines shown are the lines verified, so a line
    that changed between the two pages is refused rather than silently included or left out."""

    confirmed_lines = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, lines: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, initial={"confirmed_lines": ",".join(str(pk) for pk in lines)}, **kwargs)
        self.expected = list(lines)

    def line_ids(self) -> list[int]:
        text = self.cleaned_data.get("confirmed_lines") or ""
        return [int(part) for part in text.split(",") if part.strip().isdigit()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.expected:
            raise forms.ValidationError("No line is both evidenced and awaiting verification")
        if sorted(self.line_ids()) != sorted(self.expected):
            raise forms.ValidationError(
                "The return changed while you were confirming: check the lines below and confirm again"
            )
        return data


class AnswerForm(ReturnsForm):
    answer = forms.CharField(
        label="Your answer",
        required=False,
        help_text="Answer the contract manager’s question or reason. They will see it with the line.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence = MultipleFileField(label="Upload more evidence files", required=False)

    def __init__(self, *args: Any, line: ReturnLine, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        measure = line.commitment.measure
        self.fields["quantity"] = _quantity_field(
            f"Quantity ({measure.get_unit_display()})",
            "Change it if the quantity you claimed was wrong; it stays as it is otherwise.",
        )
        self.fields["evidence_reference"] = _reference_field("Evidence reference")
        self.fields["beneficiary_reference"] = _reference_field("Beneficiary reference")
        self.fields["evidence"] = self.fields.pop("evidence")
        self.fields["evidence"].help_text = evidence_help()
        if not self.is_bound:
            self.initial.update(
                {
                    "quantity": line.quantity,
                    "evidence_reference": line.evidence_reference,
                    "beneficiary_reference": line.beneficiary_reference,
                }
            )
        self.widget_attrs_apply()


class BulkReturnForm(ReturnsForm):
    returns_csv = forms.FileField(label="CSV file of returns")
    bulk_action = forms.ChoiceField(
        label="What should happen to the returns?",
        choices=[
            ("draft", "Save them as drafts, to check and submit on each return’s page"),
            ("submit", "Submit them"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to save drafts or submit the returns"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["returns_csv"].help_text = (
            "One row per line: agreement reference, buyer, period, measure code, quantity, evidence reference, "
            "beneficiary reference and note. Start from the template."
        )
        self.fields["returns_csv"].error_messages["required"] = "Select a CSV file of returns"
        self.widget_attrs_apply()


class ReturnFilters(ListFilters):
    """Returns across agreements: search, where their review stands, draft or submitted (the supplier's
    own drafts), and the sort order (newest first)."""

    search = search_filter(
        "Search",
        "agreement__reference",
        "agreement__title",
        "agreement__supplier__name",
        "agreement__organisation__name",
    )
    review = django_filters.ChoiceFilter(
        label="Review",
        choices=[
            ("waiting", "Lines awaiting review"),
            ("queried", "Lines queried"),
            ("reviewed", "Every line reviewed"),
        ],
        empty_label="Any",
        method="review_filter",
    )
    state = django_filters.ChoiceFilter(label="State", choices=ReturnState.choices, empty_label="Any state")
    sort = sort_filter(
        [
            ("-submitted_at", "Newest first"),
            ("submitted_at", "Oldest first"),
            ("agreement__reference", "Agreement"),
            ("-lines_pending", "Most lines awaiting review"),
        ],
        default="-submitted_at",
    )

    def __init__(self, *args: Any, member: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if member.organisation.is_public_body:  # a buyer sees submitted returns only
            del self.filters["state"]

    def review_filter(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """On `selectors_returns.return_list_all`, whose returns carry their lines' counts."""
        submitted = queryset.filter(state=ReturnState.SUBMITTED)
        if value == "waiting":
            return submitted.filter(lines_pending__gt=0)
        if value == "queried":
            return submitted.filter(lines_queried__gt=0)
        return submitted.filter(lines_pending=0, lines_queried=0)
