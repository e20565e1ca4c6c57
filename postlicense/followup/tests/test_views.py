"""Pages of orders and revisits: scoped (a hand-edited URL is a 404), bad input kept at its field with nothing saved,
a double submit applied once, the printed notice, the to-do lists per role and the overdue-by-county page."""

import io
import subprocess
import uuid
from datetime import date

import pytest
from django.urls import reverse
from docx import Document

from postlicense.core.models import User
from postlicense.core.todo import todo_for
from postlicense.followup.models import RectificationOrder, Revisit
from postlicense.inspections.models import Problem
from postlicense.inspections.tests.factories import make_enterprise
from postlicense.registry.models import EnterpriseAccount

from .helpers import crew, failed_record, issued_order, served_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


def enterprise_user(make_user, enterprise):
    user = make_user(User.Role.ENTERPRISE, None)
    EnterpriseAccount.objects.create(user=user, enterprise=enterprise)
    return user


def test_issue_from_a_record_lists_its_problems_and_a_double_post_issues_once(client, staff):
    record = failed_record(staff)
    client.force_login(staff)
    url = reverse("followup:order_new", args=[record.pk])
    page = client.get(url)
    assert page.status_code == 200 and "第6项" in page.content.decode()
    token = str(uuid.uuid4())
    data = {
        "problems": list(record.problems.values_list("pk", flat=True)),
        "requirement": "限期整改",
        "measure": "correct",
        "period_key": "rectification",
        "token": token,
    }
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert RectificationOrder.objects.count() == 1


def test_issue_without_any_item_shows_the_error_at_the_field(client, staff):
    record = failed_record(staff)
    client.force_login(staff)
    response = client.post(
        reverse("followup:order_new", args=[record.pk]),
        {"requirement": "x", "measure": "correct", "period_key": "rectification", "token": str(uuid.uuid4())},
    )
    assert response.status_code == 200 and "请至少选择一个问题" in response.content.decode()
    assert not RectificationOrder.objects.exists()


def test_a_service_dated_before_the_order_is_refused_at_the_field(client, staff):
    order = issued_order(staff)
    client.force_login(staff)
    response = client.post(
        reverse("followup:order_serve", args=[order.pk]),
        {"served_on": "2026-05-01", "method": "direct", "receiver": "张三"},
    )
    assert response.status_code == 400 and "早于通知书签发日期" in response.content.decode()
    order.refresh_from_db()
    assert order.served_on is None


