import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chidao.tasks import services


class Command(BaseCommand):
    help = (
        "Send the task reminders owed on a day (before the due date, on it, overdue), in-app and by e-mail. "
        "Idempotent: a second run sends nothing; a run after missed days catches up without duplicates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the run's day, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be sent, then roll back; no e-mail is sent"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from exc
        result = services.send_reminders(today=day, dry_run=options["dry_run"])
        self.stdout.write(str(result))
