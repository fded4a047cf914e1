"""Writes for local priorities, the proportionality policy and the plan on a page. All audited.

Each service takes the member acting and requires Permission.MANAGE_FRAMEWORKS; it writes for the
member's organisation. Bad input raises ApplicationError with a message per field and changes nothing.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.audit import audit_record, snapshot
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.permissions import Permission, permission_require
from commonweal.tenancy.selectors import Member

from .models import (
    ContractCategory,
    FocusArea,
    Framework,
    FrameworkVersion,
    OfferKind,
    Outcome,
    OutcomePriority,
    PlanPublication,
    PriorityGroup,
    ProportionalityBand,
    ProportionalityPolicy,
    ReportingFrequency,
    SupplierSize,
)
from .proportionality import DEFAULT_POLICY, MAX_VALUE, PARTS
from .selectors_priorities import consultation_opened_ids, framework_version_latest_published
from .services_interchange import framework_load

GSS_CODE = re.compile(r"[EWSN][0-9]{8}")
MAX_WEIGHT = Decimal("1000")  # weights hold 5 digits, 2 after the point
PLAN_SUMMARY_MAX_CHARACTERS = 600  # the plan has to fit on one A4 page
BAND_FIELDS = [
    "name",
    "category",
    "min_value",
    "max_value",
    "min_months",
    "max_months",
    "supplier_size",
    "min_weighting_percent",
    "outcomes_to_ask",
    "offer_kind",
    "delivery_plan_required",
    "reporting_frequency",
    "rationale",
]


def _require_own(member: Member, obj: FocusArea | PriorityGroup | ProportionalityBand) -> None:
    """Refuse (404) an object of another organisation, as its page would."""
    if obj.organisation_id != member.organisation.pk:
        raise Http404(f"No such {obj._meta.verbose_name}.")


def _two_places_error(number: Decimal, *, what: str) -> str | None:
    if not number.is_finite():
        return f"Enter the {what} as a number"
    if number != number.quantize(Decimal("0.01")):
        return f"Enter the {what} with no more than 2 decimal places"
    return None


# --- Outcome weights ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightInput:
    weight: Decimal | None  # None: the outcome is not a priority
    reason: str
    consultation_id: int | None = None  # the organisation's opened consultation the weight comes from


@transaction.atomic
def outcome_priorities_set(
    *, actor: User | None, member: Member, framework: Framework, weights: Mapping[str, WeightInput]
) -> list[OutcomePriority]:
    """Set the organisation's weight and reason on outcomes of a framework, by outcome code. A blank
    weight takes the outcome off the priorities. Codes must be outcomes of the latest published version."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    organisation = member.organisation
    usable = Framework.objects.filter(pk=framework.pk).filter(
        Q(organisation=organisation) | Q(shares__network__in=organisation.networks.all())
    )
    if not usable.exists():
        raise ApplicationError(f"{framework.title} is neither yours nor shared with a network you belong to.")
    version = framework_version_latest_published(framework=framework)
    if version is None:
        raise ApplicationError(f"{framework.title} has no published version: publish one before setting weights.")
    errors = _weight_errors(weights, framework=framework, version=version)
    opened = set(consultation_opened_ids(organisation=organisation))
    for code, entry in weights.items():
        if entry.consultation_id is not None and entry.consultation_id not in opened:
            errors[f"consultation-{code}"] = "Choose one of your organisation's consultations"
    if errors:
        raise ApplicationError("There is a problem with the weights.", field_errors=errors)

    existing = {
        p.outcome_code: p for p in OutcomePriority.objects.filter(organisation=organisation, framework=framework)
    }
    before = {code: _weight_record(p) for code, p in existing.items()}
    _weights_save(organisation, framework, existing, weights)
    priorities = list(OutcomePriority.objects.filter(organisation=organisation, framework=framework))
    after = {p.outcome_code: _weight_record(p) for p in priorities}
    if after != before:
        audit_record(
            actor=actor,
            organisation=organisation,
            action=AuditAction.OUTCOME_PRIORITIES_SET,
            target=framework,
            before={"weights": before},
            after={"weights": after},
        )
    return priorities


def _weight_record(priority: OutcomePriority) -> dict[str, Any]:
    record: dict[str, Any] = {"weight": str(priority.weight), "reason": priority.reason}
    if priority.consultation_id is not None:
        record["consultation"] = priority.consultation_id
    return record


