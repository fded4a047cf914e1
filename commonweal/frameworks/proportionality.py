"""Proposing a proportionate social value ask from a policy's bands: pure logic, no database access.

`ask_propose` takes the bands of a proportionality policy and a planned procurement and returns the
ask the policy proposes, with one sentence per part saying why. `ask_adjust` checks an officer's
changes to a proposal: the weighting may not go below the band's minimum, and each change needs a
reason. The statutory KPI rule (Procurement Act 2023, s.52) is read from the default policy's data
file, not written here.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from commonweal.core.errors import ApplicationError
from commonweal.core.formatting import money, percent

from .models import ContractCategory, OfferKind, ProportionalityBand, ReportingFrequency, SupplierSize

DEFAULT_POLICY = Path(__file__).parent / "data" / "proportionality" / "default.yaml"

# The parts of an ask, in the order they are shown, and the label that starts the line of a band's
# rationale explaining that part (see the default policy's data file).
PARTS: dict[str, str] = {
    "band": "Value",
    "weighting": "Weighting",
    "outcomes": "Outcomes",
    "offer": "Offer",
    "delivery_plan": "Delivery plan",
    "reporting": "Reporting",
    "kpis": "",
}
ADJUSTABLE_PARTS = ("weighting", "outcomes", "offer", "delivery_plan", "reporting")
PART_TITLES = {
    "band": "Band",
    "weighting": "Minimum social value weighting",
    "outcomes": "Outcomes to ask for",
    "offer": "Kind of offer",
    "delivery_plan": "Delivery plan",
    "reporting": "Reporting",
    "kpis": "Key performance indicators",
}

# Matching a description to outcome titles: words shorter than this, and these common words, are
# too common to say that a description is about an outcome.
MATCH_MIN_WORD_LENGTH = 4
MATCH_IGNORED_WORDS = frozenset(
    {"more", "less", "with", "from", "that", "this", "they", "their", "into", "have", "will", "area", "areas"}
    | {"good", "local", "people"}  # in most outcome titles, so they say nothing about which one
)
MONEY_PLACES = Decimal("0.01")
MAX_VALUE = Decimal("1e12")  # the largest value a band can hold (14 digits, 2 after the point)
MAX_MONTHS = 1200  # a hundred years: longer is a typing mistake


@dataclass(frozen=True)
class KpiRule:
    """The statutory rule on KPIs: contracts worth more than `over` need at least `minimum` KPIs."""

    over: Decimal
    minimum: int
    source: str
    explanation: str

    @property
    def over_text(self) -> str:
        return money(self.over)


@cache
def kpi_rule_default() -> KpiRule:
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))["statutory"]["kpis"]
    return KpiRule(
        over=Decimal(data["over"]),
        minimum=int(data["minimum"]),
        source=data["source"],
        explanation=" ".join(data["explanation"].split()),
    )


@dataclass(frozen=True)
class PriorityOutcome:
    """An outcome the organisation has weighted, with its title from the framework's latest version."""

    framework_code: str
    framework_title: str
    code: str
    title: str
    weight: Decimal
    reason: str = ""
    consultation_id: int | None = None  # the residents' consultation the weight comes from
    consultation_title: str = ""

    @property
    def key(self) -> str:
        """Unique across the organisation's frameworks (two frameworks may share outcome codes)."""
        return f"{self.framework_code}:{self.code}"

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"


@dataclass(frozen=True)
class SuggestedOutcome:
    outcome: PriorityOutcome
    matched_words: tuple[str, ...]  # words of the outcome's title that the description mentions


@dataclass(frozen=True)
class Ask:
    """The social value ask a policy proposes for a planned procurement, with a reason for each part."""

    value: Decimal
    category: str
    months: int
    supplier_size: str
    description: str
    band_position: int
    band_name: str
    min_weighting_percent: Decimal
    outcomes_to_ask: int
    outcomes_suggested: tuple[SuggestedOutcome, ...]
    offer_kind: str
    delivery_plan_required: bool
    reporting_frequency: str
    kpis_required: bool
    reasons: tuple[tuple[str, str], ...]  # (part, sentence), in the order of PARTS

    @property
    def value_text(self) -> str:
        return money(self.value)

    @property
    def reason_by_part(self) -> dict[str, str]:
        return dict(self.reasons)

    @property
    def outcome_keys(self) -> tuple[str, ...]:
        return tuple(suggestion.outcome.key for suggestion in self.outcomes_suggested)


