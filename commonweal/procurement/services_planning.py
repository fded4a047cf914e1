"""Planning a procurement: the procurement and its lots, the social value ask, the impact assessment,
scoring scales, the criteria tree, publishing and cancelling.

Every write is audited on the procurement's trail. Once published, the methodology is frozen: every
change to the procurement, its lots, ask, criteria or timetable is refused; only cancelling remains.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError, StateConflict
from commonweal.core.models import AuditAction
from commonweal.frameworks.models import (
    ContractCategory,
    FrameworkVersion,
    OfferKind,
    Outcome,
    ReportingFrequency,
    SupplierSize,
    ValueSet,
    VersionStatus,
)
from commonweal.frameworks.proportionality import AdjustedAsk, ask_as_dict
from commonweal.frameworks.selectors_priorities import ask_for
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import (
    Criterion,
    CriterionKind,
    ImpactItem,
    Lot,
    PriceMethod,
    Procedure,
    Procurement,
    ProcurementState,
    ScaleLevel,
    ScoringScale,
    TenderingPeriodReduction,
)
from .rules import FROZEN, TIMETABLE, shipped_scales, suggested_outcome_codes
from .selectors_planning import publish_problems

SOCIAL_VALUE_SCALE = "sv-0-100"
QUALITY_SCALE = "quality-0-5"

DEFAULT_PRICE_WEIGHT = Decimal("40")
DEFAULT_QUALITY_SHARE = Decimal("60")  # quality and social value together, before social value is taken out
MAX_PERCENT = Decimal("100")
DEFAULT_MIN_SOCIAL_VALUE_WEIGHT = Decimal("10")  # the model's defaults, used when no policy band fits

PROCUREMENT_FIELDS = [
    "title",
    "reference",
    "description",
    "core_deliverables",
    "estimated_value",
    "category",
    "duration_months",
    "framework_version",
    "value_set",
    "price_method",
    "abnormally_low_percent",
    "social_value_share_percent",
    "procedure",
    "tendering_period_reduction",
    *TIMETABLE,
]
CRITERION_FIELDS = [
    "kind",
    "code",
    "title",
    "question",
    "weight",
    "scale",
    "minimum_score",
    "word_limit",
    "outcome_code",
]
LOT_FIELDS = ["number", "title", "description", "estimated_value"]
IMPACT_FIELDS = [
    "outcome_code",
    "outcome_title",
    "positive_effects",
    "negative_effects",
    "mitigations",
    "by_specification",
    "by_lotting",
    "by_questions",
]
ASK_FIELDS = ["min_social_value_weight", "offer_kind", "reporting_frequency"]


@dataclass(frozen=True)
class ProcurementInput:
    """What an officer enters for a procurement (the timetable as aware datetimes, or None)."""

    title: str
    reference: str
    description: str
    core_deliverables: str
    estimated_value: Decimal
    category: str
    duration_months: int
    framework_version: FrameworkVersion | None
    value_set: ValueSet | None
    price_method: str
    abnormally_low_percent: Decimal
    social_value_share_percent: Decimal
    timetable: Mapping[str, datetime | None]
    supplier_size: str = SupplierSize.ANY
    procedure: str = Procedure.OPEN
    tendering_period_reduction: str = TenderingPeriodReduction.NONE


@dataclass(frozen=True)
class CriterionInput:
    kind: str
    code: str
    title: str
    question: str
    weight: Decimal
    scale: ScoringScale | None
    minimum_score: Decimal | None
    word_limit: int | None
    outcome_code: str


@dataclass(frozen=True)
class ImpactInput:
    outcome_code: str
    positive_effects: str
    negative_effects: str
    mitigations: str
    by_specification: bool
    by_lotting: bool
    by_questions: bool


# --- Rules shared by the writes ----------------------------------------------------------------------


def _draft_required(procurement: Procurement) -> None:
    if procurement.state == ProcurementState.CANCELLED:
        raise StateConflict("This procurement is cancelled: it cannot change.")
    if procurement.state != ProcurementState.DRAFT:
        raise StateConflict(FROZEN)


def _procurement_locked(member: Member, pk: int) -> Procurement:
    """The member's organisation's procurement, locked for the write; 404 for another organisation's."""
    procurement = Procurement.objects.select_for_update().filter(organisation=member.organisation, pk=pk).first()
    if procurement is None:
        raise Http404("No such procurement.")
    return procurement


