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
from commonweal.core.recovery import recovery_run
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from . import importing, reading
from .models import SpendImport
from .rules import DEFAULT_SOURCE
from .services_imports import Layout, spend_import_file

HELP = "import spend files (CSV, XLSX, or a ZIP holding one CSV)"
# --column FIELD=… takes a field's name or one of these shorter names.
FIELD_ALIASES: dict[str, str] = {
    **{name: name for name in reading.MAPPING_FIELDS},
    "date": "payment_date",
    "supplier": "supplier_name",
    "reference": "transaction_ref",
    "ref": "transaction_ref",
    "fallback-date": reading.FALLBACK_DATE,
}


def _columns(values: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value in values:
        name, equals, header = value.partition("=")
        field = FIELD_ALIASES.get(name.strip().lower().replace("-", "_")) or FIELD_ALIASES.get(name.strip().lower())
        if not equals or field is None or not header.strip():
            raise CommandError(
                f'--column {value!r} is not FIELD="Header": FIELD is one of {", ".join(sorted(FIELD_ALIASES))}.'
            )
        if field in mapping:
            raise CommandError(f"--column gives the {field.replace('_', ' ')} twice.")
        mapping[field] = header
    return mapping


def _refusal(error: ApplicationError) -> str:
    """The error, with how to say which column holds what when a required one was not recognised."""
    if not isinstance(error, reading.MappingNeeded):
        return error.message
    flags = " ".join(f'--column {SHORT_NAMES[name]}="…"' for name in error.missing)
    return f"{error.message} Give it with {flags} (and --no-header if the file has no header)."


SHORT_NAMES = {"payment_date": "date", "amount": "amount", "supplier_name": "supplier"}


def arguments(parser: CommandParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="the files to import")
    parser.add_argument("--organisation", required=True, help="the organisation's short name (slug)")
    parser.add_argument(
        "--source",
        default=DEFAULT_SOURCE,
        help=f"where the files come from; its remembered columns are used (default “{DEFAULT_SOURCE}”)",
    )
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar='FIELD="Header"',
        help='the column that holds a field, e.g. --column supplier="Name" --column date="Invoice Creation Date" '
        f"(repeatable; fields: {', '.join(sorted(FIELD_ALIASES))}). With --no-header, columns are "
        '"Column 1", "Column 2", …. The columns given are remembered for the source',
    )
    layout = parser.add_mutually_exclusive_group()
    layout.add_argument("--no-header", action="store_true", help="the files have no header: line 1 is a payment")
    layout.add_argument("--header-line", type=int, metavar="N", help="the header is on line N (1 is the first)")
    parser.add_argument("--encoding", help="the files' encoding (utf-8, cp1252, cp437, latin-1…) rather than detect it")
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
        "rows_blank": spend_import.rows_blank,
        "total_amount": str(spend_import.total_amount),
        "warnings": list(spend_import.warnings),
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
    mapping = _columns(options["column"])
    if options["header_line"] is not None and options["header_line"] < 1:
        raise CommandError("--header-line counts from 1 (the first line of the file).")
    layout = Layout(
        encoding=options["encoding"] or None,
        header_line=options["header_line"],
        has_header=False if options["no_header"] else None,
    )
    member = Member.system(organisation)  # the operator's authority, for this organisation only
    stdout = Console(file=cast(IO[str], command.stdout), width=120, highlight=False)
    stderr = Console(file=cast(IO[str], command.stderr), width=120, highlight=False)
    # An import an earlier command or worker left half done is put right first, so this file can run.
    for line in recovery_run():
        stderr.print(line)
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
                    mapping=mapping or None,
                    layout=layout,
                )
            except ApplicationError as error:
                # One file failing does not stop the others: each is listed in the summary.
                failures += 1
                bar.update(task, description=f"{path.name}: not imported")
                results.append({"file": str(path), "status": "failed", "error": _refusal(error)})
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
        f"duplicates {result['rows_duplicate']}, blank {result['rows_blank']}; "
        f"total {money(Decimal(result['total_amount']))}.",
        markup=False,
    )
    for warning in result["warnings"]:
        stdout.print(f"{name}: warning: {warning}", markup=False)


def _rejects_write(target: Path, imports: list[tuple[Path, SpendImport]]) -> None:
    def rows() -> Any:
        for path, spend_import in imports:
            if not spend_import.rejects_path:
                continue
            for line, reason, raw in importing.rejects_read(spend_import.rejects_path):
                yield {"file": path.name, "line": line, "reason": reason, "row": raw}

    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            csv_write(out, ["file", "line", "reason", "row"], rows())
    except OSError as error:
        raise CommandError(f"Cannot write {target}: {error.strerror}.") from None
