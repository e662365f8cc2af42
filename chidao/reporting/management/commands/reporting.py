import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chidao.reporting.queries import verify_aggregates

# Periods checked at once, one database connection each: the reference server has two cores.
WORKERS = 2


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a read of the data: the checks cost seconds, tell nothing here

    help = (
        "Periodic reporting tools. `reporting verify` checks every aggregate against the approved "
        "values of its unit and the aggregates of its direct children."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--workers", type=int, default=WORKERS, help=f"periods checked at once (default {WORKERS})")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = verify_aggregates(workers=max(1, options["workers"]))
        for line in report.differences[:200]:
            self.stderr.write(line)
        elapsed = time.perf_counter() - started
        if report.differences:
            raise CommandError(
                f"reporting verify: {len(report.differences)} difference(s) in {report.checked} aggregates ({elapsed:.1f}s)"
            )
        self.stdout.write(f"reporting verify: 0 differences in {report.checked} aggregates ({elapsed:.1f}s)")
