"""InspectionRecord.region: a copy of the enterprise's region (the record list and its count scoped without joining
the register), filled from the register in one statement, and its index for the scope's LIKE 'prefix%'."""

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "UPDATE inspections_inspectionrecord SET region_id = registry_enterprise.region_id FROM registry_enterprise"
    " WHERE registry_enterprise.id = inspections_inspectionrecord.enterprise_id"
)


def region_field(**options):
    return models.ForeignKey(
        db_index=False,
        editable=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="core.region",
        verbose_name="企业所在区县",
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_selfreport_import_kind"),
        ("inspections", "0014_problem_region"),
        ("registry", "0007_license_holder_indexes"),
    ]

    operations = [
        migrations.AddField(model_name="inspectionrecord", name="region", field=region_field(null=True)),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(model_name="inspectionrecord", name="region", field=region_field()),
        migrations.AddIndex(
            model_name="inspectionrecord",
            index=models.Index(
                fields=["region", "-id"], name="record_by_region", opclasses=["varchar_pattern_ops", ""]
            ),
        ),
    ]
