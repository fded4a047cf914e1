"""The API offers the same as the pages: two quarterly delivery cycles on one agreement with a value set,
through the JSON API only (token authentication), with the totals checked after every step against the
figures worked out by hand in delivery_cycles_support (the browser test checks the pages against the same)."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from commonweal.accounts.models import User
from commonweal.delivery import tasks
from commonweal.delivery.models import DeliveryReturn, Evidence, ReturnReminder
from commonweal.delivery.selectors_status import today_local

from .delivery_cycles_support import (
    ANSWER,
    ANSWERED_HOURS,
    BUYER,
    DOUBLE_CLAIM,
    ESCALATION_DAYS,
    FINAL_PERCENT,
    GIVEN_UP_NET,
    HOURS,
    JOBS,
    MANAGER_EMAIL,
    OFFERED_NET,
    OFFERED_PLACEMENTS,
    PDF,
    PLACEMENTS,
    Q1_DRAFT,
    Q1_NARRATIVE,
    Q1_REFERENCES,
    Q1_SUBMITTED,
    Q2_NARRATIVE,
    Q2_REFERENCES,
    Q2_SUBMITTED,
    QUERY,
    REFERENCE,
    REJECT_REASON,
    RETURN_DUE_DAYS,
    STEPS,
    SUBSTITUTION_REASON,
    SUPPLIER,
    SUPPLIER_EMAIL,
    SUPPLIER_NAME,
    TARGETS,
    TITLE,
    VALUE,
    VALUE_SET_TITLE,
    VERDICT,
    WEEKS,
    World,
    dates_for,
    double_claim_message,
    world_make,
)
from .delivery_status_helpers import today_fix
from .factories import api_token

pytestmark = pytest.mark.django_db


def client_for(user: User) -> APIClient:
    token = api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(name: str, org: str, **kwargs: int) -> str:
    return reverse(f"api:{name}", kwargs={"org": org, **kwargs})


def body(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def two(quantity: str) -> str:
    """A quantity as the API writes it: a decimal string with two places."""
    return f"{Decimal(quantity):.2f}"


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def references(given: dict[str, tuple[str, str]], ids: dict[str, int]) -> dict[str, dict[str, str]]:
    return {
        str(ids[code]): {"evidence_reference": evidence, "beneficiary_reference": beneficiary}
        for code, (evidence, beneficiary) in given.items()
    }


class Cycle:
    """The two parties' API clients and the ids the scenario collects as it goes."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.buyer = client_for(world.manager)
        self.supplier = client_for(world.supplier_user)
        self.agreement = 0
        self.commitments: dict[str, int] = {}

    def parties(self) -> list[tuple[APIClient, str]]:
        return [(self.buyer, BUYER), (self.supplier, SUPPLIER)]

    def totals_check(self, step: str) -> None:
        """Both parties read the same totals, per commitment (status), per measure (dashboard) and in money."""
        expected = STEPS[step]
        for client, org in self.parties():
            status = body(client.get(url("agreement-status", org, pk=self.agreement)))
            commitments = {row["measure_code"]: row for row in status["commitments"]}
            assert {
                code: (row["claimed_quantity"], row["evidenced_quantity"], row["verified_quantity"])
                for code, row in commitments.items()
            } == {code: tuple(two(q) for q in quantities) for code, quantities in expected.quantities.items()}, step
            assert {code: row["target_in_force"] for code, row in commitments.items()} == {
                code: two(target) for code, target in expected.in_force.items()
            }, step
            assert status["money"]["value_set"] == f"{VALUE_SET_TITLE} (eastbrook-values)"
            assert {
                row["state"]: (row["additional_social"]["gross"], row["additional_social"]["net"])
                for row in status["money"]["rows"]
            } == {"committed": expected.committed, "claimed": expected.claimed, "verified": expected.verified}, step
            assert {
                row["state"]: (row["local_economic"]["gross"], row["local_economic"]["net"])
                for row in status["money"]["rows"]
            } == {
                "committed": expected.local_committed,
                "claimed": expected.local_claimed,
                "verified": expected.local_verified,
            }, step

            detail = body(client.get(url("agreement-detail", org, pk=self.agreement)))
            assert {
                row["measure_code"]: (row["claimed_quantity"], row["verified_quantity"])
                for row in detail["commitments"]
            } == {
                code: (two(claimed), two(verified)) for code, (claimed, _, verified) in expected.quantities.items()
            }, step

            # The dashboard adds commitments up by measure: targets in force, claimed and verified.
            dashboard = body(client.get(url("dashboard", org)))
            assert {
                row["measure_code"]: (row["target_quantity"], row["claimed_quantity"], row["verified_quantity"])
                for row in dashboard
            } == {
                code: (two(expected.in_force[code]), two(claimed), two(verified))
                for code, (claimed, _, verified) in expected.quantities.items()
            }, step

    def return_lines(self, return_id: int, client: APIClient | None = None, org: str = SUPPLIER) -> dict[int, Any]:
        data = body((client or self.supplier).get(url("return-detail", org, pk=return_id)))
        return {line["commitment"]: line for line in data["lines"]}

    def review(self, line_id: int, decision: str, reason: str = "") -> Any:
        return self.buyer.post(
            url("return-line-review", BUYER, pk=line_id), {"decision": decision, "reason": reason}, format="json"
        )


