"""`commonweal notifications reminders|digest`: the clock's notifications (returns due and overdue,
tender deadlines passed) and the daily digest email. Both are safe to run twice, or on two machines at
once: each notification and each day's digest goes once. Run them from cron (docs/notifications.md)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from commonweal.notifications.services import digest_send
from commonweal.notifications.services_reminders import reminders_send


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"“{text}” is not a date like 2026-07-15.") from None


class Command(BaseCommand):
    help = "Notifications raised by the clock, and the daily digest email."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        reminders = actions.add_parser(
            "reminders", help="tell suppliers of returns due in 7 days or overdue, and evaluators of tenders to score"
        )
        reminders.add_argument("--today", help="act as on this date, e.g. 2026-07-15 (default: today)")
        digest = actions.add_parser("digest", help="send each person who chose it one email with what is new")
        digest.add_argument("--today", help="the day the digest is for, e.g. 2026-07-15 (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options.get("today") else timezone.localdate()
        if options["action"] == "reminders":
            result = reminders_send(today=today)
            for line in result.lines:
                self.stdout.write(line)
        else:
            sent = digest_send(today=today)
            for email, items in sent:
                self.stdout.write(f"Digest sent to {email}: {items} notifications.")
            self.stdout.write(f"Digests sent: {len(sent)}.")