def _weight_errors(
    weights: Mapping[str, WeightInput], *, framework: Framework, version: FrameworkVersion
) -> dict[str, str]:
    """What is wrong with each weight and reason, by field (`weight-CODE`, `reason-CODE`)."""
    codes = set(Outcome.objects.filter(version=version).values_list("code", flat=True))
    errors: dict[str, str] = {}
    for code, entry in weights.items():
        if code not in codes:
            errors[f"weight-{code}"] = f"{code} is not an outcome of {framework.title}, version {version.number}"
            continue
        if entry.weight is None:
            continue
        problem = _two_places_error(entry.weight, what="weight")
        if problem:
            errors[f"weight-{code}"] = problem
        elif entry.weight < 0:
            errors[f"weight-{code}"] = "The weight must be 0 or more"
        elif entry.weight >= MAX_WEIGHT:
            errors[f"weight-{code}"] = f"Enter a weight below {MAX_WEIGHT}"
        if not entry.reason.strip():
            errors[f"reason-{code}"] = "Say why this outcome has this weight"
    return errors


def _weights_save(
    organisation: Organisation,
    framework: Framework,
    existing: dict[str, OutcomePriority],
    weights: Mapping[str, WeightInput],
) -> None:
    """Create, change or delete the organisation's priorities so they match `weights`."""
    for code, entry in weights.items():
        priority = existing.get(code)
        if entry.weight is None:
            if priority is not None:
                priority.delete()
            continue
        if priority is None:
            OutcomePriority.objects.create(
                organisation=organisation,
                framework=framework,
                outcome_code=code,
                weight=entry.weight,
                reason=entry.reason.strip(),
                consultation_id=entry.consultation_id,
            )
        elif (priority.weight, priority.reason, priority.consultation_id) != (
            entry.weight,
            entry.reason.strip(),
            entry.consultation_id,
        ):
            priority.weight = entry.weight
            priority.reason = entry.reason.strip()
            priority.consultation_id = entry.consultation_id
            priority.save(update_fields=["weight", "reason", "consultation", "updated_at"])


# --- Focus areas and priority groups -----------------------------------------------------------------


@transaction.atomic
def focus_area_create(*, actor: User | None, member: Member, gss_code: str, name: str, reason: str) -> FocusArea:
    """A place the organisation wants social value to reach, by its ONS GSS code (e.g. E05000824)."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    organisation = member.organisation
    code = gss_code.strip().upper()
    errors: dict[str, str] = {}
    if not code:
        errors["gss_code"] = "Enter the area’s ONS GSS code, like E05000824"
    elif not GSS_CODE.fullmatch(code):
        errors["gss_code"] = "Enter a GSS code of 9 characters: E, W, S or N followed by 8 digits, like E05000824"
    elif FocusArea.objects.filter(organisation=organisation, gss_code=code).exists():
        errors["gss_code"] = f"{code} is already a focus area"
    if not name.strip():
        errors["name"] = "Enter the area’s name"
    elif len(name.strip()) > 200:
        errors["name"] = "Enter a name of 200 characters or fewer"
    if errors:
        raise ApplicationError("There is a problem with the focus area.", field_errors=errors)
    area = FocusArea.objects.create(organisation=organisation, gss_code=code, name=name.strip(), reason=reason.strip())
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.FOCUS_AREA_CREATED,
        target=area,
        after=snapshot(area, ["gss_code", "name", "reason"]),
    )
    return area


@transaction.atomic
def focus_area_remove(*, actor: User | None, member: Member, focus_area: FocusArea) -> None:
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    _require_own(member, focus_area)
    before = snapshot(focus_area, ["gss_code", "name", "reason"])
    audit_record(
        actor=actor,
        organisation=focus_area.organisation,
        action=AuditAction.FOCUS_AREA_REMOVED,
        target=focus_area,
        before=before,
    )
    focus_area.delete()


@transaction.atomic
def priority_group_create(*, actor: User | None, member: Member, name: str, description: str) -> PriorityGroup:
    """People the organisation wants social value to reach first, e.g. care leavers."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    organisation = member.organisation
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the name of the group"
    elif len(name.strip()) > 200:
        errors["name"] = "Enter a name of 200 characters or fewer"
    elif PriorityGroup.objects.filter(organisation=organisation, name__iexact=name.strip()).exists():
        errors["name"] = f"“{name.strip()}” is already a priority group"
    if errors:
        raise ApplicationError("There is a problem with the priority group.", field_errors=errors)
    group = PriorityGroup.objects.create(organisation=organisation, name=name.strip(), description=description.strip())
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.PRIORITY_GROUP_CREATED,
        target=group,
        after=snapshot(group, ["name", "description"]),
    )
    return group


