"""`commonweal framework validate|import|export|templates`: framework files on the command line."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from commonweal.core.errors import ApplicationError
from commonweal.frameworks import interchange
from commonweal.frameworks.services_interchange import framework_import
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

BINARY_NEEDS_FILE = "An XLSX file is binary: give --output PATH, or redirect standard output to a file."


def _counts(document: interchange.FrameworkDocument) -> str:
    counts = document.counts()
    return (
        f"{counts['themes']} themes, {counts['outcomes']} outcomes, {counts['measures']} measures, "
        f"{counts['value_sets']} value sets ({counts['values']} values)"
    )


class Command(BaseCommand):
    help = "Check, import and export framework files (YAML, JSON, XLSX or CSV), and list the shipped templates."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        validate = actions.add_parser("validate", help="check a framework file and list every problem in it")
        validate.add_argument("file", type=Path, help="a .yaml, .yml, .json, .xlsx or .csv file")

        load = actions.add_parser("import", help="import a framework file into an organisation")
        load.add_argument("file", type=Path, help="a .yaml, .yml, .json, .xlsx or .csv file")
        load.add_argument("--organisation", required=True, help="the organisation's short name (slug)")
        load.add_argument("--code", help="the framework's code, instead of the one in the file")
        load.add_argument("--title", help="the framework's title, instead of the one in the file")

        export = actions.add_parser("export", help="write a version of a framework as a file")
        export.add_argument("--organisation", required=True, help="the organisation's short name (slug)")
        export.add_argument("--framework", required=True, help="the framework's code")
        export.add_argument(
            "--format",
            required=True,
            choices=[*interchange.FORMATS, interchange.VALUES_CSV],
            help="csv holds the measures; values-csv holds the values of the version's value sets",
        )
        export.add_argument("--version", type=int, help="the version number (default: the latest published)")
        export.add_argument("--output", type=Path, help="the file to write (default: standard output)")
        export.add_argument("--no-value-sets", action="store_true", help="leave the value sets out")

        actions.add_parser("templates", help="list the framework templates shipped with Commonweal")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "validate":
            self.validate(options["file"])
        elif action == "import":
            self.load(options["file"], options["organisation"], options["code"], options["title"])
        elif action == "export":
            self.export(options)
        else:
            for template in interchange.template_list():
                self.stdout.write(f"{template.key}\t{template.title}\t{template.licence}")

    def _read(self, path: Path) -> interchange.FrameworkDocument:
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            return interchange.document_parse(content, path.name)
        except interchange.DocumentError as error:
            for problem in error.problems:
                self.stderr.write(f"{path.name}: {problem}")
            count = len(error.problems)
            raise CommandError(f"{path.name} has {count} problem{'s' if count != 1 else ''}.") from None

    def validate(self, path: Path) -> None:
        document = self._read(path)
        self.stdout.write(f"OK: {path.name} is “{document.title}” ({document.code}): {_counts(document)}.")

    def _organisation(self, slug: str) -> Organisation:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation has the short name “{slug}”.")
        return organisation

    def load(self, path: Path, slug: str, code: str | None, title: str | None) -> None:
        organisation = self._organisation(slug)
        document = self._read(path)
        started = timezone.now()
        try:
            version = framework_import(
                actor=None, member=Member.system(organisation), document=document, code=code, title=title
            )
        except interchange.DocumentError as error:
            for problem in error.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(f"{path.name} was not imported: nothing changed.") from None
        except ApplicationError as error:
            raise CommandError(error.message) from None
        framework = version.framework
        if version.created_at >= started:
            self.stdout.write(
                f"Imported “{framework.title}” ({framework.code}) as version {version.number} for "
                f"{organisation.name}: {_counts(document)}."
            )
        else:
            self.stdout.write(
                f"“{framework.title}” ({framework.code}) already matches version {version.number}: "
                "the framework did not change."
            )

    def export(self, options: dict[str, Any]) -> None:
        organisation = self._organisation(options["organisation"])
        try:
            version = interchange.version_find(
                member=Member.system(organisation), code=options["framework"], number=options["version"]
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        fmt = options["format"]
        if fmt == interchange.VALUES_CSV:
            content = interchange.version_values_csv(version)
        else:
            content = interchange.version_export(version, fmt, include_value_sets=not options["no_value_sets"])
        output: Path | None = options["output"]
        if output is not None:
            try:
                output.write_bytes(content)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
            self.stdout.write(f"Wrote {version} to {output} ({len(content):,} bytes).")
        elif fmt == "xlsx":
            buffer = getattr(self.stdout, "buffer", None)
            if self.stdout.isatty() or buffer is None:
                raise CommandError(BINARY_NEEDS_FILE)
            buffer.write(content)
            buffer.flush()
        else:
            self.stdout.write(content.decode(), ending="")
