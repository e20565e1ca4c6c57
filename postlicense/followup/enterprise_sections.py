"""Sections of follow-up on the enterprise's home page (selfservice's AppConfig hook `enterprise_sections`): its
rectification orders with their deadlines and where to upload the rectification report, and the commitments it
made at interviews with their deadlines. Read through the scoped querysets, so a user sees only its own."""

from django.utils import timezone

from .models import InterviewCommitment, RectificationOrder

Status = RectificationOrder.Status
SHOWN = 20


def enterprise_sections(user, enterprise):
    today = timezone.localdate()
    orders = (
        RectificationOrder.objects.for_user(user)
        .filter(enterprise=enterprise)
        .exclude(served_on__isnull=True, status=Status.ISSUED)  # not yet served: the enterprise has not received it
        .order_by("-issued_on", "-id")[:SHOWN]
    )
    commitments = (
        InterviewCommitment.objects.for_user(user)
        .filter(interview__enterprise=enterprise)
        .select_related("interview")
        .order_by("fulfilled_at", "due", "id")[:SHOWN]
    )
    return [
        {
            "title": "责令改正",
            "template": "followup/enterprise_orders.html",
            "context": {
                "today": today,
                "orders": [(order, order.status in (Status.ISSUED, Status.REPORTED)) for order in orders],
            },
        },
        {
            "title": "约谈承诺事项",
            "template": "followup/enterprise_commitments.html",
            "context": {"today": today, "commitments": commitments},
        },
    ]
