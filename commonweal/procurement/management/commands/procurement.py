"""`commonweal procurement import-ocds|export-ocds|open-tenders`: procurement open data, and recording
the flags of tenders whose deadline has passed, on the command line.

The command acts with the operator's authority, as the system member of each organisation it writes
for (`Member.system`): its writes are audited as "system". Each action has `HELP`, `arguments(parser)`
and `run(command, options)` below; `ACTIONS` wires them together.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from commonweal.core.errors import ApplicationError
from commonweal.procurement import ocds, selectors
from commonweal.procurement.models import Procurement
from commonweal.procurement.services_evaluation import flags_refresh
from commonweal.procurement.services_opendata import ImportSummary, ocds_export, ocds_import, ocds_import_any_buyer
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member


def _organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise CommandError(f"No organisation has the short name “{slug}”.")
    if not organisation.is_public_body:
        raise CommandError(f"{organisation.name} is not a public body: only public bodies buy.")
    return organisation


# --- import-ocds -----------------------------------------------------------------------------------

IMPORT_HELP = "import Contracts Finder OCDS release packages as procurements, awards and agreements"


def import_arguments(parser: CommandParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="OCDS release package files (.json)")
    parser.add_argument(
        "--organisation",
        help="the buyer's short name (slug): every release must be its notice; without it each release's "
        "buyer is found by name, or created",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def _summary_print(console: Console, summary: ImportSummary) -> None:
    console.print(
        f"Read {summary.releases_read} releases in {summary.files_read} files; {summary.releases_imported} "
        f"releases imported, from {summary.files_imported} files. Procurements: "
        f"{summary.procurements_created} created, {summary.procurements_updated} updated, "
        f"{summary.procurements_unchanged} unchanged. Awards: {summary.awards_created}; agreements: "
        f"{summary.agreements_created}; suppliers created: {summary.suppliers_created}, flags updated: "
        f"{summary.suppliers_updated}; buyers created: {summary.buyers_created}; rejected: {len(summary.rejected)}.",
        markup=False,
    )
    if not summary.changed:
        console.print("Nothing changed: everything in these files was known already.", markup=False)
    for note in summary.notes:
        console.print(f"Note: {note}", markup=False)


def import_run(command: BaseCommand, options: dict[str, Any]) -> None:
    organisation = _organisation(options["organisation"]) if options["organisation"] else None
    paths: list[Path] = options["paths"]
    files = []
    for path in paths:
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    stdout = Console(file=cast(IO[str], command.stdout), width=120, highlight=False)
    stderr = Console(file=cast(IO[str], command.stderr), width=120, highlight=False)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=stderr
    ) as bar:
        task = bar.add_task("Importing", total=len(files))
        advance: Callable[[str], None] = lambda name: bar.update(task, advance=1, description=name)  # noqa: E731
        try:
            if organisation is not None:
                summary = ocds_import(actor=None, member=Member.system(organisation), files=files, progress=advance)
            else:
                summary = ocds_import_any_buyer(files=files, progress=advance)
        except ApplicationError as error:
            raise CommandError(error.message) from None
    if options["json"]:
        command.stdout.write(json.dumps(summary.as_dict(), indent=2))
    else:
        _summary_print(stdout, summary)
    for rejection in summary.rejected:
        stderr.print(f"Rejected: {rejection}", markup=False)
    if summary.rejected:
        raise CommandError(f"{summary.rejected_text()} (listed above); the other releases were imported.")


# --- export-ocds -----------------------------------------------------------------------------------

EXPORT_HELP = "export one procurement, its awards and the contracts' social value KPIs as an OCDS 1.1 release package"


def export_arguments(parser: CommandParser) -> None:
    parser.add_argument("reference", metavar="REFERENCE", help="the procurement's reference")
    parser.add_argument("--organisation", required=True, help="the buyer's short name (slug)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the package here (default: print it)")


def export_run(command: BaseCommand, options: dict[str, Any]) -> None:
    organisation = _organisation(options["organisation"])
    procurement = Procurement.objects.filter(organisation=organisation, reference=options["reference"]).first()
    if procurement is None:
        raise CommandError(f"{organisation.name} has no procurement with the reference “{options['reference']}”.")
    try:
        # The operator is no member: tenderers beyond the winners are left out (the sealed-bid rule).
        package = ocds_export(procurement=procurement, member=None)
    except ApplicationError as error:
        raise CommandError(error.message) from None
    content = ocds.package_json(package)
    output: Path | None = options["output"]
    if output is None:
        command.stdout.write(content, ending="")
        return
    try:
        output.write_text(content, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
    command.stdout.write(f"Wrote {output}: a valid OCDS 1.1.5 release package of {procurement.reference}.")


# --- open-tenders ----------------------------------------------------------------------------------

OPEN_TENDERS_HELP = (
    "record the flags the rules raise on the tenders of every procurement whose tender deadline has passed, "
    "ready for the planners' decisions (run it from cron: see docs/procurement-evaluation.md)"
)


def open_tenders_arguments(parser: CommandParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the flags recorded per procurement as JSON")


def open_tenders_run(command: BaseCommand, options: dict[str, Any]) -> None:
    recorded: dict[str, int] = {}
    for procurement in selectors.procurements_with_tenders_opened():
        member = Member.system(procurement.organisation)
        created = flags_refresh(actor=None, member=member, procurement=procurement)
        recorded[f"{procurement.organisation.slug}/{procurement.reference}"] = len(created)
    if options["json"]:
        command.stdout.write(json.dumps(recorded, indent=2))
        return
    total = sum(recorded.values())
    command.stdout.write(
        f"Checked {len(recorded)} procurement{'s' if len(recorded) != 1 else ''} whose tender deadline has passed: "
        f"{total} new flag{'s' if total != 1 else ''} recorded."
    )
    for name, count in recorded.items():
        if count:
            command.stdout.write(f"{name}: {count} recorded")


ACTIONS: dict[str, tuple[str, Callable[[CommandParser], None], Callable[[BaseCommand, dict[str, Any]], None]]] = {
    "import-ocds": (IMPORT_HELP, import_arguments, import_run),
    "export-ocds": (EXPORT_HELP, export_arguments, export_run),
    "open-tenders": (OPEN_TENDERS_HELP, open_tenders_arguments, open_tenders_run),
}


class Command(BaseCommand):
    help = (
        "Procurement open data (import OCDS notices, export a procurement as OCDS) and recording the flags "
        "of tenders whose deadline has passed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, (text, arguments, _) in ACTIONS.items():
            arguments(actions.add_parser(name, help=text))

    def handle(self, *args: Any, **options: Any) -> None:
        ACTIONS[options["action"]][2](self, options)