def _record(actor: User | None, procurement: Procurement, action: AuditAction, target: Any, **kwargs: Any) -> None:
    audit_record(
        actor=actor, organisation=procurement.organisation, action=action, target=target, trail=procurement, **kwargs
    )


def _percent_check(errors: dict[str, str], field: str, value: Decimal, what: str) -> None:
    if not value.is_finite() or value < 0 or value > MAX_PERCENT:
        errors[field] = f"Enter the {what} as a per cent from 0 to 100"


def _procurement_check(*, organisation: Organisation, data: ProcurementInput, pk: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "Enter the title"
    reference = data.reference.strip()
    if not reference:
        errors["reference"] = "Enter the reference"
    elif Procurement.objects.filter(organisation=organisation, reference=reference).exclude(pk=pk or 0).exists():
        errors["reference"] = f"Another procurement already has the reference {reference}: choose a different one"
    if not data.estimated_value.is_finite() or data.estimated_value < 0:
        errors["estimated_value"] = "The estimated value must be £0 or more"
    if data.category not in ContractCategory.values:
        errors["category"] = "Choose goods, services or works"
    if data.duration_months < 1:
        errors["duration_months"] = "The duration must be at least 1 month"
    if data.supplier_size not in SupplierSize.values:
        errors["supplier_size"] = "Choose the expected supplier size"
    version = data.framework_version
    if version is not None and (
        version.framework.organisation_id != organisation.pk or version.status != VersionStatus.PUBLISHED
    ):
        errors["framework_version"] = "Choose a published version of one of your frameworks"
    if data.value_set is not None and data.value_set.organisation_id != organisation.pk:
        errors["value_set"] = "Choose one of your value sets"
    if data.price_method not in PriceMethod.values:
        errors["price_method"] = "Choose the price method"
    if data.procedure not in Procedure.values:
        errors["procedure"] = "Choose the procedure"
    if data.tendering_period_reduction not in TenderingPeriodReduction.values:
        errors["tendering_period_reduction"] = "Choose whether a shorter tendering period is allowed, and why"
    _percent_check(errors, "abnormally_low_percent", data.abnormally_low_percent, "abnormally low threshold")
    _percent_check(errors, "social_value_share_percent", data.social_value_share_percent, "social value share")
    return errors


# --- The social value ask ----------------------------------------------------------------------------


def _ask_propose(*, member: Member, data: ProcurementInput) -> dict[str, Any]:
    """The ask as stored: the proposal with its reasons, or why no band fitted."""
    inputs = {
        "value": str(data.estimated_value),
        "category": data.category,
        "months": data.duration_months,
        "supplier_size": data.supplier_size,
        "description": data.description,
    }
    try:
        ask = ask_for(
            member=member,
            value=data.estimated_value,
            category=data.category,
            months=data.duration_months,
            supplier_size=data.supplier_size,
            description=f"{data.title}\n{data.description}",
        )
    except ApplicationError as error:
        return {"fitted": False, "message": error.message, "inputs": inputs, "changes": []}
    return {"fitted": True, "proposal": ask_as_dict(ask), "inputs": inputs, "adjusted": None, "changes": []}


def _ask_columns(procurement: Procurement) -> None:
    """Set the columns other rules read from the stored ask (the model's defaults when no band fitted)."""
    stored = procurement.ask
    if not stored.get("fitted"):
        procurement.min_social_value_weight = DEFAULT_MIN_SOCIAL_VALUE_WEIGHT
        procurement.offer_kind = OfferKind.QUANTIFIED
        procurement.reporting_frequency = ReportingFrequency.QUARTERLY
        return
    chosen = stored.get("adjusted") or stored["proposal"]
    procurement.min_social_value_weight = Decimal(chosen["min_weighting_percent"])
    procurement.offer_kind = chosen["offer_kind"]
    procurement.reporting_frequency = chosen["reporting_frequency"]


@transaction.atomic
def ask_save(*, actor: User | None, member: Member, procurement: Procurement, adjusted: AdjustedAsk) -> Procurement:
    """Keep the officer's adjustment of the proposal (checked by `ask_adjust`), with every change's reason."""
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, procurement.pk)
    _draft_required(procurement)
    if not procurement.ask.get("fitted"):
        raise ApplicationError("No policy band fitted this procurement, so there is no proposal to change.")
    before = snapshot(procurement, ASK_FIELDS)
    stored = dict(procurement.ask)
    stored["adjusted"] = {
        "min_weighting_percent": str(adjusted.min_weighting_percent),
        "outcomes": [
            {"framework": o.framework_code, "code": o.code, "title": o.title, "weight": str(o.weight)}
            for o in adjusted.outcomes
        ],
        "offer_kind": adjusted.offer_kind,
        "delivery_plan_required": adjusted.delivery_plan_required,
        "reporting_frequency": adjusted.reporting_frequency,
    }
    stored["changes"] = [
        {"part": c.part, "proposed": c.proposed, "adjusted": c.adjusted, "reason": c.reason} for c in adjusted.changes
    ]
    procurement.ask = stored
    _ask_columns(procurement)
    procurement.save(update_fields=["ask", *ASK_FIELDS, "updated_at"])
    after = snapshot(procurement, ASK_FIELDS)
    after["changes"] = {c.part: f"{c.adjusted} (reason: {c.reason})" for c in adjusted.changes} or "none"
    _record(actor, procurement, AuditAction.PROCUREMENT_ASK_ADJUSTED, procurement, before=before, after=after)
    return procurement


