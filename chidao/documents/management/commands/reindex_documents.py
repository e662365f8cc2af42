import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chidao.documents.models import Document
from chidao.documents.search.index import reindex_all


class Command(BaseCommand):
    help = (
        "Rebuild the document search index from the registry (folded text, FTS5 on SQLite, tsvector "
        "and GIN on PostgreSQL). Idempotent; searches wait for the rebuild's transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000, help="documents per batch (default 5000)")
        parser.add_argument("--dry-run", action="store_true", help="count the documents that would be indexed")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            self.stdout.write(f"Would reindex {Document.objects.count()} documents.")
            return
        started = time.perf_counter()
        count = reindex_all(batch_size=options["batch_size"])
        elapsed = time.perf_counter() - started
        rate = count / elapsed if elapsed > 0 else 0.0
        self.stdout.write(f"Reindexed {count} documents in {elapsed:.1f} s ({rate:.0f}/s).")
