"""Reads for planning: the buyer's procurements and their parts, the timetable in Europe/London, the
ask with its reasons and changes, the impact assessment, and the published methodology.

Every read takes the `Member`; another organisation's objects, and every object for a supplier, are a 404.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from commonweal.core.formatting import money, uk_datetime
from commonweal.core.models import AuditAction, AuditEvent, AuditEventQuerySet
from commonweal.frameworks.models import FrameworkVersion, Outcome, ValueSet, VersionStatus
from commonweal.frameworks.proportionality import ADJUSTABLE_PARTS, PART_TITLES, ask_part_texts
from commonweal.tenancy.selectors import Member

from . import scoring, selectors
from .models import (
    Criterion,
    CriterionKind,
    ImpactItem,
    Lot,
    PriceMethod,
    Procurement,
    ProcurementState,
    ScaleLevel,
    ScoringScale,
)
from .ranking import criterion_specs
from .rules import (
    STANDSTILL_WORKING_DAYS,
    TIMETABLE,
    ask_from_dict,
    criteria_weights,
    minimum_tendering_days,
    suggested_outcome_codes,
    working_days_after,
)

# The price methods in words, with their formulas (docs/evaluation-methods.md has the worked examples).
PRICE_METHOD_TEXTS: dict[str, tuple[str, str]] = {
    PriceMethod.LOWEST_OVER_BID: (
        "The lowest price gets the full price weight; every other tender gets it in proportion to how close "
        "its price is to the lowest.",
        "price points = price weight × lowest price ÷ tender price",
    ),
    PriceMethod.RELATIVE_TO_AVERAGE: (
        "Each price is compared with the average of all the prices in the lot: the further below the average, "
        "the more points, never fewer than 0 or more than the price weight.",
        "price points = price weight × (1 − (tender price − average price) ÷ average price), "
        "kept between 0 and the price weight",
    ),
    PriceMethod.DEVIATION_FROM_LOWEST: (
        "The lowest price gets the full price weight; every other tender loses points by how far, in per cent, "
        "its price is above the lowest, never fewer than 0.",
        "price points = price weight × (1 − (tender price − lowest price) ÷ lowest price), at least 0",
    ),
    PriceMethod.PRICE_PER_QUALITY_POINT: (
        "Price is not given points. Each tender's price is divided by its quality and social value points; "
        "the lowest price per quality point is the most advantageous.",
        "price per quality point = tender price ÷ (quality points + social value points)",
    ),
}
SCORE_FORMULA = "points on a criterion = the criterion's weight × the score ÷ the top score of its scale"
ROUNDING_TEXT = "Points are worked out exactly and rounded once, at the end, to 2 decimal places (halves rounded up)."
TIE_BREAK_TEXT = (
    "Tenders are ranked on their total points as published (to 2 decimal places); with price per quality "
    "point, on the lowest price per quality point. Where that is equal, the tender with more quality and "
    "social value points ranks higher, then the one with the lower price. Tenders still equal share a rank; "
    "if they share first place, the buyer decides between them and records how."
)
DISQUALIFY_TEXT = (
    "A tender scoring below the minimum score on any criterion that has one is disqualified: it is not "
    "ranked, whatever its other scores, and its price is left out of the lowest and average prices "
    "(Procurement Act 2023, section 23(3)(a))."
)


# --- Finding things -----------------------------------------------------------------------------------


def procurement_list(*, member: Member) -> QuerySet[Procurement]:
    return selectors.procurement_list(member=member).order_by("-created_at", "reference")


def procurement_get(*, member: Member, pk: int) -> Procurement:
    return selectors.procurement_get(member=member, pk=pk)


def lot_get(*, member: Member, pk: int) -> Lot:
    try:
        return Lot.objects.select_related("procurement").get(
            pk=pk, procurement__in=selectors.procurement_list(member=member)
        )
    except Lot.DoesNotExist:
        raise Http404("No such lot.") from None


def impact_get(*, member: Member, pk: int) -> ImpactItem:
    try:
        return ImpactItem.objects.select_related("procurement").get(
            pk=pk, procurement__in=selectors.procurement_list(member=member)
        )
    except ImpactItem.DoesNotExist:
        raise Http404("No such impact.") from None


def criterion_get(*, member: Member, pk: int) -> Criterion:
    try:
        return Criterion.objects.select_related("procurement", "scale").get(
            pk=pk, procurement__in=selectors.procurement_list(member=member)
        )
    except Criterion.DoesNotExist:
        raise Http404("No such criterion.") from None


def scale_list(*, member: Member) -> QuerySet[ScoringScale]:
    if not member.organisation.is_public_body:
        return ScoringScale.objects.none()
    return ScoringScale.objects.filter(organisation=member.organisation).prefetch_related("levels")


def scale_get(*, member: Member, pk: int) -> ScoringScale:
    try:
        return scale_list(member=member).get(pk=pk)
    except ScoringScale.DoesNotExist:
        raise Http404("No such scale.") from None


def framework_version_choices(*, member: Member) -> QuerySet[FrameworkVersion]:
    """Published versions of the buyer's own frameworks."""
    return (
        FrameworkVersion.objects.filter(framework__organisation=member.organisation, status=VersionStatus.PUBLISHED)
        .select_related("framework")
        .order_by("framework__title", "-number")
    )


