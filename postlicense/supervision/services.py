"""Writes for supervision testing, complaints and linkage notices. The hand-off API:

create_test(*, enterprise, license, product, trigger, trigger_note="", samplers, org_unit, created_by=None,
            source_record=None, source_notice=None, submission_token=None, today=None) -> TestOrder
    A supervision test (status "ordered") of one licensed product, linked to the record or notice that caused it.
    The follow-up app (round 2) orders a test after a failed 复查 with trigger "rectification".
The chain, each step refused (ValidationError keyed by field) out of order or against its rule (rules.py):
    save_sampling(order, *, revision, fields) · sign_sampler / sign_enterprise / record_refusal · add_photo ·
    finish_sampling(order) · record_not_sampled(order, *, sampling_date, reason) ·
    record_sending(order, *, lab, sent_date, late_reason="") · record_receipt(order, *, received_date) ·
    record_report(order, *, report_no, report_date, result, failed_items="", hazard_level="") ·
    record_notification(order, *, notified_date, notify_method, stop_selling_date=None, stop_selling_method="") ·
    record_retest_request(order, *, requested_date, note="") · record_handled(order, *, handled_date, note)
    A step posted twice (a double click) changes nothing the second time.
A failed test (result "unqualified") is read by the follow-up app to issue its rectification order (60 日) and
the 复查 (75 日): selectors.failed_tests(). Planning reads the raised frequency through the AppConfig hook
planning_raising_factors; reports read selectors.risk_items().

create_special_inspection(*, enterprise, trigger, reference, link="", description="", template_version,
                          inspectors, due_date, created_by=None, complaint=None, notice=None,
                          submission_token=None) -> InspectionRecord
    A special inspection (002 第七条) with its TriggerEvidence; evidence is required.
register_complaint / assign_complaint / answer_complaint: 举报投诉, answered within complaint_answer; a
    substantiated complaint opens a special inspection (trigger complaint) with the complaint as its evidence.
register_notice(*, user, source, doc_no, doc_date, received_date, product, failed_items, rows, ...) ->
    LinkageNotice: each listed credit code of a licensed enterprise gets a special inspection due
    linkage_inspection from receipt; any other code becomes a lead of possible unlicensed production.
assign_lead(entry, *, unit) · conclude_lead(entry, *, by, conclusion)

The follow-up of a failure (抽查办法 第四十五至四十七条; 条例 第五十四条), through followup.services / from_tests:
order_rectification(test, *, by, today=None) -> RectificationOrder
    下达责令改正通知书 (source_kind "test", the failed items, 60 日 rectification_after_test; its 复查 due 75 日 from
    the order) once the enterprise was told and the 复检 window passed (or the 复检 was concluded). Once per test.
create_test(..., source_order=order, trigger="rectification"): the 复查 by a new sampling; its report closes the
    order (合格) or, a second failure, proposes a revocation (Escalation a person confirms).
order_rectification_for_notice(notice, *, by, today=None) -> [RectificationOrder]
    A national/provincial sampling-failure notice: one order per matched enterprise in the user's scope (once each).
"""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from postlicense.core.deadlines import Deadlines
from postlicense.core.models import OrgUnit
from postlicense.followup import from_tests
from postlicense.followup import services as followup
from postlicense.followup.models import RectificationOrder
from postlicense.inspections import attachments
from postlicense.inspections import services as inspections
from postlicense.inspections.models import InspectionRecord
from postlicense.inspections.selectors import current_template
from postlicense.registry.models import Enterprise, License

from . import rules
from .models import (
    Complaint,
    LabScope,
    LinkageNotice,
    NoticeEntry,
    SamplePhoto,
    Sampler,
    TestOrder,
    TriggerEvidence,
)

