from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chidao.audit.queries import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. `audit verify` recomputes the hash chain and reports any tampering."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(f"audit chain BROKEN: {len(report.problems)} problem(s) in {report.checked} entries")
        self.stdout.write(f"audit chain OK: {report.checked} entries verified")
