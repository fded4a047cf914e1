"""Generated spend files (hypothesis) of every shape the import claims to read: random encodings, delimiters,
line endings, title rows, header positions, column orders, spacer columns, total rows and credits in every
notation. Each imports with exactly the payments and total it was made with, or is refused with a reason;
none imports with a different figure."""

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonweal.core.errors import ApplicationError
from commonweal.spend.models import ImportStatus
from commonweal.spend.services_imports import spend_import_file
from commonweal.tenancy.selectors import Member

from .conftest import Tenant
from .spend_import_support import csv_text
from .spend_import_support import payments as stored

SUPPLIERS = (
    "Acme Ltd",
    "TOTAL HYGIENE LTD",
    "Total Gym Supplies",
    "Crème Brûlée Ltd",
    "Zoë's Café",
    "Smith, Jones & Co",
    'The "Best" Builders',
    "Redacted",
    "Ümlaut Haulage",
)
DESCRIPTIONS = ("Total refurbishment", "Repairs; roof", "Grounds | parks", "", "Café\tsupplies")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")
TITLES = ("Northfield Council", "Payments over £500 to suppliers", "")
LABEL = re.compile(r"^\s*(grand\s*|sub[\s-]*)?totals?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Payment:
    day: int
    month: int
    supplier: str
    description: str
    cents: int


def amount_text(cents: int, notation: str) -> str:
    value = Decimal(abs(cents)) / 100
    negative = cents < 0
    if notation == "plain":
        return f"{'-' if negative else ''}{value:.2f}"
    if notation == "pounds":
        return f"{'-' if negative else ''}£{value:,.2f}"
    if notation == "brackets":
        return f"({value:,.2f})" if negative else f"{value:,.2f}"
    if notation == "trailing minus":
        return f"{value:.2f}-" if negative else f"{value:.2f}"
    return f"{'-' if negative else ''}GBP {value:,.2f}"  # "GBP 1,234.56"


def date_text(payment: Payment, style: str) -> str:
    if style == "dd/mm/yyyy":
        return f"{payment.day:02d}/{payment.month:02d}/2024"
    if style == "iso":
        return f"2024-{payment.month:02d}-{payment.day:02d}"
    if style == "dd-Mon-yyyy":
        return f"{payment.day:02d}-{MONTHS[payment.month - 1][:3]}-2024"
    return f"{payment.day} {MONTHS[payment.month - 1]} 2024"


payments_strategy = st.lists(
    st.builds(
        Payment,
        day=st.integers(1, 28),
        month=st.integers(1, 10),
        supplier=st.sampled_from(SUPPLIERS),
        description=st.sampled_from(DESCRIPTIONS),
        cents=st.integers(-5_000_000, 50_000_000).filter(bool),
    ),
    min_size=1,
    max_size=25,
)


@dataclass(frozen=True)
class Shape:
    encoding: str
    delimiter: str
    newline: str
    titles: tuple[str, ...]
    order: tuple[int, ...]  # the column order (4 is a spacer column)
    notation: str
    date_style: str
    total_row: str  # "none", "labelled" or "bare"


shapes = st.builds(
    Shape,
    encoding=st.sampled_from(("utf-8", "utf-8-sig", "cp1252", "cp437")),
    delimiter=st.sampled_from((",", ";", "\t", "|")),
    newline=st.sampled_from(("\r\n", "\n", "\r")),
    titles=st.lists(st.sampled_from(TITLES), max_size=3).map(tuple),
    order=st.permutations(range(6)).map(tuple),
    notation=st.sampled_from(("plain", "pounds", "brackets", "trailing minus", "GBP")),
    date_style=st.sampled_from(("dd/mm/yyyy", "iso", "dd-Mon-yyyy", "d Month yyyy")),
    total_row=st.sampled_from(("none", "labelled", "bare")),
)


def expected_payments(payments: list[Payment]) -> list[Payment]:
    """The rule the import follows, worked out here: a row whose supplier is labelled as a total ("TOTAL
    HYGIENE LTD") is a total only if its amount is the sum of the payments above it, since the last total
    or from the top."""
    kept: list[Payment] = []
    since_total = above = 0
    rows_since = 0
    for payment in payments:
        labelled = LABEL.match(payment.supplier) is not None
        if labelled and ((rows_since and payment.cents == since_total) or (kept and payment.cents == above)):
            since_total, rows_since = 0, 0
            continue
        kept.append(payment)
        since_total, above, rows_since = since_total + payment.cents, above + payment.cents, rows_since + 1
    return kept


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=shapes, payments=payments_strategy)
def test_generated_files_import_with_their_totals_or_are_refused(
    tenant_a: Tenant, tmp_path: Path, shape: Shape, payments: list[Payment]
) -> None:
    run = uuid.uuid4().hex[:8]  # references unique to the file: no row is a duplicate of another example's
    names = ["Date", "Supplier Name", "Description", "Amount", "Transaction No", ""]
    table = [[names[index] for index in shape.order]]
    for number, payment in enumerate(payments):
        cells = [
            date_text(payment, shape.date_style),
            payment.supplier,
            payment.description,
            amount_text(payment.cents, shape.notation),
            f"{run}-{number}",
            "",
        ]
        table.append([cells[index] for index in shape.order])
    kept = expected_payments(payments)
    total = sum(payment.cents for payment in kept)
    if shape.total_row != "none":
        cells = ["", "Total" if shape.total_row == "labelled" else "", "", amount_text(total, shape.notation), "", ""]
        table.append([cells[index] for index in shape.order])
    body = csv_text(table, newline=shape.newline, delimiter=shape.delimiter)
    text = "".join(title + shape.newline for title in shape.titles) + body
    path = tmp_path / f"{run}.csv"
    path.write_bytes(text.encode(shape.encoding))
    try:
        spend_import = spend_import_file(actor=tenant_a.manager, member=Member.system(tenant_a.buyer), path=path)
    except ApplicationError as error:
        assert error.message.strip(), "a refusal must say why"
        raise AssertionError(f"refused: {error.message}") from error  # none of these shapes should be
    assert spend_import.status == ImportStatus.SUCCEEDED
    assert spend_import.header_line == len(shape.titles) + 1
    assert (spend_import.rows_imported, spend_import.total_amount) == (len(kept), Decimal(total) / 100)
    assert spend_import.rows_read == len(table) - 1
    assert spend_import.rows_imported + spend_import.rows_rejected + spend_import.rows_blank == spend_import.rows_read
    # The encoding is certain when the file is UTF-8 or holds a pound sign (0xA3 in Windows-1252, 0x9C in
    # DOS 437); a DOS file with no pound sign and a letter that is also a Windows one (û) reads as Windows.
    if shape.encoding.startswith("utf-8") or "£" in text:
        assert spend_import.encoding == ("utf-8" if shape.encoding.startswith("utf-8") else shape.encoding)
        assert [row["supplier_name"] for row in stored(spend_import)] == [payment.supplier for payment in kept]
