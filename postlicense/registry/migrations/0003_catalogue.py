from django.db import migrations


def load(apps, schema_editor):
    from postlicense.registry.catalogue_data import load_catalogue

    load_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_import_job")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