# --- Scoring scales ----------------------------------------------------------------------------------


@transaction.atomic
def scales_ensure(*, actor: User | None, member: Member) -> list[ScoringScale]:
    """Copy the shipped scales the member's organisation has not got yet (by code); its own copies are kept."""
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    return _scales_copy(member.organisation, actor=actor)


def _scales_copy(organisation: Organisation, *, actor: User | None) -> list[ScoringScale]:
    created = []
    for data in shipped_scales():
        if ScoringScale.objects.filter(organisation=organisation, code=data["code"]).exists():
            continue
        scale = ScoringScale.objects.create(
            organisation=organisation,
            code=data["code"],
            title=data["title"],
            description=" ".join(str(data.get("description", "")).split()),
            source=" ".join(str(data["source"]).split()),
        )
        ScaleLevel.objects.bulk_create(
            ScaleLevel(
                organisation=organisation,
                scale=scale,
                score=Decimal(str(level["score"])),
                label=level["label"],
                descriptor=level["descriptor"],
            )
            for level in data["levels"]
        )
        audit_record(
            actor=actor,
            organisation=organisation,
            action=AuditAction.SCALE_CREATED,
            target=scale,
            after={"code": scale.code, "title": scale.title, "levels": len(data["levels"])},
        )
        created.append(scale)
    return created


def scale_levels_parse(text: str) -> list[tuple[Decimal, str, str]]:
    """Lines of `score | label | descriptor`; every bad line is named in one error."""
    levels: list[tuple[Decimal, str, str]] = []
    problems: list[str] = []
    seen: set[Decimal] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not all(parts):
            problems.append(f"line {number} needs a score, a label and a descriptor separated by |")
            continue
        try:
            score = Decimal(parts[0])
        except InvalidOperation:
            problems.append(f"line {number}: the score “{parts[0]}” is not a number")
            continue
        if not score.is_finite() or score < 0 or score >= Decimal("100000") or score != score.quantize(Decimal("0.01")):
            problems.append(f"line {number}: the score must be 0 or more, with no more than 2 decimal places")
            continue
        if score in seen:
            problems.append(f"line {number}: the score {score.normalize():f} is used twice")
            continue
        seen.add(score)
        levels.append((score, parts[1][:100], parts[2]))
    if problems:
        raise ApplicationError("There is a problem with the levels.", field_errors={"levels": "; ".join(problems)})
    if len(levels) < 2:
        raise ApplicationError(
            "There is a problem with the levels.", field_errors={"levels": "Enter at least two levels, one per line"}
        )
    return sorted(levels)