def test_two_staff_serving_the_same_order_the_second_is_told(client, staff, make_user):
    order = issued_order(staff)
    client.force_login(staff)
    url = reverse("followup:order_serve", args=[order.pk])
    data = {"served_on": "2026-05-08", "method": "direct", "receiver": "张三"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double click
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    response = client.post(url, dict(data, served_on="2026-05-09"))
    assert response.status_code == 400 and "不能重复登记" in response.content.decode()
    order.refresh_from_db()
    assert order.served_on == date(2026, 5, 8)


def test_an_enterprise_user_sees_its_order_reports_on_it_and_gets_404_for_another(client, staff, make_user):
    mine, other = served_order(staff), served_order(staff, record=failed_record(staff, enterprise=make_enterprise()))
    user = enterprise_user(make_user, mine.enterprise)
    client.force_login(user)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("followup:order_pdf", args=[other.pk])).status_code == 404
    assert client.post(reverse("followup:order_report", args=[other.pk]), {"text": "x"}).status_code == 404
    response = client.post(
        reverse("followup:order_report", args=[mine.pk]),
        {"text": "已整改完毕", "completed_on": "2026-05-20", "token": str(uuid.uuid4())},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == RectificationOrder.Status.REPORTED
    # reported: nothing left to do on the order (self-service's own groups, e.g. the annual self-report, aside)
    from postlicense.followup.selectors import todo_groups

    assert todo_groups(user, date(2026, 11, 30)) == []
    assert client.get(reverse("followup:order_list")).content.decode().count(mine.number) == 1


def test_an_upload_lying_about_its_type_is_refused_at_the_field(client, staff):
    order = served_order(staff)
    client.force_login(staff)
    fake = io.BytesIO(b"MZ\x90\x00 not a picture")
    fake.name = "整改照片.jpg"
    response = client.post(
        reverse("followup:order_report", args=[order.pk]),
        {"text": "已整改", "completed_on": "2026-05-20", "token": str(uuid.uuid4()), "files": fake},
    )
    assert response.status_code == 400 and "不是图片" in response.content.decode()
    assert not order.reports.exists()


def test_a_revisit_before_the_deadline_without_a_report_is_refused_at_the_field(client, staff):
    order = served_order(staff)
    client.force_login(staff)
    inspectors = crew()
    response = client.post(
        reverse("followup:revisit_new", args=[order.pk]),
        {"inspectors": [i.pk for i in inspectors], "due_date": "2026-06-01", "token": str(uuid.uuid4())},
    )
    # the form date is before the deadline (2026-06-08) and the enterprise has not reported
    assert response.status_code == 400 and "早于整改期限" in response.content.decode()
    assert not Revisit.objects.exists()


def test_closing_a_problem_without_a_reason_is_refused(client, staff):
    order = served_order(staff)
    problem = order.items.first().problem
    client.force_login(staff)
    response = client.post(reverse("followup:problem_close", args=[order.pk, problem.pk]), {"reason": " "})
    assert response.status_code == 400
    problem.refresh_from_db()
    assert problem.status == Problem.Status.OPEN


def test_the_notice_prints_as_a_pdf_and_word_with_its_service_receipt(client, staff, tmp_path):
    order = served_order(staff)
    client.force_login(staff)
    pdf = client.get(reverse("followup:order_pdf", args=[order.pk])).content
    path = tmp_path / "order.pdf"
    path.write_bytes(pdf)
    text = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
    assert "责令改正通知书" in text and "送达回证" in text and order.number in text
    assert "行政复议" in text and "整改期限：2026-06-08（送达后30日）" in text
    word = client.get(reverse("followup:order_docx", args=[order.pk]))
    body = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert order.number in body and "送达回证" in body


def test_the_county_to_do_lists_each_step_and_the_city_sees_overdue_by_county(client, staff, make_user):
    issued_order(staff)
    served_order(staff)  # deadline 2026-06-08, revisit due 2026-06-23: overdue on 2026-11-30
    groups = {g.label: g for g in todo_for(staff, date(2026, 11, 30)).groups}
    assert groups["待送达的责令改正通知书"].total == 1
    assert groups["整改期满，待派发复查"].overdue == 1
    city = make_user(User.Role.CITY_ADMIN, "xuchang")
    client.force_login(city)
    page = client.get(reverse("followup:overdue_by_county")).content.decode()
    assert "魏都" in page and 'class="overdue">1<' in page


def test_an_inspector_sees_the_revisits_assigned_to_them(client, staff, make_user):
    order = served_order(staff)
    user = make_user(User.Role.INSPECTOR, "xuchang-weidu")
    inspectors = crew()
    inspectors[0].user = user
    inspectors[0].save()
    from postlicense.followup import services

    services.dispatch_revisit(
        order, by=staff, inspectors=inspectors, due_date=date(2026, 12, 10), today=date(2026, 11, 30)
    )
    groups = todo_for(user, date(2026, 11, 30)).groups
    assert [(g.label, g.total) for g in groups] == [("待完成的回访/复查", 1)]
    client.force_login(user)
    assert order.number in client.get(reverse("followup:revisit_list")).content.decode()


def test_the_api_reads_orders_and_revisits_in_scope(client, staff, make_user):
    order = served_order(staff)
    from postlicense.followup import services

    services.dispatch_revisit(order, by=staff, inspectors=crew(), due_date=date(2026, 12, 10), today=date(2026, 11, 30))
    client.force_login(staff)
    body = client.get("/api/v1/rectification-orders/?overdue=false").json()
    assert [o["number"] for o in body["results"]] == [order.number]
    assert body["results"][0]["items"][0]["problem_status"] == "open"
    assert client.get(f"/api/v1/revisits/?order={order.pk}").json()["results"][0]["order_number"] == order.number
    client.force_login(enterprise_user(make_user, make_enterprise()))
    assert client.get(f"/api/v1/rectification-orders/{order.pk}/").status_code == 404
    assert client.get("/api/v1/rectification-orders/?status=bogus").status_code == 400
