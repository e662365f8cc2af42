"""Keeping the index in step with the registry: batched indexing, edits, removal, full rebuild."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from chidao.documents.models import Attachment, Document, SearchEntry
from chidao.documents.search import index as index_module
from chidao.documents.search import index_documents, postgres, remove_documents
from chidao.documents.search.backends import backend
from chidao.documents.search.index import COLUMNS, reindex_all
from chidao.documents.search.queries import Filters, search_documents
from tests.documents.search import make_document

pytestmark = pytest.mark.django_db


def found(user, text):
    return [hit.document.pk for hit in search_documents(user, text).hits]


def _attach(document, text):
    """An attached PDF whose extracted text is `text`."""
    return Attachment.objects.create(
        document=document, name="phu-luc.pdf", content_type="application/pdf", size=10, sha256="0" * 64, text=text
    )


def test_an_edited_title_is_found_by_its_new_words_only(world):
    document = make_document(world.province_a, "Kế hoạch phòng, chống thiên tai năm 2025")
    assert found(world.province_admin, "thien tai") == [document.pk]
    Document.objects.filter(pk=document.pk).update(title="Kế hoạch chuyển đổi số năm 2025")
    index_documents([document.pk])
    assert found(world.province_admin, "thien tai") == []
    assert found(world.province_admin, "chuyen doi so") == [document.pk]
    assert SearchEntry.objects.count() == 1


def test_a_new_date_moves_the_document_in_the_recency_order(world):
    older = make_document(world.province_a, "Báo cáo sơ kết công tác dân vận", issued_on=dt.date(2023, 1, 1))
    newer = make_document(world.province_a, "Báo cáo tổng kết công tác dân vận", issued_on=dt.date(2024, 1, 1))
    assert found(world.province_admin, "dan van") == [newer.pk, older.pk]
    Document.objects.filter(pk=older.pk).update(issued_on=dt.date(2025, 1, 1))
    index_documents([older.pk])
    assert found(world.province_admin, "dan van") == [older.pk, newer.pk]


def test_a_changed_visibility_changes_who_finds_it(world):
    document = make_document(world.commune_a, "Quy chế phối hợp công tác dân vận", visibility="unit")
    assert found(world.sibling_officer, "quy che phoi hop") == []
    Document.objects.filter(pk=document.pk).update(visibility="public")
    index_documents([document.pk])
    assert found(world.sibling_officer, "quy che phoi hop") == [document.pk]


def test_removed_and_deleted_documents_leave_the_index(world):
    kept = make_document(world.province_a, "Chương trình hành động về chuyển đổi số")
    removed = make_document(world.province_a, "Chương trình kiểm tra, giám sát về chuyển đổi số")
    remove_documents([removed.pk])
    assert found(world.province_admin, "chuyen doi so") == [kept.pk]
    deleted_pk = kept.pk
    Document.objects.filter(pk=deleted_pk).delete()
    index_documents([deleted_pk])  # a deleted id: its entry goes too
    assert found(world.province_admin, "chuyen doi so") == []
    assert not SearchEntry.objects.exists()


def test_attachment_text_is_searched(world):
    document = make_document(world.province_a, "Công văn về việc báo cáo số liệu")
    _attach(document, "Phụ lục: danh sách hộ nghèo được hỗ trợ nhà ở")
    index_documents([document.pk])
    hit = search_documents(world.province_admin, "ho ngheo nha o").hits[0]
    assert hit.document.pk == document.pk
    assert "<mark>hộ nghèo</mark>" in hit.snippet_html or "<mark>" in hit.snippet_html


def test_indexing_many_documents_writes_one_entry_each(world):
    documents = [
        make_document(world.province_a, f"Kế hoạch số {n} về cải cách hành chính", index=False) for n in range(30)
    ]
    assert index_documents(d.pk for d in documents) == 30
    assert SearchEntry.objects.count() == 30
    page = search_documents(world.province_admin, "cai cach hanh chinh")
    assert page.total == 30


def _check_full_text_tables():
    """FTS5's own consistency check of both tables against the entries (SQLite; raises on a
    mismatch). PostgreSQL's tsvectors are compared with to_tsvector's in another test."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in ("documents_search_fts", "documents_search_title_fts"):
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")  # noqa: S608


