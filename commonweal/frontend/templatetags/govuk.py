"""Template filters for showing quantities and statuses the GOV.UK way."""

from decimal import Decimal

from django import template

from commonweal.core.formatting import money

register = template.Library()

# Return line states (the commitment statuses carry their own colours in delivery.selectors_status).
STATUS_TAG_COLOURS = {
    "Verified": "govuk-tag--green",
    "Awaiting verification": "govuk-tag--yellow",
    "Queried": "govuk-tag--orange",
    "Rejected": "govuk-tag--red",
}


@register.filter
def quantity(value: Decimal | str | None, unit: str = "") -> str:
    """12.50 → “12.5”, 1234 → “1,234”; pounds as money() shows them: “£1,234.00”. A figure kept as text
    (a published snapshot's "1234.00") reads the same."""
    if value is None or value == "":
        return ""
    value = value if isinstance(value, Decimal) else Decimal(str(value))
    if unit == "gbp":
        return money(value)
    text = f"{value.normalize():,f}" if value == value.to_integral() else f"{value:,f}".rstrip("0").rstrip(".")
    return text


@register.filter
def status_tag(status: str) -> str:
    return STATUS_TAG_COLOURS.get(status, "govuk-tag--grey")
