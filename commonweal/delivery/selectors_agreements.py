"""Reads about agreements, their commitments and substitutions: the effective (pro-rated) target, the
choices the agreement form offers, and the money comparison a substitution is judged by."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from commonweal.accounts.models import User
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent, AuditEventQuerySet
from commonweal.frameworks.models import FrameworkVersion, Measure, ValueSet, ValueType, VersionStatus
from commonweal.frameworks.selectors_value_sets import value_entry_of, value_set_label
from commonweal.frameworks.valuation import ClaimLine, Valuation, valuate
from commonweal.tenancy.models import Department, Organisation, OrganisationKind, Role
from commonweal.tenancy.selectors import Member

from .models import (
    PRO_RATA_KINDS,
    QUANTITY_PLACES,
    Agreement,
    Commitment,
    CommitmentMilestone,
    CommitmentSource,
    CommitmentState,
    ReturnLine,
    Substitution,
    SubstitutionState,
)
from .rules import buyer_require, is_supplier_of, may_manage, may_report, supplier_require

# A substitution offers "equal net value" when the offer's net £ is within this share of the net £ given
# up, either way: money equivalents are estimates (proxy values, deadweight), so an exact match is not
# asked for, and 5% is the margin the service documents (docs/delivery-agreements.md).
SUBSTITUTION_TOLERANCE = Decimal("0.05")
PERCENT = Decimal(100)


NO_COMPARISON = "No money comparison is possible: the contract manager decides on the reasons given."


# --- Agreements ------------------------------------------------------------------------------------


def _visible_to(member: Member) -> Q:
    """Agreements the member's organisation owns (as buyer) or is a party to (as supplier)."""
    return Q(organisation=member.organisation) | Q(supplier=member.organisation)


def agreement_list(*, member: Member) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(_visible_to(member))
        .select_related("organisation", "supplier", "framework_version__framework")
        .order_by("reference")
    )


def agreement_get(*, member: Member, pk: int) -> Agreement:
    try:
        return agreement_list(member=member).get(pk=pk)
    except Agreement.DoesNotExist:
        raise Http404("No such agreement.") from None


def agreement_owned_get(*, member: Member, pk: int) -> Agreement:
    """One of the agreements the member's organisation buys: a supplier, a party to it, gets a 404."""
    agreement = agreement_get(member=member, pk=pk)
    buyer_require(member, agreement)
    return agreement


def agreement_supplied_get(*, member: Member, pk: int) -> Agreement:
    """One of the agreements the member's organisation supplies: the buyer, a party to it, gets a 404."""
    agreement = agreement_get(member=member, pk=pk)
    supplier_require(member, agreement)
    return agreement


def audit_event_list(*, member: Member, agreement: Agreement) -> AuditEventQuerySet:
    agreement = agreement_get(member=member, pk=agreement.pk)
    events = AuditEvent.objects.for_trail(agreement).select_related("actor")
    if not is_supplier_of(member, agreement):
        # A draft is the supplier's own: its saves (narrative, figures, file names) stay out of the buyer's view.
        events = events.exclude(action=AuditAction.RETURN_DRAFT_SAVED)
    return events


# --- Pro-rata --------------------------------------------------------------------------------------


def pro_rata_applies(agreement: Agreement) -> bool:
    return agreement.kind in PRO_RATA_KINDS and agreement.called_off_value is not None and agreement.value > 0


def verified_quantity(commitment: Commitment) -> Decimal:
    return ReturnLine.objects.filter(commitment=commitment).verified().total_quantity()


def effective_target(commitment: Commitment) -> Decimal:
    """The target delivery is measured against.

    - For a call-off with a called-off value: target × called-off value ÷ agreement value, to 2 places
      (halves rounded up). A commitment agreed in a substitution is not pro-rated again: its quantity was
      agreed against what was left to deliver.
    - For a commitment replaced by a substitution: what was verified against it. The rest moved to the
      replacement, so target totals count it once.
    - Otherwise the target as entered.
    """
    if commitment.state == CommitmentState.SUBSTITUTED:
        return verified_quantity(commitment)
    agreement = commitment.agreement
    if commitment.source != CommitmentSource.SUBSTITUTION and pro_rata_applies(agreement):
        assert agreement.called_off_value is not None
        share = commitment.target_quantity * agreement.called_off_value / agreement.value
        return share.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)
    return commitment.target_quantity


