"""`commonweal spend import PATH... --organisation SLUG`: import spend files now, with a progress bar."""

import json
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from commonweal.core.errors import ApplicationError
from commonweal.core.exports import csv_write
from commonweal.core.formatting import money
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from . import duck, importing
from .models import SpendImport
from .rules import DEFAULT_SOURCE
from .services_imports import spend_import_file

HELP = "import spend files (CSV, XLSX, or a ZIP holding one CSV)"


def arguments(parser: CommandParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="the files to import")
    parser.add_argument("--organisation", required=True, help="the organisation's short name (slug)")
    parser.add_argument(
        "--source",
        default=DEFAULT_SOURCE,
        help=f"where the files come from; its remembered columns are used (default “{DEFAULT_SOURCE}”)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures of each file as JSON")
    parser.add_argument("--rejects-csv", metavar="PATH", help="write every rejected row (file, line, reason) here")


def _figures(path: Path, spend_import: SpendImport, status: str) -> dict[str, Any]:
    return {
        "file": str(path),
        "import_id": spend_import.pk,
        "status": status,
        "rows_read": spend_import.rows_read,
        "rows_imported": spend_import.rows_imported,
        "rows_rejected": spend_import.rows_rejected,
        "rows_duplicate": spend_import.rows_duplicate,
        "rows_redacted": spend_import.rows_redacted,
        "total_amount": str(spend_import.total_amount),
    }


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    slug = options["organisation"]
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise CommandError(f"No organisation has the short name “{slug}”.")
    if not organisation.is_public_body:
        raise CommandError(f"{organisation.name} is not a public body: only public bodies import spend.")
    paths = [Path(path) for path in options["paths"]]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise CommandError(f"No such file: {', '.join(missing)}.")
    member = Member.system(organisation)  # the operator's authority, for this organisation only
    stdout = Console(file=cast(IO[str], command.stdout), width=120, highlight=False)
    stderr = Console(file=cast(IO[str], command.stderr), width=120, highlight=False)
    results: list[dict[str, Any]] = []
    imports: list[tuple[Path, SpendImport]] = []
    failures = 0
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
    ) as bar:
        for path in paths:
            task = bar.add_task(path.name, total=100)

            def progress(percent: int, stage: str, task: Any = task, name: str = path.name) -> None:
                bar.update(task, completed=percent, description=f"{name}: {stage}")

            started = timezone.now()
            try:
                spend_import = spend_import_file(
                    actor=None,
                    member=member,
                    path=path,
                    source_name=options["source"],
                    progress=progress,
                )
            except ApplicationError as error:
                failures += 1
                bar.update(task, description=f"{path.name}: not imported")
                results.append({"file": str(path), "status": "failed", "error": error.message})
                continue
            already = spend_import.created_at < started
            bar.update(task, completed=100, description=f"{path.name}: {'already imported' if already else 'done'}")
            results.append(_figures(path, spend_import, "already imported" if already else "imported"))
            imports.append((path, spend_import))
    if options["rejects_csv"]:
        _rejects_write(Path(options["rejects_csv"]), imports)
    if options["json"]:
        command.stdout.write(json.dumps(results, indent=2))
    else:
        for result in results:
            _summary_print(stdout, stderr, result)
    if failures:
        raise CommandError(f"{failures} of {len(paths)} file{'s' if len(paths) != 1 else ''} not imported.")


def _summary_print(stdout: Console, stderr: Console, result: dict[str, Any]) -> None:
    name = Path(result["file"]).name
    if result["status"] == "failed":
        stderr.print(f"{name}: not imported: {result['error']}", markup=False)
        return
    if result["status"] == "already imported":
        stdout.print(f"{name} was imported already (import {result['import_id']}): nothing was added.", markup=False)
        return
    stdout.print(
        f"{name}: read {result['rows_read']} rows; imported {result['rows_imported']} "
        f"({result['rows_redacted']} redacted), rejected {result['rows_rejected']}, "
        f"duplicates {result['rows_duplicate']}; total {money(Decimal(result['total_amount']))}.",
        markup=False,
    )


def _rejects_write(target: Path, imports: list[tuple[Path, SpendImport]]) -> None:
    def rows() -> Any:
        for path, spend_import in imports:
            if not spend_import.rejects_path:
                continue
            for line, reason, raw in importing.rejects_read(duck.spend_path(spend_import.rejects_path)):
                yield {"file": path.name, "line": line, "reason": reason, "row": raw}

    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            csv_write(out, ["file", "line", "reason", "row"], rows())
    except OSError as error:
        raise CommandError(f"Cannot write {target}: {error.strerror}.") from None