def test_documents_indexed_out_of_date_order_stay_consistent(world):
    """The upsert writes many rows in one statement in recency order, whatever the documents'
    order: new entries, changed ones, and ones whose date (so their place) moves."""
    start = dt.date(2024, 6, 1)
    documents = [
        make_document(
            world.province_a, f"Kế hoạch số {n} về đê điều", issued_on=start - dt.timedelta(days=n), index=False
        )
        for n in range(40)
    ]
    assert index_documents(d.pk for d in documents) == 40
    _check_full_text_tables()
    assert found(world.province_admin, "de dieu") == [d.pk for d in documents][:20]
    # Half of them edited, a quarter also moved to new dates, and every one reindexed at once.
    for n, document in enumerate(documents[::2]):
        changes = {"title": f"Kế hoạch số {2 * n} về thủy lợi"}
        if n % 2:
            changes["issued_on"] = dt.date(2025, 1, 1) + dt.timedelta(days=n)
        Document.objects.filter(pk=document.pk).update(**changes)
    assert index_documents(reversed([d.pk for d in documents])) == 40
    _check_full_text_tables()
    assert SearchEntry.objects.count() == 40
    assert search_documents(world.province_admin, "de dieu").total == 20
    assert search_documents(world.province_admin, "thuy loi").total == 20
    moved = [d.pk for n, d in enumerate(documents[::2]) if n % 2]
    assert found(world.province_admin, "thuy loi")[:10] == moved[::-1]
    reindex_all()
    _check_full_text_tables()
    assert search_documents(world.province_admin, "thuy loi").total == 20


def _writes():
    """SQLite: the rows its connection has written so far (statements and their triggers);
    PostgreSQL: where each entry's current row version lies (a new version moves it)."""
    if connection.vendor == "sqlite":
        return connection.connection.total_changes
    with connection.cursor() as cursor:
        cursor.execute("SELECT document_id, ctid::text FROM documents_searchentry ORDER BY document_id")
        return cursor.fetchall()


@pytest.mark.parametrize("path", ["parameters", "copy"])
def test_reindexing_writes_only_what_changed(world, monkeypatch, path):
    """Several batches (the helper thread writes all but the last): a changed title, a changed
    type (the tags), a changed visibility and untouched documents, all re-indexed at once. On
    PostgreSQL both ways of writing: bound parameters (a few rows) and DELETE + COPY (many)."""
    if path == "copy":
        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL's bulk write path")
        monkeypatch.setattr(postgres.PostgresBackend, "COPY_UPSERT", 1)
    monkeypatch.setattr(index_module, "BATCH_SIZE", 5)
    documents = [make_document(world.province_a, f"Kế hoạch số {n} về phòng cháy", index=False) for n in range(12)]
    ids = [d.pk for d in documents]
    assert index_documents(ids) == 12
    _check_full_text_tables()
    before = _writes()
    assert index_documents(ids) == 12
    assert _writes() == before, "unchanged entries were rewritten"
    Document.objects.filter(pk__in=ids[0:3]).update(title="Kế hoạch về chữa cháy rừng")
    Document.objects.filter(pk__in=ids[3:6]).update(kind="report")
    Document.objects.filter(pk__in=ids[6:9]).update(visibility="unit")
    assert index_documents(reversed(ids)) == 12
    _check_full_text_tables()
    assert set(found(world.province_admin, "chua chay rung")) == set(ids[0:3])
    assert search_documents(world.province_admin, "phong chay").total == 9
    reports = search_documents(world.province_admin, "phong chay", filters=Filters(kind="report"))
    assert {hit.document.pk for hit in reports.hits} == set(ids[3:6])
    # The commune's officers see the province's subtree-wide documents, not those kept to its unit.
    assert set(found(world.commune_officer, "phong chay")) == set(ids[3:6]) | set(ids[9:12])


def test_a_write_failing_in_the_helper_thread_raises_djangos_error_and_changes_nothing(world):
    first = make_document(world.province_a, "Kế hoạch về đê điều", index=False)
    second = make_document(world.province_a, "Kế hoạch về thủy lợi", index=False)
    engine = backend()
    rows = list(
        Document.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk").values_list(*index_module._DOCUMENT_FIELDS)
    )
    entries = [list(entry) for entry in index_module._entries(rows, {}, None, engine.writes_tsvectors)]
    key = COLUMNS.index("recency_key")
    entries[1][key] = entries[0][key]  # two entries cannot share a place in the recency order
    with pytest.raises(IntegrityError), transaction.atomic():
        engine.upsert_later(index_module._columns(engine.writes_tsvectors), entries)
        engine.flush()
    assert not SearchEntry.objects.exists()


