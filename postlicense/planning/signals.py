from django.db.models.signals import post_save
from django.dispatch import receiver

from postlicense.inspections.models import InspectionRecord


@receiver(post_save, sender=InspectionRecord)
def record_counted(sender, instance, created, **kwargs):
    """A record finished, amended or not carried out changes its enterprise's count of inspections done."""
    if created and instance.status == InspectionRecord.Status.ASSIGNED:
        return
    from .services import recount_enterprise

    recount_enterprise(instance.enterprise_id)