@transaction.atomic
def priority_group_remove(*, actor: User | None, member: Member, priority_group: PriorityGroup) -> None:
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    _require_own(member, priority_group)
    audit_record(
        actor=actor,
        organisation=priority_group.organisation,
        action=AuditAction.PRIORITY_GROUP_REMOVED,
        target=priority_group,
        before=snapshot(priority_group, ["name", "description"]),
    )
    priority_group.delete()


# --- The proportionality policy ----------------------------------------------------------------------


def _rationale_text(rationale: Any) -> str:
    """A band's rationale from the data file: one line per part, “Weighting: 10% is …”."""
    if isinstance(rationale, str):
        return rationale.strip()
    lines = []
    for part, label in PARTS.items():
        key = "value" if part == "band" else part
        if label and rationale.get(key):
            lines.append(f"{label}: {' '.join(str(rationale[key]).split())}")
    return "\n".join(lines)


def _band_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Band fields from the data file, converted to their types (numbers as Decimal)."""

    def decimal_or_none(key: str) -> Decimal | None:
        return Decimal(str(data[key])) if data.get(key) not in (None, "") else None

    def int_or_none(key: str) -> int | None:
        return int(data[key]) if data.get(key) not in (None, "") else None

    return {
        "name": data["name"],
        "category": data.get("category") or "",
        "min_value": decimal_or_none("min_value") or Decimal(0),
        "max_value": decimal_or_none("max_value"),
        "min_months": int_or_none("min_months"),
        "max_months": int_or_none("max_months"),
        "supplier_size": data.get("supplier_size") or SupplierSize.ANY,
        "min_weighting_percent": Decimal(str(data["min_weighting_percent"])),
        "outcomes_to_ask": int(data["outcomes_to_ask"]),
        "offer_kind": data["offer_kind"],
        "delivery_plan_required": bool(data.get("delivery_plan_required", False)),
        "reporting_frequency": data["reporting_frequency"],
        "rationale": _rationale_text(data.get("rationale", "")),
    }


def band_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with a band's fields, by field (in the order of the form); empty if nothing."""
    errors: dict[str, str] = {}
    _band_name_check(values, errors)
    _band_value_check(values, errors)
    _band_months_check(values, errors)
    if values.get("supplier_size") not in SupplierSize.values:
        errors["supplier_size"] = "Choose the supplier size the band is for"
    _band_ask_check(values, errors)
    return errors


def _band_name_check(values: Mapping[str, Any], errors: dict[str, str]) -> None:
    if not str(values.get("name") or "").strip():
        errors["name"] = "Enter a name for the band"
    elif len(str(values["name"]).strip()) > 200:
        errors["name"] = "Enter a name of 200 characters or fewer"
    if values.get("category") and values["category"] not in ContractCategory.values:
        errors["category"] = "Choose goods, services, works or any"


def _band_value_check(values: Mapping[str, Any], errors: dict[str, str]) -> None:
    """The contract values the band covers: from its lowest value up to (not including) where it stops."""
    min_value, max_value = values.get("min_value"), values.get("max_value")
    if not isinstance(min_value, Decimal):
        errors["min_value"] = "Enter the lowest contract value, like 207720"
    elif _two_places_error(min_value, what="lowest contract value"):
        errors["min_value"] = _two_places_error(min_value, what="lowest contract value") or ""
    elif min_value < 0:
        errors["min_value"] = "The lowest contract value must be £0 or more"
    elif min_value >= MAX_VALUE:
        errors["min_value"] = "Enter a smaller value"
    if max_value is None:
        return
    if _two_places_error(max_value, what="value the band stops at"):
        errors["max_value"] = _two_places_error(max_value, what="value the band stops at") or ""
    elif max_value >= MAX_VALUE:
        errors["max_value"] = "Enter a smaller value, or leave it blank for no upper limit"
    elif "min_value" not in errors and isinstance(min_value, Decimal) and max_value <= min_value:
        errors["max_value"] = "The value the band stops at must be more than the lowest contract value"


