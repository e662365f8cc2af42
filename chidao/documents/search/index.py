"""Writing search entries, in batches: one query for the documents, one for their attachments'
text and one write per batch of the entries that changed (SQLite compares the stored columns,
PostgreSQL each entry's digest, `entry_digest`); SQLite's triggers keep its FTS5 tables in step,
PostgreSQL's tsvector columns are written with the rows (in the binary format, from
postgres.tsvector_binary and postgres.lexemes_binary).
`reindex_all` rebuilds everything with the rows streamed in (COPY on PostgreSQL) and the
full-text indexes built once at the end: on PostgreSQL into a new table beside the live one, then
swapped in; in place when that cannot be (inside a transaction, on SQLite)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import multiprocessing
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import DatabaseError, connection, transaction

from chidao.documents.models import Attachment, Document, SearchEntry
from chidao.documents.search.backends import backend
from chidao.documents.search.postgres import lexemes_binary, tag_words, tsvector_binary
from chidao.documents.search.query import symbol_of_key
from chidao.documents.search.text import fold_pieces, index_fold, join_pieces
from chidao.documents.search.tokens import ancestors_by_unit, entry_tags
from chidao.lib.docnumbers import symbol_key

# Documents per batch of `index_documents`: a larger batch gives the full-text engine more rows
# per write (SQLite: fewer FTS5 segments to merge), a smaller one starts the overlap of folding
# and writing sooner; 5,000 was the quickest of 2,000-10,000 at 20,000 documents on both.
BATCH_SIZE = 5000
# PostgreSQL refuses a tsvector over 1 MB; the first 100,000 characters of a body (about 25,000
# words, 50 pages) are what the search reads.
MAX_BODY = 100_000
COLUMNS = (
    "document_id",
    "unit_id",
    "kind",
    "visibility",
    "issuer_folded",
    "issued_on",
    "recency_key",
    "symbol_key",
    "symbol_number",
    "symbol_type",
    "symbol_issuer",
    "title_folded",
    "body_folded",
    "tags",
    "digest",
)
_DOCUMENT_FIELDS = (
    "pk",
    "unit_id",
    "kind",
    "visibility",
    "issuer",
    "issued_on",
    "symbol",
    "title",
    "summary",
    "full_text",
)


# hashlib hashes a piece of fewer than 2,048 bytes without letting go of the GIL.
_GIL_KEPT = 2047


def entry_digest(entry: Sequence[Any], *tsvectors: bytes) -> int:
    """64 bits of BLAKE2b over everything an entry's row holds: its columns (COLUMNS before the
    digest) and its tsvectors as written. Equal digests mean equal rows, whatever changes later in
    the folding or the making of the tsvectors. Returned as a signed bigint."""
    digest = hashlib.blake2b(digest_size=8, person=b"chidao-entry")
    # In pieces: letting go of the GIL and taking it back for each entry kept the helper thread
    # writing the previous batch waiting for the GIL (0.66 s instead of 0.01 s for one SAVEPOINT).
    for value in ("\x1f".join(map(str, entry)).encode("utf-8", "surrogatepass"), *tsvectors):
        digest.update(b"\x1e")
        for start in range(0, len(value), _GIL_KEPT):
            digest.update(value[start : start + _GIL_KEPT])
    return int.from_bytes(digest.digest(), "big", signed=True)


def recency_key(issued_on: dt.date, document_id: int) -> int:
    """(issued_on, id) as one integer that sorts the same way."""
    return (issued_on.toordinal() << 32) | document_id


def _entry(
    row: Sequence[Any], attachment_text: str, ancestors: dict[int, list[int]], tsvectors: bool
) -> tuple[Any, ...]:
    pk, unit_id, kind, visibility, issuer, issued_on, symbol, title, summary, full_text = row
    key = symbol_key(symbol)
    parsed = symbol_of_key(key)
    # The symbol and the issuer are part of the body: "35-NQ/TW" cited elsewhere and the document
    # itself match the same phrase, and "đảng ủy phường hải châu" finds what that body issued.
    folded = fold_pieces(" ".join((symbol, issuer, summary, full_text, attachment_text)))
    body = join_pieces(folded)
    pieces: list[str] | None = folded
    if len(body) > MAX_BODY:
        body, pieces = body[:MAX_BODY].rstrip(), None
    title_folded = index_fold(title)
    issuer_folded = index_fold(issuer)
    tags = entry_tags(
        unit_ancestors=ancestors.get(unit_id, (unit_id,)),
        unit_id=unit_id,
        kind=kind,
        visibility=visibility,
        issued_on=issued_on,
        issuer_words=issuer_folded.split(),
    )
    entry = (
        pk,
        unit_id,
        kind,
        visibility,
        issuer_folded[:255],
        issued_on,
        recency_key(issued_on, pk),
        key,
        parsed.number if parsed else None,
        parsed.type_code[:20] if parsed else "",
        parsed.issuer_code[:50] if parsed else "",
        title_folded,
        body,
        tags,
    )
    if not tsvectors:
        # SQLite compares the stored columns themselves (sqlite._upserts): no digest.
        return (*entry, None)
    # The tags come first in the title's: an issuer phrase among them keeps its positions,
    # whatever the length of the title. The document's holds no positions (see postgres.py).
    title_words = tag_words(tags) + title_folded.split()
    title_tsv = tsvector_binary(title_words)
    document_tsv = lexemes_binary(itertools.chain(title_words, pieces if pieces is not None else body.split()))
    return (*entry, entry_digest(entry, title_tsv, document_tsv), title_tsv, document_tsv)


def _attachment_texts(attachments: Any) -> dict[int, list[str]]:
    texts: dict[int, list[str]] = {}
    for document_id, text in attachments.exclude(text="").values_list("document_id", "text"):
        texts.setdefault(document_id, []).append(text)
    return texts


def _entries(
    rows: Sequence[Sequence[Any]],
    texts: dict[int, list[str]],
    ancestors: dict[int, list[int]] | None,
    tsvectors: bool,
) -> list[tuple[Any, ...]]:
    """The entries of `rows`; `ancestors` of their units (read here when None)."""
    if ancestors is None:
        ancestors = ancestors_by_unit({row[1] for row in rows})
    return [_entry(row, " ".join(texts.get(row[0], ())), ancestors, tsvectors) for row in rows]


def _columns(tsvectors: bool) -> tuple[str, ...]:
    return (*COLUMNS, "title_tsv", "document_tsv") if tsvectors else COLUMNS


def _chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


@transaction.atomic
def index_documents(ids: Iterable[int], workers: int | None = 1) -> int:
    """(Re)build the entries of `ids`; ids of documents that no longer exist lose theirs.

    Batch by batch, the database writes one batch (in a helper thread) while this process folds
    the next. With more than one batch and `workers` > 1 (None: one per core), forked processes
    fold instead. The default forks nothing: the registry's services call this inside web
    requests; command-line tools ask for workers."""
    engine = backend()
    tsvectors = engine.writes_tsvectors
    columns = _columns(tsvectors)
    chunks = list(_chunks(ids, BATCH_SIZE))
    pool = None
    if len(chunks) > 1:
        pool = _fold_pool(workers, {}, tsvectors)
        engine.before_large_write()
    written = 0
    pending: tuple[list[int], Any] | None = None
    try:
        for chunk in chunks:
            engine.flush()
            rows = list(Document.objects.filter(pk__in=chunk).values_list(*_DOCUMENT_FIELDS))
            texts = _attachment_texts(Attachment.objects.filter(document_id__in=chunk))
            ancestors = ancestors_by_unit({row[1] for row in rows})
            if pool is not None:
                job: Any = pool.apply_async(_fold_part, (rows, texts, ancestors))
            if pending is not None:
                written += _write_later(engine, columns, *pending)
            if pool is None:
                job = _entries(rows, texts, ancestors, tsvectors)
            pending = (chunk, job)
        engine.flush()
        if pending is not None:
            written += _write_later(engine, columns, *pending, wait=True)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    return written


def _write_later(engine: Any, columns: Sequence[str], chunk: list[int], job: Any, wait: bool = False) -> int:
    """Start writing the entries of `chunk` (the connection must be free: `engine.flush()` first);
    with `wait`, write them now (the last batch: nothing left to fold meanwhile)."""
    found: list[tuple[Any, ...]] = job if isinstance(job, list) else job.get()
    missing = set(chunk) - {row[0] for row in found}
    if missing:
        SearchEntry.objects.filter(document_id__in=missing).delete()
    if found:
        (engine.upsert if wait else engine.upsert_later)(columns, found)
    return len(found)


def reindex_units(unit_ids: Iterable[int], workers: int | None = 1) -> int:
    """Rewrite the entries of every document owned by the units `unit_ids` or below them: their
    ancestor tokens after a unit moved (call after the closure table is rebuilt)."""
    from chidao.org.models import UnitClosure

    below = UnitClosure.objects.filter(ancestor_id__in=list(unit_ids)).values("descendant_id")
    return index_documents(Document.objects.filter(unit_id__in=below).values_list("pk", flat=True), workers)


def remove_documents(ids: Iterable[int]) -> None:
    SearchEntry.objects.filter(document_id__in=list(ids)).delete()


def reindex_all(batch_size: int = 5000, workers: int | None = None) -> int:
    """Rebuild every entry from the registry; returns the number of documents indexed.

    On PostgreSQL, called outside any transaction (a command, a task) and with `workers` other
    than 1, the new entries are built beside the live ones (`_reindex_beside`): searches go on
    meanwhile. Otherwise, and on SQLite, the entries are rebuilt in place in one transaction
    (`_reindex_in_place`). `workers`: processes folding text (None: as many as suit the cores)."""
    if backend().vendor == "postgresql" and not connection.in_atomic_block and workers != 1:
        written = _reindex_beside(batch_size, workers)
        if written is not None:
            return written
    return _reindex_in_place(batch_size, workers)


def _reindex_beside(batch_size: int, workers: int | None) -> int | None:
    """PostgreSQL: forked processes, each on its own connection, read, fold and COPY batches into
    a new table (no index to maintain), then build its indexes side by side, one per process;
    this process's transaction keeps the registry and the entries from changing throughout and
    finally swaps the tables (postgres.plan_rebuild). Every core works until the end: in place,
    the largest GIN index is built by one process while the others wait.

    None, having changed nothing, when it cannot run here (one worker, other threads running, a
    table the swap would not reproduce)."""
    from chidao.documents.search import postgres

    count = min(2 * (os.cpu_count() or 1), MAX_WORKERS) if workers is None else workers
    if not _can_fork(count):
        return None
    pool: Any = None
    plan: postgres.Rebuild | None = None
    try:
        with transaction.atomic():
            plan = postgres.plan_rebuild()
            if plan is None:
                return None
            ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
            pool = _fold_pool(count, ancestors_by_unit(), True, initializer=_own_connection)
            if pool is None:  # a thread started meanwhile
                return None
            pool.apply(_execute, (plan.create,))
            # Two processes per core: one folds while another's batch is being written.
            written: int = sum(pool.imap_unordered(_load_batch, _bounds(ids, batch_size)))
            for _ in pool.imap_unordered(_execute, plan.indexes):
                pass
            pool.apply(_execute, (plan.analyze,))
            _execute(plan.swap)
        return written
    except BaseException:
        if pool is not None:
            # No loader starts another batch or index; one still running finishes first.
            pool.terminate()
            pool.join()
            pool = None
        if plan is not None:
            # After the rollback; the next rebuild would drop it anyway.
            with contextlib.suppress(DatabaseError):
                _execute(plan.drop)
        raise
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _bounds(ids: Sequence[int], size: int) -> Iterator[tuple[int, int]]:
    """(after, last) of each batch of `size` of the sorted `ids`."""
    for start in range(0, len(ids), size):
        yield (ids[start - 1] if start else ids[0] - 1), ids[min(start + size, len(ids)) - 1]


def _execute(statements: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


# The connection each loader inherited from the parent: kept referenced, never used or closed
# (libpq closing it would end the parent's session on the shared socket).
_inherited: list[Any] = []


def _own_connection() -> None:
    _inherited.append(connection.connection)
    connection.connection = None  # the next query opens this process's own, in autocommit


def _load_batch(bounds: tuple[int, int]) -> int:
    """In a loader: the documents with ids in (after, last] folded and copied into the new table."""
    from chidao.documents.search.postgres import SHADOW, copy_into

    after, last = bounds
    rows = list(Document.objects.filter(pk__gt=after, pk__lte=last).order_by("pk").values_list(*_DOCUMENT_FIELDS))
    texts = _attachment_texts(Attachment.objects.filter(document_id__gt=after, document_id__lte=last))
    ancestors, tsvectors = _fold_state
    copy_into(SHADOW, _columns(tsvectors), _entries(rows, texts, ancestors, tsvectors))
    return len(rows)


@transaction.atomic
def _reindex_in_place(batch_size: int, workers: int | None) -> int:
    """Rebuild every entry in the caller's transaction, the full-text indexes dropped meanwhile.

    Folding a batch overlaps the database writing the previous one (PostgreSQL's COPY runs in a
    helper thread on the same connection and transaction). With more than one batch and `workers`
    > 1 the folding runs in forked processes while this one reads the next batch and writes.
    `workers=1` folds in this process. On PostgreSQL the entry table is held exclusively (searches
    wait) and the registry kept from changes until the caller's transaction ends."""
    engine = backend()
    tsvectors = engine.writes_tsvectors
    columns = _columns(tsvectors)
    engine.begin_rebuild()
    written = 0
    ancestors = ancestors_by_unit()
    pool: Any = None
    try:
        rows, texts = _batch_after(0, batch_size)
        if len(rows) == batch_size:
            pool = _fold_pool(workers, ancestors, tsvectors)
        parts = _fold_later(pool, rows, texts)
        while rows:
            # In this process, or the parts the workers were given before the previous write.
            entries = (
                [entry for part in parts for entry in part.get()]
                if parts
                else _entries(rows, texts, ancestors, tsvectors)
            )
            engine.flush()
            next_rows, next_texts = _batch_after(rows[-1][0], batch_size)
            # The workers fold the next batch while this process (SQLite) or its helper thread
            # (PostgreSQL) writes this one.
            parts = _fold_later(pool, next_rows, next_texts)
            engine.write_rebuilt(columns, entries)
            written += len(rows)
            rows, texts = next_rows, next_texts
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    engine.end_rebuild()
    return written


