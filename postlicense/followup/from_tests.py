"""The order's side of a 复查 by a new sampling (抽查办法 第四十七条; 条例 第五十四条). Supervision testing sits above
follow-up and calls these; follow-up never imports supervision.

recheck_ordered(order, *, today=None)
    A follow-up test (trigger 复查) is ordered for a rectification order: the order must be served and open, and the
    term run out unless the enterprise reported completion (the revisit rule). Status 待复查.
recheck_not_done(order)
    The 复查 sampling came to nothing (抽样未果): the order is open again (已下达, or 企业已报告整改 after a report) for
    another 复查 sampling or a revisit.
recheck_result(order, *, passed, facts)
    The 复查 test's report: passed → the order is closed; failed (a second failure) → status 仍存在问题 and a
    revocation escalation (ground 条例 第五十四条) a person confirms or dismisses (services.confirm_escalation).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import rules
from .models import Escalation, RectificationOrder

Status = RectificationOrder.Status


def _locked(order):
    return RectificationOrder.objects.select_for_update().get(pk=order.pk)


@transaction.atomic
def recheck_ordered(order, *, today=None):
    order = _locked(order)
    if order.status not in (Status.ISSUED, Status.REPORTED):
        raise ValidationError(
            {"source_order": f"通知书{order.number}状态为“{order.get_status_display()}”，不能再安排复查。"}
        )
    error = rules.revisit_date_error(today or timezone.localdate(), order.deadline, order.status == Status.REPORTED)
    if error:
        raise ValidationError({"source_order": error})
    order.status = Status.AWAITING_REVISIT
    order.save(update_fields=["status"])
    return order


@transaction.atomic
def recheck_not_done(order):
    order = _locked(order)
    if order.status == Status.AWAITING_REVISIT:
        order.status = Status.REPORTED if order.reports.exists() else Status.ISSUED
        order.save(update_fields=["status"])
    return order


@transaction.atomic
def recheck_result(order, *, passed, facts):
    order = _locked(order)
    if order.status != Status.AWAITING_REVISIT:
        return None  # already concluded
    if passed:
        order.status, order.closed_at = Status.CLOSED, timezone.now()
        order.save(update_fields=["status", "closed_at"])
        return None
    order.status = Status.PERSISTING
    order.save(update_fields=["status"])
    kind, _ = rules.escalation_after(order.measure, order.period_key)
    escalation, _ = Escalation.objects.get_or_create(
        order=order, kind=kind, status=Escalation.Status.PROPOSED, defaults={"facts": facts[:2000]}
    )
    return escalation
