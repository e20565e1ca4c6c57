"""Pure rules of an inspection record: item nonconformity, the conclusion, the two-inspector rule,
key-equipment differences. No database access: callers pass plain values."""
from dataclasses import dataclass
from datetime import date

NONCONFORM = "不符合"
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


@dataclass(frozen=True)
class Person:
    name: str
    certificate_no: str
    valid_from: date | None
    valid_until: date
    avoids_enterprise: bool


MIN_INSPECTORS = 2


def crew_violations(people: list[Person], inspection_date: date | None):
    """The two-inspector rule, as messages naming the rule and the person.

    002 第九条: 监督检查应有2名以上持合法有效证件的工作人员参加; 003 六(一)2 and 004 五: 不少于2人, 出示有效证件;
    DESIGN.md (the draw): an inspector on the enterprise's avoidance list may not inspect it.
    """
    problems = []
    if len(people) < MIN_INSPECTORS:
        problems.append(f"检查人员不少于2人（002 第九条、003 六(一)2、004 五）：本记录只有 {len(people)} 人。")
    for p in people:
        if inspection_date is not None and not (
            (p.valid_from is None or p.valid_from <= inspection_date) and inspection_date <= p.valid_until
        ):
            problems.append(
                f"检查人员须持有效执法证（002 第九条）：{p.name} 的执法证（{p.certificate_no}）"
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
    found_quantity: int
    is_registered: bool


def equipment_difference(row: EquipmentRow):
    """What differs between the registered key equipment and what was found on site ("" when nothing).
    003 附件 item 2: 关键生产设备和检验设备等与获证时相比是否发生变化."""
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
