"""`commonweal report annual --organisation SLUG --year 2026 --pdf PATH|--csv|--json`: the year's annual
impact report, its latest published version if it has one, else the draft (marked as a draft)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from . import annual_files, selectors_report

HELP = "The year's impact report: the published version, else the draft, as a PDF, CSV or JSON."


def arguments(parser: CommandParser) -> None:
    parser.add_argument("--organisation", required=True, help="the organisation's short name (slug)")
    parser.add_argument(
        "--year", required=True, type=int, help="the year the financial year starts in: 2026 is 2026/27"
    )
    shape = parser.add_mutually_exclusive_group(required=True)
    shape.add_argument("--pdf", metavar="PATH", help="write the tagged A4 PDF to PATH")
    shape.add_argument("--csv", action="store_true", help="every figure as CSV (table, row, column, value, text)")
    shape.add_argument("--json", action="store_true", help="the report as JSON, as the API returns it")


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    organisation = Organisation.objects.filter(slug=options["organisation"]).first()
    if organisation is None:
        raise CommandError(f"No organisation has the short name “{options['organisation']}”.")
    if not organisation.is_public_body:
        raise CommandError(f"{organisation.name} is not a public body: only public bodies publish impact reports.")
    start_year = options["year"]
    # The command runs with the operator's authority, reading as the organisation itself.
    view = selectors_report.annual_view(member=Member.system(organisation), start_year=start_year)
    if view is None:
        label = f"{start_year}/{(start_year + 1) % 100:02d}"
        raise CommandError(f"{organisation.name} has no impact report for {label}.")
    standing = "the draft (not signed off or published)" if view.draft else f"version {view.version}"
    if options.get("pdf"):
        path = Path(options["pdf"])
        try:
            path.write_bytes(annual_files.report_pdf(view))
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        command.stdout.write(f"Wrote {standing} of “{view.content.title}” to {path}.")
    elif options.get("csv"):
        command.stdout.write(annual_files.figures_csv(view), ending="")
    else:
        command.stdout.write(annual_files.report_json(view))
