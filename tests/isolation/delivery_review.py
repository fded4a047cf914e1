"""Tenant isolation registrations for a return in one pass: the supplier's check-your-answers page and
confirmation; the contract manager's review page, "verify all that are evidenced" with its confirmation,
the list of returns waiting, and the API's bulk review.

Tenant A's objects: its submitted return (the world's, whose first line is queried), reached by route key
because the area-wide DeliveryReturn is tenant A's draft, which the buyer never sees."""

from typing import Any

from django.db import models

from commonweal.delivery.models import DeliveryReturn, LineStatus, ReturnLine, ReturnState
from tests.conftest import Tenant

PK_MODELS: dict[str, type[models.Model]] = {
    "delivery:return-review": DeliveryReturn,
    "delivery:return-verify-evidenced": DeliveryReturn,
    "delivery:return-check": DeliveryReturn,  # tenant A's draft
    "delivery:return-confirmation": DeliveryReturn,  # tenant A's submitted return
}

OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    # Only the buyer's contract managers review.
    "delivery:return-review": {"supplier": 404},
    "delivery:return-verify-evidenced": {"supplier": 404},
    # Only the supplier checks and submits its return; the buyer never sees a draft.
    "delivery:return-check": {"manager": 404},
    "delivery:return-confirmation": {"manager": 404},
}

OWNER_POST: dict[str, tuple[str, int]] = {
    "delivery:return-verify-evidenced": ("manager", 200),
    "api:return-lines-review": ("manager", 200),
    "delivery:return-check": ("supplier", 302),  # submits the draft as it stands
}

POST_WRITES_NOTHING: dict[str, str] = {
    "delivery:return-verify-evidenced": "without the confirmed list of lines the confirmation page is shown again",
}


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    submitted = DeliveryReturn.objects.get(agreement=a.agreement, state=ReturnState.SUBMITTED)
    return {
        "delivery:return-review": submitted.pk,
        "delivery:return-verify-evidenced": submitted.pk,
        "delivery:return-confirmation": submitted.pk,
    }


def post_data(tenant: Tenant) -> dict[str, Any]:
    """The API's bulk review verifies the tenant's first line still awaiting a decision."""
    line = (
        ReturnLine.objects.filter(
            delivery_return__agreement=tenant.agreement,
            delivery_return__state=ReturnState.SUBMITTED,
            status__in=[LineStatus.PENDING, LineStatus.QUERIED],
        )
        .order_by("pk")
        .first()
    )
    return {"line_ids": [line.pk] if line is not None else []}
