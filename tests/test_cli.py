"""The `commonweal` command line: demo data and exports."""

import csv
import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from commonweal.accounts.models import User
from commonweal.core.models import AuditEvent
from commonweal.delivery import selectors_status
from commonweal.delivery.models import Agreement, Commitment, ReturnLine
from commonweal.frameworks.models import FrameworkVersion, Measure
from commonweal.tenancy.models import Membership, Organisation


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [Organisation, User, Membership, FrameworkVersion, Measure, Agreement, Commitment, ReturnLine, AuditEvent]
    return {model.__name__: model._default_manager.count() for model in models}


@pytest.mark.django_db
def test_demo_load_creates_the_demo_and_a_second_run_changes_nothing():
    first = run("demo", "load")
    # 26 records before the social value budget; then an SME supplier and its contact, the CCTV agreement,
    # 4 departments (2 of them given to procurements), 2 financial years and 18 budget lines: 55; then a
    # councillor (a viewer) and the published 2025/26 impact report they signed off: 57; then a closed
    # consultation with results and the published public hub: 59; then the anchor network's two other
    # members, their leads, its three memberships and its published quarterly report: 68; then a broker and
    # the wish list: 70.
    assert "Created 70 demo records." in first
    assert "manager@northfield.example" in first
    assert "evaluator@northfield.example" in first
    after_first = counts()
    assert after_first["Organisation"] == 9  # with Oakfield, the demo procurements' third bidder
    assert after_first["User"] == 14
    assert after_first["Agreement"] == 3
    assert after_first["Commitment"] == 10
    assert after_first["Measure"] == 6

    second = run("demo", "load")
    assert "The demo data was already loaded: nothing changed." in second
    assert counts() == after_first
    # The README's account table lists every account the load prints, and no other.
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| ([a-z]+@[a-z.-]+\.example) \|", readme, flags=re.MULTILINE))
    assert listed == set(User.objects.values_list("email", flat=True))


@pytest.mark.django_db
def test_export_commitments_as_csv_and_json_carry_the_same_rows(monkeypatch):
    # Statuses are judged against the schedule on a day: 245 of the 547 days to 30 September 2027.
    monkeypatch.setattr(selectors_status, "today_local", lambda: datetime.date(2026, 12, 2))
    run("demo", "load")
    rows = list(csv.DictReader(io.StringIO(run("export", "commitments", "--organisation", "northfield"))))
    as_json = json.loads(run("export", "commitments", "--organisation", "northfield", "--format", "json"))
    assert rows == as_json
    assert len(rows) == 10
    apprentices = next(r for r in rows if (r["agreement_reference"], r["measure_code"]) == ("NBC-2026-014", "JOBS.1.2"))
    assert apprentices == {
        "agreement_reference": "NBC-2026-014",
        "agreement_title": "Northfield library refurbishment",
        "buyer": "Northfield Borough Council",
        "supplier": "Brightside Construction Ltd",
        "measure_code": "JOBS.1.2",
        "measure_title": "Apprenticeship weeks completed",
        "unit": "weeks",
        "due_date": "2027-09-30",
        "target_quantity": "104.00",
        "claimed_quantity": "24.00",
        "verified_quantity": "24.00",
        "status": "Behind",  # 24 verified; 104 × 245 / 547 = 46.58 expected by 2 December 2026
    }
    local_spend = next(r for r in rows if (r["agreement_reference"], r["measure_code"]) == ("NBC-2026-014", "ECON.1.1"))
    # The demo's local-spend claim was rejected, so nothing is claimed or verified.
    assert (local_spend["claimed_quantity"], local_spend["verified_quantity"]) == ("0.00", "0.00")
    # The CCTV contract's apprenticeship weeks were all delivered and verified in 2025/26.
    cctv = next(r for r in rows if (r["agreement_reference"], r["measure_code"]) == ("NBC-2025-118", "JOBS.1.2"))
    assert (cctv["target_quantity"], cctv["claimed_quantity"], cctv["verified_quantity"], cctv["status"]) == (
        "39.00",
        "39.00",
        "39.00",
        "Delivered",
    )


@pytest.mark.django_db
def test_a_supplier_exports_only_its_own_agreements():
    run("demo", "load")
    rows = json.loads(run("export", "commitments", "--organisation", "greenway", "--format", "json"))
    assert {r["agreement_reference"] for r in rows} == {"NBC-2025-203"}


@pytest.mark.django_db
def test_export_for_an_unknown_organisation_is_a_clear_error():
    with pytest.raises(CommandError, match="No organisation has the short name “nowhere”"):
        run("export", "commitments", "--organisation", "nowhere")
