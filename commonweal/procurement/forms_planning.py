"""Forms for planning a procurement. Forms parse input (timetable moments from a GOV.UK date input and a
time in Europe/London, scale levels as text); the rules live in services_planning."""

import re
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.conf import settings
from django.db.models import QuerySet

from commonweal.frameworks.models import ContractCategory, FrameworkVersion, Outcome, SupplierSize, ValueSet
from commonweal.frontend.forms import GovukDateField, GovukForm
from commonweal.frontend.listing import ListFilters, search_filter, sort_filter
from commonweal.tenancy.models import Department

from .models import (
    DEFAULT_ABNORMALLY_LOW_PERCENT,
    DEFAULT_SOCIAL_VALUE_SHARE_PERCENT,
    Criterion,
    CriterionKind,
    ImpactItem,
    Lot,
    PriceMethod,
    Procedure,
    Procurement,
    ProcurementState,
    ScoringScale,
    TenderingPeriodReduction,
)
from .rules import TIMETABLE
from .services_planning import CriterionInput, ImpactInput, ProcurementInput

TIME_PATTERN = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def time_parse(text: str) -> time:
    """“12:00pm”, “9.30am”, “2pm”, “14:00”, “midday” or “midnight” as a time; ValueError otherwise."""
    value = text.strip().lower().replace(" ", "")
    if value in ("midday", "noon"):
        return time(12, 0)
    if value == "midnight":
        return time(0, 0)
    match = TIME_PATTERN.match(value)
    if match is None:
        raise ValueError(text)
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(text)
    return time(hour, minute)


def time_text(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


def _decimal(label: str, *, required: bool = True, hint: str = "", width: str = "govuk-input--width-10") -> Any:
    what = label.split(" (")[0].lower()
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=hint,
        max_digits=14,
        decimal_places=2,
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"Enter the {what} as a number, like 40 or 250000",
            "max_decimal_places": f"Enter the {what} with no more than 2 decimal places",
            "max_digits": f"Enter a smaller {what}",
            "max_whole_digits": f"Enter a smaller {what}",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": width}),
    )


def _whole(label: str, *, required: bool = True, hint: str = "") -> forms.IntegerField:
    what = label.split(" (")[0].lower()
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=hint,
        min_value=0,
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"Enter the {what} as a whole number, like 36",
            "min_value": f"Enter the {what} as a whole number, 0 or more",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )


def _text(label: str, *, required: bool = False, hint: str = "", rows: int = 0, width: str = "") -> forms.CharField:
    widget: forms.Widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(attrs={"class": width})
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        widget=widget,
        error_messages={"required": f"Enter the {label.split(' (')[0].lower()}"},
    )


class _VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.framework.title}, version {obj.number}"


