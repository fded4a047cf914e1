"""Shared fixtures: a two-tenant world (A and B), each with a buyer, a supplier, an agreement and people."""

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from commonweal.accounts.models import User
from commonweal.delivery.models import Agreement, Commitment
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.selectors import Member, member_access

from . import factories

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@dataclass
class Tenant:
    buyer: Organisation
    supplier: Organisation
    manager: User
    supplier_user: User
    agreement: Agreement
    commitments: list[Commitment]

    def manager_member(self) -> Member:
        return member_access(user=self.manager, slug=self.buyer.slug)

    def supplier_member(self) -> Member:
        return member_access(user=self.supplier_user, slug=self.supplier.slug)


def make_tenant(label: str) -> Tenant:
    buyer = factories.OrganisationFactory.create(name=f"Council {label}", slug=f"council-{label.lower()}")
    supplier = factories.SupplierFactory.create(name=f"Supplier {label} Ltd", slug=f"supplier-{label.lower()}")
    manager = factories.member_user(buyer, Role.CONTRACT_MANAGER)
    supplier_user = factories.member_user(supplier, Role.SUPPLIER_CONTACT)
    agreement = factories.AgreementFactory.create(organisation=buyer, supplier=supplier, reference=f"{label}-001")
    commitments = [factories.CommitmentFactory.create(agreement=agreement) for _ in range(3)]
    return Tenant(buyer, supplier, manager, supplier_user, agreement, commitments)


@pytest.fixture
def tenant_a(db: None) -> Tenant:
    return make_tenant("A")


@pytest.fixture
def tenant_b(db: None) -> Tenant:
    return make_tenant("B")


@pytest.fixture(autouse=True, scope="session")
def _media_root_cleanup() -> object:
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
