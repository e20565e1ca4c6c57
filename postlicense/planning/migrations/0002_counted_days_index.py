"""The partial index behind the completion count (services.completion_sql, recount_enterprise): the counted
records' (enterprise_id, inspection_date) in enterprise-day order. Its predicate must be the query's WHERE clause
(status finished, kind among rules.COUNTED_KINDS; tests/test_plans.py checks the kinds); kept in planning, whose
rule it serves, as raw SQL on the inspections table (the model's state is the inspections app's)."""

from django.db import migrations

COUNTED_KINDS = (
    "periodic",
    "unscheduled",
    "patrol",
    "revisit",
    "special",
    "random_check",
    "cross_audit",
    "flight",
    "review",
)
KINDS = ", ".join(f"'{kind}'" for kind in COUNTED_KINDS)


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0001_initial"),
        ("inspections", "0011_revisit_scope_closure"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX planning_counted_days ON inspections_inspectionrecord (enterprise_id, inspection_date) "
            f"WHERE status = 'finished' AND kind IN ({KINDS})",
            "DROP INDEX planning_counted_days",
        )
    ]