class _ScaleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class ProcurementForm(GovukForm):
    title = _text("Title", required=True, hint="What is being bought, e.g. Grounds maintenance of parks.")
    reference = _text(
        "Reference",
        required=True,
        hint="Your reference, unique among your procurements.",
        width="govuk-input--width-20",
    )
    description = _text("Description", rows=4, hint="What the contract is for. The ask suggests outcomes from it.")
    core_deliverables = _text(
        "Core deliverables (one per line)",
        rows=4,
        hint="What the contract itself must deliver. A social value commitment that restates one is flagged.",
    )
    estimated_value = _decimal("Estimated value (£)", hint="In pounds, excluding VAT, e.g. 250000.")
    category = forms.ChoiceField(
        label="Category",
        choices=ContractCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose goods, services or works"},
    )
    duration_months = _whole("Duration (months)", hint="How long the contract runs, in whole months.")
    procedure = forms.ChoiceField(
        label="Procedure",
        choices=Procedure.choices,
        initial=Procedure.OPEN,
        required=False,  # the open procedure when not chosen
        widget=forms.RadioSelect,
        help_text="Sets the shortest tendering period the Procurement Act 2023 allows (s.54): 25 days for the "
        "open and competitive flexible procedures; none in the Act for light touch and below-threshold contracts.",
        error_messages={"required": "Choose the procedure", "invalid_choice": "Choose the procedure"},
    )
    tendering_period_reduction = forms.ChoiceField(
        label="Shorter tendering period",
        choices=TenderingPeriodReduction.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="The Act allows 10 days instead of 25 only for these reasons.",
        error_messages={"invalid_choice": "Choose whether a shorter tendering period is allowed, and why"},
    )
    supplier_size = forms.ChoiceField(
        label="Expected supplier size",
        choices=SupplierSize.choices,
        initial=SupplierSize.ANY,
        help_text="Some policy bands ask less of small suppliers.",
        error_messages={"required": "Choose the expected supplier size", "invalid_choice": "Choose from the list"},
    )
    framework_version = _VersionChoice(
        queryset=FrameworkVersion.objects.none(),
        label="Framework version",
        required=False,
        empty_label="Choose later",
        help_text="A published version of one of your frameworks: bidders commit to its outcomes and measures.",
        error_messages={"invalid_choice": "Choose one of the listed framework versions"},
    )
    value_set = forms.ModelChoiceField(
        queryset=ValueSet.objects.none(),
        label="Value set",
        required=False,
        empty_label="None",
        help_text="Turns bidders’ commitments into gross and net £.",
        error_messages={"invalid_choice": "Choose one of the listed value sets"},
    )
    price_method = forms.ChoiceField(
        label="Price method",
        choices=PriceMethod.choices,
        initial=PriceMethod.LOWEST_OVER_BID,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the price method"},
    )
    abnormally_low_percent = _decimal(
        "Abnormally low price threshold (%)",
        hint="A price below this per cent of the average price in its lot is flagged for a decision.",
        width="govuk-input--width-4",
    )
    social_value_share_percent = _decimal(
        "Social value share threshold (%)",
        hint="Social value (net £) above this per cent of the bid price is flagged for a decision.",
        width="govuk-input--width-4",
    )

    def __init__(self, *args: Any, member: Any, **kwargs: Any) -> None:
        from .selectors_planning import framework_version_choices, value_set_choices

        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("abnormally_low_percent", DEFAULT_ABNORMALLY_LOW_PERCENT)
        kwargs["initial"].setdefault("social_value_share_percent", DEFAULT_SOCIAL_VALUE_SHARE_PERCENT)
        super().__init__(*args, **kwargs)
        versions = self.fields["framework_version"]
        assert isinstance(versions, forms.ModelChoiceField)
        versions.queryset = framework_version_choices(member=member)
        value_sets = self.fields["value_set"]
        assert isinstance(value_sets, forms.ModelChoiceField)
        value_sets.queryset = value_set_choices(member=member)
        for name, label in TIMETABLE.items():
            self.fields[f"{name}_date"] = GovukDateField(label=f"{label} date")
            self.fields[f"{name}_time"] = forms.CharField(
                label=f"{label} time",
                required=False,
                help_text="UK time, for example 12:00pm or 9:30am.",
                widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
            )
        self.widget_attrs_apply()

    def timetable_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(label, self[f"{name}_date"], self[f"{name}_time"]) for name, label in TIMETABLE.items()]

    def detail_fields(self) -> list[forms.BoundField]:
        timetable = {f"{name}_{part}" for name in TIMETABLE for part in ("date", "time")}
        return [field for field in self.visible_fields() if field.name not in timetable]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone = ZoneInfo(settings.TIME_ZONE)
        for name, label in TIMETABLE.items():
            day = data.get(f"{name}_date")
            text = (data.get(f"{name}_time") or "").strip()
            data[name] = None
            if day is None:
                if text and f"{name}_date" not in self.errors:
                    self.add_error(f"{name}_date", f"Enter the {label.lower()} date as well as the time")
                continue
            if not text:
                self.add_error(f"{name}_time", f"Enter the {label.lower()} time, like 12:00pm")
                continue
            try:
                moment = time_parse(text)
            except ValueError:
                self.add_error(f"{name}_time", f"Enter the {label.lower()} time as a real time, like 12:00pm or 14:30")
                continue
            data[name] = datetime.combine(day, moment, tzinfo=zone)
        return data

    @staticmethod
    def initial_for(procurement: Procurement) -> dict[str, Any]:
        from django.utils import timezone

        initial: dict[str, Any] = {
            name: getattr(procurement, name)
            for name in (
                "title",
                "reference",
                "description",
                "core_deliverables",
                "category",
                "duration_months",
                "framework_version",
                "value_set",
                "price_method",
                "procedure",
                "tendering_period_reduction",
            )
        }
        initial["estimated_value"] = procurement.estimated_value.normalize() + 0
        initial["abnormally_low_percent"] = procurement.abnormally_low_percent.normalize() + 0
        initial["social_value_share_percent"] = procurement.social_value_share_percent.normalize() + 0
        initial["supplier_size"] = (procurement.ask or {}).get("inputs", {}).get("supplier_size", SupplierSize.ANY)
        for name in TIMETABLE:
            moment = getattr(procurement, name)
            if moment is not None:
                local = timezone.localtime(moment)
                initial[f"{name}_date"] = local.date()
                initial[f"{name}_time"] = time_text(local)
        return initial

    def procurement_input(self) -> ProcurementInput:
        data = self.cleaned_data
        return ProcurementInput(
            title=data["title"],
            reference=data["reference"],
            description=data["description"],
            core_deliverables=data["core_deliverables"],
            estimated_value=data["estimated_value"],
            category=data["category"],
            duration_months=data["duration_months"],
            framework_version=data.get("framework_version"),
            value_set=data.get("value_set"),
            price_method=data["price_method"],
            abnormally_low_percent=data["abnormally_low_percent"],
            social_value_share_percent=data["social_value_share_percent"],
            timetable={name: data.get(name) for name in TIMETABLE},
            supplier_size=data["supplier_size"],
            procedure=data.get("procedure") or Procedure.OPEN,
            tendering_period_reduction=data.get("tendering_period_reduction") or "",
        )


