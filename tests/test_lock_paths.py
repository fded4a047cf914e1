"""Services that lock rows take their locks inside their own transaction.

Almost every test runs inside a transaction wrapped around it, where a `select_for_update` reached outside
the service's own `transaction.atomic` goes unnoticed. In production each request runs in autocommit,
where PostgreSQL's backend refuses it ("select_for_update cannot be used outside of a transaction") and
the request fails with a 500. The tests here, and the few marked `transaction=True` beside the scenarios
they repeat (listed in LOCK_PATH_TESTS), commit for real, so on PostgreSQL they fail if any service on
their way locks a row outside its transaction. SQLite has no row locks (it ignores select_for_update):
there they only prove the same paths work.

They flush the database after each test, so they are kept few: each goes through many services at once.
"""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from commonweal.delivery import services_returns
from commonweal.delivery.models import DeliveryReturn, ReturnState
from commonweal.delivery.services_returns import LineInput

from .conftest import make_tenant
from .factories import api_token

TESTS = Path(__file__).resolve().parent
COMMONWEAL = TESTS.parent / "commonweal"

# The committed tests that go through the services that lock rows, by the module they are in.
LOCK_PATH_TESTS = {
    "test_lock_paths.py": ["test_the_api_submits_a_draft_return_outside_a_wrapping_transaction"],
    "test_api_tokens.py": ["test_token_pages_and_a_password_change_committed"],
    "test_delivery_api_cycle.py": ["test_two_quarterly_cycles_through_the_api_committed"],
    "test_delivery_returns.py": ["test_query_answer_resubmit_verify_committed", "test_bulk_csv_committed"],
    "test_delivery_agreements.py": ["test_agreement_update_committed", "test_the_commitment_pages_committed"],
    "test_delivery_agreements_import.py": ["test_a_good_csv_is_imported_committed"],
    "test_procurement_planning.py": ["test_planning_services_committed"],
    "test_procurement_bidding.py": ["test_bid_save_submit_and_reopen_committed"],
    "test_procurement_scenario.py": ["test_three_bidders_two_evaluators_moderation_award_and_report_committed"],
    "test_api_procurement_lifecycle.py": ["test_the_whole_procurement_lifecycle_through_the_api_committed"],
    "test_framework_versions.py": ["test_every_service_writes_an_audit_event_committed"],
    "test_framework_interchange.py": ["test_importing_creates_a_published_version_1_committed"],
    "test_value_sets.py": ["test_value_set_entry_set_creates_then_updates_committed"],
    "test_reporting_report.py": ["test_the_report_cycle_through_the_pages_committed"],
    "test_reporting_budget_pages.py": ["test_the_budget_pages_committed"],
    "test_notifications.py": [
        "test_two_reminder_runs_at_once_tell_each_supplier_once_committed",
        "test_a_submitted_return_tells_once_and_two_email_workers_send_once_committed",
        "test_two_digest_runs_at_once_send_one_email_committed",
    ],
    "test_brokerage.py": ["test_the_wish_list_cycle_committed"],
    "test_networks_committed.py": ["test_membership_and_programme_services_committed"],
    "test_api_committed.py": [
        "test_framework_token_and_people_writes_through_the_api_committed",
        "test_two_calls_racing_with_one_key_create_once_committed",
    ],
    "test_faults_recovery.py": [
        "test_a_task_whose_worker_ended_is_failed_and_queued_again_once",
        "test_recovery_retry_and_cancel_committed",
    ],
}


@pytest.mark.django_db(transaction=True)
def test_the_api_submits_a_draft_return_outside_a_wrapping_transaction() -> None:
    tenant = make_tenant("A")
    first, second, _ = tenant.commitments
    draft = services_returns.return_save(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        agreement=tenant.agreement,
        period=None,
        lines={first.pk: LineInput(quantity=Decimal("4")), second.pk: LineInput(quantity=Decimal("2"))},
        narrative="Four apprentices started",
    )
    assert draft.state == ReturnState.DRAFT
    token = api_token(tenant.supplier_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.post(reverse("api:return-submit", kwargs={"org": tenant.supplier.slug, "pk": draft.pk}))

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    assert DeliveryReturn.objects.get(pk=draft.pk).state == ReturnState.SUBMITTED


def test_the_committed_lock_path_tests_exist_and_commit() -> None:
    """Each test LOCK_PATH_TESTS names exists and is marked transaction=True, so none silently stops committing."""
    for module, names in LOCK_PATH_TESTS.items():
        tree = ast.parse((TESTS / module).read_text(encoding="utf-8"))
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        for name in names:
            assert name in functions, f"{module} has no {name}"
            marks = [ast.unparse(decorator) for decorator in functions[name].decorator_list]
            assert "pytest.mark.django_db(transaction=True)" in marks, f"{module}::{name} is not transactional"


def test_every_module_that_locks_rows_has_a_committed_test() -> None:
    """A new module of services taking row locks needs a committed test through them (LOCK_PATH_TESTS)."""
    locking = sorted(
        str(path.relative_to(COMMONWEAL))
        for path in COMMONWEAL.rglob("*.py")
        if "select_for_update" in path.read_text(encoding="utf-8")
    )
    assert locking == [
        "accounts/services.py",
        "brokerage/services_digest.py",
        "brokerage/services_needs.py",
        "brokerage/services_pledges.py",
        "core/services_tasks.py",
        "delivery/services_agreements.py",
        "delivery/services_returns.py",
        "frameworks/services_interchange.py",
        "frameworks/services_value_sets.py",
        "frameworks/services_versions.py",
        "networks/services_membership.py",
        "networks/services_programmes.py",
        "notifications/services.py",
        "procurement/services_award.py",
        "procurement/services_bidding.py",
        "procurement/services_evaluation.py",
        "procurement/services_planning.py",
        "reporting/services_budget.py",
        "reporting/services_report.py",
        "spend/services_imports.py",
        "tenancy/services_members.py",
    ], (
        "The modules that lock rows changed: make sure a test marked transaction=True goes through the new "
        "lock (see LOCK_PATH_TESTS in tests/test_lock_paths.py), then update this list."
    )
