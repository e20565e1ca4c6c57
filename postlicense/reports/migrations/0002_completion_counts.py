"""The completion summary's maintained counts (reports.counts), counted from the data already there."""

import django.db.models.deletion
from django.db import migrations, models


def count_existing(apps, schema_editor):
    # the live module, not historical models: the counts are the summary's queries over today's schema
    from postlicense.reports import counts

    counts.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_selfreport_import_kind"),
        ("reports", "0001_initial"),
        ("registry", "0007_license_holder_indexes"),
        ("inspections", "0012_problem_on_order"),
        ("followup", "0005_self_report_source"),
        ("supervision", "0002_followup_orders"),
        ("planning", "0002_counted_days_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="EnterpriseCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("enterprise_id", models.BigIntegerField(db_index=True)),
                ("region_id", models.CharField(max_length=6)),
                ("unit_id", models.BigIntegerField()),
                ("supervision_class", models.CharField(max_length=1)),
                ("year", models.PositiveSmallIntegerField()),
                ("day", models.DateField(null=True)),
                (
                    "metric",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "获证企业"),
                            (2, "列入计划企业"),
                            (3, "应检查次数"),
                            (4, "计划内已完成次数"),
                            (5, "未完成计划企业"),
                            (6, "已检查企业"),
                            (7, "完成检查"),
                            (8, "发现问题"),
                            (9, "已整改问题"),
                            (10, "责令改正通知书"),
                            (11, "监督抽检"),
                            (12, "抽检不合格"),
                            (13, "移交案件"),
                            (14, "复查仍存在问题的升级"),
                            (15, "办理中的通知书"),
                            (16, "仍存在问题的通知书"),
                            (17, "已关闭的通知书"),
                            (18, "逾期的通知书"),
                        ]
                    ),
                ),
                ("n", models.IntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="StaleEnterprise",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("enterprise_id", models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="CompletionCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("supervision_class", models.CharField(max_length=1)),
                ("year", models.PositiveSmallIntegerField()),
                ("day", models.DateField(null=True)),
                (
                    "metric",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "获证企业"),
                            (2, "列入计划企业"),
                            (3, "应检查次数"),
                            (4, "计划内已完成次数"),
                            (5, "未完成计划企业"),
                            (6, "已检查企业"),
                            (7, "完成检查"),
                            (8, "发现问题"),
                            (9, "已整改问题"),
                            (10, "责令改正通知书"),
                            (11, "监督抽检"),
                            (12, "抽检不合格"),
                            (13, "移交案件"),
                            (14, "复查仍存在问题的升级"),
                            (15, "办理中的通知书"),
                            (16, "仍存在问题的通知书"),
                            (17, "已关闭的通知书"),
                            (18, "逾期的通知书"),
                        ]
                    ),
                ),
                ("n", models.IntegerField()),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.region",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.orgunit",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["region", "year", "day"], name="completion_count_by_region")],
            },
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
