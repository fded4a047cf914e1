"""Status per commitment and agreement from real returns in every state, money equivalents, the dashboard,
the agreement list, the rating page and the status API."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery import selectors_status, services_status
from commonweal.delivery.models import (
    AgreementKind,
    CommitmentState,
    PerformanceAssessment,
    PerformanceRating,
)
from commonweal.delivery.status import CommitmentStatus
from commonweal.tenancy.permissions import PermissionRefused

from .conftest import Tenant
from .delivery_status_helpers import HOURS, JOBS, MID, SPEND, returns_in_every_state, today_fix, value_set_make

D = Decimal
WEEKS = SPEND


@pytest.fixture
def delivery(tenant_a: Tenant) -> Tenant:
    return returns_in_every_state(tenant_a)


def by_measure(rows: list[selectors_status.CommitmentProgress]) -> dict[str, selectors_status.CommitmentProgress]:
    return {row.commitment.measure.title: row for row in rows}


def test_each_commitment_counts_claimed_evidenced_and_verified_and_gets_its_status(delivery: Tenant) -> None:
    rows = by_measure(selectors_status.commitment_progress_list(agreement=delivery.agreement, today=MID))
    figures = {
        title: (row.target, row.effective_target, row.claimed, row.evidenced, row.verified, row.expected, row.status)
        for title, row in rows.items()
    }
    assert figures == {
        JOBS: (D("10"), D("10"), D("6"), D("6"), D("4"), D("5"), CommitmentStatus.AT_RISK),
        WEEKS: (D("10"), D("10"), D("6"), D("0"), D("6"), D("5"), CommitmentStatus.ON_TRACK),
        # The rejected 3 and the draft's 9 are not claims.
        HOURS: (D("10"), D("10"), D("1"), D("0"), D("0"), D("5"), CommitmentStatus.BEHIND),
    }
    assert rows[JOBS].percent_verified == D("40.0")
    # 6 verified in 182 of 364 days: 12 by the due date; 10 reached after ⌈10 × 182 / 6⌉ = 304 days.
    assert rows[WEEKS].forecast.quantity == D("12.00")
    assert rows[WEEKS].forecast.target_date == date(2027, 1, 30)
    assert rows[HOURS].forecast.quantity is None
    assert rows[HOURS].forecast.reason == "Not enough data: nothing has been verified yet."


def test_statuses_move_with_the_schedule(delivery: Tenant) -> None:
    early = by_measure(selectors_status.commitment_progress_list(agreement=delivery.agreement, today=date(2026, 5, 1)))
    # 30 of 364 days: 0.82 expected; volunteering has 1 claimed but none verified.
    assert {title: row.status for title, row in early.items()} == {
        JOBS: CommitmentStatus.ON_TRACK,
        WEEKS: CommitmentStatus.ON_TRACK,
        HOURS: CommitmentStatus.AT_RISK,
    }
    late = by_measure(selectors_status.commitment_progress_list(agreement=delivery.agreement, today=date(2027, 4, 1)))
    assert {row.status for row in late.values()} == {CommitmentStatus.MISSED}


def test_milestones_set_what_is_expected(delivery: Tenant) -> None:
    jobs = delivery.commitments[0]
    jobs.milestones.create(organisation=delivery.buyer, due_date=date(2026, 6, 30), cumulative_quantity=D("2"))
    jobs.milestones.create(organisation=delivery.buyer, due_date=date(2026, 12, 31), cumulative_quantity=D("8"))
    rows = by_measure(selectors_status.commitment_progress_list(agreement=delivery.agreement, today=MID))
    assert (rows[JOBS].expected, rows[JOBS].status) == (D("2"), CommitmentStatus.ON_TRACK)
    rows = by_measure(selectors_status.commitment_progress_list(agreement=delivery.agreement, today=date(2027, 1, 1)))
    assert (rows[JOBS].expected, rows[JOBS].status) == (D("8"), CommitmentStatus.BEHIND)


def test_a_call_off_is_judged_against_its_pro_rated_target(delivery: Tenant) -> None:
    agreement = delivery.agreement
    agreement.kind = AgreementKind.CALL_OFF
    agreement.called_off_value = D("40000")  # 40% of £100,000
    agreement.save()
    rows = by_measure(selectors_status.commitment_progress_list(agreement=agreement, today=MID))
    assert (rows[JOBS].target, rows[JOBS].effective_target, rows[JOBS].expected) == (D("10"), D("4.00"), D("2.00"))
    assert rows[JOBS].is_pro_rated
    assert rows[JOBS].status == CommitmentStatus.DELIVERED  # 4 verified of 4 in force
    assert rows[WEEKS].status == CommitmentStatus.DELIVERED
    assert rows[HOURS].status == CommitmentStatus.BEHIND


def test_a_substituted_commitment_keeps_what_was_verified_and_is_not_rated(delivery: Tenant) -> None:
    jobs = delivery.commitments[0]
    jobs.state = CommitmentState.SUBSTITUTED
    jobs.save(update_fields=["state"])
    rows = by_measure(selectors_status.commitment_progress_list(agreement=delivery.agreement, today=MID))
    assert (rows[JOBS].effective_target, rows[JOBS].verified, rows[JOBS].status) == (
        D("4"),
        D("4"),
        CommitmentStatus.SUBSTITUTED,
    )
    proposal = selectors_status.rating_proposal(
        member=delivery.manager_member(), agreement=delivery.agreement, today=MID
    )
    assert proposal.rating == PerformanceRating.REQUIRES_IMPROVEMENT
    assert proposal.summary == "1 of 2 active commitments is behind."


def test_money_equivalents_gross_and_net_in_each_state_kept_apart_by_value_type(delivery: Tenant) -> None:
    jobs, spend, hours = delivery.commitments
    value_set = value_set_make(
        delivery,
        {jobs.measure: {"value_per_unit": "100", "deadweight": "0.1"}, spend.measure: {"value_per_unit": "0.5"}},
    )
    delivery.agreement.value_set = value_set
    delivery.agreement.save(update_fields=["value_set"])
    progress = selectors_status.commitment_progress_list(agreement=delivery.agreement, today=MID)
    money = selectors_status.money_summary(agreement=delivery.agreement, progress=progress)
    figures = {
        row.state: (
            row.additional_social.gross,
            row.additional_social.net,
            row.local_economic.gross,
            row.local_economic.net,
        )
        for row in money.rows
    }
    # Jobs: £100 each, 10% deadweight. Local spend: £0.50 per £1, local economic value. Volunteering: no value.
    assert figures == {
        "committed": (D("1000.00"), D("900.00"), D("5.00"), D("5.00")),
        "claimed": (D("600.00"), D("540.00"), D("3.00"), D("3.00")),
        "verified": (D("400.00"), D("360.00"), D("3.00"), D("3.00")),
    }
    assert money.not_valued == ["COMM.1"]
    assert money.note == "From the value set Local values (local-values), in 2024 prices."


def test_without_a_value_set_no_money_is_shown_and_the_page_says_so(client: Client, delivery: Tenant) -> None:
    progress = selectors_status.commitment_progress_list(agreement=delivery.agreement, today=MID)
    money = selectors_status.money_summary(agreement=delivery.agreement, progress=progress)
    assert money.rows == [] and not money.has_figures
    client.force_login(delivery.manager)
    page = client.get(reverse("delivery:agreement-detail", kwargs={"org": "council-a", "pk": delivery.agreement.pk}))
    assert "This agreement has no value set, so no money equivalents are shown." in page.content.decode()


def text_of(response: Any) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


@pytest.mark.parametrize(("role", "slug"), [("manager", "council-a"), ("supplier", "supplier-a")])
def test_the_agreement_page_shows_status_forecast_and_money_to_buyer_and_supplier(
    client: Client, delivery: Tenant, monkeypatch: pytest.MonkeyPatch, role: str, slug: str
) -> None:
    today_fix(monkeypatch, MID)
    jobs, spend, _ = delivery.commitments
    delivery.agreement.value_set = value_set_make(delivery, {jobs.measure: {"value_per_unit": "100"}})
    delivery.agreement.save(update_fields=["value_set"])
    client.force_login(delivery.manager if role == "manager" else delivery.supplier_user)
    page = client.get(reverse("delivery:agreement-detail", kwargs={"org": slug, "pk": delivery.agreement.pk}))
    assert page.status_code == 200
    text = text_of(page)
    assert (
        "Status against the schedule: Behind (the worst of the active commitments: 1 on track, 1 at risk, 1 behind)"
        in text
    )
    assert f"{JOBS} (number) 31 March 2027 10 6 4 At risk" in text
    assert f"{WEEKS} (£) 31 March 2027 £10.00 £6.00 £6.00 On track" in text
    assert f"{HOURS} (hours) 31 March 2027 10 1 0 Behind" in text
    assert f"{JOBS} 10 5 6 40% 8 by 31 March 2027 (80% of the target); short of the target" in text
    assert (
        f"{WEEKS} £10.00 £5.00 £0.00 60% £12.00 by 31 March 2027 (120% of the target); "
        "the target is reached by 30 January 2027" in text
    )
    assert f"{HOURS} 10 5 0 0% Not enough data: nothing has been verified yet." in text
    assert "Committed (targets in force) £1,000.00 £1,000.00 £0.00 £0.00" in text
    assert "Verified £400.00 £400.00 £0.00 £0.00" in text
    assert "The value set has no figure for COMM.1, ECON.1" in text


def test_the_dashboard_counts_by_state_and_status(
    client: Client, delivery: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_fix(monkeypatch, MID)
    client.force_login(delivery.manager)
    text = text_of(client.get(reverse("delivery:dashboard", kwargs={"org": "council-a"})))
    assert "evidenced counts claimed quantities with an evidence file attached" in text
    assert f"JOBS.1 {JOBS} number 10 6 6 4" in text
    assert f"COMM.1 {HOURS} hours 10 1 0 0" in text
    assert "Delivered 0 On track 1 At risk 1 Behind 1 Missed 0 Substituted 0" in text
    assert "No returns are overdue." in text
    listing = text_of(client.get(reverse("delivery:agreement-list", kwargs={"org": "council-a"})))
    assert "A-001" in listing and "Behind 1 on track, 1 at risk, 1 behind" in listing


# --- The rating page ------------------------------------------------------------------------------------


def rating_url(tenant: Tenant, slug: str = "council-a") -> str:
    return reverse("delivery:agreement-rating", kwargs={"org": slug, "pk": tenant.agreement.pk})


def test_the_rating_page_proposes_with_a_reason_per_commitment(
    client: Client, delivery: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_fix(monkeypatch, MID)
    client.force_login(delivery.manager)
    text = text_of(client.get(rating_url(delivery)))
    assert "Proposed rating: Requires improvement" in text
    assert "1 of 3 active commitments is behind." in text
    assert (
        f"JOBS.1 {JOBS} At risk: 4 verified and 6 claimed; 5 expected by 30 September 2026, and the claims that "
        "would meet it are not yet verified." in text
    )
    assert (
        f"COMM.1 {HOURS} Behind: 0 verified and 1 claimed; 5 expected by 30 September 2026 "
        "(target 10 by 31 March 2027)." in text
    )
    assert "No rating has been recorded yet." in text


def test_the_officer_confirms_the_proposal(client: Client, delivery: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    today_fix(monkeypatch, MID)
    client.force_login(delivery.manager)
    response = client.post(rating_url(delivery), {"rating": "requires_improvement", "reason": ""})
    assert response.status_code == 302
    assessment = PerformanceAssessment.objects.get()
    assert (assessment.as_at, assessment.proposed, assessment.rating, assessment.reason) == (
        MID,
        PerformanceRating.REQUIRES_IMPROVEMENT,
        PerformanceRating.REQUIRES_IMPROVEMENT,
        "",
    )
    assert [reason["status"] for reason in assessment.proposal_reasons] == ["at_risk", "on_track", "behind"]
    event = AuditEvent.objects.get(action=AuditAction.ASSESSMENT_CONFIRMED)
    assert event.after["rating"] == "requires_improvement"
    assert event.trail_id == str(delivery.agreement.pk)
    page = text_of(client.get(rating_url(delivery)))
    assert "The rating “Requires improvement” has been recorded." in page
    assert f"30 September 2026 Requires improvement Requires improvement – {delivery.manager}" in page


def test_overriding_needs_a_reason_and_without_one_nothing_is_saved(
    client: Client, delivery: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_fix(monkeypatch, MID)
    client.force_login(delivery.manager)
    response = client.post(rating_url(delivery), {"rating": "good", "reason": "  "})
    assert response.status_code == 200
    assert "Enter why the rating is not the proposed “requires improvement”" in response.content.decode()
    assert response.content.decode().count("govuk-error-summary") >= 1
    assert PerformanceAssessment.objects.count() == 0
    response = client.post(rating_url(delivery), {"rating": "good", "reason": "The volunteering starts in October."})
    assert response.status_code == 302
    assessment = PerformanceAssessment.objects.get()
    assert (assessment.proposed, assessment.rating, assessment.reason) == (
        "requires_improvement",
        "good",
        "The volunteering starts in October.",
    )
    assert AuditEvent.objects.filter(action=AuditAction.ASSESSMENT_OVERRIDDEN).count() == 1
    assert "Good Overridden The volunteering starts in October." in text_of(client.get(rating_url(delivery)))


def test_a_rating_that_is_not_a_rating_is_refused(client: Client, delivery: Tenant) -> None:
    client.force_login(delivery.manager)
    response = client.post(rating_url(delivery), {"rating": "excellent", "reason": "x"})
    assert response.status_code == 200
    assert "Choose a rating" in response.content.decode()
    assert PerformanceAssessment.objects.count() == 0


def test_the_supplier_reads_the_ratings_but_cannot_record_one(
    client: Client, delivery: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_fix(monkeypatch, MID)
    services_status.assessment_confirm(
        actor=delivery.manager,
        member=delivery.manager_member(),
        agreement=delivery.agreement,
        rating="other",
        reason="New",
    )
    client.force_login(delivery.supplier_user)
    page = client.get(rating_url(delivery, "supplier-a"))
    assert page.status_code == 200
    assert f"30 September 2026 Requires improvement Other Overridden New {delivery.manager}" in text_of(page)
    assert "Record the rating" not in page.content.decode()
    assert client.post(rating_url(delivery, "supplier-a"), {"rating": "good"}).status_code == 404
    assert PerformanceAssessment.objects.count() == 1
    with pytest.raises(PermissionRefused):
        services_status.assessment_confirm(
            actor=delivery.supplier_user,
            member=delivery.supplier_member(),
            agreement=delivery.agreement,
            rating="good",
            reason="",
        )


# --- The API --------------------------------------------------------------------------------------------


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_status_api_gives_the_same_figures(delivery: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    today_fix(monkeypatch, MID)
    url = reverse("api:agreement-status", kwargs={"org": "supplier-a", "pk": delivery.agreement.pk})
    data = api(delivery.supplier_user).get(url).json()
    assert (data["reference"], data["as_at"], data["status"]) == ("A-001", "2026-09-30", "behind")
    assert [
        (
            c["measure_code"],
            c["target_quantity"],
            c["target_in_force"],
            c["claimed_quantity"],
            c["evidenced_quantity"],
            c["verified_quantity"],
            c["expected_to_date"],
            c["percent_delivered"],
            c["status"],
            c["forecast"]["quantity"],
        )
        for c in data["commitments"]
    ] == [
        ("JOBS.1", "10.00", "10.00", "6.00", "6.00", "4.00", "5.00", "40.0", "at_risk", "8.00"),
        ("ECON.1", "10.00", "10.00", "6.00", "0.00", "6.00", "5.00", "60.0", "on_track", "12.00"),
        ("COMM.1", "10.00", "10.00", "1.00", "0.00", "0.00", "5.00", "0.0", "behind", None),
    ]
    assert data["money"] == {
        "value_set": "",
        "note": "This agreement has no value set, so no money equivalents are shown.",
        "rows": [],
        "not_valued": [],
    }


def test_the_assessment_api_proposes_and_records(delivery: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    today_fix(monkeypatch, MID)
    url = reverse("api:assessment-list", kwargs={"org": "council-a", "pk": delivery.agreement.pk})
    data = api(delivery.manager).get(url).json()
    assert data["proposal"]["rating"] == "requires_improvement"
    assert [reason["status"] for reason in data["proposal"]["reasons"]] == ["at_risk", "on_track", "behind"]
    refused = api(delivery.manager).post(url, {"rating": "good"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"reason": "Enter why the rating is not the proposed “requires improvement”"}
    created = api(delivery.manager).post(url, {"rating": "requires_improvement"}, format="json")
    assert created.status_code == 201
    assert (created.json()["rating"], created.json()["as_at"]) == ("requires_improvement", "2026-09-30")
    supplier = api(delivery.supplier_user).post(
        reverse("api:assessment-list", kwargs={"org": "supplier-a", "pk": delivery.agreement.pk}),
        {"rating": "good", "reason": "x"},
        format="json",
    )
    assert supplier.status_code == 404
    assert PerformanceAssessment.objects.count() == 1