def test_reindex_all_rebuilds_a_stale_index(world):
    indexed = make_document(world.province_a, "Nghị quyết về phát triển du lịch")
    missing = make_document(world.province_a, "Đề án phát triển du lịch cộng đồng", index=False)
    Document.objects.filter(pk=indexed.pk).update(title="Nghị quyết về phát triển nông nghiệp")
    assert found(world.province_admin, "du lich") == [indexed.pk]
    assert reindex_all(batch_size=1) == 2
    assert found(world.province_admin, "du lich") == [missing.pk]
    assert found(world.province_admin, "nong nghiep") == [indexed.pk]
    # and the index still follows edits afterwards
    Document.objects.filter(pk=missing.pk).update(title="Đề án phát triển thủy sản")
    index_documents([missing.pk])
    assert found(world.province_admin, "du lich") == []


def _entry_rows():
    """Every entry as stored, with the tsvectors on PostgreSQL (the FTS5 tables are filled from
    these columns)."""
    columns = [*COLUMNS, "title_tsv::text", "document_tsv::text"] if connection.vendor == "postgresql" else COLUMNS
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM documents_searchentry ORDER BY document_id")  # noqa: S608
        return cursor.fetchall()


def test_reindex_all_folds_the_same_in_worker_processes(world):
    first = make_document(world.province_a, "Nghị quyết 35-NQ/TW về bảo vệ nền tảng tư tưởng", symbol="35-NQ/TW")
    make_document(world.commune_a, "Kế hoạch số 12/KH-UBND chuyển đổi số", visibility="public", index=False)
    make_document(
        world.province_a, "Báo cáo tổng kết … năm 2024 (dự thảo)", kind="report", summary="Đảng ủy; đảng viên"
    )
    _attach(first, "Phụ lục: danh sách hộ nghèo\tđược hỗ trợ")
    assert reindex_all(batch_size=1, workers=1) == 3
    serial = _entry_rows()
    assert len(serial) == 3
    assert reindex_all(batch_size=1, workers=3) == 3
    assert _entry_rows() == serial
    assert found(world.province_admin, "ho ngheo") == [first.pk]


def test_reindex_command_prints_one_line_and_dry_run_writes_nothing(world, capsys):
    make_document(world.province_a, "Kế hoạch tuyên truyền", index=False)
    call_command("reindex_documents", "--dry-run")
    assert capsys.readouterr().out.strip() == "Would reindex 1 documents."
    assert not SearchEntry.objects.exists()
    call_command("reindex_documents")
    out = capsys.readouterr().out.strip()
    assert out.startswith("Reindexed 1 documents in") and "\n" not in out
    assert found(world.province_admin, "tuyen truyen") != []


