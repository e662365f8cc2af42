"""PostgreSQL: `document_tsv` keeps each word once, without positions (search/postgres.py: a phrase
anywhere in a document is checked on the folded text). Existing entries are stripped here; the
indexer writes them that way from now on. SQLite's FTS5 tables are unchanged."""

from typing import Any

from django.db import migrations


def _strip(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("UPDATE documents_searchentry SET document_tsv = strip(document_tsv)", params=None)


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_search_tags")]

    # Going back leaves the entries without positions: `chidao reindex_documents` writes them again.
    operations = [migrations.RunPython(_strip, migrations.RunPython.noop, elidable=True)]
