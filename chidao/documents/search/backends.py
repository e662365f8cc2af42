"""The search backend of the database in use: FTS5 on SQLite, tsvector and GIN on PostgreSQL.

Both answer the same questions about a `Match` (which entries, newest first; how many; the naive
rank-everything comparison) and rebuild the index the same way; everything else in the search is
shared.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from django.db import connection

from chidao.documents.search.query import Match
from chidao.documents.search.tokens import TokenFilter


class Backend(Protocol):
    vendor: str
    # PostgreSQL's tsvector columns are written by the indexer; SQLite's FTS5 tables by triggers.
    writes_tsvectors: bool

    # `tokens`: the scope and filters as index tokens (search/tokens.py), which narrow the match;
    # `where` is the exact condition, always applied.
    def hits(
        self, match: Match, where: str, params: Sequence[Any], limit: int, tokens: TokenFilter | None = None
    ) -> list[int]: ...

    def count(
        self, match: Match, where: str, params: Sequence[Any], cap: int, tokens: TokenFilter | None = None
    ) -> tuple[int, bool]: ...

    def naive(self, match: Match, limit: int) -> list[int]: ...

    def upsert(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None: ...

    # The same, in a helper thread: the caller folds the next batch meanwhile and calls `flush`
    # before its next query.
    def upsert_later(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None: ...

    # Before writing many batches in the caller's transaction (SQLite: its commit leaves the
    # write-ahead log's checkpoint to a helper thread; PostgreSQL: nothing to do).
    def before_large_write(self) -> None: ...

    def begin_rebuild(self) -> None: ...

    def write_rebuilt(self, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None: ...

    def flush(self) -> None: ...

    def end_rebuild(self) -> None: ...


class Writer:
    """One write at a time in a helper thread, on the caller's own connection and transaction,
    while the caller folds the next batch: psycopg and sqlite3 let go of the GIL while the
    database works on a statement (a write of many rows each: sqlite3 takes the GIL back between
    statements). The caller must `flush` before it uses the connection again; an error in the
    helper is raised there, as Django's database error."""

    def __init__(self) -> None:
        self._running: tuple[threading.Thread, list[BaseException]] | None = None

    def later(self, work: Callable[[Any], None]) -> None:
        """Run `work(raw DB-API connection)` in the helper thread."""
        self.flush()
        connection.ensure_connection()
        raw = connection.connection
        # The caller's: `connection` names another thread's own in the helper.
        translate_errors = connection.wrap_database_errors
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with translate_errors:
                    work(raw)
            except BaseException as exc:  # re-raised in the caller's thread by flush()
                errors.append(exc)

        thread = threading.Thread(target=run, name="search-index-write")
        thread.start()
        self._running = (thread, errors)

    def flush(self) -> None:
        if self._running is None:
            return
        thread, errors = self._running
        thread.join()
        self._running = None
        if errors:
            raise errors[0]


def backend() -> Backend:
    if connection.vendor == "postgresql":
        from chidao.documents.search.postgres import PostgresBackend

        return PostgresBackend()
    if connection.vendor == "sqlite":
        from chidao.documents.search.sqlite import SQLiteBackend

        return SQLiteBackend()
    raise NotImplementedError(f"No document search for {connection.vendor}")
