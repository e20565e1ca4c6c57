"""The pages: hostile input refused at the field with nothing saved, a double submit, a URL edited by hand, the
phone form's autosave, the printed 抽样单."""

import subprocess
import uuid
from datetime import date

import pytest

from postlicense.core.models import User
from postlicense.inspections.selectors import current_template
from postlicense.registry.models import EnterpriseAccount
from postlicense.supervision import printing, services
from postlicense.supervision.models import Complaint, LinkageNotice, TestOrder

from .factories import enterprise, fill_sheet, make_lab, new_test, reported, sampled, sign_all
from .test_notices_complaints import UNKNOWN, row, xlsx
from .test_notices_complaints import notice as make_notice

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def order_post(world, token, samplers):
    return {
        "license": world.license.pk,
        "product": "通用硅酸盐水泥",
        "trigger": "serious_quality",
        "samplers": [s.pk for s in samplers],
        "token": token,
    }


def test_ordering_with_one_sampler_shows_the_error_at_the_field_and_saves_nothing(client, staff, world):
    response = login(client, staff).post("/supervision/new/", order_post(world, uuid.uuid4(), world.samplers[:1]))
    assert response.status_code == 400
    assert "2名以上持有效执法证" in response.content.decode() and not TestOrder.objects.exists()


def test_ordering_with_an_expired_sampler_is_refused(client, staff, world):
    world.samplers[1].certificate_valid_until = date(2025, 1, 1)
    world.samplers[1].save()
    response = login(client, staff).post("/supervision/new/", order_post(world, uuid.uuid4(), world.samplers))
    assert response.status_code == 400 and "不在有效期内" in response.content.decode()
    assert not TestOrder.objects.exists()


