"""Demo (today 2026-11-30; the 2025 reports were due 2026-06-30): 魏都区 enterprises with a 2025 report in every
state, one non-filer, a late-filing permission with a draft, feedback in each state, a correction request, and
logins qiye-1 … qiye-7 (password demo-2026) plus qiye-new, which must set its own password at the first login.
Idempotent: skipped once the demo reports exist."""

from datetime import date, datetime, time

from django.db.models import Exists, OuterRef
from django.utils import timezone

from postlicense.core.audit import bulk_create_audited
from postlicense.core.models import OrgUnit, User
from postlicense.core.services import DEMO_PASSWORD
from postlicense.inspections.models import InspectionRecord
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise, EnterpriseAccount, License

from . import rules, services
from .models import AccountProfile, AnnualReviewStamp, Feedback, SelfReport

UNIT = "xuchang-weidu"


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _complete(content, declared_problem=False):
    content = dict(content)
    content["changes"] = {"none": True, "text": ""}
    content["products"] = [{**row, "status": "正常生产", "output": "约8万吨"} for row in content["products"]]
    content["records_confirmed"] = True
    content["self_check"] = {key: {"answer": "是", "note": ""} for key, _ in rules.SELF_CHECK_ITEMS}
    if declared_problem:
        content["self_check"]["nonconforming"] = {"answer": "否", "note": "5月有2批次强度不达标，已降级处理"}
    content["declaration"] = True
    return content


def _filed(user, enterprise, day, declared_problem=False):
    report = services.start_report(user, enterprise, 2025, day)
    content = _complete(report.content, declared_problem)
    report = services.submit(
        report,
        by=user,
        revision=report.revision,
        content=content,
        declarant=enterprise.legal_representative,
        declarant_position="法定代表人",
        today=day,
    )
    report.submitted_at = _at(day)
    report.save(update_fields=["submitted_at"])
    return report


def _reviewed(report, day):
    report.reviewed_at = _at(day, 15)
    report.save(update_fields=["reviewed_at"])
    AnnualReviewStamp.objects.filter(report=report).update(date=day)


def _pick(unit):
    finished = InspectionRecord.objects.filter(enterprise=OuterRef("pk"), status=InspectionRecord.Status.FINISHED)
    licensed = License.objects.filter(
        enterprise=OuterRef("pk"), issue_date__lte="2025-01-01", status=License.Status.VALID
    )
    candidates = Enterprise.objects.filter(supervising_unit=unit, status=Enterprise.Status.PRODUCING).filter(
        Exists(licensed)
    )
    inspected = list(candidates.filter(Exists(finished)).order_by("id")[:4])
    others = list(candidates.exclude(pk__in=[e.pk for e in inspected]).order_by("id")[: 7 - len(inspected)])
    return inspected + others


def _the_rest_filed_on_time(staff, exclude):
    """Every other obliged enterprise of the demo filed through the 公示系统 by the deadline and passed review, so the
    non-filer lists show the demo non-filer (and the enterprise allowed to file late) only."""
    filed = SelfReport.objects.filter(enterprise=OuterRef("pk"), year=2025)
    licensed = License.objects.filter(
        enterprise=OuterRef("pk"), issue_date__lte="2025-01-01", expiry_date__gt="2025-01-01"
    )
    rest = list(
        Enterprise.objects.exclude(status=Enterprise.Status.CANCELLED)
        .exclude(pk__in=[e.pk for e in exclude])
        .filter(Exists(licensed), ~Exists(filed))
        .select_related("supervising_unit")
    )
    reports = bulk_create_audited(
        SelfReport,
        [
            SelfReport(
                enterprise=e,
                year=2025,
                status=SelfReport.Status.QUALIFIED,
                source=SelfReport.Source.IMPORT,
                source_file="公示系统自查报告导出-2026-06.xlsx",
                declarant=e.legal_representative,
                content={
                    "imported": {
                        "生产状态": "正常生产",
                        "自查情况": "生产条件保持，未发现问题",
                        "声明人": e.legal_representative,
                    }
                },
                submitted_at=_at(date(2026, 5, 1 + e.pk % 28)),
                reviewed_at=_at(date(2026, 7, 15), 15),
                review_note="报告完整，与监管记录一致",
            )
            for e in rest
        ],
    )
    by_enterprise = {r.enterprise_id: r for r in reports}
    bulk_create_audited(
        AnnualReviewStamp,
        [
            AnnualReviewStamp(license=lic, report=by_enterprise[lic.enterprise_id], year=2025, date=date(2026, 7, 15))
            for lic in License.objects.filter(enterprise_id__in=by_enterprise, status=License.Status.VALID)
        ],
    )


