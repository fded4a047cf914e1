"""Tenant isolation registrations for delivery returns: drafts, return pages, answers, the bulk CSV and the API.

Tenant A's objects: a draft return for its second period (with an evidence reference and a case study that
only it carries), and the first line of its submitted return queried by its contract manager, so that the
supplier can answer it and the manager can still decide on it.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone

from commonweal.delivery import services_returns
from commonweal.delivery.models import Agreement, DeliveryReturn, LineStatus, ReportingPeriod, ReturnLine, ReturnState
from commonweal.delivery.services_returns import CaseStudyInput, LineInput
from tests.conftest import Tenant

A_DRAFT_NARRATIVE = "Tenant A draft: seven apprentices at the Southgate depot"
A_CASE_STUDY = "Tenant A case study: an apprentice from Northgate"
A_EVIDENCE_REFERENCE = "TENANT-A-TIMESHEET-0042"
A_QUESTION = "Tenant A question: which site were these people placed at?"

LEAK_MARKERS = [A_DRAFT_NARRATIVE, A_CASE_STUDY, A_EVIDENCE_REFERENCE, A_QUESTION]

PK_MODELS: dict[str, type[models.Model]] = {
    "delivery:return-detail": DeliveryReturn,
    "delivery:return-edit": DeliveryReturn,
    "delivery:return-line-answer": ReturnLine,
    "api:period-list": Agreement,
    "api:return-detail": DeliveryReturn,
    "api:return-submit": DeliveryReturn,
    "api:return-evidence": DeliveryReturn,
    "api:return-case-study": DeliveryReturn,
    "api:return-line-answer": ReturnLine,
}

# A draft is the supplier's own: the buyer gets a 404 for it, as for anything it may not see.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    "delivery:return-detail": {"manager": 404},
    "delivery:return-edit": {"manager": 404},
    "delivery:return-line-answer": {"manager": 404},  # only the supplier answers
    "delivery:returns-bulk": {"manager": 404},  # a buyer has no returns to submit
    "delivery:returns-bulk-template": {"manager": 404},
    "api:return-detail": {"manager": 404},
}

OWNER_POST: dict[str, tuple[str, int]] = {
    "delivery:return-edit": ("supplier", 302),  # submits the draft
    "delivery:return-line-answer": ("supplier", 302),
    "delivery:returns-bulk": ("supplier", 302),
    "api:return-submit": ("supplier", 200),
    "api:return-evidence": ("supplier", 201),
    "api:return-case-study": ("supplier", 201),
    "api:return-line-answer": ("supplier", 200),
    "api:return-bulk": ("supplier", 201),
}


def _open_period(tenant: Tenant) -> ReportingPeriod | None:
    """The tenant's first generated period that has started and has no return yet."""
    agreement = tenant.agreement
    periods = ReportingPeriod.objects.filter(
        agreement=agreement, returns__isnull=True, start_date__gte=agreement.start_date
    )
    return periods.filter(start_date__lte=timezone.localdate()).order_by("start_date").first()


def world_objects(a: Tenant, b: Tenant) -> dict[type[models.Model], int]:
    draft = services_returns.return_save(
        actor=a.supplier_user,
        member=a.supplier_member(),
        agreement=a.agreement,
        period=_open_period(a),
        lines={
            a.commitments[0].pk: LineInput(quantity=Decimal("7"), evidence_reference=A_EVIDENCE_REFERENCE),
        },
        narrative=A_DRAFT_NARRATIVE,
        case_studies=[
            CaseStudyInput(
                title=A_CASE_STUDY,
                story="She now works on the site full time.",
                consent_given_by="the apprentice",
                consent_date=datetime.date(2026, 5, 1),
            )
        ],
    )
    assert draft.state == ReturnState.DRAFT
    submitted = DeliveryReturn.objects.get(agreement=a.agreement, state=ReturnState.SUBMITTED)
    line = submitted.lines.order_by("pk").first()
    assert line is not None
    services_returns.return_line_review(
        actor=a.manager, member=a.manager_member(), line=line, decision=LineStatus.QUERIED, reason=A_QUESTION
    )
    return {DeliveryReturn: draft.pk}


def post_data(tenant: Tenant) -> dict[str, Any]:
    period = _open_period(tenant)
    first = tenant.commitments[0]
    start = period.start_date if period else ""
    row = f"{tenant.agreement.reference},{tenant.buyer.slug},{start},{first.measure.code},3"
    return {
        "period": period.pk if period else "",
        "answer": "Tenant answer: the register for the site is attached",
        "story": "Tenant story of what the work meant",
        "consent_given_by": "the participant",
        "consent_date": "2026-05-01",
        "returns_csv": SimpleUploadedFile(
            "tenant-returns.csv",
            f"agreement_reference,buyer,period,measure_code,quantity\n{row}\n".encode(),
            content_type="text/csv",
        ),
        "bulk_action": "draft",
    }