@transaction.atomic
def scale_create(
    *, actor: User | None, member: Member, code: str, title: str, source: str, levels_text: str
) -> ScoringScale:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    organisation = member.organisation
    errors: dict[str, str] = {}
    if not code.strip():
        errors["code"] = "Enter a code"
    elif ScoringScale.objects.filter(organisation=organisation, code=code).exists():
        errors["code"] = f"You already have a scale with the code {code}: choose a different one"
    if not title.strip():
        errors["title"] = "Enter the title"
    if not source.strip():
        errors["source"] = "Say where the levels and descriptors come from"
    try:
        levels = scale_levels_parse(levels_text)
    except ApplicationError as error:
        errors.update(error.field_errors)
        levels = []
    if errors:
        raise ApplicationError("There is a problem with the scale.", field_errors=errors)
    scale = ScoringScale.objects.create(
        organisation=organisation, code=code, title=title.strip(), source=source.strip()
    )
    ScaleLevel.objects.bulk_create(
        ScaleLevel(organisation=organisation, scale=scale, score=score, label=label, descriptor=descriptor)
        for score, label, descriptor in levels
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.SCALE_CREATED,
        target=scale,
        after={"code": code, "title": scale.title, "source": scale.source, "levels": len(levels)},
    )
    return scale


# --- The procurement and its lots --------------------------------------------------------------------