def _band_months_check(values: Mapping[str, Any], errors: dict[str, str]) -> None:
    min_months, max_months = values.get("min_months"), values.get("max_months")
    if min_months is not None and min_months < 0:
        errors["min_months"] = "The shortest duration must be 0 months or more"
    if max_months is not None and max_months < 1:
        errors["max_months"] = "The longest duration must be at least 1 month"
    elif min_months is not None and max_months is not None and max_months < min_months:
        errors["max_months"] = "The longest duration must be at least the shortest duration"


def _band_ask_check(values: Mapping[str, Any], errors: dict[str, str]) -> None:
    """What the band asks of suppliers: the weighting floor, the outcomes, the offer and the reporting."""
    weighting = values.get("min_weighting_percent")
    if not isinstance(weighting, Decimal) or not weighting.is_finite():
        errors["min_weighting_percent"] = "Enter the minimum weighting as a percentage, like 10"
    elif weighting < 0 or weighting > 100:
        errors["min_weighting_percent"] = "The minimum weighting must be from 0 to 100"
    elif _two_places_error(weighting, what="minimum weighting"):
        errors["min_weighting_percent"] = _two_places_error(weighting, what="minimum weighting") or ""
    outcomes = values.get("outcomes_to_ask")
    if not isinstance(outcomes, int) or outcomes < 0:
        errors["outcomes_to_ask"] = "Enter how many outcomes to ask for, 0 or more"
    if values.get("offer_kind") not in OfferKind.values:
        errors["offer_kind"] = "Choose the kind of offer"
    if values.get("reporting_frequency") not in ReportingFrequency.values:
        errors["reporting_frequency"] = "Choose how often the supplier reports"


