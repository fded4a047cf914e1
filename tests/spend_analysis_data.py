"""A small, hand-checked spend world for the analysis tests: ten payments of one council, with suppliers
classified by hand, whose every figure is worked out in the comments below.

| # | paid       |   amount | supplier                        | service area      | expense type   |
|---|------------|----------|---------------------------------|-------------------|----------------|
| 1 | 2024-04-10 |  1000.00 | Northgate Bakery Ltd            | Schools           | Catering       |
| 2 | 2024-05-15 |   500.00 | Northgate Bakeries Ltd (alias)  | Schools           | Catering       |
| 3 | 2024-05-20 |  -100.00 | Northgate Bakery Ltd (a credit) | Schools           | Catering       |
| 4 | 2024-06-01 |  2000.00 | Riverside Trust                 | Adult Social Care | Grants         |
| 5 | 2024-06-30 |  5000.00 | Megacorp PLC                    | Highways          | Construction   |
| 6 | 2025-01-15 |  1500.00 | Distant Supplies Ltd            | Highways          | Materials      |
| 7 | 2025-03-31 |   800.00 | Unknown Things Ltd              | Schools           | Stationery     |
| 8 | 2025-04-01 |   300.00 | Unregistered Co                 | Schools           | Stationery     |
| 9 | 2024-07-01 |   700.00 | Redacted personal data          | Adult Social Care | Care packages  |
| 10| 2024-08-01 |  1200.00 | Police and Crime Commissioner   | Corporate         | Police precept |

Classified by hand: Northgate (local, SME, not VCSE, Living Wage; Trafford, IMD decile 7); Riverside
(local, SME, VCSE, Living Wage not known; Middlesbrough, decile 1); Megacorp (none of the four; City of
London); Distant (not local, SME, the rest not known; Hartlepool); Unknown Things (in the registry,
nothing known). Unregistered Co and the Police and Crime Commissioner are not in the registry.

Total 12,900.00 in 10 payments; one credit of -100.00; redacted 700.00. The policy's rule "expense type
contains precept" leaves out payment 10, so 11,700.00 is influenceable.
"""

import datetime
from typing import Any

from commonweal.spend.models import Label, SpendPolicy, Supplier, SupplierAlias, SupplierLabel
from commonweal.tenancy.models import Organisation

from .spend_suppliers_support import import_with_payments, payment

NORTHGATE = "Northgate Bakery Ltd"
RIVERSIDE = "Riverside Trust"
MEGACORP = "Megacorp PLC"
DISTANT = "Distant Supplies Ltd"
UNKNOWN = "Unknown Things Ltd"
TRAFFORD = "E08000009"  # IMD 2019 decile 7
MIDDLESBROUGH = "E06000002"  # decile 1
CITY_OF_LONDON = "E09000001"
HARTLEPOOL = "E06000001"


def _paid(day: str, name: str, amount: str, service_area: str, expense_type: str) -> dict[str, Any]:
    return payment(
        name,
        amount,
        payment_date=datetime.date.fromisoformat(day),
        service_area=service_area,
        expense_type=expense_type,
        transaction_ref=f"T-{day}-{name[:5]}",
    )


PAYMENTS = [
    _paid("2024-04-10", NORTHGATE, "1000.00", "Schools", "Catering"),
    _paid("2024-05-15", "Northgate Bakeries Ltd", "500.00", "Schools", "Catering"),
    _paid("2024-05-20", NORTHGATE, "-100.00", "Schools", "Catering"),
    _paid("2024-06-01", RIVERSIDE, "2000.00", "Adult Social Care", "Grants"),
    _paid("2024-06-30", MEGACORP, "5000.00", "Highways", "Construction"),
    _paid("2025-01-15", DISTANT, "1500.00", "Highways", "Materials"),
    _paid("2025-03-31", UNKNOWN, "800.00", "Schools", "Stationery"),
    _paid("2025-04-01", "Unregistered Co", "300.00", "Schools", "Stationery"),
    _paid("2024-07-01", "Redacted personal data", "700.00", "Adult Social Care", "Care packages"),
    _paid("2024-08-01", "Police and Crime Commissioner", "1200.00", "Corporate", "Police precept"),
]


def supplier_add(
    organisation: Organisation,
    name: str,
    labels: dict[str, bool],
    *,
    district_code: str = "",
    aliases: tuple[str, ...] = (),
) -> Supplier:
    """A supplier in the registry with derived labels set by hand (no classification run)."""
    supplier = Supplier.objects.create(
        organisation=organisation, name=name, normalised_name=name.upper(), district_code=district_code
    )
    for alias in aliases:
        SupplierAlias.objects.create(organisation=organisation, supplier=supplier, normalised_name=alias, how="manual")
    for label, value in labels.items():
        SupplierLabel.objects.create(
            organisation=organisation, supplier=supplier, label=label, value=value, source="test"
        )
    return supplier


def spend_world(organisation: Organisation) -> dict[str, Supplier]:
    """The payments above, imported for `organisation`, with its suppliers and spend policy."""
    import_with_payments(organisation, PAYMENTS)
    suppliers = {
        NORTHGATE: supplier_add(
            organisation,
            NORTHGATE,
            {Label.LOCAL: True, Label.SME: True, Label.VCSE: False, Label.LIVING_WAGE: True},
            district_code=TRAFFORD,
            aliases=("NORTHGATE BAKERIES LTD",),
        ),
        RIVERSIDE: supplier_add(
            organisation,
            RIVERSIDE,
            {Label.LOCAL: True, Label.SME: True, Label.VCSE: True},
            district_code=MIDDLESBROUGH,
        ),
        MEGACORP: supplier_add(
            organisation,
            MEGACORP,
            {Label.LOCAL: False, Label.SME: False, Label.VCSE: False, Label.LIVING_WAGE: False},
            district_code=CITY_OF_LONDON,
        ),
        DISTANT: supplier_add(organisation, DISTANT, {Label.LOCAL: False, Label.SME: True}, district_code=HARTLEPOOL),
        UNKNOWN: supplier_add(organisation, UNKNOWN, {}),
    }
    SpendPolicy.objects.create(
        organisation=organisation,
        local_district_codes=[TRAFFORD, MIDDLESBROUGH],
        not_influenceable_rules=[{"field": "expense_type", "contains": "precept"}],
    )
    return suppliers
