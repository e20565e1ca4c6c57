"""Indexes for the enterprise list's license filters (issue 12 item 6), read by selectors._seek:

- `registry_license_holder_idx` (enterprise, status, expiry_date), on every database: 90天内到期 / 已过期 read the
  holders' enterprise ids newest first from the index alone.
- PostgreSQL only: the license number in `varchar_pattern_ops` order carrying the enterprise id, so that
  `number LIKE 'prefix%'` yields the holders from the index alone (Django's own pattern index on the unique field
  has no enterprise id: a table read per match). SQLite answers the prefix as a range on the unique index.
"""

from django.db import migrations, models

NUMBER_INDEX = "registry_license_number_holder"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NUMBER_INDEX} ON registry_license (number varchar_pattern_ops) "
            "INCLUDE (enterprise_id)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NUMBER_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_import_job_moved_to_core")]

    operations = [
        migrations.AddIndex(
            model_name="license",
            index=models.Index(fields=["enterprise", "status", "expiry_date"], name="registry_license_holder_idx"),
        ),
        migrations.RunPython(create, drop),
    ]
