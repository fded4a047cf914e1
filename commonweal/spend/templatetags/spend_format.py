"""Template filters for spend figures: pounds with a true minus sign, percentages that may be missing."""

from decimal import Decimal

from django import template

from commonweal.spend.dashboard import money_text

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    """1234.5 → “£1,234.50”; -100 → “−£100.00”."""
    return "" if value is None else money_text(Decimal(value))


@register.filter
def share(value: Decimal | None) -> str:
    """A percentage to 2 places, or “not given” when it cannot be worked out."""
    return "not given" if value is None else f"{value}%"


@register.filter
def lm3_percent(value: Decimal | None) -> str:
    """A share from 0 to 1 as a percentage: 0.25 → “25%”, 0.1234 → “12.34%”."""
    if value is None:
        return ""
    text = f"{(Decimal(value) * 100).quantize(Decimal('0.01')):f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"
