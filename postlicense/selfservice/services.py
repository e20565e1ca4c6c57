"""Writes of enterprise self-service. The hand-off API other apps call:

create_account(staff, *, enterprise, username, display_name, position="", is_legal_representative=False)
    -> (User, temporary password)       a login of an enterprise in the staff member's scope; the password is shown
                                         once and must be changed at the first login (AccountProfile)
reset_password(staff, profile) -> temporary password;  set_account_active(staff, profile, active)
start_report(user, enterprise, year, today) -> SelfReport (draft, prefilled from our records)
save_draft(report, *, revision, content, declarant="", declarant_position="") -> SelfReport (StaleDraft if stale)
submit(report, *, by, revision, content, declarant, declarant_position, today) -> SelfReport (idempotent)
amend(report, *, by, reason, content) -> Amendment        a correction of a filed report, keeping the original
approve(report, *, by, note="") -> SelfReport              合格: 年度检查合格 on each valid license (AnnualReviewStamp)
return_report(report, *, by, note) / find_problems(report, *, by, note, inspectors, due_date) (dispatches an
    on-site check through inspections.services.create_inspection)
grant_late_filing(staff, *, enterprise, year, reason, until)
order_non_filers(staff, *, enterprises, year, reason, today) -> NonFilerOrders(issued, existing, refused)
    条例 第五十三条: a 限期改正 order (followup.services.issue_order, source_kind "self_report") to each selected
    non-filer after the window; one order per enterprise and year, refused once it filed or has a late permission
request_correction(user, *, message, token) / handle_correction(staff, request, *, reply)
submit_feedback(user, *, record, inspector, categories, text, token) / acknowledge_feedback / conclude_feedback
add_attachment(user, *, upload, report=None, feedback=None)

The enterprise's pages take sections from AppConfig `enterprise_sections(user, enterprise)` (see
views.enterprise_sections; follow-up: orders and commitments, supervision: sampling results).
"""

import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from postlicense.core import deadlines
from postlicense.core.audit import record_event
from postlicense.core.models import AuditEntry, User
from postlicense.followup import services as followup
from postlicense.followup.models import RectificationOrder
from postlicense.inspections import attachments as attachment_checks
from postlicense.inspections import services as inspections
from postlicense.inspections.models import InspectionRecord
from postlicense.registry.models import Enterprise, EnterpriseAccount, License

from . import rules, selectors
from .models import (
    AccountProfile,
    Amendment,
    AnnualReviewStamp,
    Attachment,
    CorrectionRequest,
    Feedback,
    LateFilingPermission,
    SelfReport,
)

PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # no 0/O, 1/l/I


class StaleDraft(ValidationError):
    def __init__(self):
        super().__init__(
            "本报告已在其他窗口或由本企业其他人员保存过。您填写的内容仍保留在本页，请刷新核对后再保存。", code="stale"
        )


def temporary_password():
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def _staff_enterprise(staff, enterprise):
    if not staff.is_bureau_staff or not Enterprise.objects.for_user(staff).filter(pk=enterprise.pk).exists():
        raise ValidationError({"enterprise": "该企业不在您的管辖范围内。"})


# --- accounts ---


@transaction.atomic
def create_account(staff, *, enterprise, username, display_name, position="", is_legal_representative=False):
    _staff_enterprise(staff, enterprise)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该登录名已被使用，请换一个。"})
    password = temporary_password()
    user = User(username=username, display_name=display_name.strip(), role=User.Role.ENTERPRISE)
    user.set_password(password)
    user.save()
    EnterpriseAccount.objects.create(user=user, enterprise=enterprise)
    AccountProfile.objects.create(
        user=user,
        enterprise=enterprise,
        position=position.strip(),
        is_legal_representative=is_legal_representative,
        created_by=staff,
    )
    record_event(staff, AuditEntry.Action.ACCESS, f"开通企业账号 {username}", target=user, enterprise=enterprise.pk)
    return user, password


@transaction.atomic
def reset_password(staff, profile):
    _staff_enterprise(staff, profile.enterprise)
    password = temporary_password()
    profile.user.set_password(password)
    profile.user.save(update_fields=["password"])
    profile.must_change_password = True
    profile.save(update_fields=["must_change_password"])
    record_event(staff, AuditEntry.Action.PASSWORD, f"重置企业账号 {profile.user.username} 的密码", target=profile.user)
    return password


def set_account_active(staff, profile, active):
    _staff_enterprise(staff, profile.enterprise)
    profile.user.is_active = active
    profile.user.save(update_fields=["is_active"])


def password_changed(user):
    AccountProfile.objects.filter(user=user, must_change_password=True).update(must_change_password=False)


# --- the annual self-report ---