S = TestOrder.Status
LINKAGE_TEMPLATE = "production_conditions_004"  # the checklist that serves special inspections
SAMPLING_FIELDS = [
    "sampling_date",
    "place",
    "passed_factory_inspection",
    "specification",
    "trademark",
    "batch",
    "batch_size",
    "test_quantity",
    "reserve_quantity",
    "standard",
    "seal_no",
    "sealed_at",
]
REQUIRED_ON_SHEET = ["sampling_date", "batch", "batch_size", "test_quantity", "reserve_quantity", "standard", "seal_no"]


def _lock(order):
    return TestOrder.objects.select_for_update().get(pk=order.pk)


def _due(region_code, key, start, n=None, field="__all__"):
    """core.deadlines, with a year without calendar data reported at the field that starts the period."""
    try:
        return Deadlines(region_code).due(key, start, n=n)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _check(errors):
    if errors:
        raise ValidationError(errors)


def _step(order, expected, target):
    """The locked order if it is at one of the `expected` statuses; None if it already reached `target` (the same
    step posted twice); otherwise the step is out of order."""
    order = _lock(order)
    if order.status == target:
        return None
    if order.status not in expected:
        raise ValidationError(f"当前状态为“{order.get_status_display()}”，不能进行此操作。")
    return order


def next_number(day):
    prefix = f"CY{day:%Y%m%d}"
    taken = TestOrder.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


# --- ordering a test ------------------------------------------------------------------------------------------


@transaction.atomic
def create_test(
    *,
    enterprise,
    license,
    product,
    trigger,
    samplers,
    org_unit,
    trigger_note="",
    created_by=None,
    source_record=None,
    source_notice=None,
    source_order=None,
    submission_token=None,
    today=None,
):
    if submission_token:
        existing = TestOrder.objects.filter(submission_token=submission_token).first()
        if existing:
            return existing  # the same form posted twice
    today = today or timezone.localdate()
    errors = rules.trigger_errors(trigger, trigger_note) | rules.sampler_errors(samplers, today)
    if license.enterprise_id != enterprise.pk:
        errors["license"] = "该许可证不属于受检企业。"
    if source_record is not None and source_record.enterprise_id != enterprise.pk:
        errors["source_record"] = "来源检查记录不是受检企业的记录。"
    if not product.strip():
        errors["product"] = "请填写产品名称。"
    if source_order is not None:
        if source_order.enterprise_id != enterprise.pk:
            errors["source_order"] = "复查所依据的通知书不是受检企业的通知书。"
        if trigger != TestOrder.Trigger.RECTIFICATION:
            errors["trigger"] = "依据责令改正通知书安排的复查抽样，原因应为“企业未完成整改，或经复查仍不合格”。"
    _check(errors)
    if source_order is not None:
        from_tests.recheck_ordered(source_order, today=today)  # 抽查办法 第四十七条: the order is now 待复查
    order = TestOrder.objects.create(
        number=next_number(today),
        enterprise=enterprise,
        license=license,
        product_category=license.product_category,
        product=product.strip(),
        trigger=trigger,
        trigger_note=trigger_note.strip(),
        source_record=source_record,
        source_notice=source_notice,
        source_order=source_order,
        org_unit=org_unit,
        created_by=created_by,
        submission_token=submission_token,
    )
    for inspector in dict.fromkeys(samplers):
        Sampler.objects.create(order=order, inspector=inspector)
    return order


# --- the 抽样单 -------------------------------------------------------------------------------------------------


class StaleDraft(ValidationError):
    def __init__(self):
        super().__init__(
            "抽样单已被他人或在其他设备上修改：请刷新页面后再保存（您的修改仍保留在本机草稿中）。", code="stale"
        )


def _ensure_sampling(order):
    if order.status != S.ORDERED:
        raise ValidationError(f"抽样单已{order.get_status_display()}，不能再修改。", code="locked")


@transaction.atomic
def save_sampling(order, *, revision, fields):
    """A draft of the 抽样单 (autosave or 保存): any subset of SAMPLING_FIELDS; a stale revision is refused."""
    order = _lock(order)
    _ensure_sampling(order)
    if revision != order.revision:
        raise StaleDraft()
    for name, value in fields.items():
        if name in SAMPLING_FIELDS:
            setattr(order, name, value)
    order.revision += 1
    order.save()
    return order


