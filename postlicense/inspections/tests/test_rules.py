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
    messages = rules.crew_violations(
        [person("王五", until=date(2026, 4, 30)), person("赵六", start=date(2026, 6, 1))], date(2026, 5, 1)
    )
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
    assert (
        rules.equipment_difference(same.__class__("水泥磨", "Φ3.2×13m", 2, "Φ3.8×13m", 1, True))
        == "数量 2→1；型号 Φ3.2×13m→Φ3.8×13m"
    )
    assert rules.equipment_difference(rules.EquipmentRow("水泥磨", "A", 2, "", 0, True)) == "现场未见"
    assert rules.equipment_difference(rules.EquipmentRow("立磨", "", 0, "LM46", 1, False)) == "未登记的新增设备"


ITEM1 = {"在有效期": ["符合"], "不在有效期": ["不符合"]}
ITEM10 = {"有（已处理）": ["符合"], "有（未处理）": ["不符合"], "无": ["符合", "不适用"]}


def test_an_answer_allows_only_the_conclusions_the_checklist_gives_it():
    """003 附件 注2: a 检查记录 that states a nonconformity cannot be concluded 符合, and the reverse."""
    assert rules.answer_conflict("不在有效期", "符合", ITEM1, ["符合", "不符合"]) == (
        "检查记录为“不在有效期”，单项检查结论只能为“不符合”。"
    )
    assert rules.answer_conflict("在有效期", "不符合", ITEM1, ["符合", "不符合"]) == (
        "检查记录为“在有效期”，单项检查结论只能为“符合”。"
    )
    assert rules.answer_conflict("不在有效期", "不符合", ITEM1, ["符合", "不符合"]) == ""
    assert rules.answer_conflict("有（未处理）", "符合", ITEM10, CONFORM).endswith("只能为“不符合”。")
    assert rules.answer_conflict("无", "不适用", ITEM10, CONFORM) == ""


def test_a_draft_may_be_incomplete_but_an_unlisted_answer_allows_any_conclusion():
    """003 附件: an answer or a conclusion still empty is not a contradiction; an option the checklist does not
    bind (no entry in option_conclusions) allows any of the item's conclusions."""
    assert rules.answer_conflict("不在有效期", "", ITEM1, ["符合", "不符合"]) == ""
    assert rules.answer_conflict("", "符合", ITEM1, ["符合", "不符合"]) == ""
    assert rules.answer_conflict("已标注", "不符合", {}, CONFORM) == ""


def test_not_applicable_goes_with_no_answer_or_an_answer_that_allows_it():
    """003 附件 offers 不适用 on items 4, 5, 9, 10: the item does not apply, so nothing was found to record."""
    item4 = {"已标注": ["符合"], "未标注": ["不符合"]}
    assert rules.answer_conflict("", "不适用", item4, CONFORM) == ""
    assert rules.answer_conflict("已标注", "不适用", item4, CONFORM) == (
        "检查记录为“已标注”，单项检查结论只能为“符合”；如本项不适用，请不要选择检查记录。"
    )


def test_messages_name_the_item_by_number_and_first_clause():
    assert rules.item_label("1", "营业执照是否有效，生产许可证是否在有效期内") == "第1项 营业执照是否有效…"
    assert (
        rules.item_label("2", "企业的生产条件与取证时相比是否发生重大变化（包括生产地址）")
        == "第2项 企业的生产条件与取证时相比是否发生重大变化…"
    )
    assert rules.item_label("12", "其他需要检查的项目。") == "第12项 其他需要检查的项目"


def test_an_answer_against_the_register_is_reported_with_what_the_register_says():
    """003 附件 items 1, 2, 8, 10 can be answered from the register; only the side the checklist binds is checked
    (item 2 asks about more than equipment, so an unchanged table does not prove 未发生变化)."""
    expired = rules.RegisterFact(True, "检查日期 2026-05-01 该企业没有有效的生产许可证")
    valid = rules.RegisterFact(False, "检查日期 2026-05-01 有效的生产许可证：XK13-001-00001")
    assert (
        rules.register_disagreement("在有效期", expired, {"problem": ["不在有效期"], "clear": ["在有效期"]})
        == expired.says
    )
    assert (
        rules.register_disagreement("不在有效期", valid, {"problem": ["不在有效期"], "clear": ["在有效期"]})
        == valid.says
    )
    assert rules.register_disagreement("在有效期", valid, {"problem": ["不在有效期"], "clear": ["在有效期"]}) == ""
    item2 = {"problem": ["发生变化已重新审查", "发生变化未申请重新审查"]}
    same = rules.RegisterFact(False, "关键生产设备表核对与登记一致")
    changed = rules.RegisterFact(True, "关键生产设备表核对发现变化：水泥磨 数量 2→1")
    assert rules.register_disagreement("发生变化未申请重新审查", same, item2) == ""
    assert rules.register_disagreement("未发生变化", changed, item2) == changed.says
    assert rules.register_disagreement("", expired, {"problem": ["不在有效期"]}) == ""
    assert rules.register_disagreement("在有效期", None, {"problem": ["不在有效期"]}) == ""


def test_an_inspection_date_after_today_is_refused():
    assert rules.inspection_date_error(date(2026, 5, 2), date(2026, 5, 1)).startswith("检查日期 2026-05-02 晚于今天")
    assert rules.inspection_date_error(date(2026, 5, 1), date(2026, 5, 1)) == ""
    assert rules.inspection_date_error(None, date(2026, 5, 1)) == ""


def test_a_row_not_yet_counted_on_site_is_not_checked_rather_than_equal():
    """A record not yet filled does not show its equipment as matching the register."""
    assert rules.equipment_difference(rules.EquipmentRow("水泥磨", "A", 2, "", None, True)) == rules.NOT_CHECKED


def test_crew_messages_cite_the_regulations_by_short_name():
    """DESIGN "Documents named in the UI": never "002 第九条"."""
    messages = rules.crew_violations([person("王五", until=date(2026, 4, 30))], date(2026, 5, 1))
    assert messages[0] == (
        "检查人员不少于2人（白城事中事后监管办法 第九条、许昌双随机实施方案 六(一)2、塔城监督检查计划 五）："
        "本记录只有 1 人。"
    )
    assert "白城事中事后监管办法 第九条" in messages[1] and "002" not in " ".join(messages)
