"""`commonweal report budget --organisation SLUG --year 2026 --json|--csv`: the social value budget's figures;
`commonweal report annual --organisation SLUG --year 2026 --pdf PATH|--csv|--json`: the annual impact report
(its own module, `reporting/cli_annual.py`)."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.core.exports import csv_write
from commonweal.reporting import budget as rules
from commonweal.reporting import cli_annual
from commonweal.reporting.selectors_budget import budget_get, year_get
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member


class Command(BaseCommand):
    help = "Print an organisation's social value budget for a financial year: every figure, as JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        reports = parser.add_subparsers(dest="report", required=True)
        budget = reports.add_parser("budget", help="the social value budget's figures for a financial year")
        budget.add_argument("--organisation", required=True, help="the organisation's short name (slug)")
        budget.add_argument("--year", required=True, type=int, help="the year the financial year starts in, e.g. 2026")
        shape = budget.add_mutually_exclusive_group()
        shape.add_argument("--json", action="store_const", const="json", dest="format", help="JSON (the default)")
        shape.add_argument("--csv", action="store_const", const="csv", dest="format", help="CSV, a row per measure")
        cli_annual.arguments(reports.add_parser("annual", help=cli_annual.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["report"] == "annual":
            cli_annual.run(self, options)
            return
        member = self._member(options["organisation"])
        if options["report"] == "budget":
            self._budget(member, options["year"], options.get("format") or "json")

    def _member(self, slug: str) -> Member:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation has the short name “{slug}”.")
        # The command runs with the operator's authority, reading as the organisation itself.
        return Member.system(organisation)

    def _budget(self, member: Member, start_year: int, shape: str) -> None:
        year = year_get(member=member, start_year=start_year)
        if year is None:
            raise CommandError(
                f"{member.organisation} has no financial year {start_year}/{(start_year + 1) % 100:02d}: "
                "add it on the social value budget page first."
            )
        figures = budget_get(member=member, year=year, shares=True)
        if shape == "csv":
            csv_write(self.stdout, rules.CSV_FIELDS, rules.csv_rows(figures))
        else:
            self.stdout.write(json.dumps(figures.as_dict(), indent=2))
