"""Substitutions: the supplier proposes, the money comparison (with and without a value set), the
manager approves or refuses, honest totals afterwards, the history, permissions and the API."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery import selectors_agreements, services_agreements
from commonweal.delivery.models import (
    Commitment,
    CommitmentSource,
    CommitmentState,
    LineStatus,
    Substitution,
    SubstitutionState,
)
from commonweal.delivery.selectors_agreements import Verdict, effective_target, substitution_comparison
from commonweal.frameworks.models import Measure, ValueType
from commonweal.tenancy.permissions import PermissionRefused

from .conftest import Tenant
from .delivery_agreements_support import claim, measure_in, value_set_for
from .factories import api_token


def propose(tenant: Tenant, commitment: Commitment, **overrides: Any) -> Substitution:
    arguments: dict[str, Any] = {
        "actor": tenant.supplier_user,
        "member": tenant.supplier_member(),
        "commitment": commitment,
        "proposed_measure": None,
        "proposed_quantity": None,
        "pledge": "",
        "reason": "The site closed early; we can offer volunteering instead.",
        **overrides,
    }
    return services_agreements.substitution_propose(**arguments)


def decide(tenant: Tenant, substitution: Substitution, decision: str, reason: str = "") -> Substitution:
    return services_agreements.substitution_decide(
        actor=tenant.manager,
        member=tenant.manager_member(),
        substitution=substitution,
        decision=decision,
        reason=reason,
    )


@pytest.fixture
def volunteering(tenant_a: Tenant) -> Measure:
    return measure_in(tenant_a, code="COMM.1", title="Volunteering hours")


# --- The comparison --------------------------------------------------------------------------------


def test_equal_net_value_within_the_tolerance(tenant_a: Tenant, volunteering: Measure) -> None:
    jobs = tenant_a.commitments[0]  # target 10
    claim(jobs, "4")  # 6 left to deliver
    value_set_for(tenant_a, {jobs.measure: "1000", volunteering: "20"}, deadweight=Decimal("0.1"))
    # Given up: 6 × £1,000 × 0.9 = £5,400 net. Offered: 290 × £20 × 0.9 = £5,220 net: 3.3% less.
    comparison = substitution_comparison(
        commitment=jobs, proposed_measure=volunteering, proposed_quantity=Decimal("290")
    )
    assert comparison.remainder == Decimal("6.00")
    assert (comparison.given_up_net, comparison.offered_net) == (Decimal("5400.00"), Decimal("5220.00"))
    assert comparison.verdict == Verdict.EQUAL
    assert comparison.explanation == "Equal net value within ±5%: the offer is worth 3.3% less."
    # 250 hours is £4,500 net: 16.7% less, outside the margin.
    short = substitution_comparison(commitment=jobs, proposed_measure=volunteering, proposed_quantity=Decimal("250"))
    assert short.verdict == Verdict.NOT_EQUAL
    assert short.explanation == "Not equal net value: the offer is worth 16.7% less (the margin is ±5%)."
    exact = substitution_comparison(commitment=jobs, proposed_measure=volunteering, proposed_quantity=Decimal("300"))
    assert exact.verdict == Verdict.EQUAL and exact.offered_net == Decimal("5400.00")


def test_without_a_value_set_no_money_comparison_is_made(tenant_a: Tenant, volunteering: Measure) -> None:
    comparison = substitution_comparison(
        commitment=tenant_a.commitments[0], proposed_measure=volunteering, proposed_quantity=Decimal("300")
    )
    assert comparison.verdict == Verdict.NOT_COMPARED
    assert (comparison.given_up_net, comparison.offered_net) == (None, None)
    assert comparison.explanation.startswith("This agreement has no value set, so no money comparison is possible")
    substitution = propose(
        tenant_a, tenant_a.commitments[0], proposed_measure=volunteering, proposed_quantity=Decimal("300")
    )
    assert (substitution.original_net_value, substitution.proposed_net_value) == (None, None)


def test_a_measure_without_a_value_or_a_pledge_is_not_compared(tenant_a: Tenant, volunteering: Measure) -> None:
    jobs = tenant_a.commitments[0]
    value_set_for(tenant_a, {jobs.measure: "1000"})
    unvalued = substitution_comparison(commitment=jobs, proposed_measure=volunteering, proposed_quantity=Decimal("5"))
    assert unvalued.verdict == Verdict.NOT_COMPARED
    assert unvalued.given_up_net == Decimal("10000.00")
    assert "has no value for COMM.1" in unvalued.explanation
    pledge = substitution_comparison(commitment=jobs, proposed_measure=None, proposed_quantity=None)
    assert pledge.verdict == Verdict.NOT_COMPARED
    assert "A pledge to a community need has no value in the value set" in pledge.explanation


def test_local_economic_and_social_value_are_not_compared(tenant_a: Tenant) -> None:
    jobs = tenant_a.commitments[0]
    local_spend = measure_in(tenant_a, code="ECON.1", value_type=ValueType.LOCAL_ECONOMIC)
    value_set_for(tenant_a, {jobs.measure: "1000", local_spend: "1"})
    comparison = substitution_comparison(
        commitment=jobs, proposed_measure=local_spend, proposed_quantity=Decimal("10000")
    )
    assert comparison.verdict == Verdict.NOT_COMPARED
    assert comparison.explanation.startswith("One is local economic value and the other additional social value")


# --- Proposing -------------------------------------------------------------------------------------


def test_the_supplier_proposes_and_the_net_values_are_recorded(tenant_a: Tenant, volunteering: Measure) -> None:
    jobs = tenant_a.commitments[0]
    value_set_for(tenant_a, {jobs.measure: "1000", volunteering: "20"})
    substitution = propose(tenant_a, jobs, proposed_measure=volunteering, proposed_quantity=Decimal("500"))
    assert substitution.state == SubstitutionState.PROPOSED
    assert (substitution.original_net_value, substitution.proposed_net_value) == (
        Decimal("10000.00"),
        Decimal("10000.00"),
    )
    event = AuditEvent.objects.get(action=AuditAction.SUBSTITUTION_PROPOSED)
    assert event.after["remainder"] == "10.00"
    assert event.trail_id == str(tenant_a.agreement.pk)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({}, "proposed_measure", "Choose a measure and a quantity, or describe a pledge to a community need"),
        ({"pledge": "Paint the hall", "proposed_quantity": Decimal("3")}, "pledge", "Offer either a measure"),
        ({"proposed_quantity": Decimal("3")}, "proposed_measure", "Choose the measure you offer instead"),
        ({"pledge": "Paint the hall", "reason": " "}, "reason", "Explain why you propose this substitution"),
    ],
)
def test_a_proposal_must_say_what_is_offered_and_why(
    tenant_a: Tenant, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ApplicationError) as raised:
        propose(tenant_a, tenant_a.commitments[0], **overrides)
    assert message in raised.value.field_errors[field]
    assert not Substitution.objects.exists()


def test_the_buyer_cannot_propose_and_one_proposal_waits_at_a_time(tenant_a: Tenant, volunteering: Measure) -> None:
    jobs = tenant_a.commitments[0]
    with pytest.raises(PermissionRefused):
        propose(tenant_a, jobs, actor=tenant_a.manager, member=tenant_a.manager_member(), pledge="x")
    propose(tenant_a, jobs, pledge="Fund the food bank's van for a year")
    with pytest.raises(ApplicationError, match="already waiting for a decision"):
        propose(tenant_a, jobs, pledge="Something else")


def test_nothing_left_to_deliver_cannot_be_substituted(tenant_a: Tenant) -> None:
    jobs = tenant_a.commitments[0]
    claim(jobs, "10")
    with pytest.raises(ApplicationError, match="there is nothing left to substitute"):
        propose(tenant_a, jobs, pledge="Something")


# --- Deciding --------------------------------------------------------------------------------------


def test_approval_replaces_the_remainder_and_totals_count_it_once(tenant_a: Tenant, volunteering: Measure) -> None:
    jobs = tenant_a.commitments[0]
    jobs.place_code, jobs.beneficiary_group = "E08000009", "Care leavers"
    jobs.save()
    claim(jobs, "4")
    claim(jobs, "1", status=LineStatus.REJECTED)
    substitution = propose(tenant_a, jobs, proposed_measure=volunteering, proposed_quantity=Decimal("300"))
    decide(tenant_a, substitution, SubstitutionState.APPROVED, "Agreed at the June contract meeting.")
    substitution.refresh_from_db()
    jobs.refresh_from_db()
    assert substitution.state == SubstitutionState.APPROVED
    assert substitution.decided_by == tenant_a.manager
    assert jobs.state == CommitmentState.SUBSTITUTED
    assert jobs.target_quantity == Decimal("10.00")  # kept as the record of what was first promised
    assert effective_target(jobs) == Decimal("4.00")  # what was verified; the remainder moved
    replacement = substitution.replacement
    assert replacement is not None
    assert (replacement.measure, replacement.target_quantity, replacement.source) == (
        volunteering,
        Decimal("300.00"),
        CommitmentSource.SUBSTITUTION,
    )
    assert (replacement.due_date, replacement.place_code, replacement.beneficiary_group) == (
        jobs.due_date,
        "E08000009",
        "Care leavers",
    )
    event = AuditEvent.objects.get(action=AuditAction.SUBSTITUTION_APPROVED)
    assert (event.before["commitment_state"], event.after["commitment_state"]) == ("active", "substituted")
    assert event.after["replacement"] == str(replacement)
    with pytest.raises(ApplicationError, match="already been approved"):
        decide(tenant_a, substitution, SubstitutionState.REFUSED, "Changed my mind")


def test_a_pledge_substitution_makes_no_commitment_but_is_recorded(tenant_a: Tenant) -> None:
    jobs = tenant_a.commitments[0]
    substitution = propose(tenant_a, jobs, pledge="Refit the Riverside Trust kitchen")
    commitments = Commitment.objects.count()
    decide(tenant_a, substitution, SubstitutionState.APPROVED)
    substitution.refresh_from_db()
    assert substitution.replacement is None
    assert Commitment.objects.count() == commitments
    assert Commitment.objects.get(pk=jobs.pk).state == CommitmentState.SUBSTITUTED
    section = selectors_agreements.substitution_section(member=tenant_a.supplier_member(), agreement=tenant_a.agreement)
    assert [s.pledge for s in section["substitutions"]] == ["Refit the Riverside Trust kitchen"]


def test_a_refusal_needs_a_reason_and_changes_no_commitment(tenant_a: Tenant, volunteering: Measure) -> None:
    jobs = tenant_a.commitments[0]
    substitution = propose(tenant_a, jobs, proposed_measure=volunteering, proposed_quantity=Decimal("10"))
    with pytest.raises(ApplicationError) as raised:
        decide(tenant_a, substitution, SubstitutionState.REFUSED, "  ")
    assert raised.value.field_errors == {"reason": "Enter the reason for refusing the substitution"}
    decide(tenant_a, substitution, SubstitutionState.REFUSED, "Volunteering is not of equal value here.")
    substitution.refresh_from_db()
    assert (substitution.state, substitution.decision_reason) == ("refused", "Volunteering is not of equal value here.")
    assert Commitment.objects.get(pk=jobs.pk).state == CommitmentState.ACTIVE
    assert substitution.replacement is None
    # Refused, so the supplier may propose again: the history keeps both.
    propose(tenant_a, jobs, pledge="Sponsor the youth football league")
    history = selectors_agreements.substitution_list(member=tenant_a.manager_member(), agreement=tenant_a.agreement)
    assert [s.state for s in history] == ["proposed", "refused"]


def test_claims_waiting_for_a_decision_hold_up_approval(tenant_a: Tenant) -> None:
    jobs = tenant_a.commitments[0]
    line = claim(jobs, "2", status=LineStatus.PENDING)
    substitution = propose(tenant_a, jobs, pledge="Fund a community garden")
    with pytest.raises(ApplicationError, match="still waiting for a decision"):
        decide(tenant_a, substitution, SubstitutionState.APPROVED)
    line.status = LineStatus.VERIFIED
    line.save()
    decide(tenant_a, substitution, SubstitutionState.APPROVED)
    assert effective_target(Commitment.objects.get(pk=jobs.pk)) == Decimal("2.00")


def test_the_supplier_cannot_decide(tenant_a: Tenant) -> None:
    substitution = propose(tenant_a, tenant_a.commitments[0], pledge="Fund a community garden")
    with pytest.raises(PermissionRefused):
        services_agreements.substitution_decide(
            actor=tenant_a.supplier_user,
            member=tenant_a.supplier_member(),
            substitution=substitution,
            decision=SubstitutionState.APPROVED,
            reason="",
        )


# --- Pages and API ---------------------------------------------------------------------------------


def test_the_pages_check_propose_and_decide(tenant_a: Tenant, volunteering: Measure, client: Client) -> None:
    jobs = tenant_a.commitments[0]
    value_set_for(tenant_a, {jobs.measure: "1000", volunteering: "20"})
    agreement = tenant_a.agreement
    client.force_login(tenant_a.supplier_user)
    url = reverse("delivery:substitution-propose", kwargs={"org": tenant_a.supplier.slug, "pk": agreement.pk})
    data = {
        "substitution-commitment": str(jobs.pk),
        "substitution-proposed_measure": str(volunteering.pk),
        "substitution-proposed_quantity": "480",
        "substitution-reason": "The site closed early.",
    }
    checked = client.post(url, {**data, "action": "check"})
    text = checked.content.decode()
    assert checked.status_code == 200
    assert "£10,000.00" in text and "£9,600.00" in text
    assert "Equal net value within ±5%: the offer is worth 4.0% less." in text
    assert not Substitution.objects.exists()
    proposed = client.post(url, {**data, "action": "propose"})
    substitution = Substitution.objects.get()
    assert proposed["Location"] == reverse(
        "delivery:substitution-detail", kwargs={"org": tenant_a.supplier.slug, "pk": substitution.pk}
    )
    # The buyer cannot propose; the supplier cannot decide.
    client.force_login(tenant_a.manager)
    assert (
        client.get(
            reverse("delivery:substitution-propose", kwargs={"org": tenant_a.buyer.slug, "pk": agreement.pk})
        ).status_code
        == 404
    )
    detail = reverse("delivery:substitution-detail", kwargs={"org": tenant_a.buyer.slug, "pk": substitution.pk})
    refused = client.post(detail, {"decision-decision": "refused", "decision-reason": ""})
    assert "Enter the reason for refusing the substitution" in refused.content.decode()
    assert client.post(detail, {"decision-decision": "approved"}).status_code == 302
    page = client.get(reverse("delivery:agreement-detail", kwargs={"org": tenant_a.buyer.slug, "pk": agreement.pk}))
    assert (
        "Replaced by a substitution"
        in client.get(
            reverse("delivery:commitment-list", kwargs={"org": tenant_a.buyer.slug, "pk": agreement.pk})
        ).content.decode()
    )
    assert "Volunteering hours: 480" in page.content.decode()
    client.force_login(tenant_a.supplier_user)
    supplier_detail = reverse(
        "delivery:substitution-detail", kwargs={"org": tenant_a.supplier.slug, "pk": substitution.pk}
    )
    assert client.get(supplier_detail).status_code == 200
    assert client.post(supplier_detail, {"decision-decision": "refused", "decision-reason": "x"}).status_code == 404


def test_the_api_proposes_lists_and_decides(tenant_a: Tenant, volunteering: Measure, client: Client) -> None:
    jobs = tenant_a.commitments[0]
    agreement = tenant_a.agreement
    supplier_token = api_token(tenant_a.supplier_user)
    manager_token = api_token(tenant_a.manager)
    url = reverse("api:substitution-list", kwargs={"org": tenant_a.supplier.slug, "pk": agreement.pk})
    data = {
        "commitment": jobs.pk,
        "proposed_measure_code": "COMM.1",
        "proposed_quantity": "300",
        "proposal_reason": "The site closed early.",
    }
    created = client.post(
        url, data, content_type="application/json", headers={"Authorization": f"Token {supplier_token.key}"}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["proposed_measure_code"], body["value_comparison"]) == (
        "proposed",
        "COMM.1",
        "No money comparison is possible: the contract manager decides on the reasons given.",
    )
    by_manager = client.post(
        reverse("api:substitution-list", kwargs={"org": tenant_a.buyer.slug, "pk": agreement.pk}),
        {**data, "proposal_reason": "x"},
        content_type="application/json",
        headers={"Authorization": f"Token {manager_token.key}"},
    )
    assert by_manager.status_code == 404
    decision = client.post(
        reverse("api:substitution-decide", kwargs={"org": tenant_a.buyer.slug, "pk": body["id"]}),
        {"substitution_decision": "approved"},
        content_type="application/json",
        headers={"Authorization": f"Token {manager_token.key}"},
    )
    assert decision.status_code == 200, decision.json()
    assert decision.json()["state"] == "approved"
    assert decision.json()["replacement"] == Commitment.objects.get(source="substitution").pk
    listed = client.get(url, headers={"Authorization": f"Token {supplier_token.key}"})
    assert [row["state"] for row in listed.json()] == ["approved"]