@dataclass(frozen=True)
class AskChange:
    part: str
    proposed: str
    adjusted: str
    reason: str


@dataclass(frozen=True)
class AdjustedAsk:
    """A proposal as the officer changed it. The proposal, with its reasons, is kept beside it."""

    proposal: Ask
    min_weighting_percent: Decimal
    outcomes: tuple[PriorityOutcome, ...]
    offer_kind: str
    delivery_plan_required: bool
    reporting_frequency: str
    changes: tuple[AskChange, ...] = field(default=())


def months_text(months: int) -> str:
    return "1 month" if months == 1 else f"{months} months"


def rationale_lines(rationale: str) -> dict[str, str]:
    """The lines of a band's rationale that explain one part each, by part ("Weighting: …")."""
    by_label = {label.lower(): part for part, label in PARTS.items() if label}
    lines: dict[str, str] = {}
    for line in rationale.splitlines():
        label, separator, text = line.partition(":")
        part = by_label.get(label.strip().lower())
        if separator and part and text.strip():
            lines[part] = text.strip()
    return lines


def band_value_range_text(band: ProportionalityBand) -> str:
    if band.max_value is None:
        return f"{money(band.min_value)} or more"
    if not band.min_value:
        return f"below {money(band.max_value)}"
    return f"{money(band.min_value)} up to {money(band.max_value)}"


def band_months_text(band: ProportionalityBand) -> str:
    if band.min_months is None and band.max_months is None:
        return ""
    if band.min_months is None:
        return f"{months_text(band.max_months or 0)} or less"
    if band.max_months is None:
        return f"{months_text(band.min_months)} or more"
    return f"{band.min_months} to {months_text(band.max_months)}"


def band_describe(band: ProportionalityBand) -> str:
    """Which contracts a band is for, in words: “Works, £207,720 up to £5,193,000, any supplier”."""
    parts = [
        band.get_category_display() if band.category else "Any contract",
        band_value_range_text(band),
    ]
    if band_months_text(band):
        parts.append(f"lasting {band_months_text(band)}")
    if band.supplier_size == SupplierSize.SME:
        parts.append("going to an SME or VCSE")
    elif band.supplier_size == SupplierSize.LARGE:
        parts.append("going to a large supplier")
    return ", ".join(parts)


def band_fits(band: ProportionalityBand, *, value: Decimal, category: str, months: int, supplier_size: str) -> bool:
    return (
        band.min_value <= value
        and (band.max_value is None or value < band.max_value)
        and (band.min_months is None or months >= band.min_months)
        and (band.max_months is None or months <= band.max_months)
        and (not band.category or band.category == category)
        and (band.supplier_size == SupplierSize.ANY or band.supplier_size == supplier_size)
    )


def _inputs_check(*, value: Any, category: str, months: Any, supplier_size: str) -> tuple[Decimal, int]:
    errors: dict[str, str] = {}
    number = Decimal(0)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors["value"] = "Enter the contract value as a number of pounds, like 250000"
    else:
        if not number.is_finite():
            errors["value"] = "Enter the contract value as a number of pounds, like 250000"
        elif number < 0:
            errors["value"] = "The contract value must be £0 or more"
        elif number >= MAX_VALUE:
            errors["value"] = "Enter a contract value below £1,000,000,000,000"
        elif number != number.quantize(MONEY_PLACES):
            errors["value"] = "Enter the contract value with no more than 2 decimal places"
    if category not in ContractCategory.values:
        errors["category"] = "Choose goods, services or works"
    if supplier_size not in SupplierSize.values:
        errors["supplier_size"] = "Choose the expected supplier size: any, SME or VCSE, or large"
    whole_months = 0
    if not re.fullmatch(r"-?[0-9]+", str(months).strip()):
        errors["months"] = "Enter the duration as a whole number of months, like 36"
    else:
        whole_months = int(str(months).strip())
        if whole_months < 1:
            errors["months"] = "The duration must be at least 1 month"
        elif whole_months > MAX_MONTHS:
            errors["months"] = f"Enter a duration of {MAX_MONTHS} months or less"
    if errors:
        raise ApplicationError("There is a problem with the planned procurement.", field_errors=errors)
    return number.quantize(MONEY_PLACES), whole_months