def prefill(enterprise, year):
    """The sections filled in from our own records for the enterprise to confirm: its licenses and the checks it
    received in the year."""
    licenses = enterprise.licenses.select_related("product_category").prefetch_related("product_units")
    return {
        "changes": {"none": False, "text": ""},
        "products": [
            {
                "license": lic.pk,
                "number": lic.number,
                "category": lic.product_category.name,
                "units": "、".join(u.name for u in lic.product_units.all()),
                "expiry": f"{lic.expiry_date:%Y-%m-%d}",
                "status": "",
                "output": "",
            }
            for lic in licenses
            if lic.status == License.Status.VALID
        ],
        "records": [
            {
                "id": r.pk,
                "date": f"{r.inspection_date:%Y-%m-%d}",
                "kind": r.get_kind_display(),
                "unit": r.org_unit.name,
                "conclusion": r.get_conclusion_display(),
            }
            for r in selectors.records_in_year(enterprise, year)
        ],
        "records_confirmed": False,
        "records_note": "",
        "self_check": {key: {"answer": "", "note": ""} for key, _ in rules.SELF_CHECK_ITEMS},
        "declaration": False,
    }


@transaction.atomic
def start_report(user, enterprise, year, today):
    existing = SelfReport.objects.filter(enterprise=enterprise, year=year).first()
    if existing is not None:
        if existing.is_editable:
            return existing
        raise ValidationError(
            f"{year}年度的自查报告已于 {existing.submitted_at:%Y-%m-%d} 提交，每年只提交一次；如需更正请使用“更正”。"
        )
    may, why = selectors.filing_state(enterprise, year, today)
    if not may:
        raise ValidationError(why)
    try:
        with transaction.atomic():
            return SelfReport.objects.create(enterprise=enterprise, year=year, content=prefill(enterprise, year))
    except IntegrityError:  # two clicks racing: the other one created it
        return SelfReport.objects.get(enterprise=enterprise, year=year)


def _locked(report):
    return SelfReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def save_draft(report, *, revision, content, declarant="", declarant_position=""):
    report = _locked(report)
    if not report.is_editable:
        raise ValidationError("本报告已提交，不能再修改草稿；如需更正请使用“更正”。", code="filed")
    if revision != report.revision:
        raise StaleDraft()
    report.content = content
    report.declarant, report.declarant_position = declarant, declarant_position
    report.revision += 1
    report.save()
    return report


def completeness_errors(content, declarant):
    """What a report still lacks before it can be submitted, keyed by the form field that shows it."""
    errors = {}
    for row in content["products"]:
        if row["status"] not in rules.PRODUCTION_STATUSES:
            errors[f"product-{row['license']}-status"] = f"请选择许可证 {row['number']} 产品的生产状态。"
    if not content["changes"]["none"] and not content["changes"]["text"].strip():
        errors["changes_text"] = "请填写本年度的变化情况，或勾选“无变化”。"
    if not content["records_confirmed"]:
        errors["records_confirmed"] = "请核对并确认接受检查和抽查的情况（如有遗漏请在说明中补充）。"
    for key, label in rules.SELF_CHECK_ITEMS:
        answer = content["self_check"][key]
        if answer["answer"] not in ("是", "否"):
            errors[f"check-{key}"] = f"请回答：{label}"
        elif answer["answer"] == "否" and not answer["note"].strip():
            errors[f"check-{key}"] = f"回答“否”的须说明情况和整改措施：{label}"
    if not declarant.strip():
        errors["declarant"] = "请填写声明人姓名。"
    if not content["declaration"]:
        errors["declaration"] = "请阅读并勾选声明。"
    return errors


@transaction.atomic
def submit(report, *, by, revision, content, declarant, declarant_position, today):
    report = _locked(report)
    if report.is_filed:
        return report  # a double click: the first one submitted it
    if revision != report.revision:
        raise StaleDraft()
    may, why = selectors.filing_state(report.enterprise, report.year, today)
    if not may:
        raise ValidationError(why)
    errors = completeness_errors(content, declarant)
    if errors:
        raise ValidationError(errors)
    report.content = content
    report.declarant, report.declarant_position = declarant, declarant_position
    report.status = SelfReport.Status.SUBMITTED
    report.submitted_at, report.submitted_by = timezone.now(), by
    report.late_permission = selectors.late_permission(report.enterprise, report.year, today)
    report.revision += 1
    report.save()
    return report


@transaction.atomic
def amend(report, *, by, reason, content):
    report = _locked(report)
    if not report.is_filed:
        raise ValidationError("只有已提交的报告才能更正；草稿可直接修改。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写更正原因。"})
    errors = completeness_errors(content, report.declarant)
    if errors:
        raise ValidationError(errors)
    if content == report.content:
        raise ValidationError("更正内容与原报告相同，无需更正。")
    amendment = Amendment.objects.create(
        report=report, reason=reason.strip(), before=report.content, after=content, by=by
    )
    report.content = content
    report.revision += 1
    report.save(update_fields=["content", "revision"])
    return amendment


