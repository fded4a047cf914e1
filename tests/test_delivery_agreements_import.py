"""Importing commitments from CSV and XLSX: all or none, every rejected row named by line, idempotent."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.delivery.models import Commitment, CommitmentSource
from commonweal.delivery.services_agreements import ImportRefused, commitments_file_import

from .conftest import Tenant
from .delivery_agreements_support import csv_file, measure_in, xlsx_file
from .factories import api_token


@pytest.fixture
def agreement_2027(tenant_a: Tenant) -> Tenant:
    """Tenant A's agreement running 2026–2027, with two measures coded JOBS.1 and SKILLS.1."""
    agreement = tenant_a.agreement
    agreement.commitments.all().delete()
    measure_in(tenant_a, code="JOBS.1", title="Local jobs")
    measure_in(tenant_a, code="SKILLS.1", title="Apprenticeship weeks")
    return tenant_a


def run(tenant: Tenant, file: object) -> object:
    return commitments_file_import(
        actor=tenant.manager,
        member=tenant.manager_member(),
        agreement=tenant.agreement,
        file=file,  # type: ignore[arg-type]
    )


GOOD = [
    ["JOBS.1", "6", "2027-09-30", "E08000009", "Care leavers"],
    ["SKILLS.1", "104.5", "31/12/2027", "", ""],
    ["JOBS.1", "2", "2027-09-30", "W06000015", "Care leavers"],
]


def imported(tenant: Tenant) -> list[tuple[str, Decimal, datetime.date, str, str, str]]:
    return list(
        tenant.agreement.commitments.order_by("pk").values_list(
            "measure__code", "target_quantity", "due_date", "place_code", "beneficiary_group", "source"
        )
    )


def test_a_good_csv_is_imported_with_source_import_and_one_audit_event(agreement_2027: Tenant) -> None:
    result = run(agreement_2027, csv_file(GOOD))
    assert imported(agreement_2027) == [
        ("JOBS.1", Decimal("6.00"), datetime.date(2027, 9, 30), "E08000009", "Care leavers", "import"),
        ("SKILLS.1", Decimal("104.50"), datetime.date(2027, 12, 31), "", "", "import"),
        ("JOBS.1", Decimal("2.00"), datetime.date(2027, 9, 30), "W06000015", "Care leavers", "import"),
    ]
    assert len(result.created) == 3  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(action=AuditAction.COMMITMENT_IMPORTED)
    assert len(event.after["created"]) == 3


def test_importing_the_same_file_again_adds_nothing(agreement_2027: Tenant) -> None:
    run(agreement_2027, csv_file(GOOD))
    events = AuditEvent.objects.count()
    again = run(agreement_2027, csv_file(GOOD))
    assert again.created == []  # type: ignore[attr-defined]
    assert again.unchanged == [2, 3, 4]  # type: ignore[attr-defined]
    assert Commitment.objects.filter(agreement=agreement_2027.agreement).count() == 3
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded
    # A file with one more row adds only that row.
    more = run(agreement_2027, csv_file([*GOOD, ["SKILLS.1", "10", "2027-06-30", "S12000036", "Veterans"]]))
    assert [c.beneficiary_group for c in more.created] == ["Veterans"]  # type: ignore[attr-defined]


def test_bad_rows_are_each_named_with_line_and_reason_and_nothing_is_imported(agreement_2027: Tenant) -> None:
    rows = [
        ["JOBS.1", "6", "2027-09-30", "E08000009", "Care leavers"],  # line 2: fine
        ["NOPE.9", "6", "2027-09-30", "", ""],  # line 3: unknown measure
        ["JOBS.1", "six", "2027-09-30", "", ""],  # line 4: not a number
        ["JOBS.1", "3", "2029-01-01", "", ""],  # line 5: after the agreement ends
        ["JOBS.1", "3", "31/02/2027", "", ""],  # line 6: not a real date
        ["SKILLS.1", "3", "2027-01-01", "Sunderland", ""],  # line 7: not a GSS code
        ["JOBS.1", "0", "2027-01-01", "", ""],  # line 8: not more than 0
        ["JOBS.1", "6", "2027-09-30", "E08000009", "care leavers"],  # line 9: the same as line 2
    ]
    with pytest.raises(ImportRefused) as refused:
        run(agreement_2027, csv_file(rows))
    assert refused.value.problems == [
        (3, f"measure code “NOPE.9” is not a measure of {agreement_2027.agreement.framework_version}"),
        (4, "target quantity “six” is not a number"),
        (5, "the due date must be within the agreement, from 1 January 2026 to 31 December 2027"),
        (6, "due date “31/02/2027” is not a date like 2027-03-31 or 31/3/2027"),
        (7, "enter the place as an ONS GSS code: E, W, S or N followed by 8 digits, like E08000009"),
        (8, "the target quantity must be more than 0"),
        (9, "the same commitment as line 2 (measure, due date, place and group)"),
    ]
    assert refused.value.message == "The file was not imported: it has 7 problems."
    assert not Commitment.objects.filter(agreement=agreement_2027.agreement).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.COMMITMENT_IMPORTED).exists()