def test_postgres_full_reindex_puts_back_its_foreign_key_and_indexes(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL drops the foreign key and the GIN indexes while it reloads")

    def schema():
        return _entry_table()[1:]  # constraints, indexes, columns, leftover: all but the table's oid

    make_document(world.province_a, "Kế hoạch tuyên truyền", index=False)
    before = schema()
    assert any("FOREIGN KEY (document_id)" in definition for _name, definition in before[0])
    assert reindex_all(batch_size=1, workers=1) == 1
    assert schema() == before
    assert found(world.province_admin, "tuyen truyen") != []


@pytest.mark.parametrize("path", ["parameters", "copy", "rebuild"])
def test_postgres_tsvectors_are_what_to_tsvector_makes(world, monkeypatch, path):
    """Each way entries are written: a few bound as parameters (the tsvectors as text literals),
    an upsert from a binary COPY, and the full rebuild's binary COPY."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL stores tsvector columns; SQLite's FTS5 tables are filled by triggers")
    if path == "copy":
        monkeypatch.setattr(postgres.PostgresBackend, "COPY_UPSERT", 1)
    make_document(world.province_a, "Kế hoạch số 12/2025/KH-UBND về “chuyển đổi số” năm 2025 (lần 2)")
    make_document(
        world.province_a,
        "Đảng ủy Đảng ủy Đảng ủy",
        full_text=" ".join(["Đảng"] * 400 + ["ủy ban nhân dân"] * 6000) + " cuối văn bản",
        symbol="05-NQ/ĐU",
    )
    # A word used 255 and 256 times, and words at the parser's length limit (it drops a word over
    # 2,047 bytes), in an ordinary-sized document.
    make_document(
        world.province_a,
        "Báo cáo " + "ư" * 700,
        full_text=" ".join(["dân"] * 255 + ["vận"] * 256 + ["x" * 2047, "y" * 2046, "ж" * 1024, "ж" * 1023, "cuối"]),
    )
    make_document(world.province_a, "Thông báo kết luận", full_text="")
    if path == "rebuild":
        assert reindex_all() == 4
    # The scope and filter tokens come first, as lexemes the parser never makes ("_kplan"); the
    # document's tsvector keeps no positions (phrases are checked on the folded text).
    tags = import_module("chidao.documents.migrations.0003_search_tags")._TAG_TSVECTOR
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM documents_searchentry WHERE title_tsv = {tags} || to_tsvector('simple', title_folded) "  # noqa: S608  # our SQL
            f"AND document_tsv = strip({tags} || to_tsvector('simple', title_folded || ' ' || body_folded))"
        )
        assert cursor.fetchone()[0] == 4


@pytest.mark.parametrize(
    "text",
    [
        "",
        "dang uy dang uy tinh",
        # Byte order, not the collation's: digits before letters, a prefix before its extension,
        # Cyrillic after Latin; tags ("_" + token, which the parser would split) among words.
        "35 nq tw zz z ж ab a b 2024",
        "_kplan dang _y2024 _a1 uy _a12 dang",
        "ke hoach ke hoach ж z ж zz z 2024 hoach ke",
        " ".join(["dan"] * 255 + ["van"] * 256 + ["cuoi"]),
        " ".join(["x" * 2047, "y" * 2048, "ж" * 1023, "ж" * 1024, "end"]),
        " ".join(f"w{n % 500}" for n in range(17_000)) + " last",
    ],
    ids=["empty", "repeated", "order", "tags", "repeated-order", "positions-255", "long-words", "past-16383"],
)
def test_postgres_binary_tsvectors_equal_to_tsvector_through_copy_and_as_text(text):
    """tsvector_binary and lexemes_binary sent by a binary COPY, and their text (tsvector_text),
    are what to_tsvector (and strip) make of the same words."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    words = text.split()
    # Tags are compared with the server's reading of every occurrence listed on its own.
    made = "to_tsvector('simple', %s)" if "_" not in text else "%s::tsvector"
    source = text if "_" not in text else " ".join(f"'{w}':{n}" for n, w in enumerate(words, 1))
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE tsv_check (document_id bigint, title_tsv tsvector, document_tsv tsvector)"
        )
        rows = [(1, postgres.tsvector_binary(words), postgres.lexemes_binary(words))]
        postgres._copy(cursor.cursor, "tsv_check", ["document_id", "title_tsv", "document_tsv"], rows)
        cursor.execute(
            f"SELECT title_tsv = {made}, document_tsv = strip({made}), "  # noqa: S608  # one of two fixed expressions
            "title_tsv::text = %s, document_tsv::text = %s FROM tsv_check",
            [source, source, postgres.tsvector_text(rows[0][1]), postgres.tsvector_text(rows[0][2])],
        )
        assert cursor.fetchone() == (True, True, True, True)


def test_index_documents_in_worker_processes_writes_the_same_entries(world, monkeypatch):
    documents = [
        make_document(world.province_a, "Nghị quyết 35-NQ/TW về công tác cán bộ", symbol="35-NQ/TW", index=False),
        make_document(world.commune_a, "Kế hoạch chuyển đổi số", visibility="public", index=False),
        make_document(world.province_a, "Báo cáo tổng kết năm 2024", kind="report", index=False),
    ]
    ids = [d.pk for d in documents]
    monkeypatch.setattr("chidao.documents.search.index.BATCH_SIZE", 1)
    assert index_module.index_documents([*ids, 10**9], workers=1) == 3
    serial = _entry_rows()
    SearchEntry.objects.all().delete()
    assert index_module.index_documents([*ids, 10**9], workers=2) == 3
    assert _entry_rows() == serial
    assert found(world.province_admin, "chuyen doi so") == [documents[1].pk]


