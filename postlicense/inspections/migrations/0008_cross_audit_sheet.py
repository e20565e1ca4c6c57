from django.db import migrations, models

from postlicense.inspections.checklists_seed import correct_cross_audit_sheet


def forwards(apps, schema_editor):
    correct_cross_audit_sheet(apps)


class Migration(migrations.Migration):
    """The 000 sheet (滨海督查互查通知 附件2) as the seed has it: 现场检查结论 after the items, no 问题汇总 row, only
    the 检查人员 sign. Which rows a version has is its own data (enterprise_label, has_problems_summary)."""

    dependencies = [
        ("inspections", "0007_patrol_checklists"),
    ]

    operations = [
        migrations.AddField(
            model_name="checklistversion",
            name="has_problems_summary",
            field=models.BooleanField(
                default=True,
                help_text="有此栏时，存在不符合项须填写问题汇总才能完成检查",
                verbose_name="有“现场检查发现的问题汇总”栏",
            ),
        ),
        migrations.AlterField(
            model_name="checklistversion",
            name="enterprise_label",
            field=models.CharField(
                blank=True,
                default="企业负责人/代表（签名）",
                help_text="留空：本表没有企业签字栏（如督查互查工作检查表只有检查人员签字），完成检查不需要企业签字",
                max_length=50,
                verbose_name="企业栏签名标题",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
