"""Feedback on inspectors' conduct (002 第二十、二十一条): seen by the city only, never by the inspector or the
inspector's unit; acknowledged within feedback_ack (5 工作日)."""

import uuid
from datetime import date

import pytest
from django.test import Client

from postlicense.core.models import User
from postlicense.inspections.models import InspectionRecord
from postlicense.inspections.tests.helpers import new_record
from postlicense.selfservice.models import Feedback

from .conftest import finished, make_crew

pytestmark = pytest.mark.django_db


def form(record, **overrides):
    data = {
        "token": str(uuid.uuid4()),
        "inspector": str(record.crew.first().inspector_id),
        "categories": ["gifts", "other"],
        "text": "检查结束时索要两箱产品",
    }
    data.update(overrides)
    return data


@pytest.fixture
def inspector_user(make_user):
    return make_user(User.Role.INSPECTOR, "xuchang-weidu")


@pytest.fixture
def record(enterprise, staff, inspector_user):
    return finished(enterprise, staff, make_crew(user=inspector_user))


@pytest.fixture
def feedback(ent_client, record):
    ent_client.post(f"/enterprise/feedback/new/{record.pk}/", form(record))
    return Feedback.objects.get()


def test_feedback_goes_to_the_city_with_its_acknowledgement_deadline(ent_client, record, city):
    data = form(record)
    response = ent_client.post(f"/enterprise/feedback/new/{record.pk}/", data)
    ent_client.post(f"/enterprise/feedback/new/{record.pk}/", data)  # a double click: the same token
    item = Feedback.objects.get()
    assert response.status_code == 302 and item.categories == ["gifts", "other"]
    # 5 working days from Monday 2026-11-30: Monday 2026-12-07
    assert item.ack_due == date(2026, 12, 7) and "收到后5工作日" in item.ack_due_text
    page = ent_client.get(f"/enterprise/feedback/{item.pk}/").content.decode()
    assert "待受理" in page and "2026-12-07" in page


def test_the_city_acknowledges_and_concludes_and_the_enterprise_sees_the_status(ent_client, feedback, city):
    client = Client()
    client.force_login(city)
    assert feedback.enterprise.name in client.get("/enterprise/manage/feedback/").content.decode()
    client.post(f"/enterprise/feedback/{feedback.pk}/", {"then": "acknowledge"})
    missing = client.post(f"/enterprise/feedback/{feedback.pk}/", {"then": "conclude", "action": ""})
    assert missing.status_code == 400
    client.post(
        f"/enterprise/feedback/{feedback.pk}/", {"then": "conclude", "substantiated": "1", "action": "已约谈并通报批评"}
    )
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.CONCLUDED and feedback.substantiated and feedback.acknowledged_by == city
    page = ent_client.get(f"/enterprise/feedback/{feedback.pk}/").content.decode()
    assert "已办结" in page and "已约谈并通报批评" in page
    assert ent_client.post(f"/enterprise/feedback/{feedback.pk}/", {"then": "acknowledge"}).status_code == 403


@pytest.mark.parametrize("url", ["/enterprise/feedback/{pk}/", "/enterprise/manage/feedback/"])
def test_the_inspector_and_the_inspectors_unit_never_reach_it(client, feedback, inspector_user, staff, url):
    for user in (inspector_user, staff):  # staff: county staff of the inspector's unit (魏都区)
        client.force_login(user)
        response = client.get(url.format(pk=feedback.pk))
        assert response.status_code == 404
        assert feedback.text not in response.content.decode()


def test_it_is_not_in_the_archive_nor_public(client, staff, feedback):
    client.force_login(staff)
    page = client.get(f"/registry/enterprises/{feedback.enterprise_id}/").content.decode()
    assert feedback.text not in page and "执法行为反馈" not in page
    client.logout()
    assert client.get(f"/enterprise/feedback/{feedback.pk}/").status_code == 302  # to the login page


def test_feedback_on_another_enterprises_record_is_a_404(ent_client, other_enterprise, staff):
    theirs = finished(other_enterprise, staff)
    response = ent_client.post(f"/enterprise/feedback/new/{theirs.pk}/", form(theirs))
    assert response.status_code == 404 and not Feedback.objects.exists()


def test_feedback_on_an_unfinished_record_is_refused(ent_client, enterprise):
    open_record = new_record(enterprise=enterprise)
    assert open_record.status == InspectionRecord.Status.ASSIGNED
    response = ent_client.post(f"/enterprise/feedback/new/{open_record.pk}/", form(open_record))
    assert response.status_code == 404 and not Feedback.objects.exists()


def test_a_person_not_on_the_record_or_no_category_is_refused(ent_client, record):
    stranger = make_crew()[0]
    page = ent_client.post(f"/enterprise/feedback/new/{record.pk}/", form(record, inspector=str(stranger.pk)))
    assert page.status_code == 400 and "该人员不是本次检查的检查人员" in page.content.decode()
    page = ent_client.post(f"/enterprise/feedback/new/{record.pk}/", form(record, categories=[]))
    assert page.status_code == 400 and "请至少选择一项反映事项" in page.content.decode()
    assert not Feedback.objects.exists()
