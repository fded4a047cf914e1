"""`commonweal spend summary`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

HELP = "(being built)"


def arguments(parser: CommandParser) -> None:
    parser.add_argument("--organisation", required=True, help="the organisation's short name (slug)")


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    raise CommandError("Not built yet.")