@dataclass(frozen=True)
class ProRata:
    """How far a call-off's targets are pro-rated: the spend called off against the agreement's value."""

    called_off_value: Decimal
    value: Decimal

    @property
    def percent(self) -> Decimal:
        return (self.called_off_value / self.value * PERCENT).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def pro_rata(agreement: Agreement) -> ProRata | None:
    if not pro_rata_applies(agreement):
        return None
    assert agreement.called_off_value is not None
    return ProRata(called_off_value=agreement.called_off_value, value=agreement.value)


# --- Commitments -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentRow:
    commitment: Commitment
    effective_target: Decimal
    verified: Decimal
    removal_problem: str

    @property
    def is_pro_rated(self) -> bool:
        return self.effective_target != self.commitment.target_quantity and self.commitment.state == "active"


def _commitments(agreement: Agreement) -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(agreement=agreement)
        .select_related("measure", "agreement")
        .prefetch_related(Prefetch("milestones", queryset=CommitmentMilestone.objects.order_by("due_date")))
        .annotate(line_count=Count("lines", distinct=True), substitution_count=Count("substitutions", distinct=True))
        .order_by("due_date", "id")
    )


def commitment_rows(*, member: Member, agreement: Agreement) -> list[CommitmentRow]:
    """Each commitment with its effective target, verified quantity and whether it can be removed."""
    agreement = agreement_get(member=member, pk=agreement.pk)
    rows = []
    for commitment in _commitments(agreement):
        if commitment.line_count:  # type: ignore[attr-defined]
            problem = "Quantities have been reported against it"
        elif commitment.substitution_count:  # type: ignore[attr-defined]
            problem = "A substitution has been proposed for it"
        elif commitment.source == CommitmentSource.SUBSTITUTION:
            problem = "It came from an agreed substitution"
        else:
            problem = ""
        rows.append(
            CommitmentRow(
                commitment=commitment,
                effective_target=effective_target(commitment),
                verified=verified_quantity(commitment),
                removal_problem=problem,
            )
        )
    return rows


def commitment_get(*, member: Member, pk: int) -> Commitment:
    try:
        return Commitment.objects.select_related("agreement", "measure").get(
            pk=pk, agreement__in=agreement_list(member=member)
        )
    except Commitment.DoesNotExist:
        raise Http404("No such commitment.") from None


def commitment_removal_problem(commitment: Commitment) -> str:
    """Why the commitment cannot be removed, or "" if it can."""
    if commitment.lines.exists():
        return "Quantities have been reported against this commitment, so it is kept: it cannot be removed"
    if commitment.substitutions.exists():
        return "A substitution has been proposed for this commitment, so it is kept: it cannot be removed"
    if commitment.source == CommitmentSource.SUBSTITUTION:
        return "This commitment came from an agreed substitution, so it is kept: it cannot be removed"
    return ""


def measure_list(*, agreement: Agreement) -> QuerySet[Measure]:
    """The measures of the agreement's framework version, which its commitments can use."""
    return Measure.objects.filter(version=agreement.framework_version_id).order_by("code")


# --- Choices on the agreement form -----------------------------------------------------------------


def supplier_choice_list(*, member: Member) -> QuerySet[Organisation]:
    """The suppliers and grant recipients the buyer already has agreements with. Another one is named by
    its short name: the form does not list every organisation, which would show other tenants' partners."""
    return Organisation.objects.filter(
        supplied_agreements__organisation=member.organisation,
        kind__in=[OrganisationKind.SUPPLIER, OrganisationKind.COMMUNITY],
    ).distinct()


def party_by_slug(*, slug: str) -> Organisation | None:
    """A supplier or community organisation named by its short name, to be a party to a new agreement."""
    return Organisation.objects.filter(
        slug=slug.strip().lower(), kind__in=[OrganisationKind.SUPPLIER, OrganisationKind.COMMUNITY]
    ).first()


