"""Supervision's section on the enterprise's home page (selfservice's AppConfig hook `enterprise_sections`): its
supervision test results once notified, with the 复检 window and how to request a 复检 (产品质量法 第十五条:
within 15 日 of receiving the result, to the department that organised the test or the one above it)."""

from django.utils import timezone

from .models import TestOrder

S = TestOrder.Status
NOTIFIED = (S.NOTIFIED, S.RETEST, S.HANDLED)  # a result the enterprise has been told
SHOWN = 20


def enterprise_sections(user, enterprise):
    tests = (
        TestOrder.objects.for_user(user)
        .filter(enterprise=enterprise, status__in=NOTIFIED)
        .select_related("org_unit")
        .order_by("-notified_date", "-id")[:SHOWN]
    )
    return [
        {
            "title": "监督检验结果",
            "template": "supervision/enterprise_tests.html",
            "context": {"today": timezone.localdate(), "tests": tests},
        }
    ]