def _reviewable(report):
    report = _locked(report)
    if report.status != SelfReport.Status.SUBMITTED:
        raise ValidationError(f"本报告当前状态为“{report.get_status_display()}”，不能再审查。")
    return report


def _reviewed(report, by, status, note):
    report.status, report.reviewed_by, report.reviewed_at, report.review_note = status, by, timezone.now(), note
    report.save()
    return report


@transaction.atomic
def approve(report, *, by, note=""):
    """合格: the report is accepted and each valid license gets 年度检查合格 for the year (001 二(二))."""
    report = _reviewable(report)
    today = timezone.localdate()
    for lic in report.enterprise.licenses.filter(status=License.Status.VALID):
        AnnualReviewStamp.objects.get_or_create(
            license=lic, year=report.year, defaults={"report": report, "date": today, "reviewer": by}
        )
    return _reviewed(report, by, SelfReport.Status.QUALIFIED, note.strip())


@transaction.atomic
def return_report(report, *, by, note):
    if not note.strip():
        raise ValidationError({"note": "请写明退回的原因和需要补正的内容。"})
    return _reviewed(_reviewable(report), by, SelfReport.Status.RETURNED, note.strip())


@transaction.atomic
def find_problems(report, *, by, note, inspectors, due_date):
    """Problems (or possible problems) found in the report → an on-site check (001 二(二)), then follow-up."""
    if not note.strip():
        raise ValidationError({"note": "请写明报告中发现的问题。"})
    if len(inspectors) < 2:
        raise ValidationError({"inspectors": "实地检查须由2名以上持有效执法证的人员实施。"})
    report = _reviewable(report)
    enterprise = report.enterprise
    report.inspection = inspections.create_inspection(
        enterprise=enterprise,
        kind=InspectionRecord.Kind.UNSCHEDULED,
        template_version=inspections.current_template("production_conditions_004"),
        org_unit=enterprise.supervising_unit,
        inspectors=inspectors,
        due_date=due_date,
        created_by=by,
    )
    return _reviewed(report, by, SelfReport.Status.PROBLEMS, note.strip())


def grant_late_filing(staff, *, enterprise, year, reason, until):
    _staff_enterprise(staff, enterprise)
    if not reason.strip():
        raise ValidationError({"reason": "请填写准予逾期补报的理由。"})
    if until < timezone.localdate():
        raise ValidationError({"until": "补报截止日不能早于今天。"})
    permission, _ = LateFilingPermission.objects.update_or_create(
        enterprise=enterprise, year=year, defaults={"reason": reason.strip(), "until": until, "granted_by": staff}
    )
    return permission


# --- 限期改正 of non-filers (条例 第五十三条) ---

NON_FILER_BASIS = "《工业产品生产许可证管理条例》第五十三条"


@dataclass
class NonFilerOrders:
    issued: list = field(default_factory=list)  # new orders
    existing: list = field(default_factory=list)  # orders issued before for the same enterprise and year
    refused: list = field(default_factory=list)  # (enterprise, why)


def order_non_filers(staff, *, enterprises, year, reason, today):
    """Issue a 限期改正 order to each selected enterprise that has not filed `year`'s report by the window's end.
    An enterprise that filed in the meantime, holds a late-filing permission or is still within its window is
    refused (listed with why); one already ordered for the year keeps its order."""
    if not staff.is_bureau_staff:
        raise ValidationError("只有县局（分局）、市局工作人员可以下达限期改正通知。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写下达限期改正通知的理由。"})
    if not enterprises:
        raise ValidationError({"enterprises": "请至少选择一家企业。"})
    outcome = NonFilerOrders()
    selected = [e.pk for e in enterprises]
    non_filing = set(selectors.non_filers(staff, year).filter(pk__in=selected).values_list("pk", flat=True))
    for enterprise in enterprises:
        token = rules.non_filer_token(enterprise.pk, year)
        order = RectificationOrder.objects.filter(submission_token=token).first()
        if order:
            outcome.existing.append(order)
        elif enterprise.pk not in non_filing:
            outcome.refused.append((enterprise, f"已提交{year}年度自查报告或不在您的管辖范围内"))
        elif LateFilingPermission.objects.filter(enterprise=enterprise, year=year).exists():
            outcome.refused.append((enterprise, "已准予逾期补报"))
        elif today <= selectors.window_end(enterprise, year).date:
            outcome.refused.append((enterprise, f"提交期限（{selectors.window_end(enterprise, year).text}）未过"))
        else:
            outcome.issued.append(_order_non_filer(staff, enterprise, year, reason, today, token))
    return outcome


