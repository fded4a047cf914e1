"""A draft return is the supplier's own until it is submitted: the buyer sees nothing of it."""

from decimal import Decimal

from django.test import Client
from django.urls import reverse

from commonweal.delivery import services_returns
from commonweal.delivery.services_returns import LineInput

from .conftest import Tenant
from .delivery_agreements_support import periods_made


def _draft(tenant: Tenant) -> None:
    period = periods_made(tenant.agreement)[0]
    services_returns.return_save(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        agreement=tenant.agreement,
        period=period,
        lines={tenant.commitments[0].pk: LineInput(quantity=Decimal("4321"))},
        narrative="Private draft narrative",
        submit=False,
    )


def test_the_buyer_does_not_see_a_draft_in_the_agreement_history(client: Client, tenant_a: Tenant) -> None:
    _draft(tenant_a)
    url = reverse("delivery:agreement-detail", kwargs={"org": "council-a", "pk": tenant_a.agreement.pk})
    client.force_login(tenant_a.manager)
    page = client.get(url).content.decode()
    assert "Private draft narrative" not in page and "4321" not in page
    assert "return.draft_saved" not in page
    # The supplier still sees its own draft's history.
    client.force_login(tenant_a.supplier_user)
    own = client.get(reverse("delivery:agreement-detail", kwargs={"org": "supplier-a", "pk": tenant_a.agreement.pk}))
    assert "Private draft narrative" in own.content.decode()