def _words(text: str) -> set[str]:
    return {
        word
        for word in re.findall(r"[a-z0-9]+", text.lower())
        if len(word) >= MATCH_MIN_WORD_LENGTH and word not in MATCH_IGNORED_WORDS
    }


def outcomes_suggest(
    outcome_priorities: Sequence[PriorityOutcome], *, description: str, count: int
) -> tuple[SuggestedOutcome, ...]:
    """The `count` outcomes to suggest: those whose title shares a word with the description first,
    then the rest; within each, the highest weight first, ties by code. Weight 0 is not a priority."""
    described = _words(description)
    candidates = []
    for outcome in outcome_priorities:
        if outcome.weight <= 0:
            continue
        matched = tuple(sorted(_words(outcome.title) & described))
        candidates.append(SuggestedOutcome(outcome=outcome, matched_words=matched))
    candidates.sort(key=lambda s: (not s.matched_words, -s.outcome.weight, s.outcome.code, s.outcome.framework_code))
    return tuple(candidates[:count])


def _band_reason(band: ProportionalityBand, *, value: Decimal, category: str, months: int, supplier_size: str) -> str:
    if band.max_value is None:
        where = f"at or above {money(band.min_value)}"
    elif not band.min_value:
        where = f"below {money(band.max_value)}"
    else:
        where = f"at or above {money(band.min_value)} and below {money(band.max_value)}"
    facts = [f"Value {money(value)} is {where}"]
    if band.category:
        facts.append(f"the contract is for {ContractCategory(category).label.lower()}")
    if band.min_months is not None or band.max_months is not None:
        facts.append(f"it runs {months_text(months)} ({band_months_text(band)})")
    if band.supplier_size != SupplierSize.ANY:
        facts.append(f"the supplier is expected to be {SupplierSize(supplier_size).label.lower()}")
    sentence = facts[0] if len(facts) == 1 else ", ".join(facts[:-1]) + " and " + facts[-1]
    sentence += f", so band “{band.name}” applies (the first band of the policy that fits)."
    why = rationale_lines(band.rationale).get("band")
    return f"{sentence} {why}" if why else sentence


def _outcomes_reason(
    band: ProportionalityBand, suggested: tuple[SuggestedOutcome, ...], *, priorities: int, why: str
) -> str:
    count = band.outcomes_to_ask
    sentence = f"Ask for {count} outcome{'s' if count != 1 else ''}, as band “{band.name}” sets."
    if why:
        sentence += f" {why}"
    if not suggested:
        return sentence + " No outcome has a local priority weight yet, so none is suggested: set priorities first."
    described = []
    for suggestion in suggested:
        outcome = suggestion.outcome
        text = f"“{outcome.title}” ({outcome.code}, weight {outcome.weight.normalize():f})"
        if suggestion.matched_words:
            words = ", ".join(f"“{word}”" for word in suggestion.matched_words)
            text += f", whose title shares {words} with the description"
        described.append(text)
    if any(suggestion.matched_words for suggestion in suggested):
        sentence += " Suggested: outcomes whose titles share words with the description first, then by local"
        sentence += " priority weight: "
    else:
        sentence += " Suggested by local priority weight, highest first: "
    sentence += "; ".join(described) + "."
    if len(suggested) < count:
        sentence += f" Only {priorities} outcome{'s have' if priorities != 1 else ' has'} a priority weight."
    return sentence


