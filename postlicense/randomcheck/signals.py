from django.db.models.signals import post_save
from django.dispatch import receiver

from postlicense.core.audit import current_actor
from postlicense.inspections.models import InspectionRecord

from .models import Task


@receiver(post_save, sender=InspectionRecord)
def record_progress(sender, instance, created, **kwargs):
    """The first record a dispatched task's inspectors start or finish moves the task to 检查中."""
    if created or instance.status == InspectionRecord.Status.ASSIGNED:
        return
    task = Task.objects.filter(drawn__inspection=instance, state=Task.State.DISPATCHED).first()
    if task is not None:
        from .services import mark_inspecting

        mark_inspecting(task, current_actor())