MAX_WORKERS = 8
# What the folding processes of reindex_all need: the units' ancestors and whether to write
# tsvectors. Set in the parent just before the fork, so nothing is pickled.
_fold_state: tuple[dict[int, list[int]], bool] = ({}, False)


def _can_fork(workers: int) -> bool:
    """More than one worker, and no other thread in this process (a threaded server: forking it
    could copy a held lock)."""
    return workers >= 2 and threading.active_count() == 1


def _fold_pool(workers: int | None, ancestors: dict[int, list[int]], tsvectors: bool, initializer: Any = None) -> Any:
    """Forked processes that fold text. They never touch the database connection they inherit
    (and leave with os._exit, which closes nothing); with `initializer=_own_connection` they open
    their own. None when forking is out (`_can_fork`)."""
    global _fold_state
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if not _can_fork(workers):
        return None
    _fold_state = (ancestors, tsvectors)
    try:
        return multiprocessing.get_context("fork").Pool(workers, initializer=initializer)
    finally:
        _fold_state = ({}, False)


def _fold_part(
    rows: Sequence[Sequence[Any]], texts: dict[int, list[str]], ancestors: dict[int, list[int]] | None = None
) -> list[tuple[Any, ...]]:
    every_unit, tsvectors = _fold_state
    return _entries(rows, texts, every_unit if ancestors is None else ancestors, tsvectors)


def _fold_later(pool: Any, rows: Sequence[Sequence[Any]], texts: dict[int, list[str]]) -> list[Any]:
    """`rows` given to the workers in parts (none without workers or rows)."""
    if pool is None or not rows:
        return []
    return [
        pool.apply_async(_fold_part, (part, {row[0]: texts[row[0]] for row in part if row[0] in texts}))
        for part in _parts(rows, 2 * MAX_WORKERS)
    ]


def _parts(rows: Sequence[Sequence[Any]], count: int) -> Iterator[Sequence[Sequence[Any]]]:
    size = -(-len(rows) // count)
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _batch_after(last: int, size: int) -> tuple[list[Any], dict[int, list[str]]]:
    rows = list(Document.objects.filter(pk__gt=last).order_by("pk").values_list(*_DOCUMENT_FIELDS)[:size])
    if not rows:
        return [], {}
    return rows, _attachment_texts(Attachment.objects.filter(document_id__gt=last, document_id__lte=rows[-1][0]))
