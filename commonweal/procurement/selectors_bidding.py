"""Reads for the supplier side: opportunities, a bid's page and its £ preview (clarifications are in
`selectors_clarifications`). Bid content reaches buyers only through
`selectors.bid_open_for_buyer` and `attachment_get` below, which apply the sealed-bid rule."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from commonweal.core.errors import ApplicationError
from commonweal.core.formatting import uk_datetime
from commonweal.frameworks.models import Measure
from commonweal.frameworks.selectors_value_sets import value_entry_of, value_set_label
from commonweal.frameworks.valuation import ClaimLine, Valuation, valuate
from commonweal.tenancy.permissions import Permission
from commonweal.tenancy.selectors import Member

from . import selectors
from .models import Bid, BidAttachment, BidCommitment, BidState, Criterion, Lot, Procurement
from .rules import contract_period, scored_criteria, word_count


@dataclass(frozen=True)
class OpportunityRow:
    procurement: Procurement
    is_open: bool
    deadline_label: str
    days_left: int | None


def days_left(deadline: datetime | None, *, now: datetime | None = None) -> int | None:
    """Whole days from today to the deadline's day, in London; None once it has passed."""
    now = now or timezone.now()
    if deadline is None or deadline <= now:
        return None
    return (timezone.localtime(deadline).date() - timezone.localtime(now).date()).days


def opportunity_rows(procurements: list[Procurement]) -> list[OpportunityRow]:
    """A page of published procurements (the member's `selectors.opportunity_list`), as the list shows them."""
    now = timezone.now()
    return [
        OpportunityRow(
            procurement=procurement,
            is_open=selectors.open_for_bids(procurement, now=now),
            deadline_label=uk_datetime(procurement.tender_deadline) or "Not set",
            days_left=days_left(procurement.tender_deadline, now=now),
        )
        for procurement in procurements
    ]


@dataclass(frozen=True)
class LotRow:
    lot: Lot
    bid: Bid | None


def lot_rows(*, member: Member, procurement: Procurement) -> list[LotRow]:
    bids = {bid.lot_id: bid for bid in selectors.bid_list_for_supplier(member=member).filter(procurement=procurement)}
    return [LotRow(lot=lot, bid=bids.get(lot.pk)) for lot in procurement.lots.order_by("number")]


def lot_get(*, procurement: Procurement, pk: Any) -> Lot:
    try:
        return procurement.lots.get(pk=int(pk))
    except (Lot.DoesNotExist, TypeError, ValueError):
        raise Http404("No such lot.") from None


# --- The bid page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRow:
    criterion: Criterion
    text: str
    words: int
    attachments: list[BidAttachment]

    @property
    def over_limit(self) -> bool:
        return bool(self.criterion.word_limit) and self.words > (self.criterion.word_limit or 0)


def response_rows(bid: Bid) -> list[ResponseRow]:
    texts = {response.criterion_id: response.text for response in bid.responses.all()}
    attachments: dict[int | None, list[BidAttachment]] = {}
    for attachment in bid.attachments.order_by("created_at", "id"):
        attachments.setdefault(attachment.criterion_id, []).append(attachment)
    return [
        ResponseRow(
            criterion=criterion,
            text=texts.get(criterion.pk, ""),
            words=word_count(texts.get(criterion.pk, "")),
            attachments=attachments.get(criterion.pk, []),
        )
        for criterion in scored_criteria(bid.procurement)
    ]


def measure_list(procurement: Procurement) -> QuerySet[Measure]:
    """The measures a bidder may commit to: those of the procurement's framework version."""
    if procurement.framework_version_id is None:
        return Measure.objects.none()
    return Measure.objects.filter(version_id=procurement.framework_version_id).order_by("code")


@dataclass(frozen=True)
class PreviewLine:
    commitment: BidCommitment | None
    measure: Measure
    quantity: Decimal
    gross: Decimal | None  # None: the value set has no figure for the measure
    net: Decimal | None


