"""What falls to each role (core.todo): the enterprise its report due; the county the reports to review and the
register corrections the enterprises asked for; the city the feedback to acknowledge."""

import uuid
from datetime import date

import pytest

from postlicense.core.todo import todo_for
from postlicense.registry.archive import timeline
from postlicense.selfservice import services
from postlicense.selfservice.models import CorrectionRequest

pytestmark = pytest.mark.django_db


def labels(user, day=date(2026, 11, 30)):
    return {g.label: g for g in todo_for(user, day).groups}


def test_the_report_due_is_on_the_enterprises_list_overdue_after_the_window(ent_user, enterprise, staff):
    group = labels(ent_user)["待提交的年度自查报告"]
    assert group.overdue == 1 and "2026-06-30" in group.items[0].note
    assert labels(ent_user, date(2026, 3, 1))["待提交的年度自查报告"].overdue == 0
    services.grant_late_filing(staff, enterprise=enterprise, year=2025, reason="补报", until=date(2026, 12, 20))
    group = labels(ent_user)["待提交的年度自查报告"]
    assert group.overdue == 0 and group.items[0].due == date(2026, 12, 20)


def test_a_correction_request_lands_on_the_county_list_and_its_answer_on_the_enterprise_page(
    ent_client, enterprise, staff, client
):
    token = str(uuid.uuid4())
    ent_client.post("/enterprise/correction/", {"token": token, "message": "生产地址应为魏都区经二路8号"})
    ent_client.post("/enterprise/correction/", {"token": token, "message": "生产地址应为魏都区经二路8号"})
    request = CorrectionRequest.objects.get()  # a double click: one request
    empty = ent_client.post("/enterprise/correction/", {"token": str(uuid.uuid4()), "message": " "})
    assert empty.status_code == 302 and CorrectionRequest.objects.count() == 1
    assert labels(staff)["企业提出的登记信息更正申请"].total == 1
    assert "企业申请更正登记信息" in [e.title for e in timeline(enterprise)]
    from django.test import Client

    county = Client()
    county.force_login(staff)
    assert county.post(f"/enterprise/manage/corrections/{request.pk}/", {"reply": ""}).status_code == 400
    county.post(f"/enterprise/manage/corrections/{request.pk}/", {"reply": "已更正生产地址"})
    request.refresh_from_db()
    assert request.status == CorrectionRequest.Status.DONE and request.handled_by == staff
    assert "已更正生产地址" in ent_client.get("/enterprise/").content.decode()
    assert "企业提出的登记信息更正申请" not in labels(staff)
