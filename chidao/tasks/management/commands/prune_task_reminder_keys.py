from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chidao.tasks import services


class Command(BaseCommand):
    help = (
        "Delete the reminder keys no reminder run can need again (completed tasks, superseded due dates). "
        "Idempotent; safe at any time, e.g. weekly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count them")

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.prune_reminder_keys(dry_run=options["dry_run"])
        suffix = " (dry run, nothing deleted)" if options["dry_run"] else ""
        self.stdout.write(f"task reminder keys: {count} no longer needed, deleted{suffix}")