def framework_version_choice_list(*, member: Member) -> QuerySet[FrameworkVersion]:
    """Published versions of the buyer's own frameworks, newest first within each framework."""
    return (
        FrameworkVersion.objects.filter(organisation=member.organisation, status=VersionStatus.PUBLISHED)
        .select_related("framework")
        .order_by("framework__title", "-number")
    )


def department_choice_list(*, member: Member) -> QuerySet[Department]:
    return Department.objects.filter(organisation=member.organisation).order_by("name")


def value_set_choice_list(*, member: Member) -> QuerySet[ValueSet]:
    return ValueSet.objects.filter(organisation=member.organisation).order_by("title", "code")


def contract_manager_choice_list(*, member: Member) -> QuerySet[User]:
    """People who hold the contract manager role at the buyer."""
    return (
        User.objects.filter(memberships__organisation=member.organisation, memberships__role=Role.CONTRACT_MANAGER)
        .distinct()
        .order_by("full_name", "email")
    )


# --- Substitutions ---------------------------------------------------------------------------------


class Verdict:
    EQUAL = "equal"
    NOT_EQUAL = "not_equal"
    NOT_COMPARED = "not_compared"


@dataclass(frozen=True)
class SubstitutionComparison:
    """What is given up (the undelivered remainder of a commitment) and what is offered, in net £ from
    the agreement's value set where it can say; `explanation` says what the comparison found."""

    remainder: Decimal
    value_set: ValueSet | None
    given_up_net: Decimal | None
    offered_net: Decimal | None
    verdict: str
    explanation: str


def tolerance_percent() -> Decimal:
    """The margin within which two net values count as equal, as a percentage (5 for 5%)."""
    return (SUBSTITUTION_TOLERANCE * PERCENT).normalize() + 0


def value_verdict(given_up: Decimal | None, offered: Decimal | None) -> tuple[str, str]:
    """Whether two net values are equal within the tolerance, with the sentence that says so."""
    tolerance = f"{tolerance_percent()}%"
    if given_up is None or offered is None:
        return (
            Verdict.NOT_COMPARED,
            "No money comparison is possible: the contract manager decides on the reasons given.",
        )
    if given_up == 0:
        if offered == 0:
            return Verdict.EQUAL, "Both are worth £0.00 net."
        return Verdict.NOT_EQUAL, "What is given up is worth £0.00 net, so any offer is worth more."
    difference = (offered - given_up) / given_up
    shown = (abs(difference) * PERCENT).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    direction = "more" if difference > 0 else "less"
    if abs(difference) <= SUBSTITUTION_TOLERANCE:
        if difference == 0:
            return Verdict.EQUAL, f"Equal net value: the two are worth the same (within ±{tolerance})."
        return Verdict.EQUAL, f"Equal net value within ±{tolerance}: the offer is worth {shown}% {direction}."
    return (
        Verdict.NOT_EQUAL,
        f"Not equal net value: the offer is worth {shown}% {direction} (the margin is ±{tolerance}).",
    )


def _net(valuation: Valuation) -> Decimal | None:
    """The net £ of a one-measure valuation, or None if the value set has no figure for the measure."""
    if not valuation.lines:
        return None
    line = valuation.lines[0]
    return (
        valuation.local_economic.net if line.value_type == ValueType.LOCAL_ECONOMIC else valuation.additional_social.net
    )


