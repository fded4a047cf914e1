"""Grants count as payments to VCSEs in spend analysis, once: a grant the payment files hold already (the
matching rule in commonweal/spend/grants.py) is not added again."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from commonweal.delivery.services_grants import grants_import
from commonweal.spend import analytics
from commonweal.spend.services_imports import spend_import_file
from commonweal.tenancy.selectors import Member
from tests import factories

from .conftest import Tenant

pytestmark = pytest.mark.django_db


def grant(identifier: str, name: str, amount: int, day: str = "2025-05-01") -> dict[str, object]:
    return {
        "id": identifier,
        "title": f"Grant to {name}",
        "description": "A grant",
        "currency": "GBP",
        "amountAwarded": amount,
        "awardDate": day,
        "recipientOrganization": [{"id": f"360G-x-{identifier}", "name": name}],
        "fundingOrganization": [{"id": "GB-LAE-TRF", "name": "Trafford Council"}],
    }


def vcse_share(tenant: Tenant) -> tuple[Decimal, Decimal]:
    shares = {share.label: share for share in analytics.spend_shares(organisation=tenant.buyer)}
    return shares["vcse"].total, shares["vcse"].amount


def test_grants_count_as_vcse_payments_once(tenant_a: Tenant, tmp_path: Path) -> None:
    factories.FrameworkVersionFactory.create(organisation=tenant_a.buyer)
    payments = tmp_path / "payments.csv"
    payments.write_text(
        "Date,Supplier Name,Amount,Transaction No\n"
        "10/05/2025,Sale Community Pantry,1500.00,T1\n"  # grant 1 paid: same recipient and amount, 9 days on
        "12/05/2025,Big Supplies Ltd,10000.00,T2\n"
        "20/05/2025,Partington Youth Club,99.00,360G-x-3\n",  # grant 3 by its identifier as the reference
        encoding="utf-8",
    )
    spend_import_file(actor=tenant_a.manager, member=Member.system(tenant_a.buyer), path=payments)
    assert vcse_share(tenant_a)[0] == Decimal("11599.00")
    package = {
        "grants": [
            grant("360G-x-1", "Sale Community Pantry", 1500),
            grant("360G-x-2", "Stretford Food Bank", 2500),  # not in the payment files: added
            grant("360G-x-3", "Partington Youth Club", 100),
            grant("360G-x-4", "Sale Community Pantry", 1500, day="2023-01-01"),  # a year before: not the payment
        ]
    }
    summary = grants_import(
        actor=None, member=Member.system(tenant_a.buyer), files=[("g.json", json.dumps(package).encode())]
    )
    assert summary.rejected == []
    total, vcse = vcse_share(tenant_a)
    assert total == Decimal("11599.00") + Decimal("2500") + Decimal("1500")
    # The added grants are VCSE payments; so are the payments to the grants' recipients.
    assert vcse == Decimal("2500") + Decimal("1500") + Decimal("1500.00") + Decimal("99.00")


def test_a_grant_paid_in_instalments_counts_once(tenant_a: Tenant, tmp_path: Path) -> None:
    """£3,000 awarded, paid as two instalments of £1,000 in the files and one not yet in them: the two count
    as payments and the grant adds the £1,000 they leave, so the recipient's total is the award, once."""
    factories.FrameworkVersionFactory.create(organisation=tenant_a.buyer)
    payments = tmp_path / "payments.csv"
    payments.write_text(
        "Date,Supplier Name,Amount,Transaction No\n"
        "02/05/2025,Sale Community Pantry,1000.00,T1\n"
        "01/08/2025,Sale Community Pantry,1000.00,T2\n"
        "01/06/2025,Big Supplies Ltd,400.00,T3\n",
        encoding="utf-8",
    )
    spend_import_file(actor=tenant_a.manager, member=Member.system(tenant_a.buyer), path=payments)
    package = {
        "grants": [
            grant("360G-x-1", "Sale Community Pantry", 3000),
            grant("360G-x-2", "Big Supplies Ltd", 300),  # paid more than awarded in the window: adds nothing
        ]
    }
    grants_import(actor=None, member=Member.system(tenant_a.buyer), files=[("g.json", json.dumps(package).encode())])
    total, vcse = vcse_share(tenant_a)
    assert total == Decimal("3000.00") + Decimal("400.00")
    assert vcse == Decimal("3000.00") + Decimal("400.00")
