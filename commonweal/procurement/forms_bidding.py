"""Forms for clarification questions and answers and for the bid page. Forms parse input; the rules
(deadline, word limits at submission, measures, dates) live in services_bidding."""

from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from commonweal.core.uploads import describe_types, size_label
from commonweal.frameworks.models import ContractCategory, Measure
from commonweal.frontend.forms import GovukDateField, GovukForm, PlaceField
from commonweal.frontend.listing import ListFilters, search_filter, sort_filter

from .models import Bid, Criterion, Procurement
from .services_bidding import TENDER_TYPES, CommitmentInput


class QuestionForm(GovukForm):
    question = forms.CharField(
        label="Your question",
        help_text="The buyer publishes each answer to every bidder, without saying who asked.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter your question",
            "max_length": "Your question must be 5000 characters or fewer",
        },
    )


class AnswerForm(GovukForm):
    published_question = forms.CharField(
        label="The question as it will be published",
        help_text="Remove anything that identifies who asked: every bidder sees this wording.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the question as it will be published"},
    )
    answer = forms.CharField(
        label="Answer",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the answer"},
    )


class _MeasureChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.title} ({obj.get_unit_display()})"


class BidForm(GovukForm):
    """The whole bid on one page. Fields named response_<criterion pk> and attachment_<criterion pk>
    are added for each criterion the bid answers; the commitment_* fields add one commitment."""

    price = forms.DecimalField(
        label="Your price (£)",
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text="The whole price for the lot in pounds, excluding VAT, e.g. 245000.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        error_messages={
            "invalid": "Enter your price as a number, like 245000 or 245000.50",
            "max_decimal_places": "Enter your price with no more than 2 decimal places",
            "max_digits": "Enter a smaller price",
            "max_whole_digits": "Enter a smaller price",
        },
    )
    method_statement = forms.CharField(
        label="Social value method statement",
        required=False,
        help_text="How you will deliver the social value you offer: who will do it, with whom, and how you will "
        "evidence it.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, bid: Bid, criteria: list[Criterion], measures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bid = bid
        self.criteria = criteria
        types = f"a {describe_types(TENDER_TYPES)}, smaller than {size_label(settings.EVIDENCE_MAX_BYTES)}"
        for criterion in criteria:
            limit = f" Up to {criterion.word_limit} words." if criterion.word_limit else ""
            self.fields[f"response_{criterion.pk}"] = forms.CharField(
                label=f"Your response to {criterion.code} {criterion.title}",
                required=False,
                help_text=(criterion.question or "") + limit,
                widget=forms.Textarea(attrs={"rows": 8}),
            )
            self.fields[f"attachment_{criterion.pk}"] = forms.FileField(
                label=f"Attach a document for {criterion.code} (optional)",
                required=False,
                help_text=f"One file: {types}.",
            )
        self.light_touch = bid.procurement.light_touch
        if not self.light_touch:
            self.fields["commitment_measure"] = _MeasureChoice(
                queryset=measures,
                label="Measure",
                required=False,
                empty_label="Choose a measure",
                help_text="To add a commitment choose its measure and fill in the rest; leave it empty to add none.",
                error_messages={"invalid_choice": "Choose one of the listed measures"},
            )
            self.fields["commitment_quantity"] = forms.DecimalField(
                label="Quantity",
                required=False,
                max_digits=14,
                decimal_places=2,
                help_text="In the measure’s unit, e.g. 4.",
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
                error_messages={
                    "invalid": "Enter the quantity as a number, like 4 or 2.5",
                    "max_decimal_places": "Enter the quantity with no more than 2 decimal places",
                },
            )
            self.fields["commitment_due_date"] = GovukDateField(
                label="Due date", help_text="By when it will have been delivered, for example 31 3 2028."
            )
            self.fields["commitment_place_code"] = PlaceField(
                label="Place (optional)",
                help_text="The district or ward that will benefit, like Trafford, or Altrincham, Trafford.",
            )
            self.fields["commitment_beneficiary_group"] = forms.CharField(
                label="Who benefits (optional)",
                required=False,
                max_length=200,
                help_text="For example, young people not in work.",
            )
            self.fields["commitment_description"] = forms.CharField(
                label="What exactly you will do (optional)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields["remove_commitments"] = forms.ModelMultipleChoiceField(
                queryset=bid.commitments.all(), required=False, widget=forms.MultipleHiddenInput
            )
        self.fields["remove_attachments"] = forms.ModelMultipleChoiceField(
            queryset=bid.attachments.all(), required=False, widget=forms.MultipleHiddenInput
        )
        self.widget_attrs_apply()

    @classmethod
    def initial_for(cls, bid: Bid) -> dict[str, Any]:
        initial: dict[str, Any] = {"price": bid.price, "method_statement": bid.method_statement}
        for response in bid.responses.all():
            initial[f"response_{response.criterion_id}"] = response.text
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.light_touch:
            return data
        parts = ["commitment_quantity", "commitment_due_date", "commitment_place_code", "commitment_beneficiary_group"]
        started = data.get("commitment_measure") is not None or any(data.get(name) for name in parts)
        if started:
            if data.get("commitment_measure") is None:
                self.add_error("commitment_measure", "Choose the measure of the commitment")
            if data.get("commitment_quantity") is None and "commitment_quantity" not in self.errors:
                self.add_error("commitment_quantity", "Enter the quantity")
            if data.get("commitment_due_date") is None and "commitment_due_date" not in self.errors:
                self.add_error("commitment_due_date", "Enter the due date")
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        commitment = None
        if not self.light_touch and isinstance(data.get("commitment_measure"), Measure):
            commitment = CommitmentInput(
                measure=data["commitment_measure"],
                quantity=data["commitment_quantity"],
                due_date=data["commitment_due_date"],
                place_code=data.get("commitment_place_code", ""),
                beneficiary_group=data.get("commitment_beneficiary_group", ""),
                description=data.get("commitment_description", ""),
            )
        return {
            "price": data.get("price"),
            "method_statement": data.get("method_statement", ""),
            "responses": {c.pk: data.get(f"response_{c.pk}", "") for c in self.criteria},
            "attachments": {c.pk: data[f"attachment_{c.pk}"] for c in self.criteria if data.get(f"attachment_{c.pk}")},
            "new_commitment": commitment,
            "remove_commitments": [c.pk for c in data.get("remove_commitments", [])],
            "remove_attachments": [a.pk for a in data.get("remove_attachments", [])],
        }


class OpportunityFilters(ListFilters):
    """Opportunities for suppliers: search, open or closed (the list opens on those open), category, and the
    sort order."""

    search = search_filter("Search", "reference", "title", "description", "organisation__name")
    status = django_filters.ChoiceFilter(
        label="Tenders",
        choices=[("open", "Open for tenders"), ("closed", "Closed")],
        empty_label="Open or closed",
        method="status_filter",
    )
    category = django_filters.ChoiceFilter(label="Category", choices=ContractCategory.choices, empty_label="Any")
    sort = sort_filter(
        [
            ("tender_deadline", "Tender deadline, soonest first"),
            ("-publication_at", "Newest first"),
            ("-estimated_value", "Highest value"),
            ("organisation__name", "Buyer (A to Z)"),
        ],
        default="tender_deadline",
    )

    def status_filter(self, queryset: QuerySet[Procurement], name: str, value: str) -> QuerySet[Procurement]:
        now = timezone.now()
        if value == "open":
            return queryset.filter(tender_deadline__gt=now)
        return queryset.filter(tender_deadline__lte=now)