def test_a_row_that_changes_an_existing_target_is_refused(agreement_2027: Tenant) -> None:
    run(agreement_2027, csv_file(GOOD))
    changed = [GOOD[0], ["SKILLS.1", "110", "31/12/2027", "", ""]]
    with pytest.raises(ImportRefused) as refused:
        run(agreement_2027, csv_file(changed))
    assert refused.value.problems == [
        (
            3,
            "the agreement already has this commitment with a target of 104.50: change the target on the "
            "commitment’s page, not by importing",
        )
    ]


def test_file_level_problems(agreement_2027: Tenant) -> None:
    with pytest.raises(ImportRefused) as refused:
        run(agreement_2027, csv_file([["JOBS.1", "6"]], header=["measure code", "quantity"]))
    assert refused.value.problems == [
        (
            1,
            "unknown column “quantity” (the columns are: measure code, target quantity, due date, place code, "
            "beneficiary group)",
        ),
        (1, "the column “target quantity” is missing"),
        (1, "the column “due date” is missing"),
    ]
    with pytest.raises(ImportRefused, match="1 problem"):
        run(agreement_2027, csv_file([]))
    with pytest.raises(ApplicationError, match="must be a CSV or XLSX"):
        run(agreement_2027, csv_file(GOOD, name="commitments.pdf"))


def test_an_xlsx_file_is_imported_with_typed_cells(agreement_2027: Tenant) -> None:
    rows: list[list[Any]] = [
        # A spreadsheet's date cell: Excel keeps no time zone, so openpyxl gives a naive datetime.
        ["JOBS.1", 6, datetime.datetime(2027, 9, 30), "E08000009", "Care leavers"],  # noqa: DTZ001
        ["SKILLS.1", 104.5, "31/12/2027", None, None],
        [None, None, None, None, None],  # a blank row is skipped
        ["SKILLS.1", 0.1, datetime.date(2027, 6, 30), "S12000036", None],
    ]
    run(agreement_2027, xlsx_file(rows))
    assert [row[:4] for row in imported(agreement_2027)] == [
        ("JOBS.1", Decimal("6.00"), datetime.date(2027, 9, 30), "E08000009"),
        ("SKILLS.1", Decimal("104.50"), datetime.date(2027, 12, 31), ""),
        ("SKILLS.1", Decimal("0.10"), datetime.date(2027, 6, 30), "S12000036"),
    ]
    # Row numbers in a workbook are its lines: the bad row is row 3.
    with pytest.raises(ImportRefused) as refused:
        run(
            agreement_2027,
            xlsx_file([["JOBS.1", 1, datetime.date(2027, 1, 1), None, None], ["JOBS.1", "x", None, None, None]]),
        )
    assert refused.value.problems == [(3, "target quantity “x” is not a number"), (3, "the due date is missing")]


def test_the_import_page_lists_the_problems_and_imports_a_good_file(agreement_2027: Tenant, client: Client) -> None:
    client.force_login(agreement_2027.manager)
    url = reverse(
        "delivery:commitment-import", kwargs={"org": agreement_2027.buyer.slug, "pk": agreement_2027.agreement.pk}
    )
    refused = client.post(url, {"import-file": csv_file([["NOPE.9", "6", "2027-09-30", "", ""]])})
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "The file was not imported: it has 1 problem" in text
    assert "measure code “NOPE.9” is not a measure" in text
    response = client.post(url, {"import-file": csv_file(GOOD)})
    assert response.status_code == 302
    assert Commitment.objects.filter(source=CommitmentSource.IMPORT).count() == 3
    template = client.get(reverse("delivery:commitment-import-template", kwargs={"org": agreement_2027.buyer.slug}))
    assert template.content.decode().splitlines()[0] == (
        "measure code,target quantity,due date,place code,beneficiary group"
    )


def test_the_import_api_answers_with_what_it_created_or_the_problems_by_line(
    agreement_2027: Tenant, client: Client
) -> None:
    token = api_token(agreement_2027.manager)
    url = reverse("api:commitment-import", kwargs={"org": agreement_2027.buyer.slug, "pk": agreement_2027.agreement.pk})
    headers = {"Authorization": f"Token {token.key}"}
    bad = client.post(url, {"commitments_file": csv_file([["JOBS.1", "six", "", "", ""]])}, headers=headers)
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"line 2": "target quantity “six” is not a number; the due date is missing"}
    good = client.post(url, {"commitments_file": csv_file(GOOD)}, headers=headers)
    assert good.status_code == 201
    assert [row["measure_code"] for row in good.json()["created"]] == ["JOBS.1", "SKILLS.1", "JOBS.1"]
    again = client.post(url, {"commitments_file": csv_file(GOOD)}, headers=headers)
    assert again.json() == {"created": [], "unchanged_lines": [2, 3, 4]}


@pytest.mark.django_db(transaction=True)
def test_a_good_csv_is_imported_committed(agreement_2027: Tenant) -> None:
    """Importing commitments, committed for real: on PostgreSQL this fails
    if a service locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    test_a_good_csv_is_imported_with_source_import_and_one_audit_event(agreement_2027)
