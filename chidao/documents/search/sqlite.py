"""SQLite backend: the FTS5 tables `documents_search_fts` and `documents_search_title_fts`
(migrations 0002 and 0003: their `tags` column holds the scope and filter tokens of search/tokens.py).

Its rowid is the entry's recency_key, so `ORDER BY rowid DESC` walks the full-text index newest
first and stops at the LIMIT: a common word costs as much as the first page, not as much as its
hundred thousand matches.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from chidao.documents.search.backends import Writer
from chidao.documents.search.query import Match
from chidao.documents.search.tokens import TokenFilter

FTS = "documents_search_fts"
TITLE_FTS = "documents_search_title_fts"
ENTRY = "documents_searchentry"
# The trigger statements writing each FTS5 table (a 'delete' passes the old values: a contentless
# table finds the terms to remove by tokenizing them).
_INSERT_ANY = (
    f"INSERT INTO {FTS}(rowid, title_folded, body_folded, tags) "  # noqa: S608  # our tables
    "VALUES (new.recency_key, new.title_folded, new.body_folded, new.tags); "
)
_INSERT_TITLE = (
    f"INSERT INTO {TITLE_FTS}(rowid, title_folded, tags) VALUES (new.recency_key, new.title_folded, new.tags); "  # noqa: S608  # our tables
)
_DELETE_ANY = (
    f"INSERT INTO {FTS}({FTS}, rowid, title_folded, body_folded, tags) "  # noqa: S608  # our tables
    "VALUES ('delete', old.recency_key, old.title_folded, old.body_folded, old.tags); "
)
_DELETE_TITLE = (
    f"INSERT INTO {TITLE_FTS}({TITLE_FTS}, rowid, title_folded, tags) "  # noqa: S608  # our tables
    "VALUES ('delete', old.recency_key, old.title_folded, old.tags); "
)
_INSERT = _INSERT_ANY + _INSERT_TITLE
_DELETE = _DELETE_ANY + _DELETE_TITLE
# The same triggers as migrations 0003 and 0006 (the WHERE clauses compiled by the ORM name the
# entry table itself, so queries below never alias it); a full reindex drops them while it
# bulk-loads. An update rewrites the title table only when the title, the tags or the recency
# key changed: an edited summary or attachment leaves it alone.
TRIGGERS = {
    "documents_search_ai": f"CREATE TRIGGER documents_search_ai AFTER INSERT ON {ENTRY} BEGIN {_INSERT}END",
    "documents_search_ad": f"CREATE TRIGGER documents_search_ad AFTER DELETE ON {ENTRY} BEGIN {_DELETE}END",
    "documents_search_au": (
        "CREATE TRIGGER documents_search_au AFTER UPDATE OF recency_key, title_folded, body_folded, tags "
        f"ON {ENTRY} BEGIN {_DELETE_ANY}{_INSERT_ANY}END"
    ),
    "documents_search_title_au": (
        "CREATE TRIGGER documents_search_title_au AFTER UPDATE OF recency_key, title_folded, tags "
        f"ON {ENTRY} BEGIN {_DELETE_TITLE}{_INSERT_TITLE}END"
    ),
}
_TABLES = {"title": TITLE_FTS, "any": FTS}
# SQLite's automatic checkpoint: at a commit leaving more than this many pages in the write-ahead
# log, the committing connection copies them into the database file (SQLite's default, which
# chidao keeps).
AUTOCHECKPOINT = 1000
CHECKPOINT_THREAD = "sqlite-checkpoint"
logger = logging.getLogger(__name__)
# FTS5 keeps the terms of the rows it is given in memory and writes them out as a new segment at
# each statement of a transaction and whenever a rowid comes lower than the previous one. So both
# writing paths give it many rows per statement, in rowid (recency_key) order: in document order,
# or a statement per row, it wrote a segment for nearly every entry (2-3 times the time).
AUTOMERGE, CRISISMERGE = 4, 16  # FTS5's defaults, restored after a full reindex
# While a full reindex fills the tables: no merging along the way ('optimize' at the end merges
# every segment once; FTS5 allows up to 2,000 segments).
REBUILD_AUTOMERGE, REBUILD_CRISISMERGE = 0, 1000
# FTS5 holds the terms written in a hash table until it is this large, a statement ends or the
# transaction commits, then writes them out as a new segment (later merged with others). With
# FTS5's default of 1 MB a batch of 5,000 edited documents made many segments in each table; at
# 64 MB (set in the tables' configuration by migration 0006) a batch written in one statement
# makes one, and indexing 20,000 edited documents takes about a quarter less time. The memory is
# taken only as the terms come: about 20 MB more at the peak for a batch of 5,000.
HASHSIZE = 64 * 1024 * 1024
# The columns user text is matched in; the tags column is named only by the token clauses.
_TEXT_COLUMNS = {"title": "{title_folded}", "any": "{title_folded body_folded}"}
# The FTS5 tables, for migrations: text columns, then the tags.
CREATE_TABLES = (
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(title_folded, body_folded, tags, "
    "content='', tokenize='unicode61 remove_diacritics 0')",
    f"CREATE VIRTUAL TABLE {TITLE_FTS} USING fts5(title_folded, tags, "
    "content='', tokenize='unicode61 remove_diacritics 0')",
)


def _phrase(words: Sequence[str]) -> str:
    # Words come from index_fold: letters and digits only, safe inside FTS5 double quotes.
    return '"' + " ".join(words) + '"'


def match_expression(match: Match, tokens: TokenFilter | None = None) -> str:
    """The FTS5 query: every word and phrase (AND) in the text columns, and every token clause
    in the tags column."""
    text = " AND ".join(_phrase(group) for group in match.groups)
    parts = [f"{_TEXT_COLUMNS[match.scope]} : ({text})"]
    tokens = tokens or TokenFilter()
    for n, clause in enumerate(tokens.clauses):
        star = " *" if n in tokens.prefix_last else ""
        parts.append("tags : (" + " OR ".join(_phrase(alternative) + star for alternative in clause) + ")")
    return " AND ".join(parts)


class SQLiteBackend(Writer):
    vendor = "sqlite"
    writes_tsvectors = False

    def hits(
        self, match: Match, where: str, params: Sequence[Any], limit: int, tokens: TokenFilter | None = None
    ) -> list[int]:
        """Ids of entries matching `match` and `where`, newest first."""
        fts = _TABLES[match.scope]
        sql = (
            f"SELECT {ENTRY}.document_id FROM {fts} JOIN {ENTRY} ON {ENTRY}.recency_key = {fts}.rowid "  # noqa: S608  # our tables; values are parameters
            f"WHERE {fts} MATCH %s AND ({where}) ORDER BY {fts}.rowid DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match_expression(match, tokens), *params, limit])
            return [row[0] for row in cursor.fetchall()]

    def count(
        self, match: Match, where: str, params: Sequence[Any], cap: int, tokens: TokenFilter | None = None
    ) -> tuple[int, bool]:
        """(number of matches, exact?): exact up to `cap`; beyond it an estimate from the dates
        the newest `cap` matches span, against the dates the whole register spans."""
        fts = _TABLES[match.scope]
        sql = (
            f"SELECT count(*), min(rid), max(rid) FROM (SELECT {fts}.rowid AS rid FROM {fts} "  # noqa: S608  # our tables; values are parameters
            f"JOIN {ENTRY} ON {ENTRY}.recency_key = {fts}.rowid "
            f"WHERE {fts} MATCH %s AND ({where}) ORDER BY {fts}.rowid DESC LIMIT %s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match_expression(match, tokens), *params, cap + 1])
            found, oldest, _newest = cursor.fetchone()
            if found <= cap:
                return found, True
            cursor.execute(
                f"SELECT (SELECT min(recency_key) FROM {ENTRY}), (SELECT max(recency_key) FROM {ENTRY})"  # noqa: S608  # our table
            )
            first, last = cursor.fetchone()
        days = ((last >> 32) - (first >> 32)) or 1
        covered = ((last >> 32) - (oldest >> 32)) or 1
        return max(found, round(found * days / covered)), False

    def naive(self, match: Match, limit: int) -> list[int]:
        """bm25 over every match, then the best `limit`: the benchmark's comparison path."""
        sql = (
            f"SELECT e.document_id FROM {ENTRY} AS e WHERE e.recency_key IN ("  # noqa: S608  # our tables; values are parameters
            f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s ORDER BY bm25({FTS}, 10.0, 1.0) LIMIT %s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match_expression(match), limit])
            return [row[0] for row in cursor.fetchall()]

    # --- writing --------------------------------------------------------------------------------

    def upsert(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert or update the entries `rows` (the triggers keep the FTS5 tables in step): see
        `_upserts`."""
        with connection.cursor() as cursor:
            for sql, params in _upserts(cursor, columns, rows, "%s"):
                cursor.execute(sql, params)

    def upsert_later(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """The same, the statements run in the helper thread: sqlite3 lets go of the GIL while
        SQLite runs each (its triggers and FTS5 included), so the caller folds the next batch
        meanwhile. The stored entries are read here first: the helper would wait for the GIL
        behind the folding thread at every row it reads."""
        self.flush()
        with connection.cursor() as cursor:
            statements = _upserts(cursor, columns, rows, "?")

        def write(raw: Any) -> None:
            for sql, params in statements:
                raw.execute(sql, params)

        self.later(write)

    def before_large_write(self) -> None:
        """Many batches in the caller's transaction: see `checkpoint_after_commit`."""
        checkpoint_after_commit(connection)

    def begin_rebuild(self) -> None:
        """Before a full reindex: drop the triggers and empty the tables (row by row deletes
        through the triggers would cost as much as the rebuild). Merging segments while filling
        (FTS5's automerge and crisis merges) is switched off: the final 'optimize' merges them all
        once, which costs less than merging along the way."""
        with connection.cursor() as cursor:
            for name in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DELETE FROM {ENTRY}")  # noqa: S608  # our table
            for fts in (FTS, TITLE_FTS):
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")  # noqa: S608  # our table
                _merge_settings(cursor, fts, REBUILD_AUTOMERGE, REBUILD_CRISISMERGE)

    def write_rebuilt(self, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Insert the entries, then their FTS5 rows from them (the triggers are off), in rowid
        order (see AUTOMERGE above). Synchronous: the folding workers work on the next batch
        meanwhile."""
        rows = list(rows)
        if not rows:
            return
        names = ", ".join(columns)
        placeholders = ", ".join(["%s"] * len(columns))
        ids = [row[0] for row in rows]
        batch = f"FROM {ENTRY} WHERE document_id >= %s AND document_id <= %s ORDER BY recency_key"  # our table
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {ENTRY} ({names}) VALUES ({placeholders})", rows)  # noqa: S608  # our table
            cursor.execute(
                f"INSERT INTO {FTS}(rowid, title_folded, body_folded, tags) "  # our tables
                f"SELECT recency_key, title_folded, body_folded, tags {batch}",
                [min(ids), max(ids)],
            )
            cursor.execute(
                f"INSERT INTO {TITLE_FTS}(rowid, title_folded, tags) SELECT recency_key, title_folded, tags {batch}",  # our tables
                [min(ids), max(ids)],
            )

    def end_rebuild(self) -> None:
        """Put the triggers back, merge each FTS5 table's segments into one."""
        with connection.cursor() as cursor:
            for sql in TRIGGERS.values():
                cursor.execute(sql)
            for fts in (FTS, TITLE_FTS):
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")  # noqa: S608  # our table
                _merge_settings(cursor, fts, AUTOMERGE, CRISISMERGE)


def _upserts(
    cursor: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]], placeholder: str
) -> list[tuple[str, list[Any]]]:
    """The statements that write `rows`, their parameters written `placeholder` (Django's cursor
    takes %s, sqlite3's own ?); `cursor` reads the entries stored.

    Each entry is compared with the one stored: an unchanged entry is not written, a changed one
    has only its changed columns set. Setting a column costs its indexes and, for the text, tags
    and recency, the FTS5 rows (the update trigger deletes and re-inserts them): a document whose
    summary changed rewrites its body's terms, not its unit, symbol and date index entries. Rows
    that change the same columns (new entries: all of them) go together, many per INSERT … ON
    CONFLICT statement, in recency_key order (see AUTOMERGE above)."""
    limit = connection.features.max_query_params or 999
    ids = [row[0] for row in rows]
    stored: dict[int, Sequence[Any]] = {}
    for start in range(0, len(ids), limit):
        part = ids[start : start + limit]
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {ENTRY} WHERE document_id IN ({', '.join(['%s'] * len(part))})",  # noqa: S608  # our table; values are parameters
            part,
        )
        stored.update((entry[0], entry) for entry in cursor.fetchall())
    every = tuple(columns[1:])
    groups: dict[tuple[str, ...], list[Sequence[Any]]] = {}
    for row in rows:
        old = stored.get(row[0])
        changed = every if old is None else _changed(columns, row, old)
        if changed:
            groups.setdefault(changed, []).append(row)
    key = columns.index("recency_key")
    names = ", ".join(columns)
    values = "(" + ", ".join([placeholder] * len(columns)) + ")"
    # As many rows per statement as the parameter limit allows: a batch in one (see HASHSIZE).
    size = max(1, limit // len(columns))
    statements = []
    for changed, group in groups.items():
        group.sort(key=lambda row: row[key])
        assignments = ", ".join(f"{c} = excluded.{c}" for c in changed)
        for start in range(0, len(group), size):
            part = group[start : start + size]
            sql = (
                f"INSERT INTO {ENTRY} ({names}) VALUES {', '.join([values] * len(part))} "  # noqa: S608  # our table; values are parameters
                f"ON CONFLICT (document_id) DO UPDATE SET {assignments}"
            )
            statements.append((sql, [value for entry in part for value in entry]))
    return statements


def _changed(columns: Sequence[str], row: Sequence[Any], old: Sequence[Any]) -> tuple[str, ...]:
    """The columns (after the document id) whose value in `row` differs from the stored `old`."""
    return tuple(
        name for name, new, was in zip(columns[1:], row[1:], old[1:], strict=True) if _plain(new) != _plain(was)
    )


def _plain(value: Any) -> Any:
    # Dates come back as text or as dates, depending on the connection's converters.
    return value.isoformat() if isinstance(value, dt.date) else value


def _merge_settings(cursor: Any, fts: str, automerge: int, crisismerge: int) -> None:
    """FTS5's merge settings of the table `fts` (stored in the table: they outlive the connection)."""
    for name, value in (("automerge", automerge), ("crisismerge", crisismerge)):
        cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES (%s, %s)", [name, value])  # noqa: S608  # our table


def checkpoint_after_commit(conn: BaseDatabaseWrapper) -> None:
    """Let a helper thread, not the commit, copy the current transaction's pages from the
    write-ahead log into the database file.

    At commit SQLite's automatic checkpoint copies the whole transaction before the commit
    returns: for 20,000 edited documents about 170 MB, a sixth to a fifth of the time the person
    who saved them waited. So the connection's automatic checkpoint is off until this transaction
    commits; then it is restored and a helper thread on a connection of its own runs a passive
    checkpoint (readers and the next writer go on meanwhile). After a rollback there is nothing of
    this transaction to copy; the setting stays off until the connection closes (Django closes
    SQLite's after each request) or its next large write commits, and other connections' commits
    checkpoint as usual. Nothing happens outside a transaction or without a write-ahead log (an
    in-memory database)."""
    if not conn.in_atomic_block:
        return
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0].lower() != "wal":
            return
        cursor.execute("PRAGMA wal_autocheckpoint = 0")

    def committed() -> None:
        with conn.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT}")
        start_checkpoint(conn)

    transaction.on_commit(committed, using=conn.alias, robust=True)


def start_checkpoint(conn: BaseDatabaseWrapper) -> threading.Thread:
    """A passive checkpoint of `conn`'s database in a helper thread, on a connection of its own."""

    def run() -> None:
        own = conn.copy()  # made in this thread: Django ties a connection to the thread making it
        try:
            with own.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except DatabaseError:  # the next commit's automatic checkpoint copies the pages instead
            logger.exception("Background checkpoint of the SQLite database failed")
        finally:
            own.close()

    thread = threading.Thread(target=run, name=CHECKPOINT_THREAD, daemon=True)
    thread.start()
    return thread
