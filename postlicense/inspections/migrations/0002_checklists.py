from django.db import migrations

from postlicense.inspections.checklists_seed import load_checklists


def forwards(apps, schema_editor):
    load_checklists(apps)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