class LotForm(GovukForm):
    title = _text("Title", required=True, hint="What this lot covers, e.g. North parks.")
    description = _text("Description", rows=3)
    estimated_value = _decimal("Estimated value (£)", required=False, hint="Optional: the lot’s share of the value.")

    @staticmethod
    def initial_for(lot: Lot) -> dict[str, Any]:
        value = lot.estimated_value.normalize() + 0 if lot.estimated_value is not None else None
        return {"title": lot.title, "description": lot.description, "estimated_value": value}


class ImpactForm(GovukForm):
    outcome_code = forms.ChoiceField(
        label="Outcome",
        help_text="The outcomes of the procurement’s framework version; those the ask asks for come first.",
        error_messages={"required": "Choose an outcome", "invalid_choice": "Choose an outcome from the list"},
    )
    positive_effects = _text("Expected positive effects", rows=3, hint="On the place and its residents.")
    negative_effects = _text("Expected negative effects", rows=3, hint="On the place and its residents.")
    mitigations = _text("Mitigations", rows=3, hint="What will be done about the negative effects.")
    by_specification = forms.BooleanField(label="Mitigated by changing the specification", required=False)
    by_lotting = forms.BooleanField(label="Mitigated by lotting", required=False)
    by_questions = forms.BooleanField(label="Mitigated through the social value questions", required=False)

    def __init__(self, *args: Any, outcomes: list[Outcome], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["outcome_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose an outcome"), *((o.code, f"{o.code} {o.title}") for o in outcomes)]

    @staticmethod
    def initial_for(item: ImpactItem) -> dict[str, Any]:
        return {
            name: getattr(item, name)
            for name in (
                "outcome_code",
                "positive_effects",
                "negative_effects",
                "mitigations",
                "by_specification",
                "by_lotting",
                "by_questions",
            )
        }

    def impact_input(self) -> ImpactInput:
        data = self.cleaned_data
        return ImpactInput(
            outcome_code=data["outcome_code"],
            positive_effects=data["positive_effects"],
            negative_effects=data["negative_effects"],
            mitigations=data["mitigations"],
            by_specification=data["by_specification"],
            by_lotting=data["by_lotting"],
            by_questions=data["by_questions"],
        )


