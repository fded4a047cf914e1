"""Tenant isolation registrations for the supplier side (commonweal/procurement/urls_bidding.py) and the
buyer's clarification pages (urls_clarifications.py).

Opportunity pages are open to every supplier by design (a published procurement is a public notice), so
they are NOT_TENANT_SCOPED here and tested in tests/test_procurement_bidding.py instead: a draft is a 404
to suppliers, and public bodies have no opportunity pages. Bid pages are tenant scoped: only the
supplier that wrote a bid reaches it, and the buyer reaches an attachment only under the sealed-bid rule.

Tenant A's objects: BID-A-001, open for tenders, with tenant A's supplier's draft bid (so a POST saves it) and its
attachment (sealed: the manager's download is a 404) and a clarification question; BID-A-002, past its
deadline, with a submitted bid (the Bid other areas' routes may take). The bid page and its preview are
given the open bid by route name, so tenant A's supplier really saves it.
"""

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from commonweal.procurement import rules, services_bidding, services_clarifications
from commonweal.procurement.models import Bid, BidAttachment, Clarification, Procurement
from tests.conftest import Tenant
from tests.procurement_support import bid_make, procurement_published

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
A_METHOD = "Tenant A bid method statement: the Eastgate depot crew"
A_ATTACHMENT = "tenant-a-bid-method.pdf"
A_QUESTION = "Tenant A clarification: is the Eastgate depot included?"
LEAK_MARKERS = [A_METHOD, A_ATTACHMENT, A_QUESTION]

OPPORTUNITY = "a published procurement is a public notice: every supplier may read it, ask and bid"
NOT_TENANT_SCOPED: dict[str, str] = {
    "procurement:opportunity-list": f"the list of published procurements ({OPPORTUNITY})",
    "procurement:opportunity-detail": OPPORTUNITY,
    "procurement:opportunity-ask": OPPORTUNITY,
    "procurement:bid-start": OPPORTUNITY,
}

PK_MODELS: dict[str, type[Model]] = {
    "procurement:bid-edit": Bid,
    "procurement:bid-preview": Bid,
    "procurement:bid-attachment": BidAttachment,
    "procurement:clarification-list": Procurement,
    "procurement:clarification-answer": Clarification,
}

# Bids are the supplier's; the buyer's manager gets a 404 (the attachment is sealed before the deadline).
# Clarification pages are the buyer's; a supplier has none.
OWNER_GET_STATUS: dict[str, dict[str, int]] = {
    "procurement:bid-list": {"manager": 404},
    "procurement:bid-edit": {"manager": 404},
    "procurement:bid-preview": {"manager": 404},
    "procurement:bid-attachment": {"manager": 404},
    "procurement:clarification-list": {"supplier": 404},
    "procurement:clarification-answer": {"supplier": 404},
}

OWNER_POST: dict[str, tuple[str, int]] = {
    "procurement:bid-edit": ("supplier", 302),
    "procurement:clarification-answer": ("manager", 302),
}


def _objects(tenant: Tenant, *, suffix: str, method: str, attachment: str, question: str) -> dict[Any, int]:
    member = tenant.supplier_member()
    open_world = procurement_published(tenant.buyer, reference=f"BID-{suffix}-001")
    bid = services_bidding.bid_start(
        actor=tenant.supplier_user, member=member, procurement=open_world.procurement, lot=open_world.lot
    )
    services_bidding.bid_save(
        actor=tenant.supplier_user,
        member=member,
        bid=bid,
        price=Decimal("180000"),
        responses={criterion.pk: method for criterion in open_world.scored},
        method_statement=method,
        new_commitment=services_bidding.CommitmentInput(
            measure=open_world.measures[0],
            quantity=Decimal("3"),
            due_date=rules.contract_period(open_world.procurement)[1],
        ),
        attachments={open_world.quality[0].pk: SimpleUploadedFile(attachment, PDF)},
    )
    clarification = services_clarifications.clarification_ask(
        actor=tenant.supplier_user, member=member, procurement=open_world.procurement, question=question
    )
    closed_world = procurement_published(tenant.buyer, reference=f"BID-{suffix}-002", deadline_passed=True)
    closed_bid = bid_make(closed_world, tenant.supplier, price="175000")
    return {
        # The bid page and its preview take the open procurement's bid, so a POST really saves;
        # other routes taking a Bid (evaluation, award) get the closed one.
        "procurement:bid-edit": bid.pk,
        "procurement:bid-preview": bid.pk,
        Bid: closed_bid.pk,
        BidAttachment: bid.attachments.get().pk,
        Procurement: open_world.procurement.pk,
        Clarification: clarification.pk,
    }


def world_objects(a: Tenant, b: Tenant) -> dict[Any, int]:
    _objects(
        b,
        suffix="B",
        method="Tenant B method statement",
        attachment="tenant-b-method.pdf",
        question="Tenant B question?",
    )
    return _objects(a, suffix="A", method=A_METHOD, attachment=A_ATTACHMENT, question=A_QUESTION)


def post_data(tenant: Tenant) -> dict[str, Any]:
    return {
        "bid-price": "123456",
        "bid-method_statement": "Tenant method statement, posted",
        "clar-published_question": "Is the depot included?",
        "clar-answer": "Tenant answer: yes, the depot is included.",
    }
