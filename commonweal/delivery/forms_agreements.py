"""Forms for agreements, commitments, commitment files and substitutions. Forms parse input (dates from
GOV.UK date inputs, milestones from lines of text); the rules live in services_agreements."""

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.uploads import size_label
from commonweal.frameworks.models import FrameworkVersion, Measure, ValueSet
from commonweal.frontend.forms import GovukDateField, GovukForm, PlaceField
from commonweal.frontend.listing import ListFilters, search_filter, sort_filter
from commonweal.tenancy.models import Department, Organisation

from . import selectors_agreements
from .models import Agreement, AgreementKind, Commitment, ReturnFrequency, SubstitutionState
from .services_agreements import MAX_DAYS, MilestoneInput
from .status import CommitmentStatus

MILESTONE_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")


def _decimal_field(label: str, hint: str, *, required: bool = False, width: str = "govuk-input--width-10") -> Any:
    what = label.split(" (")[0].lower()
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        help_text=hint,
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"Enter the {what} as a number, like 12 or 3.5",
            "max_decimal_places": f"Enter the {what} with no more than 2 decimal places",
            "max_digits": f"Enter a smaller {what}",
            "max_whole_digits": f"Enter a smaller {what}",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": width}),
    )


def _days_field(label: str, hint: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        initial=Agreement._meta.get_field("return_due_days").default,
        help_text=hint,
        error_messages={"invalid": f"Enter the number of days as a whole number from 0 to {MAX_DAYS}"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )


class _Choice(forms.ModelChoiceField):
    def __init__(self, *, label: str, hint: str = "", empty: str, required: bool = False, **kwargs: Any) -> None:
        super().__init__(
            queryset=kwargs.pop("queryset", None),
            label=label,
            help_text=hint,
            required=required,
            empty_label=empty,
            error_messages={"invalid_choice": f"Choose one of the listed options for {label.lower()}"},
            **kwargs,
        )


class _VersionChoice(_Choice):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.framework.title}, version {obj.number}"


class _MeasureChoice(_Choice):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.title} ({obj.get_unit_display()})"


class _CommitmentChoice(_Choice):
    def label_from_instance(self, obj: Any) -> str:
        return (
            f"{obj.measure.code} {obj.measure.title}: {obj.target_quantity.normalize():f} by {obj.due_date:%-d %B %Y}"
        )


class _UserChoice(_Choice):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if getattr(obj, "full_name", "") else str(obj.email)


