"""Tenant isolation registrations for agreements, commitments and substitutions (pages and API).

Tenant A's agreement is made a call-off, so its called-off page has a form. Each tenant gets two more
commitments: one nothing has been claimed against (to change and remove) and one with a pledge
substitution waiting for a decision (to decide); the factory's three stay free to substitute.
"""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from commonweal.delivery import services_agreements
from commonweal.delivery.models import Agreement, AgreementKind, Commitment, Substitution
from tests import factories
from tests.conftest import Tenant

PK_MODELS: dict[str, type[models.Model]] = {
    "delivery:agreement-update": Agreement,
    "delivery:agreement-called-off": Agreement,
    "delivery:commitment-list": Agreement,
    "delivery:commitment-create": Agreement,
    "delivery:commitment-import": Agreement,
    "delivery:commitment-update": Commitment,
    "delivery:commitment-remove": Commitment,
    "delivery:substitution-propose": Agreement,
    "delivery:substitution-detail": Substitution,
    "api:agreement-update": Agreement,
    "api:commitment-list": Agreement,
    "api:commitment-import": Agreement,
    "api:substitution-list": Agreement,
    "api:substitution-decide": Substitution,
}

# Only the buyer's contract managers change agreements and commitments; only the supplier proposes.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    **{
        name: {"supplier": 404}
        for name in [
            "delivery:agreement-create",
            "delivery:agreement-update",
            "delivery:agreement-called-off",
            "delivery:commitment-create",
            "delivery:commitment-import",
            "delivery:commitment-update",
            "delivery:commitment-remove",
        ]
    },
    "delivery:substitution-propose": {"manager": 404},
}

OWNER_POST: dict[str, tuple[str, int]] = {
    "delivery:agreement-create": ("manager", 302),
    "delivery:agreement-update": ("manager", 302),
    "delivery:agreement-called-off": ("manager", 302),
    "delivery:commitment-create": ("manager", 302),
    "delivery:commitment-import": ("manager", 302),
    "delivery:commitment-update": ("manager", 302),
    "delivery:commitment-remove": ("manager", 302),
    "delivery:substitution-propose": ("supplier", 302),
    "delivery:substitution-detail": ("manager", 302),
    "api:agreement-create": ("manager", 201),
    "api:agreement-update": ("manager", 200),
    "api:commitment-list": ("manager", 201),
    "api:commitment-import": ("manager", 201),
    "api:substitution-list": ("supplier", 201),
    "api:substitution-decide": ("manager", 200),
}

A_PLEDGE = "Tenant A pledge: refit the Northgate community hall kitchen"
A_GROUP = "Tenant A beneficiaries: Northgate care leavers"
LEAK_MARKERS = [A_PLEDGE, A_GROUP]


def _objects(tenant: Tenant, *, pledge: str, group: str) -> dict[type[models.Model], int]:
    agreement = tenant.agreement
    agreement.kind = AgreementKind.CALL_OFF
    agreement.save(update_fields=["kind"])
    free = factories.CommitmentFactory.create(
        agreement=agreement, due_date=agreement.end_date, beneficiary_group=group, place_code="E08000009"
    )
    pledged = factories.CommitmentFactory.create(agreement=agreement, due_date=agreement.end_date)
    substitution = services_agreements.substitution_propose(
        actor=tenant.supplier_user,
        member=tenant.supplier_member(),
        commitment=pledged,
        proposed_measure=None,
        proposed_quantity=None,
        pledge=pledge,
        reason="The community asked for it",
    )
    return {Commitment: free.pk, Substitution: substitution.pk}


def world_objects(a: Tenant, b: Tenant) -> dict[type[models.Model], int]:
    _objects(b, pledge="Tenant B pledge", group="Tenant B group")
    return _objects(a, pledge=A_PLEDGE, group=A_GROUP)


def _csv(tenant: Tenant) -> SimpleUploadedFile:
    code = tenant.commitments[0].measure.code
    content = f"measure code,target quantity,due date\n{code},5,2027-06-30\n"
    return SimpleUploadedFile("commitments.csv", content.encode(), content_type="text/csv")


def post_data(tenant: Tenant) -> dict[str, Any]:
    agreement = tenant.agreement
    reference = f"{agreement.reference}-NEW"
    return {
        # The agreement page (prefix "agreement") and API: a call-off running to 2099, past every commitment.
        "agreement-kind": "call_off",
        "agreement-reference": reference,
        "agreement-title": "Tenant new agreement",
        "agreement-supplier": tenant.supplier.pk,
        "agreement-value": "250000",
        "agreement-start_date_day": "1",
        "agreement-start_date_month": "1",
        "agreement-start_date_year": "2026",
        "agreement-end_date_day": "31",
        "agreement-end_date_month": "12",
        "agreement-end_date_year": "2099",
        "agreement-framework_version": agreement.framework_version_id,
        "agreement-return_frequency": "annual",
        "agreement-return_due_days": "14",
        "agreement-escalation_days": "14",
        "agreement-called_off_value": "1000",
        "called_off-called_off_value": "1000",
        "reference": reference,
        "supplier": tenant.supplier.slug,
        "start_date": "2026-01-01",
        "end_date": "2099-12-31",
        "framework_version": agreement.framework_version_id,
        # A commitment (prefix "commitment") and the API's; a file of one commitment.
        "commitment-measure": tenant.commitments[0].measure_id,
        "commitment-target_quantity": "5",
        "commitment-due_date_day": "30",
        "commitment-due_date_month": "6",
        "commitment-due_date_year": "2027",
        "commitment-place_code": "E08000009",
        "commitment-beneficiary_group": "Tenant group",
        "target_quantity": "5",
        "due_date": "2027-06-30",
        "place_code": "E08000009",
        "import-file": _csv(tenant),
        "commitments_file": _csv(tenant),
        # A pledge in place of the tenant's second commitment; the decision approves.
        "substitution-commitment": tenant.commitments[1].pk,
        "substitution-pledge": "Tenant pledge to the food bank",
        "substitution-reason": "Tenant reason for the substitution",
        "commitment": tenant.commitments[1].pk,
        "pledge": "Tenant pledge to the food bank",
        "proposal_reason": "Tenant reason for the substitution",
        "decision-decision": "approved",
        "substitution_decision": "approved",
    }