@transaction.atomic
def sign_sampler(order, inspector, data_url):
    _ensure_sampling(order)
    link = Sampler.objects.select_for_update().get(order=order, inspector=inspector)
    link.signature = inspections.signature_file(data_url)
    link.signed_at = timezone.now()
    link.save()
    return link


ENTERPRISE_SIGNATURE_FIELDS = [
    "enterprise_signature",
    "enterprise_signer",
    "enterprise_signed_at",
    "enterprise_refused",
    "enterprise_refusal_note",
]


@transaction.atomic
def sign_enterprise(order, *, signer, data_url):
    _ensure_sampling(order)
    if not signer.strip():
        raise ValidationError("请填写签字的企业负责人/代表姓名。")
    order.enterprise_signature = inspections.signature_file(data_url)
    order.enterprise_signer, order.enterprise_signed_at = signer.strip(), timezone.now()
    order.enterprise_refused, order.enterprise_refusal_note = False, ""
    order.save(update_fields=ENTERPRISE_SIGNATURE_FIELDS)
    return order


@transaction.atomic
def record_refusal(order, *, note):
    """A refusal to sign the 抽样单 is recorded as such (DESIGN "Supervision testing")."""
    _ensure_sampling(order)
    if not note.strip():
        raise ValidationError("企业拒绝签字时，须如实记录拒绝情况（如拒绝人、时间、经过）。")
    order.enterprise_refused, order.enterprise_refusal_note = True, note.strip()
    order.enterprise_signature, order.enterprise_signer, order.enterprise_signed_at = "", "", timezone.now()
    order.save(update_fields=ENTERPRISE_SIGNATURE_FIELDS)
    return order


def add_photo(order, upload, *, by):
    """A photo of the sealed samples, checked by content (inspections.attachments); the same file twice is kept once."""
    _ensure_sampling(order)
    raw, content_type = attachments.validate(upload)
    if not content_type.startswith("image/"):
        raise ValidationError(f"文件“{upload.name}”不是照片：封样照片须为 JPEG/PNG/WebP 图片。")
    digest = hashlib.sha256(raw).hexdigest()
    existing = order.photos.filter(sha256=digest).first()
    if existing:
        return existing
    return SamplePhoto.objects.create(
        order=order,
        file=ContentFile(raw, name=attachments.storage_name(upload.name, content_type)),
        original_name=upload.name[:200],
        content_type=content_type,
        size=len(raw),
        sha256=digest,
        uploaded_by=by,
    )


def sampling_errors(order):
    """What stands between the draft and a finished 抽样单, keyed by field."""
    labels = {f.name: f.verbose_name for f in TestOrder._meta.fields}
    errors = {name: f"请填写{labels[name]}。" for name in REQUIRED_ON_SHEET if not getattr(order, name)}
    if order.sealed_at is None:
        errors["sealed_at"] = "请填写封样时间。"
    errors |= rules.place_errors(order.place, TestOrder.Place.values, order.passed_factory_inspection)
    crew = list(order.crew.select_related("inspector"))
    if order.sampling_date:
        errors |= rules.sampler_errors([link.inspector for link in crew], order.sampling_date)
        if order.sampling_date > timezone.localdate():
            errors["sampling_date"] = "抽样日期不能晚于今天。"
    unsigned = [link.inspector.name for link in crew if not link.signature]
    if unsigned:
        errors["signatures"] = f"抽样人员{'、'.join(unsigned)}尚未签字。"
    if not order.enterprise_signature and not order.enterprise_refused:
        errors["enterprise_signature"] = "须由企业签字，或如实记录企业拒绝签字的情况。"
    if not order.photos.exists():
        errors["photos"] = "请上传封样照片（至少一张）。"
    return errors


