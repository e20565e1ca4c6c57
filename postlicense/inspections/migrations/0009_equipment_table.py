from django.db import migrations, models

from postlicense.inspections.checklists_seed import drop_equipment_table_from_000


def forwards(apps, schema_editor):
    drop_equipment_table_from_000(apps)


class Migration(migrations.Migration):
    """Whether a version has the key-equipment table (一企两表's second table) is its own data; the 000 sheet has none."""

    dependencies = [
        ("inspections", "0008_cross_audit_sheet"),
    ]

    operations = [
        migrations.AddField(
            model_name="checklistversion",
            name="has_equipment_table",
            field=models.BooleanField(
                default=True,
                help_text="一企两表的第二张表：派发时列出企业登记的关键设备，现场逐台核对后才能完成检查；督查互查工作检查表没有",
                verbose_name="有关键生产设备表",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