def value_set_choices(*, member: Member) -> QuerySet[ValueSet]:
    return ValueSet.objects.filter(organisation=member.organisation).order_by("title")


def outcome_choices(procurement: Procurement) -> list[Outcome]:
    """The outcomes of the procurement's framework version: the ask's outcomes first, then in framework order."""
    if procurement.framework_version_id is None:
        return []
    suggested = suggested_outcome_codes(procurement)
    outcomes = list(
        Outcome.objects.filter(version=procurement.framework_version).order_by("theme__position", "position", "code")
    )
    first = {code: index for index, code in enumerate(suggested)}
    return sorted(outcomes, key=lambda o: (o.code not in first, first.get(o.code, 0)))


def audit_event_list(*, member: Member, procurement: Procurement) -> AuditEventQuerySet:
    procurement = procurement_get(member=member, pk=procurement.pk)
    return AuditEvent.objects.for_trail(procurement).select_related("actor")


def cancel_reason(procurement: Procurement) -> str:
    if procurement.state != ProcurementState.CANCELLED:
        return ""
    event = AuditEvent.objects.for_trail(procurement).filter(action=AuditAction.PROCUREMENT_CANCELLED).first()
    return str(event.after.get("reason", "")) if event else ""


# --- What the pages show ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimetableRow:
    name: str
    label: str
    moment: datetime | None

    @property
    def text(self) -> str:
        return uk_datetime(self.moment) or "Not set"


def timetable_rows(procurement: Procurement) -> list[TimetableRow]:
    return [TimetableRow(name, label, getattr(procurement, name)) for name, label in TIMETABLE.items()]


@dataclass(frozen=True)
class AskRow:
    part: str
    title: str
    proposed: str
    reason: str
    adjustable: bool
    change: dict[str, str] | None


@dataclass(frozen=True)
class AskView:
    fitted: bool
    message: str  # why no band fitted
    band: str
    rows: list[AskRow]
    min_social_value_weight: Decimal
    offer_kind: str
    reporting_frequency: str


def ask_view(procurement: Procurement) -> AskView:
    stored = procurement.ask or {}
    weight = procurement.min_social_value_weight
    offer = str(procurement.get_offer_kind_display())
    reporting = str(procurement.get_reporting_frequency_display())
    if not stored.get("fitted"):
        return AskView(
            fitted=False,
            message=stored.get("message", "The ask was not proposed: this procurement was not planned here."),
            band="",
            rows=[],
            min_social_value_weight=weight,
            offer_kind=offer,
            reporting_frequency=reporting,
        )
    proposal = ask_from_dict(stored["proposal"])
    texts = ask_part_texts(proposal)
    changes = {change["part"]: change for change in stored.get("changes", [])}
    rows = [
        AskRow(
            part=part,
            title=PART_TITLES[part],
            proposed=texts[part],
            reason=reason,
            adjustable=part in ADJUSTABLE_PARTS,
            change=changes.get(part),
        )
        for part, reason in proposal.reasons
    ]
    return AskView(
        fitted=True,
        message="",
        band=f"{proposal.band_position}. {proposal.band_name}",
        rows=rows,
        min_social_value_weight=weight,
        offer_kind=offer,
        reporting_frequency=reporting,
    )


@dataclass(frozen=True)
class ImpactRow:
    item: ImpactItem
    levers: list[str]

    @property
    def levers_text(self) -> str:
        return ", ".join(self.levers) or "None chosen"