@transaction.atomic
def finish_sampling(order):
    locked = _step(order, [S.ORDERED], S.SAMPLED)
    if locked is None:
        return TestOrder.objects.get(pk=order.pk)
    _check(sampling_errors(locked))
    due = _due(locked.enterprise.region_id, "sample_sending", locked.sampling_date, field="sampling_date")
    locked.status, locked.sending_due, locked.sending_due_text = S.SAMPLED, due.date, due.text
    locked.save()
    return locked


@transaction.atomic
def record_not_sampled(order, *, sampling_date, reason):
    """抽样未果: the visit took place but no sample could be taken (no stock, production stopped ...)."""
    locked = _step(order, [S.ORDERED], S.NOT_SAMPLED)
    if locked is None:
        return TestOrder.objects.get(pk=order.pk)
    errors = {}
    if not (reason or "").strip():
        errors["not_sampled_reason"] = "请填写抽样未果的原因。"
    if sampling_date is None:
        errors["sampling_date"] = "请填写到企业抽样的日期。"
    _check(errors)
    locked.status, locked.sampling_date, locked.not_sampled_reason = S.NOT_SAMPLED, sampling_date, reason.strip()
    locked.save()
    if locked.source_order_id:  # the 复查 sampling came to nothing: the order waits for another 复查
        from_tests.recheck_not_done(locked.source_order)
    return locked


# --- the lab --------------------------------------------------------------------------------------------------


def lab_scope_ids(lab):
    return set(lab.scopes.values_list("product_category_id", flat=True)) if lab else set()


@transaction.atomic
def record_sending(order, *, lab, sent_date, late_reason=""):
    locked = _step(order, [S.SAMPLED], S.SENT)
    if locked is None:
        return TestOrder.objects.get(pk=order.pk)
    _check(
        rules.lab_errors(lab, locked.product_category, sent_date, lab_scope_ids(lab))
        | rules.sending_errors(locked.sampling_date, sent_date, locked.sending_due, late_reason)
    )
    locked.status, locked.lab, locked.sent_date = S.SENT, lab, sent_date
    locked.late_reason = (late_reason or "").strip() if sent_date > locked.sending_due else ""
    locked.save()
    return locked


@transaction.atomic
def record_receipt(order, *, received_date):
    """The lab received the samples: its report is due per product (LabScope.report_days) or lab_report."""
    locked = _step(order, [S.SENT], S.RECEIVED)
    if locked is None:
        return TestOrder.objects.get(pk=order.pk)
    _check(rules.date_order_error("received_date", received_date, locked.sent_date, "送样日期"))
    scope = LabScope.objects.filter(lab=locked.lab, product_category=locked.product_category).first()
    due = _due(
        locked.enterprise.region_id,
        "lab_report",
        received_date,
        n=scope.report_days if scope else None,
        field="received_date",
    )
    locked.status, locked.received_date = S.RECEIVED, received_date
    locked.report_due, locked.report_due_text = due.date, due.text
    locked.save()
    return locked


@transaction.atomic
def record_report(order, *, report_no, report_date, result, failed_items="", hazard_level=""):
    locked = _step(order, [S.RECEIVED], S.REPORTED)
    if locked is None:
        return TestOrder.objects.get(pk=order.pk)
    errors = rules.date_order_error("report_date", report_date, locked.received_date, "收样日期")
    if not report_no.strip():
        errors["report_no"] = "请填写检验报告编号。"
    if result not in TestOrder.Result.values:
        errors["result"] = "请选择检验结论。"
    if result == TestOrder.Result.UNQUALIFIED:
        if not failed_items.strip():
            errors["failed_items"] = "检验结论为不合格时，须填写不合格项目。"
        if not hazard_level:
            errors["hazard_level"] = "检验结论为不合格时，须评定危害程度（列入风险问题清单）。"
    _check(errors)
    failed = result == TestOrder.Result.UNQUALIFIED
    locked.status, locked.report_no, locked.report_date, locked.result = (
        S.REPORTED,
        report_no.strip(),
        report_date,
        result,
    )
    locked.failed_items = failed_items.strip() if failed else ""
    locked.hazard_level = hazard_level if failed else ""
    locked.save()
    if locked.source_order_id:  # the 复查 of an order after a failed test: closes it, or a second failure escalates
        from_tests.recheck_result(
            locked.source_order,
            passed=not failed,
            facts=f"{locked.source_order.number}（监督抽查不合格责令改正）复查抽样 {locked.number}，检验报告 "
            f"{locked.report_no}（{report_date:%Y-%m-%d}）仍不合格：{locked.failed_items}（{rules.RECHECK_FAILED_RULE}）",
        )
    return locked


