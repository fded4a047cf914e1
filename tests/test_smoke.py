from decimal import Decimal

from commonweal.delivery import services

from .factories import evidence_file


def test_supplier_return_then_manager_verify_updates_totals(tenant_a):
    c1, c2, _ = tenant_a.commitments
    ret = services.return_submit(
        actor=tenant_a.supplier_user,
        member=tenant_a.supplier_member(),
        agreement=tenant_a.agreement,
        quantities={c1.pk: Decimal("4"), c2.pk: Decimal("2.5")},
        narrative="Did things",
        evidence=evidence_file(),
    )
    assert ret.lines.count() == 2