@dataclass(frozen=True)
class Preview:
    """Gross and net £ of a bid's commitments from the buyer's value set. Local economic value and
    additional social value are totalled apart, as everywhere in Commonweal."""

    value_set: str
    price_basis: str
    lines: list[PreviewLine]
    local_economic_gross: Decimal
    local_economic_net: Decimal
    additional_social_gross: Decimal
    additional_social_net: Decimal
    problem: str = ""


def _valuate(procurement: Procurement, lines: list[tuple[Measure, Decimal]]) -> Valuation | None:
    """Value the lines with the procurement's value set — the buyer's, read here for the bidder, who
    may see the figures the tender will be valued with."""
    value_set = procurement.value_set
    if value_set is None:
        return None
    entries = {entry.measure_code: value_entry_of(entry) for entry in value_set.entries.all()}
    claims = [ClaimLine(measure_code=m.code, value_type=m.value_type, quantity=q) for m, q in lines]
    return valuate(claims, entries, value_set=value_set_label(value_set))


def preview_line(procurement: Procurement, measure: Measure, quantity: Decimal) -> PreviewLine:
    valuation = _valuate(procurement, [(measure, quantity)])
    valued = valuation.lines[0] if valuation is not None and valuation.lines else None
    return PreviewLine(
        commitment=None,
        measure=measure,
        quantity=quantity,
        gross=valued.gross_pennies if valued else None,
        net=valued.net_pennies if valued else None,
    )


def bid_preview(bid: Bid) -> Preview | None:
    """The £ preview of the bid's commitments; None when the procurement has no value set."""
    procurement = bid.procurement
    if procurement.value_set is None:
        return None
    commitments = list(bid.commitments.select_related("measure").order_by("id"))
    try:
        lines = [
            PreviewLine(c, c.measure, c.quantity, line.gross, line.net)
            for c in commitments
            for line in [preview_line(procurement, c.measure, c.quantity)]
        ]
        total = _valuate(procurement, [(c.measure, c.quantity) for c in commitments])
    except ApplicationError as error:
        zero = Decimal(0)
        return Preview(value_set_label(procurement.value_set), "", [], zero, zero, zero, zero, problem=error.message)
    assert total is not None
    return Preview(
        value_set=total.value_set,
        price_basis=total.price_basis,
        lines=lines,
        local_economic_gross=total.local_economic.gross,
        local_economic_net=total.local_economic.net,
        additional_social_gross=total.additional_social.gross,
        additional_social_net=total.additional_social.net,
    )


def bid_page_context(bid: Bid) -> dict[str, Any]:
    procurement = bid.procurement
    start, end = contract_period(procurement)
    return {
        "bid": bid,
        "procurement": procurement,
        "open": selectors.open_for_bids(procurement),
        "deadline_label": uk_datetime(procurement.tender_deadline),
        "rows": response_rows(bid),
        "commitments": list(bid.commitments.select_related("measure").order_by("id")),
        "preview": bid_preview(bid),
        "contract_start": start,
        "contract_end": end,
        "is_draft": bid.state == BidState.DRAFT,
    }


# --- Attachments -----------------------------------------------------------------------------------


def attachment_get(*, member: Member, pk: int) -> tuple[BidAttachment, bool]:
    """An attachment for its supplier, or for the buyer's people the sealed-bid rule allows; 404 for
    everyone else. The flag says whether this is a buyer's opening (which the caller must audit)."""
    attachment = BidAttachment.objects.select_related("bid__procurement", "bid__supplier").filter(pk=pk).first()
    if attachment is None:
        raise Http404("No such attachment.")
    bid = attachment.bid
    if member.may(Permission.BID) and bid.supplier_id == member.organisation.pk:
        return attachment, False
    if (
        bid.organisation_id == member.organisation.pk
        and bid.state == BidState.SUBMITTED
        and selectors.may_open_bids(member=member, procurement=bid.procurement)
    ):
        return attachment, True
    raise Http404("No such attachment.")
