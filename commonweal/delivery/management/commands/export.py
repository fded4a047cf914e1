"""`commonweal export commitments --organisation SLUG --format csv|json`: commitments with their progress."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.core.exports import csv_write
from commonweal.delivery.selectors_status import COMMITMENT_EXPORT_FIELDS, commitment_export_rows
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member


class Command(BaseCommand):
    help = "Export an organisation's commitments with target, claimed and verified quantities and their status."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["commitments"], help="what to export")
        parser.add_argument("--organisation", required=True, help="the organisation's short name (slug)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation has the short name “{options['organisation']}”.")
        # The command runs with the operator's authority, reading as the organisation itself.
        member = Member.system(organisation)
        rows = commitment_export_rows(member=member)
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        else:
            csv_write(self.stdout, COMMITMENT_EXPORT_FIELDS, rows)
