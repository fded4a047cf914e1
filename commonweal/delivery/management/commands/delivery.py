"""`commonweal delivery report|remind|import-360giving|export-360giving`: delivery reports, chasing
overdue returns (for cron), and grants in and out as 360Giving data (docs/grants-360giving.md)."""

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from commonweal.core.errors import ApplicationError
from commonweal.delivery import grants360, reports, selectors_status, tasks
from commonweal.delivery.services_grants import grants_export, grants_import
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"“{text}” is not a date like 2026-07-15.") from None


class Command(BaseCommand):
    help = "Delivery reports (proposed against achieved, by measure) and reminders for overdue returns."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        report = actions.add_parser(
            "report", help="per measure of each agreement: proposed against achieved, % and money equivalents"
        )
        report.add_argument("--organisation", required=True, help="the organisation's short name (slug)")
        report.add_argument("--agreement", help="one agreement's reference (default: every agreement)")
        report.add_argument("--today", help="judge the schedules on this date, e.g. 2026-07-15 (default: today)")
        shape = report.add_mutually_exclusive_group(required=True)
        shape.add_argument("--json", action="store_true", help="a JSON array of objects")
        shape.add_argument("--csv", action="store_true", help="CSV with a header row")

        remind = actions.add_parser(
            "remind", help="email a reminder for each overdue return once, and escalate it once when due"
        )
        remind.add_argument("--today", help="act as on this date, e.g. 2026-07-15 (default: today)")

        grants_in = actions.add_parser(
            "import-360giving",
            help="import 360Giving grant data (JSON, CSV or XLSX) as grant agreements; all or nothing",
        )
        grants_in.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="360Giving files")
        grants_in.add_argument("--organisation", required=True, help="the funder's short name (slug)")
        grants_in.add_argument("--json", action="store_true", help="print the summary as JSON")

        grants_out = actions.add_parser(
            "export-360giving", help="export the organisation's grant agreements as a 360Giving JSON package"
        )
        grants_out.add_argument("--organisation", required=True, help="the funder's short name (slug)")
        grants_out.add_argument("--output", type=Path, help="write to this file (default: print it)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options.get("today") else selectors_status.today_local()
        if options["action"] == "report":
            self.report(options["organisation"], options["agreement"], today, as_json=options["json"])
        elif options["action"] == "import-360giving":
            self.grants_in(options["organisation"], options["paths"], as_json=options["json"])
        elif options["action"] == "export-360giving":
            self.grants_out(options["organisation"], options["output"])
        else:
            self.remind(today)

    def _organisation(self, slug: str) -> Organisation:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation has the short name “{slug}”.")
        return organisation

    def grants_in(self, slug: str, paths: list[Path], *, as_json: bool) -> None:
        organisation = self._organisation(slug)
        files = []
        for path in paths:
            try:
                files.append((path.name, path.read_bytes()))
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            summary = grants_import(actor=None, member=Member.system(organisation), files=files)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict(), indent=2))
        else:
            for note in summary.notes:
                self.stdout.write(f"Note: {note}")
            self.stdout.write(
                f"Read {summary.grants_read} grants (£{summary.amount:,}) in {summary.files_read} files. Grants "
                f"created: {summary.grants_created}, updated: {summary.grants_updated}, unchanged: "
                f"{summary.grants_unchanged}; recipients created: {summary.recipients_created}."
            )
            if not summary.changed and not summary.rejected:
                self.stdout.write("Nothing changed: every grant in these files was known already.")
        for rejection in summary.rejected:
            self.stderr.write(f"Rejected: {rejection}")
        if summary.rejected:
            count = len(summary.rejected)
            raise CommandError(
                f"{count} grant{'s' if count != 1 else ''} or file{'s' if count != 1 else ''} "
                "rejected (listed above): nothing was imported."
            )

    def grants_out(self, slug: str, output: Path | None) -> None:
        organisation = self._organisation(slug)
        try:
            package = grants_export(member=Member.system(organisation))
        except ApplicationError as error:
            raise CommandError(error.message) from None
        content = grants360.package_json(package)
        if output is None:
            self.stdout.write(content, ending="")
            return
        output.write_text(content, encoding="utf-8")
        self.stdout.write(f"Wrote {output}: a valid 360Giving package of {len(package['grants'])} grants.")

    def report(self, slug: str, reference: str | None, today: date, *, as_json: bool) -> None:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation has the short name “{slug}”.")
        # The command runs with the operator's authority, reading as the organisation itself.
        member = Member.system(organisation)
        try:
            rows = reports.report_row_list(member=member, reference=reference or None, today=today)
        except Http404:
            raise CommandError(f"{organisation.name} has no agreement with the reference “{reference}”.") from None
        if as_json:
            self.stdout.write(reports.report_json(rows))
        else:
            reports.report_csv_write(self.stdout, rows)

    def remind(self, today: date) -> None:
        result = tasks.overdue_reminders_run(today=today)
        for reference, period, recipients in result.reminders:
            self.stdout.write(f"Reminder: {reference}, {period} → {', '.join(recipients)}")
        for reference, period, recipients in result.escalations:
            self.stdout.write(f"Escalation: {reference}, {period} → {', '.join(recipients)}")
        for reference, period, problem in [*result.without_recipients, *result.failed]:
            self.stderr.write(f"Not sent: {reference}, {period}: {problem}")
        self.stdout.write(
            f"{len(result.reminders)} reminder{'s' if len(result.reminders) != 1 else ''} and "
            f"{len(result.escalations)} escalation{'s' if len(result.escalations) != 1 else ''} sent "
            f"for {today:%-d %B %Y}."
        )
