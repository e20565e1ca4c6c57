"""Reads for inspections. Every list goes through the jurisdiction scope."""
from datetime import date

from django.db.models import Count, Q

from .models import ChecklistVersion, InspectionRecord


def current_template(code):
    """The newest published version of the checklist `code` (e.g. "random_check_003")."""
    return (ChecklistVersion.objects.filter(template__code=code, published=True)
            .select_related("template").order_by("-number").first())


def records_for(user):
    return (InspectionRecord.objects.for_user(user)
            .select_related("enterprise", "org_unit", "template_version__template"))


def my_inspections(user, today=None):
    """我的检查: the inspector's open records, split into overdue, due within 7 days, and assigned."""
    today = today or date.today()
    open_records = records_for(user).exclude(status=InspectionRecord.Status.FINISHED).order_by("due_date", "id")
    overdue, due, assigned = [], [], []
    for record in open_records:
        if record.due_date and record.due_date < today:
            overdue.append(record)
        elif record.due_date and (record.due_date - today).days <= 7:
            due.append(record)
        else:
            assigned.append(record)
    return {"overdue": overdue, "due": due, "assigned": assigned}


def record_counts(user, today=None):
    today = today or date.today()
    qs = InspectionRecord.objects.for_user(user)
    return qs.aggregate(
        open=Count("id", filter=~Q(status=InspectionRecord.Status.FINISHED)),
        overdue=Count("id", filter=~Q(status=InspectionRecord.Status.FINISHED) & Q(due_date__lt=today)),
        unqualified=Count("id", filter=Q(conclusion=InspectionRecord.Conclusion.UNQUALIFIED)),
    )
