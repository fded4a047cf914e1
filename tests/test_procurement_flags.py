"""The three flag rules (commonweal/procurement/flags.py), with numbers worked by hand."""

from decimal import Decimal

import pytest

from commonweal.procurement import flags

pytestmark = pytest.mark.database_independent


def test_a_price_below_the_threshold_share_of_the_average_is_abnormally_low_with_the_figures() -> None:
    # Average (8,000 + 14,000 + 15,500) ÷ 3 = 12,500; 8,000 ÷ 12,500 = 64%, below 80%.
    detail = flags.abnormally_low(
        price=Decimal("8000"),
        lot_prices=[Decimal("8000"), Decimal("14000"), Decimal("15500")],
        threshold_percent=Decimal("80.00"),
    )
    assert detail == "£8,000.00 is 64% of the average £12,500.00; the threshold is 80%"


def test_a_price_at_exactly_the_threshold_is_not_flagged() -> None:
    # Average (8,000 + 12,000) ÷ 2 = 10,000; 8,000 is exactly 80% of it: not below.
    assert (
        flags.abnormally_low(
            price=Decimal("8000"), lot_prices=[Decimal("8000"), Decimal("12000")], threshold_percent=Decimal("80")
        )
        is None
    )


def test_the_only_bid_in_a_lot_is_never_abnormally_low() -> None:
    assert flags.abnormally_low(price=Decimal("1"), lot_prices=[Decimal("1")], threshold_percent=Decimal("80")) is None


def test_pence_and_a_fractional_threshold_are_shown_as_they_are() -> None:
    # Average (999.50 + 3,000.50) ÷ 2 = 2,000; 999.50 ÷ 2,000 = 49.975% → 49.98% (halves up).
    detail = flags.abnormally_low(
        price=Decimal("999.50"), lot_prices=[Decimal("999.50"), Decimal("3000.50")], threshold_percent=Decimal("62.5")
    )
    assert detail == "£999.50 is 49.98% of the average £2,000.00; the threshold is 62.5%"


def test_social_value_above_the_share_of_the_price_is_flagged_per_kind_of_value() -> None:
    # 45,000 ÷ 200,000 = 22.5% > 20%; 30,000 ÷ 200,000 = 15% is within it.
    detail = flags.social_value_share(
        price=Decimal("200000"),
        net_totals=[("Local economic value", Decimal("30000")), ("Additional social value", Decimal("45000"))],
        share_percent=Decimal("20.00"),
    )
    assert detail == "Additional social value £45,000.00 is 22.5% of the price £200,000.00; the threshold is 20%"


def test_social_value_at_exactly_the_share_is_not_flagged_and_kinds_are_not_added() -> None:
    # 40,000 is exactly 20% of 200,000; 30,000 + 30,000 would be 30%, but the kinds are never added.
    assert (
        flags.social_value_share(
            price=Decimal("200000"),
            net_totals=[("Local economic value", Decimal("40000")), ("Additional social value", Decimal("40000"))],
            share_percent=Decimal("20"),
        )
        is None
    )
    assert (
        flags.social_value_share(
            price=Decimal("200000"),
            net_totals=[("Local economic value", Decimal("30000")), ("Additional social value", Decimal("30000"))],
            share_percent=Decimal("20"),
        )
        is None
    )


def test_significant_words_drop_short_and_common_words_and_plural_s() -> None:
    assert flags.significant_words("Litter picking in every park and open spaces, with the grass") == [
        "litter",
        "picking",
        "park",
        "open",
        "space",
        "grass",
    ]


def test_a_commitment_restating_a_core_deliverable_is_found_with_the_matched_words() -> None:
    # "Grass cutting in every park" → grass, cutting, park; the commitment has grass and park: 2 of 3 = 66.7%.
    found = flags.restates_core_deliverable(
        core_deliverables="Grass cutting in every park\nLitter picking in open spaces",
        commitment_text="We will cut the grass in each park Local people employed",
    )
    assert found is not None
    assert found.deliverable == "Grass cutting in every park"
    assert found.matched == ("grass", "park")
    assert found.share == Decimal(2) / Decimal(3)
    assert flags.restatement_text(found) == (
        "Restates the core deliverable “Grass cutting in every park”: 2 of its 3 significant words are in the "
        "commitment (grass, park)"
    )


def test_restating_needs_at_least_sixty_per_cent_of_the_words() -> None:
    core = "Weekly litter picking across open spaces"  # weekly, litter, picking, open, space: 5 words
    three = flags.restates_core_deliverable(core_deliverables=core, commitment_text="litter picking weekly")
    assert three is not None and three.matched == ("weekly", "litter", "picking")  # 3 of 5 = 60%
    two = flags.restates_core_deliverable(core_deliverables=core, commitment_text="litter picking by volunteers")
    assert two is None  # 2 of 5 = 40%


def test_an_unrelated_commitment_or_no_core_deliverables_raise_nothing() -> None:
    assert (
        flags.restates_core_deliverable(
            core_deliverables="Grass cutting in every park", commitment_text="Apprenticeships for care leavers"
        )
        is None
    )
    assert flags.restates_core_deliverable(core_deliverables="", commitment_text="Grass cutting in every park") is None


def test_a_plural_matches_its_singular() -> None:
    found = flags.restates_core_deliverable(
        core_deliverables="Grass cutting in every park", commitment_text="cutting grass in parks"
    )
    assert found is not None and found.matched == ("grass", "cutting", "park")