def substitution_comparison(
    *, commitment: Commitment, proposed_measure: Measure | None, proposed_quantity: Decimal | None
) -> SubstitutionComparison:
    """The remainder of `commitment` (effective target less verified) against the offer, in net £ from
    the agreement's value set, with the same figures and rules as the value set calculator (`valuate`).
    The caller has found the commitment through the member (`commitment_get`)."""
    agreement = commitment.agreement
    remainder = max(effective_target(commitment) - verified_quantity(commitment), Decimal(0))
    value_set = agreement.value_set
    if value_set is None:
        return SubstitutionComparison(
            remainder=remainder,
            value_set=None,
            given_up_net=None,
            offered_net=None,
            verdict=Verdict.NOT_COMPARED,
            explanation=(
                "This agreement has no value set, so no money comparison is possible: the contract manager "
                "decides on the reasons given."
            ),
        )
    entries = {entry.measure_code: value_entry_of(entry) for entry in value_set.entries.all()}
    label = value_set_label(value_set)
    notes: list[str] = []
    try:
        given = valuate(
            [ClaimLine(commitment.measure.code, commitment.measure.value_type, remainder)], entries, value_set=label
        )
        given_up_net = _net(given)
        if given_up_net is None:
            notes.append(f"{value_set.title} has no value for {commitment.measure.code}.")
        offered_net = None
        if proposed_measure is not None and proposed_quantity is not None:
            offered = valuate(
                [ClaimLine(proposed_measure.code, proposed_measure.value_type, proposed_quantity)],
                entries,
                value_set=label,
            )
            offered_net = _net(offered)
            if offered_net is None:
                notes.append(f"{value_set.title} has no value for {proposed_measure.code}.")
            elif given_up_net is not None and given.base_years != offered.base_years:
                notes.append("The two values are in different price years.")
        elif proposed_measure is None and proposed_quantity is None:
            notes.append("A pledge to a community need has no value in the value set.")
    except ApplicationError as error:
        notes.append(error.message)
        given_up_net = offered_net = None
    kinds_differ = (
        proposed_measure is not None
        and given_up_net is not None
        and offered_net is not None
        and proposed_measure.value_type != commitment.measure.value_type
    )
    if kinds_differ:
        verdict = Verdict.NOT_COMPARED
        explanation = (
            "One is local economic value and the other additional social value: they are reported apart and not "
            "compared. The contract manager decides on the reasons given."
        )
    elif notes:
        verdict = Verdict.NOT_COMPARED
        explanation = (
            " ".join(notes) + " No money comparison is possible: the contract manager decides on the reasons given."
        )
    else:
        verdict, explanation = value_verdict(given_up_net, offered_net)
    return SubstitutionComparison(
        remainder=remainder,
        value_set=value_set,
        given_up_net=given_up_net,
        offered_net=offered_net,
        verdict=verdict,
        explanation=explanation,
    )


def substitution_list(*, member: Member, agreement: Agreement) -> QuerySet[Substitution]:
    agreement = agreement_get(member=member, pk=agreement.pk)
    return Substitution.objects.filter(agreement=agreement).select_related(
        "commitment__measure", "proposed_measure", "proposed_by", "decided_by", "replacement__measure"
    )


def substitution_get(*, member: Member, pk: int) -> Substitution:
    try:
        return Substitution.objects.select_related(
            "agreement", "commitment__measure", "proposed_measure", "proposed_by", "decided_by", "replacement__measure"
        ).get(pk=pk, agreement__in=agreement_list(member=member))
    except Substitution.DoesNotExist:
        raise Http404("No such substitution.") from None


def substitutable_commitments(*, member: Member, agreement: Agreement) -> list[Commitment]:
    """Active commitments of the agreement with no substitution waiting for a decision."""
    agreement = agreement_get(member=member, pk=agreement.pk)
    return list(
        agreement.commitments.filter(state=CommitmentState.ACTIVE)
        .exclude(substitutions__state=SubstitutionState.PROPOSED)
        .select_related("measure")
        .order_by("due_date", "id")
    )


def substitution_section(*, member: Member, agreement: Agreement) -> dict[str, Any]:
    """What the agreement page's substitutions section shows, and the summary's pro-rata note (the page
    gathers each section's data from one function, and the summary has none of its own)."""
    is_buyer_manager = may_manage(member, agreement)
    is_supplier = may_report(member, agreement)
    substitutions = list(substitution_list(member=member, agreement=agreement))
    return {
        "substitutions": substitutions,
        "substitutions_waiting": sum(1 for s in substitutions if s.state == SubstitutionState.PROPOSED),
        "can_propose_substitution": is_supplier and agreement.commitments.filter(state=CommitmentState.ACTIVE).exists(),
        "can_change_agreement": is_buyer_manager,
        "pro_rata": pro_rata(agreement),
        "is_pro_rata_kind": agreement.kind in PRO_RATA_KINDS,
    }