@transaction.atomic
def policy_load_default(*, actor: User | None, member: Member, path: Path = DEFAULT_POLICY) -> ProportionalityPolicy:
    """Create the organisation's proportionality policy and its bands from the default policy file.
    If the organisation's policy already has bands, nothing changes: loading is idempotent."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    organisation = member.organisation
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    policy = ProportionalityPolicy.objects.filter(organisation=organisation).first()
    if policy is not None and policy.bands.exists():
        return policy
    bands = [_band_values(item) for item in data["bands"]]
    for number, values in enumerate(bands, start=1):
        errors = band_errors(values)
        if errors:
            raise ApplicationError(f"{path.name}: band {number}: {'; '.join(errors.values())}.")
    created = policy is None
    if policy is None:
        policy = ProportionalityPolicy.objects.create(
            organisation=organisation,
            title=data["title"],
            source=" ".join(data.get("source", "").split()),
            notes=" ".join(data.get("notes", "").split()),
        )
    for position, values in enumerate(bands, start=1):
        ProportionalityBand.objects.create(organisation=organisation, policy=policy, position=position, **values)
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.PROPORTIONALITY_POLICY_DEFAULT_LOADED,
        target=policy,
        after={
            "title": policy.title,
            "created": created,
            "bands": [values["name"] for values in bands],
        },
    )
    return policy


@transaction.atomic
def band_update(*, actor: User | None, member: Member, band: ProportionalityBand, **values: Any) -> ProportionalityBand:
    """Change a band's fields (all of BAND_FIELDS). Min value must be below the value it stops at;
    the weighting a percentage from 0 to 100."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    _require_own(member, band)
    unknown = set(values) - set(BAND_FIELDS)
    if unknown:
        raise ApplicationError(f"Bands have no field {', '.join(sorted(unknown))}.")
    merged = {name: values.get(name, getattr(band, name)) for name in BAND_FIELDS}
    merged["name"] = str(merged["name"]).strip()
    merged["rationale"] = str(merged.get("rationale") or "").strip()
    merged["category"] = merged.get("category") or ""
    errors = band_errors(merged)
    if not errors and (
        ProportionalityBand.objects.filter(policy=band.policy, name__iexact=merged["name"]).exclude(pk=band.pk).exists()
    ):
        errors["name"] = f"Another band is already called “{merged['name']}”"
    if errors:
        raise ApplicationError("There is a problem with the band.", field_errors=errors)
    before = snapshot(band, BAND_FIELDS)
    for name in BAND_FIELDS:
        setattr(band, name, merged[name])
    after = snapshot(band, BAND_FIELDS)
    if after != before:
        band.save()
        audit_record(
            actor=actor,
            organisation=band.organisation,
            action=AuditAction.PROPORTIONALITY_BAND_UPDATED,
            target=band,
            trail=band.policy,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return band


# --- The plan on a page ------------------------------------------------------------------------------


@transaction.atomic
def plan_publish(*, actor: User | None, member: Member, summary: str) -> PlanPublication:
    """Publish the organisation's plan on a page with a short summary; publishing again updates the
    summary and the date."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    organisation = member.organisation
    text = summary.strip()
    if not text:
        raise ApplicationError(
            "Enter a short summary of the plan", field_errors={"summary": "Enter a short summary of the plan"}
        )
    if len(text) > PLAN_SUMMARY_MAX_CHARACTERS:
        message = f"The summary must be {PLAN_SUMMARY_MAX_CHARACTERS} characters or fewer, to fit on one page"
        raise ApplicationError(message, field_errors={"summary": message})
    if not ProportionalityBand.objects.filter(organisation=organisation).exists():
        raise ApplicationError(
            "Set the proportionality policy before you publish the plan: the plan says what you ask of suppliers."
        )
    publication, _ = PlanPublication.objects.get_or_create(organisation=organisation)
    before = snapshot(publication, ["summary", "published_at"])
    publication.summary = text
    publication.published_at = timezone.now()
    publication.published_by = actor if actor is not None and actor.pk else None
    publication.save()
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.PLAN_PUBLISHED,
        target=publication,
        before=before,
        after=snapshot(publication, ["summary", "published_at"]),
    )
    return publication


@transaction.atomic
def plan_unpublish(*, actor: User | None, member: Member) -> PlanPublication:
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    organisation = member.organisation
    publication = PlanPublication.objects.filter(organisation=organisation).first()
    if publication is None or not publication.is_published:
        raise ApplicationError("The plan is not published.")
    before = snapshot(publication, ["summary", "published_at"])
    publication.published_at = None
    publication.save(update_fields=["published_at", "updated_at"])
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditAction.PLAN_UNPUBLISHED,
        target=publication,
        before=before,
        after=snapshot(publication, ["summary", "published_at"]),
    )
    return publication


# --- Demo data ---------------------------------------------------------------------------------------

DEMO_FILE = Path(__file__).parent / "data" / "proportionality" / "demo_priorities.yaml"


@transaction.atomic
def demo_priorities_load(*, actor: User | None, member: Member, path: Path = DEMO_FILE) -> list[str]:
    """Give a demo organisation priorities, focus areas, priority groups, the default policy and a
    published plan, from the demo file. Creates only what is missing; returns what it created."""
    permission_require(member, Permission.MANAGE_FRAMEWORKS)
    organisation = member.organisation
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    created: list[str] = []
    version = framework_load(actor=actor, member=member)
    framework = version.framework
    if not OutcomePriority.objects.filter(organisation=organisation, framework=framework).exists():
        outcome_priorities_set(
            actor=actor,
            member=member,
            framework=framework,
            weights={
                item["outcome"]: WeightInput(weight=Decimal(str(item["weight"])), reason=item["reason"])
                for item in data["weights"]
            },
        )
        created.append(f"outcome weights on {framework.code}")
    for item in data["focus_areas"]:
        if not FocusArea.objects.filter(organisation=organisation, gss_code=item["gss_code"]).exists():
            focus_area_create(actor=actor, member=member, **item)
            created.append(f"focus area {item['gss_code']}")
    for item in data["priority_groups"]:
        if not PriorityGroup.objects.filter(organisation=organisation, name=item["name"]).exists():
            priority_group_create(actor=actor, member=member, **item)
            created.append(f"priority group {item['name']}")
    if not ProportionalityBand.objects.filter(organisation=organisation).exists():
        policy_load_default(actor=actor, member=member)
        created.append("proportionality policy")
    if not PlanPublication.objects.filter(organisation=organisation, published_at__isnull=False).exists():
        plan_publish(actor=actor, member=member, summary=" ".join(data["plan_summary"].split()))
        created.append("plan on a page")
    return created
