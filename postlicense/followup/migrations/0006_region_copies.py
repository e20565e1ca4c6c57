"""Copies of the enterprise's region (and supervising unit) on orders and escalations, so the to-do and 各县逾期情况
are scoped and grouped without joining the register: the columns, filled in one statement each, and the partial
indexes that read them (order_open_by_region replaces order_not_closed; escalation_proposed gains the region)."""

import django.db.models.deletion
from django.db import migrations, models

FILL_ORDERS = (
    "UPDATE followup_rectificationorder SET region_id = registry_enterprise.region_id,"
    " supervising_unit_id = registry_enterprise.supervising_unit_id FROM registry_enterprise"
    " WHERE registry_enterprise.id = followup_rectificationorder.enterprise_id"
)
FILL_ESCALATIONS = (
    "UPDATE followup_escalation SET region_id = followup_rectificationorder.region_id FROM followup_rectificationorder"
    " WHERE followup_rectificationorder.id = followup_escalation.order_id"
)


def copy(to, label, null):
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to=to,
        verbose_name=label,
    )


FIELDS = [
    ("rectificationorder", "region", "core.region", "企业所在区县"),
    ("rectificationorder", "supervising_unit", "core.orgunit", "企业监管单位"),
    ("escalation", "region", "core.region", "企业所在区县"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_selfreport_import_kind"),
        ("followup", "0005_self_report_source"),
        ("registry", "0007_license_holder_indexes"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=model, name=name, field=copy(to, label, True))
            for model, name, to, label in FIELDS
        ),
        migrations.RunSQL(FILL_ORDERS, migrations.RunSQL.noop),
        migrations.RunSQL(FILL_ESCALATIONS, migrations.RunSQL.noop),
        *(
            migrations.AlterField(model_name=model, name=name, field=copy(to, label, False))
            for model, name, to, label in FIELDS
        ),
        migrations.RemoveIndex(model_name="rectificationorder", name="order_not_closed"),
        migrations.AddIndex(
            model_name="rectificationorder",
            index=models.Index(
                condition=models.Q(("status__in", ["issued", "reported", "awaiting_revisit", "persisting"])),
                fields=["region"],
                include=["id", "supervising_unit", "status", "served_on", "deadline", "revisit_due", "issued_on"],
                name="order_open_by_region",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.RemoveIndex(model_name="escalation", name="escalation_proposed"),
        migrations.AddIndex(
            model_name="escalation",
            index=models.Index(
                condition=models.Q(("status", "proposed")),
                fields=["region", "proposed_at", "id"],
                name="escalation_proposed",
                opclasses=["varchar_pattern_ops", "", ""],
            ),
        ),
    ]
