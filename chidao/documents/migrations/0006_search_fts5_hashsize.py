"""SQLite: the FTS5 tables hold up to 64 MB of new terms in memory before writing a segment
(search/sqlite.py HASHSIZE), and an update rewrites the title table only when the title, the
tags or the recency changed (the update trigger split in two). PostgreSQL: nothing."""

from typing import Any

from django.db import migrations

_FTS = ("documents_search_fts", "documents_search_title_fts")
_HASHSIZE, _FTS5_DEFAULT_HASHSIZE = 64 * 1024 * 1024, 1024 * 1024
_DELETE_ANY = (
    "INSERT INTO documents_search_fts(documents_search_fts, rowid, title_folded, body_folded, tags) "
    "VALUES ('delete', old.recency_key, old.title_folded, old.body_folded, old.tags); "
)
_INSERT_ANY = (
    "INSERT INTO documents_search_fts(rowid, title_folded, body_folded, tags) "
    "VALUES (new.recency_key, new.title_folded, new.body_folded, new.tags); "
)
_DELETE_TITLE = (
    "INSERT INTO documents_search_title_fts(documents_search_title_fts, rowid, title_folded, tags) "
    "VALUES ('delete', old.recency_key, old.title_folded, old.tags); "
)
_INSERT_TITLE = (
    "INSERT INTO documents_search_title_fts(rowid, title_folded, tags) "
    "VALUES (new.recency_key, new.title_folded, new.tags); "
)
_ON_UPDATE = "AFTER UPDATE OF recency_key, title_folded, body_folded, tags ON documents_searchentry"
SPLIT = [
    "DROP TRIGGER IF EXISTS documents_search_au",
    f"CREATE TRIGGER documents_search_au {_ON_UPDATE} BEGIN {_DELETE_ANY}{_INSERT_ANY}END",
    "CREATE TRIGGER documents_search_title_au AFTER UPDATE OF recency_key, title_folded, tags "
    f"ON documents_searchentry BEGIN {_DELETE_TITLE}{_INSERT_TITLE}END",
]
JOINED = [
    "DROP TRIGGER IF EXISTS documents_search_title_au",
    "DROP TRIGGER IF EXISTS documents_search_au",
    f"CREATE TRIGGER documents_search_au {_ON_UPDATE} BEGIN {_DELETE_ANY}{_DELETE_TITLE}{_INSERT_ANY}{_INSERT_TITLE}END",
]


def _apply(statements: list[str], hashsize: int) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for sql in statements:
            schema_editor.execute(sql, params=None)
        for table in _FTS:
            schema_editor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', %s)", params=[hashsize])

    return run


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_search_lz4")]
    operations = [
        migrations.RunPython(_apply(SPLIT, _HASHSIZE), _apply(JOINED, _FTS5_DEFAULT_HASHSIZE)),
    ]
