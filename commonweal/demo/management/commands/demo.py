"""`commonweal demo load`: load the demo organisations, accounts and agreements (idempotent)."""

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.table import Table

from commonweal.demo.services import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo data. Running it again changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"], help="load: create the demo data that is missing")

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load()
        console = Console(file=cast(IO[str], self.stdout), width=120)
        if result.created:
            console.print(f"Created {len(result.created)} demo records.")
        else:
            console.print("The demo data was already loaded: nothing changed.")
        table = Table(title=f"Demo accounts (password for all: {DEMO_PASSWORD})")
        for column in ("Email", "Organisation", "Role"):
            table.add_column(column)
        for email, organisation, role in result.accounts:
            table.add_row(email, organisation, role.replace("_", " "))
        console.print(table)
