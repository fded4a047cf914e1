"""`commonweal network report --network SLUG --quarter 2026Q3 --json|--csv`: a network's figures for a
quarter (as published, when the quarter's report is published; else worked out now, aggregates only)."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.core.errors import ApplicationError
from commonweal.core.exports import csv_write
from commonweal.networks import report_files
from commonweal.networks.figures import network_figures
from commonweal.networks.models import NetworkReport
from commonweal.networks.rules import Quarter
from commonweal.tenancy.models import Organisation, OrganisationKind


class Command(BaseCommand):
    help = "Print a network's figures for a quarter, as JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        report = commands.add_parser("report", help="the network's figures for a quarter")
        report.add_argument("--network", required=True, help="the network's short name (slug)")
        report.add_argument("--quarter", required=True, help="the quarter, like 2026Q3")
        shape = report.add_mutually_exclusive_group()
        shape.add_argument("--json", action="store_const", const="json", dest="format", help="JSON (the default)")
        shape.add_argument("--csv", action="store_const", const="csv", dest="format", help="CSV, a row per metric")

    def handle(self, *args: Any, **options: Any) -> None:
        network = Organisation.objects.filter(slug=options["network"], kind=OrganisationKind.NETWORK).first()
        if network is None:
            raise CommandError(f"No network has the short name “{options['network']}”.")
        try:
            quarter = Quarter.parse(options["quarter"])
        except ApplicationError as error:
            raise CommandError(error.message) from None
        published = NetworkReport.objects.filter(network=network, quarter=str(quarter)).first()
        figures = published.figures if published else network_figures(network=network, quarter=quarter).figures
        if (options.get("format") or "json") == "csv":
            csv_write(self.stdout, report_files.CSV_FIELDS, report_files.figure_rows(figures))
            return
        data = {"standing": "published" if published else "worked out now", "figures": figures}
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
