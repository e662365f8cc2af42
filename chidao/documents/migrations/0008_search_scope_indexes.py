"""PostgreSQL: the entries of a unit with a given visibility and the public entries, each newest
first, for the search within a small scope (search/postgres.py, `PostgresBackend._scope_newest`).
The index on (unit_id, visibility, recency_key) replaces the foreign key's index on unit_id, which
it serves as well; the public entries' index is partial (about one entry in a hundred). Nothing on
SQLite, whose search reads FTS5 in recency order."""

from typing import Any

from django.db import migrations

ENTRY = "documents_searchentry"
CREATE = [
    f"CREATE INDEX IF NOT EXISTS search_entry_unit_recency ON {ENTRY} (unit_id, visibility, recency_key)",
    f"CREATE INDEX IF NOT EXISTS search_entry_public_recency ON {ENTRY} (recency_key) WHERE visibility = 'public'",
]
# The foreign key's own index, under the name Django gave it.
UNIT_INDEX = f"""
    SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
    WHERE x.indrelid = '{ENTRY}'::regclass AND x.indnatts = 1 AND a.attname = 'unit_id'
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in CREATE:
            cursor.execute(sql)
        cursor.execute(UNIT_INDEX)
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX IF NOT EXISTS documents_searchentry_unit_id_4a23d4cb ON {ENTRY} (unit_id)")
        cursor.execute("DROP INDEX IF EXISTS search_entry_public_recency")
        cursor.execute("DROP INDEX IF EXISTS search_entry_unit_recency")


class Migration(migrations.Migration):
    dependencies = [("documents", "0007_search_digest")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
