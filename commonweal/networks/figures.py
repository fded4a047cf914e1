"""Every figure of a network for one quarter, worked out from the members' own data.

Only members that are active and share (aggregates or detail) are counted; a member that withdrew is left
out of every figure worked out after it withdrew (published reports keep what they published). Each metric
says how many members it covers, which states it counts, and whether it is local economic value or
additional social value; the two are never added together.

One count: a delivery line's evidence and beneficiary references are compared across members by keyed
hashes (`rules.reference_digest`), in the order the lines were submitted. A line whose reference was
counted before is left out; the member sees why, naming only its own earlier line or saying "already
counted in the network". The figures are plain JSON-ready values (decimals as strings), so a published
report keeps them exactly.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from commonweal.delivery.models import LineStatus, ReturnLine
from commonweal.frameworks.models import ValueType
from commonweal.tenancy.models import Organisation

from . import spend_figures
from .models import (
    STAGE_ORDER,
    MembershipState,
    MetricKind,
    MetricSubmission,
    NetworkMembership,
    ParticipantStage,
    Programme,
    ProgrammeParticipant,
    ProgrammeStage,
    SharedMetric,
    Sharing,
)
from .rules import ALREADY_COUNTED, Quarter, money, percent, pledge_progress, quarters_ending, quartile_position, spread
from .rules import reference_digest as digest_of

ZERO = Decimal("0.00")
TREND_QUARTERS = 4
STATES = {
    MetricKind.DELIVERY: "Claimed and verified delivery (the benchmark and pledges use verified)",
    MetricKind.SPEND: "Payments as each member published them",
    MetricKind.SUBMITTED: "Claimed: figures as members submitted them",
}


@dataclass
class LeftOut:
    """A member's own line that the one count left out, and why (shown only to that member)."""

    line: str
    reason: str


@dataclass
class Computed:
    figures: dict[str, Any]
    left_out: dict[int, list[LeftOut]] = field(default_factory=dict)  # by organisation id


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- Delivery --------------------------------------------------------------------------------------