def ask_propose(
    *,
    bands: Sequence[ProportionalityBand],
    value: Decimal | str | int,
    category: str,
    months: int | str,
    supplier_size: str = SupplierSize.ANY,
    description: str = "",
    outcome_priorities: Sequence[PriorityOutcome] = (),
    kpi_rule: KpiRule | None = None,
) -> Ask:
    """The ask the first fitting band proposes, with the reason for each part.

    A band fits when value is in [min_value, max_value), months in [min_months, max_months], its
    category is blank or equal, and its supplier size is "any" or equal. No band fits: an error.
    """
    amount, whole_months = _inputs_check(value=value, category=category, months=months, supplier_size=supplier_size)
    description = description.strip()
    ordered = sorted(bands, key=lambda band: band.position)
    band = next(
        (
            b
            for b in ordered
            if band_fits(b, value=amount, category=category, months=whole_months, supplier_size=supplier_size)
        ),
        None,
    )
    if band is None:
        size = SupplierSize(supplier_size).label.lower()
        raise ApplicationError(
            f"No band of the proportionality policy fits a {ContractCategory(category).label.lower()} contract "
            f"worth {money(amount)} over {months_text(whole_months)} ({size}). "
            "Add a band that covers it, or check the value, category, duration and supplier size."
            if ordered
            else "The organisation has no proportionality policy bands yet: load the default policy or add bands.",
        )
    rule = kpi_rule or kpi_rule_default()
    lines = rationale_lines(band.rationale)
    suggested = outcomes_suggest(outcome_priorities, description=description, count=band.outcomes_to_ask)
    kpis_required = amount > rule.over
    weighting = f"At least {percent(band.min_weighting_percent)} of the total score, as band “{band.name}” sets."
    offer = f"{OfferKind(band.offer_kind).label}, as band “{band.name}” sets."
    plan = (
        "A delivery plan is required" if band.delivery_plan_required else "No delivery plan is required"
    ) + f", as band “{band.name}” sets."
    reporting = f"{ReportingFrequency(band.reporting_frequency).label}, as band “{band.name}” sets."
    if kpis_required:
        kpis = f"Value {money(amount)} is over {money(rule.over)}: {rule.source} says that {rule.explanation}"
    else:
        kpis = (
            f"Value {money(amount)} is not over {money(rule.over)}, so KPIs are not required by "
            f"{rule.source}; the social value commitments are still tracked."
        )
    reasons = (
        ("band", _band_reason(band, value=amount, category=category, months=whole_months, supplier_size=supplier_size)),
        ("weighting", f"{weighting} {lines['weighting']}" if "weighting" in lines else weighting),
        (
            "outcomes",
            _outcomes_reason(
                band,
                suggested,
                priorities=sum(1 for o in outcome_priorities if o.weight > 0),
                why=lines.get("outcomes", ""),
            ),
        ),
        ("offer", f"{offer} {lines['offer']}" if "offer" in lines else offer),
        ("delivery_plan", f"{plan} {lines['delivery_plan']}" if "delivery_plan" in lines else plan),
        ("reporting", f"{reporting} {lines['reporting']}" if "reporting" in lines else reporting),
        ("kpis", kpis),
    )
    return Ask(
        value=amount,
        category=category,
        months=whole_months,
        supplier_size=supplier_size,
        description=description,
        band_position=band.position,
        band_name=band.name,
        min_weighting_percent=band.min_weighting_percent,
        outcomes_to_ask=band.outcomes_to_ask,
        outcomes_suggested=suggested,
        offer_kind=band.offer_kind,
        delivery_plan_required=band.delivery_plan_required,
        reporting_frequency=band.reporting_frequency,
        kpis_required=kpis_required,
        reasons=reasons,
    )


def _required_text(flag: bool) -> str:
    return "Required" if flag else "Not required"


