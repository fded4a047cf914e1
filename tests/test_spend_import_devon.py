"""Devon County Council's "spending over £500" files, published by the council itself: five header variants,
amounts in scientific notation and padded with spaces, dates as Excel serials, a BOM in some months, and
March 2026 ending with a total row (`,,,," 57,492,900.67 ",...`) that would double the sum if counted.
Totals are the checked ones of ../shared/data/README.md."""

from decimal import Decimal

import pytest

from commonweal.spend import importing
from commonweal.spend.models import ImportStatus
from commonweal.spend.services_imports import spend_import_file
from commonweal.tenancy.selectors import Member

from .conftest import SHARED_DATA, Tenant
from .spend_import_support import rejects, shared_file

DEVON = SHARED_DATA / "devon-spend-over-500"


@pytest.mark.parametrize(
    ("name", "payments", "total"),
    [
        # README: £38,822,827.62, the sum of the amounts as written (…827.615). Each payment is stored in
        # pence, rounded half up (815.045 → 815.05, 631.085 → 631.09, 65477.705 → 65477.71): 1p more.
        ("DCCSpendingOver500_201210.csv", 6827, Decimal("38822827.63")),
        ("DCCSpendingOver500_202503.csv", 14183, Decimal("125367262.22")),
        ("DCCSpendingOver500_202504.csv", 237, Decimal("2845421.21")),
        ("DCCSpendingOver500_202603.csv", 3545, Decimal("57492900.67")),
    ],
)
def test_devon_files_import_with_their_checked_totals(
    tenant_a: Tenant, name: str, payments: int, total: Decimal
) -> None:
    path = shared_file(DEVON, name)
    spend_import = spend_import_file(actor=tenant_a.manager, member=Member.system(tenant_a.buyer), path=path)
    assert spend_import.status == ImportStatus.SUCCEEDED
    assert (spend_import.rows_imported, spend_import.total_amount) == (payments, total)
    assert spend_import.column_mapping["supplier_name"].strip().lower() == "supplier name"
    assert spend_import.rows_read == spend_import.rows_imported + spend_import.rows_rejected + spend_import.rows_blank


def test_devon_march_2026_total_row_is_not_a_payment(tenant_a: Tenant) -> None:
    path = shared_file(DEVON, "DCCSpendingOver500_202603.csv")
    spend_import = spend_import_file(actor=tenant_a.manager, member=Member.system(tenant_a.buyer), path=path)
    assert [(line, reason) for line, reason, _ in rejects(spend_import)] == [(3547, importing.TOTAL_BARE)]
