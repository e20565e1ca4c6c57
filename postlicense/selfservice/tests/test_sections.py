"""The enterprise's home takes sections from other apps through AppConfig `enterprise_sections(user, enterprise)`:
follow-up (rectification orders with deadlines and the report upload; interview commitments) and supervision
(test results with the 复检 window, 产品质量法 第十五条)."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from postlicense.core.models import User
from postlicense.followup import interviews
from postlicense.followup import services as followup
from postlicense.followup.tests.helpers import failed_record, served_order
from postlicense.supervision import services as supervision
from postlicense.supervision.tests import factories

from .conftest import enterprise_login

pytestmark = pytest.mark.django_db


def test_orders_with_deadline_and_upload_link_and_commitments_on_the_enterprise_home(client, staff, make_user):
    record = failed_record(staff)
    enterprise = record.enterprise
    order = served_order(staff, record=record, served_on=date(2026, 11, 2))
    unserved = followup.issue_order(
        enterprise=enterprise,
        unit=enterprise.supervising_unit,
        by=staff,
        source_kind="review",
        source_label="审查",
        items=[("未建立台帐", "")],
        issued_on=date(2026, 11, 20),
    )
    interview = interviews.notify(
        enterprise,
        staff,
        reason="问题逾期未整改",
        notice_date=date(2026, 11, 16),
        scheduled_at=timezone.make_aware(datetime.combine(date(2026, 11, 20), time(9))),
        place="县局会议室",
        officials=[staff, make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")],
    )
    interviews.hold(
        interview,
        staff,
        attendee_kind="legal_rep",
        attendee_name="张三",
        record="问：是否整改？\n答：正在整改。",
        attendee_signed=True,
        commitments=[("补齐进货查验记录", None)],
    )
    other = failed_record(staff)  # another enterprise's order stays off this page
    other_order = served_order(staff, record=other)
    client.force_login(enterprise_login(staff, enterprise, "ent-sections"))
    page = client.get("/enterprise/").content.decode()
    assert "责令改正" in page and order.number in page and order.deadline_text in page
    assert f"/followup/orders/{order.pk}/#report" in page and "上传整改报告" in page
    assert unserved.number not in page and other_order.number not in page
    assert "约谈承诺事项" in page and "补齐进货查验记录" in page and "约谈后15日" in page
    # the link leads to the order page with its upload form
    detail = client.get(f"/followup/orders/{order.pk}/").content.decode()
    assert 'id="report"' in detail and "提交整改报告" in detail


def test_a_failed_test_shows_the_retest_window_and_how_to_request(client, staff):
    world = factories.make_world()
    test = factories.reported(world, day=date(2026, 11, 20))
    supervision.record_notification(
        test,
        notified_date=date(2026, 11, 23),
        notify_method="直接送达",
        stop_selling_date=date(2026, 11, 23),
        stop_selling_method="书面通知",
    )
    test.refresh_from_db()
    client.force_login(enterprise_login(staff, world.enterprise, "ent-tests"))
    page = client.get("/enterprise/").content.decode()
    assert "监督检验结果" in page and test.number in page and "不合格" in page and "3天抗压强度" in page
    assert "可申请复检" in page and test.retest_due_text in page and "书面申请复检" in page
    assert "《产品质量法》第十五条" in page


def test_a_result_not_yet_notified_is_not_shown(client, staff):
    world = factories.make_world()
    test = factories.reported(world, day=date(2026, 11, 20))
    client.force_login(enterprise_login(staff, world.enterprise, "ent-quiet"))
    page = client.get("/enterprise/").content.decode()
    assert test.number not in page and "没有监督检验结果" in page