class CriterionForm(GovukForm):
    kind = forms.ChoiceField(
        label="Branch of the criteria tree",
        choices=CriterionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose price, quality or social value"},
    )
    code = _text("Code", required=True, hint="Short, e.g. Q2 or SV2.", width="govuk-input--width-5")
    title = _text("Title", required=True)
    question = _text("Question", rows=3, hint="What bidders are asked.")
    weight = _decimal("Weight (% of the total score)", width="govuk-input--width-4")
    scale = _ScaleChoice(
        queryset=ScoringScale.objects.none(),
        label="Scale",
        required=False,
        empty_label="No scale (price)",
        help_text="Every quality and social value criterion is scored on a scale; price is not.",
        error_messages={"invalid_choice": "Choose one of the listed scales"},
    )
    minimum_score = _decimal(
        "Minimum score",
        required=False,
        hint="Optional. A tender scoring below it is disqualified. It must lie within the scale.",
        width="govuk-input--width-4",
    )
    word_limit = _whole("Word limit", required=False, hint="Optional: the most words a response may have.")
    outcome_code = forms.ChoiceField(
        label="Outcome",
        required=False,
        help_text="For a social value criterion: the outcome it asks bidders to deliver.",
        error_messages={"invalid_choice": "Choose an outcome from the list"},
    )

    def __init__(self, *args: Any, scales: QuerySet[ScoringScale], outcomes: list[Outcome], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scale = self.fields["scale"]
        assert isinstance(scale, forms.ModelChoiceField)
        scale.queryset = scales
        outcome = self.fields["outcome_code"]
        assert isinstance(outcome, forms.ChoiceField)
        outcome.choices = [("", "None"), *((o.code, f"{o.code} {o.title}") for o in outcomes)]

    @staticmethod
    def initial_for(criterion: Criterion) -> dict[str, Any]:
        return {
            "kind": criterion.kind,
            "code": criterion.code,
            "title": criterion.title,
            "question": criterion.question,
            "weight": criterion.weight.normalize() + 0,
            "scale": criterion.scale,
            "minimum_score": criterion.minimum_score.normalize() + 0 if criterion.minimum_score is not None else None,
            "word_limit": criterion.word_limit,
            "outcome_code": criterion.outcome_code,
        }

    def criterion_input(self) -> CriterionInput:
        data = self.cleaned_data
        return CriterionInput(
            kind=data["kind"],
            code=data["code"],
            title=data["title"],
            question=data["question"],
            weight=data["weight"],
            scale=data.get("scale"),
            minimum_score=data.get("minimum_score"),
            word_limit=data.get("word_limit"),
            outcome_code=data.get("outcome_code") or "",
        )


class ScaleForm(GovukForm):
    code = forms.SlugField(
        label="Code",
        max_length=60,
        help_text="Letters, numbers and hyphens, e.g. pass-fail-plus.",
        error_messages={"required": "Enter a code", "invalid": "Use only letters, numbers, hyphens and underscores"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    title = _text("Title", required=True)
    source = _text("Source", required=True, hint="Where the levels and descriptors come from, e.g. your own wording.")
    levels = _text(
        "Levels",
        required=True,
        rows=8,
        hint="One level a line: score | label | descriptor, e.g. 3 | Good | Meets the requirement in full.",
    )


class CancelForm(GovukForm):
    reason = _text("Why the procurement is cancelled", required=True, rows=3)


class PublishForm(GovukForm):
    """A confirmation; the rules are the service's."""


class ProcurementFilters(ListFilters):
    """The buyer's procurements: search, state, department, and the sort order (newest first)."""

    search = search_filter("Search", "reference", "title", "description")
    state = django_filters.ChoiceFilter(label="State", choices=ProcurementState.choices, empty_label="Any state")
    department = django_filters.ModelChoiceFilter(
        label="Department", queryset=Department.objects.none(), empty_label="Any department"
    )
    sort = sort_filter(
        [
            ("-created_at", "Newest first"),
            ("tender_deadline", "Tender deadline, soonest first"),
            ("-estimated_value", "Highest value"),
            ("reference", "Reference"),
        ],
        default="-created_at",
    )

    def __init__(self, *args: Any, member: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = Department.objects.filter(organisation=member.organisation)
