from django.db import migrations, models


def mark_listed(apps, schema_editor):
    """Problems an order already lists get the marker issue_order sets from now on."""
    Problem = apps.get_model("inspections", "Problem")
    OrderItem = apps.get_model("followup", "OrderItem")
    listed = OrderItem.objects.filter(problem__isnull=False).values("problem")
    Problem.objects.filter(pk__in=listed, on_order=False).update(on_order=True)


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0003_decisions"),
        ("inspections", "0012_problem_on_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="rectificationorder",
            index=models.Index(
                condition=models.Q(("status__in", ["issued", "reported", "awaiting_revisit", "persisting"])),
                fields=["enterprise", "status", "served_on", "deadline", "revisit_due"],
                name="order_not_closed",
            ),
        ),
        migrations.AddIndex(
            model_name="escalation",
            index=models.Index(
                condition=models.Q(("status", "proposed")), fields=["proposed_at", "id"], name="escalation_proposed"
            ),
        ),
        migrations.RunPython(mark_listed, migrations.RunPython.noop),
    ]
