import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chidao.reporting.queries import verify_aggregates


class Command(BaseCommand):
    help = "Periodic reporting tools. `reporting verify` recomputes every aggregate from the approved values."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = verify_aggregates()
        for line in report.differences[:200]:
            self.stderr.write(line)
        elapsed = time.perf_counter() - started
        if report.differences:
            raise CommandError(
                f"reporting verify: {len(report.differences)} difference(s) in {report.checked} aggregates ({elapsed:.1f}s)"
            )
        self.stdout.write(f"reporting verify: 0 differences in {report.checked} aggregates ({elapsed:.1f}s)")