def impact_rows(procurement: Procurement) -> list[ImpactRow]:
    """The impact assessment, one row per outcome, with the levers chosen to mitigate it in words."""
    rows = []
    for item in ImpactItem.objects.filter(procurement=procurement).order_by("position", "id"):
        levers = [
            text
            for chosen, text in (
                (item.by_specification, "the specification"),
                (item.by_lotting, "lotting"),
                (item.by_questions, "the social value questions"),
            )
            if chosen
        ]
        rows.append(ImpactRow(item=item, levers=levers))
    return rows


# --- The criteria tree and the published methodology -------------------------------------------------


@dataclass(frozen=True)
class Branch:
    kind: str
    title: str
    weight: Decimal
    criteria: list[Criterion]


@dataclass(frozen=True)
class ScaleView:
    scale: ScoringScale
    levels: list[ScaleLevel]
    used_by: list[str]


@dataclass(frozen=True)
class Methodology:
    """What bidders are told about how tenders are assessed (the `_methodology.html` partial)."""

    procurement: Procurement
    branches: list[Branch]
    total_weight: Decimal
    scales: list[ScaleView]
    minimums: list[Criterion]
    price_method: str
    price_method_text: str
    price_formula: str
    score_formula: str = SCORE_FORMULA
    rounding: str = ROUNDING_TEXT
    tie_break: str = TIE_BREAK_TEXT
    disqualify: str = DISQUALIFY_TEXT
    outcome_titles: dict[str, str] = field(default_factory=dict)


def branches(procurement: Procurement) -> list[Branch]:
    criteria = list(
        Criterion.objects.filter(procurement=procurement).select_related("scale").order_by("position", "id")
    )
    totals = criteria_weights(criteria)
    return [
        Branch(kind=kind, title=str(label), weight=totals[kind], criteria=[c for c in criteria if c.kind == kind])
        for kind, label in CriterionKind.choices
    ]


def methodology(procurement: Procurement) -> Methodology:
    tree = branches(procurement)
    criteria = [criterion for branch in tree for criterion in branch.criteria]
    scales: dict[int, ScaleView] = {}
    for criterion in criteria:
        if criterion.scale is None:
            continue
        if criterion.scale.pk not in scales:
            levels = list(ScaleLevel.objects.filter(scale=criterion.scale).order_by("score"))
            scales[criterion.scale.pk] = ScaleView(scale=criterion.scale, levels=levels, used_by=[])
        scales[criterion.scale.pk].used_by.append(criterion.code)
    text, formula = PRICE_METHOD_TEXTS[PriceMethod(procurement.price_method)]
    titles: dict[str, str] = {}
    if procurement.framework_version_id:
        titles = dict(Outcome.objects.filter(version=procurement.framework_version).values_list("code", "title"))
    return Methodology(
        procurement=procurement,
        branches=tree,
        total_weight=sum((branch.weight for branch in tree), Decimal("0")),
        scales=list(scales.values()),
        minimums=[c for c in criteria if c.minimum_score is not None],
        price_method=procurement.get_price_method_display(),
        price_method_text=text,
        price_formula=formula,
        outcome_titles=titles,
    )


# --- What stops publishing ------------------------------------------------------------------------------


def weights_check(procurement: Procurement) -> list[str]:
    """The scoring module's verdict on the criteria as a published model."""
    return list(
        scoring.weights_problems(
            criterion_specs(procurement),
            price_method=procurement.price_method,
            min_social_value_weight=procurement.min_social_value_weight,
        )
    )


TIMETABLE_ORDER = [  # (earlier, later, whether they may not be the same moment)
    ("publication_at", "clarification_deadline", False),
    ("clarification_deadline", "tender_deadline", True),
    ("tender_deadline", "evaluation_at", False),
    ("evaluation_at", "award_at", False),
    ("award_at", "standstill_end_at", True),
]


