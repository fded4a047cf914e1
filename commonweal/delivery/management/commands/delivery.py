"""`commonweal delivery report|remind`: delivery reports, and chasing overdue returns (for cron)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from commonweal.delivery import reports, selectors_status, tasks
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

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options.get("today") else selectors_status.today_local()
        if options["action"] == "report":
            self.report(options["organisation"], options["agreement"], today, as_json=options["json"])
        else:
            self.remind(today)

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
