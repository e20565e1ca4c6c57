"""Problem.region: a copy of the enterprise's region (the to-do scope without joining the register), filled from the
register in one statement, and the partial index of the open problems no order lists yet, by region."""

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "UPDATE inspections_problem SET region_id = registry_enterprise.region_id FROM registry_enterprise"
    " WHERE registry_enterprise.id = inspections_problem.enterprise_id"
)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_selfreport_import_kind"),
        ("inspections", "0013_crew_assignment"),
        ("registry", "0007_license_holder_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="problem",
            name="region",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
                verbose_name="企业所在区县",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="problem",
            name="region",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
                verbose_name="企业所在区县",
            ),
        ),
        migrations.RemoveIndex(model_name="problem", name="problem_unlisted_by_age"),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                condition=models.Q(("on_order", False), ("status", "open")),
                fields=["region", "opened_at", "id"],
                name="problem_unlisted_by_region",
                opclasses=["varchar_pattern_ops", "", ""],
            ),
        ),
    ]
