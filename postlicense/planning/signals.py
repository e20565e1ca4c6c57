from django.db.models.signals import post_save
from django.dispatch import receiver

from postlicense.core.audit import fields_changed
from postlicense.inspections.models import InspectionRecord

# What the count of inspections done reads of a record (services.counted_records, completion_sql).
COUNTED_FIELDS = {"status", "kind", "inspection_date", "enterprise_id"}


@receiver(post_save, sender=InspectionRecord)
def record_counted(sender, instance, created, **kwargs):
    """A record finished, amended or not carried out changes its enterprise's count of inspections done; a save
    that changes none of what the count reads (an autosave of the answers) does not."""
    if created and instance.status == InspectionRecord.Status.ASSIGNED:
        return
    changed = None if created else fields_changed(instance)
    if changed is not None and not changed & COUNTED_FIELDS:
        return
    from .services import recount_enterprise

    recount_enterprise(instance.enterprise_id)
