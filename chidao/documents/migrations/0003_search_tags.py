"""Scope and filter tokens in the full-text index (chidao.documents.search.tokens).

SQLite: the FTS5 tables get a `tags` column; they are rebuilt with it, their triggers recreated
(adding the field rebuilds the entry table, which drops them) and filled from the entries.
PostgreSQL: the tags go in front of both tsvectors as lexemes "_" + tag (search/postgres.py).
Existing entries get their tags from SQL here (the issuer words from the stored, at most 255
characters long, folded issuer); `chidao reindex_documents` writes them exactly.
"""

import importlib
from typing import Any

from django.db import migrations, models

# v<visibility> k<kind> y<year> a<ancestor>... [s<unit>] i<issuer word>... (tokens.entry_tags).
SQLITE_TAGS = (
    "UPDATE documents_searchentry SET tags = 'v' || visibility || ' k' || kind || ' y' || "
    "substr(issued_on, 1, 4) || ' ' || (SELECT group_concat('a' || ancestor_id, ' ') FROM "
    "(SELECT ancestor_id FROM org_unitclosure WHERE descendant_id = documents_searchentry.unit_id "
    "ORDER BY ancestor_id)) || CASE WHEN visibility = 'subtree' THEN ' s' || unit_id ELSE '' END || "
    "CASE WHEN issuer_folded <> '' THEN ' i' || replace(issuer_folded, ' ', ' i') ELSE '' END"
)
POSTGRES_TAGS = (
    "UPDATE documents_searchentry SET tags = 'v' || visibility || ' k' || kind || ' y' || "
    "extract(year FROM issued_on)::int || ' ' || coalesce((SELECT string_agg('a' || ancestor_id, ' ' "
    "ORDER BY ancestor_id) FROM org_unitclosure WHERE descendant_id = documents_searchentry.unit_id), '') || "
    "CASE WHEN visibility = 'subtree' THEN ' s' || unit_id ELSE '' END || "
    "CASE WHEN issuer_folded <> '' THEN ' i' || replace(issuer_folded, ' ', ' i') ELSE '' END"
)
# The tags as lexemes "_" + tag at positions 1, 2... in front of both tsvectors (postgres.tag_words);
# `||` shifts the text's positions after them.
_TAG_TSVECTOR = (
    "(SELECT coalesce(string_agg('''_' || tag || ''':' || n, ' ' ORDER BY n), '') FROM "
    "unnest(string_to_array(tags, ' ')) WITH ORDINALITY AS t(tag, n))::tsvector"
)
POSTGRES_TSVECTORS = (
    f"UPDATE documents_searchentry SET title_tsv = {_TAG_TSVECTOR} || title_tsv, "  # noqa: S608  # constant SQL
    f"document_tsv = {_TAG_TSVECTOR} || document_tsv"
)
SQLITE_UP = [
    "DROP TRIGGER IF EXISTS documents_search_ai",
    "DROP TRIGGER IF EXISTS documents_search_ad",
    "DROP TRIGGER IF EXISTS documents_search_au",
    "DROP TABLE IF EXISTS documents_search_title_fts",
    "DROP TABLE IF EXISTS documents_search_fts",
    "CREATE VIRTUAL TABLE documents_search_fts USING fts5(title_folded, body_folded, tags, content='', tokenize='unicode61 remove_diacritics 0')",
    "CREATE VIRTUAL TABLE documents_search_title_fts USING fts5(title_folded, tags, content='', tokenize='unicode61 remove_diacritics 0')",
    SQLITE_TAGS,
    "INSERT INTO documents_search_fts(rowid, title_folded, body_folded, tags) SELECT recency_key, title_folded, body_folded, tags FROM documents_searchentry",
    "INSERT INTO documents_search_title_fts(rowid, title_folded, tags) SELECT recency_key, title_folded, tags FROM documents_searchentry",
    "CREATE TRIGGER documents_search_ai AFTER INSERT ON documents_searchentry BEGIN INSERT INTO documents_search_fts(rowid, title_folded, body_folded, tags) VALUES (new.recency_key, new.title_folded, new.body_folded, new.tags); INSERT INTO documents_search_title_fts(rowid, title_folded, tags) VALUES (new.recency_key, new.title_folded, new.tags); END",
    "CREATE TRIGGER documents_search_ad AFTER DELETE ON documents_searchentry BEGIN INSERT INTO documents_search_fts(documents_search_fts, rowid, title_folded, body_folded, tags) VALUES ('delete', old.recency_key, old.title_folded, old.body_folded, old.tags); INSERT INTO documents_search_title_fts(documents_search_title_fts, rowid, title_folded, tags) VALUES ('delete', old.recency_key, old.title_folded, old.tags); END",
    "CREATE TRIGGER documents_search_au AFTER UPDATE OF recency_key, title_folded, body_folded, tags ON documents_searchentry BEGIN INSERT INTO documents_search_fts(documents_search_fts, rowid, title_folded, body_folded, tags) VALUES ('delete', old.recency_key, old.title_folded, old.body_folded, old.tags); INSERT INTO documents_search_title_fts(documents_search_title_fts, rowid, title_folded, tags) VALUES ('delete', old.recency_key, old.title_folded, old.tags); INSERT INTO documents_search_fts(rowid, title_folded, body_folded, tags) VALUES (new.recency_key, new.title_folded, new.body_folded, new.tags); INSERT INTO documents_search_title_fts(rowid, title_folded, tags) VALUES (new.recency_key, new.title_folded, new.tags); END",
]


def _down(apps: Any, schema_editor: Any) -> None:
    """Back to 0002: its FTS5 tables and triggers (without tags), filled from the entries."""
    if schema_editor.connection.vendor != "sqlite":
        return
    module = importlib.import_module("chidao.documents.migrations.0002_search")
    for sql in [*SQLITE_UP[:5], *module.SQLITE_UP]:
        schema_editor.execute(sql, params=None)
    schema_editor.execute(
        "INSERT INTO documents_search_fts(rowid, title_folded, body_folded) "
        "SELECT recency_key, title_folded, body_folded FROM documents_searchentry",
        params=None,
    )
    schema_editor.execute(
        "INSERT INTO documents_search_title_fts(rowid, title_folded) "
        "SELECT recency_key, title_folded FROM documents_searchentry",
        params=None,
    )


def _drop_triggers(apps: Any, schema_editor: Any) -> None:
    """Going back: the triggers name `tags`, which SQLite will not let the column removal drop."""
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_UP[:3]:
            schema_editor.execute(sql, params=None)


def _up(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_UP, "postgresql": [POSTGRES_TAGS, POSTGRES_TSVECTORS]}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_search"),
        ("org", "0001_initial"),
    ]

    operations = [
        # Runs last when migrating back, after the column is gone (which drops the triggers).
        migrations.RunPython(migrations.RunPython.noop, _down),
        migrations.AddField(
            model_name="searchentry",
            name="tags",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(_up, _drop_triggers),
    ]
