"""Records that cannot contradict themselves (issue 10 items 1–3): answers agree with their conclusions and, unless
confirmed with a note, with the register; amendments pass every finishing check; a kind goes with its checklists."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from postlicense.core.models import User
from postlicense.inspections import selectors, services
from postlicense.inspections.models import Finding, InspectionRecord, Problem
from postlicense.registry.models import License

from .factories import make_inspector
from .helpers import all_conforming, fill_and_sign, new_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


def items_of(record):
    return {item.number: item for item in record.template_version.items.all()}


def answers(record, **by_number):
    """All conforming, with some items answered otherwise: answers(record, n1=("不在有效期", "不符合", ""))."""
    findings, items = all_conforming(record), items_of(record)
    for key, value in by_number.items():
        findings[items[key[1:]].pk] = value
    return findings


def errors_of(excinfo):
    return excinfo.value.message_dict


# --- item 1: answers and conclusions agree (003 附件 注2) ---------------------------------------------------------


def test_a_draft_with_an_answer_against_its_conclusion_is_refused_at_the_item_and_saves_nothing():
    """003 附件 注2: 不在有效期 allows only 不符合; the draft is refused at item 1 and nothing of it is written."""
    record = new_record()
    item1 = items_of(record)["1"]
    with pytest.raises(ValidationError) as exc:
        services.save_draft(
            record,
            revision=0,
            fields={"problems_summary": "甲"},
            findings=answers(record, n1=("不在有效期", "符合", "")),
        )
    assert errors_of(exc) == {
        f"item-{item1.pk}": ["第1项 营业执照是否有效…：检查记录为“不在有效期”，单项检查结论只能为“不符合”。"]
    }
    record.refresh_from_db()
    assert record.revision == 0 and record.problems_summary == "" and not Finding.objects.filter(record=record).exists()


def test_the_demo_record_found_finished_qualified_can_no_longer_be_finished_qualified(staff):
    """The record found on the demo: item 1 不在有效期, item 3 存在, item 11 有（生产假冒伪劣）, all concluded 符合
    (written straight to the database, as the old demo did), finished 合格 with no problem. 003 附件 注2: it is
    refused at each of the three items; corrected to 不符合 it finishes 不合格 and opens three problems."""
    record = fill_and_sign(new_record())
    items = items_of(record)
    for number, option in (("1", "不在有效期"), ("3", "存在"), ("11", "有（生产假冒伪劣）")):
        Finding.objects.filter(record=record, item=items[number]).update(option=option, conclusion="符合")
    with pytest.raises(ValidationError) as exc:
        services.finish(record, by=staff)
    errors = errors_of(exc)
    assert errors[f"item-{items['3'].pk}"] == [
        "第3项 是否存在超许可证范围生产产品的行为：检查记录为“存在”，单项检查结论只能为“不符合”。"
    ]
    assert "只能为“不符合”" in errors[f"item-{items['11'].pk}"][0]
    assert "只能为“不符合”" in errors[f"item-{items['1'].pk}"][0]
    # Item 1 also disagrees with the register: the enterprise's license is valid on the inspection date.
    assert "登记信息显示检查日期 2026-05-01 有效的生产许可证：XK13-001-" in errors[f"item-{items['1'].pk}"][1]
    assert InspectionRecord.objects.get(pk=record.pk).status == "in_progress" and not Problem.objects.exists()

    record = services.save_draft(
        record,
        revision=record.revision,
        fields={"problems_summary": "许可证过期；超范围生产；生产假冒伪劣产品"},
        findings=answers(
            record, n1=("不在有效期", "不符合", ""), n3=("存在", "不符合", ""), n11=("有（生产假冒伪劣）", "不符合", "")
        ),
        confirmations={items["1"].pk: (True, "现场查看许可证正本，已被发证机关注销，登记信息未更新")},
    )
    record = services.finish(record, by=staff)
    assert record.conclusion == "unqualified" and record.problems.filter(status="open").count() == 3


def test_not_applicable_needs_no_answer_on_items_that_offer_it(staff):
    """003 附件 items 4, 5, 9, 10 offer 不适用: given with no answer, the item is complete and not a nonconformity."""
    record = new_record()
    record = fill_and_sign(record, answers(record, n4=("", "不适用", "企业产品为散装，无包装")))
    assert not [m for m in services.finish_problems(record) if m.startswith("第4项")]
    assert services.finish(record, by=staff).conclusion == "qualified"


def test_nested_options_show_under_their_parent():
    """003 附件 items 10 and 11 print "□有（□已处理 □未处理） □无": the form shows 有 holding its two choices."""
    tree = items_of(new_record())["10"].option_tree
    assert tree == [
        {
            "label": "有",
            "value": None,
            "children": [{"label": "已处理", "value": "有（已处理）"}, {"label": "未处理", "value": "有（未处理）"}],
        },
        {"label": "无", "value": "无", "children": []},
    ]


# --- item 1: register cross-checks ---------------------------------------------------------------------------


def test_item_1_is_checked_against_the_licenses_valid_on_the_inspection_date(staff):
    """003 附件 item 1: 在有效期 while every license expired before the inspection date must be confirmed."""
    record = new_record()
    License.objects.filter(enterprise=record.enterprise).update(
        issue_date=date(2020, 1, 1), expiry_date=date(2026, 4, 1)
    )
    record = fill_and_sign(record)
    item1 = items_of(record)["1"]
    errors = selectors.finish_errors(record)[f"item-{item1.pk}"]
    assert errors == [
        f"第1项 营业执照是否有效…：检查记录为“在有效期”，而登记信息显示检查日期 2026-05-01 该企业没有有效的生产许可证："
        f"{record.enterprise.licenses.get().number}（有效，2020-01-01 至 2026-04-01）。"
        "请核实后勾选“我已核实”并填写核实说明。"
    ]
    # Ticking 我已核实 without a note is not enough; with a note it is stored with the finding and finishing goes on.
    services.save_draft(record, revision=record.revision, confirmations={item1.pk: (True, "")})
    assert f"item-{item1.pk}" in selectors.finish_errors(record)
    services.save_draft(
        record,
        revision=record.revision + 1,
        confirmations={item1.pk: (True, "企业已换证，新证 XK13-001-99999 尚未录入")},
    )
    finding = Finding.objects.get(record=record, item=item1)
    assert finding.register_confirmed and finding.register_note == "企业已换证，新证 XK13-001-99999 尚未录入"
    assert services.finish(record, by=staff).status == "finished"


def test_item_2_is_checked_against_the_key_equipment_table(staff):
    """003 附件 item 2: 未发生变化 while the on-site equipment table differs from the register must be confirmed."""
    record = new_record()
    mill = record.equipment_checks.get(name="水泥磨")
    record = fill_and_sign(record)
    services.save_draft(record, revision=record.revision, equipment={mill.pk: (1, "Φ3.2×13m", "拆除一台")})
    errors = selectors.finish_errors(record)[f"item-{items_of(record)['2'].pk}"]
    assert "登记信息显示关键生产设备表核对发现变化：水泥磨 数量 2→1" in errors[0]


def test_item_8_is_checked_against_calibration_due_dates():
    """003 附件 item 8: 是 while a registered measuring instrument is past its calibration date must be confirmed."""
    record = new_record()
    record.enterprise.equipment.filter(is_measuring_instrument=True).update(calibration_due=date(2026, 3, 1))
    record = fill_and_sign(record)
    errors = selectors.finish_errors(record)[f"item-{items_of(record)['8'].pk}"]
    assert "不在检定有效期内的计量器具：压力试验机（检定有效期至 2026-03-01）" in errors[0]


def test_item_10_is_checked_against_the_enterprises_open_problems(staff):
    """003 附件 item 10: 无 while the enterprise has an open problem from an earlier inspection must be confirmed;
    有（未处理） agrees with the register and needs no confirmation."""
    earlier = new_record()
    earlier = fill_and_sign(earlier, answers(earlier, n6=("检验记录不全", "不符合", "")), summary="出厂检验记录不全")
    services.finish(earlier, by=staff)
    record = new_record(enterprise=earlier.enterprise)
    record = fill_and_sign(record)
    item10 = items_of(record)["10"]
    errors = selectors.finish_errors(record)[f"item-{item10.pk}"]
    assert "而登记信息显示该企业有 1 个未关闭的问题：双随机抽查（2026-05-01）第6项" in errors[0]
    services.save_draft(
        record,
        revision=record.revision,
        fields={"problems_summary": "上次问题未整改"},
        findings={item10.pk: ("有（未处理）", "不符合", "")},
    )
    assert f"item-{item10.pk}" not in selectors.finish_errors(record)


# --- item 2: amendments and dates ----------------------------------------------------------------------------


def test_an_inspection_date_in_the_future_is_refused_at_finish(staff):
    record = fill_and_sign(new_record(), day=date.today() + timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        services.finish(record, by=staff)
    assert "晚于今天" in errors_of(exc)["inspection_date"][0]


def test_an_amendment_goes_through_every_check_that_finishing_does(staff):
    """An amendment may not bring in what finishing refuses: a contradicting answer, an unconfirmed register
    disagreement, a future date, or a date on which an inspector's certificate was not valid (白城事中事后监管办法
    第九条); each is refused and nothing is saved."""
    short = make_inspector(name="短证", valid_until=date(2026, 6, 30))
    record = services.finish(fill_and_sign(new_record(inspectors=[short, make_inspector()])), by=staff)
    item1 = items_of(record)["1"]
    cases = [
        dict(findings={item1.pk: ("不在有效期", "符合", "")}),
        dict(findings={item1.pk: ("不在有效期", "不符合", "")}, fields={"problems_summary": "过期"}),
        dict(fields={"inspection_date": date.today() + timedelta(days=3)}),
        dict(fields={"inspection_date": date(2026, 7, 1)}),
    ]
    expected = ["只能为“不符合”", "请核实后勾选“我已核实”", "晚于今天", "短证 的执法证"]
    for case, message in zip(cases, expected):
        with pytest.raises(ValidationError, match=message):
            services.amend(record, by=staff, reason="复核", **case)
    record.refresh_from_db()
    assert not record.amendments.exists() and record.conclusion == "qualified"
    assert record.inspection_date == date(2026, 5, 1)
    assert record.findings.get(item=item1).option == "在有效期"


def test_an_amendment_that_removes_a_nonconformity_supersedes_its_problem_and_one_that_adds_it_back_reopens_it(staff):
    record = new_record()
    record = fill_and_sign(record, answers(record, n6=("检验记录不全", "不符合", "")), summary="出厂检验记录不全")
    record = services.finish(record, by=staff)
    problem = Problem.objects.get(record=record)
    item6 = items_of(record)["6"]
    services.amend(
        record,
        by=staff,
        reason="检验记录在档案室找到，误判",
        findings={item6.pk: ("进行检验并存档", "符合", "")},
        fields={"problems_summary": ""},
    )
    record.refresh_from_db()
    problem.refresh_from_db()
    assert record.conclusion == "qualified"
    assert problem.status == Problem.Status.SUPERSEDED and problem.outcome == "更正撤销：检验记录在档案室找到，误判"
    assert problem.closed_by == staff
    # Follow-up cannot close what a correction withdrew.
    with pytest.raises(ValidationError, match="已因检查记录更正而撤销"):
        services.close_problem(problem, by=staff, reason="整改完成")
    services.amend(
        record,
        by=staff,
        reason="再次复核：记录确实不全",
        findings={item6.pk: ("检验记录不全", "不符合", "")},
        fields={"problems_summary": "出厂检验记录不全"},
    )
    problem.refresh_from_db()
    record.refresh_from_db()
    assert problem.status == Problem.Status.OPEN and problem.outcome == "" and record.conclusion == "unqualified"


def test_a_problem_already_closed_by_follow_up_is_left_alone_by_an_amendment(staff):
    record = new_record()
    record = fill_and_sign(record, answers(record, n6=("检验记录不全", "不符合", "")), summary="出厂检验记录不全")
    record = services.finish(record, by=staff)
    problem = services.close_problem(Problem.objects.get(record=record), by=staff, reason="整改完成，复查合格")
    services.amend(
        record,
        by=staff,
        reason="更正",
        findings={items_of(record)["6"].pk: ("进行检验并存档", "符合", "")},
        fields={"problems_summary": ""},
    )
    problem.refresh_from_db()
    assert problem.status == Problem.Status.CLOSED and problem.outcome == "决定关闭：整改完成，复查合格"


# --- item 3: a kind goes with its checklists -------------------------------------------------------------------


def test_each_kind_is_offered_only_the_checklists_that_serve_it():
    """003 六: a random check is filled on the 一企两表 (003 附件); 000: a cross audit on its sheet; DESIGN: the
    patrol items of 001 二(三) and 002 第六条 are each their own template."""

    def codes(kind):
        return [v.template.code for v in selectors.versions_for_kind(kind)]

    assert codes("random_check") == ["random_check_003"]
    assert codes("cross_audit") == ["patrol_000"]
    assert codes("patrol") == ["patrol_001", "patrol_002", "production_conditions_004"]


def test_dispatch_refuses_a_checklist_that_does_not_serve_the_kind():
    record = new_record()
    with pytest.raises(ValidationError) as exc:
        services.create_inspection(
            enterprise=record.enterprise,
            kind="patrol",
            template_version=record.template_version,
            org_unit=record.org_unit,
            inspectors=record.inspectors.all(),
            due_date=None,
        )
    assert errors_of(exc) == {
        "template_version": [
            "检查表““双随机一公开”监督检查表”不适用于巡查（适用于：双随机抽查），请选择适用于该检查类型的检查表。"
        ]
    }


def test_patrol_checklists_of_001_and_002_are_shipped_word_for_word():
    """001 二(三): five items; 002 第六条: six, with 误导、欺骗消费者 and 执行产业政策."""
    patrol_001 = [i.text for i in services.current_template("patrol_001").items.all()]
    patrol_002 = [i.text for i in services.current_template("patrol_002").items.all()]
    assert len(patrol_001) == 5 and len(patrol_002) == 6
    assert patrol_001[0] == "获证企业是否按照规定要求在产品包装上标注生产许可证编号和标识"
    assert patrol_001[4] == patrol_002[4] == "企业产品包装是否符合标识标注规定，是否存在误导、欺骗消费者的情况"
    assert patrol_002[1] == "生产条件、检验手段、生产技术或工艺是否已经发生变化，是否按照法定要求办理重新审查手续"
    assert patrol_002[5] == "获证企业执行产业政策情况"
    assert services.current_template("patrol_002").title == "获证企业巡查、回访记录"  # 002 第九条


def test_the_quality_audit_trigger_carries_the_full_wording_of_002_article_7_5():
    assert InspectionRecord.Trigger.QUALITY_AUDIT.label == (
        "需要对实地核查组审查质量、获证企业持续保持生产合格产品能力、各级监管部门证后监管质量进行抽查"
    )