def ask_adjust(
    *,
    proposal: Ask,
    min_weighting_percent: Decimal,
    outcome_keys: Sequence[str],
    offer_kind: str,
    delivery_plan_required: bool,
    reporting_frequency: str,
    reasons: Mapping[str, str],
    outcome_choices: Mapping[str, PriorityOutcome],
) -> AdjustedAsk:
    """An officer's changes to a proposal. The weighting may not go below the band's minimum; every
    part that differs from the proposal needs the officer's reason (`reasons` is keyed by part, as in
    PARTS). Outcomes are chosen by key from `outcome_choices`."""
    errors: dict[str, str] = {}
    if not min_weighting_percent.is_finite() or min_weighting_percent > 100:
        errors["weighting"] = "Enter a weighting from 0 to 100"
    elif min_weighting_percent < proposal.min_weighting_percent:
        errors["weighting"] = (
            f"The weighting must be at least {percent(proposal.min_weighting_percent)}, "
            f"the minimum band “{proposal.band_name}” sets"
        )
    if offer_kind not in OfferKind.values:
        errors["offer"] = "Choose the kind of offer"
    if reporting_frequency not in ReportingFrequency.values:
        errors["reporting"] = "Choose how often the supplier reports"
    keys = tuple(dict.fromkeys(outcome_keys))
    unknown = [key for key in keys if key not in outcome_choices]
    if unknown:
        errors["outcomes"] = "Choose outcomes from the list"
    chosen = tuple(outcome_choices[key] for key in keys if key in outcome_choices)
    proposed = tuple(suggestion.outcome for suggestion in proposal.outcomes_suggested)
    comparisons = [
        (
            "weighting",
            percent(proposal.min_weighting_percent),
            percent(min_weighting_percent) if min_weighting_percent.is_finite() else "",
            min_weighting_percent != proposal.min_weighting_percent,
        ),
        (
            "outcomes",
            "; ".join(o.label for o in proposed) or "none",
            "; ".join(o.label for o in chosen) or "none",
            set(keys) != set(proposal.outcome_keys),
        ),
        (
            "offer",
            OfferKind(proposal.offer_kind).label,
            OfferKind(offer_kind).label if offer_kind in OfferKind.values else "",
            offer_kind != proposal.offer_kind,
        ),
        (
            "delivery_plan",
            _required_text(proposal.delivery_plan_required),
            _required_text(delivery_plan_required),
            delivery_plan_required != proposal.delivery_plan_required,
        ),
        (
            "reporting",
            ReportingFrequency(proposal.reporting_frequency).label,
            ReportingFrequency(reporting_frequency).label if reporting_frequency in ReportingFrequency.values else "",
            reporting_frequency != proposal.reporting_frequency,
        ),
    ]
    changes = []
    for part, before, after, changed in comparisons:
        if not changed:
            continue
        reason = reasons.get(part, "").strip()
        if not reason and part not in errors:
            errors[f"{part}_reason"] = f"Say why you changed the {PART_TITLES[part].lower()}"
        changes.append(AskChange(part=part, proposed=before, adjusted=after, reason=reason))
    if errors:
        raise ApplicationError("There is a problem with the changes to the ask.", field_errors=errors)
    return AdjustedAsk(
        proposal=proposal,
        min_weighting_percent=min_weighting_percent,
        outcomes=chosen,
        offer_kind=offer_kind,
        delivery_plan_required=delivery_plan_required,
        reporting_frequency=reporting_frequency,
        changes=tuple(changes),
    )


def ask_part_texts(ask: Ask) -> dict[str, str]:
    """What the ask says for each part, in words, by part."""
    outcomes = f"{ask.outcomes_to_ask}"
    if ask.outcomes_suggested:
        outcomes += ": " + "; ".join(suggestion.outcome.label for suggestion in ask.outcomes_suggested)
    return {
        "band": f"{ask.band_position}. {ask.band_name}",
        "weighting": f"At least {percent(ask.min_weighting_percent)} of the total score",
        "outcomes": outcomes,
        "offer": OfferKind(ask.offer_kind).label,
        "delivery_plan": _required_text(ask.delivery_plan_required),
        "reporting": ReportingFrequency(ask.reporting_frequency).label,
        "kpis": _required_text(ask.kpis_required),
    }


def ask_as_dict(ask: Ask) -> dict[str, Any]:
    """The ask as JSON-ready data (decimals as strings): what the API and `commonweal ask --json` give."""
    return {
        "value": str(ask.value),
        "category": ask.category,
        "months": ask.months,
        "supplier_size": ask.supplier_size,
        "description": ask.description,
        "band": {"position": ask.band_position, "name": ask.band_name},
        "min_weighting_percent": str(ask.min_weighting_percent),
        "outcomes_to_ask": ask.outcomes_to_ask,
        "outcomes_suggested": [
            {
                "framework": s.outcome.framework_code,
                "code": s.outcome.code,
                "title": s.outcome.title,
                "weight": str(s.outcome.weight),
                "matched_words": list(s.matched_words),
            }
            for s in ask.outcomes_suggested
        ],
        "offer_kind": ask.offer_kind,
        "delivery_plan_required": ask.delivery_plan_required,
        "reporting_frequency": ask.reporting_frequency,
        "kpis_required": ask.kpis_required,
        "reasons": [{"part": part, "reason": reason} for part, reason in ask.reasons],
    }
