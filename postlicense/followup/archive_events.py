"""Follow-up's contribution to the quality archive: each order issued and served, the enterprise's reports, revisit
outcomes and the escalations decided."""

from datetime import datetime, time

from postlicense.registry.archive import ArchiveEvent

from .models import Escalation, RectificationOrder, RectificationReport, Revisit


def _day(value):
    return datetime.combine(value, time(9, 0))


def followup_events(enterprise):
    events = []
    orders = list(RectificationOrder.objects.filter(enterprise=enterprise).select_related("unit"))
    if not orders:  # reports, revisits and escalations all belong to an order: most enterprises need no more reads
        return events
    for o in orders:
        url = o.get_absolute_url()
        events.append(
            ArchiveEvent(
                _day(o.issued_on),
                "整改",
                f"签发{o.title} {o.number}",
                f"{o.get_measure_display()}；来源：{o.source_label}",
                url,
            )
        )
        if o.served_on:
            events.append(ArchiveEvent(_day(o.served_on), "整改", f"{o.number} 送达", o.deadline_text, url))
    for r in RectificationReport.objects.filter(order__enterprise=enterprise).select_related("order"):
        events.append(
            ArchiveEvent(
                r.submitted_at, "整改", f"{r.order.number} 企业报告整改", r.text[:200], r.order.get_absolute_url()
            )
        )
    for v in Revisit.objects.filter(order__enterprise=enterprise).exclude(outcome="").select_related("order", "record"):
        events.append(
            ArchiveEvent(
                v.record.finished_at or v.dispatched_at,
                "整改",
                f"{v.order.number} 复查：{v.get_outcome_display()}",
                "",
                v.get_absolute_url(),
            )
        )
    for e in Escalation.objects.filter(order__enterprise=enterprise).exclude(decided_at=None).select_related("order"):
        events.append(
            ArchiveEvent(
                e.decided_at,
                "整改",
                f"{e.order.number} {e.get_kind_display()}：{e.get_status_display()}",
                e.reason[:200],
                e.order.get_absolute_url(),
            )
        )
    return events
