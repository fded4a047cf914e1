"""The simulator's form: a price method, up to 8 criteria rows and up to 6 tenders, sent by GET so a
result can be bookmarked. It parses rows into a `scoring.Scenario`; messages name the row."""

import re
from decimal import Decimal
from typing import Any

from django import forms

from commonweal.frontend.forms import GovukForm

from . import scoring

CRITERIA_ROWS = 8
BID_ROWS = 6
CRITERION_COLUMNS = ("code", "kind", "weight", "max", "min")
BID_COLUMNS = ("bidder", "price", "scores")
SCORE_PAIR = re.compile(r"^\s*([^=:\s]+)\s*[=:]\s*(\S+)\s*$")


def criterion_field(row: int, column: str) -> str:
    return f"c{row}_{column}"


def bid_field(row: int, column: str) -> str:
    return f"b{row}_{column}"


def _text(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def scores_text(scores: dict[str, Decimal] | Any) -> str:
    return "; ".join(f"{code}={_text(score)}" for code, score in scores.items())


def scenario_query(loaded: scoring.ScenarioFile) -> dict[str, str]:
    """The form's data for a scenario (the example one, on a first visit)."""
    scenario = loaded.scenario
    data = {"price_method": scenario.price_method, "min_sv_weight": _text(loaded.min_social_value_weight)}
    for row, criterion in enumerate(scenario.criteria[:CRITERIA_ROWS], start=1):
        data |= {
            criterion_field(row, "code"): criterion.code,
            criterion_field(row, "kind"): criterion.kind,
            criterion_field(row, "weight"): _text(criterion.weight),
            criterion_field(row, "max"): _text(criterion.max_score),
            criterion_field(row, "min"): _text(criterion.minimum_score),
        }
    for row, bid in enumerate(scenario.bids[:BID_ROWS], start=1):
        data |= {
            bid_field(row, "bidder"): bid.bidder,
            bid_field(row, "price"): _text(bid.price),
            bid_field(row, "scores"): scores_text(bid.scores),
        }
    return data


class SimulateForm(GovukForm):
    price_method = forms.ChoiceField(
        label="Price method",
        choices=[(method, scoring.PRICE_METHOD_LABELS[method]) for method in scoring.PRICE_METHODS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a price method", "invalid_choice": "Select a price method"},
    )
    min_sv_weight = forms.DecimalField(
        label="Minimum social value weight (%)",
        help_text="Social value must carry at least this per cent of the total score. PPN 06/20 asks central "
        "government for 10.",
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        error_messages={
            "required": "Enter the minimum social value weight",
            "invalid": "The minimum social value weight must be a number, like 10",
            "min_value": "The minimum social value weight must be 0 or more",
            "max_value": "The minimum social value weight must be 100 or less",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [("", "Not used"), *((kind, scoring.KIND_LABELS[kind]) for kind in scoring.KINDS)]
        for row in range(1, CRITERIA_ROWS + 1):
            labels = {
                "code": "code",
                "kind": "kind",
                "weight": "weight (%)",
                "max": "maximum score",
                "min": "minimum score",
            }
            for column, label in labels.items():
                name = criterion_field(row, column)
                if column == "kind":
                    self.fields[name] = forms.ChoiceField(
                        label=f"Criterion {row} {label}", choices=kinds, required=False
                    )
                else:
                    width = "govuk-input--width-5" if column == "code" else "govuk-input--width-4"
                    attrs = (
                        {"class": width, "spellcheck": "false"}
                        if column == "code"
                        else {"class": width, "inputmode": "decimal"}
                    )
                    self.fields[name] = forms.CharField(
                        label=f"Criterion {row} {label}",
                        required=False,
                        max_length=20,
                        widget=forms.TextInput(attrs=attrs),
                    )
        for row in range(1, BID_ROWS + 1):
            self.fields[bid_field(row, "bidder")] = forms.CharField(
                label=f"Tender {row} bidder",
                required=False,
                max_length=120,
                widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
            )
            self.fields[bid_field(row, "price")] = forms.CharField(
                label=f"Tender {row} price (£)",
                required=False,
                max_length=30,
                widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
            )
            self.fields[bid_field(row, "scores")] = forms.CharField(
                label=f"Tender {row} scores",
                required=False,
                max_length=400,
                widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
            )
        self.widget_attrs_apply()

    def criteria_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (row, [self[criterion_field(row, c)] for c in CRITERION_COLUMNS]) for row in range(1, CRITERIA_ROWS + 1)
        ]

    def bid_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [(row, [self[bid_field(row, c)] for c in BID_COLUMNS]) for row in range(1, BID_ROWS + 1)]

    def _number(self, name: str, where: str, what: str, *, required: bool) -> Decimal | None:
        text = self.cleaned_data.get(name, "")
        if not text:
            if required:
                self.add_error(name, f"{where}: enter the {what}")
            return None
        number = scoring.parse_number(text)
        if number is None:
            self.add_error(name, f"{where}: the {what} must be a number, like 40")
        return number

    def _criteria(self) -> list[scoring.CriterionSpec]:
        criteria: list[scoring.CriterionSpec] = []
        codes: set[str] = set()
        for row in range(1, CRITERIA_ROWS + 1):
            values = {column: self.cleaned_data.get(criterion_field(row, column), "") for column in CRITERION_COLUMNS}
            if not any(values.values()):
                continue
            where = f"Criterion {row}"
            code, kind = values["code"].strip(), values["kind"]
            if not code:
                self.add_error(criterion_field(row, "code"), f"{where}: enter a code, like Q1")
            elif code in codes:
                self.add_error(criterion_field(row, "code"), f"{where}: the code {code} is used by another criterion")
            codes.add(code)
            if not kind:
                self.add_error(criterion_field(row, "kind"), f"{where}: select price, quality or social value")
            scored = kind in (scoring.QUALITY, scoring.SOCIAL_VALUE)
            weight = self._number(criterion_field(row, "weight"), where, "weight", required=True)
            max_score = self._number(criterion_field(row, "max"), where, "maximum score", required=scored)
            minimum = self._number(criterion_field(row, "min"), where, "minimum score", required=False)
            if weight is not None and weight < 0:
                self.add_error(criterion_field(row, "weight"), f"{where}: the weight must be 0 or more")
            if scored and max_score is not None and max_score <= 0:
                self.add_error(criterion_field(row, "max"), f"{where}: the maximum score must be more than 0")
            if minimum is not None and max_score is not None and minimum > max_score:
                self.add_error(criterion_field(row, "min"), f"{where}: the minimum score must not be above the maximum")
            if kind == scoring.PRICE and (values["max"] or values["min"]):
                self.add_error(
                    criterion_field(row, "max" if values["max"] else "min"),
                    f"{where}: price has no maximum or minimum score: leave them empty",
                )
            criteria.append(
                scoring.CriterionSpec(
                    code=code, kind=kind, weight=weight or Decimal(0), max_score=max_score, minimum_score=minimum
                )
            )
        if not criteria:
            self.add_error(criterion_field(1, "code"), "Enter at least one criterion")
        return criteria

    def _scores(self, row: int, where: str, criteria: dict[str, scoring.CriterionSpec]) -> dict[str, Decimal]:
        name = bid_field(row, "scores")
        text = self.cleaned_data.get(name, "")
        scores: dict[str, Decimal] = {}
        for part in filter(None, (p.strip() for p in re.split(r"[;\n]", text))):
            match = SCORE_PAIR.match(part)
            score = scoring.parse_number(match[2]) if match else None
            if match is None or score is None:
                self.add_error(name, f"{where}: write each score as code=score, like Q1=3; “{part}” is not")
                continue
            code = match[1]
            criterion = criteria.get(code)
            if criterion is None or criterion.kind == scoring.PRICE:
                self.add_error(name, f"{where}: {code} is not the code of a quality or social value criterion")
            elif criterion.max_score is not None and not 0 <= score <= criterion.max_score:
                self.add_error(name, f"{where}: the score on {code} must be between 0 and {_text(criterion.max_score)}")
            elif code in scores:
                self.add_error(name, f"{where}: {code} is scored twice")
            else:
                scores[code] = score
        return scores

    def _bids(self, criteria: list[scoring.CriterionSpec]) -> list[scoring.BidSpec]:
        by_code = {c.code: c for c in criteria}
        bids: list[scoring.BidSpec] = []
        bidders: set[str] = set()
        for row in range(1, BID_ROWS + 1):
            values = {column: self.cleaned_data.get(bid_field(row, column), "") for column in BID_COLUMNS}
            if not any(values.values()):
                continue
            where = f"Tender {row}"
            bidder = values["bidder"].strip()
            if not bidder:
                self.add_error(bid_field(row, "bidder"), f"{where}: enter the bidder’s name")
            elif bidder in bidders:
                self.add_error(bid_field(row, "bidder"), f"{where}: {bidder} is the bidder of another tender")
            bidders.add(bidder)
            price = self._number(bid_field(row, "price"), where, "price", required=True)
            if price is not None and price <= 0:
                self.add_error(bid_field(row, "price"), f"{where}: the price must be more than £0")
            bids.append(
                scoring.BidSpec(bidder=bidder, price=price or Decimal(0), scores=self._scores(row, where, by_code))
            )
        if not bids:
            self.add_error(bid_field(1, "bidder"), "Enter at least one tender")
        return bids

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        criteria = self._criteria()
        bids = self._bids(criteria)
        method = cleaned.get("price_method")
        minimum = cleaned.get("min_sv_weight")
        if not self.errors and method and minimum is not None:
            for problem in scoring.weights_problems(criteria, price_method=method, min_social_value_weight=minimum):
                self.add_error(None, problem)
        if not self.errors and method:
            cleaned["scenario"] = scoring.Scenario(criteria=tuple(criteria), price_method=method, bids=tuple(bids))
        return cleaned

    def scenario(self) -> scoring.Scenario | None:
        return self.cleaned_data.get("scenario") if self.is_valid() else None
