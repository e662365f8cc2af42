from django.db import migrations


def set_fillfactor(apps, schema_editor):
    # Approvals rewrite aggregate rows all day without touching an indexed column: free space in
    # each page lets PostgreSQL update them in place (HOT), without new index entries.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE reporting_aggregate SET (fillfactor = 80)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE reporting_aggregate RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_aggregate_shards")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
