from django.apps import AppConfig


def _enterprise_ids(model, objects):
    """The enterprises whose completion counts rows of `model` feed (reports.counts), or None for other models."""
    from postlicense.followup.models import Case, Escalation, RectificationOrder
    from postlicense.inspections.models import InspectionRecord, Problem
    from postlicense.planning.models import PlanEntry
    from postlicense.registry.models import Enterprise
    from postlicense.supervision.models import TestOrder

    if issubclass(model, Enterprise):
        return [obj.pk for obj in objects]
    if issubclass(model, Escalation):
        orders = {obj.order_id for obj in objects}
        return RectificationOrder.objects.filter(pk__in=orders).values_list("enterprise_id", flat=True)
    if issubclass(model, InspectionRecord | Problem | RectificationOrder | TestOrder | Case | PlanEntry):
        return [obj.enterprise_id for obj in objects]
    return None


def _mark(model, objects):
    from .counts import mark_stale

    ids = _enterprise_ids(model, objects)
    if ids is not None:
        mark_stale(ids)


def _written(sender, instance, raw=False, **kwargs):
    if not raw:
        _mark(sender, [instance])


class ReportsConfig(AppConfig):
    name = "postlicense.reports"
    label = "reports"
    verbose_name = "报表"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from postlicense.followup.models import Case, Escalation, RectificationOrder
        from postlicense.inspections.models import InspectionRecord, Problem
        from postlicense.planning.models import PlanEntry
        from postlicense.registry.models import Enterprise
        from postlicense.supervision.models import TestOrder

        for model in (
            Enterprise,
            InspectionRecord,
            Problem,
            RectificationOrder,
            TestOrder,
            Case,
            Escalation,
            PlanEntry,
        ):
            post_save.connect(_written, sender=model, dispatch_uid=f"completion-counts-save-{model._meta.label}")
            post_delete.connect(_written, sender=model, dispatch_uid=f"completion-counts-delete-{model._meta.label}")

    def rows_written(self, model, objects):
        """core.changes hook (and the model signals above): mark the enterprises the rows count for as stale."""
        _mark(model, objects)

    def enterprises_written(self, enterprise_ids):
        from .counts import mark_stale

        mark_stale(enterprise_ids)

    def load_demo(self, stdout):
        """The other apps' demos back-date timestamps with QuerySet.update (no signals): count from scratch."""
        from .counts import rebuild

        rebuild()

    def nav_items(self, user):
        from postlicense.core.navigation import NavItem

        return [NavItem("报表", "reports:index", 70)] if user.is_bureau_staff else []

    def todo_items(self, user, today):
        from .selectors import todo_groups

        return todo_groups(user, today)

    def home_charts(self, user):
        from .dashboards import charts_for

        return charts_for(user)