def _entry_table():
    """The entry table's oid, constraints and index definitions (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'documents_searchentry'::regclass::oid")
        oid = cursor.fetchone()[0]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'documents_searchentry'::regclass ORDER BY conname"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'documents_searchentry' ORDER BY 1"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'documents_searchentry'::regclass "
            "AND attnum > 0 ORDER BY attnum"
        )
        columns = cursor.fetchall()
        cursor.execute("SELECT to_regclass('search_entry_rebuild') IS NOT NULL")
        leftover = cursor.fetchone()[0]
    return oid, constraints, indexes, columns, leftover


def _reindex_world(world):
    first = make_document(world.province_a, "Nghị quyết 35-NQ/TW về bảo vệ nền tảng tư tưởng", symbol="35-NQ/TW")
    make_document(world.commune_a, "Kế hoạch số 12/KH-UBND chuyển đổi số", visibility="public", index=False)
    make_document(world.province_a, "Báo cáo tổng kết năm 2024", kind="report", summary="Đảng ủy; đảng viên")
    _attach(first, "Phụ lục: danh sách hộ nghèo được hỗ trợ")
    return first


@pytest.fixture
def forking_allowed(monkeypatch):
    """The rebuild beside the live table forks only in a single-threaded process; a live server
    started by the browser tests keeps a thread for the whole session (idle in its accept loop:
    no lock held that a forked loader, which only folds and uses its own connection, could need)."""
    monkeypatch.setattr(index_module.threading, "active_count", lambda: 1)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork:DeprecationWarning")
@pytest.mark.django_db(transaction=True)
def test_postgres_reindex_outside_a_transaction_builds_a_new_table_and_swaps_it_in(world, forking_allowed):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite rebuilds in place")
    first = _reindex_world(world)
    assert reindex_all(batch_size=1, workers=1) == 3  # in place: the reference
    serial = _entry_rows()
    oid, *schema = _entry_table()
    Document.objects.filter(pk=first.pk).update(title="Nghị quyết về du lịch")  # stale entry

    assert reindex_all(batch_size=2, workers=2) == 3

    new_oid, *new_schema = _entry_table()
    assert new_oid != oid  # built beside and swapped in
    assert new_schema == schema  # same names, keys, indexes, compression; nothing left over
    rows = _entry_rows()
    assert [row[0] for row in rows] == [row[0] for row in serial]
    assert rows[1:] == serial[1:]
    assert "du lich" in rows[0][COLUMNS.index("title_folded")]
    assert found(world.province_admin, "du lich") == [first.pk]
    assert found(world.province_admin, "ho ngheo") == [first.pk]
    # the swapped-in table takes edits like the old one
    Document.objects.filter(pk=first.pk).update(title="Nghị quyết về nông nghiệp")
    index_documents([first.pk])
    assert found(world.province_admin, "nong nghiep") == [first.pk]


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork:DeprecationWarning")
@pytest.mark.django_db(transaction=True)
def test_postgres_reindex_that_fails_leaves_the_live_table_as_it_was(world, monkeypatch, forking_allowed):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite rebuilds in place")
    first = _reindex_world(world)
    reindex_all(batch_size=1, workers=1)
    before = _entry_rows()
    table = _entry_table()

    def broken(*args, **kwargs):
        raise ValueError("folding failed")

    monkeypatch.setattr(index_module, "_entries", broken)  # the forked loaders inherit it
    planned = []
    plan_rebuild = postgres.plan_rebuild
    monkeypatch.setattr(postgres, "plan_rebuild", lambda: planned.append(plan_rebuild()) or planned[-1])
    with pytest.raises(ValueError, match="folding failed"):
        reindex_all(batch_size=1, workers=2)
    assert planned and planned[0] is not None  # it was building beside the live table
    assert _entry_table() == table  # same table, no half-built one left
    assert _entry_rows() == before
    assert found(world.province_admin, "ho ngheo") == [first.pk]


def _entries():
    return list(SearchEntry.objects.order_by("document_id").values_list(*COLUMNS))


def test_postgres_an_entry_is_rewritten_when_its_digest_differs_from_its_columns(world):
    """Entries written before digests existed (null) or by other code are written again, even
    when their columns are what the indexer would write; the others are left alone."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite compares the stored columns, it keeps no digest")
    documents = [make_document(world.province_a, f"Kế hoạch số {n} về phòng cháy", index=False) for n in range(3)]
    ids = [d.pk for d in documents]
    index_documents(ids)
    expected = _entries()
    assert all(isinstance(entry[-1], int) for entry in expected)
    assert len({entry[-1] for entry in expected}) == 3
    SearchEntry.objects.filter(document_id=ids[0]).update(digest=None)
    SearchEntry.objects.filter(document_id=ids[1]).update(digest=7)
    before = _writes()
    index_documents(ids)
    assert _entries() == expected
    moved = [pk for (pk, at), (_, now) in zip(before, _writes(), strict=True) if at != now]
    assert moved == ids[:2]