def _timetable_problems(procurement: Procurement, now: datetime) -> list[str]:
    problems = []
    moments = {name: getattr(procurement, name) for name in TIMETABLE}
    missing = [label.lower() for name, label in TIMETABLE.items() if moments[name] is None]
    if missing:
        problems.append(f"The timetable is incomplete: enter the {', '.join(missing)}.")
        return problems
    for first, second, strict in TIMETABLE_ORDER:
        if moments[first] > moments[second] or (strict and moments[first] == moments[second]):
            relation = "before" if strict else "no later than"
            problems.append(f"The {TIMETABLE[first].lower()} must be {relation} the {TIMETABLE[second].lower()}.")
    award_day = timezone.localtime(moments["award_at"]).date()
    earliest = working_days_after(award_day, STANDSTILL_WORKING_DAYS)
    if timezone.localtime(moments["standstill_end_at"]).date() < earliest:
        problems.append(
            f"The standstill must end no earlier than {earliest:%A} {earliest.day} {earliest:%B %Y}, "
            f"{STANDSTILL_WORKING_DAYS} working days after the award (Procurement Act 2023 s.51). "
            "This check counts weekdays only and does not know bank holidays: add any that fall in the period."
        )
    problems.extend(_tendering_period_problems(procurement))
    if moments["tender_deadline"] <= now:
        problems.append("The tender deadline has already passed: move the timetable on.")
    return problems


def _tendering_period_problems(procurement: Procurement) -> list[str]:
    """The Act's minimum tendering period for the procedure (s.54), counted in calendar days."""
    minimum = minimum_tendering_days(procurement.procedure, procurement.tendering_period_reduction)
    assert procurement.publication_at is not None and procurement.tender_deadline is not None
    published = timezone.localtime(procurement.publication_at).date()
    deadline = timezone.localtime(procurement.tender_deadline).date()
    if minimum is None or (deadline - published).days >= minimum:
        return []
    earliest = published + timedelta(days=minimum)
    reduced = " (reduced)" if procurement.tendering_period_reduction else ""
    procedure = procurement.get_procedure_display().lower()
    return [
        f"The tendering period is {(deadline - published).days} days: the {procedure} "
        f"needs at least {minimum} days{reduced} from publication to the tender deadline (Procurement Act 2023 "
        f"s.54(4)). Move the tender deadline to {earliest:%A} {earliest.day} {earliest:%B %Y} or later."
    ]


def publish_problems(procurement: Procurement, *, now: datetime | None = None) -> list[str]:
    """Everything that stops the procurement being published, in words (empty: it can be)."""
    now = now or timezone.now()
    problems = []
    if procurement.state != ProcurementState.DRAFT:
        problems.append(
            f"Only a draft can be published; this procurement is {procurement.get_state_display().lower()}."
        )
    version = procurement.framework_version
    if version is None or version.status != VersionStatus.PUBLISHED:
        problems.append("Choose a published version of one of your frameworks.")
    if not procurement.lots.exists():
        problems.append("Add at least one lot.")
    criteria = list(procurement.criteria.all())
    unscaled = [c.code for c in criteria if c.kind != CriterionKind.PRICE and c.scale_id is None]
    if unscaled:
        problems.append(f"Choose a scale for {', '.join(unscaled)}: every non-price criterion needs one.")
    problems.extend(weights_check(procurement))
    problems.extend(_timetable_problems(procurement, now))
    return problems


@dataclass(frozen=True)
class WeightsCheck:
    problems: list[str]
    available: bool  # False while the scoring module cannot check weights


def weights_status(procurement: Procurement) -> WeightsCheck:
    try:
        return WeightsCheck(problems=weights_check(procurement), available=True)
    except NotImplementedError:
        return WeightsCheck(problems=[], available=False)


def detail_context(*, member: Member, procurement: Procurement) -> dict[str, Any]:
    """Everything the procurement page shows."""
    is_draft = procurement.state == ProcurementState.DRAFT
    can_write = member.can_plan_procurements
    try:
        problems = publish_problems(procurement) if is_draft else []
        check_available = True
    except NotImplementedError:
        problems, check_available = [], False
    return {
        "member": member,
        "procurement": procurement,
        "lots": list(procurement.lots.order_by("number")),
        "timetable": timetable_rows(procurement),
        "ask": ask_view(procurement),
        "impacts": impact_rows(procurement),
        "methodology": methodology(procurement),
        "publish_problems": problems,
        "check_available": check_available,
        "can_edit": can_write and is_draft,
        "can_cancel": can_write and procurement.state in (ProcurementState.DRAFT, ProcurementState.PUBLISHED),
        "cancel_reason": cancel_reason(procurement),
        "audit_events": audit_event_list(member=member, procurement=procurement),
        "money": money(procurement.estimated_value),
        "published_at_text": uk_datetime(procurement.published_at),
        "goes_live_text": uk_datetime(procurement.publication_at) if selectors.goes_live_later(procurement) else "",
        "planning_tasks": planning_tasks(member=member, procurement=procurement) if is_draft and can_write else [],
    }


