"""Pure rules of an inspection record: item nonconformity, the conclusion, answers that agree with their
conclusions and with the register, the two-inspector rule, the inspection date, key-equipment differences.
No database access: callers pass plain values. Messages cite the regulations by their short names."""

from dataclasses import dataclass
from datetime import date

from postlicense.core.regulations import cite

NONCONFORM = "不符合"
NOT_APPLICABLE = "不适用"
QUALIFIED, UNQUALIFIED = "qualified", "unqualified"


def is_nonconforming(option, conclusion, conclusions, nonconforming_options):
    """An item is a nonconformity when its 单项检查结论 is 不符合 (003 附件), or, on a form without single
    conclusions, when the answer is one the form counts as failing (000 附件2: 否)."""
    if conclusions:
        return conclusion == NONCONFORM
    return bool(option) and option in nonconforming_options


def conclusion_for(nonconformities: int):
    """003 附件 注2: 未发现不符合项，检查结论为合格；否则检查结论为不合格."""
    return QUALIFIED if nonconformities == 0 else UNQUALIFIED


def item_label(number, text):
    """How a message names an item: "第1项 营业执照是否有效…" (its number and the first clause of its text)."""
    first = text.replace("（", "，").split("，")[0].rstrip("。")
    return f"第{number}项 {first}{'…' if first != text.rstrip('。') else ''}"


def _either(values):
    return "或".join(f"“{v}”" for v in values)


def answer_conflict(option, conclusion, option_conclusions, conclusions):
    """Why a 检查记录 answer and its 单项检查结论 contradict each other ("" when they agree or one is still empty).

    许昌双随机实施方案 附件 注2: the conclusion follows from what was found, so each answer allows only the
    conclusions the checklist gives it (`option_conclusions`; an answer it does not list allows any).
    不适用 stands for an item that does not apply to the enterprise: on an item that offers 不适用 it is
    given with no answer at all, or with an answer that allows it (item 10: 无 → 符合 or 不适用).
    """
    if not option or not conclusion:
        return ""
    allowed = option_conclusions.get(option)
    if allowed is None or conclusion in allowed:
        return ""
    message = f"检查记录为“{option}”，单项检查结论只能为{_either(allowed)}"
    if conclusion == NOT_APPLICABLE and NOT_APPLICABLE in conclusions:
        message += "；如本项不适用，请不要选择检查记录"
    return message + "。"


@dataclass(frozen=True)
class RegisterFact:
    """What the register says about an item: whether it shows a problem (a license not valid on the inspection
    date, equipment that differs, an instrument past its calibration date, open problems) and in words."""

    shows_problem: bool
    says: str


def register_disagreement(option, fact, agreement):
    """What the register says when the answer disagrees with it ("" when it agrees or cannot tell).

    `agreement` is the item's data: {"problem": [answers that agree when the register shows a problem],
    "clear": [answers that agree when it shows none]}; a side it leaves out is not checked (item 2 of the
    许昌双随机实施方案 附件 asks about more than equipment, so an unchanged register does not prove 未发生变化).
    """
    if fact is None or not option:
        return ""
    agreeing = agreement.get("problem" if fact.shows_problem else "clear")
    if not agreeing or option in agreeing:
        return ""
    return fact.says


def inspection_date_error(inspection_date, today):
    """An inspection cannot have taken place after today."""
    if inspection_date is not None and inspection_date > today:
        return f"检查日期 {inspection_date:%Y-%m-%d} 晚于今天（{today:%Y-%m-%d}），请填写实际检查的日期。"
    return ""


@dataclass(frozen=True)
class Person:
    name: str
    certificate_no: str
    valid_from: date | None
    valid_until: date
    avoids_enterprise: bool


MIN_INSPECTORS = 2
CERTIFICATE_RULE = cite("002", "第九条")
CREW_RULE = "、".join((CERTIFICATE_RULE, cite("003", "六(一)2"), cite("004", "五")))


def crew_violations(people: list[Person], inspection_date: date | None):
    """The two-inspector rule, as messages naming the rule and the person.

    002 第九条 (白城事中事后监管办法): 监督检查应有2名以上持合法有效证件的工作人员参加; 003 六(一)2 and 004 五:
    不少于2人, 出示有效证件;
    DESIGN.md (the draw): an inspector on the enterprise's avoidance list may not inspect it.
    """
    problems = []
    if len(people) < MIN_INSPECTORS:
        problems.append(f"检查人员不少于2人（{CREW_RULE}）：本记录只有 {len(people)} 人。")
    for p in people:
        if inspection_date is not None and not (
            (p.valid_from is None or p.valid_from <= inspection_date) and inspection_date <= p.valid_until
        ):
            problems.append(
                f"检查人员须持有效执法证（{CERTIFICATE_RULE}）：{p.name} 的执法证（{p.certificate_no}）"
                f"有效期至 {p.valid_until:%Y-%m-%d}，检查日期 {inspection_date:%Y-%m-%d} 不在有效期内。"
            )
        if p.avoids_enterprise:
            problems.append(f"回避规定：{p.name} 在该企业的回避名单上，不得参加本次检查。")
    return problems


@dataclass(frozen=True)
class EquipmentRow:
    name: str
    registered_model: str
    registered_quantity: int
    found_model: str
    found_quantity: int | None
    is_registered: bool


NOT_CHECKED = "未核对"


def equipment_difference(row: EquipmentRow):
    """What differs between the registered key equipment and what was found on site ("" when nothing,
    NOT_CHECKED while no quantity has been recorded on site).
    003 附件 item 2: 关键生产设备和检验设备等与获证时相比是否发生变化."""
    if row.found_quantity is None:
        return NOT_CHECKED
    if not row.is_registered:
        return "未登记的新增设备" if row.found_quantity else ""
    if row.found_quantity == 0:
        return "现场未见"
    diffs = []
    if row.found_quantity != row.registered_quantity:
        diffs.append(f"数量 {row.registered_quantity}→{row.found_quantity}")
    if row.found_model.strip() and row.found_model.strip() != row.registered_model.strip():
        diffs.append(f"型号 {row.registered_model or '—'}→{row.found_model}")
    return "；".join(diffs)
