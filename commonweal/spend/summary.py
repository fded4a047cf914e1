"""The spend summary: the headline figures, shares, influenceable spend, financial years and top
suppliers in one, as `commonweal spend summary` prints them and the API returns them."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from commonweal.tenancy.models import Organisation

from .analytics import (
    ALL_SPEND,
    LABELS,
    Breakdown,
    ClassShare,
    Headline,
    Influence,
    SpendFilter,
    SupplierSpend,
    spend_by_period,
    spend_data,
    spend_headline,
    spend_influence,
    spend_shares,
    spend_top_suppliers,
)

SUMMARY_TOP_SUPPLIERS = 10


@dataclass(frozen=True)
class Summary:
    organisation: Organisation
    spend_filter: SpendFilter
    headline: Headline
    shares: list[ClassShare]
    influence: Influence
    financial_years: list[Breakdown]
    top_suppliers: list[SupplierSpend]


def spend_summary(
    *, organisation: Organisation, spend_filter: SpendFilter = ALL_SPEND, top: int = SUMMARY_TOP_SUPPLIERS
) -> Summary:
    """Every figure of the summary, from one DuckDB connection."""
    with spend_data(organisation=organisation) as data:
        return Summary(
            organisation=organisation,
            spend_filter=spend_filter,
            headline=spend_headline(organisation=organisation, spend_filter=spend_filter, data=data),
            shares=spend_shares(organisation=organisation, spend_filter=spend_filter, data=data),
            influence=spend_influence(organisation=organisation, spend_filter=spend_filter, data=data),
            financial_years=spend_by_period(
                organisation=organisation, period="financial_year", spend_filter=spend_filter, data=data
            ),
            top_suppliers=spend_top_suppliers(
                organisation=organisation, spend_filter=spend_filter, limit=top, data=data
            ),
        )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def summary_data(summary: Summary) -> dict[str, Any]:
    """The summary as JSON-ready data (money and percentages as decimal strings): the API's response and
    `commonweal spend summary --json`."""
    headline = summary.headline
    spend_filter = summary.spend_filter
    return {
        "organisation": summary.organisation.slug,
        "filter": {
            "date_from": spend_filter.date_from.isoformat() if spend_filter.date_from else None,
            "date_to": spend_filter.date_to.isoformat() if spend_filter.date_to else None,
            "service_area": spend_filter.service_area or None,
            "expense_type": spend_filter.expense_type or None,
            **{label: getattr(spend_filter, label) for label in LABELS},
            "include_not_influenceable": spend_filter.include_not_influenceable,
            "description": spend_filter.description(),
        },
        "totals": {
            "total": str(headline.total),
            "payments": headline.payments,
            "credits": str(headline.credits),
            "credit_payments": headline.credit_payments,
            "redacted": str(headline.redacted),
            "redacted_payments": headline.redacted_payments,
            "redacted_percent": _text(headline.redacted_percent),
            "suppliers": headline.suppliers,
            "first_payment_date": headline.first_date.isoformat() if headline.first_date else None,
            "last_payment_date": headline.last_date.isoformat() if headline.last_date else None,
        },
        "classification": [
            {
                "label": share.label,
                "title": share.title,
                "amount": str(share.amount),
                "not_amount": str(share.not_amount),
                "unknown": str(share.unknown),
                "redacted": str(share.redacted),
                "percent_of_classified": _text(share.percent_of_classified),
                "percent_of_all": _text(share.percent_of_all),
                "unknown_percent": _text(share.unknown_percent),
            }
            for share in summary.shares
        ],
        "influenceable": {
            "influenceable": str(summary.influence.influenceable),
            "not_influenceable": str(summary.influence.not_influenceable),
            "influenceable_percent": _text(summary.influence.influenceable_percent),
            "rules": [
                {"rule": rule.rule, "amount": str(rule.amount), "payments": rule.payments}
                for rule in summary.influence.rules
            ],
            "ignored_rules": summary.influence.ignored_rules,
        },
        "financial_years": [
            {
                "year": year.name,
                "amount": str(year.amount),
                "payments": year.payments,
                "local": str(year.local),
                "not_local": str(year.not_local),
                "local_unknown": str(year.local_unknown),
            }
            for year in summary.financial_years
        ],
        "top_suppliers": [
            {
                "rank": supplier.rank,
                "supplier_id": supplier.supplier_id,
                "name": supplier.name,
                "amount": str(supplier.amount),
                "payments": supplier.payments,
                "local": supplier.local,
                "sme": supplier.sme,
                "vcse": supplier.vcse,
                "living_wage": supplier.living_wage,
                "district_code": supplier.district_code,
            }
            for supplier in summary.top_suppliers
        ],
    }