class AgreementForm(GovukForm):
    kind = forms.ChoiceField(
        label="Kind of agreement",
        choices=AgreementKind.choices,
        initial=AgreementKind.CONTRACT,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of agreement"},
    )
    reference = forms.CharField(
        label="Reference",
        required=False,
        help_text="Your reference for it, as on the contract register, e.g. NBC-2026-014.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    title = forms.CharField(label="Title", required=False, help_text="What it is for, e.g. Library refurbishment.")
    supplier = _Choice(
        label="Supplier",
        hint="A supplier you already have agreements with. For a grant, the recipient may be a community organisation.",
        empty="Choose a supplier",
    )
    supplier_slug = forms.CharField(
        label="Or another organisation’s short name",
        required=False,
        help_text="If the supplier is not in the list: the short name it has in Commonweal, as in its web address "
        "(/o/short-name/). This replaces the choice above.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )
    value = _decimal_field("Value (£)", "The whole value in pounds, VAT included, e.g. 2450000.")
    start_date = GovukDateField(label="Start date", help_text="For example, 1 4 2026.")
    end_date = GovukDateField(label="End date", help_text="For example, 31 3 2028.")
    department = _Choice(
        label="Department (optional)",
        hint="Who in your organisation holds the budget. The social value lead keeps the list of departments.",
        empty="None",
    )
    framework_version = _VersionChoice(
        label="Framework version",
        hint="The published version of your framework whose measures the commitments use.",
        empty="Choose a framework version",
    )
    value_set = _Choice(
        label="Value set (optional)",
        hint="Turns quantities into money equivalents. Without one, no £ figures are shown.",
        empty="None",
    )
    return_frequency = forms.ChoiceField(
        label="How often the supplier sends a return",
        choices=ReturnFrequency.choices,
        initial=ReturnFrequency.QUARTERLY,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often the supplier sends a return"},
    )
    return_due_days = _days_field(
        "Days to send each return", "How many days after a period ends its return is due, e.g. 14."
    )
    escalation_days = _days_field(
        "Days overdue before escalating",
        "How many days a return may be overdue before the contract manager is told, e.g. 14.",
    )
    contract_manager = _UserChoice(
        label="Contract manager (optional)",
        hint="Who verifies returns and decides on substitutions: someone with the contract manager role.",
        empty="None yet",
    )
    called_off_value = _decimal_field(
        "Called-off value (£, call-offs only)",
        "For a call-off: the spend actually called off so far. Targets are pro-rated to it. Leave blank otherwise.",
    )

    def __init__(self, *args: Any, member: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_queryset("supplier", selectors_agreements.supplier_choice_list(member=member))
        self._set_queryset("framework_version", selectors_agreements.framework_version_choice_list(member=member))
        self._set_queryset("value_set", selectors_agreements.value_set_choice_list(member=member))
        self._set_queryset("department", selectors_agreements.department_choice_list(member=member))
        self._set_queryset("contract_manager", selectors_agreements.contract_manager_choice_list(member=member))
        self.widget_attrs_apply()

    def _set_queryset(self, name: str, queryset: QuerySet[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def clean_supplier_slug(self) -> str:
        slug: str = (self.cleaned_data.get("supplier_slug") or "").strip()
        if slug and selectors_agreements.party_by_slug(slug=slug) is None:
            raise forms.ValidationError(f"No supplier or community organisation has the short name “{slug}”")
        return slug

    @staticmethod
    def initial_for(agreement: Any) -> dict[str, Any]:
        from .services_agreements import agreement_values

        return {**agreement_values(agreement), "called_off_value": agreement.called_off_value}

    def service_arguments(self) -> dict[str, Any]:
        """The agreement's values as the services take them."""
        data = self.cleaned_data
        supplier: Organisation | None = data.get("supplier")
        if data.get("supplier_slug"):
            supplier = selectors_agreements.party_by_slug(slug=data["supplier_slug"])
        version: FrameworkVersion | None = data.get("framework_version")
        value_set: ValueSet | None = data.get("value_set")
        manager: User | None = data.get("contract_manager")
        return {
            "kind": data["kind"],
            "reference": data["reference"],
            "title": data["title"],
            "supplier": supplier,
            "value": data["value"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "department": data.get("department"),
            "framework_version": version,
            "value_set": value_set,
            "return_frequency": data["return_frequency"],
            "return_due_days": data["return_due_days"],
            "escalation_days": data["escalation_days"],
            "contract_manager": manager,
            "called_off_value": data["called_off_value"],
        }


class CalledOffForm(GovukForm):
    called_off_value = _decimal_field(
        "Called-off value (£)",
        "The spend actually called off under this agreement so far, in pounds. Leave blank to stop pro-rating.",
    )


def milestones_text(commitment: Commitment) -> str:
    return "\n".join(
        f"{milestone.due_date:%d/%m/%Y}, {milestone.cumulative_quantity.normalize():f}"
        for milestone in commitment.milestones.all()
    )


def milestones_parse(text: str) -> list[MilestoneInput]:
    """Lines of “date, cumulative quantity”; raises ValidationError naming the line that cannot be read."""
    milestones = []
    lines = [line.strip() for line in text.splitlines()]
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        parts = [part.strip() for part in re.split(r"[,;\t]", line, maxsplit=1)]
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise forms.ValidationError(
                f"Line {number} of the milestones: give a date and a quantity, like 31/3/2027, 3"
            )
        when = None
        for date_format in MILESTONE_DATE_FORMATS:
            try:
                # A milestone's date is a calendar date, with no time of day: no time zone applies to it.
                when = datetime.strptime(parts[0], date_format).date()  # noqa: DTZ007
                break
            except ValueError:
                continue
        if when is None:
            raise forms.ValidationError(f"Line {number} of the milestones: “{parts[0]}” is not a date like 31/3/2027")
        try:
            quantity = Decimal(parts[1])
        except ArithmeticError:
            quantity = Decimal("NaN")
        if not quantity.is_finite():
            raise forms.ValidationError(f"Line {number} of the milestones: “{parts[1]}” is not a number")
        milestones.append(MilestoneInput(due_date=when, cumulative_quantity=quantity))
    return milestones


class CommitmentForm(GovukForm):
    measure = _MeasureChoice(label="Measure", hint="From the agreement’s framework version.", empty="Choose a measure")
    target_quantity = _decimal_field("Target quantity", "In the measure’s unit, e.g. 6 or 104.5.")
    due_date = GovukDateField(label="Due date", help_text="By when the whole target is due, e.g. 30 9 2027.")
    place_code = PlaceField(
        label="Place (optional)",
        help_text="The ward or district that should benefit, like Altrincham, Trafford, or Trafford.",
    )
    beneficiary_group = forms.CharField(
        label="Beneficiary group (optional)",
        required=False,
        help_text="Who should benefit, e.g. Care leavers or Long-term unemployed residents.",
    )
    milestones = forms.CharField(
        label="Milestones (optional)",
        required=False,
        help_text="One a line: a date and the quantity that should be delivered by then in all, e.g. "
        "31/3/2027, 3. Dates in order, each total more than the last, and none above the target. "
        "Without milestones the schedule runs evenly from the agreement’s start to the due date.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, measures: QuerySet[Measure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["measure"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = measures
        self.widget_attrs_apply()

    def clean_milestones(self) -> list[MilestoneInput]:
        return milestones_parse(self.cleaned_data.get("milestones") or "")

    @staticmethod
    def initial_for(commitment: Commitment) -> dict[str, Any]:
        return {
            "measure": commitment.measure,
            "target_quantity": commitment.target_quantity.normalize() + 0,
            "due_date": commitment.due_date,
            "place_code": commitment.place_code,
            "beneficiary_group": commitment.beneficiary_group,
            "milestones": milestones_text(commitment),
        }


class CommitmentImportForm(GovukForm):
    file = forms.FileField(label="Commitments file", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "A CSV or XLSX file (the first sheet is read), smaller than "
            f"{size_label(settings.EVIDENCE_MAX_BYTES)}, with the columns measure code, target quantity, "
            "due date, place code and beneficiary group."
        )
        self.widget_attrs_apply()


class SubstitutionForm(GovukForm):
    commitment = _CommitmentChoice(
        label="Commitment to replace",
        hint="What is left to deliver of it — its target less what has been verified — is what you give up.",
        empty="Choose a commitment",
    )
    proposed_measure = _MeasureChoice(
        label="Measure you offer instead",
        hint="Offer a quantity of a measure, or describe a pledge below: not both.",
        empty="Choose a measure",
    )
    proposed_quantity = _decimal_field("Quantity you offer", "In that measure’s unit.")
    need: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Or a need on a wish list (optional)",
        queryset=None,
        required=False,
        empty_label="No need named",
        help_text="A community need you will meet instead: describe the pledge below, or leave it to the need.",
    )
    pledge = forms.CharField(
        label="Or a pledge to a community need",
        required=False,
        help_text="What you will give or do, for which community organisation or need.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label="Why you propose this",
        required=False,
        help_text="The contract manager reads this to decide.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        *args: Any,
        commitments: list[Commitment],
        measures: QuerySet[Measure],
        needs: QuerySet[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        need_field = self.fields["need"]
        assert isinstance(need_field, forms.ModelChoiceField)
        need_field.queryset = needs if needs is not None else need_field.queryset
        if needs is None:
            del self.fields["need"]
        commitment_field = self.fields["commitment"]
        measure_field = self.fields["proposed_measure"]
        assert isinstance(commitment_field, forms.ModelChoiceField)
        assert isinstance(measure_field, forms.ModelChoiceField)
        commitment_field.queryset = Commitment.objects.filter(pk__in=[c.pk for c in commitments]).select_related(
            "measure"
        )
        measure_field.queryset = measures
        self.widget_attrs_apply()


class SubstitutionDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (SubstitutionState.APPROVED, "Approve the substitution"),
            (SubstitutionState.REFUSED, "Refuse it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or refuse"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        help_text="Required if you refuse. The supplier will see it.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


AGREEMENT_SORTS = [
    ("reference", "Reference"),
    ("end_date", "Ends soonest"),
    ("-value", "Highest value"),
    ("title", "Title (A to Z)"),
    ("supplier__name", "Supplier (A to Z)"),
]


class AgreementFilters(ListFilters):
    """The agreements list: search, kind, department, whether it is still running, and the sort order."""

    search = search_filter("Search", "reference", "title", "supplier__name", "organisation__name")
    kind = django_filters.ChoiceFilter(label="Kind", choices=AgreementKind.choices, empty_label="Any kind")
    department = django_filters.ModelChoiceFilter(
        label="Department", queryset=Department.objects.none(), empty_label="Any department"
    )
    running = django_filters.ChoiceFilter(
        label="Running",
        choices=[("running", "Running today"), ("ended", "Ended"), ("starting", "Not started")],
        empty_label="Any",
        method="running_filter",
    )
    sort = sort_filter(AGREEMENT_SORTS, default="reference")

    def __init__(self, *args: Any, member: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if member.organisation.is_public_body:
            self.filters["department"].queryset = Department.objects.filter(organisation=member.organisation)
        else:  # a supplier sorts by buyer, and has no departments
            del self.filters["department"]
            sorts = [(key, label) for key, label in AGREEMENT_SORTS if key != "supplier__name"]
            self.filters["sort"] = sort_filter([*sorts, ("organisation__name", "Buyer (A to Z)")], default="reference")

    def running_filter(self, queryset: QuerySet[Agreement], name: str, value: str) -> QuerySet[Agreement]:
        today = timezone.localdate()
        if value == "running":
            return queryset.filter(start_date__lte=today, end_date__gte=today)
        if value == "ended":
            return queryset.filter(end_date__lt=today)
        return queryset.filter(start_date__gt=today)


class CommitmentFilters(ListFilters):
    """Commitments across agreements: search, status today (`selectors_status.commitment_overview` applies
    it: a status is worked out, not stored), due date, and the sort order (soonest due first)."""

    search = search_filter(
        "Search", "measure__code", "measure__title", "agreement__reference", "agreement__supplier__name"
    )
    status = django_filters.ChoiceFilter(
        label="Status today", choices=CommitmentStatus.choices, empty_label="Any status", method="status_given"
    )
    due = django_filters.ChoiceFilter(
        label="Due",
        choices=[("past", "Due date passed"), ("year", "Due within a year"), ("later", "Due later")],
        empty_label="Any time",
        method="due_filter",
    )
    sort = sort_filter(
        [
            ("due_date", "Due soonest"),
            ("agreement__reference", "Agreement"),
            ("measure__code", "Measure"),
            ("-target_quantity", "Largest target"),
        ],
        default="due_date",
    )

    def status_given(self, queryset: QuerySet[Commitment], name: str, value: str) -> QuerySet[Commitment]:
        return queryset  # already applied by the selector

    def due_filter(self, queryset: QuerySet[Commitment], name: str, value: str) -> QuerySet[Commitment]:
        today = timezone.localdate()
        if value == "past":
            return queryset.filter(due_date__lt=today)
        if value == "year":
            return queryset.filter(due_date__gte=today, due_date__lte=today.replace(year=today.year + 1))
        return queryset.filter(due_date__gt=today.replace(year=today.year + 1))
