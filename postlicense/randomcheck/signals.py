from django.db.models.signals import post_save
from django.dispatch import receiver

from postlicense.core.audit import current_actor, fields_changed
from postlicense.inspections.models import InspectionRecord

from .models import Task


@receiver(post_save, sender=InspectionRecord)
def record_progress(sender, instance, created, **kwargs):
    """The first record a dispatched task's inspectors start or finish moves the task to 检查中. Only a change of
    status can be that (records are linked to the task when dispatched, before they are started): an autosave of a
    record already started reads nothing."""
    if created or instance.status == InspectionRecord.Status.ASSIGNED:
        return
    changed = fields_changed(instance)
    if changed is not None and "status" not in changed:
        return
    task = Task.objects.filter(drawn__inspection=instance, state=Task.State.DISPATCHED).first()
    if task is not None:
        from .services import mark_inspecting

        mark_inspecting(task, current_actor())