@transaction.atomic
def record_notification(order, *, notified_date, notify_method, stop_selling_date=None, stop_selling_method=""):
    """The enterprise is told the result. A failure: it must stop selling the same product (抽查办法 第四十五条),
    and may ask for a 复检 within retest_request; a pass is handled once told."""
    target = S.NOTIFIED if _lock(order).failed else S.HANDLED  # the stored result, not the caller's copy
    locked = _step(order, [S.REPORTED], target)
    if locked is None:
        return TestOrder.objects.get(pk=order.pk)
    errors = rules.date_order_error("notified_date", notified_date, locked.report_date, "检验报告日期")
    if not notify_method.strip():
        errors["notify_method"] = "请填写告知方式（如直接送达、邮寄）。"
    if locked.failed:
        if stop_selling_date is None:
            errors["stop_selling_date"] = "检验不合格：须责令企业停止销售同一产品并记录日期（抽查办法 第四十五条）。"
        elif stop_selling_date < notified_date:
            errors["stop_selling_date"] = "责令停止销售日期不能早于告知企业日期。"
        if not stop_selling_method.strip():
            errors["stop_selling_method"] = "请填写责令停止销售的告知方式。"
    _check(errors)
    locked.notified_date, locked.notify_method = notified_date, notify_method.strip()
    if locked.failed:
        due = _due(locked.enterprise.region_id, "retest_request", notified_date, field="notified_date")
        locked.retest_due, locked.retest_due_text = due.date, due.text
        locked.stop_selling_date, locked.stop_selling_method = stop_selling_date, stop_selling_method.strip()
    else:
        locked.handled_date, locked.handling_note = notified_date, "检验合格，已告知企业。"
    locked.status = target
    locked.save()
    return locked


@transaction.atomic
def record_retest_request(order, *, requested_date, note=""):
    locked = _step(order, [S.NOTIFIED], S.RETEST)
    if locked is None:
        return TestOrder.objects.get(pk=order.pk)
    _check(rules.retest_errors(requested_date, locked.notified_date, locked.retest_due))
    locked.status, locked.retest_requested_date, locked.retest_note = S.RETEST, requested_date, note.strip()
    locked.save()
    return locked


@transaction.atomic
def record_handled(order, *, handled_date, note, today=None):
    """A failed test is handled once the 复检 window has passed without a request, or the 复检 is concluded."""
    locked = _step(order, [S.NOTIFIED, S.RETEST], S.HANDLED)
    if locked is None:
        return TestOrder.objects.get(pk=order.pk)
    today = today or timezone.localdate()
    errors = rules.date_order_error("handled_date", handled_date, locked.notified_date, "告知企业日期")
    if locked.status == S.NOTIFIED and today <= locked.retest_due:
        errors["handled_date"] = f"复检申请期限 {locked.retest_due_text} 尚未届满，届满后或企业申请复检后再办结。"
    if not note.strip():
        errors["handling_note"] = "请填写处理情况（含复检结果）。"
    _check(errors)
    locked.status, locked.handled_date, locked.handling_note = S.HANDLED, handled_date, note.strip()
    locked.save()
    return locked


# --- the rectification order a failure produces (抽查办法 第四十六条) ---------------------------------------------


ORDER_REQUIREMENT = (
    "查明不合格原因，对同批次库存及已出厂产品依法处理，在期限内完成整改并书面报告整改情况；"
    "本局自责令整改之日起75日内组织复查（抽查办法 第四十六条、第四十七条）。"
)


