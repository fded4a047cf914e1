"""`commonweal report annual|...`: the social value budget and the annual impact report on the command line.

Each action lives in its own module (`commonweal/reporting/cli_*.py`) with `HELP`, `arguments(parser)` and
`run(command, options)`, so this file only wires them together.
"""

from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

ACTIONS = {
    "annual": "commonweal.reporting.cli_annual",
}


class Command(BaseCommand):
    help = "The social value budget and the annual impact report."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, module_path in ACTIONS.items():
            module = import_module(module_path)
            module.arguments(actions.add_parser(name, help=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        import_module(ACTIONS[options["action"]]).run(self, options)