def test_two_quarterly_cycles_through_the_api_keep_every_total_right(monkeypatch: pytest.MonkeyPatch) -> None:
    world = world_make()
    dates = dates_for(today_local())
    cycle = Cycle(world)

    # The contract manager creates the agreement, with the value set, and its three commitments.
    agreement = body(
        cycle.buyer.post(
            url("agreement-create", BUYER),
            {
                "kind": "contract",
                "reference": REFERENCE,
                "title": TITLE,
                "supplier": SUPPLIER,
                "value": str(VALUE),
                "start_date": dates.start.isoformat(),
                "end_date": dates.end.isoformat(),
                "framework_version": world.version.pk,
                "value_set": world.value_set.pk,
                "return_frequency": "quarterly",
                "return_due_days": RETURN_DUE_DAYS,
                "escalation_days": ESCALATION_DAYS,
                "contract_manager": MANAGER_EMAIL,
            },
            format="json",
        ),
        201,
    )
    assert (agreement["value_set"], agreement["contract_manager"], agreement["supplier"]) == (
        world.value_set.pk,
        MANAGER_EMAIL,
        SUPPLIER,
    )
    cycle.agreement = agreement["id"]
    for code, target in TARGETS.items():
        commitment = body(
            cycle.buyer.post(
                url("commitment-list", BUYER, pk=cycle.agreement),
                {"measure_code": code, "target_quantity": str(target), "due_date": dates.end.isoformat()},
                format="json",
            ),
            201,
        )
        cycle.commitments[code] = commitment["id"]
    ids = cycle.commitments
    periods = body(cycle.supplier.get(url("period-list", SUPPLIER, pk=cycle.agreement)))
    q1, q2, q3 = periods[:3]
    assert [p["status"] for p in periods[:3]] == ["Open", "Open", "Not started yet"]
    assert q1["start_date"] == dates.start.isoformat() and q1["end_date"] == dates.q1_end.isoformat()
    assert q3["return_due_date"] == dates.q3_due.isoformat()
    cycle.totals_check("start")

    # Quarter 1. The supplier saves a draft, with the payroll file for the jobs line only.
    draft = body(
        cycle.supplier.post(
            url("return-list", SUPPLIER, pk=cycle.agreement),
            {
                "period": q1["id"],
                "quantities": {str(ids[code]): quantity for code, quantity in Q1_DRAFT.items()},
                "references": references({code: Q1_REFERENCES[code] for code in Q1_DRAFT}, ids),
                "narrative": Q1_NARRATIVE,
                "submit": False,
            },
            format="json",
        ),
        201,
    )
    assert (draft["state"], draft["period_label"]) == ("draft", q1["label"])
    q1_return = draft["id"]
    body(
        cycle.supplier.post(
            url("return-evidence", SUPPLIER, pk=q1_return),
            {"evidence": pdf("payroll-q1.pdf"), "commitments": [ids[JOBS]]},
            format="multipart",
        ),
        201,
    )
    # The buyer does not see a draft, and a draft is not a claim.
    assert cycle.buyer.get(url("return-detail", BUYER, pk=q1_return)).status_code == 404
    assert body(cycle.buyer.get(url("return-list", BUYER, pk=cycle.agreement))) == []
    cycle.totals_check("start")

    # The supplier edits the draft (more apprentice weeks, the volunteering hours), adds the volunteer log for
    # the hours line, and submits. The weeks line has no file: claimed, not evidenced.
    edited = body(
        cycle.supplier.patch(
            url("return-detail", SUPPLIER, pk=q1_return),
            {
                "quantities": {str(ids[WEEKS]): Q1_SUBMITTED[WEEKS], str(ids[HOURS]): Q1_SUBMITTED[HOURS]},
                "references": references({HOURS: Q1_REFERENCES[HOURS]}, ids),
            },
            format="json",
        )
    )
    assert {line["commitment"]: line["quantity"] for line in edited["lines"]} == {
        ids[code]: two(quantity) for code, quantity in Q1_SUBMITTED.items()
    }
    body(
        cycle.supplier.post(
            url("return-evidence", SUPPLIER, pk=q1_return),
            {"evidence": pdf("volunteer-log-q1.pdf"), "commitments": [ids[HOURS]]},
            format="multipart",
        ),
        201,
    )
    submitted = body(cycle.supplier.post(url("return-submit", SUPPLIER, pk=q1_return)))
    assert (submitted["state"], submitted["late"]) == ("submitted", False)
    lines = {line["commitment"]: line for line in submitted["lines"]}
    assert {code: lines[ids[code]]["evidenced"] for code in Q1_SUBMITTED} == {JOBS: True, WEEKS: False, HOURS: True}
    assert {code: lines[ids[code]]["evidence_reference"] for code in Q1_SUBMITTED} == {
        code: Q1_REFERENCES[code][0] for code in Q1_SUBMITTED
    }
    # Submitted is locked.
    locked = body(
        cycle.supplier.patch(
            url("return-detail", SUPPLIER, pk=q1_return), {"quantities": {str(ids[JOBS]): "5"}}, format="json"
        ),
        400,
    )
    assert locked["detail"].startswith(f"The return for {q1['label']} was submitted on ")
    cycle.totals_check("q1 submitted")

    # The contract manager verifies the jobs line, rejects the weeks line (a reason is required) and queries
    # the hours line.
    assert body(cycle.review(lines[ids[JOBS]]["id"], "verified"))["status"] == "verified"
    refused = body(cycle.review(lines[ids[WEEKS]]["id"], "rejected"), 400)
    assert refused["errors"] == {"reason": "Enter the reason for rejecting this line"}
    rejected = body(cycle.review(lines[ids[WEEKS]]["id"], "rejected", REJECT_REASON))
    assert (rejected["status"], rejected["reason"]) == ("rejected", REJECT_REASON)
    assert body(cycle.review(lines[ids[HOURS]]["id"], "queried", QUERY))["status"] == "queried"
    cycle.totals_check("q1 reviewed")

    # The supplier answers the query with a revised quantity; the line is claimed again, awaiting verification.
    answered = body(
        cycle.supplier.post(
            url("return-line-answer", SUPPLIER, pk=lines[ids[HOURS]]["id"]),
            {"answer": ANSWER, "quantity": ANSWERED_HOURS},
            format="json",
        )
    )
    assert (answered["status"], answered["quantity"]) == ("pending", two(ANSWERED_HOURS))
    assert [(e["kind"], e["quantity_before"], e["quantity_after"]) for e in answered["events"]] == [
        ("query", None, None),
        ("answer", two(Q1_SUBMITTED[HOURS]), two(ANSWERED_HOURS)),
    ]
    cycle.totals_check("q1 answered")
    assert body(cycle.review(lines[ids[HOURS]]["id"], "verified"))["status"] == "verified"
    cycle.totals_check("q1 verified")

    # The supplier proposes replacing what is left of the hours with work experience placements; the values
    # are compared from the value set. A proposal alone changes no total; the manager approves it.
    proposed = body(
        cycle.supplier.post(
            url("substitution-list", SUPPLIER, pk=cycle.agreement),
            {
                "commitment": ids[HOURS],
                "proposed_measure_code": PLACEMENTS,
                "proposed_quantity": str(OFFERED_PLACEMENTS),
                "proposal_reason": SUBSTITUTION_REASON,
            },
            format="json",
        ),
        201,
    )
    assert (proposed["state"], proposed["original_net_value"], proposed["proposed_net_value"]) == (
        "proposed",
        GIVEN_UP_NET,
        OFFERED_NET,
    )
    assert proposed["value_comparison"] == VERDICT
    cycle.totals_check("q1 verified")
    approved = body(
        cycle.buyer.post(
            url("substitution-decide", BUYER, pk=proposed["id"]), {"substitution_decision": "approved"}, format="json"
        )
    )
    assert (approved["state"], approved["decided_by"]) == ("approved", MANAGER_EMAIL)
    ids[PLACEMENTS] = approved["replacement"]
    commitments = {
        row["measure_code"]: row
        for row in body(cycle.supplier.get(url("commitment-list", SUPPLIER, pk=cycle.agreement)))
    }
    assert (commitments[HOURS]["state"], commitments[HOURS]["target_quantity"]) == ("substituted", "200.00")
    assert commitments[HOURS]["effective_target"] == "36.00"
    assert (commitments[PLACEMENTS]["source"], commitments[PLACEMENTS]["target_quantity"]) == ("substitution", "3.00")
    cycle.totals_check("substituted")

    # Quarter 2. A claim with quarter 1's payroll reference on the weeks line, and hours on the replaced
    # commitment, is refused as a whole: each problem named, nothing stored.
    returns_before, evidence_before = DeliveryReturn.objects.count(), Evidence.objects.count()
    wrong = {**references(Q2_REFERENCES, ids)}
    wrong[str(ids[WEEKS])] = {"evidence_reference": DOUBLE_CLAIM, "beneficiary_reference": Q2_REFERENCES[WEEKS][1]}
    refused = body(
        cycle.supplier.post(
            url("return-list", SUPPLIER, pk=cycle.agreement),
            {
                "period": q2["id"],
                "quantities": {
                    **{str(ids[code]): quantity for code, quantity in Q2_SUBMITTED.items()},
                    str(ids[HOURS]): "12",
                },
                "references": wrong,
                "narrative": Q2_NARRATIVE,
                "submit": True,
            },
            format="json",
        ),
        400,
    )
    assert refused == {
        "detail": "There is a problem with the return.",
        "errors": {
            f"evidence_reference_{ids[WEEKS]}": double_claim_message(q1["label"]),
            f"quantity_{ids[HOURS]}": "This commitment has been replaced by a substitution and takes no new claims",
        },
    }
    assert (DeliveryReturn.objects.count(), Evidence.objects.count()) == (returns_before, evidence_before)
    cycle.totals_check("substituted")

    # Corrected: a draft, the timesheets file for the jobs and weeks lines (not the placement), submitted.
    q2_return = body(
        cycle.supplier.post(
            url("return-list", SUPPLIER, pk=cycle.agreement),
            {
                "period": q2["id"],
                "quantities": {str(ids[code]): quantity for code, quantity in Q2_SUBMITTED.items()},
                "references": references(Q2_REFERENCES, ids),
                "narrative": Q2_NARRATIVE,
                "submit": False,
            },
            format="json",
        ),
        201,
    )["id"]
    body(
        cycle.supplier.post(
            url("return-evidence", SUPPLIER, pk=q2_return),
            {"evidence": pdf("timesheets-q2.pdf"), "commitments": [ids[JOBS], ids[WEEKS]]},
            format="multipart",
        ),
        201,
    )
    submitted = body(cycle.supplier.post(url("return-submit", SUPPLIER, pk=q2_return)))
    assert (submitted["state"], submitted["period_label"], submitted["late"]) == ("submitted", q2["label"], False)
    cycle.totals_check("q2 submitted")

    # The manager verifies the jobs and weeks lines; the placement waits for its signed record.
    q2_lines = cycle.return_lines(q2_return, cycle.buyer, BUYER)
    assert set(q2_lines) == {ids[JOBS], ids[WEEKS], ids[PLACEMENTS]}
    for code in (JOBS, WEEKS):
        assert body(cycle.review(q2_lines[ids[code]]["id"], "verified"))["status"] == "verified"
    cycle.totals_check("q2 reviewed")
    for client, org in cycle.parties():
        status = body(client.get(url("agreement-status", org, pk=cycle.agreement)))
        assert {row["measure_code"]: row["percent_delivered"] for row in status["commitments"]} == FINAL_PERCENT
        assert {row["measure_code"]: row["status"] for row in status["commitments"]}[HOURS] == "substituted"

    # The history of each line is kept: quarter 1's weeks stay rejected, the hours conversation is whole.
    q1_lines = cycle.return_lines(q1_return, cycle.buyer, BUYER)
    assert [e["kind"] for e in q1_lines[ids[WEEKS]]["events"]] == ["reject"]
    assert [e["kind"] for e in q1_lines[ids[HOURS]]["events"]] == ["query", "answer", "verify"]
    returns = body(cycle.buyer.get(url("return-list", BUYER, pk=cycle.agreement)))
    assert [(r["period_label"], r["state"]) for r in returns] == [
        (q2["label"], "submitted"),
        (q1["label"], "submitted"),
    ]

    # Overdue reminders. Today nothing is overdue; quarter 3's return is never sent: the day after it is due,
    # the supplier is reminded; after the escalation days, the contract manager is told; each once.
    mail.outbox.clear()  # the notifications of the cycle so far (tests/test_notifications.py checks them)
    assert tasks.overdue_reminders_send.enqueue().return_value == {"reminders": 0, "escalations": 0, "failed": 0}
    for days, (reminders, escalations) in [
        (1, (1, 0)),
        (ESCALATION_DAYS - 1, (0, 0)),
        (ESCALATION_DAYS, (0, 1)),
        (ESCALATION_DAYS + 1, (0, 0)),
    ]:
        day = dates.q3_due + timedelta(days=days)
        result = tasks.overdue_reminders_send.enqueue(today=day.isoformat()).return_value
        assert result == {"reminders": reminders, "escalations": escalations, "failed": 0}, days
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([SUPPLIER_EMAIL], f"Delivery return overdue: {REFERENCE}, {q3['label']}"),
        ([MANAGER_EMAIL], f"Escalation: {SUPPLIER_NAME} has not sent its delivery return for {REFERENCE}"),
    ]
    assert ReturnReminder.objects.filter(period_id=q3["id"]).count() == 2

    # The overdue returns the API lists, on the day of the escalation, show both chases.
    today_fix(monkeypatch, dates.q3_due + timedelta(days=ESCALATION_DAYS))
    for client, org in cycle.parties():
        [row] = body(client.get(url("overdue-returns", org)))
        assert (row["agreement_reference"], row["period"], row["days_overdue"]) == (
            REFERENCE,
            q3["label"],
            ESCALATION_DAYS,
        )
        assert row["reminded_at"] is not None and row["escalated_at"] is not None


@pytest.mark.django_db(transaction=True)
def test_two_quarterly_cycles_through_the_api_committed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two cycles through the API, committed for real: on PostgreSQL this fails
    if a service locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    test_two_quarterly_cycles_through_the_api_keep_every_total_right(monkeypatch)