def _order_basis():
    return f"{rules.FAILURE_RULE}；《产品质量法》第十五条、第十七条；《产品质量监督抽查管理暂行办法》第四十六条、第四十七条"


def _issue(enterprise, by, label, failed_items, fallback, today, source_kind):
    return followup.issue_order(
        enterprise=enterprise,
        unit=enterprise.supervising_unit,
        by=by,
        source_kind=source_kind,
        source_label=label,
        items=[(item, "") for item in rules.failed_item_list(failed_items) or [fallback]],
        period_key=RectificationOrder.Period.AFTER_TEST,
        legal_basis=_order_basis(),
        requirement=ORDER_REQUIREMENT,
        issued_on=today,
    )


@transaction.atomic
def order_rectification(test, *, by, today=None):
    """下达责令改正通知书 for a failed test (60 日, 抽查办法 第四十六条). Once per test: a second post returns the order."""
    locked = _lock(test)
    if locked.rectification_order_id:
        return locked.rectification_order  # a double click
    if locked.source_order_id:
        raise ValidationError(
            f"这是{locked.source_order.number}的复查抽样：复查仍不合格的，由系统提出提请吊销建议，"
            f"请在该通知书页面确认（{rules.RECHECK_FAILED_RULE}），不再另行责令改正。"
        )
    today = today or timezone.localdate()
    _check(rules.rectification_errors(locked.result, locked.status, locked.retest_due, today))
    order = _issue(
        locked.enterprise,
        by,
        f"监督检验 {locked.number}（检验报告 {locked.report_no}）{locked.product}不合格",
        locked.failed_items,
        f"{locked.product}监督检验不合格",
        today,
        RectificationOrder.SourceKind.TEST,
    )
    locked.rectification_order = order
    if locked.status == S.NOTIFIED:  # the 复检 window passed without a request: the order is the handling
        locked.status, locked.handled_date = S.HANDLED, today
        locked.handling_note = f"复检申请期限届满未申请复检，已下达{order.number}。"
    locked.save()
    return order


def notice_entries_to_order(notice, user):
    """The matched enterprises of a sampling-failure notice the user may act for, without an order yet."""
    if notice.source not in LinkageNotice.SAMPLING_SOURCES:
        return NoticeEntry.objects.none()
    return (
        NoticeEntry.objects.for_user(user)
        .filter(notice=notice, enterprise__isnull=False, rectification_order__isnull=True)
        .select_related("enterprise__supervising_unit")
    )


@transaction.atomic
def order_rectification_for_notice(notice, *, by, today=None):
    """After a national/provincial sampling failure each matched enterprise gets, beside its targeted inspection, a
    rectification order for its failed items (60 日; DESIGN "Linkage"). A batch a person confirms; entries that
    already have their order are skipped, so posting twice issues nothing more. Returns the orders issued."""
    if notice.source not in LinkageNotice.SAMPLING_SOURCES:
        raise ValidationError("只有国家或省级监督抽查不合格通报才据以下达责令改正通知书。")
    today = today or timezone.localdate()
    pks = list(notice_entries_to_order(notice, by).values_list("pk", flat=True))
    orders = []
    for entry in NoticeEntry.objects.select_for_update().filter(pk__in=pks, rectification_order__isnull=True):
        entry.rectification_order = _issue(
            entry.enterprise,
            by,
            f"{notice.get_source_display()}通报 {notice.doc_no}：{entry.product}",
            entry.failed_items,
            f"{entry.product}监督抽查不合格",
            today,
            RectificationOrder.SourceKind.LINKAGE,
        )
        entry.save(update_fields=["rectification_order"])
        orders.append(entry.rectification_order)
    return orders


# --- special inspections with their trigger evidence ----------------------------------------------------------


