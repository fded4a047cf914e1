"""Rules the wish list's pages, selectors and services share: finding a place by its name, what state a need
is in once pledges are made, and how well a need suits a supplier's outstanding commitments."""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from commonweal.spend.places import district_find, district_name, place_name, wards

from .models import NeedState, PledgeState

PLEDGE_REFERENCE = re.compile(r"^pledge-(\d+)$")


@functools.cache
def _wards_by_name() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for ward in wards().values():
        found.setdefault(ward.name.casefold(), []).append(ward.code)
    return found


def place_find(text: str) -> tuple[str, str]:
    """The GSS code a person means by a place's name, and "" with a message when it is unknown or ambiguous.

    Accepts a district ("Trafford"), a ward with its district ("Altrincham, Trafford"), a ward whose name is
    unique ("Altrincham"), or a GSS code."""
    text = " ".join((text or "").split())
    if not text:
        return "", "Enter the ward or district the need is in, like Altrincham, Trafford"
    code = text.upper()
    if place_name(code):
        return code, ""
    district = district_find(text)
    if district is not None:
        return district.code, ""
    ward_name, _, district_text = text.partition(",")
    codes = _wards_by_name().get(ward_name.strip().casefold(), [])
    if district_text.strip():
        codes = [
            c for c in codes if district_name(wards()[c].district_code).casefold() == district_text.strip().casefold()
        ]
    if len(codes) == 1:
        return codes[0], ""
    if len(codes) > 1:
        return (
            "",
            f"There is more than one ward called {ward_name.strip()}: add its district, like "
            f"“{ward_name.strip()}, Trafford”",
        )
    return "", f"“{text}” is not a ward or district we know: enter a name like Altrincham, Trafford"


def place_text(code: str) -> str:
    """A place as a person names it: "Altrincham, Trafford", "Trafford", or the code."""
    ward = wards().get((code or "").upper())
    if ward is not None:
        district = district_name(ward.district_code)
        return f"{ward.name}, {district}" if district else ward.name
    return place_name(code) or code


def place_district(code: str) -> str:
    """The district a place is in (itself, for a district)."""
    ward = wards().get((code or "").upper())
    return ward.district_code if ward is not None else (code or "").upper()


def pledge_id(reference: str) -> int | None:
    """The pledge a line's evidence reference names ("PLEDGE-12", any case or spacing), or None."""
    match = PLEDGE_REFERENCE.match("".join((reference or "").split()).lower())
    return int(match[1]) if match else None


def need_state_after_pledges(*, state: str, quantity: Decimal, pledges: Iterable[tuple[str, Decimal]]) -> str:
    """A published need's state from its pledges (state, quantity): pledged while any pledge is open or the
    quantity is not all pledged; delivered when every pledge is delivered or confirmed and the whole is
    pledged; confirmed when every pledge is confirmed and the whole is pledged."""
    if state not in (NeedState.PUBLISHED, NeedState.PLEDGED, NeedState.DELIVERED, NeedState.CONFIRMED):
        return state
    live = [(s, q) for s, q in pledges if s != PledgeState.WITHDRAWN]
    if not live:
        return NeedState.PUBLISHED
    whole = sum((q for _, q in live), Decimal("0")) >= quantity
    states = {s for s, _ in live}
    if whole and states == {PledgeState.CONFIRMED}:
        return NeedState.CONFIRMED
    if whole and states <= {PledgeState.DELIVERED, PledgeState.CONFIRMED}:
        return NeedState.DELIVERED
    return NeedState.PLEDGED


SIZE_BANDS = (
    ("small", "Under £500", Decimal("0"), Decimal("500")),
    ("medium", "£500 to £5,000", Decimal("500"), Decimal("5000")),
    ("large", "Over £5,000", Decimal("5000"), None),
)


def size_band(estimate: Decimal | None) -> str:
    if estimate is None:
        return ""
    for key, _, low, high in SIZE_BANDS:
        if estimate >= low and (high is None or estimate < high):
            return key
    return ""


@dataclass(frozen=True)
class MatchScore:
    outcomes: int  # outcomes the need serves that the supplier has unmet commitments to
    place: int  # 2: the same place, 1: the same district, 0: elsewhere
    size: Decimal  # how much of the supplier's outstanding quantity the need could take up (0 to 1)

    @property
    def key(self) -> tuple[int, int, Decimal]:
        return (self.outcomes, self.place, self.size)

    def reasons(self) -> list[str]:
        said = []
        if self.outcomes:
            said.append(f"serves {self.outcomes} outcome{'s' if self.outcomes != 1 else ''} you still owe")
        if self.place == 2:
            said.append("in a place you committed to")
        elif self.place == 1:
            said.append("in a district you committed to")
        return said


def match_score(
    *,
    need_outcomes: set[str],
    need_place: str,
    need_quantity: Decimal,
    owed_outcomes: set[str],
    owed_places: set[str],
    outstanding: Decimal,
) -> MatchScore:
    """How well a need suits a supplier: outcome codes in common first, then place, then size."""
    place = 0
    if need_place and need_place in owed_places:
        place = 2
    elif need_place and place_district(need_place) in {place_district(p) for p in owed_places}:
        place = 1
    size = Decimal("0")
    if outstanding > 0:
        size = min(need_quantity / outstanding, Decimal("1")).quantize(Decimal("0.01"))
    return MatchScore(outcomes=len(need_outcomes & owed_outcomes), place=place, size=size)
