"""Linkage notices (总局后续监管意见 二(六)), complaints and trigger evidence (白城事中事后监管办法 第七条), and the hooks the
planning and reports apps read."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from postlicense.core.todo import todo_for
from postlicense.inspections.models import InspectionRecord
from postlicense.inspections.selectors import current_template
from postlicense.registry.archive import ArchiveEvent
from postlicense.registry.credit_code import make_credit_code
from postlicense.supervision import notice_import, selectors, services
from postlicense.supervision.apps import SupervisionConfig
from postlicense.supervision.models import NoticeEntry, TestOrder, TriggerEvidence

from .factories import enterprise, reported

pytestmark = pytest.mark.django_db
UNKNOWN = make_credit_code("411002", 99_000_001)


def notice(city_admin, rows, received=date(2026, 11, 10), source="provincial_sampling", **kw):
    return services.register_notice(
        region=city_admin.org_unit.region,
        source=source,
        doc_no="豫市监质〔2026〕45号",
        doc_date=date(2026, 11, 5),
        received_date=received,
        product="水泥",
        failed_items="3天抗压强度",
        rows=rows,
        created_by=city_admin,
        **kw,
    )


def row(code, name=""):
    return {"credit_code": code, "enterprise_name": name, "product": "", "failed_items": ""}


def xlsx(rows, header=("统一社会信用代码", "企业名称", "产品", "不合格项目")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for r in rows:
        sheet.append(list(r))
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text that looks like a formula, as a list exported from another system holds it
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "名单.xlsx"
    return buffer


def test_a_notice_gives_each_licensed_enterprise_a_special_inspection_and_the_rest_become_leads(city_admin):
    e = enterprise()
    n = notice(city_admin, [row(e.credit_code), row(UNKNOWN, "某建材经营部")])
    matched, lead = n.entries.order_by("enterprise")
    assert lead.is_lead or matched.is_lead
    entry = NoticeEntry.objects.get(notice=n, enterprise=e)
    record = entry.inspection
    assert (record.kind, record.special_trigger) == (InspectionRecord.Kind.SPECIAL, InspectionRecord.Trigger.ASSIGNED)
    assert record.due_date == date(2026, 12, 10)  # 30 日 from receipt
    assert record.trigger_evidence.reference.endswith("豫市监质〔2026〕45号") and record.trigger_evidence.notice == n
    lead = NoticeEntry.objects.get(notice=n, enterprise__isnull=True)
    assert lead.credit_code == UNKNOWN and lead.region_id == "411000"


def test_a_lead_is_assigned_to_a_county_and_concluded_with_a_note(city_admin, staff):
    n = notice(city_admin, [row(UNKNOWN)])
    lead = n.entries.get()
    assert not selectors.leads_for(staff).exists()  # the city's until assigned
    services.assign_lead(lead, unit=staff.org_unit)
    assert list(selectors.leads_for(staff)) == [lead]
    with pytest.raises(ValidationError):
        services.conclude_lead(lead, by=staff, conclusion="")
    services.conclude_lead(lead, by=staff, conclusion="查无此企业，经营部只销售不生产")
    assert not selectors.leads_for(staff, open_only=True).exists()


def test_a_notice_posted_twice_registers_once(city_admin):
    import uuid

    token = uuid.uuid4()
    e = enterprise()
    first = notice(city_admin, [row(e.credit_code)], submission_token=token)
    assert notice(city_admin, [row(e.credit_code)], submission_token=token) == first
    assert InspectionRecord.objects.count() == 1


def test_a_notice_file_with_bad_codes_and_duplicates_is_refused_whole_listing_every_bad_row():
    good = make_credit_code("411002", 12345678)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows, errors = notice_import.read_file(
        xlsx([(good, "甲"), (bad_check, "乙"), ("123", "丙"), (good, "甲again"), ('=HYPERLINK("x")', "丁")])
    )
    listed = {(e.row, e.column) for e in errors}
    assert {
        (3, "统一社会信用代码"),
        (4, "统一社会信用代码"),
        (5, "统一社会信用代码"),
        (6, "统一社会信用代码"),
    } <= listed
    assert any("重复" in e.message and e.row == 5 for e in errors)
    assert any("公式" in e.message and e.row == 6 for e in errors)


def test_a_formula_in_a_text_column_is_refused():
    _, errors = notice_import.read_file(xlsx([(make_credit_code("411002", 1), "=1+2", "", "@SUM(A1)")]))
    assert [(e.row, e.column) for e in errors] == [(2, "企业名称"), (2, "不合格项目")]


def test_a_file_lying_about_its_type_is_refused():
    fake = io.BytesIO(b"\xd0\xcf\x11\xe0 not an xlsx at all")
    fake.name = "名单.xlsx"
    rows, errors = notice_import.read_file(fake)
    assert rows == [] and errors[0].row == 0 and errors[0].message


def test_a_file_without_the_columns_is_refused():
    _, errors = notice_import.read_file(xlsx([("x",)], header=("名称",)))
    assert "缺少列" in errors[0].message


def test_the_typed_list_is_checked_like_the_file():
    good = make_credit_code("411002", 7)
    rows, errors = notice_import.read_text(f"{good} 甲企业\n\n{good}\n12345")
    assert [(e.row, e.message[:5]) for e in errors][0][0] == 3 and len(errors) == 2
    rows, errors = notice_import.read_text(f"{good.lower()}，甲企业")
    assert (
        rows == [{"credit_code": good, "enterprise_name": "甲企业", "product": "", "failed_items": ""}] and not errors
    )


def test_a_substantiated_complaint_opens_a_special_inspection_with_the_complaint_as_evidence(city_admin, staff, world):
    complaint = services.register_complaint(
        unit=city_admin.org_unit,
        source="hotline",
        received_date=date(2026, 11, 23),
        content="未经出厂检验即销售",
        enterprise=world.enterprise,
    )
    assert complaint.answer_due == date(2026, 12, 14)  # 15 工作日 from 11-23 (a Monday)
    services.assign_complaint(complaint, unit=staff.org_unit)
    with pytest.raises(ValidationError) as failure:
        services.answer_complaint(complaint, substantiated=True, answer="属实", answered_date=date(2026, 11, 25))
    assert "template_version" in failure.value.message_dict
    complaint = services.answer_complaint(
        complaint,
        substantiated=True,
        answer="属实",
        answered_date=date(2026, 11, 25),
        inspection={
            "template_version": current_template("production_conditions_004"),
            "inspectors": world.samplers,
            "due_date": date(2026, 12, 15),
        },
    )
    record = complaint.inspection
    assert (record.special_trigger, record.trigger_evidence.complaint) == ("complaint", complaint)
    assert complaint.number in record.trigger_evidence.reference


def test_a_special_inspection_through_these_pages_needs_its_evidence(world):
    kwargs = dict(
        enterprise=world.enterprise,
        template_version=current_template("production_conditions_004"),
        inspectors=world.samplers,
        due_date=date(2026, 12, 15),
    )
    with pytest.raises(ValidationError):
        services.create_special_inspection(trigger="assigned", reference=" ", **kwargs)
    with pytest.raises(ValidationError):
        services.create_special_inspection(trigger="media", reference="报道", **kwargs)
    assert not TriggerEvidence.objects.exists() and not InspectionRecord.objects.exists()
    record = services.create_special_inspection(
        trigger="media", reference="报道", link="https://news.example/1", **kwargs
    )
    assert record.trigger_evidence.link == "https://news.example/1"


def test_raising_factors_name_their_source(city_admin, world):
    order = reported(world, "unqualified", date(2026, 10, 9))
    notice(city_admin, [row(world.enterprise.credit_code)])
    factors = SupervisionConfig.planning_raising_factors(None, [world.enterprise], 2027)[world.enterprise.pk]
    assert {f.kind for f in factors} == {"failed_test", "linkage_notice"}
    assert any(order.number in f.source for f in factors)
    assert SupervisionConfig.planning_raising_factors(None, [world.enterprise], 2029)[world.enterprise.pk] == []


def test_risk_items_list_failed_tests_in_the_users_jurisdiction(staff, make_user, world):
    from postlicense.core.models import User

    reported(world, "unqualified", date(2026, 10, 9))
    items = selectors.risk_items(staff)
    assert [(i.enterprise, i.hazard_level) for i in items] == [(world.enterprise, "较大")]
    other = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    assert selectors.risk_items(other) == []


def test_archive_and_todo_show_the_chain(staff, world):
    order = reported(world, "unqualified", date(2026, 10, 9))
    events = SupervisionConfig.archive_events(None, world.enterprise)
    assert all(isinstance(e, ArchiveEvent) for e in events)
    assert any("不合格" in e.title for e in events)
    services.record_notification(
        order,
        notified_date=date(2026, 11, 20),
        notify_method="直接送达",
        stop_selling_date=date(2026, 11, 20),
        stop_selling_method="当场送达",
    )
    todo = todo_for(staff, today=date(2026, 11, 30))
    group = next(g for g in todo.groups if g.label.startswith("检验不合格"))
    assert group.total == 1 and group.items[0].due == date(2026, 12, 7)
    assert TestOrder.objects.get(pk=order.pk).retest_due_text == "2026-12-07（收到检验结果后15日）"
