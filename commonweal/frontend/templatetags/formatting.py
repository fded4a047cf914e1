"""Template filters for money, percentages, dates and times: `{% load formatting %}`, then
`{{ value|money }}`, `|money_in:currency`, `|money_rate`, `|percent`, `|percent_of_fraction`, `|uk_date`,
`|uk_time`, `|uk_datetime`.

Each is the function of the same name in commonweal.core.formatting (the formats are documented there).
None gives "", so a page adds its own words for a missing value: `{{ value|money|default:"Not set" }}`.
"""

from collections.abc import Callable
from typing import Any

from django import template

from commonweal.core import formatting

register = template.Library()


def _filter(format_value: Callable[[Any], str]) -> Callable[[Any], str]:
    def apply(value: Any) -> str:
        # A variable a template cannot find arrives as "": show nothing rather than fail the page.
        return "" if value is None or value == "" else format_value(value)

    apply.__doc__ = format_value.__doc__
    return apply


for _name in ("money", "money_rate", "percent", "percent_of_fraction", "uk_date", "uk_time", "uk_datetime"):
    register.filter(_name, _filter(getattr(formatting, _name)))


@register.filter("money_in")
def money_in(value: Any, currency: str = "GBP") -> str:
    """`core.formatting.money_in`: an amount in its own currency (“EUR 1,234.56”); "" for none."""
    return "" if value is None or value == "" else formatting.money_in(value, currency)
