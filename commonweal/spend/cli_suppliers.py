"""`commonweal spend suppliers classify|flags|living-wage`: the supplier registry on the command line.

The command acts with the operator's authority (`Member.system(organisation)`): its writes are audited
as "system".
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.core.errors import ApplicationError
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from . import services_suppliers as services

HELP = "classify suppliers, apply OCDS/360Giving flags, or load the Real Living Wage employer list"


def arguments(parser: CommandParser) -> None:
    actions = parser.add_subparsers(dest="suppliers_action", required=True, metavar="ACTION")
    classify = actions.add_parser("classify", help="recompute every supplier's derived labels")
    flags = actions.add_parser(
        "flags", help="label suppliers from OCDS release packages, 360Giving files (JSON or CSV) or a size list (CSV)"
    )
    flags.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a .json or .csv file")
    living_wage = actions.add_parser(
        "living-wage", help="replace the Real Living Wage employer list with the names in a CSV file"
    )
    living_wage.add_argument("path", type=Path, metavar="PATH", help="a .csv file of employer names")
    for action in (classify, flags, living_wage):
        action.add_argument("--organisation", required=True, help="the organisation's short name (slug)")
        action.add_argument("--json", action="store_true", help="print the counts as JSON")


def _organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise CommandError(f"No organisation has the short name “{slug}”.")
    if not organisation.is_public_body:
        raise CommandError(f"{organisation.name} is not a public body: only public bodies analyse their spend.")
    return organisation


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None


def _print(command: BaseCommand, options: dict[str, Any], counts: dict[str, Any], text: str) -> None:
    command.stdout.write(json.dumps(counts) if options["json"] else text)


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    organisation = _organisation(options["organisation"])
    member = Member.system(organisation)
    action = options["suppliers_action"]
    try:
        if action == "classify":
            counts = services.supplier_classify(actor=None, member=member)
            _print(
                command,
                options,
                counts.as_dict(),
                f"Classified {counts.suppliers} suppliers of {organisation.name}: {counts.labels_created} labels "
                f"added, {counts.labels_changed} changed, {counts.labels_removed} removed.",
            )
        elif action == "flags":
            files = [(path.name, _read(path)) for path in options["paths"]]
            result = services.supplier_flags_apply(actor=None, member=member, files=files)
            _print(
                command,
                options,
                result.__dict__,
                f"Read {result.records} organisations from {result.files} file(s); {result.matched_records} matched "
                f"{result.suppliers} suppliers of {organisation.name}: {result.labels_created} labels added, "
                f"{result.labels_changed} changed.",
            )
        else:
            path = options["path"]
            loaded = services.living_wage_list_load(actor=None, member=member, content=_read(path), filename=path.name)
            _print(
                command,
                options,
                loaded.__dict__,
                f"Loaded {loaded.employers} Real Living Wage employers for {organisation.name}; "
                f"{loaded.matched_suppliers} suppliers are on the list.",
            )
    except ApplicationError as error:
        raise CommandError(error.message) from None