def test_a_double_click_on_order_creates_one_test(client, staff, world):
    data = order_post(world, uuid.uuid4(), world.samplers)
    login(client, staff)
    first, second = client.post("/supervision/new/", data), client.post("/supervision/new/", data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert TestOrder.objects.count() == 1


def test_an_enterprise_user_reaching_another_enterprises_test_gets_404(client, world):
    mine = enterprise()
    user = User.objects.create_user("ent-user", password="pw", role=User.Role.ENTERPRISE)
    EnterpriseAccount.objects.create(user=user, enterprise=mine)
    theirs = new_test(world)
    login(client, user)
    for url in (f"/supervision/{theirs.pk}/", f"/supervision/{theirs.pk}/pdf/", f"/supervision/{theirs.pk}/fill/"):
        assert client.get(url).status_code == 404
    assert client.get("/supervision/").status_code == 200


def test_a_county_cannot_reach_another_countys_test(client, make_user, world):
    other = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    assert login(client, other).get(f"/supervision/{new_test(world).pk}/").status_code == 404


def test_the_sampling_form_autosaves_and_refuses_a_stale_draft(client, staff, world):
    order = new_test(world)
    login(client, staff)
    assert client.get(f"/supervision/{order.pk}/fill/").status_code == 200
    answer = client.post(f"/supervision/{order.pk}/draft/", {"revision": "0", "seal_no": "许封-9", "place": "line"})
    assert answer.json() == {"ok": True, "revision": 1}
    stale = client.post(f"/supervision/{order.pk}/draft/", {"revision": "0", "seal_no": "许封-X"})
    assert stale.status_code == 409 and "刷新" in stale.json()["errors"]["form"]
    order.refresh_from_db()
    assert (order.seal_no, order.place) == ("许封-9", "line")


def test_a_sample_from_an_unpermitted_place_is_refused_at_the_field(client, staff, world):
    order = new_test(world)
    response = login(client, staff).post(
        f"/supervision/{order.pk}/fill/", {"revision": "0", "place": "shop", "seal_no": "X", "then": "save"}
    )
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.seal_no == "" and order.revision == 0


def test_finishing_the_sheet_on_the_page(client, staff, world):
    order = fill_sheet(new_test(world), date(2026, 11, 2))
    login(client, staff)
    response = client.post(f"/supervision/{order.pk}/fill/", {"revision": str(order.revision), "then": "finish"})
    assert response.status_code == 400 and "尚未签字" in response.content.decode()
    sign_all(order)
    order.refresh_from_db()
    data = {
        "revision": str(order.revision),
        "then": "finish",
        "sampling_date": "2026-11-02",
        "place": "store",
        "passed_factory_inspection": "on",
        "batch": "B1",
        "batch_size": "500吨",
        "test_quantity": "12kg",
        "reserve_quantity": "12kg",
        "standard": "GB 175-2023",
        "seal_no": "许封-1",
        "sealed_at": "2026-11-02T10:00",
    }
    response = client.post(f"/supervision/{order.pk}/fill/", data)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == TestOrder.Status.SAMPLED and order.sending_due == date(2026, 11, 9)


def test_a_sending_date_before_sampling_is_shown_at_the_field(client, staff, world):
    order = sampled(world, date(2026, 11, 2))
    response = login(client, staff).post(
        f"/supervision/{order.pk}/step/send/", {"send-lab": world.lab.pk, "send-sent_date": "2026-11-01"}
    )
    assert response.status_code == 400 and "不能早于抽样日期" in response.content.decode()
    assert TestOrder.objects.get(pk=order.pk).status == TestOrder.Status.SAMPLED


def test_a_lab_out_of_scope_is_shown_at_the_field(client, staff, world):
    order = sampled(world, date(2026, 11, 2))
    other = make_lab(None, name="电缆检验所")
    response = login(client, staff).post(
        f"/supervision/{order.pk}/step/send/", {"send-lab": other.pk, "send-sent_date": "2026-11-03"}
    )
    assert response.status_code == 400 and "检验范围不包括" in response.content.decode()


def test_a_late_retest_request_is_refused_on_the_page(client, staff, world):
    order = reported(world, "unqualified", date(2026, 10, 9))
    services.record_notification(
        order,
        notified_date=date(2026, 10, 12),
        notify_method="直接送达",
        stop_selling_date=date(2026, 10, 12),
        stop_selling_method="当场送达",
    )
    response = login(client, staff).post(
        f"/supervision/{order.pk}/step/retest/", {"retest-requested_date": "2026-10-28"}
    )
    assert response.status_code == 400 and "超过期限" in response.content.decode()
    assert TestOrder.objects.get(pk=order.pk).status == TestOrder.Status.NOTIFIED


def test_the_printed_sampling_form_has_three_marked_copies(world):
    order = sampled(world, date(2026, 11, 2))
    text = subprocess.run(["pdftotext", "-", "-"], input=printing.pdf(order), capture_output=True, check=True).stdout
    text = text.decode()
    pages = [page.replace("\n", "") for page in text.split("\f") if page.strip()]
    assert len(pages) == 3
    for page, copy in zip(pages, printing.COPIES):
        assert page.startswith(copy) and "产品监督检验抽样单" in page and "许封-001" in page
        assert "不向企业收取任何费用" in page


def test_no_fee_field_anywhere():
    """白城事中事后监管办法 第十七条: 产品监督检验不得向企业收取费用."""
    from django.apps import apps

    fields = [f for m in apps.get_app_config("supervision").get_models() for f in m._meta.get_fields()]
    assert not [f for f in fields if "费" in str(getattr(f, "verbose_name", "")) or "fee" in f.name]


def test_a_notice_file_with_bad_rows_is_refused_whole_on_the_page(client, city_admin):
    good = enterprise().credit_code
    upload = xlsx([(good, "甲"), ("123", "乙"), (good, "丙")])
    data = {
        "source": "national_sampling",
        "doc_no": "国抽〔2026〕1号",
        "doc_date": "2026-11-01",
        "received_date": "2026-11-03",
        "product": "水泥",
        "token": uuid.uuid4(),
        "file": upload,
    }
    response = login(client, city_admin).post("/supervision/notices/new/", data)
    body = response.content.decode()
    assert response.status_code == 400 and "第3行" in body and "第4行" in body and "与第2行重复" in body
    assert not LinkageNotice.objects.exists()


def test_a_notice_typed_in_registers_matches_and_leads(client, city_admin):
    good = enterprise().credit_code
    data = {
        "source": "license_review",
        "doc_no": "许审〔2026〕3号",
        "doc_date": "2026-11-01",
        "received_date": "2026-11-03",
        "product": "水泥",
        "token": uuid.uuid4(),
        "credit_codes": f"{good} 甲\n{UNKNOWN} 乙",
    }
    response = login(client, city_admin).post("/supervision/notices/new/", data)
    assert response.status_code == 302
    notice = LinkageNotice.objects.get()
    assert notice.entries.filter(inspection__isnull=False).count() == 1
    assert notice.entries.filter(enterprise__isnull=True).count() == 1
    assert client.get(notice.get_absolute_url()).status_code == 200


def test_a_county_cannot_register_a_notice(client, staff):
    assert login(client, staff).get("/supervision/notices/new/").status_code == 403


def test_complaint_registered_once_on_a_double_click_and_its_evidence_shows_on_the_record(client, staff, world):
    login(client, staff)
    data = {
        "source": "hotline",
        "received_date": "2026-11-23",
        "enterprise_query": world.enterprise.credit_code,
        "content": "夜间生产未检验",
        "token": uuid.uuid4(),
    }
    client.post("/supervision/complaints/new/", data)
    client.post("/supervision/complaints/new/", data)
    complaint = Complaint.objects.get()
    assert complaint.enterprise == world.enterprise
    response = client.post(
        complaint.get_absolute_url(),
        {
            "action": "answer",
            "answer-substantiated": "1",
            "answer-answered_date": "2026-11-25",
            "answer-answer": "属实",
            "answer-template_version": current_template("production_conditions_004").pk,
            "answer-inspectors": [s.pk for s in world.samplers],
            "answer-due_date": "2026-12-15",
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    page = client.get(complaint.inspection.get_absolute_url()).content.decode()
    assert "专项检查触发依据" in page and complaint.number in page


def test_nav_and_home_for_an_inspector_sampler(client, make_user, world):
    user = make_user(User.Role.INSPECTOR, "xuchang-weidu")
    world.samplers[0].user = user
    world.samplers[0].save()
    order = new_test(world)
    login(client, user)
    home = client.get("/").content.decode()
    assert "监督检验" in home and "待抽样" in home
    assert client.get(f"/supervision/{order.pk}/fill/").status_code == 200
    assert client.get("/supervision/complaints/").status_code == 403


def test_the_api_reads_tests_within_the_jurisdiction(client, staff, make_user, world):
    order = new_test(world)
    rows = login(client, staff).get("/api/v1/tests/").json()["results"]
    assert [r["number"] for r in rows] == [order.number]
    assert client.get(f"/api/v1/tests/{order.pk}/").json()["status"] == "ordered"
    assert client.get("/api/v1/tests/?status=nonsense").status_code == 400
    other = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    assert login(client, other).get(f"/api/v1/tests/{order.pk}/").status_code == 404
    assert client.get("/api/v1/complaints/").status_code == 200


def test_a_notice_file_lying_about_its_size_is_refused_on_the_page(client, city_admin):
    from postlicense.registry.tests.test_hostile_files import set_declared_size, sheet_xml, workbook

    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 2000))
    data = set_declared_size(workbook(sheet_xml(rows)), "xl/worksheets/sheet1.xml", 2000)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("名单.xlsx", data)
    response = login(client, city_admin).post(
        "/supervision/notices/new/",
        {
            "source": "national_sampling",
            "doc_no": "国抽〔2026〕2号",
            "doc_date": "2026-11-01",
            "received_date": "2026-11-03",
            "product": "水泥",
            "token": uuid.uuid4(),
            "file": upload,
        },
    )
    assert response.status_code == 400 and "与其声明的大小不符" in response.content.decode()
    assert not LinkageNotice.objects.exists()


def test_the_notice_template_downloads_as_xlsx(client, staff):
    response = login(client, staff).get("/supervision/notices/template/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_county_reads_a_notice_that_lists_its_enterprise_but_not_others(client, city_admin, staff, make_user):
    good = enterprise().credit_code
    notice = services.register_notice(
        region=city_admin.org_unit.region,
        source="national_sampling",
        doc_no="国抽〔2026〕3号",
        doc_date=date(2026, 11, 1),
        received_date=date(2026, 11, 3),
        product="水泥",
        failed_items="",
        rows=[{"credit_code": good, "enterprise_name": "", "product": "", "failed_items": ""}],
    )
    assert login(client, staff).get(notice.get_absolute_url()).status_code == 200
    other = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    assert login(client, other).get(notice.get_absolute_url()).status_code == 404


def test_two_people_editing_a_lab_the_second_save_is_refused(client, city_admin, world):
    login(client, city_admin)
    url = f"/supervision/labs/{world.lab.pk}/edit/"
    form = client.get(url).context["form"]
    version = form.initial["version"]
    base = {
        "name": world.lab.name,
        "qualification_no": world.lab.qualification_no,
        "qualification_valid_until": "2028-12-31",
        "version": version,
    }
    assert client.post(url, {**base, "contact": "甲 0374-1"}).status_code == 302
    response = client.post(url, {**base, "contact": "乙 0374-2"})
    assert response.status_code == 200 and "甲 0374-1" in response.content.decode()
    world.lab.refresh_from_db()
    assert world.lab.contact == "甲 0374-1"


def test_a_county_cannot_edit_the_lab_register(client, staff, world):
    assert login(client, staff).get(f"/supervision/labs/{world.lab.pk}/edit/").status_code == 403


def test_inspections_awaiting_their_crew_link_to_the_assignment_page(client, city_admin, staff, world):
    """A notice's targeted inspection (总局后续监管意见 二(六)) and a special inspection dispatched here with fewer
    than two inspectors wait for their crew: the notice, complaint and record pages link to 指派检查组."""
    from postlicense.inspections.services import assign_crew, crew_version

    notice = make_notice(city_admin, [row(world.enterprise.credit_code)], received=date(2026, 11, 25))
    record = notice.entries.get().inspection
    crew_url = f"/inspections/{record.pk}/crew/"
    login(client, staff)
    assert crew_url in client.get(notice.get_absolute_url()).content.decode()
    response = client.post(
        "/supervision/special/new/",
        {
            "enterprise": world.enterprise.pk,
            "trigger": "accident",
            "reference": "事故报告 2026-7",
            "template_version": current_template("production_conditions_004").pk,
            "inspectors": [world.samplers[0].pk],
            "due_date": "2026-12-20",
            "token": str(uuid.uuid4()),
        },
        follow=True,
    )
    assert "尚未指派检查组" in response.content.decode() and "/crew/" in response.content.decode()
    complaint = services.register_complaint(
        unit=staff.org_unit,
        source="hotline",
        received_date=date(2026, 11, 23),
        content="属实",
        enterprise=world.enterprise,
    )
    complaint.inspection = response.context["record"]
    complaint.save()
    assert f"/inspections/{complaint.inspection_id}/crew/" in client.get(complaint.get_absolute_url()).content.decode()
    assign_crew(record, inspectors=world.samplers, by=staff, version=crew_version(record), token=uuid.uuid4())
    assert crew_url not in client.get(notice.get_absolute_url()).content.decode()
