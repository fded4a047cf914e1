"""`{% load network_figures %}`: `{{ value|figure:metric.is_percentage }}` writes a network figure (a
decimal string) as a percentage or as a number with thousands separated and no needless “.00”."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from commonweal.core import formatting

register = template.Library()


@register.filter("figure")
def figure(value: Any, is_percentage: bool = False) -> str:
    if value is None or value == "":
        return "No figure"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if is_percentage:
        return formatting.percent(number)
    text = f"{number:,.2f}"
    return text[:-3] if text.endswith(".00") else text
