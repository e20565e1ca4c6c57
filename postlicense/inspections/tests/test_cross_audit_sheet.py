"""The 000 督查互查 sheet as a form to fill (滨海督查互查通知 附件2): the free-text 现场检查结论 after the items, no
问题汇总, only the 检查人员 sign. What a form has comes from its version's data, not from the checklist's code."""

from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse

from postlicense.core.models import User
from postlicense.inspections import selectors, services
from postlicense.inspections.checklists_seed import correct_cross_audit_sheet
from postlicense.inspections.models import ChecklistVersion

from .helpers import all_conforming, as_registered, fill_and_sign, new_record, signature_data_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


def failing_000_findings(record):
    """Item 3 (生产条件是否符合发证要求) answered 否: a nonconformity on a sheet without 问题汇总."""
    findings = all_conforming(record)
    item = record.template_version.items.get(number="3")
    findings[item.pk] = ("否", "", "生产线改造未申请重新审查")
    return findings


def test_000_version_places_site_conclusion_after_the_items():
    places = selectors.extra_field_places(services.current_template("patrol_000"))
    assert [f["label"] for f in places["before"]] == [
        "应完成巡查、年审企业数",
        "已完成巡查、年审企业数",
        "抽查巡查、年审材料数",
        "巡查、年审材料抽查整体情况",
    ]
    assert [f["label"] for f in places["section"]] == ["产品名称"]
    assert [f["key"] for f in places["after"]] == ["site_conclusion"]


def test_a_version_without_an_item_section_has_every_extra_field_before_its_items():
    version = services.current_template("random_check_003")
    version.extra_fields = [{"key": "a", "label": "甲", "group": ""}, {"key": "b", "label": "乙", "group": "丙"}]
    assert selectors.extra_field_places(version) == {"before": version.extra_fields, "section": [], "after": []}


def test_000_sheet_finishes_with_only_the_inspectors_signatures_and_no_problems_summary(staff):
    """000 附件2 has no enterprise signature and no 问题汇总: a nonconforming sheet finishes without them."""
    record = new_record("patrol_000")
    record = services.save_draft(
        record,
        revision=0,
        fields={"inspection_date": date(2026, 5, 1), "extra_values": {"site_conclusion": "生产条件有变化"}},
        findings=failing_000_findings(record),
        equipment=as_registered(record),
    )
    for link in record.crew.all():
        services.sign_as_inspector(record, link.inspector, signature_data_url(link.inspector.name))
    assert selectors.finish_errors(record) == {}
    record = services.finish(record, by=staff)
    assert record.conclusion == "unqualified" and record.problems.count() == 1
    assert not record.enterprise_signature and not record.enterprise_refused


def test_a_version_says_whether_it_needs_the_enterprise_signature_and_the_problems_summary(staff):
    """The rule follows the version's data: a 003 version edited to have neither box finishes without them, and
    one that has them (the shipped 003) does not."""
    shipped = new_record("random_check_003")
    shipped = services.save_draft(
        shipped, revision=0, fields={"inspection_date": date(2026, 5, 1)}, equipment=as_registered(shipped)
    )
    errors = selectors.finish_errors(shipped)
    assert any("企业负责人/代表（签名）”尚未签名" in m for m in errors["signatures"])

    version = services.current_template("random_check_003")
    bare = ChecklistVersion.objects.get(pk=services.new_version(version.template).pk)
    bare.enterprise_label, bare.has_problems_summary, bare.published = "", False, True
    bare.save()
    record = new_record("random_check_003")
    assert record.template_version == bare
    findings = all_conforming(record)
    item = bare.items.get(number="6")
    findings[item.pk] = ("检验记录不全", "不符合", "")
    record = services.save_draft(
        record,
        revision=0,
        fields={"inspection_date": date(2026, 5, 1)},
        findings=findings,
        equipment=as_registered(record),
    )
    for link in record.crew.all():
        services.sign_as_inspector(record, link.inspector, signature_data_url(link.inspector.name))
    assert selectors.finish_errors(record) == {}


def test_003_still_needs_the_problems_summary_when_an_item_fails():
    record = new_record("random_check_003")
    findings = all_conforming(record)
    item = record.template_version.items.get(number="6")
    findings[item.pk] = ("检验记录不全", "不符合", "")
    record = fill_and_sign(record, findings=findings)
    assert selectors.finish_errors(record)["problems_summary"] == ["存在不符合项：请填写“现场检查发现的问题汇总”。"]