def _split(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` shares of 2 decimal places that add up exactly; the first takes the remainder."""
    share = (total / parts).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    shares = [share] * parts
    shares[0] += total - share * parts
    return shares


def _default_criteria(*, procurement: Procurement) -> None:
    """A starting model from the ask: price, one quality criterion on the 0–5 scale, and a social value
    criterion on the 0–100 scale for each outcome the ask asks for, together weighted at the ask's minimum."""
    organisation = procurement.organisation
    scales = {scale.code: scale for scale in ScoringScale.objects.filter(organisation=organisation)}
    social_value = procurement.min_social_value_weight
    if procurement.price_method == PriceMethod.PRICE_PER_QUALITY_POINT:
        price = Decimal("0")  # price is not weighted: it is divided by the quality points
        quality = MAX_PERCENT - social_value
    else:
        quality = max(Decimal("0"), DEFAULT_QUALITY_SHARE - social_value)
        price = MAX_PERCENT - social_value - quality
    rows = [
        Criterion(kind=CriterionKind.PRICE, code="P", title="Price", weight=price),
        Criterion(
            kind=CriterionKind.QUALITY,
            code="Q1",
            title="Quality of delivery",
            question="How will you deliver the contract to the standard the specification sets?",
            weight=quality,
            scale=scales.get(QUALITY_SCALE),
        ),
    ]
    titles = {}
    if procurement.framework_version_id:
        titles = dict(Outcome.objects.filter(version=procurement.framework_version).values_list("code", "title"))
    outcomes = suggested_outcome_codes(procurement) or [""]
    for number, (code, weight) in enumerate(zip(outcomes, _split(social_value, len(outcomes)), strict=True), start=1):
        title = titles.get(code) or next(
            (
                row["title"]
                for row in procurement.ask.get("proposal", {}).get("outcomes_suggested", ())
                if row["code"] == code
            ),
            "",
        )
        rows.append(
            Criterion(
                kind=CriterionKind.SOCIAL_VALUE,
                code=f"SV{number}",
                title=f"Social value: {title}" if title else "Social value",
                question=f"What will you commit to deliver towards “{title}”, where, for whom and by when?"
                if title
                else "What social value will you commit to deliver, where, for whom and by when?",
                weight=weight,
                scale=scales.get(SOCIAL_VALUE_SCALE),
                outcome_code=code,
            )
        )
    for position, row in enumerate(rows):
        row.organisation = organisation
        row.procurement = procurement
        row.position = position
    Criterion.objects.bulk_create(rows)


def _timetable_set(procurement: Procurement, timetable: Mapping[str, datetime | None]) -> None:
    for name in TIMETABLE:
        setattr(procurement, name, timetable.get(name))


@transaction.atomic
def procurement_create(*, actor: User | None, member: Member, data: ProcurementInput) -> Procurement:
    """A draft procurement with Lot 1 (the whole contract), the proposed ask and a default model."""
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    organisation = member.organisation
    errors = _procurement_check(organisation=organisation, data=data, pk=None)
    if errors:
        raise ApplicationError("There is a problem with the procurement.", field_errors=errors)
    procurement = Procurement(
        organisation=organisation,
        title=data.title.strip(),
        reference=data.reference.strip(),
        description=data.description.strip(),
        core_deliverables=data.core_deliverables.strip(),
        estimated_value=data.estimated_value,
        category=data.category,
        duration_months=data.duration_months,
        framework_version=data.framework_version,
        value_set=data.value_set,
        price_method=data.price_method,
        abnormally_low_percent=data.abnormally_low_percent,
        social_value_share_percent=data.social_value_share_percent,
        procedure=data.procedure,
        tendering_period_reduction=data.tendering_period_reduction,
        created_by=actor,
    )
    _timetable_set(procurement, data.timetable)
    procurement.ask = _ask_propose(member=member, data=data)
    _ask_columns(procurement)
    try:
        with transaction.atomic():
            procurement.save()
    except IntegrityError:
        raise ApplicationError(
            "There is a problem with the procurement.",
            field_errors={"reference": "Another procurement already has this reference: choose a different one"},
        ) from None
    lot = Lot.objects.create(
        organisation=organisation,
        procurement=procurement,
        number=1,
        title="The whole contract",
        estimated_value=procurement.estimated_value,
    )
    _scales_copy(organisation, actor=actor)
    _default_criteria(procurement=procurement)
    after = snapshot(procurement, [*PROCUREMENT_FIELDS, *ASK_FIELDS])
    after["ask"] = procurement.ask["proposal"]["band"]["name"] if procurement.ask["fitted"] else "no policy band fitted"
    after["lots"] = str(lot)
    after["criteria"] = ", ".join(procurement.criteria.values_list("code", flat=True))
    _record(actor, procurement, AuditAction.PROCUREMENT_CREATED, procurement, after=after)
    return procurement


@transaction.atomic
def procurement_update(*, actor: User | None, member: Member, procurement: Procurement, data: ProcurementInput) -> bool:
    """Save a draft's details and timetable. When the value, category, duration, supplier size or
    description changes, the ask is proposed again (earlier changes to it are dropped): returns True then."""
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, procurement.pk)
    _draft_required(procurement)
    errors = _procurement_check(organisation=procurement.organisation, data=data, pk=procurement.pk)
    if errors:
        raise ApplicationError("There is a problem with the procurement.", field_errors=errors)
    before = snapshot(procurement, [*PROCUREMENT_FIELDS, *ASK_FIELDS])
    old_value = procurement.estimated_value
    procurement.title = data.title.strip()
    procurement.reference = data.reference.strip()
    procurement.description = data.description.strip()
    procurement.core_deliverables = data.core_deliverables.strip()
    procurement.estimated_value = data.estimated_value
    procurement.category = data.category
    procurement.duration_months = data.duration_months
    procurement.framework_version = data.framework_version
    procurement.value_set = data.value_set
    procurement.price_method = data.price_method
    procurement.abnormally_low_percent = data.abnormally_low_percent
    procurement.social_value_share_percent = data.social_value_share_percent
    procurement.procedure = data.procedure
    procurement.tendering_period_reduction = data.tendering_period_reduction
    _timetable_set(procurement, data.timetable)
    new_ask = _ask_propose(member=member, data=data)
    reproposed = new_ask["inputs"] != procurement.ask.get("inputs")
    if reproposed:
        procurement.ask = new_ask
        _ask_columns(procurement)
    procurement.save()
    lots = list(procurement.lots.all())
    if len(lots) == 1 and lots[0].estimated_value == old_value and old_value != procurement.estimated_value:
        lots[0].estimated_value = procurement.estimated_value  # the one lot is the whole contract
        lots[0].save(update_fields=["estimated_value"])
    after = snapshot(procurement, [*PROCUREMENT_FIELDS, *ASK_FIELDS])
    if reproposed:
        after["ask"] = (
            f"proposed again: {new_ask['proposal']['band']['name']}" if new_ask["fitted"] else "no policy band fitted"
        )
    _record(actor, procurement, AuditAction.PROCUREMENT_UPDATED, procurement, before=before, after=after)
    return reproposed


def _lot_check(procurement: Procurement, *, title: str, estimated_value: Decimal | None) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = "Enter the lot’s title"
    if estimated_value is not None and (not estimated_value.is_finite() or estimated_value < 0):
        errors["estimated_value"] = "The lot’s estimated value must be £0 or more"
    if errors:
        raise ApplicationError("There is a problem with the lot.", field_errors=errors)


@transaction.atomic
def lot_add(
    *,
    actor: User | None,
    member: Member,
    procurement: Procurement,
    title: str,
    description: str,
    estimated_value: Decimal | None,
) -> Lot:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, procurement.pk)
    _draft_required(procurement)
    _lot_check(procurement, title=title, estimated_value=estimated_value)
    number = (procurement.lots.aggregate(top=Max("number"))["top"] or 0) + 1
    lot = Lot.objects.create(
        organisation=procurement.organisation,
        procurement=procurement,
        number=number,
        title=title.strip(),
        description=description.strip(),
        estimated_value=estimated_value,
    )
    _record(actor, procurement, AuditAction.LOT_ADDED, lot, after=snapshot(lot, LOT_FIELDS))
    return lot


@transaction.atomic
def lot_update(
    *, actor: User | None, member: Member, lot: Lot, title: str, description: str, estimated_value: Decimal | None
) -> Lot:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, lot.procurement_id)
    _draft_required(procurement)
    _lot_check(procurement, title=title, estimated_value=estimated_value)
    before = snapshot(lot, LOT_FIELDS)
    lot.title = title.strip()
    lot.description = description.strip()
    lot.estimated_value = estimated_value
    lot.save()
    _record(actor, procurement, AuditAction.LOT_UPDATED, lot, before=before, after=snapshot(lot, LOT_FIELDS))
    return lot


@transaction.atomic
def lot_remove(*, actor: User | None, member: Member, lot: Lot) -> None:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, lot.procurement_id)
    _draft_required(procurement)
    if procurement.lots.count() <= 1:
        raise ApplicationError("A procurement has at least one lot: this is the only one, so it stays.")
    before = snapshot(lot, LOT_FIELDS)
    _record(actor, procurement, AuditAction.LOT_REMOVED, lot, before=before)
    lot.delete()


# --- The impact assessment ---------------------------------------------------------------------------


def _impact_check(procurement: Procurement, data: ImpactInput, *, pk: int | None) -> Outcome:
    if procurement.framework_version_id is None:
        raise ApplicationError("Choose the procurement’s framework version first: the outcomes come from it.")
    outcome = Outcome.objects.filter(version=procurement.framework_version, code=data.outcome_code).first()
    if outcome is None:
        raise ApplicationError(
            "There is a problem with the impact.", field_errors={"outcome_code": "Choose an outcome from the list"}
        )
    if ImpactItem.objects.filter(procurement=procurement, outcome_code=outcome.code).exclude(pk=pk or 0).exists():
        raise ApplicationError(
            "There is a problem with the impact.",
            field_errors={"outcome_code": f"The assessment already has a row for {outcome.code}: change that one"},
        )
    if not (data.positive_effects.strip() or data.negative_effects.strip()):
        raise ApplicationError(
            "There is a problem with the impact.",
            field_errors={"positive_effects": "Describe the expected positive or negative effects, or both"},
        )
    return outcome


def _impact_fill(item: ImpactItem, outcome: Outcome, data: ImpactInput) -> None:
    item.outcome_code = outcome.code
    item.outcome_title = outcome.title
    item.positive_effects = data.positive_effects.strip()
    item.negative_effects = data.negative_effects.strip()
    item.mitigations = data.mitigations.strip()
    item.by_specification = data.by_specification
    item.by_lotting = data.by_lotting
    item.by_questions = data.by_questions


@transaction.atomic
def impact_add(*, actor: User | None, member: Member, procurement: Procurement, data: ImpactInput) -> ImpactItem:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, procurement.pk)
    _draft_required(procurement)
    outcome = _impact_check(procurement, data, pk=None)
    item = ImpactItem(organisation=procurement.organisation, procurement=procurement)
    _impact_fill(item, outcome, data)
    item.position = (procurement.impacts.aggregate(top=Max("position"))["top"] or 0) + 1
    item.save()
    _record(actor, procurement, AuditAction.IMPACT_ADDED, item, after=snapshot(item, IMPACT_FIELDS))
    return item


@transaction.atomic
def impact_update(*, actor: User | None, member: Member, item: ImpactItem, data: ImpactInput) -> ImpactItem:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, item.procurement_id)
    _draft_required(procurement)
    outcome = _impact_check(procurement, data, pk=item.pk)
    before = snapshot(item, IMPACT_FIELDS)
    _impact_fill(item, outcome, data)
    item.save()
    _record(actor, procurement, AuditAction.IMPACT_UPDATED, item, before=before, after=snapshot(item, IMPACT_FIELDS))
    return item


@transaction.atomic
def impact_remove(*, actor: User | None, member: Member, item: ImpactItem) -> None:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, item.procurement_id)
    _draft_required(procurement)
    _record(actor, procurement, AuditAction.IMPACT_REMOVED, item, before=snapshot(item, IMPACT_FIELDS))
    item.delete()


# --- The criteria tree -------------------------------------------------------------------------------


def scale_range(scale: ScoringScale) -> tuple[Decimal, Decimal] | None:
    scores = list(scale.levels.values_list("score", flat=True))
    return (min(scores), max(scores)) if scores else None


def _criterion_check(procurement: Procurement, data: CriterionInput, *, pk: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.kind not in CriterionKind.values:
        errors["kind"] = "Choose price, quality or social value"
    code = data.code.strip()
    if not code:
        errors["code"] = "Enter a short code, like Q2 or SV2"
    elif Criterion.objects.filter(procurement=procurement, code=code).exclude(pk=pk or 0).exists():
        errors["code"] = f"Another criterion already has the code {code}: choose a different one"
    if not data.title.strip():
        errors["title"] = "Enter the title"
    _percent_check(errors, "weight", data.weight, "weight")
    _criterion_scale_check(errors, procurement, data, pk=pk)
    if data.word_limit is not None and data.word_limit < 1:
        errors["word_limit"] = "The word limit must be at least 1 word, or left blank"
    _criterion_outcome_check(errors, procurement, data)
    return errors


def _criterion_scale_check(
    errors: dict[str, str], procurement: Procurement, data: CriterionInput, *, pk: int | None
) -> None:
    """Price is scored by the price method (one price criterion, no scale, no minimum); every other
    criterion on one of the buyer's scales, with any minimum score within it."""
    if data.kind == CriterionKind.PRICE:
        if Criterion.objects.filter(procurement=procurement, kind=CriterionKind.PRICE).exclude(pk=pk or 0).exists():
            errors["kind"] = "The model already has a price criterion: change its weight instead"
        if data.scale is not None:
            errors["scale"] = "Price is scored by the price method, not on a scale: choose no scale"
        if data.minimum_score is not None:
            errors["minimum_score"] = "Price has no minimum score"
    elif data.scale is None:
        errors["scale"] = "Choose the scale evaluators score this criterion on"
    if data.scale is not None and data.scale.organisation_id != procurement.organisation_id:
        errors["scale"] = "Choose one of your scales"
    elif data.scale is not None and data.minimum_score is not None:
        bounds = scale_range(data.scale)
        if bounds is None or not bounds[0] <= data.minimum_score <= bounds[1]:
            low, high = bounds or (Decimal(0), Decimal(0))
            errors["minimum_score"] = (
                f"The minimum score must be within the scale, from {low.normalize():f} to {high.normalize():f}"
            )


def _criterion_outcome_check(errors: dict[str, str], procurement: Procurement, data: CriterionInput) -> None:
    if data.outcome_code and data.kind != CriterionKind.SOCIAL_VALUE:
        errors["outcome_code"] = "Only a social value criterion asks for an outcome: leave it blank"
    elif data.outcome_code and procurement.framework_version_id:
        if not Outcome.objects.filter(version=procurement.framework_version, code=data.outcome_code).exists():
            errors["outcome_code"] = "Choose an outcome of the procurement’s framework version"


def _criterion_fill(criterion: Criterion, data: CriterionInput) -> None:
    criterion.kind = data.kind
    criterion.code = data.code.strip()
    criterion.title = data.title.strip()
    criterion.question = data.question.strip()
    criterion.weight = data.weight
    criterion.scale = data.scale
    criterion.minimum_score = data.minimum_score
    criterion.word_limit = data.word_limit
    criterion.outcome_code = data.outcome_code if data.kind == CriterionKind.SOCIAL_VALUE else ""


@transaction.atomic
def criterion_add(*, actor: User | None, member: Member, procurement: Procurement, data: CriterionInput) -> Criterion:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, procurement.pk)
    _draft_required(procurement)
    errors = _criterion_check(procurement, data, pk=None)
    if errors:
        raise ApplicationError("There is a problem with the criterion.", field_errors=errors)
    criterion = Criterion(organisation=procurement.organisation, procurement=procurement)
    _criterion_fill(criterion, data)
    criterion.position = (procurement.criteria.aggregate(top=Max("position"))["top"] or 0) + 1
    criterion.save()
    _record(actor, procurement, AuditAction.CRITERION_ADDED, criterion, after=snapshot(criterion, CRITERION_FIELDS))
    return criterion


@transaction.atomic
def criterion_update(*, actor: User | None, member: Member, criterion: Criterion, data: CriterionInput) -> Criterion:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, criterion.procurement_id)
    _draft_required(procurement)
    errors = _criterion_check(procurement, data, pk=criterion.pk)
    if errors:
        raise ApplicationError("There is a problem with the criterion.", field_errors=errors)
    before = snapshot(criterion, CRITERION_FIELDS)
    _criterion_fill(criterion, data)
    criterion.save()
    after = snapshot(criterion, CRITERION_FIELDS)
    _record(actor, procurement, AuditAction.CRITERION_UPDATED, criterion, before=before, after=after)
    return criterion


@transaction.atomic
def criterion_remove(*, actor: User | None, member: Member, criterion: Criterion) -> None:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, criterion.procurement_id)
    _draft_required(procurement)
    _record(actor, procurement, AuditAction.CRITERION_REMOVED, criterion, before=snapshot(criterion, CRITERION_FIELDS))
    criterion.delete()


# --- Publishing and cancelling -----------------------------------------------------------------------


@transaction.atomic
def procurement_publish(
    *, actor: User | None, member: Member, procurement: Procurement, now: datetime | None = None
) -> Procurement:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, procurement.pk)
    now = now or timezone.now()
    problems = publish_problems(procurement, now=now)
    if problems:
        raise ApplicationError(
            "The procurement cannot be published yet.",
            field_errors={f"problem_{number}": text for number, text in enumerate(problems, start=1)},
        )
    before = snapshot(procurement, ["state"])
    procurement.state = ProcurementState.PUBLISHED
    procurement.published_at = now
    procurement.published_by = actor
    procurement.save(update_fields=["state", "published_at", "published_by", "updated_at"])
    _record(
        actor,
        procurement,
        AuditAction.PROCUREMENT_PUBLISHED,
        procurement,
        before=before,
        after=snapshot(procurement, ["state", "published_at"]),
    )
    return procurement


@transaction.atomic
def procurement_cancel(*, actor: User | None, member: Member, procurement: Procurement, reason: str) -> Procurement:
    permission_require(member, Permission.PLAN_PROCUREMENTS)
    procurement = _procurement_locked(member, procurement.pk)
    if procurement.state not in (ProcurementState.DRAFT, ProcurementState.PUBLISHED):
        raise StateConflict(f"A procurement that is {procurement.get_state_display().lower()} cannot be cancelled.")
    if not reason.strip():
        raise ApplicationError(
            "There is a problem with the cancellation.", field_errors={"reason": "Say why the procurement is cancelled"}
        )
    before = snapshot(procurement, ["state"])
    procurement.state = ProcurementState.CANCELLED
    procurement.save(update_fields=["state", "updated_at"])
    _record(
        actor,
        procurement,
        AuditAction.PROCUREMENT_CANCELLED,
        procurement,
        before=before,
        after={"state": procurement.state, "reason": reason.strip()},
    )
    return procurement