@transaction.atomic
def create_special_inspection(
    *,
    enterprise,
    trigger,
    reference,
    template_version,
    inspectors,
    due_date,
    link="",
    description="",
    created_by=None,
    complaint=None,
    notice=None,
    submission_token=None,
):
    if not (reference or "").strip():
        raise ValidationError(
            {"reference": "专项检查须记录触发依据：举报编号、媒体链接、交办文号、事故报告或抽查安排文号。"}
        )
    if trigger == InspectionRecord.Trigger.MEDIA and not link:
        raise ValidationError({"link": "媒体曝光引发的专项检查须填写报道链接。"})
    record = inspections.create_inspection(
        enterprise=enterprise,
        kind=InspectionRecord.Kind.SPECIAL,
        special_trigger=trigger,
        template_version=template_version,
        org_unit=enterprise.supervising_unit,
        inspectors=inspectors,
        due_date=due_date,
        created_by=created_by,
        submission_token=submission_token,
    )
    TriggerEvidence.objects.get_or_create(
        record=record,
        defaults=dict(
            reference=reference.strip(),
            link=link,
            description=(description or "").strip(),
            complaint=complaint,
            notice=notice,
        ),
    )
    return record


# --- complaints -----------------------------------------------------------------------------------------------


def _complaint_number(day):
    prefix = f"JB{day:%Y%m%d}"
    return f"{prefix}{Complaint.objects.filter(number__startswith=prefix).count() + 1:03d}"


@transaction.atomic
def register_complaint(
    *,
    unit,
    source,
    received_date,
    content,
    enterprise=None,
    enterprise_text="",
    complainant="",
    created_by=None,
    submission_token=None,
):
    if submission_token:
        existing = Complaint.objects.filter(submission_token=submission_token).first()
        if existing:
            return existing
    if enterprise is None and not enterprise_text.strip():
        raise ValidationError({"enterprise_query": "请填写被举报企业的名称或统一社会信用代码。"})
    due = _due(unit.region_id, "complaint_answer", received_date, field="received_date")
    return Complaint.objects.create(
        number=_complaint_number(received_date),
        source=source,
        received_date=received_date,
        content=content.strip(),
        complainant=complainant.strip(),
        enterprise=enterprise,
        enterprise_text=enterprise_text.strip() if enterprise is None else "",
        region=enterprise.region if enterprise else unit.region,
        answer_due=due.date,
        answer_due_text=due.text,
        created_by=created_by,
        submission_token=submission_token,
    )


@transaction.atomic
def assign_complaint(complaint, *, unit):
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status == Complaint.Status.ANSWERED:
        raise ValidationError("该举报已办结，不能再交办。")
    if unit.kind == OrgUnit.Kind.CITY:
        raise ValidationError({"unit": "请选择承办的县局或分局。"})
    if complaint.enterprise and complaint.enterprise.supervising_unit_id != unit.pk:
        if not complaint.enterprise.region_id.startswith(unit.region.scope_prefix):
            raise ValidationError({"unit": f"{unit.name}不负责{complaint.enterprise.name}所在区县。"})
    complaint.assigned_unit, complaint.region, complaint.status = unit, unit.region, Complaint.Status.ASSIGNED
    complaint.save()
    return complaint


