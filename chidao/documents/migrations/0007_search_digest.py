"""Search entries carry a digest of their row: PostgreSQL's bulk writes skip the entries whose
digest is unchanged and replace the others by a DELETE and a binary COPY (search/postgres.py);
entries written before keep a null digest and are rewritten the next time they are indexed.
The index on the entries' symbol_key goes: no query reads it (a symbol is found by its number,
type and issuer), and each new row version paid for it.

On SQLite the nullable column is added by ALTER TABLE: the table is not rebuilt, so the FTS5
triggers stay."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("documents", "0006_search_fts5_hashsize")]

    operations = [
        migrations.RemoveIndex(model_name="searchentry", name="search_entry_symbol"),
        migrations.AddField(model_name="searchentry", name="digest", field=models.BigIntegerField(null=True)),
    ]
