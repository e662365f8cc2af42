"""Full-text structures of the document search, one per database, built from SearchEntry.

SQLite: a contentless FTS5 table over the folded title and body (tokenizer unicode61; the text is
folded in Python first because FTS5's remove_diacritics leaves "đ" alone), rowid = the entry's
recency_key, kept in step by triggers on the entry table.
PostgreSQL: tsvector columns with GIN indexes, equal to to_tsvector('simple', ...) of the
Python-folded text (so neither the unaccent extension nor a superuser is needed). The indexer
writes them as tsvector literals: the server reads a literal about twice as fast as to_tsvector
parses the text (measured: 236 against 425 µs for a 2 kB document), and a reindex keeps both the
server's core and Python's busy.

Search entries are derived data: existing ones are dropped here; `chidao reindex_documents`
rebuilds them.
"""

from typing import Any

from django.db import migrations, models

SQLITE_UP = [
    "CREATE VIRTUAL TABLE documents_search_fts USING fts5("
    "title_folded, body_folded, content='', tokenize='unicode61 remove_diacritics 0')",
    # Titles alone: their word lists are a fraction of the whole text's, so a title-only match
    # does not walk the body's lists.
    "CREATE VIRTUAL TABLE documents_search_title_fts USING fts5("
    "title_folded, content='', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER documents_search_ai AFTER INSERT ON documents_searchentry BEGIN "
    "INSERT INTO documents_search_fts(rowid, title_folded, body_folded) "
    "VALUES (new.recency_key, new.title_folded, new.body_folded); "
    "INSERT INTO documents_search_title_fts(rowid, title_folded) VALUES (new.recency_key, new.title_folded); END",
    "CREATE TRIGGER documents_search_ad AFTER DELETE ON documents_searchentry BEGIN "
    "INSERT INTO documents_search_fts(documents_search_fts, rowid, title_folded, body_folded) "
    "VALUES ('delete', old.recency_key, old.title_folded, old.body_folded); "
    "INSERT INTO documents_search_title_fts(documents_search_title_fts, rowid, title_folded) "
    "VALUES ('delete', old.recency_key, old.title_folded); END",
    "CREATE TRIGGER documents_search_au AFTER UPDATE OF recency_key, title_folded, body_folded "
    "ON documents_searchentry BEGIN "
    "INSERT INTO documents_search_fts(documents_search_fts, rowid, title_folded, body_folded) "
    "VALUES ('delete', old.recency_key, old.title_folded, old.body_folded); "
    "INSERT INTO documents_search_title_fts(documents_search_title_fts, rowid, title_folded) "
    "VALUES ('delete', old.recency_key, old.title_folded); "
    "INSERT INTO documents_search_fts(rowid, title_folded, body_folded) "
    "VALUES (new.recency_key, new.title_folded, new.body_folded); "
    "INSERT INTO documents_search_title_fts(rowid, title_folded) VALUES (new.recency_key, new.title_folded); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS documents_search_au",
    "DROP TRIGGER IF EXISTS documents_search_ad",
    "DROP TRIGGER IF EXISTS documents_search_ai",
    "DROP TABLE IF EXISTS documents_search_title_fts",
    "DROP TABLE IF EXISTS documents_search_fts",
]
POSTGRES_UP = [
    "ALTER TABLE documents_searchentry "
    "ADD COLUMN title_tsv tsvector NOT NULL DEFAULT ''::tsvector, "
    "ADD COLUMN document_tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX search_entry_title_tsv ON documents_searchentry USING gin (title_tsv)",
    "CREATE INDEX search_entry_document_tsv ON documents_searchentry USING gin (document_tsv)",
    # The two large columns are compressed as they are written (rows pass 2 kB); lz4 does that
    # several times faster than the default pglz, which a reindex of a million rows feels.
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
    "AND 'lz4' = ANY(enumvals)) THEN ALTER TABLE documents_searchentry "
    "ALTER COLUMN body_folded SET COMPRESSION lz4, ALTER COLUMN document_tsv SET COMPRESSION lz4; END IF; END $$",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_entry_document_tsv",
    "DROP INDEX IF EXISTS search_entry_title_tsv",
    "ALTER TABLE documents_searchentry DROP COLUMN IF EXISTS document_tsv, DROP COLUMN IF EXISTS title_tsv",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL("DELETE FROM documents_searchentry", migrations.RunSQL.noop),
        migrations.AddField(
            model_name="searchentry",
            name="recency_key",
            field=models.BigIntegerField(default=0, unique=True),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="searchentry",
            name="symbol_issuer",
            field=models.CharField(blank=True, max_length=50),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="symbol_number",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="symbol_type",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["symbol_number", "symbol_type"], name="search_entry_number"),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
