"""The demo procurements: one open for tenders with a draft bid, one with three tenders in, ready to score."""

import pytest

from commonweal.demo.services import demo_load
from commonweal.procurement.models import Bid, BidState, ConflictDeclaration, EvaluatorAssignment, Procurement
from commonweal.procurement.selectors import open_for_bids, tenders_opened


@pytest.mark.django_db
def test_the_demo_has_an_open_procurement_and_one_ready_for_evaluation_and_loads_once():
    demo_load(spend=False)
    open_one = Procurement.objects.get(reference="NBC-2026-050")
    closed = Procurement.objects.get(reference="NBC-2026-044")
    assert open_for_bids(open_one)
    assert list(Bid.objects.filter(procurement=open_one).values_list("supplier__slug", "state")) == [
        ("greenway", BidState.DRAFT)
    ]
    assert tenders_opened(closed)
    assert sorted(
        Bid.objects.filter(procurement=closed, state=BidState.SUBMITTED).values_list("supplier__slug", "price")
    ) == [
        ("brightside", 612000),
        ("greenway", 598000),
        ("oakfield", 575000),
    ]
    # The timetable keeps its order after the demo moved it back.
    moments = [closed.publication_at, closed.clarification_deadline, closed.tender_deadline, closed.standstill_end_at]
    assert all(moment is not None for moment in moments)
    assert moments == sorted(moments)  # type: ignore[type-var]
    assert EvaluatorAssignment.objects.filter(procurement=closed).values("evaluator").distinct().count() == 2
    assert ConflictDeclaration.objects.filter(procurement=closed, has_conflict=False).count() == 2
    assert closed.value_set is not None and closed.value_set.entries.count() == 5

    demo_load(spend=False)
    assert Procurement.objects.filter(reference__in=["NBC-2026-050", "NBC-2026-044"]).count() == 2
    assert Bid.objects.count() == 4
