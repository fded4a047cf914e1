"""`commonweal spend import|summary|suppliers|...`: spend analysis on the command line.

Each action lives in its own module (`commonweal/spend/cli_*.py`) with `HELP`, `arguments(parser)` and
`run(command, options)`, so this file only wires them together.
"""

from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

ACTIONS = {
    "import": "commonweal.spend.cli_import",
    "suppliers": "commonweal.spend.cli_suppliers",
    "summary": "commonweal.spend.cli_summary",
}


class Command(BaseCommand):
    help = "Import council spend files, classify suppliers and summarise where the money goes."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, module_path in ACTIONS.items():
            module = import_module(module_path)
            module.arguments(actions.add_parser(name, help=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        import_module(ACTIONS[options["action"]]).run(self, options)