def _order_non_filer(staff, enterprise, year, reason, today, token):
    """The reason confirmed by the staff member stays on the order (its 来源说明), the order's creation in the
    audit trail and the enterprise's archive (follow-up's archive events)."""
    end = selectors.window_end(enterprise, year)
    return followup.issue_order(
        enterprise=enterprise,
        unit=enterprise.supervising_unit,
        by=staff,
        source_kind=RectificationOrder.SourceKind.SELF_REPORT,
        source_label=f"{year}年度自查报告提交期限（{end.text}）已过未提交；{reason}",
        items=[(f"未按时提交{year}年度自查报告", f"在整改期限内提交{year}年度自查报告")],
        period_key=RectificationOrder.Period.RECTIFICATION,
        legal_basis=NON_FILER_BASIS,
        issued_on=today,
        submission_token=token,
    )


# --- register corrections ---


def request_correction(user, *, message, token):
    enterprise = selectors.enterprise_of(user)
    if enterprise is None:
        raise ValidationError("只有企业用户可以提出更正申请。")
    if not message.strip():
        raise ValidationError({"message": "请写明需要更正的内容。"})
    existing = token and CorrectionRequest.objects.filter(submission_token=token).first()
    if existing:
        return existing  # the same form posted twice
    return CorrectionRequest.objects.create(
        enterprise=enterprise, message=message.strip(), created_by=user, submission_token=token
    )


def handle_correction(staff, request, *, reply):
    _staff_enterprise(staff, request.enterprise)
    if request.status == CorrectionRequest.Status.DONE:
        return request
    if not reply.strip():
        raise ValidationError({"reply": "请填写处理说明（已更正的内容，或不予更正的理由）。"})
    request.status, request.reply = CorrectionRequest.Status.DONE, reply.strip()
    request.handled_by, request.handled_at = staff, timezone.now()
    request.save()
    return request


# --- feedback on inspectors' conduct (002 第二十、二十一条) ---


@transaction.atomic
def submit_feedback(user, *, record, inspector, categories, text, token):
    enterprise = selectors.enterprise_of(user)
    if enterprise is None or record.enterprise_id != enterprise.pk:
        raise ValidationError("只能对本企业的检查记录反映情况。")
    if record.status != InspectionRecord.Status.FINISHED:
        raise ValidationError("该检查尚未完成，完成后才能反映检查人员的执法情况。")
    if not record.crew.filter(inspector=inspector).exists():
        raise ValidationError({"inspector": "该人员不是本次检查的检查人员。"})
    valid = set(Feedback.Category.values)
    if not categories or not set(categories) <= valid:
        raise ValidationError({"categories": "请至少选择一项反映事项。"})
    if not text.strip():
        raise ValidationError({"text": "请写明具体情况（时间、经过）。"})
    existing = token and Feedback.objects.filter(submission_token=token).first()
    if existing:
        return existing  # the same form posted twice
    due = deadlines.due("feedback_ack", timezone.localdate(), enterprise.region_id)
    return Feedback.objects.create(
        enterprise=enterprise,
        record=record,
        inspector=inspector,
        categories=[c for c in Feedback.Category.values if c in categories],
        text=text.strip(),
        submitted_by=user,
        ack_due=due.date,
        ack_due_text=due.text,
        submission_token=token,
    )


def acknowledge_feedback(feedback, *, by):
    if feedback.status != Feedback.Status.RECEIVED:
        return feedback
    feedback.status, feedback.acknowledged_by, feedback.acknowledged_at = (
        Feedback.Status.ACKNOWLEDGED,
        by,
        timezone.now(),
    )
    feedback.save()
    return feedback


def conclude_feedback(feedback, *, by, substantiated, action):
    if feedback.status == Feedback.Status.CONCLUDED:
        return feedback
    if substantiated is None:
        raise ValidationError({"substantiated": "请选择反映是否属实。"})
    if not action.strip():
        raise ValidationError({"action": "请填写核查和处理情况。"})
    if feedback.status == Feedback.Status.RECEIVED:
        feedback.acknowledged_by, feedback.acknowledged_at = by, timezone.now()
    feedback.status, feedback.substantiated, feedback.action = Feedback.Status.CONCLUDED, substantiated, action.strip()
    feedback.concluded_by, feedback.concluded_at = by, timezone.now()
    feedback.save()
    return feedback


# --- attachments ---


def add_attachment(user, *, upload, report=None, feedback=None):
    """A photo or PDF, its type from its content (inspections.attachments: images, PDFs without active content)."""
    if report is not None and not report.is_editable:
        raise ValidationError("本报告已提交，不能再添加附件。")
    raw, content_type = attachment_checks.validate(upload)
    attachment = Attachment(
        report=report, feedback=feedback, name=upload.name[:200], content_type=content_type, uploaded_by=user
    )
    attachment.file.save(attachment_checks.storage_name(upload.name, content_type), ContentFile(raw), save=False)
    attachment.save()
    return attachment
