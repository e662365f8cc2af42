from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chidao.tasks import services


class Command(BaseCommand):
    help = (
        "Recount the completed-task tallies that list pages read from the tasks themselves "
        "(after a bulk load or a restore). Idempotent; says how many tallies were wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count the differences, then roll back")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(services.rebuild_tallies(dry_run=options["dry_run"])))