@transaction.atomic
def answer_complaint(complaint, *, substantiated, answer, answered_date, inspection=None, by=None):
    """Conclude a complaint. A substantiated one opens a special inspection (trigger complaint) with the complaint
    as its evidence: `inspection` = {"template_version", "inspectors", "due_date"}."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status == Complaint.Status.ANSWERED:
        return complaint  # answered twice (a double click)
    errors = rules.date_order_error("answered_date", answered_date, complaint.received_date, "受理日期")
    if not answer.strip():
        errors["answer"] = "请填写办理结果/答复内容。"
    if substantiated and complaint.enterprise is None:
        errors["substantiated"] = "举报属实须开展专项检查：请先在登记信息中关联被举报的获证企业。"
    if substantiated and inspection is None:
        errors["template_version"] = "举报属实须开展专项检查：请选择检查表、检查人员和完成期限。"
    _check(errors)
    if substantiated:
        complaint.inspection = create_special_inspection(
            enterprise=complaint.enterprise,
            trigger=InspectionRecord.Trigger.COMPLAINT,
            reference=f"举报编号 {complaint.number}",
            description=complaint.content[:500],
            complaint=complaint,
            created_by=by,
            **inspection,
        )
    complaint.substantiated, complaint.answer, complaint.answered_date = substantiated, answer.strip(), answered_date
    complaint.status = Complaint.Status.ANSWERED
    complaint.save()
    return complaint


# --- linkage notices ------------------------------------------------------------------------------------------


def licensed_enterprises(credit_codes):
    """credit code → Enterprise, for the codes of enterprises holding a valid license."""
    return {
        e.credit_code: e
        for e in Enterprise.objects.filter(
            credit_code__in=credit_codes, licenses__status=License.Status.VALID
        ).distinct()
    }


@transaction.atomic
def register_notice(
    *,
    region,
    source,
    doc_no,
    doc_date,
    received_date,
    product,
    failed_items,
    rows,
    created_by=None,
    submission_token=None,
):
    """`rows`: [{"credit_code", "enterprise_name", "product", "failed_items"}] already checked (notice_import)."""
    if submission_token:
        existing = LinkageNotice.objects.filter(submission_token=submission_token).first()
        if existing:
            return existing
    errors = rules.date_order_error("received_date", received_date, doc_date, "通报日期")
    if not rows:
        errors["credit_codes"] = "通报须列出至少一家企业的统一社会信用代码。"
    _check(errors)
    due = _due(region.code, "linkage_inspection", received_date, field="received_date")
    notice = LinkageNotice.objects.create(
        region=region,
        source=source,
        doc_no=doc_no.strip(),
        doc_date=doc_date,
        received_date=received_date,
        product=product.strip(),
        failed_items=failed_items.strip(),
        created_by=created_by,
        submission_token=submission_token,
    )
    matched = licensed_enterprises([row["credit_code"] for row in rows])
    version = current_template(LINKAGE_TEMPLATE)
    for row in rows:
        enterprise = matched.get(row["credit_code"])
        entry = NoticeEntry.objects.create(
            notice=notice,
            credit_code=row["credit_code"],
            enterprise_name=row.get("enterprise_name", ""),
            product=row.get("product", "") or notice.product,
            failed_items=row.get("failed_items", "") or notice.failed_items,
            enterprise=enterprise,
            region=enterprise.region if enterprise else region,
            assigned_unit=enterprise.supervising_unit if enterprise else None,
        )
        if enterprise is not None:
            entry.inspection = create_special_inspection(
                enterprise=enterprise,
                trigger=InspectionRecord.Trigger.ASSIGNED,
                reference=f"{notice.get_source_display()}通报 {notice.doc_no}",
                description=f"{entry.product}：{entry.failed_items}".strip("："),
                template_version=version,
                inspectors=[],
                due_date=due.date,
                created_by=created_by,
                notice=notice,
            )
            entry.save(update_fields=["inspection"])
    return notice


@transaction.atomic
def assign_lead(entry, *, unit):
    entry = NoticeEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.is_lead or entry.concluded_at:
        raise ValidationError("只有尚未办结的疑似无证生产线索可以交办。")
    if unit.kind == OrgUnit.Kind.CITY:
        raise ValidationError({"unit": "请选择承办的县局或分局。"})
    entry.assigned_unit, entry.region = unit, unit.region
    entry.save()
    return entry


@transaction.atomic
def conclude_lead(entry, *, by, conclusion):
    entry = NoticeEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.concluded_at:
        return entry
    if not entry.is_lead:
        raise ValidationError("该企业已获证，按专项检查办理。")
    if not conclusion.strip():
        raise ValidationError(
            {"conclusion": "请填写核查结论（如：已核实为无证生产并移送立案 / 企业已停业 / 查无此企业）。"}
        )
    entry.conclusion, entry.concluded_at, entry.concluded_by = conclusion.strip(), timezone.now(), by
    entry.save()
    return entry
