from django.db import migrations

from postlicense.inspections.checklists_seed import load_patrol_checklists


def forwards(apps, schema_editor):
    load_patrol_checklists(apps)


class Migration(migrations.Migration):
    """The patrol checklists of 总局后续监管意见 二(三) and 白城事中事后监管办法 第六条, each its own template."""

    dependencies = [
        ("inspections", "0006_register_agreement"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
