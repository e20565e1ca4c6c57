"""Pure rules: conclusion (003 附件 注2), nonconformity per item, the two-inspector rule, equipment differences."""
from datetime import date

from postlicense.inspections import rules

CONFORM = ["符合", "不符合", "不适用"]


def test_conclusion_is_qualified_only_without_nonconformity():
    """003 附件 注2: 未发现不符合项，检查结论为合格；否则检查结论为不合格."""
    assert rules.conclusion_for(0) == rules.QUALIFIED
    assert rules.conclusion_for(1) == rules.UNQUALIFIED
    assert rules.conclusion_for(12) == rules.UNQUALIFIED


def test_nonconformity_comes_from_the_single_conclusion_or_from_a_failing_answer():
    """003 附件: the 单项检查结论 decides; 000 附件2 has only 是/否, and 否 is the failing answer."""
    assert rules.is_nonconforming("在有效期", "不符合", CONFORM, [])
    assert not rules.is_nonconforming("已标注", "不适用", CONFORM, [])
    assert rules.is_nonconforming("否", "", [], ["否"])
    assert not rules.is_nonconforming("是", "", [], ["否"])
    assert not rules.is_nonconforming("", "", [], ["否"])


def person(name, until=date(2027, 1, 1), start=None, avoids=False):
    return rules.Person(name, f"豫{name}", start, until, avoids)


def test_two_inspectors_required():
    """002 第九条, 003 六(一)2, 004 五: 检查人员不少于2人."""
    messages = rules.crew_violations([person("王五")], date(2026, 5, 1))
    assert len(messages) == 1 and "不少于2人" in messages[0] and "只有 1 人" in messages[0]
    assert rules.crew_violations([person("王五"), person("赵六")], date(2026, 5, 1)) == []


def test_certificate_must_be_valid_on_the_inspection_date_and_the_message_names_the_person():
    """002 第九条: 持合法有效证件."""
    messages = rules.crew_violations([person("王五", until=date(2026, 4, 30)), person("赵六", start=date(2026, 6, 1))],
                                     date(2026, 5, 1))
    assert len(messages) == 2
    assert "王五" in messages[0] and "2026-04-30" in messages[0] and "第九条" in messages[0]
    assert "赵六" in messages[1]


def test_inspector_on_the_avoidance_list_is_refused_by_name():
    messages = rules.crew_violations([person("王五", avoids=True), person("赵六")], date(2026, 5, 1))
    assert messages == ["回避规定：王五 在该企业的回避名单上，不得参加本次检查。"]


def test_equipment_differences_are_flagged():
    """003 附件 item 2: 关键生产设备和检验设备与获证时相比是否发生变化."""
    same = rules.EquipmentRow("水泥磨", "Φ3.2×13m", 2, "Φ3.2×13m", 2, True)
    assert rules.equipment_difference(same) == ""
    assert rules.equipment_difference(same.__class__("水泥磨", "Φ3.2×13m", 2, "Φ3.8×13m", 1, True)) == "数量 2→1；型号 Φ3.2×13m→Φ3.8×13m"
    assert rules.equipment_difference(rules.EquipmentRow("水泥磨", "A", 2, "", 0, True)) == "现场未见"
    assert rules.equipment_difference(rules.EquipmentRow("立磨", "", 0, "LM46", 1, False)) == "未登记的新增设备"
