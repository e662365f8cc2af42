import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chidao.documents.models import Document
from chidao.documents.search.index import reindex_all, reindex_units
from chidao.org.models import UnitClosure


class Command(BaseCommand):
    help = (
        "Rebuild the document search index from the registry (folded text, FTS5 on SQLite, tsvector "
        "and GIN on PostgreSQL). Idempotent. On PostgreSQL the new index is built beside the live one: "
        "searches go on meanwhile, document changes wait for the swap."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000, help="documents per batch (default 5000)")
        parser.add_argument("--dry-run", action="store_true", help="count the documents that would be indexed")
        parser.add_argument(
            "--units",
            type=int,
            nargs="+",
            metavar="UNIT_ID",
            help="only the documents of these units and the units below them (after units moved in the tree)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        units = options["units"]
        documents = Document.objects.all()
        if units:
            below = UnitClosure.objects.filter(ancestor_id__in=units).values("descendant_id")
            documents = documents.filter(unit_id__in=below)
        if options["dry_run"]:
            self.stdout.write(f"Would reindex {documents.count()} documents.")
            return
        started = time.perf_counter()
        # A command-line process: text is folded in forked processes.
        count = (
            reindex_units(units, workers=None) if units else reindex_all(batch_size=options["batch_size"], workers=None)
        )
        elapsed = time.perf_counter() - started
        rate = count / elapsed if elapsed > 0 else 0.0
        self.stdout.write(f"Reindexed {count} documents in {elapsed:.1f} s ({rate:.0f}/s).")
