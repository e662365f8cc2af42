"""SQLite's writing of the FTS5 tables: their configuration, the triggers, one statement per
batch, and the checkpoint a large write leaves to a helper thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from chidao.documents.models import Document
from chidao.documents.search import index as index_module
from chidao.documents.search import index_documents, sqlite
from chidao.documents.search.backends import backend
from chidao.documents.search.index import reindex_all
from chidao.documents.search.queries import search_documents
from tests.documents.search import make_document

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 tables"),
]


def _triggers() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [sqlite.ENTRY])
        return dict(cursor.fetchall())


def test_the_migrations_configure_the_tables_and_triggers_a_reindex_puts_back(world):
    with connection.cursor() as cursor:
        for table in (sqlite.FTS, sqlite.TITLE_FTS):
            cursor.execute(f"SELECT v FROM {table}_config WHERE k = 'hashsize'")  # noqa: S608
            assert cursor.fetchone() == (sqlite.HASHSIZE,)
    migrated = _triggers()
    assert migrated == sqlite.TRIGGERS
    make_document(world.province_a, "Kế hoạch về đê điều", index=False)
    assert reindex_all() == 1
    assert _triggers() == migrated


def _title_table() -> tuple[int, bytes]:
    """The title table's stored segments, after FTS5 wrote out the terms it held (it does at a
    savepoint)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), group_concat(hex(block), '') FROM {sqlite.TITLE_FTS}_data")  # noqa: S608
        return cursor.fetchone()


def _hits(world, text):
    """(document, where its words were found: the title table or only the whole text) of each hit."""
    hits = search_documents(world.province_admin, text).hits
    return [(h.document.pk, "title" if h.reason.startswith("title") else h.reason) for h in hits]


def test_an_edited_summary_leaves_the_title_table_alone(world):
    document = make_document(world.province_a, "Kế hoạch phòng chống thiên tai", summary="Tổng kết công tác năm")
    before = _title_table()
    Document.objects.filter(pk=document.pk).update(summary="Triển khai diễn tập cứu hộ")
    index_documents([document.pk])
    assert _title_table() == before
    assert _hits(world, "dien tap cuu ho") == [(document.pk, "body")]
    assert _hits(world, "tong ket cong tac") == []
    assert _hits(world, "phong chong thien tai") == [(document.pk, "title")]
    Document.objects.filter(pk=document.pk).update(title="Kế hoạch ứng phó bão lũ")
    index_documents([document.pk])
    assert _title_table() != before
    assert _hits(world, "bao lu") == [(document.pk, "title")]
    assert _hits(world, "thien tai") == []
    with connection.cursor() as cursor:
        for table in (sqlite.FTS, sqlite.TITLE_FTS):
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")  # noqa: S608


def test_a_batch_of_new_entries_is_written_in_as_few_statements_as_the_parameters_allow(world):
    columns = index_module.COLUMNS
    rows = [
        (10_000_000 + n, world.province_a.pk, "plan", "public", "", "2024-01-01", n, "", None, "", "", "a", "b", "", n)
        for n in range(index_module.BATCH_SIZE)
    ]
    with connection.cursor() as cursor:
        statements = sqlite._upserts(cursor, columns, rows, "?")
    per_statement = connection.features.max_query_params // len(columns)
    assert len(statements) == -(-len(rows) // per_statement)
    assert sum(len(params) for _sql, params in statements) == len(rows) * len(columns)


@pytest.fixture
def wal_database(tmp_path: Path):
    """A connection to a database file in write-ahead-log mode (the tests' own is in memory),
    under an alias of its own for this thread."""
    other = connection.copy(alias="wal_test")
    other.settings_dict["NAME"] = str(tmp_path / "wal.sqlite3")
    connections["wal_test"] = other
    with other.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("CREATE TABLE filler (data BLOB)")
    yield other
    other.close()
    del connections["wal_test"]


ROWS = 1200  # of 8,000 bytes: about 2,400 pages of 4 KB, past SQLite's automatic checkpoint's 1,000
COPIED = ROWS * 8000 * 9 // 10  # the database file grows by at least this when the log is copied


def _write_rows(conn) -> None:
    with conn.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
            "INSERT INTO filler SELECT randomblob(8000) FROM n",
            [ROWS],
        )


def _rows(conn) -> int:
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM filler")
        return cursor.fetchone()[0]


def test_a_large_write_leaves_its_checkpoint_to_a_helper_thread(wal_database, monkeypatch):
    started: list[threading.Thread] = []
    start = sqlite.start_checkpoint

    def recorded(conn):
        started.append(start(conn))
        return started[-1]

    monkeypatch.setattr(sqlite, "start_checkpoint", recorded)
    path = Path(wal_database.settings_dict["NAME"])
    size = path.stat().st_size
    with transaction.atomic(using="wal_test"):
        sqlite.checkpoint_after_commit(wal_database)
        with wal_database.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone() == (0,)
        _write_rows(wal_database)
        assert not started
    # Committed: the rows are in the log, not yet in the database file, and the helper copies them.
    assert len(started) == 1
    started[0].join(timeout=30)
    assert not started[0].is_alive()
    assert path.stat().st_size > size + COPIED
    with wal_database.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone() == (sqlite.AUTOCHECKPOINT,)
    assert _rows(wal_database) == ROWS


def test_a_commit_without_the_helper_would_copy_the_log_itself(wal_database):
    """The comparison the test above rests on: SQLite's own automatic checkpoint at commit."""
    path = Path(wal_database.settings_dict["NAME"])
    size = path.stat().st_size
    with transaction.atomic(using="wal_test"):
        _write_rows(wal_database)
        assert path.stat().st_size == size
    assert path.stat().st_size > size + COPIED


def test_the_database_file_waits_for_the_helper_until_it_runs(wal_database, monkeypatch):
    """Between the commit and the helper's checkpoint, the rows are read from the log."""
    monkeypatch.setattr(sqlite, "start_checkpoint", lambda conn: None)
    path = Path(wal_database.settings_dict["NAME"])
    size = path.stat().st_size
    with transaction.atomic(using="wal_test"):
        sqlite.checkpoint_after_commit(wal_database)
        _write_rows(wal_database)
    assert path.stat().st_size == size
    assert _rows(wal_database) == ROWS


def test_index_documents_of_several_batches_hands_over_its_checkpoint(world, monkeypatch):
    calls: list[str] = []
    engine = type(backend())
    monkeypatch.setattr(engine, "before_large_write", lambda self: calls.append("large"))
    monkeypatch.setattr(index_module, "BATCH_SIZE", 2)
    documents = [make_document(world.province_a, f"Kế hoạch số {n}", index=False) for n in range(3)]
    assert index_documents([documents[0].pk, documents[1].pk]) == 2
    assert calls == []
    assert index_documents([d.pk for d in documents]) == 3
    assert calls == ["large"]
