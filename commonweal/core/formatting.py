"""The one way Commonweal shows money, percentages, dates and times to people: pages, messages and the CLI.

Each function has one output format, follows the GOV.UK style guide (A to Z: “money”, “percent”, “dates”,
“times”) where it has a rule, returns "" for None so a template can add its own “Not set”, and never
changes a stored value: it only writes it down. Machine formats (CSV, JSON, OCDS) keep plain decimal
strings and ISO dates and do not use this module.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
PENNY = Decimal("0.01")
# Percentages show at most this many decimal places: spend shares and weights are kept to 2.
PERCENT_PLACES = Decimal("0.01")
# Unit rates (a proxy value per unit) can be fractions of a penny; values sets keep them to 4 places.
RATE_PLACES = 4
# A true minus sign: screen readers say “minus”, where many read a hyphen as “dash”.
MINUS = "\u2212"

Number = Decimal | int | float


def _decimal(value: Number) -> Decimal:
    # str() first so a float shows as written (0.1), not as its binary expansion.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _signed(text: str, negative: bool) -> str:
    return f"{MINUS}{text}" if negative else text


def money(value: Number | None) -> str:
    """An amount in pounds, always to the penny: “£1,234,567.89”, “£250,000.00”, “£0.00”, “−£12.50”.

    Rounded to the nearest penny with halves up (£0.005 → “£0.01”), commas between thousands, and a
    minus sign before the pound sign below zero. Pence are always shown, so a column of amounts lines
    up and £1,234 and £1,234.50 cannot be mistaken for each other; "" for None.
    """
    if value is None:
        return ""
    pence = _decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)
    return _signed(f"£{abs(pence):,.2f}", pence < 0)


def money_in(value: Number | None, currency: str = "GBP") -> str:
    """An amount in its own currency: pounds as `money` gives them; any other currency (an imported notice's
    euro value) with its ISO 4217 code, never a pound sign: “EUR 1,234.56”, “−EUR 12.50”."""
    if value is None:
        return ""
    code = (currency or "GBP").strip().upper()
    if code == "GBP":
        return money(value)
    cents = _decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)
    return _signed(f"{code} {abs(cents):,.2f}", cents < 0)


def money_rate(value: Number | None) -> str:
    """A value per unit in pounds: pence always, and up to 4 places when the rate has them.

    “£12.50”, “£0.1234”, “£10,000.00”, “−£0.05”. Only for rates (a value set's £ per unit), which are
    often a fraction of a penny: money() would show £0.1234 as “£0.12” and hide the figure the
    calculation uses. Places beyond 4 are rounded, halves up; "" for None.
    """
    if value is None:
        return ""
    amount = _decimal(value).quantize(Decimal(1).scaleb(-RATE_PLACES), rounding=ROUND_HALF_UP).normalize()
    places = min(RATE_PLACES, max(2, -int(amount.as_tuple().exponent)))
    return _signed(f"£{abs(amount):,.{places}f}", amount < 0)


def percent(value: Number | None) -> str:
    """A percentage (already out of 100) to at most 2 decimal places, halves up, trailing zeros dropped.

    “12.5%”, “25%”, “33.33%”, “0%”, “−4.5%”. A share kept as a fraction is multiplied by 100 by the
    caller (see percent_of_fraction); "" for None.
    """
    if value is None:
        return ""
    rounded = _decimal(value).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _signed(f"{text}%", rounded < 0)


def percent_of_fraction(value: Number | None) -> str:
    """A share kept as a fraction from 0 to 1, as percent() shows it: 0.125 → “12.5%”; "" for None."""
    return "" if value is None else percent(_decimal(value) * 100)


def _london(value: datetime) -> datetime:
    return value.astimezone(LONDON)


def uk_date(value: date | datetime | None) -> str:
    """A date as the GOV.UK style guide writes it: “14 March 2026” (no leading zero, month in full).

    A moment is first turned into the date it was in the UK (Europe/London); "" for None.
    """
    if value is None:
        return ""
    day = _london(value).date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B %Y}"


def uk_time(value: datetime | None) -> str:
    """The time of a moment in the UK (GMT or BST as it was), 12-hour clock, GOV.UK style.

    “2:30pm”, “9am” (no “:00” on the hour), “midday” for 12pm and “midnight” for 12am (midnight is the
    first minute of its day); "" for None.
    """
    if value is None:
        return ""
    local = _london(value)
    if local.minute == 0 and local.hour in (0, 12):
        return "midnight" if local.hour == 0 else "midday"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def uk_datetime(value: datetime | None) -> str:
    """A moment as people in the UK read it: “14 March 2026, 2:30pm”, “1 July 2026, midday”; "" for None."""
    if value is None:
        return ""
    return f"{uk_date(value)}, {uk_time(value)}"
