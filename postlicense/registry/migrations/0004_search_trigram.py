"""PostgreSQL only: a pg_trgm GIN index so that `search_key LIKE '%…%'` stays fast at a million rows.

SQLite has no trigram index; there the list relies on keyset pagination over the primary key.
"""
from django.db import migrations

INDEX = "registry_enterprise_search_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_enterprise USING gin (search_key gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_catalogue")]
    operations = [migrations.RunPython(create, drop)]
