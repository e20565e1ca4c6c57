"""The demo: a test in each state with coherent dates and deadlines within 2026, a failure, complaints and a notice
with one unmatched code; loaded once."""

import io
from datetime import date

import pytest

from postlicense.inspections.models import InspectionRecord
from postlicense.inspections.selectors import awaiting_crew
from postlicense.inspections.tests.factories import make_inspector
from postlicense.supervision.demo import load_demo
from postlicense.supervision.models import Complaint, LinkageNotice, NoticeEntry, TestingLab, TestOrder

from .factories import enterprise

pytestmark = pytest.mark.django_db


def test_demo_has_a_test_in_each_state_and_loads_once():
    for _ in range(14):
        enterprise()
    make_inspector()
    make_inspector()
    load_demo(io.StringIO())
    assert set(TestOrder.objects.values_list("status", flat=True)) == set(TestOrder.Status.values)
    assert TestOrder.objects.filter(result="unqualified").count() == 4
    # one failure produced its order, whose 复查 sampling failed again: a revocation proposal to confirm
    ordered = TestOrder.objects.get(rectification_order__isnull=False)
    order = ordered.rectification_order
    assert (order.source_kind, order.deadline, order.revisit_due) == ("test", date(2026, 11, 20), date(2026, 12, 2))
    assert order.status == "persisting" and order.escalations.get().status == "proposed"
    assert TestOrder.objects.get(source_order=order).result == "unqualified"
    assert NoticeEntry.objects.filter(rectification_order__isnull=False).count() == 2
    assert TestOrder.objects.filter(late_reason__gt="").count() == 1
    for order in TestOrder.objects.all():
        dates = [order.sampling_date, order.sent_date, order.received_date, order.report_date, order.notified_date]
        present = [d for d in dates if d]
        assert present == sorted(present) and all(d <= date(2026, 11, 30) for d in present)
        for due in (order.sending_due, order.report_due, order.retest_due):
            assert due is None or due.year == 2026
    assert Complaint.objects.filter(substantiated=True, inspection__isnull=False).count() == 1
    assert all(c.answer_due.year == 2026 for c in Complaint.objects.all())
    assert NoticeEntry.objects.filter(enterprise__isnull=True).count() == 1
    assert NoticeEntry.objects.filter(inspection__due_date=date(2026, 12, 10)).count() == 2
    # the notice's targeted inspections wait for the county to give them their crew (指派检查组)
    notice_records = InspectionRecord.objects.filter(notice_entry__isnull=False)
    assert awaiting_crew(notice_records).count() == 2
    out = io.StringIO()
    load_demo(out)
    assert "跳过" in out.getvalue() and TestingLab.objects.count() == 2 and LinkageNotice.objects.count() == 1