@dataclass
class _Delivery:
    """One delivery metric's sums, by (organisation id, quarter), as the one count leaves them."""

    claimed: dict[tuple[int, str], Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    verified: dict[tuple[int, str], Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    detail: dict[tuple[int, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    left_out: dict[tuple[int, str], list[LeftOut]] = field(default_factory=lambda: defaultdict(list))
    seen: dict[str, tuple[int, str]] = field(default_factory=dict)  # digest → (organisation id, its line)
    sums: dict[tuple[int, str, str], tuple[list[Decimal], str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Line:
    organisation_id: int
    quantity: Decimal
    verified: bool
    digests: list[str]
    reference: str
    title: str
    quarter: str
    label: str  # only where the line has a reference (the one count names it to its own member)


def _line_label(reference: str, period: str | None, day: date, code: str) -> str:
    when = period or f"the return of {day:%-d %B %Y}"
    return f"{reference}, {when}, {code}"


def _count(result: _Delivery, line: _Line, detail_quarter: str, detail_ids: set[int]) -> None:
    """Add one line to a metric's sums, unless one of its references was counted before (then say why)."""
    key = (line.organisation_id, line.quarter)
    if line.digests:
        earlier = next((result.seen[digest] for digest in line.digests if digest in result.seen), None)
        if earlier is not None:
            own = earlier[0] == line.organisation_id
            reason = f"already counted on your line {earlier[1]}" if own else ALREADY_COUNTED
            result.left_out[key].append(LeftOut(line=line.label, reason=reason))
            return
        for digest in line.digests:
            result.seen[digest] = (line.organisation_id, line.label)
    verified = line.quantity if line.verified else ZERO
    result.claimed[key] += line.quantity
    result.verified[key] += verified
    if line.quarter == detail_quarter and line.organisation_id in detail_ids:
        sums, _ = result.sums.setdefault(
            (line.organisation_id, line.quarter, line.reference), ([ZERO, ZERO], line.title)
        )
        sums[0] += line.quantity
        sums[1] += verified


def _codes(metrics: list[SharedMetric], covered: list[NetworkMembership]) -> dict[tuple[int, str], list[int]]:
    """(organisation id, measure code) → the metrics a line of that member on that code counts for."""
    counts_for: dict[tuple[int, str], list[int]] = defaultdict(list)
    for metric in metrics:
        crosswalks: dict[int, set[str]] = defaultdict(set)
        for crosswalk in metric.crosswalks.all():
            crosswalks[crosswalk.organisation_id].add(crosswalk.measure_code)
        for membership in covered:
            for code in {metric.measure_code, *crosswalks[membership.organisation_id]} - {""}:
                counts_for[(membership.organisation_id, code)].append(metric.pk)
    return counts_for


def _delivery(
    network: Organisation,
    metrics: list[SharedMetric],
    covered: list[NetworkMembership],
    end: date,
    detail_quarter: str,
) -> dict[int, _Delivery]:
    """Every claimed line of the covered members on each delivery metric's codes (its shared code, and the
    member's own codes its crosswalk maps), up to `end`, read in one pass and counted once within each
    metric; the agreements behind `detail_quarter`'s figures of the members that share them."""
    results = {metric.pk: _Delivery() for metric in metrics}
    if not covered or not metrics:
        return results
    counts_for = _codes(metrics, covered)
    codes_by_organisation: dict[int, set[str]] = defaultdict(set)
    for organisation_id, code in counts_for:
        codes_by_organisation[organisation_id].add(code)
    where = Q()
    for organisation_id, codes in codes_by_organisation.items():
        where |= Q(organisation_id=organisation_id, commitment__measure__code__in=codes)
    detail_ids = {m.organisation_id for m in covered if m.sharing == Sharing.DETAIL}
    zone = timezone.get_current_timezone()
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    rows = (
        ReturnLine.objects.claimed()
        .filter(where, delivery_return__submitted_at__isnull=False, delivery_return__submitted_at__lt=until)
        .order_by("delivery_return__submitted_at", "pk")
        .values_list(
            "organisation_id",
            "quantity",
            "status",
            "evidence_reference",
            "beneficiary_reference",
            "delivery_return__agreement__reference",
            "delivery_return__agreement__title",
            "delivery_return__period__label",
            "commitment__measure__code",
            "delivery_return__submitted_at",
        )
    )
    quarters: dict[date, str] = {}
    for organisation_id, quantity, status, evidence, beneficiary, reference, title, period, code, submitted in rows:
        if submitted is None:  # filtered out above: a return not submitted is no claim
            continue
        day = submitted.astimezone(zone).date()
        quarter = quarters.get(day)
        if quarter is None:
            quarter = quarters[day] = str(Quarter.of(day))
        digests = []
        if evidence:
            digests.append(digest_of(network_id=network.pk, kind="evidence", reference=evidence))
        if beneficiary:
            digests.append(digest_of(network_id=network.pk, kind="beneficiary", reference=beneficiary))
        line = _Line(
            organisation_id=organisation_id,
            quantity=money(quantity),
            verified=status == LineStatus.VERIFIED,
            digests=digests,
            reference=reference,
            title=title,
            quarter=quarter,
            label=_line_label(reference, period, day, code) if digests else "",
        )
        for metric_id in counts_for.get((organisation_id, code), []):
            _count(results[metric_id], line, detail_quarter, detail_ids)
    for result in results.values():
        for (organisation_id, quarter, reference), ((claimed, verified), title) in sorted(result.sums.items()):
            result.detail[(organisation_id, quarter)].append(
                {"agreement": reference, "title": title, "claimed": str(claimed), "verified": str(verified)}
            )
    return results


# --- The figures -----------------------------------------------------------------------------------


def _benchmark(values: dict[int, Decimal], named: dict[int, str]) -> dict[str, Any]:
    """Each member against the network's median and quartiles: named only where it agreed."""
    figures = spread(list(values.values()))
    rows = []
    anonymous = 0
    for organisation_id, value in sorted(values.items(), key=lambda item: (-item[1], item[0])):
        if organisation_id in named:
            label = named[organisation_id]
        else:
            anonymous += 1
            label = f"Anonymous member {anonymous}"
        rows.append(
            {
                "label": label,
                "named": organisation_id in named,
                "value": str(value),
                "position": quartile_position(value, figures) if figures else "",
            }
        )
    return {
        "rows": rows,
        "median": _s(figures.median) if figures else None,
        "lower_quartile": _s(figures.lower_quartile) if figures else None,
        "upper_quartile": _s(figures.upper_quartile) if figures else None,
    }


def _pledges(
    metric: SharedMetric, current: dict[int, Decimal], covered_ids: set[int], named: dict[int, str]
) -> dict[str, Any]:
    rows = []
    target_total = baseline_total = current_total = ZERO
    pledges = [p for p in metric.pledges.all() if p.organisation_id in covered_ids]
    anonymous = 0
    for pledge in sorted(
        pledges, key=lambda p: (p.organisation_id not in named, named.get(p.organisation_id, ""), p.pk)
    ):
        now = current.get(pledge.organisation_id, ZERO)
        if pledge.organisation_id in named:
            label = named[pledge.organisation_id]
        else:
            anonymous += 1
            label = f"Anonymous member {anonymous}"
        rows.append(
            {
                "label": label,
                "baseline": str(pledge.baseline),
                "target": str(pledge.target),
                "target_date": pledge.target_date.isoformat(),
                "current": str(now),
                "progress": _s(pledge_progress(baseline=pledge.baseline, target=pledge.target, current=now)),
            }
        )
        target_total += pledge.target
        baseline_total += pledge.baseline
        current_total += now
    totals = not metric.is_percentage and bool(rows)
    return {
        "count": len(rows),
        "rows": rows,
        # Percentages are not added up: each member's pledge is against its own spend.
        "target_total": str(target_total) if totals else None,
        "baseline_total": str(baseline_total) if totals else None,
        "current_total": str(current_total) if totals else None,
        "progress": _s(pledge_progress(baseline=baseline_total, target=target_total, current=current_total))
        if totals
        else None,
    }


def _metric(
    metric: SharedMetric,
    *,
    quarter: Quarter,
    quarters: list[Quarter],
    covered: list[NetworkMembership],
    active_count: int,
    delivery: _Delivery | None,
    spend: dict[tuple[int, str], spend_figures.MemberSpend],
    submissions: dict[tuple[int, str], Decimal],
    include_detail: bool,
) -> dict[str, Any]:
    covered_ids = [m.organisation_id for m in covered]
    named = {m.organisation_id: m.organisation.name for m in covered if m.named_in_benchmarks}

    def totals(q: str) -> dict[str, Any]:
        if metric.kind == MetricKind.DELIVERY:
            assert delivery is not None
            claimed = sum((delivery.claimed.get((o, q), ZERO) for o in covered_ids), ZERO)
            verified = sum((delivery.verified.get((o, q), ZERO) for o in covered_ids), ZERO)
            return {"claimed": str(claimed), "verified": str(verified), "headline": str(verified)}
        if metric.kind == MetricKind.SPEND:
            rows = [spend[(o, q)] for o in covered_ids if (o, q) in spend]
            amount = sum((row.amount(metric.spend_share) for row in rows), ZERO)
            whole = sum((row.total for row in rows), ZERO)
            share = percent(amount, whole)
            return {"amount": str(amount), "spend_total": str(whole), "percent": _s(share), "headline": _s(share)}
        claimed = sum((submissions.get((o, q), ZERO) for o in covered_ids), ZERO)
        return {"claimed": str(claimed), "headline": str(claimed)}

    q = str(quarter)
    values: dict[int, Decimal] = {}
    for organisation_id in covered_ids:
        if metric.kind == MetricKind.DELIVERY:
            assert delivery is not None
            values[organisation_id] = delivery.verified.get((organisation_id, q), ZERO)
        elif metric.kind == MetricKind.SPEND:
            row = spend.get((organisation_id, q))
            share = percent(row.amount(metric.spend_share), row.total) if row else None
            if share is not None:
                values[organisation_id] = share
        elif (organisation_id, q) in submissions:
            values[organisation_id] = submissions[(organisation_id, q)]
    members_covered = len(covered_ids) if metric.kind == MetricKind.DELIVERY else len(values)
    figure: dict[str, Any] = {
        "code": metric.code,
        "title": metric.title,
        "kind": metric.kind,
        "kind_label": metric.get_kind_display(),
        "unit": metric.unit,
        "is_percentage": metric.is_percentage,
        "value_type": metric.value_type,
        "value_type_label": metric.get_value_type_display(),
        "states": STATES[MetricKind(metric.kind)],
        "members_covered": members_covered,
        "members_total": active_count,
        **totals(q),
        "left_out": sum(len(delivery.left_out.get((o, q), [])) for o in covered_ids) if delivery else 0,
        "trend": [{"quarter": str(each), "label": each.label, **totals(str(each))} for each in quarters],
        "benchmark": _benchmark(values, named),
        "pledges": _pledges(metric, values, set(covered_ids), named),
    }
    if include_detail and delivery is not None:
        figure["detail"] = [
            {"member": m.organisation.name, **row}
            for m in covered
            if m.sharing == Sharing.DETAIL
            for row in delivery.detail.get((m.organisation_id, q), [])
        ]
    return figure


def _programmes(network: Organisation, quarter: Quarter) -> list[dict[str, Any]]:
    """Each joint programme's counts by stage (to the quarter's end, and within it) and each partner's
    attributed share: aggregates only, never a participant."""
    result = []
    for programme in Programme.objects.filter(network=network).prefetch_related("partners__organisation"):
        reached: dict[str, int] = defaultdict(int)
        in_quarter: dict[str, int] = defaultdict(int)
        stages = ParticipantStage.objects.filter(participant__programme=programme, reached_on__lte=quarter.end)
        for stage, day in stages.values_list("stage", "reached_on"):
            reached[stage] += 1
            if day >= quarter.start:
                in_quarter[stage] += 1
        partners = list(programme.partners.all())
        rows = [
            {
                "stage": stage,
                "label": ProgrammeStage(stage).label,
                "count": reached[stage],
                "in_quarter": in_quarter[stage],
                # Each partner's attributed share of the count to date, in the partners' order.
                "attributed": [
                    str((Decimal(reached[stage]) * partner.share_percent / 100).quantize(Decimal("0.01")))
                    for partner in partners
                ],
            }
            for stage in STAGE_ORDER
        ]
        partner_rows = [
            {"name": partner.organisation.name, "share": str(partner.share_percent)} for partner in partners
        ]
        participants = ProgrammeParticipant.objects.filter(programme=programme, referred_on__lte=quarter.end).count()
        result.append(
            {"title": programme.title, "participants": participants, "stages": rows, "partners": partner_rows}
        )
    return result


def _status(membership: NetworkMembership, submitted_metrics: int, submitted: dict[int, int]) -> str:
    if membership.state == MembershipState.INVITED:
        return "Invited: not yet answered"
    if membership.state == MembershipState.DECLINED:
        return "Declined the invitation"
    if membership.sharing == Sharing.NONE:
        return "Shares nothing: left out of the figures"
    done = submitted.get(membership.organisation_id, 0)
    if submitted_metrics == 0 or done >= submitted_metrics:
        return "Reported"
    return f"Due: {done} of {submitted_metrics} submitted figures"


def network_figures(*, network: Organisation, quarter: Quarter, include_detail: bool = False) -> Computed:
    """The network's figures for `quarter`, with its trend over the four quarters to it."""
    memberships = list(
        NetworkMembership.objects.filter(network=network).select_related("organisation").order_by("organisation__name")
    )
    active = [m for m in memberships if m.is_active]
    covered = [m for m in active if m.shares]
    quarters = quarters_ending(quarter, TREND_QUARTERS)
    metrics = list(SharedMetric.objects.filter(network=network).prefetch_related("crosswalks", "pledges"))
    spend: dict[tuple[int, str], spend_figures.MemberSpend] = {}
    if any(metric.kind == MetricKind.SPEND for metric in metrics) and covered:
        for row in spend_figures.network_spend(
            organisations=[m.organisation for m in covered], start=quarters[0].start, end=quarter.end
        ):
            spend[(row.organisation_id, row.quarter)] = row
    submissions_by_metric: dict[int, dict[tuple[int, str], Decimal]] = defaultdict(dict)
    submitted_now: dict[int, int] = defaultdict(int)
    for metric_id, organisation_id, q, value in MetricSubmission.objects.filter(
        metric__network=network, quarter__in=[str(each) for each in quarters]
    ).values_list("metric_id", "organisation_id", "quarter", "value"):
        submissions_by_metric[metric_id][(organisation_id, q)] = money(value)
        if q == str(quarter):
            submitted_now[organisation_id] += 1
    left_out: dict[int, list[LeftOut]] = defaultdict(list)
    figures = []
    deliveries = _delivery(
        network,
        [metric for metric in metrics if metric.kind == MetricKind.DELIVERY],
        covered,
        quarter.end,
        str(quarter) if include_detail else "",
    )
    for metric in metrics:
        delivery = deliveries.get(metric.pk)
        if delivery is not None:
            for (organisation_id, q), lines in delivery.left_out.items():
                if q == str(quarter):
                    left_out[organisation_id].extend(lines)
        figures.append(
            _metric(
                metric,
                quarter=quarter,
                quarters=quarters,
                covered=covered,
                active_count=len(active),
                delivery=delivery,
                spend=spend,
                submissions=submissions_by_metric[metric.pk],
                include_detail=include_detail,
            )
        )
    submitted_metrics = sum(1 for metric in metrics if metric.kind == MetricKind.SUBMITTED)
    return Computed(
        figures={
            "network": network.name,
            "network_slug": network.slug,
            "quarter": str(quarter),
            "quarter_label": quarter.label,
            "members_total": len(active),
            "members_covered": len(covered),
            "members": [
                {
                    "organisation_id": m.organisation_id,
                    "name": m.organisation.name,
                    "state": m.state,
                    "sharing": m.sharing,
                    "sharing_label": m.get_sharing_display(),
                    "status": _status(m, submitted_metrics, submitted_now),
                }
                for m in memberships
                if m.is_active or include_detail
            ],
            "metrics": figures,
            "local_economic": [f for f in figures if f["value_type"] == ValueType.LOCAL_ECONOMIC],
            "additional_social": [f for f in figures if f["value_type"] == ValueType.ADDITIONAL_SOCIAL],
            "programmes": _programmes(network, quarter),
        },
        left_out=dict(left_out),
    )


def member_left_out(*, network: Organisation, organisation: Organisation, quarter: Quarter) -> list[LeftOut]:
    """The member's own lines the one count left out this quarter (only ever shown to that member)."""
    return network_figures(network=network, quarter=quarter).left_out.get(organisation.pk, [])
