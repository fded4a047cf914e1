"""Forms for evaluating tenders. They parse input only; the rules live in services_evaluation. Field
names start with `eval_` so that they never collide with other procurement forms."""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from commonweal.frontend.forms import GovukForm

from .models import Criterion, FlagDecision, FlagKind, ScaleLevel

CONFLICT_CHOICES = [
    ("no", "I have no conflict of interest"),
    ("yes", "I have a conflict of interest"),
]


def level_value(score: Decimal) -> str:
    """A scale level as a form value: 3, 2.5."""
    return f"{score.normalize():f}"


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


class _Form(GovukForm):
    def widget_attrs_apply(self) -> None:
        super().widget_attrs_apply()
        for name, field in self.fields.items():
            if self[name].widget_type == "checkboxselectmultiple":
                field.widget.attrs["class"] = "govuk-checkboxes__input"
                field.widget.attrs.pop("aria-describedby", None)


class EvaluatorsForm(_Form):
    """A set of checkboxes per scored criterion: who scores it."""

    def __init__(
        self,
        *args: Any,
        criteria: Iterable[Criterion],
        people: Iterable[Any],
        assigned: Mapping[int, set[int]],
        **kwargs: Any,
    ) -> None:
        self.criteria = list(criteria)
        choices = [(str(person.pk), f"{person.full_name or person.email} ({person.email})") for person in people]
        super().__init__(*args, **kwargs)
        for criterion in self.criteria:
            self.fields[f"eval_assign_{criterion.pk}"] = forms.MultipleChoiceField(
                label=f"{criterion.code} {criterion.title}",
                choices=choices,
                required=False,
                initial=[str(pk) for pk in sorted(assigned.get(criterion.pk, set()))],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Choose only the people listed"},
            )
        self.widget_attrs_apply()

    def chosen(self) -> dict[int, set[int]]:
        return {
            criterion.pk: {int(pk) for pk in self.cleaned_data.get(f"eval_assign_{criterion.pk}", [])}
            for criterion in self.criteria
        }


class DeclarationForm(GovukForm):
    eval_conflict = forms.ChoiceField(
        label="Do you have a conflict of interest in this procurement?",
        help_text="For example: you, a close relative or a friend work for, own part of, or have recently worked "
        "for a supplier that may bid; or you would gain or lose from the outcome.",
        choices=CONFLICT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you have a conflict of interest"},
    )
    eval_details = forms.CharField(
        label="Details of the conflict (if you have one)",
        help_text="Who or what it involves and how you are connected. Needed if you have a conflict.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def has_conflict(self) -> bool:
        return bool(self.cleaned_data["eval_conflict"] == "yes")


def _level_choices(levels: Iterable[ScaleLevel]) -> list[tuple[str, str]]:
    return [(level_value(level.score), f"{level_value(level.score)} {level.label}") for level in levels]


class ScoreForm(_Form):
    """For one bid: per criterion the evaluator may still score, a level of its scale and a justification."""

    def __init__(self, *args: Any, criteria: Iterable[tuple[Criterion, list[ScaleLevel]]], **kwargs: Any) -> None:
        self.criteria = list(criteria)
        super().__init__(*args, **kwargs)
        for criterion, levels in self.criteria:
            self.fields[f"eval_score_{criterion.pk}"] = forms.ChoiceField(
                label=f"Your score for {criterion.code} {criterion.title}",
                choices=_level_choices(levels),
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Choose one of the levels of the scale for {criterion.code}"},
            )
            self.fields[f"eval_justification_{criterion.pk}"] = forms.CharField(
                label=f"Why this score for {criterion.code}",
                help_text="Refer to the response and the level’s descriptor. Other evaluators do not see it; the "
                "moderator does.",
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.widget_attrs_apply()

    def scores(self) -> dict[int, tuple[Decimal | None, str]]:
        return {
            criterion.pk: (
                _decimal(self.cleaned_data.get(f"eval_score_{criterion.pk}") or ""),
                self.cleaned_data.get(f"eval_justification_{criterion.pk}") or "",
            )
            for criterion, _ in self.criteria
        }


class ModerationForm(GovukForm):
    """The consensus score of one bid on one criterion."""

    def __init__(self, *args: Any, criterion: Criterion, levels: list[ScaleLevel], **kwargs: Any) -> None:
        self.criterion = criterion
        kwargs.setdefault("auto_id", f"id_c{criterion.pk}_%s")
        super().__init__(*args, **kwargs)
        self.fields["eval_consensus"] = forms.ChoiceField(
            label=f"Consensus score for {criterion.code} {criterion.title}",
            choices=_level_choices(levels),
            required=False,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": f"Choose one of the levels of the scale for {criterion.code}"},
        )
        self.fields["eval_rationale"] = forms.CharField(
            label=f"Rationale for {criterion.code}",
            help_text="Why the panel agreed this score, referring to the evaluators’ justifications.",
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
        self.widget_attrs_apply()

    def score(self) -> Decimal | None:
        return _decimal(self.cleaned_data.get("eval_consensus") or "")


class FlagDecisionForm(GovukForm):
    eval_reason = forms.CharField(
        label="Reason for the decision",
        help_text="This is kept in the evaluation record and the audit log.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(FlagDecision.ACCEPTED.value, FlagDecision.ACCEPTED.label)]
        if kind == FlagKind.RESTATES_CORE_DELIVERABLE:
            choices.append((FlagDecision.COMMITMENT_NOT_COUNTED.value, FlagDecision.COMMITMENT_NOT_COUNTED.label))
        choices.append((FlagDecision.TENDER_EXCLUDED.value, FlagDecision.TENDER_EXCLUDED.label))
        help_text = ""
        if kind == FlagKind.ABNORMALLY_LOW_PRICE:
            help_text = (
                "Procurement Act 2023: an abnormally low tender may be excluded only after the supplier has been "
                "asked to explain the price and given the chance to show it can perform the contract for it. "
                "Record that request and the answer in the reason."
            )
        decision = forms.ChoiceField(
            label="Decision",
            choices=choices,
            help_text=help_text,
            widget=forms.RadioSelect,
            error_messages={"required": "Choose a decision", "invalid_choice": "Choose one of the decisions listed"},
        )
        self.fields = {"eval_decision": decision, **self.fields}
        self.widget_attrs_apply()
