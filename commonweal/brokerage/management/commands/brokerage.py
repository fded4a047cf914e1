"""`commonweal brokerage digest|expire`: the weekly email of matching open needs to suppliers with unmet
commitments (sending twice in a week sends once), and closing needs past their expiry date (for cron)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from commonweal.brokerage import tasks


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"“{text}” is not a date like 2026-07-15.") from None


class Command(BaseCommand):
    help = "The community wish list: the weekly digest of matching needs, and closing expired needs."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        digest = actions.add_parser(
            "digest", help="email each supplier with unmet commitments the open needs that match them, once a week"
        )
        digest.add_argument("--today", help="act as on this date, e.g. 2026-07-15 (default: today)")
        expire = actions.add_parser("expire", help="close needs whose expiry date has passed")
        expire.add_argument("--today", help="act as on this date, e.g. 2026-07-15 (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options.get("today") else timezone.localdate()
        if options["action"] == "digest":
            outcomes = tasks.digests_run(today=today)
            sent = [o for o in outcomes if o.state == "sent"]
            already = [o for o in outcomes if o.state == "already_sent"]
            for outcome in sent:
                self.stdout.write(
                    f"Sent {outcome.supplier} {outcome.needs} matching need{'s' if outcome.needs != 1 else ''}."
                )
            self.stdout.write(
                f"{len(sent)} digest{'s' if len(sent) != 1 else ''} sent; {len(already)} already sent this week."
            )
        else:
            closed = tasks.expiry_run(today=today)
            self.stdout.write(f"{closed} need{'s' if closed != 1 else ''} closed as expired.")
