"""The wish list's services: needs through their states, the limit and eligibility, pledges that count once,
the confirmed claim on the supplier's return, verification, and the figures."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from commonweal.brokerage import selectors_needs, services_needs, services_pledges
from commonweal.brokerage.models import Need, NeedState, Pledge, PledgeState
from commonweal.brokerage.services_needs import Decision
from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.delivery import services_returns
from commonweal.delivery.models import DeliveryReturn, LineStatus, ReturnLine, ReturnState
from commonweal.delivery.services_returns import LineInput
from commonweal.tenancy.permissions import PermissionRefused
from tests.brokerage_support import (
    PLACE_CODE,
    WishWorld,
    need_draft,
    need_input,
    need_published,
    pledge_confirmed,
    pledge_made,
    wish_world,
)
from tests.conftest import Tenant, make_tenant


@pytest.fixture
def world(tenant_a: Tenant) -> WishWorld:
    return wish_world(tenant_a, "River")


def _verified(commitment_id: int) -> Decimal:
    return ReturnLine.objects.filter(commitment_id=commitment_id).claimed().verified().total_quantity()


def test_a_need_goes_from_draft_to_published_and_every_step_is_audited(world: WishWorld) -> None:
    need = need_draft(world)
    assert (need.state, need.place_code, need.quantity, need.unit) == ("draft", PLACE_CODE, Decimal("40.00"), "hours")
    services_needs.need_submit(actor=world.contact, member=world.contact_member(), need=need)
    broker = world.broker_member()
    services_needs.need_moderate(
        actor=world.broker, member=broker, need=need, decision=Decision("approve", eligibility_checked=True)
    )
    need = services_needs.need_moderate(actor=world.broker, member=broker, need=need, decision=Decision("publish"))
    assert need.state == NeedState.PUBLISHED and need.published_at is not None
    actions = list(
        AuditEvent.objects.filter(object_type="brokerage.need", object_id=str(need.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["need.saved", "need.submitted", "need.approved", "need.published"]
    assert world.community.eligibility.is_checked


def test_the_first_approval_needs_the_eligibility_checked(world: WishWorld) -> None:
    need = need_draft(world)
    services_needs.need_submit(actor=world.contact, member=world.contact_member(), need=need)
    with pytest.raises(ApplicationError) as refused:
        services_needs.need_moderate(
            actor=world.broker, member=world.broker_member(), need=need, decision=Decision("approve")
        )
    assert refused.value.field_errors == {"eligibility_checked": "Confirm you have checked the eligibility evidence"}
    need.refresh_from_db()
    assert need.state == NeedState.SUBMITTED


def test_a_returned_need_carries_its_reason_and_can_be_changed(world: WishWorld) -> None:
    need = need_draft(world)
    services_needs.need_submit(actor=world.contact, member=world.contact_member(), need=need)
    with pytest.raises(ApplicationError):
        services_needs.need_moderate(
            actor=world.broker, member=world.broker_member(), need=need, decision=Decision("return")
        )
    need = services_needs.need_moderate(
        actor=world.broker,
        member=world.broker_member(),
        need=need,
        decision=Decision("return", reason="Say which day."),
    )
    assert (need.state, need.state_reason) == ("returned", "Say which day.")
    need = services_needs.need_save(
        actor=world.contact,
        member=world.contact_member(),
        data=need_input(world, title="Saturday volunteers"),
        need=need,
    )
    assert (need.state, need.title) == ("draft", "Saturday volunteers")


def test_the_live_needs_limit_is_policy_data(world: WishWorld) -> None:
    for number in range(3):
        need = need_draft(world, title=f"Need {number}")
        services_needs.need_submit(actor=world.contact, member=world.contact_member(), need=need)
    fourth = need_draft(world, title="Need 4")
    with pytest.raises(ApplicationError) as refused:
        services_needs.need_submit(actor=world.contact, member=world.contact_member(), need=fourth)
    assert "already has 3 live needs" in refused.value.message and "(3)" in refused.value.message
    services_needs.policy_set(actor=world.broker, member=world.broker_member(), live_needs_limit=4)
    assert (
        services_needs.need_submit(actor=world.contact, member=world.contact_member(), need=fourth).state == "submitted"
    )


def test_bad_need_input_is_refused_with_messages_and_stores_nothing(world: WishWorld) -> None:
    with pytest.raises(ApplicationError) as refused:
        need_draft(
            world,
            title="",
            quantity="0",
            place="Nowhere-on-Sea",
            expires_on=timezone.localdate() - timedelta(days=1),
            estimate=Decimal("-5"),
        )
    assert refused.value.field_errors == {
        "title": "Enter a title for the need",
        "quantity": "The quantity must be more than 0",
        "estimate": "The estimate must be 0 or more",
        "place": "“Nowhere-on-Sea” is not a ward or district we know: enter a name like Altrincham, Trafford",
        "expires_on": "The date the need expires must be in the future",
    }
    assert not Need.objects.exists()


def test_a_need_can_be_found_by_district_name_or_code(world: WishWorld) -> None:
    assert need_draft(world, place="Trafford").place_code == "E08000009"
    assert need_draft(world, place="e05015239").place_code == PLACE_CODE


def test_only_the_posting_organisation_and_the_hosts_broker_act_on_a_need(world: WishWorld) -> None:
    need = need_draft(world)
    other = wish_world(make_tenant("Z"), "Other")
    with pytest.raises(PermissionRefused):
        services_needs.need_submit(actor=other.contact, member=other.contact_member(), need=need)
    services_needs.need_submit(actor=world.contact, member=world.contact_member(), need=need)
    with pytest.raises(PermissionRefused):
        services_needs.need_moderate(
            actor=other.broker,
            member=other.broker_member(),
            need=need,
            decision=Decision("approve", eligibility_checked=True),
        )


def test_pledges_cannot_pass_what_is_left(world: WishWorld) -> None:
    need = need_published(world)
    commitment = world.tenant.commitments[0]
    first = pledge_made(world, need, commitment, "25")
    need.refresh_from_db()
    assert (need.state, need.remaining_quantity()) == (NeedState.PLEDGED, Decimal("15.00"))
    with pytest.raises(ApplicationError) as refused:
        pledge_made(world, need, commitment, "15.01")
    assert refused.value.field_errors == {
        "quantity": "You can pledge at most 15 hours: that is what is left of this need"
    }
    pledge_made(world, need, commitment, "15")
    with pytest.raises(ApplicationError) as refused:
        pledge_made(world, need, commitment, "1")
    assert refused.value.field_errors == {"quantity": "Nothing is left of this need to pledge"}
    assert first.reference == f"PLEDGE-{first.pk}"


def test_a_pledge_counts_only_against_the_suppliers_own_commitment(world: WishWorld) -> None:
    need = need_published(world)
    stranger = make_tenant("Q")
    with pytest.raises(ApplicationError) as refused:
        pledge_made(world, need, stranger.commitments[0], "5")
    assert refused.value.field_errors == {
        "commitment": "Choose the commitment of one of your agreements that the pledge counts against"
    }
    assert not Pledge.objects.exists()


def test_an_unpublished_need_takes_no_pledges(world: WishWorld) -> None:
    need = need_draft(world)
    with pytest.raises(ApplicationError) as refused:
        pledge_made(world, need, world.tenant.commitments[0], "5")
    assert refused.value.message == "This need is draft: it takes no pledges."


def test_the_confirmed_quantity_is_claimed_and_verification_raises_the_total_by_exactly_it(world: WishWorld) -> None:
    tenant = world.tenant
    need = need_published(world)
    commitment = tenant.commitments[0]
    pledge = pledge_made(world, need, commitment, "40")
    # Delivered is not yet claimed.
    services_pledges.pledge_deliver(
        actor=tenant.supplier_user, member=tenant.supplier_member(), pledge=pledge, delivered_on=timezone.localdate()
    )
    assert not ReturnLine.objects.filter(commitment=commitment).exists()
    with pytest.raises(ApplicationError) as refused:
        services_pledges.pledge_confirm(
            actor=world.contact,
            member=world.contact_member(),
            pledge=pledge,
            received_quantity=Decimal("41"),
            received_on=timezone.localdate(),
            feedback="",
        )
    assert refused.value.field_errors == {"received_quantity": "Enter no more than was pledged (40 hours)"}
    before = _verified(commitment.pk)
    pledge = services_pledges.pledge_confirm(
        actor=world.contact,
        member=world.contact_member(),
        pledge=pledge,
        received_quantity=Decimal("36.5"),
        received_on=timezone.localdate(),
        feedback="Thank you.",
    )
    line = pledge.line
    assert line is not None
    assert (line.quantity, line.status, line.evidence_reference) == (Decimal("36.50"), "pending", pledge.reference)
    assert line.delivery_return.state == ReturnState.SUBMITTED
    assert list(ReturnLine.objects.filter(commitment=commitment).claimed()) == [line]
    need.refresh_from_db()
    assert need.state == NeedState.CONFIRMED  # the whole need was pledged, and all of it confirmed
    services_returns.return_line_review(
        actor=tenant.manager, member=tenant.manager_member(), line=line, decision=LineStatus.VERIFIED, reason=""
    )
    assert _verified(commitment.pk) - before == Decimal("36.50")
    # Confirming again is refused: the pledge counts once.
    with pytest.raises(ApplicationError) as refused:
        services_pledges.pledge_confirm(
            actor=world.contact,
            member=world.contact_member(),
            pledge=pledge,
            received_quantity=Decimal("1"),
            received_on=timezone.localdate(),
            feedback="",
        )
    assert refused.value.message == f"Pledge {pledge.reference} is confirmed already: it counts once."


def test_the_same_pledge_against_another_commitment_is_refused_naming_it(world: WishWorld) -> None:
    tenant = world.tenant
    pledge = pledge_confirmed(world, pledge_made(world, need_published(world), tenant.commitments[0], "40"), "40")
    other = tenant.commitments[1]
    line_count = ReturnLine.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services_returns.return_save(
            actor=tenant.supplier_user,
            member=tenant.supplier_member(),
            agreement=tenant.agreement,
            period=None,
            lines={other.pk: LineInput(quantity=Decimal("40"), evidence_reference=pledge.reference)},
            narrative="Volunteering",
            submit=True,
        )
    message = refused.value.field_errors[f"evidence_reference_{other.pk}"]
    assert message == (
        f"Pledge {pledge.reference} counts once, against {tenant.agreement.reference} "
        f"({tenant.commitments[0].measure.title}) only: it cannot be counted against another commitment"
    )
    assert ReturnLine.objects.count() == line_count


def test_the_same_pledge_on_another_agreement_of_another_buyer_is_refused(world: WishWorld) -> None:
    tenant = world.tenant
    pledge = pledge_confirmed(world, pledge_made(world, need_published(world), tenant.commitments[0], "40"), "40")
    from tests import factories

    second = factories.AgreementFactory.create(supplier=tenant.supplier, reference="SECOND-1")
    commitment = factories.CommitmentFactory.create(agreement=second)
    with pytest.raises(ApplicationError) as refused:
        services_returns.return_save(
            actor=tenant.supplier_user,
            member=tenant.supplier_member(),
            agreement=second,
            period=None,
            lines={commitment.pk: LineInput(quantity=Decimal("40"), evidence_reference=pledge.reference.lower())},
            narrative="Volunteering",
            submit=True,
        )
    assert pledge.reference in refused.value.field_errors[f"evidence_reference_{commitment.pk}"]
    assert not DeliveryReturn.objects.filter(agreement=second).exists()


def test_only_the_recipient_confirms(world: WishWorld) -> None:
    tenant = world.tenant
    pledge = pledge_made(world, need_published(world), tenant.commitments[0], "10")
    services_pledges.pledge_deliver(
        actor=tenant.supplier_user, member=tenant.supplier_member(), pledge=pledge, delivered_on=timezone.localdate()
    )
    other = wish_world(make_tenant("Y"), "Else")
    with pytest.raises(PermissionRefused):
        services_pledges.pledge_confirm(
            actor=other.contact,
            member=other.contact_member(),
            pledge=pledge,
            received_quantity=Decimal("10"),
            received_on=timezone.localdate(),
            feedback="",
        )
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.DELIVERED and pledge.line is None


def test_a_withdrawn_pledge_frees_its_quantity(world: WishWorld) -> None:
    need = need_published(world)
    pledge = pledge_made(world, need, world.tenant.commitments[0], "40")
    services_pledges.pledge_withdraw(
        actor=world.tenant.supplier_user, member=world.tenant.supplier_member(), pledge=pledge, reason="Van broke down"
    )
    need.refresh_from_db()
    assert (need.state, need.remaining_quantity()) == (NeedState.PUBLISHED, Decimal("40.00"))


def test_the_public_list_shows_only_published_needs(world: WishWorld) -> None:
    published = need_published(world, title="Published need")
    need_draft(world, title="Draft need")
    submitted = need_draft(world, title="Submitted need")
    services_needs.need_submit(actor=world.contact, member=world.contact_member(), need=submitted)
    needs, message = selectors_needs.public_need_list(
        host=world.tenant.buyer, filters=selectors_needs.WishListFilters()
    )
    assert [need.title for need in needs] == [published.title] and message == ""
    by_kind, _ = selectors_needs.public_need_list(
        host=world.tenant.buyer, filters=selectors_needs.WishListFilters(kind="money")
    )
    assert list(by_kind) == []
    by_place, _ = selectors_needs.public_need_list(
        host=world.tenant.buyer, filters=selectors_needs.WishListFilters(place="Trafford", size="medium")
    )
    assert [need.title for need in by_place] == [published.title]


def test_matches_rank_needs_by_the_outcomes_a_supplier_still_owes(world: WishWorld) -> None:
    tenant = world.tenant
    outcome = tenant.commitments[0].measure.outcome
    matching = need_published(world, title="Matching need", outcomes=[outcome])
    need_published(world, title="Unrelated need", place="Birkdale, Sefton")
    matches = selectors_needs.need_match_list(member=tenant.supplier_member())
    assert [match.need.title for match in matches] == [matching.title]
    assert matches[0].score.outcomes == 1
    suppliers = selectors_needs.supplier_match_list(need=matching)
    assert [match.supplier for match in suppliers] == [tenant.supplier]


def test_figures_count_each_stage_and_the_commitments_met(world: WishWorld) -> None:
    tenant = world.tenant
    need_draft(world, title="Draft")
    need = need_published(world)
    pledge_confirmed(world, pledge_made(world, need, tenant.commitments[0], "40"), "30")
    member = world.broker_member()
    figures = selectors_needs.figures_for(member=member)
    assert figures.counts == {"posted": 1, "approved": 1, "pledged": 1, "delivered": 1, "confirmed": 1}
    assert figures.by_place == [
        {
            "place_code": PLACE_CODE,
            "place": "Altrincham, Trafford",
            "hours": Decimal("30.00"),
            "money": Decimal("450.00"),
        }
    ]
    assert [(row["agreement"], row["through_wish_list"]) for row in figures.commitments] == [
        (tenant.agreement.reference, Decimal("30.00"))
    ]


def test_the_weekly_digest_goes_once_a_week_to_suppliers_with_matching_needs(
    world: WishWorld, mailoutbox: list[Any]
) -> None:
    from io import StringIO

    from django.core.management import call_command

    tenant = world.tenant
    outcome = tenant.commitments[0].measure.outcome
    need = need_published(world, title="Matching need", outcomes=[outcome])
    out = StringIO()
    call_command("brokerage", "digest", "--today", "2026-12-07", stdout=out)
    assert f"Sent {tenant.supplier.name} 1 matching need." in out.getvalue()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [tenant.supplier_user.email]
    assert email.subject == "Community needs that match your commitments: week of 7 December 2026"
    assert f"Matching need ({need.reference})" in email.body
    assert f"/o/{tenant.supplier.slug}/pledges/needs/{need.pk}/" in email.body
    # The same week again, on another day: nothing more is sent.
    again = StringIO()
    call_command("brokerage", "digest", "--today", "2026-12-11", stdout=again)
    assert "0 digests sent; 1 already sent this week." in again.getvalue()
    assert len(mailoutbox) == 1
    # The next week, it goes again.
    call_command("brokerage", "digest", "--today", "2026-12-14", stdout=StringIO())
    assert len(mailoutbox) == 2


def test_the_digest_task_and_expiry(world: WishWorld, mailoutbox: list[Any]) -> None:
    from commonweal.brokerage import tasks

    need_published(world, title="Old need", outcomes=[world.tenant.commitments[0].measure.outcome])
    result = tasks.digests_send.enqueue(today="2026-12-07")
    assert result.return_value == {"sent": 1, "already_sent": 0, "nothing_to_send": 0}
    closed = tasks.needs_expire.enqueue(today=(timezone.localdate() + timedelta(days=400)).isoformat())
    assert closed.return_value == {"closed": 1}
    assert Need.objects.get(title="Old need").state == NeedState.EXPIRED


def test_a_substitution_may_name_a_need(world: WishWorld) -> None:
    from commonweal.delivery import services_agreements

    tenant = world.tenant
    need = need_published(world, title="Minibus repair")
    substitution = services_agreements.substitution_propose(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        commitment=tenant.commitments[1],
        proposed_measure=None,
        proposed_quantity=None,
        pledge="",
        reason="The site closed early.",
        need=need,
    )
    assert substitution.need == need
    assert substitution.pledge == f"A pledge to the need “Minibus repair” ({need.reference}) of {world.community.name}."
    draft = need_draft(world, title="Not yet published")
    with pytest.raises(ApplicationError) as refused:
        services_agreements.substitution_propose(
            actor=tenant.supplier_user,
            member=tenant.supplier_member(),
            commitment=tenant.commitments[2],
            proposed_measure=None,
            proposed_quantity=None,
            pledge="",
            reason="Because.",
            need=draft,
        )
    assert refused.value.field_errors == {"need": "Choose a need that is open on a wish list you may pledge to"}


@pytest.mark.django_db(transaction=True)
def test_the_wish_list_cycle_committed(mailoutbox: list[Any]) -> None:
    """Every locking service of the wish list, each in its own committed transaction (as requests are)."""
    from commonweal.brokerage import services_digest

    tenant = make_tenant("A")
    world = wish_world(tenant, "Committed")
    need = need_published(world, outcomes=[tenant.commitments[0].measure.outcome])
    services_needs.policy_set(actor=world.broker, member=world.broker_member(), live_needs_limit=5)
    assert services_digest.digest_send(member=tenant.supplier_member(), today=timezone.localdate()).state == "sent"
    pledge = pledge_confirmed(world, pledge_made(world, need, tenant.commitments[0], "40"), "40")
    assert pledge.line is not None and ReturnLine.objects.filter(pk=pledge.line.pk).claimed().exists()
    services_returns.return_line_review(
        actor=tenant.manager, member=tenant.manager_member(), line=pledge.line, decision=LineStatus.VERIFIED, reason=""
    )
    assert _verified(tenant.commitments[0].pk) == Decimal("40.00")
    other = need_published(world, title="Second")
    second = pledge_made(world, other, tenant.commitments[1], "5")
    services_pledges.pledge_withdraw(
        actor=tenant.supplier_user, member=tenant.supplier_member(), pledge=second, reason="No"
    )
    services_needs.need_close(actor=world.broker, member=world.broker_member(), need=other, reason="Stale")
    assert Need.objects.get(pk=other.pk).state == NeedState.EXPIRED


@pytest.mark.django_db(transaction=True)
def test_two_pledges_at_once_cannot_pass_what_is_left() -> None:
    """On PostgreSQL the need's row lock makes the second pledge wait and then see the first. SQLite has no
    row locks and one writer at a time: there the two pledges are made one after the other."""
    import threading

    from django.db import connection

    tenant = make_tenant("A")
    world = wish_world(tenant, "Race")
    need = need_published(world)
    outcomes: list[str] = []

    def pledge() -> None:
        try:
            pledge_made(world, need, tenant.commitments[0], "30")
            outcomes.append("made")
        except ApplicationError as error:
            outcomes.append(error.field_errors.get("quantity", error.message))
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=pledge) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        pledge()
        pledge()
    assert sorted(outcomes) == ["You can pledge at most 10 hours: that is what is left of this need", "made"]
    assert Need.objects.get(pk=need.pk).pledged_quantity() == Decimal("30.00")
