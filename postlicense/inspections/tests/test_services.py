"""Record lifecycle: drafts, finishing (two-inspector rule, computed conclusion), lock and amendment, signatures,
attachments, problems handed to follow-up."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postlicense.core import audit
from postlicense.core.models import User
from postlicense.inspections import services
from postlicense.inspections.models import Attachment, Finding, InspectionRecord, Problem

from .factories import make_enterprise, make_inspector
from .helpers import all_conforming, fill_and_sign, new_record, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


def with_item(record, number, option, conclusion, note=""):
    findings = all_conforming(record)
    item = record.template_version.items.get(number=number)
    findings[item.pk] = (option, conclusion, note)
    return findings


def test_all_conforming_record_finishes_qualified_and_locks(staff):
    record = fill_and_sign(new_record())
    record = services.finish(record, by=staff)
    assert record.status == "finished" and record.conclusion == "qualified" and record.finished_at
    assert not Problem.objects.exists()
    with pytest.raises(ValidationError, match="锁定"):
        services.save_draft(record, revision=record.revision, fields={"problems_summary": "改"})


def test_one_nonconformity_makes_the_record_unqualified_and_opens_a_problem(staff):
    """003 附件 注2; the user never sets the conclusion, it is computed."""
    record = new_record()
    record = fill_and_sign(
        record, with_item(record, "6", "检验记录不全", "不符合", "缺3批"), summary="出厂检验记录不全"
    )
    record = services.finish(record, by=staff)
    assert record.conclusion == "unqualified"
    problem = Problem.objects.get()
    assert problem.enterprise == record.enterprise and problem.status == "open" and "第6项" in problem.description
    assert services.open_problems_from(record) == []  # idempotent: nothing opened twice
    services.close_problem(problem, by=staff, reason="已整改，复查合格")
    problem.refresh_from_db()
    assert problem.status == "closed" and problem.closed_by == staff


def test_nonconformity_requires_the_problems_summary(staff):
    record = new_record()
    record = fill_and_sign(record, with_item(record, "8", "否", "不符合"))
    with pytest.raises(ValidationError) as exc:
        services.finish(record, by=staff)
    assert "现场检查发现的问题汇总" in " ".join(exc.value.messages)


def test_finish_refuses_one_inspector_an_expired_certificate_and_an_avoiding_inspector(staff):
    """002 第九条; the messages name the rule and the person."""
    expired = make_inspector(name="过期甲", valid_until=date(2026, 4, 1))
    record = fill_and_sign(new_record(inspectors=[expired]))
    messages = " ".join(services.finish_problems(record))
    assert "不少于2人" in messages and "过期甲" in messages and "2026-04-01" in messages
    avoiding = make_inspector(name="回避乙")
    avoiding.avoid_enterprises.add(record.enterprise)
    record.inspectors.add(avoiding)
    assert any("回避乙" in m for m in services.finish_problems(record))
    with pytest.raises(ValidationError):
        services.finish(record, by=staff)
    assert InspectionRecord.objects.get(pk=record.pk).status != "finished"


def test_unanswered_items_and_missing_signatures_block_finishing():
    record = new_record()
    messages = services.finish_problems(record)
    assert "请填写检查日期。" in messages
    assert any("第1项" in m and "检查记录" in m for m in messages)
    assert not any("第12项" in m for m in messages)  # 其他需要检查的项目 is free text
    assert any("尚未签名" in m for m in messages)


def test_enterprise_refusal_needs_a_note_and_counts_as_the_enterprise_box(staff):
    """003 六(一)2: 被检查对象拒绝签字的应当如实记录."""
    record = fill_and_sign(new_record())
    with pytest.raises(ValidationError, match="如实记录"):
        services.record_refusal(record, note="  ")
    services.record_refusal(record, note="法定代表人拒绝签字")
    record.refresh_from_db()
    assert record.enterprise_refused and not record.enterprise_signature
    assert services.finish(record, by=staff).status == "finished"


def test_stale_draft_is_refused_not_merged():
    record = new_record()
    services.save_draft(record, revision=0, fields={"problems_summary": "一"})
    with pytest.raises(ValidationError, match="其他设备"):
        services.save_draft(record, revision=0, fields={"problems_summary": "二"})
    record.refresh_from_db()
    assert record.problems_summary == "一" and record.revision == 1


def test_same_draft_twice_writes_each_finding_once():
    record = new_record()
    findings = all_conforming(record)
    services.save_draft(record, revision=0, findings=findings)
    services.save_draft(record, revision=1, findings=findings)
    assert Finding.objects.filter(record=record).count() == 12


def test_an_option_not_on_the_checklist_is_refused():
    record = new_record()
    with pytest.raises(ValidationError, match="不是本表的选项"):
        services.save_draft(record, revision=0, findings=with_item(record, "1", "大概有效", "符合"))


def test_amendment_keeps_both_versions_and_recomputes_the_conclusion(staff):
    record = services.finish(fill_and_sign(new_record()), by=staff)
    item = record.template_version.items.get(number="4")
    with pytest.raises(ValidationError, match="更正原因"):
        services.amend(record, by=staff, reason="", findings={item.pk: ("未标注", "不符合", "")})
    amendment = services.amend(
        record,
        by=staff,
        reason="复核照片发现包装未标注许可证编号",
        fields={"problems_summary": "包装未标注生产许可证编号"},
        findings={item.pk: ("未标注", "不符合", "")},
    )
    record.refresh_from_db()
    assert record.conclusion == "unqualified" and record.status == "finished"
    whats = {c["what"]: (c["before"], c["after"]) for c in amendment.changes}
    assert whats["检查项 › 4 › 单项检查结论"] == ("符合", "不符合")
    assert whats["检查结论"] == ("合格", "不合格")
    assert amendment.before["检查结论"] == "合格" and amendment.after["检查结论"] == "不合格"
    assert Problem.objects.filter(record=record, status="open").count() == 1


def test_finishing_twice_changes_nothing(staff):
    record = services.finish(fill_and_sign(new_record()), by=staff)
    again = services.finish(record, by=staff)
    assert again.finished_at == record.finished_at


def test_dispatch_posted_twice_creates_one_record():
    import uuid

    token = uuid.uuid4()
    first = new_record()
    args = dict(
        enterprise=first.enterprise,
        kind="random_check",
        template_version=first.template_version,
        org_unit=first.org_unit,
        inspectors=first.inspectors.all(),
        due_date=date(2026, 12, 1),
        submission_token=token,
    )
    assert services.create_inspection(**args) == services.create_inspection(**args)


def test_special_inspection_needs_its_trigger():
    """002 第七条."""
    record = new_record()
    with pytest.raises(ValidationError, match="第七条"):
        services.create_inspection(
            enterprise=record.enterprise,
            kind="special",
            template_version=record.template_version,
            org_unit=record.org_unit,
            inspectors=[],
            due_date=None,
        )


def test_key_equipment_is_copied_from_the_register_and_left_for_the_inspector_to_count():
    """003 附件 item 2 compares what is found on site with the register: nothing counts as found before the visit."""
    record = new_record()
    rows = list(record.equipment_checks.order_by("name"))
    assert [(r.name, r.registered_quantity, r.found_quantity, r.found_model) for r in rows] == [
        ("压力试验机", 1, None, ""),
        ("水泥磨", 2, None, ""),
    ]
    assert [m for m in services.finish_problems(record) if "关键生产设备表" in m] == [
        "关键生产设备表：请填写“压力试验机”的现场数量。",
        "关键生产设备表：请填写“水泥磨”的现场数量。",
    ]


def test_attachments_checked_by_content_and_size_and_stored_once(staff, settings):
    record = new_record()
    finding = Finding.objects.create(record=record, item=record.template_version.items.first())
    photo = png_bytes()
    a = services.add_attachment(finding, SimpleUploadedFile("现场.png", photo, "image/png"), by=staff)
    b = services.add_attachment(finding, SimpleUploadedFile("现场.png", photo, "image/png"), by=staff)
    assert a == b and Attachment.objects.count() == 1 and a.content_type == "image/png"
    with pytest.raises(ValidationError, match="不是图片"):
        services.add_attachment(
            finding, SimpleUploadedFile("fake.jpg", b"MZ\x90\x00 not an image", "image/jpeg"), by=staff
        )
    pdf = SimpleUploadedFile("报告.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf")
    assert services.add_attachment(finding, pdf, by=staff).content_type == "application/pdf"
    settings.INSPECTION_ATTACHMENT_MAX_MB = 0
    with pytest.raises(ValidationError, match="超过上限"):
        services.add_attachment(finding, SimpleUploadedFile("big.png", png_bytes((400, 400)), "image/png"), by=staff)


def test_bad_signature_is_refused():
    record = new_record()
    with pytest.raises(ValidationError, match="签名"):
        services.sign_as_inspector(record, record.inspectors.first(), "data:image/png;base64,bm90IGFuIGltYWdl")


def test_signing_with_a_stale_copy_does_not_undo_a_draft_saved_meanwhile():
    record = new_record()
    stale = InspectionRecord.objects.get(pk=record.pk)
    services.save_draft(record, revision=0, fields={"inspection_date": date(2026, 5, 1), "problems_summary": "甲"})
    services.record_refusal(stale, note="拒绝签字")
    record.refresh_from_db()
    assert record.inspection_date == date(2026, 5, 1) and record.problems_summary == "甲" and record.enterprise_refused


def test_finished_inspection_appears_in_the_quality_archive(staff):
    """002 第十三条 / 001 二(一): the quality archive holds the inspection records."""
    from postlicense.registry.archive import timeline

    record = new_record()
    assert not [e for e in timeline(record.enterprise) if e.kind == "检查"]
    record = services.finish(fill_and_sign(record), by=staff)
    events = [e for e in timeline(record.enterprise) if e.kind == "检查"]
    assert len(events) == 1 and events[0].title == "双随机抽查：合格" and events[0].url == record.get_absolute_url()


def test_not_carried_out_leaves_the_open_lists_and_cannot_be_filled_or_finished(staff):
    """003 七(五): an enterprise not inspected because of 停产/转产 is recorded; its dispatched record closes."""
    from postlicense.inspections.selectors import record_counts

    record = fill_and_sign(new_record())
    before = record_counts(staff)["open"]
    with pytest.raises(ValidationError, match="原因"):
        services.mark_not_carried_out(record, by=staff, reason=" ")
    record = services.mark_not_carried_out(record, by=staff, reason="停产：2023年6月起停产")
    assert record.status == InspectionRecord.Status.NOT_CARRIED_OUT and record_counts(staff)["open"] == before - 1
    with pytest.raises(ValidationError, match="未实施"):
        services.save_draft(record, revision=record.revision, fields={"problems_summary": "改"})
    with pytest.raises(ValidationError, match="未实施"):
        services.finish(record, by=staff)
    with pytest.raises(ValidationError, match="不能登记为未实施"):
        services.mark_not_carried_out(record, by=staff, reason="再次")


def test_many_records_take_as_many_queries_as_two_and_get_what_one_alone_gets():
    """A random check dispatches one record per drawn enterprise (003 六): the records, their crews, licenses,
    equipment rows and audit entries go in a few queries, whatever their number, and each record has what
    create_inspection gives one record alone."""
    crew = [make_inspector(), make_inspector()]

    def orders(count):
        return [
            dict(
                enterprise=e,
                kind=InspectionRecord.Kind.RANDOM_CHECK,
                inspectors=crew,
                due_date=date(2026, 10, 31),
                template_version=services.current_template("random_check_003"),
                org_unit=e.supervising_unit,
            )
            for e in (make_enterprise() for _ in range(count))
        ]

    def shape(record):
        entries = sorted((e.action, e.model, sorted(e.changes.get("m2m", {"": 0}))) for e in audit.history_of(record))
        equipment = [
            (c.name, c.registered_quantity, audit.history_of(c).count()) for c in record.equipment_checks.order_by("pk")
        ]
        return entries, len(record.crew.all()), [lic.number[:9] for lic in record.licenses.all()], equipment

    alone = new_record(inspectors=crew)
    few, many = orders(2), orders(12)
    with CaptureQueriesContext(connection) as for_few:
        services.create_inspections(few)
    with CaptureQueriesContext(connection) as for_many:
        records = services.create_inspections(many)
    assert len(for_many) == len(for_few)
    assert [shape(record) for record in records] == [shape(alone)] * len(many)
    assert [record.enterprise for record in records] == [order["enterprise"] for order in many]
    assert audit.verify_chain().ok