def test_enterprise_signature_and_refusal_on_a_sheet_without_them_are_refused_and_save_nothing(client, staff):
    """Hostile posts: the 000 sheet shows no enterprise signature form, so one posted anyway is refused."""
    record = new_record("patrol_000")
    client.force_login(staff)
    url = reverse("inspections:record_sign", args=[record.pk])
    page = client.post(url, {"who": "enterprise", "signer": "张三", "image": signature_data_url()}, follow=True)
    assert "只由检查人员签字，没有企业签字栏" in page.content.decode()
    client.post(url, {"who": "refuse", "note": "拒绝"})
    record.refresh_from_db()
    assert not record.enterprise_signature and not record.enterprise_refused and not record.enterprise_signer


def test_fill_form_of_000_shows_site_conclusion_after_the_items_and_no_problems_summary_or_enterprise_signature(
    client, staff
):
    record = new_record("patrol_000")
    client.force_login(staff)
    page = client.get(reverse("inspections:record_fill", args=[record.pk])).content.decode()
    last_item = record.template_version.items.order_by("-position").first()
    assert page.index(f'id="item-{last_item.pk}"') < page.index('name="extra-site_conclusion"')
    assert page.index('name="extra-due"') < page.index("<h2>现场检查情况</h2>") < page.index('name="extra-product"')
    assert 'name="problems_summary"' not in page and "问题汇总" not in page
    assert 'value="enterprise"' not in page and "企业拒绝签字" not in page


def test_a_posted_problems_summary_on_000_is_ignored_and_site_conclusion_is_kept(client, staff):
    record = new_record("patrol_000")
    client.force_login(staff)
    response = client.post(
        reverse("inspections:record_draft", args=[record.pk]),
        {"revision": "0", "problems_summary": "伪造的问题汇总", "extra-site_conclusion": "现场检查未发现问题"},
    )
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.problems_summary == "" and record.extra_values["site_conclusion"] == "现场检查未发现问题"


def test_record_detail_of_000_shows_site_conclusion_after_the_items_and_no_problems_summary(client, staff):
    record = new_record("patrol_000")
    services.save_draft(record, revision=0, fields={"extra_values": {"site_conclusion": "现场检查未发现问题"}})
    client.force_login(staff)
    page = client.get(reverse("inspections:record_detail", args=[record.pk])).content.decode()
    assert page.index("findings") < page.index("现场检查结论") < page.index("现场检查未发现问题")
    assert "问题汇总" not in page and "企业负责人" not in page


def test_migration_appends_site_conclusion_to_version_1_of_000_once():
    """Databases loaded before 现场检查结论 was in the seed get it appended; running it again changes nothing."""
    version = ChecklistVersion.objects.get(template__code="patrol_000", number=1)
    version.extra_fields = [f for f in version.extra_fields if f["key"] != "site_conclusion"]
    version.enterprise_label, version.has_problems_summary = "企业负责人（签名）", True
    version.save()
    correct_cross_audit_sheet(apps)
    correct_cross_audit_sheet(apps)
    version.refresh_from_db()
    assert [f["key"] for f in version.extra_fields].count("site_conclusion") == 1
    assert version.extra_fields[-1]["label"] == "现场检查结论"
    assert version.enterprise_label == "" and not version.has_problems_summary


def test_000_sheet_has_no_key_equipment_table_to_count(client, staff):
    """The seed sheet has no 关键生产设备表 (the 003 table's 一企两表 has): none is listed at dispatch, none asked on the
    form or the record page, none blocks finishing, and a row posted anyway is refused."""
    record = new_record("patrol_000")
    assert not record.equipment_checks.exists()
    assert "eq-qty" not in " ".join(selectors.finish_errors(record))
    client.force_login(staff)
    fill = client.get(reverse("inspections:record_fill", args=[record.pk])).content.decode()
    detail = client.get(reverse("inspections:record_detail", args=[record.pk])).content.decode()
    assert "关键生产设备表" not in fill and "现场发现未登记的设备" not in fill and "关键生产设备表" not in detail
    page = client.post(
        reverse("inspections:equipment_add", args=[record.pk]),
        {"kind": "production", "name": "球磨机", "model": "M-1", "quantity": "1"},
        follow=True,
    )
    assert "没有关键生产设备表，无需核对设备" in page.content.decode()
    assert not record.equipment_checks.exists()
    assert new_record("random_check_003").equipment_checks.count() == 2  # the 003 table still lists them
