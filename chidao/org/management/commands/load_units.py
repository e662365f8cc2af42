import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from chidao.org.loader import load_administrative_units


class Command(BaseCommand):
    help = (
        "Load Vietnam's administrative units (đơn vị hành chính) from the vietnam-provinces package: "
        "the 34 provinces and their communes, plus the pre-2025 units as history. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Load inside a transaction, report what would change, then roll back.",
        )
        parser.add_argument(
            "--current-only",
            action="store_true",
            help="Load only the units in force since 1 July 2025, without the pre-reform history.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with transaction.atomic():
            result = load_administrative_units(include_history=not options["current_only"])
            if options["dry_run"]:
                transaction.set_rollback(True)
        elapsed = time.monotonic() - started
        label = "units (dry run, rolled back)" if options["dry_run"] else "units"
        self.stdout.write(f"{label}: {result} in {elapsed:.1f}s")
