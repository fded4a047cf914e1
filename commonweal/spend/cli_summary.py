"""`commonweal spend summary --organisation SLUG [--from DATE] [--to DATE] [--json]`: the headline spend
figures, classification shares, influenceable spend, financial years and top suppliers."""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from commonweal.core.formatting import money, percent
from commonweal.tenancy.models import Organisation

from .analytics import SpendFilter, has_spend
from .summary import spend_summary, summary_data

HELP = "Summarise where the organisation's money goes (--json for the API's figures)."
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def arguments(parser: CommandParser) -> None:
    parser.add_argument("--organisation", required=True, help="the organisation's short name (slug)")
    parser.add_argument("--from", dest="date_from", help="count payments made on or after this date (2024-04-01)")
    parser.add_argument("--to", dest="date_to", help="count payments made on or before this date (2025-03-31)")
    parser.add_argument(
        "--influenceable-only", action="store_true", help="leave out spend the spend policy cannot influence"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the figures as JSON, as GET .../spend/summary/ returns them"
    )


def _date(text: str | None, option: str) -> date | None:
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            # A calendar day, not a moment: no time zone applies, and only the date is kept.
            return datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise CommandError(f"{option}: “{text}” is not a date. Give it as 2024-04-01 or 1/4/2024.")


def _percent(value: str | None) -> str:
    """A percentage from the summary's JSON figures (decimal strings), or “not given”."""
    return percent(Decimal(value)) if value is not None else "not given"


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    organisation = Organisation.objects.filter(slug=options["organisation"]).first()
    if organisation is None:
        raise CommandError(f"No organisation has the short name “{options['organisation']}”.")
    if not organisation.is_public_body:
        raise CommandError(f"{organisation.name} is not a public body: only public bodies analyse their spend.")
    date_from, date_to = _date(options.get("date_from"), "--from"), _date(options.get("date_to"), "--to")
    if date_from and date_to and date_to < date_from:
        raise CommandError("--to must be the same as or after --from.")
    spend_filter = SpendFilter(
        date_from=date_from, date_to=date_to, include_not_influenceable=not options.get("influenceable_only")
    )
    summary = spend_summary(organisation=organisation, spend_filter=spend_filter)
    data = summary_data(summary)
    if options.get("json"):
        command.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        return
    console = Console(file=cast(IO[str], command.stdout), width=120, highlight=False)
    if not has_spend(organisation=organisation):
        console.print(f"{organisation.name} has not imported any spend yet.")
        return
    totals = data["totals"]
    headline = summary.headline
    console.print(f"{organisation.name}: {'; '.join(spend_filter.description())}.")
    console.print(
        f"Total spend {money(headline.total)} in {headline.payments:,} payments "
        f"(credits {money(headline.credits)}); redacted {money(headline.redacted)} "
        f"({_percent(totals['redacted_percent'])}), counted but never classified."
    )
    console.print(
        f"Influenceable {money(summary.influence.influenceable)} "
        f"({_percent(data['influenceable']['influenceable_percent'])})."
    )
    shares = Table(title="Spend by supplier classification")
    for column in ("", "Yes", "No", "Not known", "% of classified", "% of all"):
        shares.add_column(column, justify="left" if not column else "right")
    for share, row in zip(summary.shares, data["classification"], strict=True):
        shares.add_row(
            share.title,
            money(share.amount),
            money(share.not_amount),
            money(share.unknown),
            _percent(row["percent_of_classified"]),
            _percent(row["percent_of_all"]),
        )
    console.print(shares)
    years = Table(title="Spend by financial year")
    for column in ("Year", "Spend", "Payments", "Local", "Not local", "Not known"):
        years.add_column(column, justify="left" if column == "Year" else "right")
    for year in summary.financial_years:
        years.add_row(
            year.name,
            money(year.amount),
            f"{year.payments:,}",
            money(year.local),
            money(year.not_local),
            money(year.local_unknown),
        )
    console.print(years)
    top = Table(title=f"The {len(summary.top_suppliers)} suppliers paid most")
    for column in ("Rank", "Supplier", "Spend", "Payments", "Local"):
        top.add_column(column, justify="left" if column in ("Supplier", "Local") else "right")
    for supplier in summary.top_suppliers:
        top.add_row(
            str(supplier.rank),
            supplier.name,
            money(supplier.amount),
            f"{supplier.payments:,}",
            {True: "yes", False: "no", None: "not known"}[supplier.local],
        )
    console.print(top)
