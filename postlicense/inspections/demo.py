"""Demo: a year of finished inspections on the demo register, with realistic findings (some 不合格), plus open
assignments for each unit's demo inspector login. Idempotent: a unit that already has finished inspections is skipped."""

import functools
import io
import random
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from postlicense.core.audit import bulk_create_audited
from postlicense.core.models import OrgUnit, User
from postlicense.core.services import ROLE_SUFFIX, ensure_demo_user
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise

from . import rules, services
from .models import Finding, InspectionRecord, RecordInspector
from .selectors import current_template, needs_enterprise_signature, register_facts

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
RECTIFIED_AFTER = timedelta(days=180)  # demo problems found before this were rectified 30 days after
PER_UNIT = 20  # enterprises per org unit given a year of history (keeps `postlicense demo` quick)
KIND_TEMPLATE = {
    InspectionRecord.Kind.RANDOM_CHECK: "random_check_003",
    InspectionRecord.Kind.PERIODIC: "production_conditions_004",
    InspectionRecord.Kind.UNSCHEDULED: "production_conditions_004",
    InspectionRecord.Kind.SPECIAL: "production_conditions_004",
    InspectionRecord.Kind.PATROL: "patrol_001",
    InspectionRecord.Kind.CROSS_AUDIT: "patrol_000",
}
# Realistic nonconformities by 003 item number: (检查记录, 备注).
FAILURES_003 = {
    "4": ("未标注", "部分批次产品包装袋未标注生产许可证编号"),
    "6": ("检验记录不全", "出厂检验记录缺少3个批次的强度检验数据"),
    "7": ("已建立未执行", "原材料进货台帐自今年5月起未登记"),
    "8": ("否", "压力试验机检定证书已过期2个月"),
    "2": ("发生变化未申请重新审查", "新增一条粉磨生产线，未申请重新审查"),
}
FAILURES_004 = {
    "4": "出厂检验报告未经检验员签字",
    "6": "产品合格证缺少执行标准编号",
    "7": "不合格品未隔离存放、无处置记录",
}
PASS_OPTION_003 = {
    "1": "在有效期",
    "2": "未发生变化",
    "3": "不存在",
    "4": "已标注",
    "5": "有效",
    "6": "进行检验并存档",
    "7": "已建立并执行",
    "8": "是",
    "9": "符合",
    "10": "无",
    "11": "无",
}


@functools.cache
def _signature_bytes(name):
    image = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.text((20, 20), name, fill=(20, 20, 60, 255), font=_font())
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@functools.cache
def _font():
    return ImageFont.truetype(FONT, 64)


def signature_png(name):
    return ContentFile(_signature_bytes(name), name="demo-signature.png")


def _answer_003(item, failing, facts):
    """An answer that agrees with its conclusion and with the register: where the register shows a problem
    (license not valid, calibration overdue, open problems) the answer says so; a made-up failure is used only
    where the register does not contradict it."""
    fact = facts.get(item.register_check)
    if fact is not None and fact.shows_problem and item.register_agreement.get("problem"):
        option = item.register_agreement["problem"][0]
        return option, item.option_conclusions[option][0], f"登记信息：{fact.says}"
    option, note = FAILURES_003.get(item.number, (PASS_OPTION_003[item.number], ""))
    if item.number not in failing or rules.register_disagreement(option, fact, item.register_agreement):
        option, note = PASS_OPTION_003[item.number], ""
    return option, item.option_conclusions[option][0], note


def _fill(record, rng, fail, day):
    version = record.template_version
    failing = (
        set(rng.sample(sorted(FAILURES_003 if version.template.code == "random_check_003" else FAILURES_004), k=fail))
        if fail
        else set()
    )
    record.inspection_date = day
    record.equipment_checks.update(found_quantity=F("registered_quantity"), found_model=F("model"))
    facts = register_facts(record)
    problems, findings = [], []
    for item in version.items.all():
        option, conclusion, note = "", "", ""
        if version.template.code == "random_check_003":
            if item.options:
                option, conclusion, note = _answer_003(item, failing, facts)
            if conclusion == rules.NONCONFORM:
                problems.append(f"{item.number}. {note}")
        elif version.template.code == "patrol_000":
            option = "是"
        else:
            conclusion = "不符合" if item.number in failing else "符合"
            note = FAILURES_004[item.number] if item.number in failing else ""
            if note:
                problems.append(f"{item.number}. {note}")
        findings.append(Finding(record=record, item=item, option=option, conclusion=conclusion, note=note))
    bulk_create_audited(Finding, findings)
    record.problems_summary = "；".join(problems)
    if version.template.code == "patrol_000":
        record.extra_values = {
            "due": "12",
            "done": "11",
            "sampled": "5",
            "overall": "材料基本齐全",
            "product": record.enterprise.products,
            "site_conclusion": "现场检查各项均符合要求，企业生产条件与获证时一致，未发现问题。",
        }