def load_demo(stdout):
    unit = OrgUnit.objects.filter(code=UNIT).first()
    staff = User.objects.filter(username=f"{UNIT}-staff").first()
    city = User.objects.filter(username="xuchang-admin").first()
    if unit is None or staff is None or SelfReport.objects.filter(enterprise__supervising_unit=unit).exists():
        return
    for account in EnterpriseAccount.objects.filter(user__selfservice_profile__isnull=True).select_related(
        "enterprise"
    ):
        AccountProfile.objects.create(user=account.user, enterprise=account.enterprise, must_change_password=False)
    picked = _pick(unit)
    if len(picked) < 7:
        return
    users = []
    for n, enterprise in enumerate(picked, start=1):
        user, _ = services.create_account(
            staff,
            enterprise=enterprise,
            username=f"qiye-{n}",
            display_name=enterprise.legal_representative,
            position="法定代表人",
            is_legal_representative=True,
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        AccountProfile.objects.filter(user=user).update(must_change_password=False)
        users.append(user)
    new_user, _ = services.create_account(staff, enterprise=picked[0], username="qiye-new", display_name="质量负责人")
    new_user.set_password(DEMO_PASSWORD)
    new_user.save(update_fields=["password"])

    qualified = _filed(users[0], picked[0], date(2026, 3, 16))
    services.approve(qualified, by=staff, note="报告完整，与监管记录一致")
    _reviewed(qualified, date(2026, 4, 10))
    _filed(users[1], picked[1], date(2026, 6, 22))  # 待审查
    returned = _filed(users[2], picked[2], date(2026, 5, 8))
    services.return_report(returned, by=staff, note="第二部分未填写本年度产量，请补正后重新提交")
    _reviewed(returned, date(2026, 5, 20))
    problems = _filed(users[3], picked[3], date(2026, 4, 2), declared_problem=True)
    crew = list(Inspector.objects.filter(org_unit=unit, active=True).order_by("id")[:2])
    if len(crew) == 2:
        services.find_problems(
            problems,
            by=staff,
            note="自查报告称有不合格批次，需现场核实处置情况",
            inspectors=crew,
            due_date=date(2026, 12, 18),
        )
    services.grant_late_filing(
        staff, enterprise=picked[4], year=2025, reason="企业6月停产检修、负责人外出，申请补报", until=date(2026, 12, 18)
    )
    services.start_report(users[4], picked[4], 2025, date(2026, 11, 30))  # a draft being filled
    SelfReport.objects.create(
        enterprise=picked[5],
        year=2025,
        status=SelfReport.Status.SUBMITTED,
        source=SelfReport.Source.IMPORT,
        source_file="公示系统自查报告导出-2026-07.xlsx",
        declarant=picked[5].legal_representative,
        content={
            "imported": {
                "生产状态": "正常生产",
                "自查情况": "生产条件保持，未发现问题",
                "声明人": picked[5].legal_representative,
            }
        },
        submitted_at=_at(date(2026, 7, 6)),
    )
    # picked[6]: a login but no report (the non-filer)
    _the_rest_filed_on_time(staff, exclude=picked[:7])
    services.request_correction(users[1], message="联系电话已变更为 0374-5123456", token=None)

    if city is not None:
        states = [Feedback.Status.RECEIVED, Feedback.Status.ACKNOWLEDGED, Feedback.Status.CONCLUDED]
        texts = ["检查人员要求企业承担午餐费用", "检查持续一整天，要求停机配合，影响正常生产", "检查结束时索要样品两箱"]
        categories = [["fees"], ["disrupted"], ["gifts"]]
        for n, (state, text, cats) in enumerate(zip(states, texts, categories)):
            record = InspectionRecord.objects.filter(
                enterprise=picked[n], status=InspectionRecord.Status.FINISHED
            ).first()
            if record is None:
                continue
            item = services.submit_feedback(
                users[n], record=record, inspector=record.crew.first().inspector, categories=cats, text=text, token=None
            )
            if state != Feedback.Status.RECEIVED:
                services.acknowledge_feedback(item, by=city)
            if state == Feedback.Status.CONCLUDED:
                services.conclude_feedback(
                    item,
                    by=city,
                    substantiated=False,
                    action="经调取执法记录仪视频核实，样品为抽样所需并已开具抽样单，反映不属实。",
                )
    stdout.write(
        "企业自查：2025年度报告 6 份（各状态）、逾期未报企业 1 家（另有 1 家已准予补报）、执法行为反馈 3 条；企业演示账号 qiye-1 … qiye-7、qiye-new。"
    )