# --- The planning task list ----------------------------------------------------------------------------


class TaskStatus:
    COMPLETED = "Completed"
    INCOMPLETE = "Incomplete"
    NOT_STARTED = "Not yet started"
    CANNOT_START = "Cannot start yet"


@dataclass(frozen=True)
class PlanningTask:
    key: str
    name: str
    status: str
    url: str  # empty: the step cannot start yet
    hint: str = ""

    @property
    def done(self) -> bool:
        return self.status == TaskStatus.COMPLETED


def planning_tasks(*, member: Member, procurement: Procurement, now: datetime | None = None) -> list[PlanningTask]:
    """The steps of planning a procurement, in order (GOV.UK task list), each with its status: details, lots,
    the ask, the impact assessment, the criteria, the timetable, then publishing once the rest are done."""
    now = now or timezone.now()
    slug = member.organisation.slug

    def url(name: str, anchor: str = "") -> str:
        return reverse(f"procurement:{name}", kwargs={"org": slug, "pk": procurement.pk}) + anchor

    version = procurement.framework_version
    details_done = bool(procurement.title and procurement.duration_months) and (
        version is not None and version.status == VersionStatus.PUBLISHED
    )
    lots = procurement.lots.count()
    impacts = procurement.impacts.count()
    criteria = list(procurement.criteria.all())
    try:
        weight_problems = weights_check(procurement) if criteria else []
    except NotImplementedError:
        weight_problems = []
    unscaled = [c for c in criteria if c.kind != CriterionKind.PRICE and c.scale_id is None]
    timetable_set = [name for name in TIMETABLE if getattr(procurement, name) is not None]
    timetable_problems = _timetable_problems(procurement, now) if procurement.state == ProcurementState.DRAFT else []

    def status(done: bool, started: bool) -> str:
        if done:
            return TaskStatus.COMPLETED
        return TaskStatus.INCOMPLETE if started else TaskStatus.NOT_STARTED

    tasks = [
        PlanningTask(
            "details",
            "Describe the procurement",
            status(details_done, True),
            url("procurement-edit"),
            "" if details_done else "Choose a published framework version",
        ),
        PlanningTask(
            "lots",
            "Divide it into lots",
            status(lots > 0, False),
            url("procurement-detail", "#lots") if lots else url("procurement-lot-add"),
            f"{lots} lot{'s' if lots != 1 else ''}" if lots else "",
        ),
        PlanningTask(
            "ask",
            "Set the social value ask",
            status(bool((procurement.ask or {}).get("fitted")), bool(procurement.ask)),
            url("procurement-ask"),
        ),
        PlanningTask(
            "impact",
            "Assess the impact",
            status(impacts > 0, False),
            url("procurement-detail", "#impact") if impacts else url("procurement-impact-add"),
            f"{impacts} outcome{'s' if impacts != 1 else ''} assessed" if impacts else "",
        ),
        PlanningTask(
            "criteria",
            "Set the evaluation criteria and weights",
            status(bool(criteria) and not weight_problems and not unscaled, bool(criteria)),
            url("procurement-detail", "#criteria") if criteria else url("procurement-criterion-add"),
            (
                weight_problems + [f"Choose a scale for {', '.join(c.code for c in unscaled)}"]
                if unscaled
                else weight_problems
            )[0]
            if (weight_problems or unscaled)
            else "",
        ),
        PlanningTask(
            "timetable",
            "Set the timetable",
            status(len(timetable_set) == len(TIMETABLE) and not timetable_problems, bool(timetable_set)),
            url("procurement-edit"),
            timetable_problems[0] if timetable_problems else "",
        ),
    ]
    if procurement.state != ProcurementState.DRAFT:
        publish = PlanningTask("publish", "Publish", TaskStatus.COMPLETED, "", procurement.get_state_display())
    elif all(task.done for task in tasks):
        publish = PlanningTask("publish", "Publish", TaskStatus.NOT_STARTED, url("procurement-publish"))
    else:
        publish = PlanningTask("publish", "Publish", TaskStatus.CANNOT_START, "", "Complete the steps above first")
    return [*tasks, publish]