def sign_and_finish(record, day, rng):
    """Sign a filled record as on the day (inspectors, then the enterprise or its recorded refusal) and finish it,
    dated that day. Follow-up's demo finishes its revisits with it."""
    for link in RecordInspector.objects.filter(record=record).select_related("inspector"):
        link.signature = signature_png(link.inspector.name)
        link.signed_at = timezone.make_aware(datetime.combine(day, time(10, 30)))
        link.save()
    if needs_enterprise_signature(record.template_version):  # the 000 sheet is signed by the inspectors only
        if rng.random() < 0.06:
            record.enterprise_refused = True
            record.enterprise_refusal_note = "企业负责人对检查结论有异议，拒绝在检查表上签字，检查人员当场记录。"
        else:
            record.enterprise_signer = record.enterprise.legal_representative
            record.enterprise_signature = signature_png(record.enterprise.legal_representative)
        record.enterprise_signed_at = timezone.make_aware(datetime.combine(day, time(11, 0)))
    record.save()
    services.finish(record, by=None)
    finished_at = timezone.make_aware(datetime.combine(day, time(11, 5)))
    InspectionRecord.objects.filter(pk=record.pk).update(finished_at=finished_at)
    record.problems.update(opened_at=finished_at)
    return finished_at


def _finish(record, day, rng):
    finished_at = sign_and_finish(record, day, rng)
    # Problems found long ago were rectified: closed now, so inspections made later (the random-check demo replays an
    # earlier year after this one) still agree with the register on item 10 (上次发现的问题是否整改完成).
    if day < date.today() - RECTIFIED_AFTER:
        decider = _decider(record.org_unit)
        for problem in record.problems.all():
            services.close_problem(problem, by=decider, reason="系统启用前已整改，经纸质复查合格（补录）")
        record.problems.update(closed_at=finished_at + timedelta(days=30))


def _decider(unit):
    """The unit's demo staff login (core's demo users), who records the paper revisits of before the system."""
    role = User.Role.CITY_ADMIN if unit.kind == OrgUnit.Kind.CITY else User.Role.COUNTY_STAFF
    return ensure_demo_user(f"{unit.code}-{ROLE_SUFFIX[role]}", role, unit)


def _crew(unit, enterprise, day):
    avoiding = set(enterprise.avoiding_inspectors.values_list("pk", flat=True)) if enterprise else set()
    return [
        i
        for i in Inspector.objects.filter(org_unit=unit, active=True)
        if i.certificate_valid_on(day) and i.pk not in avoiding
    ]


def load_demo(stdout):
    if current_template("random_check_003") is None:
        return
    today = date.today()
    made = 0
    units = Enterprise.objects.order_by("supervising_unit").values_list("supervising_unit", flat=True).distinct()
    for unit_id in units:
        has_history = InspectionRecord.objects.filter(
            org_unit_id=unit_id, status=InspectionRecord.Status.FINISHED
        ).exists()
        enterprises = (
            []
            if has_history
            else Enterprise.objects.filter(supervising_unit_id=unit_id)
            .select_related("supervising_unit")
            .order_by("id")[:PER_UNIT]
        )
        for enterprise in enterprises:
            rng = random.Random(enterprise.credit_code)
            unit = enterprise.supervising_unit
            # Oldest first, so an earlier inspection's open problems are on the register when item 10 is answered.
            for day in sorted(today - timedelta(days=rng.randint(20, 360)) for _ in range(rng.choice([1, 1, 2, 3]))):
                crew = _crew(unit, enterprise, day)
                if len(crew) < 2:
                    continue
                kind = rng.choice(list(KIND_TEMPLATE))
                record = services.create_inspection(
                    enterprise=enterprise,
                    kind=kind,
                    template_version=current_template(KIND_TEMPLATE[kind]),
                    org_unit=unit,
                    inspectors=rng.sample(crew, 2),
                    due_date=day + timedelta(days=10),
                    special_trigger=InspectionRecord.Trigger.COMPLAINT if kind == InspectionRecord.Kind.SPECIAL else "",
                )
                _fill(
                    record,
                    rng,
                    fail=rng.choice([0, 0, 0, 0, 1, 2]) if kind != InspectionRecord.Kind.PATROL else 0,
                    day=day,
                )
                _finish(record, day, rng)
                made += 1
        # Open assignments for the unit's demo inspector login: one overdue, one due soon, one later.
        mine = Inspector.objects.filter(org_unit_id=unit_id, user__username__endswith="-inspector").first()
        if mine and not mine.inspections.exclude(status=InspectionRecord.Status.FINISHED).exists():
            others = [i for i in _crew(mine.org_unit, None, today) if i.pk != mine.pk][:1]
            targets = (
                Enterprise.objects.filter(supervising_unit_id=unit_id)
                .exclude(avoiding_inspectors=mine)
                .order_by("-id")[:3]
            )
            for enterprise, due in zip(targets, (-3, 5, 30)):
                if others:
                    services.create_inspection(
                        enterprise=enterprise,
                        kind=InspectionRecord.Kind.RANDOM_CHECK,
                        template_version=current_template("random_check_003"),
                        org_unit=mine.org_unit,
                        inspectors=[mine, others[0]],
                        due_date=today + timedelta(days=due),
                    )
    stdout.write(f"监督检查：新增 {made} 条已完成的检查记录。")
