"""`commonweal demo scale`: a national dataset at a tiny size, its counts, and the same seed giving the same data."""

import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum

from commonweal.delivery.models import Agreement, Commitment, DeliveryReturn, ReportingPeriod, ReturnLine
from commonweal.demo.services_scale import ScaleSizes, organisation_fields, scale_generate
from commonweal.procurement.models import Procurement
from commonweal.spend import duck
from commonweal.spend.models import ImportStatus, SpendImport, Supplier
from commonweal.tenancy.models import Membership, Organisation, OrganisationKind

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, Any]:
    """What the generated data is, without its primary keys (which differ between runs)."""
    files = {}
    for spend_import in SpendImport.objects.order_by("organisation__slug"):
        path = duck.spend_path(spend_import.parquet_path)
        connection = duck.connect()
        try:
            rows = connection.execute(
                "SELECT line, payment_date, amount, supplier_name, redacted, service_area, expense_type "
                f"FROM read_parquet({duck.sql_string(str(path))}) ORDER BY line"
            ).fetchall()
        finally:
            connection.close()
        files[spend_import.organisation.slug] = (
            spend_import.total_amount,
            hashlib.sha256(repr(rows).encode()).hexdigest(),
        )
    return {
        "organisations": list(Organisation.objects.order_by("slug").values_list("slug", "name", "kind", "is_sme")),
        "agreements": list(
            Agreement.objects.order_by("organisation__slug", "reference").values_list(
                "reference", "title", "value", "supplier__slug"
            )
        ),
        "commitments": list(
            Commitment.objects.order_by("agreement__organisation__slug", "agreement__reference", "pk").values_list(
                "agreement__reference", "measure__code", "target_quantity"
            )
        ),
        "lines": list(
            ReturnLine.objects.values("status").annotate(count=Count("pk"), quantity=Sum("quantity")).order_by("status")
        ),
        "procurements": list(
            Procurement.objects.order_by("organisation__slug", "reference").values_list(
                "reference", "title", "estimated_value", "state"
            )
        ),
        "files": files,
    }


def _generate_and_snapshot(seed: int) -> dict[str, Any]:
    with transaction.atomic():
        scale_generate(organisations=1, agreements_per_body=2, payments_per_body=200, seed=seed)
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot


def test_the_command_makes_the_tiny_national_dataset_with_its_counts() -> None:
    out = io.StringIO()
    call_command(
        "demo", "scale", "--organisations", "3", "--agreements", "2", "--payments", "200", "--seed", "11", stdout=out
    )
    assert Organisation.objects.filter(kind=OrganisationKind.PUBLIC_BODY).count() == 3
    # 20,000 suppliers across 300 bodies: 200 for 3, each with one contact.
    assert Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).count() == 200
    assert Membership.objects.count() == 200 + 3 * 3
    assert (Agreement.objects.count(), Commitment.objects.count(), ReportingPeriod.objects.count()) == (6, 60, 72)
    # Ten quarters returned, except that the first agreement of each body has not sent its tenth.
    assert DeliveryReturn.objects.count() == 3 * (10 + 9)
    assert ReturnLine.objects.count() == 3 * (10 + 9) * 10
    assert Procurement.objects.count() == 60
    assert Supplier.objects.count() == 3 * 400
    imports = SpendImport.objects.filter(status=ImportStatus.SUCCEEDED)
    assert sorted(imports.values_list("rows_imported", flat=True)) == [200, 200, 200]
    for model in (Agreement, Commitment, ReportingPeriod, DeliveryReturn, ReturnLine, Procurement, Supplier):
        owned = model._default_manager.exclude(organisation__kind=OrganisationKind.PUBLIC_BODY)
        assert not owned.exists(), f"{model.__name__} rows owned by no public body"
    text = out.getvalue()
    assert "return lines" in text and "570" in text and "payments" in text and "600" in text

    # Again: every body is there, so nothing is added.
    out = io.StringIO()
    call_command(
        "demo", "scale", "--organisations", "3", "--agreements", "2", "--payments", "200", "--seed", "11", stdout=out
    )
    assert Agreement.objects.count() == 6
    assert "3 public bodies were there already" in out.getvalue()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    first = _generate_and_snapshot(5)
    assert first == _generate_and_snapshot(5)
    other = _generate_and_snapshot(6)
    assert other["agreements"] != first["agreements"]
    assert other["files"] != first["files"]
    # The payments have the real files' shape: credits and redacted payees among them.
    assert all(total != Decimal(0) for total, _ in first["files"].values())


def test_the_payments_include_credits_and_redacted_payees() -> None:
    scale_generate(organisations=1, agreements_per_body=1, payments_per_body=2000, seed=3)
    (spend_import,) = SpendImport.objects.all()
    connection = duck.connect()
    try:
        found = connection.execute(
            "SELECT count(*) FILTER (amount < 0), count(*) FILTER (redacted), count(*) "
            f"FROM read_parquet({duck.sql_string(str(duck.spend_path(spend_import.parquet_path)))})"
        ).fetchone()
    finally:
        connection.close()
    assert found is not None
    negative, redacted, rows = found
    assert rows == 2000
    assert 200 < negative < 400  # about 15%
    assert 50 < redacted < 150  # about 5%


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--organisations", "0"], "at least one organisation"),
        (["--organisations", "2", "--payments", "-1"], "cannot be negative"),
        (["--organisations", "2", "--agreements", "0"], "at least one agreement"),
    ],
)
def test_bad_sizes_are_refused_and_nothing_is_made(arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("demo", "scale", *arguments, stdout=io.StringIO())
    assert not Organisation.objects.exists()


def test_sizes_scale_with_the_number_of_bodies() -> None:
    national = ScaleSizes.for_organisations(300)
    assert (national.suppliers, national.agreements, national.commitments) == (20_000, 20_100, 201_000)
    assert national.payments_per_body * 300 == 50_000_100


def test_a_row_gets_its_organisation_where_its_model_has_one() -> None:
    assert organisation_fields(Agreement, 7) == {"organisation_id": 7}
    assert organisation_fields(Organisation, 7) == {}
