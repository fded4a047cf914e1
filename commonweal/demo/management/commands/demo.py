"""`commonweal demo load`: load the demo organisations, accounts and agreements (idempotent).
`commonweal demo scale --organisations N`: generate a national dataset for load tests (services_scale.py)."""

import time
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from commonweal.demo.selectors_scale import SCALE_PASSWORD
from commonweal.demo.services import DEMO_PASSWORD, demo_load
from commonweal.demo.services_scale import ScaleSizes, scale_generate


class Command(BaseCommand):
    help = "Load the demo data (running it again changes nothing), or generate a national dataset."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("load", help="create the demo data that is missing")
        scale = actions.add_parser(
            "scale", help="generate N public bodies with suppliers, agreements, returns and payments (seeded)"
        )
        scale.add_argument("--organisations", type=int, required=True, help="public bodies (300: national scale)")
        scale.add_argument("--seed", type=int, default=2026, help="the same seed gives the same data (default 2026)")
        scale.add_argument(
            "--payments",
            type=int,
            default=None,
            help="payments a body (default: 50 million across 300 bodies, about 166,667 each; 0 for none)",
        )
        scale.add_argument(
            "--agreements",
            type=int,
            default=None,
            help="agreements a body (default: 20,000 across 300 bodies, 67 each)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), width=120)
        if options["action"] == "scale":
            self._scale(console, options)
            return
        result = demo_load()
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

    def _scale(self, console: Console, options: dict[str, Any]) -> None:
        try:
            sizes = ScaleSizes.for_organisations(
                options["organisations"],
                payments_per_body=options["payments"],
                agreements_per_body=options["agreements"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        tasks: dict[str, TaskID] = {}
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=options.get("verbosity", 1) == 0,
        ) as bars:

            def advance(what: str, done: int, total: int) -> None:
                if what not in tasks:
                    tasks[what] = bars.add_task(what, total=total)
                bars.advance(tasks[what], done)

            result = scale_generate(
                organisations=sizes.organisations,
                seed=options["seed"],
                payments_per_body=sizes.payments_per_body,
                agreements_per_body=sizes.agreements_per_body,
                progress=advance,
            )
        table = Table(title=f"Generated in {time.perf_counter() - started:.0f} s (seed {options['seed']})")
        table.add_column("What")
        table.add_column("Rows", justify="right")
        for name, count in result.created.items():
            table.add_row(name, f"{count:,}")
        console.print(table)
        if result.skipped_bodies:
            console.print(f"{result.skipped_bodies} public bodies were there already and were left as they were.")
        console.print(
            f"Sign in as lead@scale-body-001.example or manager@scale-body-001.example (password {SCALE_PASSWORD})."
        )