@pytest.mark.parametrize("path", ["parameters", "copy"])
def test_postgres_entries_are_rewritten_when_the_tsvectors_are_made_otherwise(world, monkeypatch, path):
    """The digest covers the tsvectors as written: a change in how they are made (here: every
    document's lexemes without "chay") rewrites the entries though their columns are the same."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's FTS5 tables are made by its triggers from the columns")
    if path == "copy":
        monkeypatch.setattr(postgres.PostgresBackend, "COPY_UPSERT", 1)
    documents = [make_document(world.province_a, f"Kế hoạch số {n} về phòng cháy", index=False) for n in range(3)]
    ids = [d.pk for d in documents]
    index_documents(ids)
    columns = _entries()
    assert set(found(world.province_admin, "phong chay")) == set(ids)
    made = index_module.lexemes_binary

    def without_chay(pieces):
        return made(piece for piece in pieces if piece != "chay")

    monkeypatch.setattr(index_module, "lexemes_binary", without_chay)
    index_documents(ids)
    assert [entry[:-1] for entry in _entries()] == [entry[:-1] for entry in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM documents_searchentry WHERE document_id = ANY(%s) AND document_tsv @@ 'chay'", [ids]
        )
        assert cursor.fetchone() == (0,)


def test_postgres_copy_that_meets_a_concurrent_entry_falls_back_to_the_upsert(world, monkeypatch):
    """The bulk path reads the stored digests, deletes the changed entries and COPYs; an entry
    that appeared meanwhile (here: the two changed entries read as if they were not stored) fails
    the COPY on the key. The COPY is undone to its savepoint and INSERT … ON CONFLICT writes the
    changed rows instead, in the same transaction; earlier writes of the transaction stay."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's bulk write path")
    monkeypatch.setattr(postgres.PostgresBackend, "COPY_UPSERT", 1)
    documents = [make_document(world.province_a, f"Kế hoạch số {n} về phòng cháy", index=False) for n in range(4)]
    ids = [d.pk for d in documents]
    index_documents(ids)
    kept = make_document(world.province_a, "Thông báo kết luận hội nghị")
    Document.objects.filter(pk__in=ids[:2]).update(title="Kế hoạch về chữa cháy rừng")
    returned: list[bool] = []
    changed, replace = postgres.PostgresBackend._changed, postgres._replace

    def stored_nothing(self, cursor, columns, rows):
        rows, stored = changed(self, cursor, columns, rows)
        assert stored == set(ids[:2])
        return rows, set()

    def spied(*args):
        returned.append(replace(*args))
        return returned[-1]

    monkeypatch.setattr(postgres.PostgresBackend, "_changed", stored_nothing)
    monkeypatch.setattr(postgres, "_replace", spied)
    before = dict(_writes())
    with transaction.atomic():
        assert index_documents(ids) == 4
        assert returned == [False], "the COPY did not fail over to the upsert"
        # The upsert rewrote only the two changed entries.
        moved = [pk for pk, at in _writes() if pk in before and before[pk] != at]
        assert moved == ids[:2]
        assert set(found(world.province_admin, "chua chay rung")) == set(ids[:2])
        assert set(found(world.province_admin, "phong chay")) == set(ids[2:])
        assert found(world.province_admin, "ket luan hoi nghi") == [kept.pk]
    assert SearchEntry.objects.count() == 5
