"""Grants as payments to VCSEs in spend analysis (docs/spend-analysis.md, "Grants").

A public body's grant agreements (360Giving imports and grants made here) are added to its payments as
one payment each, on the award date, for the part of the amount awarded that the payment files do not
hold already, to the recipient. **The matching rule**: a grant is in the payment files when a payment has
the grant's identifier as its transaction reference; otherwise the payments to the same recipient (the
same normalised name, charity number or Companies House number) dated from 31 days before the award date
to 365 days after it are taken as paid towards the grant, so a grant paid in instalments is counted once,
and only what those payments leave of the award is added. Money is never counted twice; where a recipient
was also paid for something else in that window, the grant's added part is understated rather than the
spend inflated. The recipients of grants count as VCSEs unless the supplier registry says otherwise (a
manual override or any label for VCSE decides).
"""

from datetime import date
from decimal import Decimal
from typing import Any

from commonweal.delivery.models import Agreement, AgreementKind, Grant
from commonweal.tenancy.models import Organisation

from .names import normalise_name
from .schema import PARQUET_COLUMNS

GRANT_TABLE = "grant_payments"
GRANT_EXPENSE_TYPE = "Grant (360Giving)"
BEFORE_DAYS = 31
AFTER_DAYS = 365


def grant_payment_rows(organisation: Organisation) -> list[dict[str, Any]]:
    """One payment-shaped row per grant agreement of the organisation, in the Parquet columns."""
    identifiers = dict(Grant.objects.filter(organisation=organisation).values_list("agreement_id", "identifier"))
    rows = []
    agreements = (
        Agreement.objects.filter(organisation=organisation, kind=AgreementKind.GRANT)
        .select_related("supplier")
        .order_by("pk")
    )
    for number, agreement in enumerate(agreements, start=1):
        award_date: date = agreement.start_date
        grant = getattr(agreement, "grant", None) if agreement.pk in identifiers else None
        if grant is not None:
            award_date = grant.award_date
        recipient = agreement.supplier
        rows.append(
            {
                "import_id": None,
                "line": number,
                "payment_date": award_date,
                "amount": Decimal(agreement.value),
                "supplier_name": recipient.name,
                "supplier_key": normalise_name(recipient.name) or None,
                "redacted": False,
                "transaction_ref": identifiers.get(agreement.pk, agreement.reference),
                "body": organisation.name,
                "service_area": grant.programme_title if grant is not None else "",
                "expense_type": GRANT_EXPENSE_TYPE,
                "category_code": "",
                "description": agreement.title,
                "supplier_postcode": "",
                "companies_house_number": recipient.companies_house_number,
                "vat_number": "",
                "charity_number": recipient.charity_number,
                "irrecoverable_vat": None,
            }
        )
    return rows


def has_grants(organisation: Organisation) -> bool:
    return Agreement.objects.filter(organisation=organisation, kind=AgreementKind.GRANT).exists()


def grant_columns(rows: list[dict[str, Any]]) -> tuple[str, list[list[Any]]]:
    """The SELECT that makes the grant table from one list parameter per column, and the lists."""
    select = ", ".join(
        f"unnest(${number}::{kind}[]) AS {name}" for number, (name, kind) in enumerate(PARQUET_COLUMNS.items(), start=1)
    )
    return select, [[row[name] for row in rows] for name in PARQUET_COLUMNS]


def payments_with_grants_sql(payments: str) -> str:
    """The payments, and what the payment files do not hold of each grant (the matching rule above)."""
    columns = ", ".join("g.amount - g.paid AS amount" if name == "amount" else f"g.{name}" for name in PARQUET_COLUMNS)
    paid = (
        f"coalesce((SELECT sum(m.amount) FROM {payments} AS m WHERE "  # noqa: S608
        "(m.supplier_key = g.supplier_key"
        " OR (coalesce(g.charity_number, '') <> '' AND m.charity_number = g.charity_number)"
        " OR (coalesce(g.companies_house_number, '') <> '' AND m.companies_house_number = g.companies_house_number))"
        f" AND m.payment_date BETWEEN g.payment_date - INTERVAL {BEFORE_DAYS} DAY"
        f" AND g.payment_date + INTERVAL {AFTER_DAYS} DAY), 0)"
    )
    return (
        f"(SELECT * FROM {payments} UNION ALL SELECT {columns} FROM ("  # noqa: S608
        f"SELECT *, {paid} AS paid FROM {GRANT_TABLE} AS g WHERE NOT EXISTS ("
        f"SELECT 1 FROM {payments} AS m WHERE m.transaction_ref = g.transaction_ref)) AS g "
        "WHERE g.amount - g.paid > 0)"
    )
