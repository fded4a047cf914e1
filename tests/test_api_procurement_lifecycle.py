"""The whole procurement lifecycle through the JSON API alone, with the hand-computed result of the
page-driven scenario (tests/test_procurement_scenario.py): plan → publish → bid → clarify → declare →
score → moderate → flags → award → the contract's commitments.

Only the world the API starts from is made directly: the buyer's officer and two evaluators, three
suppliers' contacts, a published framework version with two measures, and API tokens. Every change after
that is an API request. The clock is moved past the tender deadline by patching `timezone.now` (the
sealed-bid rule reads it), as time would pass.

The numbers (weights P 50 / Q1 20 / Q2 20 / SV1 10; price by lowest ÷ bid; scores 0–5):

    price points: Birch £180,000 → 50.00; Alder £200,000 → 45.00; Cedar £240,000 → 37.50
    moderated    Q1 Q2 SV1   Q1 pts  Q2 pts  SV1 pts   total
    Alder         4  4  5    16.00   16.00   10.00     87.00  → rank 1
    Cedar         5  5  3    20.00   20.00    6.00     83.50  → rank 2
    Birch         4  3  1    16.00   12.00    2.00     80.00  → rank 3

Without social value Birch would win, so social value changed the winner. Birch's price is below 90% of
the lot's average (£186,000) and is flagged, then accepted; Alder's third commitment restates a core
deliverable and is not counted, so the contract carries Alder's other two commitments only.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commonweal.core.models import AuditEvent
from commonweal.frameworks.models import Framework
from commonweal.tenancy.models import Organisation, Role

from . import factories
from .conftest import Tenant

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
LEVELS = (
    "0 | Unacceptable | No response, or it does not answer the question\n"
    "1 | Poor | Major gaps or serious reservations\n"
    "2 | Weak | Some of the requirement is met\n"
    "3 | Acceptable | Meets the requirement with minor reservations\n"
    "4 | Good | Meets the requirement fully\n"
    "5 | Excellent | Exceeds the requirement"
)
BIDS = {
    "Alder Grounds Ltd": ("200000", 4, 4, 5),
    "Birch Services Ltd": ("180000", 4, 3, 1),
    "Cedar Landscapes Ltd": ("240000", 5, 5, 3),
}
FIRST_EVALUATOR = {"Alder Grounds Ltd": (4, 3, 5), "Birch Services Ltd": (4, 3, 2), "Cedar Landscapes Ltd": (5, 4, 3)}
SECOND_EVALUATOR = {"Alder Grounds Ltd": (4, 4, 4), "Birch Services Ltd": (3, 3, 1), "Cedar Landscapes Ltd": (5, 5, 3)}
EXPECTED_POINTS = {
    "Alder Grounds Ltd": {"P": "45.00", "Q1": "16.00", "Q2": "16.00", "SV1": "10.00"},
    "Cedar Landscapes Ltd": {"P": "37.50", "Q1": "20.00", "Q2": "20.00", "SV1": "6.00"},
    "Birch Services Ltd": {"P": "50.00", "Q1": "16.00", "Q2": "12.00", "SV1": "2.00"},
}
EXPECTED_TOTALS = {"Alder Grounds Ltd": "87.00", "Cedar Landscapes Ltd": "83.50", "Birch Services Ltd": "80.00"}


class Api:
    """Requests as one person, with their token, to /api/v1/organisations/<slug>/…"""

    def __init__(self, client: Client, user: Any, organisation: Organisation) -> None:
        self.client = client
        self.headers = {"Authorization": f"Token {factories.api_token(user).key}"}
        self.base = f"/api/v1/organisations/{organisation.slug}/"

    def get(self, path: str, expected: int = 200) -> Any:
        response = self.client.get(self.base + path, headers=self.headers)
        assert response.status_code == expected, (path, response.status_code, response.content[:600])
        return response.json()

    def send(self, method: str, path: str, data: Any = None, expected: int = 200, multipart: bool = False) -> Any:
        url = self.base + path
        if multipart:
            response = self.client.post(url, data, headers=self.headers)
        else:
            response = self.client.generic(
                method, url, data=_json(data), content_type="application/json", headers=self.headers
            )
        assert response.status_code == expected, (method, path, response.status_code, response.content[:800])
        return response.json() if response.content else None

    def post(self, path: str, data: Any = None, expected: int = 201) -> Any:
        return self.send("POST", path, data or {}, expected)

    def patch(self, path: str, data: Any, expected: int = 200) -> Any:
        return self.send("PATCH", path, data, expected)


def _json(data: Any) -> str:
    import json

    return json.dumps(data)


@pytest.fixture
def clock() -> Iterator[dict[str, datetime]]:
    """`timezone.now` as the test sets it: real time until the test moves it on."""
    moment: dict[str, datetime] = {}
    real = timezone.now
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment.get("now") or real())
        yield moment


def _moment(value: datetime) -> str:
    return value.isoformat()


@pytest.mark.django_db
def test_the_whole_procurement_lifecycle_through_the_api(
    tenant_a: Tenant, client: Client, clock: dict[str, datetime]
) -> None:
    buyer = tenant_a.buyer
    officer_user = factories.member_user(buyer, Role.PROCUREMENT_OFFICER)
    evaluator_users = [factories.member_user(buyer, Role.EVALUATOR) for _ in range(2)]
    framework, _ = Framework.objects.get_or_create(organisation=buyer, code="parks", defaults={"title": "Parks"})
    version = factories.FrameworkVersionFactory.create(organisation=buyer, framework=framework)
    for code, title in (("JOBS.1", "Local people employed"), ("SKILLS.1", "Apprenticeship weeks")):
        factories.MeasureFactory.create(version=version, organisation=buyer, code=code, title=title)
    officer = Api(client, officer_user, buyer)
    evaluators = [Api(client, user, buyer) for user in evaluator_users]
    suppliers = {}
    for name in BIDS:
        supplier = factories.SupplierFactory.create(name=name)
        suppliers[name] = Api(client, factories.member_user(supplier, Role.SUPPLIER_CONTACT), supplier)

    # --- Plan ------------------------------------------------------------------------------------------
    now = timezone.now().replace(microsecond=0)
    year = (now + timedelta(days=60)).year + 1
    # 23:30 UTC on 30 June is 00:30 on 1 July in London, so the contract starts on 2 July.
    standstill_end = datetime(year, 6, 30, 23, 30, tzinfo=UTC)
    due = date(year + 1, 3, 31)
    created = officer.post(
        "procurements/",
        {
            "title": "Grounds maintenance",
            "reference": "PROC-001",
            "description": "Grounds maintenance of parks and open spaces.",
            "core_deliverables": "Grass cutting in every park\nLitter picking in open spaces",
            "estimated_value": "250000.00",
            "category": "services",
            "duration_months": 36,
            "framework_version": version.pk,
            "abnormally_low_percent": "90",
            "publication_at": _moment(now - timedelta(hours=1)),
            "clarification_deadline": _moment(now + timedelta(days=20)),
            "tender_deadline": _moment(now + timedelta(days=35)),
            "evaluation_at": _moment(now + timedelta(days=36)),
            "award_at": _moment(standstill_end - timedelta(days=16)),
            "standstill_end_at": _moment(standstill_end),
        },
    )
    pk = created["id"]
    assert (created["state"], created["min_social_value_weight"]) == ("draft", "10.00")
    assert [lot["title"] for lot in created["lots"]] == ["The whole contract"]
    scale = officer.post(
        "scales/", {"code": "zero-to-five", "title": "0 to 5", "source": "Council evaluation guide", "levels": LEVELS}
    )
    assert [level["score"] for level in scale["levels"]] == ["0.00", "1.00", "2.00", "3.00", "4.00", "5.00"]
    # The model: keep price, replace the starting criteria with Q1, Q2 and SV1.
    for criterion in created["criteria"]:
        if criterion["code"] != "P":
            officer.send("DELETE", f"criteria/{criterion['id']}/", expected=204)
    price = next(c for c in created["criteria"] if c["code"] == "P")
    assert officer.patch(f"criteria/{price['id']}/", {"weight": "50"})["weight"] == "50.00"
    q1 = officer.post(
        f"procurements/{pk}/criteria/",
        {
            "kind": "quality",
            "code": "Q1",
            "title": "Delivery approach",
            "question": "How will you deliver it?",
            "weight": "20",
            "scale": scale["id"],
            "word_limit": 500,
        },
    )
    q2 = officer.post(
        f"procurements/{pk}/criteria/",
        {
            "kind": "quality",
            "code": "Q2",
            "title": "Staffing and resilience",
            "question": "How will you staff it?",
            "weight": "20",
            "scale": scale["id"],
            "minimum_score": "2",
        },
    )
    sv1 = officer.post(
        f"procurements/{pk}/criteria/",
        {
            "kind": "social_value",
            "code": "SV1",
            "title": "Local employment",
            "question": "What for local jobs?",
            "weight": "10",
            "scale": scale["id"],
            "outcome_code": "T.1",
        },
    )
    scored = [q1, q2, sv1]
    impact = officer.post(
        f"procurements/{pk}/impacts/",
        {"outcome_code": "T.1", "positive_effects": "Local people employed on the contract", "by_questions": True},
    )
    assert impact["outcome_code"] == "T.1" and impact["by_questions"] is True
    detail = officer.get(f"procurements/{pk}/")
    assert detail["publish_problems"] == []
    assert [(c["code"], c["weight"]) for c in detail["criteria"]] == [
        ("P", "50.00"),
        ("Q1", "20.00"),
        ("Q2", "20.00"),
        ("SV1", "10.00"),
    ]

    # --- Publish -----------------------------------------------------------------------------------------
    published = officer.post(f"procurements/{pk}/publish/", expected=200)
    assert published["state"] == "published"
    officer.patch(f"criteria/{q1['id']}/", {"weight": "25"}, expected=409)  # the methodology is frozen

    # --- Bid ---------------------------------------------------------------------------------------------
    alder = suppliers["Alder Grounds Ltd"]
    opportunities = alder.get("opportunities/")
    assert [row["reference"] for row in opportunities] == ["PROC-001"]
    opportunity = alder.get(f"opportunities/{pk}/")
    lot = opportunity["lots"][0]["id"]
    assert [c["code"] for c in opportunity["criteria"]] == ["P", "Q1", "Q2", "SV1"]
    assert {m["code"] for m in opportunity["measures"]} == {"JOBS.1", "SKILLS.1"}
    bids: dict[str, int] = {}
    for name, (price_text, *_scores) in BIDS.items():
        api = suppliers[name]
        bid = api.post("bids/", {"lot": lot})
        bids[name] = bid["id"]
        api.patch(
            f"bids/{bid['id']}/",
            {
                "price": price_text,
                "method_statement": f"{name} will recruit locally through the council's job brokerage.",
                "responses": {str(criterion["id"]): f"{name} answers {criterion['code']}." for criterion in scored},
            },
        )
        offered = (
            [
                ("JOBS.1", "4", ""),
                ("SKILLS.1", "52", ""),
                ("JOBS.1", "2", "Litter picking in open spaces by local volunteers"),
            ]
            if name.startswith("Alder")
            else [("JOBS.1", "3", "")]
        )
        for code, quantity, description in offered:
            api.post(
                f"bids/{bid['id']}/commitments/",
                {
                    "measure_code": code,
                    "quantity": quantity,
                    "due_date": due.isoformat(),
                    "place_code": "E08000009",
                    "beneficiary_group": "Young people not in work",
                    "description": description,
                },
            )
        submitted = api.post(f"bids/{bid['id']}/submit/", expected=200)
        assert (submitted["state"], submitted["problems"]) == ("submitted", {})
    attached = alder.send(
        "POST",
        f"bids/{bids['Alder Grounds Ltd']}/attachments/",
        {"criterion": q1["id"], "file": SimpleUploadedFile("method.pdf", PDF)},
        expected=409,  # a submitted bid is reopened before it changes
        multipart=True,
    )
    assert attached["detail"] == "Your bid has been submitted. Reopen it to change it."
    alder.post(f"bids/{bids['Alder Grounds Ltd']}/reopen/", expected=200)
    attached = alder.send(
        "POST",
        f"bids/{bids['Alder Grounds Ltd']}/attachments/",
        {"criterion": q1["id"], "file": SimpleUploadedFile("method.pdf", PDF)},
        expected=201,
        multipart=True,
    )
    assert [a["name"] for a in attached["attachments"]] == ["method.pdf"]
    alder.post(f"bids/{bids['Alder Grounds Ltd']}/submit/", expected=200)

    # Before the deadline the tenders are sealed: nobody at the buyer reaches one.
    officer.post(f"procurements/{pk}/declaration/", {"has_conflict": False})
    assert officer.get(f"procurements/{pk}/tenders/") == []
    officer.get(f"tenders/{bids['Alder Grounds Ltd']}/", expected=404)

    # --- Clarify -----------------------------------------------------------------------------------------
    birch = suppliers["Birch Services Ltd"]
    birch.post("questions/", {"opportunity": pk, "question": "Birch asks: is the Eastgate depot included?"})
    [question] = officer.get(f"procurements/{pk}/clarifications/")
    assert question["supplier"] == "Birch Services Ltd"
    officer.post(
        f"clarifications/{question['id']}/answer/",
        {"published_question": "Is the Eastgate depot included?", "answer": "No: it stays with the council."},
        expected=200,
    )
    seen = suppliers["Cedar Landscapes Ltd"].get(f"opportunities/{pk}/")
    assert [(c["question"], c["answer"]) for c in seen["clarifications"]] == [
        ("Is the Eastgate depot included?", "No: it stays with the council.")
    ]
    assert "Birch" not in str(seen["clarifications"])

    # --- The deadline passes: declare, then score --------------------------------------------------------
    clock["now"] = now + timedelta(days=35, minutes=1)
    alder.post(f"bids/{bids['Alder Grounds Ltd']}/reopen/", expected=409)
    assignments = {str(c["id"]): [user.email for user in evaluator_users] for c in scored}
    officer.post(f"procurements/{pk}/evaluators/", {"assignments": assignments}, expected=200)
    tenders = {row["supplier"]: row["id"] for row in officer.get(f"procurements/{pk}/tenders/")}
    assert tenders == bids
    for api, sheet, user in zip(evaluators, (FIRST_EVALUATOR, SECOND_EVALUATOR), evaluator_users, strict=True):
        api.get(f"tenders/{bids['Alder Grounds Ltd']}/", expected=409)  # declare first
        api.post(f"procurements/{pk}/declaration/", {"has_conflict": False})
        for name, scores in sheet.items():
            opened = api.get(f"tenders/{bids[name]}/")
            assert opened["price"] == f"{BIDS[name][0]}.00"
            api.post(
                f"tenders/{bids[name]}/scores/",
                {
                    "scores": {
                        str(c["id"]): {"score": str(score), "justification": f"{user.full_name} on {c['code']}"}
                        for c, score in zip(scored, scores, strict=True)
                    }
                },
                expected=200,
            )
    opened_events = AuditEvent.objects.filter(action="bid.opened").count()
    assert opened_events == 6  # each evaluator opened each tender once, and each opening is recorded

    # The award is refused until moderation is complete and the flags are decided.
    refused = officer.post(f"procurements/{pk}/awards/", {"lot": 1}, expected=409)
    assert "Moderation is not complete" in refused["detail"]
    assert "2 flags still await a recorded decision" in refused["detail"]

    # --- Moderate ----------------------------------------------------------------------------------------
    for name, (_price, *consensus) in BIDS.items():
        for criterion, score in zip(scored, consensus, strict=True):
            sheet = officer.post(
                f"tenders/{bids[name]}/moderation/",
                {
                    "criterion": criterion["id"],
                    "score": str(score),
                    "rationale": f"Consensus on {criterion['code']} for {name}: the panel agreed {score}",
                },
                expected=200,
            )
            assert sheet["moderated"]["score"] == f"{score}.00"

    # --- Flags -------------------------------------------------------------------------------------------
    flags = {(flag["supplier"], flag["kind"]): flag for flag in officer.get(f"procurements/{pk}/flags/")}
    assert set(flags) == {
        ("Birch Services Ltd", "abnormally_low_price"),
        ("Alder Grounds Ltd", "restates_core_deliverable"),
    }
    officer.post(
        f"flags/{flags[('Birch Services Ltd', 'abnormally_low_price')]['id']}/decision/",
        {"flag_decision": "accepted", "decision_reason": "Birch explained its price: it runs the depot next door."},
        expected=200,
    )
    officer.post(
        f"flags/{flags[('Alder Grounds Ltd', 'restates_core_deliverable')]['id']}/decision/",
        {"flag_decision": "commitment_not_counted", "decision_reason": "Litter picking is part of the contract."},
        expected=200,
    )

    # --- The ranking, against the hand-computed figures --------------------------------------------------
    [evaluation] = officer.get(f"procurements/{pk}/evaluation/")
    ranked = evaluation["ranking"]
    assert [row["bidder"] for row in ranked] == ["Alder Grounds Ltd", "Cedar Landscapes Ltd", "Birch Services Ltd"]
    assert [row["rank"] for row in ranked] == [1, 2, 3]
    for row in ranked:
        assert row["points"] == EXPECTED_POINTS[row["bidder"]], row["bidder"]
        assert row["total"] == EXPECTED_TOTALS[row["bidder"]], row["bidder"]
    assert evaluation["winner"] == "Alder Grounds Ltd"
    assert evaluation["winner_without_social_value"] == "Birch Services Ltd"
    assert evaluation["social_value_changed_winner"] is True

    # --- Award: the contract and the winner's counted commitments ------------------------------------------
    award = officer.post(f"procurements/{pk}/awards/", {"lot": 1})
    assert (award["tender"], award["supplier"], award["value"]) == (
        bids["Alder Grounds Ltd"],
        "Alder Grounds Ltd",
        "200000.00",
    )
    assert (
        award["reason"]
        == "The most advantageous tender under the published methodology: ranked first with 87.00 points."
    )
    assert award["agreement_reference"] == "PROC-001"
    contract = officer.get(f"agreements/{award['agreement']}/")
    assert (contract["reference"], contract["value"]) == ("PROC-001", "200000.00")
    assert (contract["start_date"], contract["end_date"]) == (
        date(year, 7, 2).isoformat(),
        date(year + 3, 7, 1).isoformat(),
    )
    commitments = sorted(officer.get(f"agreements/{award['agreement']}/commitments/"), key=lambda c: c["measure_code"])
    assert [(c["measure_code"], c["target_quantity"], c["due_date"], c["source"]) for c in commitments] == [
        ("JOBS.1", "4.00", due.isoformat(), "award"),
        ("SKILLS.1", "52.00", due.isoformat(), "award"),
    ]
    assert {(c["place_code"], c["beneficiary_group"]) for c in commitments} == {
        ("E08000009", "Young people not in work")
    }
    assert officer.get(f"procurements/{pk}/")["state"] == "awarded"
    officer.post(f"procurements/{pk}/awards/", {"lot": 1}, expected=409)  # awarded already

    # --- The report and the assessment summaries -------------------------------------------------------------
    report = officer.get(f"procurements/{pk}/evaluation-report/")
    [report_lot] = report["lots"]
    assert report["sealed"] is False and report_lot["winner"] == "Alder Grounds Ltd"
    assert report_lot["social_value_changed_winner"] is True
    birch_row = next(row for row in report_lot["bids"] if row["bidder"] == "Birch Services Ltd")
    sv1_scores = next(row for row in birch_row["criteria"] if row["criterion"] == "SV1")
    assert sv1_scores["rationale"] == "Consensus on SV1 for Birch Services Ltd: the panel agreed 1"
    assert [line["score"] for line in sv1_scores["individual"]] == ["2.00", "1.00"] or [
        line["score"] for line in sv1_scores["individual"]
    ] == ["1.00", "2.00"]
    summary = birch.get(f"tenders/{bids['Birch Services Ltd']}/assessment-summary/")
    assert (summary["rank"], summary["total"], summary["winner"], summary["winner_total"]) == (
        3,
        "80.00",
        "Alder Grounds Ltd",
        "87.00",
    )
    assert "Cedar" not in str(summary)  # other losing tenders are never named
    birch.get(f"tenders/{bids['Alder Grounds Ltd']}/assessment-summary/", expected=404)


@pytest.mark.django_db(transaction=True)
def test_the_whole_procurement_lifecycle_through_the_api_committed(
    tenant_a: Tenant, client: Client, clock: dict[str, datetime]
) -> None:
    """Every request committed for real: on PostgreSQL this fails if a service the API calls locks a row
    outside its own transaction (see tests/test_lock_paths.py)."""
    test_the_whole_procurement_lifecycle_through_the_api(tenant_a, client, clock)
